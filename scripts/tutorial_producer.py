#!/usr/bin/env python3
"""Sends index prices to Kafka the way the well-known "stock market Kafka" tutorial does:
kafka-python's KafkaProducer with a json.dumps value serializer, one pandas row
(`to_dict(orient="records")`) per message, no key, no headers. The tutorial samples one
random row a second forever; this sends every row once, as fast as the client goes.

    tutorial_producer.py --bootstrap 127.0.0.1:9092 --topic demo_test --csv indexProcessed.csv
    tutorial_producer.py --generate prices.csv [--rows 40000]   # data of the same shape

The generated data stands in for the tutorial's dataset (Kaggle "Stock Exchange Data", whose
licence is not stated, so the repository does not carry it): the same columns
(Index,Date,Open,High,Low,Close,Adj Close,Volume,CloseUSD), 13 index symbols, business days,
a deterministic random walk.
"""
import argparse
import csv
import datetime as dt
import json
import random
import sys
import time
import zipfile

# (symbol, first level, USD per unit of the index's currency)
INDICES = [("NYA", 2000.0, 1.0), ("IXIC", 400.0, 1.0), ("HSI", 2500.0, 0.128), ("000001.SS", 100.0, 0.16),
           ("GSPTSE", 3000.0, 0.81), ("399001.SZ", 1000.0, 0.16), ("NSEI", 1000.0, 0.014),
           ("GDAXI", 1500.0, 1.21), ("N100", 500.0, 1.21), ("SSMI", 1500.0, 1.0), ("TWII", 1000.0, 0.036),
           ("J203.JO", 10000.0, 0.068), ("N225", 13000.0, 0.0093)]


def generate(path, rows, seed=11):
    rng = random.Random(seed)
    start = dt.date(1986, 12, 31)
    out = []
    for k, (symbol, level, usd) in enumerate(INDICES):
        day, price = start, level
        for _ in range(rows // len(INDICES) + (1 if k < rows % len(INDICES) else 0)):
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
            o = price
            c = max(1.0, o * (1 + rng.gauss(0.0003, 0.012)))
            h = max(o, c) * (1 + abs(rng.gauss(0, 0.004)))
            lo = min(o, c) * (1 - abs(rng.gauss(0, 0.004)))
            vol = float(rng.randrange(0, 5_000_000_000, 100)) if rng.random() > 0.1 else 0.0
            out.append([symbol, day.isoformat(), round(o, 6), round(h, 6), round(lo, 6), round(c, 6), round(c, 6),
                        vol, round(c * usd, 8)])
            price, day = c, day + dt.timedelta(days=1)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Index", "Date", "Open", "High", "Low", "Close", "Adj Close", "Volume", "CloseUSD"])
        w.writerows(out)
    print(f"tutorial_producer: generated {len(out)} rows of {len(INDICES)} indices in {path}", file=sys.stderr)


def read_rows(path):
    import pandas as pd
    if str(path).endswith(".zip"):
        with zipfile.ZipFile(path) as z:
            name = next(n for n in z.namelist() if n.endswith(".csv"))
            with z.open(name) as f:
                return pd.read_csv(f)
    return pd.read_csv(path)


def send(bootstrap, topic, path):
    from kafka import KafkaProducer
    producer = KafkaProducer(bootstrap_servers=[bootstrap], value_serializer=lambda x: json.dumps(x).encode("utf-8"))
    df = read_rows(path)
    started = time.time()
    for i, row in enumerate(df.to_dict(orient="records"), 1):
        producer.send(topic, value=row)
        if i % 20000 == 0:
            print(f"tutorial_producer: {i} of {len(df)} rows sent", file=sys.stderr)
    producer.flush()
    producer.close()
    took = time.time() - started
    print(f"tutorial_producer: sent {len(df)} rows to {topic} in {took:.1f} s ({len(df) / max(took, 1e-9):.0f} rows/s)",
          file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bootstrap", help="Kafka bootstrap address, e.g. 127.0.0.1:9092")
    p.add_argument("--topic", help="topic to send to (the broker creates it on first use)")
    p.add_argument("--csv", help="the tutorial's indexProcessed.csv (or its .zip)")
    p.add_argument("--generate", metavar="PATH", help="write generated rows of the same shape to PATH and exit")
    p.add_argument("--rows", type=int, default=40000, help="rows to generate (default 40000)")
    a = p.parse_args()
    if a.generate:
        generate(a.generate, a.rows)
        return
    if not (a.bootstrap and a.topic and a.csv):
        p.error("--bootstrap, --topic and --csv are needed to send (or --generate PATH)")
    send(a.bootstrap, a.topic, a.csv)


if __name__ == "__main__":
    main()
