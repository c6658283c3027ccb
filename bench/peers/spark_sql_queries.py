#!/usr/bin/env python3
"""Spark SQL's side of the query comparison in bench/peers_bench.py: one SparkSession (local[2],
bound to 127.0.0.1, UI off, session time zone UTC) reads the trades of a ticklake warehouse
(WAREHOUSE/<database>/trades, the dt=... folders as a partition column) as the temporary view
`trades`, and runs each question --repeat times (collect() of the whole answer). Writes JSON:
the session's start-up seconds, the reading of the table's schema (spark.read.parquet), and per
question its times and its answer (timestamps as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text).

  spark_sql_queries.py --warehouse WH --questions Q.json --out RESULT.json
Q.json: [{"name": ..., "sql": "... FROM {trades} ..."}, ...]
"""
import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path


def plain(v):
    if isinstance(v, (dt.datetime, dt.date)):
        return str(v)
    if hasattr(v, "__float__") and not isinstance(v, (int, float, bool)):
        return float(v)  # Decimal
    return v


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--warehouse", required=True)
    ap.add_argument("--database", default="market")
    ap.add_argument("--questions", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--master", default="local[2]")
    a = ap.parse_args()
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ.setdefault("TZ", "UTC")
    questions = json.loads(Path(a.questions).read_text())
    t0 = time.time()
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master(a.master).appName("peers-bench-spark-sql")
             .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    spark.sparkContext.setLogLevel("WARN")
    t1 = time.time()
    spark.read.parquet(str(Path(a.warehouse) / a.database / "trades")).createOrReplaceTempView("trades")
    t2 = time.time()
    result = {"startup_seconds": round(t1 - t0, 3), "read_schema_seconds": round(t2 - t1, 3), "questions": []}
    for q in questions:
        sql = q["sql"].format(trades="trades")
        times, rows = [], None
        for _ in range(a.repeat):
            s = time.perf_counter()
            rows = spark.sql(sql).collect()
            times.append(time.perf_counter() - s)
        result["questions"].append({"name": q["name"], "times": [round(t, 4) for t in times],
                                    "answer": [[plain(v) for v in r] for r in rows]})
        print(f"spark sql: {q['name']}: best {min(times):.3f} s", file=sys.stderr)
    gateway = spark.sparkContext._gateway
    proc = getattr(gateway, "proc", None)
    spark.stop()
    # Wait for the JVM, so its CPU time is in this process's children's rusage (the bench reads it).
    if proc is not None:
        try:
            gateway.shutdown()
            proc.stdin.close()
        except Exception:  # noqa: BLE001 - already closed by stop()
            pass
        try:
            proc.wait(timeout=60)
        except Exception:  # noqa: BLE001
            proc.kill()
            proc.wait()
    Path(a.out).write_text(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
