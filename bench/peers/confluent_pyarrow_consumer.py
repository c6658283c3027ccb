#!/usr/bin/env python3
"""A peer of `ticklake sink` in bench/peers_bench.py: what a Python engineer writes with
confluent-kafka and pyarrow to land a topic of JSON ticks as Parquet, exactly once by the usual
recipe (write the file, then commit the offsets after it):

- consumes in batches (`Consumer.consume(num_messages=...)`), auto-commit off, earliest;
- json-parses each value and buffers the rows per Kafka partition;
- when a partition holds --rows-per-file rows, builds pyarrow tables (one per tick type: trades,
  quotes; `ts`/`recv_ts` cast from ISO text to timestamps) and writes one Parquet file each
  (pyarrow's defaults: snappy), then commits that partition's offset synchronously;
- stops once caught up (a partition-EOF event from every assigned partition), after writing and
  committing what is left; a revoked partition is written and committed first.

Files: OUT/<type>s/<topic>-p<partition>-o<first offset>.parquet. Writes a summary JSON:
consumed, rows_written, files, commits, busy_seconds (subscribe to the last commit, group join
included; the caught-up check's last empty poll not included), seconds.

  confluent_pyarrow_consumer.py --bootstrap 127.0.0.1:9092 --topic ticks --group g --out DIR \
      --summary-json FILE
"""
import argparse
import json
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

TIME_COLUMNS = ("ts", "recv_ts")


class PartitionBuffer:
    def __init__(self):
        self.rows: dict[str, list[dict]] = {}
        self.count = 0
        self.first = None  # first offset in the buffer
        self.next = None  # offset to commit once the buffer is written


class Lander:
    def __init__(self, a: argparse.Namespace, consumer: Consumer):
        self.a, self.consumer = a, consumer
        self.out = Path(a.out)
        self.buffers: dict[int, PartitionBuffer] = {}
        self.consumed = self.rows_written = self.files = self.commits = 0

    def add(self, msg) -> None:
        p = msg.partition()
        buf = self.buffers.setdefault(p, PartitionBuffer())
        row = json.loads(msg.value())
        buf.rows.setdefault(row.get("type", "unknown"), []).append(row)
        if buf.first is None:
            buf.first = msg.offset()
        buf.next = msg.offset() + 1
        buf.count += 1
        self.consumed += 1
        if buf.count >= self.a.rows_per_file:
            self.flush(p)

    def flush(self, p: int) -> None:
        buf = self.buffers.get(p)
        if buf is None or buf.count == 0:
            return
        for kind, rows in buf.rows.items():
            table = pa.Table.from_pylist(rows)
            for name in TIME_COLUMNS:
                i = table.schema.get_field_index(name)
                if i >= 0:
                    table = table.set_column(i, name, table.column(i).cast(pa.timestamp("us", tz="UTC")))
            folder = self.out / f"{kind}s"
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, folder / f"{self.a.topic}-p{p}-o{buf.first:020d}.parquet")
            self.files += 1
            self.rows_written += table.num_rows
        # The file is written: now (and only now) the offsets after it are committed.
        self.consumer.commit(offsets=[TopicPartition(self.a.topic, p, buf.next)], asynchronous=False)
        self.commits += 1
        self.buffers[p] = PartitionBuffer()

    def flush_all(self) -> None:
        for p in sorted(self.buffers):
            self.flush(p)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--summary-json", required=True)
    ap.add_argument("--batch", type=int, default=10_000, help="num_messages of each consume() (default 10,000)")
    ap.add_argument("--rows-per-file", type=int, default=100_000,
                    help="rows of one partition per file write + commit (default 100,000)")
    a = ap.parse_args()
    t0 = time.time()
    consumer = Consumer({"bootstrap.servers": a.bootstrap, "group.id": a.group, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest", "enable.partition.eof": True})
    lander = Lander(a, consumer)
    assigned: set[int] = set()
    at_eof: set[int] = set()

    def on_assign(c, partitions):
        assigned.update(tp.partition for tp in partitions)

    def on_revoke(c, partitions):
        for tp in partitions:
            lander.flush(tp.partition)
            assigned.discard(tp.partition)
            at_eof.discard(tp.partition)

    t_subscribe = time.time()
    consumer.subscribe([a.topic], on_assign=on_assign, on_revoke=on_revoke)
    t_last_work = t_subscribe
    try:
        while True:
            msgs = consumer.consume(num_messages=a.batch, timeout=1.0)
            for msg in msgs:
                err = msg.error()
                if err is not None:
                    if err.code() == KafkaError._PARTITION_EOF:
                        at_eof.add(msg.partition())
                        continue
                    raise KafkaException(err)
                at_eof.discard(msg.partition())
                lander.add(msg)
            if msgs:
                t_last_work = time.time()
            if assigned and assigned <= at_eof:
                lander.flush_all()
                t_last_work = time.time()
                break
    finally:
        consumer.close()
    Path(a.summary_json).write_text(json.dumps({
        "consumed": lander.consumed, "rows_written": lander.rows_written, "files": lander.files,
        "commits": lander.commits, "busy_seconds": round(t_last_work - t_subscribe, 3),
        "seconds": round(time.time() - t0, 3)}) + "\n")
    print(f"confluent+pyarrow peer: {lander.consumed} messages, {lander.rows_written} rows in {lander.files} files, "
          f"{lander.commits} commits, {t_last_work - t_subscribe:.2f} s busy", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
