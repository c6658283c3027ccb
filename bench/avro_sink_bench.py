#!/usr/bin/env python3
"""The sink on the same simulated ticks as plain JSON and as Schema Registry Avro (issue #19).

Produces N simulated ticks with `ticklake produce`, reads them back with kcat, and writes each one
twice, with the same key, uncompressed, through kafka-python: as its JSON text (topic bench-json)
and as Confluent-framed Avro written by fastavro (topic bench-avro, schemas for trade and quote
served from files, the registry's answers). Then sinks each topic to Parquet and reports the rate
(messages / (wall time - idle wait)) and Kafka value bytes per tick.

  .deps/venv/bin/python bench/avro_sink_bench.py --count 200000 [--bin build/dev/src/cli/ticklake]
"""
import argparse
import datetime as dt
import io
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import fastavro
from kafka import KafkaProducer

ROOT = Path(__file__).resolve().parent.parent


def ts_field(name):
    return {"name": name, "type": {"type": "long", "logicalType": "timestamp-micros"}}


HEAD = [{"name": "v", "type": "long"}, {"name": "type", "type": "string"}, {"name": "id", "type": "string"},
        {"name": "symbol", "type": "string"}, ts_field("ts"), ts_field("recv_ts"), {"name": "source", "type": "string"}]
NULLABLE = ["null", "string"]
SCHEMAS = {
    "trade": (1, {"type": "record", "name": "Trade", "fields": HEAD + [
        {"name": "price", "type": "double"}, {"name": "size", "type": "double"},
        {"name": "exchange", "type": NULLABLE}, {"name": "side", "type": NULLABLE}]}),
    "quote": (2, {"type": "record", "name": "Quote", "fields": HEAD + [
        {"name": "bid", "type": "double"}, {"name": "bid_size", "type": "double"}, {"name": "ask", "type": "double"},
        {"name": "ask_size", "type": "double"}, {"name": "exchange", "type": NULLABLE}]}),
}


def micros(text):
    d = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (d - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)) // dt.timedelta(microseconds=1)


def free_port_pair():
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            p = s.getsockname()[1]
        with socket.socket() as s2:
            try:
                s2.bind(("127.0.0.1", p + 1))
                return p
            except OSError:
                continue


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=200_000)
    ap.add_argument("--bin", default=os.environ.get("TICKLAKE_BIN", str(ROOT / "build" / "ticklake")))
    ap.add_argument("--idle", type=float, default=2.0)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="avro-bench-"))
    state = work / "broker"
    port = free_port_pair()
    out = subprocess.run([args.bin, "kafka", "start", "--port", str(port), "--state-dir", str(state)],
                         check=True, capture_output=True, text=True).stdout
    bootstrap = out.strip().splitlines()[-1]
    try:
        subprocess.run([args.bin, "produce", "-b", bootstrap, "-t", "bench-src", "--source", "sim", "--count",
                        str(args.count), "--seed", "7", "--symbols", "50", "--partitions", "1", "--no-progress"],
                       check=True, capture_output=True)
        dump = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", "bench-src", "-o", "beginning", "-e", "-q",
                               "-f", "%k\t%s\n"], check=True, capture_output=True).stdout.decode().splitlines()
        parsed = {name: fastavro.parse_schema(s) for name, (_, s) in SCHEMAS.items()}
        for t in ("bench-json", "bench-avro"):
            subprocess.run([args.bin, "kafka", "topics", "create", t, "-b", bootstrap, "--partitions", "1"],
                           check=True, capture_output=True)
        producer = KafkaProducer(bootstrap_servers=[bootstrap], linger_ms=20, batch_size=1 << 20, acks="all",
                                 retries=20)
        sizes = {"json": 0, "avro": 0}
        encode_s = 0.0
        for line in dump:
            key, value = line.split("\t", 1)
            ev = json.loads(value)
            schema_id, _ = SCHEMAS[ev["type"]]
            rec = dict(ev, ts=micros(ev["ts"]), recv_ts=micros(ev["recv_ts"]))
            t0 = time.perf_counter()
            buf = io.BytesIO()
            buf.write(b"\x00" + struct.pack(">I", schema_id))
            fastavro.schemaless_writer(buf, parsed[ev["type"]], rec)
            encode_s += time.perf_counter() - t0
            avro = buf.getvalue()
            producer.send("bench-json", key=key.encode(), value=value.encode())
            producer.send("bench-avro", key=key.encode(), value=avro)
            sizes["json"] += len(key) + len(value.encode())
            sizes["avro"] += len(key) + len(avro)
        producer.flush()
        producer.close()
        registry = work / "registry" / "schemas" / "ids"
        registry.mkdir(parents=True)
        for _, (schema_id, schema) in SCHEMAS.items():
            (registry / str(schema_id)).write_text(json.dumps({"schema": json.dumps(schema)}))
        n = len(dump)
        rows = []
        for fmt, extra in (("json", []), ("avro", ["--schema-registry", f"file://{work / 'registry'}"])):
            summary = work / f"{fmt}.json"
            t0 = time.monotonic()
            subprocess.run([args.bin, "sink", "-b", bootstrap, "-t", f"bench-{fmt}", "-g", f"g-{fmt}", "-w",
                            str(work / f"wh-{fmt}"), "--value-format", fmt, "--until-idle", str(args.idle),
                            "--no-progress", "--no-register", "--summary-json", str(summary), *extra],
                           check=True, capture_output=True)
            wall = time.monotonic() - t0 - args.idle
            s = json.loads(summary.read_text())
            assert s["rows_written"] == n and s["dead_letters"] == 0, s
            rows.append((fmt, n / wall, sizes[fmt] / n))
        print(f"{'value format':<14}{'msgs':>10}{'sink msgs/s':>14}{'key+value bytes/tick':>23}")
        for fmt, rate, bpt in rows:
            print(f"{fmt:<14}{n:>10,}{rate:>14,.0f}{bpt:>23.1f}")
        print(f"avro : json sink rate {rows[1][1] / rows[0][1]:.2f}x; bytes {rows[1][2] / rows[0][2]:.2f}x; "
              f"fastavro encode {encode_s / n * 1e6:.1f} us/msg (Python, for reference)")
    finally:
        subprocess.run([args.bin, "kafka", "stop", "--state-dir", str(state)], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
