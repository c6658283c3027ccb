#!/usr/bin/env python3
"""A peer of `ticklake sink` in bench/peers_bench.py: the consumer of the well-known "stock
market Kafka" tutorial (the producer side is scripts/tutorial_producer.py), with local files
instead of S3. As in the tutorial: kafka-python's KafkaConsumer with a json.loads value
deserializer, no consumer group (nothing committed), and for every message one file
stock_market_<n>.json holding json.dump of the value. One change: auto_offset_reset='earliest'
(the tutorial leaves kafka-python's default, latest, and would read nothing of a backlog).

It runs until --max-messages messages or --max-seconds, whichever comes first (the tutorial's
loop never ends): the rate is taken from that capped run. Summary JSON: consumed, files,
busy_seconds (constructing the consumer to the last file written), capped_by, seconds.

  tutorial_consumer.py --bootstrap 127.0.0.1:9092 --topic ticks --out DIR --summary-json FILE
"""
import argparse
import json
import sys
import time
from json import loads
from pathlib import Path

from kafka import KafkaConsumer


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--summary-json", required=True)
    ap.add_argument("--max-messages", type=int, default=20_000, help="stop after this many messages (default 20,000)")
    ap.add_argument("--max-seconds", type=float, default=60.0, help="... or after this long (default 60)")
    ap.add_argument("--idle-seconds", type=float, default=5.0,
                    help="stop when nothing came for this long (fewer messages than the cap; default 5)")
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    consumer = KafkaConsumer(a.topic, bootstrap_servers=[a.bootstrap],
                             value_deserializer=lambda x: loads(x.decode("utf-8")),
                             auto_offset_reset="earliest", consumer_timeout_ms=int(a.idle_seconds * 1000))
    count, capped_by, t_last = 0, "idle", t0
    for count, i in enumerate(consumer, 1):
        with open(out / f"stock_market_{count - 1}.json", "w") as file:
            json.dump(i.value, file)
        t_last = time.time()
        if count >= a.max_messages:
            capped_by = "messages"
            break
        if t_last - t0 >= a.max_seconds:
            capped_by = "seconds"
            break
    consumer.close()
    Path(a.summary_json).write_text(json.dumps({
        "consumed": count, "files": count, "busy_seconds": round(t_last - t0, 3), "capped_by": capped_by,
        "max_messages": a.max_messages, "max_seconds": a.max_seconds, "seconds": round(time.time() - t0, 3)}) + "\n")
    print(f"tutorial peer: {count} messages in {t_last - t0:.2f} s (stopped by {capped_by})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
