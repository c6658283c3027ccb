#!/usr/bin/env python3
"""A peer of `ticklake sink` in bench/peers_bench.py: Spark Structured Streaming reads the topic
(Kafka source, startingOffsets earliest) and writes Parquet with a checkpoint, trigger
availableNow (everything there now, then stop), local[2], bound to 127.0.0.1. The ticks' JSON
values are parsed with from_json into one schema holding the trade and the quote fields; the
output is partitioned by the tick's type (type=trade/, type=quote/), Spark's default codec
(snappy). Writes a summary JSON: rows Spark says it processed, the busy seconds (from the
stream's start to its end, the JVM's start-up not included) and the start-up seconds.

  spark_streaming_consumer.py --bootstrap 127.0.0.1:9092 --topic ticks --out DIR --checkpoint DIR \
      --summary-json FILE
"""
import argparse
import glob
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--summary-json", required=True)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--jars", default=str(REPO / ".deps" / "spark-kafka-jars" / "*.jar"),
                    help="glob of the Kafka source's jars (default .deps/spark-kafka-jars/*.jar)")
    ap.add_argument("--driver-memory", default="1g")
    a = ap.parse_args()
    jars = sorted(glob.glob(a.jars))
    if not jars:
        print(f"spark peer: no jars match {a.jars} (setup/setup.sh spark fetches them)", file=sys.stderr)
        return 2
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ.setdefault("TZ", "UTC")
    t_start = time.time()
    from pyspark.sql import SparkSession, functions as F, types as T
    spark = (SparkSession.builder.master(a.master).appName("peers-bench-spark")
             .config("spark.jars", ",".join(jars))
             .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.session.timeZone", "UTC").config("spark.driver.memory", a.driver_memory)
             .getOrCreate())
    spark.sparkContext.setLogLevel("WARN")
    gateway_proc = getattr(spark.sparkContext._gateway, "proc", None)
    t_ready = time.time()
    schema = T.StructType([
        T.StructField("v", T.IntegerType()), T.StructField("type", T.StringType()),
        T.StructField("id", T.StringType()), T.StructField("symbol", T.StringType()),
        T.StructField("ts", T.StringType()), T.StructField("recv_ts", T.StringType()),
        T.StructField("source", T.StringType()),
        T.StructField("price", T.DoubleType()), T.StructField("size", T.DoubleType()),
        T.StructField("side", T.StringType()),
        T.StructField("bid", T.DoubleType()), T.StructField("bid_size", T.DoubleType()),
        T.StructField("ask", T.DoubleType()), T.StructField("ask_size", T.DoubleType()),
        T.StructField("exchange", T.StringType()),
    ])
    src = (spark.readStream.format("kafka").option("kafka.bootstrap.servers", a.bootstrap)
           .option("subscribe", a.topic).option("startingOffsets", "earliest").load())
    ticks = (src.select(F.from_json(F.col("value").cast("string"), schema).alias("t")).select("t.*")
             .withColumn("ts", F.to_timestamp("ts")).withColumn("recv_ts", F.to_timestamp("recv_ts")))
    query = (ticks.writeStream.format("parquet").option("path", a.out).option("checkpointLocation", a.checkpoint)
             .partitionBy("type").trigger(availableNow=True).start())
    query.awaitTermination()
    t_done = time.time()
    rows = sum(int(p.get("numInputRows", 0)) for p in query.recentProgress)
    batches = len(query.recentProgress)
    spark.stop()
    # Wait for the JVM, so its CPU time is in this process's children's rusage (the bench reads it).
    if gateway_proc is not None:
        try:
            spark.sparkContext._gateway.shutdown()
        except Exception:  # noqa: BLE001 - already closed by stop()
            pass
        try:
            gateway_proc.stdin.close()
        except Exception:  # noqa: BLE001
            pass
        try:
            gateway_proc.wait(timeout=60)
        except Exception:  # noqa: BLE001
            gateway_proc.kill()
            gateway_proc.wait()
    Path(a.summary_json).write_text(json.dumps({
        "consumed": rows, "batches": batches, "startup_seconds": round(t_ready - t_start, 3),
        "busy_seconds": round(t_done - t_ready, 3), "seconds": round(time.time() - t_start, 3)}) + "\n")
    print(f"spark peer: {rows} rows in {batches} micro-batch(es), {t_done - t_ready:.1f} s after a "
          f"{t_ready - t_start:.1f} s start-up", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
