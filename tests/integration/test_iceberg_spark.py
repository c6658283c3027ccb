"""Spark reads and writes ticklake's Iceberg tables (#18): Spark's JdbcCatalog opens the same
SQLite catalog file the sink commits to (pyspark 4.0 from PyPI, Iceberg's Spark runtime and
sqlite-jdbc from Maven Central: `setup/setup.sh spark`). Spark's count and per-symbol VWAP equal
`ticklake query`'s; a row Spark appends is seen by `ticklake query` and PyIceberg; and the sink
then commits on top of Spark's snapshot without losing or repeating a row: the commit protocol
interoperates in both directions."""
import glob
import json
import subprocess
import sys
import textwrap

import pytest

from conftest import BINARY, ROOT, kcat_dump, produce_sim, run, sink_args

pytest.importorskip("pyspark")
pyiceberg_sql = pytest.importorskip("pyiceberg.catalog.sql")

JARS = sorted(glob.glob(str(ROOT / ".deps" / "spark-jars" / "*.jar")))

SPARK_JOB = textwrap.dedent("""
    import json, os, sys
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    from pyspark.sql import SparkSession
    db, wh, work, jars, out = sys.argv[1:6]
    c = "spark.sql.catalog.ticklake"   # JdbcCatalog reads the rows of its own catalog name
    spark = (SparkSession.builder.master("local[2]").appName("ticklake-iceberg-interop")
             .config("spark.driver.memory", "1g").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.sql.session.timeZone", "UTC").config("spark.jars", jars)
             .config("spark.sql.warehouse.dir", work + "/spark-warehouse")
             .config("spark.driver.extraJavaOptions", "-Dderby.system.home=" + work + "/derby")
             .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
             .config(c, "org.apache.iceberg.spark.SparkCatalog")
             .config(c + ".catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog")
             .config(c + ".uri", "jdbc:sqlite:" + db).config(c + ".jdbc.schema-version", "V1")
             .config(c + ".warehouse", wh).getOrCreate())
    t = "ticklake.market.trades"
    result = {"count": spark.sql(f"SELECT count(*) AS n FROM {t}").collect()[0]["n"]}
    result["vwap"] = {r["symbol"]: r["vwap"] for r in spark.sql(
        f"SELECT symbol, sum(price * size) / sum(size) AS vwap FROM {t} GROUP BY symbol").collect()}
    spark.sql(f"INSERT INTO {t} (id, symbol, ts, recv_ts, source, price, size, exchange, side) VALUES "
              "('spark-row-1', 'SPRK', TIMESTAMP_NTZ '2026-01-05 15:30:00', TIMESTAMP_NTZ '2026-01-05 15:30:01', "
              "'spark', 123.25, 10.0, 'XSPK', 'buy')")
    result["count_after"] = spark.sql(f"SELECT count(*) AS n FROM {t}").collect()[0]["n"]
    json.dump(result, open(out, "w"))
    spark.stop()
""")


def tl_query(catalog_path, sql):
    proc = subprocess.run([str(BINARY), "query", "--catalog", str(catalog_path), "--format", "jsonl", "-q", sql],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def pyiceberg_ids(catalog_path, warehouse):
    catalog = pyiceberg_sql.SqlCatalog("ticklake", uri=f"sqlite:///{catalog_path}", warehouse=f"file://{warehouse}")
    return catalog.load_table("market.trades").scan().to_arrow().column("id").to_pylist()


@pytest.mark.skipif(not JARS, reason="Spark's jars are missing: run setup/setup.sh spark")
def test_spark_reads_appends_and_the_sink_commits_on_top(broker, topic, warehouse, tmp_path):
    n = 6_000
    produce_sim(broker, topic, n, partitions=2, days=1, extra=("--quote-ratio", "0"))
    catalog_path = tmp_path / "catalog.db"
    args = sink_args(broker, topic, warehouse, extra=("--table-format", "iceberg", "--catalog", str(catalog_path),
                                                      "--rotate-rows", "2000"))
    run(args)
    ours = tl_query(catalog_path, "SELECT symbol, sum(price * size) / sum(size) AS vwap FROM market.trades "
                                  "GROUP BY symbol")

    job = tmp_path / "spark_job.py"
    job.write_text(SPARK_JOB)
    out = tmp_path / "spark.json"
    spark = subprocess.run([sys.executable, str(job), str(catalog_path), f"file://{warehouse}", str(tmp_path),
                            ",".join(JARS), str(out)], capture_output=True, text=True, timeout=240)
    assert spark.returncode == 0, spark.stderr[-4000:]
    seen = json.loads(out.read_text())
    assert seen["count"] == n
    assert seen["vwap"].keys() == {r["symbol"] for r in ours}
    for r in ours:
        assert seen["vwap"][r["symbol"]] == pytest.approx(r["vwap"], rel=1e-12), r["symbol"]
    assert seen["count_after"] == n + 1

    # Spark's snapshot is the table's current one: ticklake query and PyIceberg see its row.
    [row] = tl_query(catalog_path, "SELECT count(*) AS n, count(*) FILTER (WHERE id = 'spark-row-1' AND "
                                   "symbol = 'SPRK' AND price = 123.25) AS spark_rows FROM market.trades")
    assert (row["n"], row["spark_rows"]) == (n + 1, 1)
    assert sorted(pyiceberg_ids(catalog_path, warehouse)).count("spark-row-1") == 1

    # The sink commits on top of Spark's snapshot: its offsets carry over Spark's, so the next
    # run neither repeats the first run's rows nor loses the new ones.
    more = 3_000
    produce_sim(broker, topic, more, seed=8, partitions=2, days=1, extra=("--quote-ratio", "0"))
    run(args)
    ids = pyiceberg_ids(catalog_path, warehouse)
    produced = [json.loads(line)["id"] for line in kcat_dump(broker, topic, tmp_path / "all.jsonl").read_text().splitlines()]
    assert len(ids) == len(set(ids)) == n + more + 1
    assert sorted(ids) == sorted(produced + ["spark-row-1"])
    [after] = tl_query(catalog_path, "SELECT count(*) AS n FROM market.trades")
    assert after["n"] == n + more + 1
