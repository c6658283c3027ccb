"""`ticklake compact` against a real broker and sink: merged files, the catalog swap, crash points,
late data, the grace period, and S3 (MinIO).

The oracle is independent of ticklake: the catalog's file list read with sqlite3, the files read
with DuckDB-Python. Every id produced must be there exactly once, and the catalog's row counts
must equal what its files hold, after every operation.
"""
import json
import signal
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path

import duckdb
import pytest

from conftest import BINARY, kcat_dump, produce_sim, run, sink, sink_args

TABLES = ("trades", "quotes")


def catalog_files(catalog: Path, table: str):
    """(key, rows) of every file the catalog lists for market.<table>."""
    with sqlite3.connect(catalog) as con:
        return con.execute("SELECT f.key, f.rows FROM files f JOIN tables t ON t.id = f.table_id "
                           "JOIN databases d ON d.id = t.database_id WHERE d.name = 'market' AND t.name = ? "
                           "ORDER BY f.key", (table,)).fetchall()


def ids_over_catalog(catalog: Path, warehouse: Path, table: str):
    """(rows, distinct ids) of the files the catalog lists, read by DuckDB-Python; also checks that
    the catalog's own row counts say the same."""
    files = catalog_files(catalog, table)
    if not files:
        return 0, 0
    paths = [str(warehouse / k) for k, _ in files]
    for p in paths:
        assert Path(p).exists(), f"the catalog lists {p}, which is gone"
    rows, distinct = duckdb.connect().execute(
        f"SELECT count(*), count(DISTINCT id) FROM read_parquet({paths!r}, union_by_name = true)").fetchone()
    assert rows == sum(r for _, r in files), "catalog row counts differ from what its files hold"
    return rows, distinct


def total_ids(catalog, warehouse):
    rows = distinct = 0
    for t in TABLES:
        r, d = ids_over_catalog(catalog, warehouse, t)
        rows += r
        distinct += d
    return rows, distinct


def query_counts(catalog, table="trades"):
    proc = subprocess.run([str(BINARY), "query", "--catalog", str(catalog), "--format", "jsonl",
                           f"SELECT count(*) AS n, count(DISTINCT id) AS d FROM market.{table}"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout.splitlines()[0])
    return row["n"], row["d"]


def compact(catalog, *args, env=None, check=True):
    proc = subprocess.run([str(BINARY), "compact", "--catalog", str(catalog), *args], capture_output=True, text=True,
                          timeout=600, env=env)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def sink_round(broker, topic, warehouse, catalog, count, seed):
    """Produces `count` simulated events (ids sim-<seed>-N, all on 2025-01-06) and sinks them: one
    new small file per Kafka partition and table."""
    produce_sim(broker, topic, count, seed=seed, symbols=20, partitions=6)
    summary, _ = sink(broker, topic, warehouse, idle=2, extra=("--catalog", str(catalog)))
    return summary


def table_files(warehouse: Path, table: str):
    return sorted(p.relative_to(warehouse).as_posix() for p in (warehouse / "market" / table).rglob("*.parquet"))


def test_compaction_merges_small_files_and_keeps_every_id_once(broker, topic, tmp_path):
    warehouse, catalog = tmp_path / "wh", tmp_path / "catalog.db"
    for seed in (1, 2, 3):
        sink_round(broker, topic, warehouse, catalog, 3000, seed)
    before = catalog_files(catalog, "trades")
    assert len(before) >= 12, before
    assert total_ids(catalog, warehouse) == (9000, 9000)

    dry = compact(catalog, "market.trades", "--older-than", "0", "--dry-run")
    assert "would be merged" in dry.stderr
    assert catalog_files(catalog, "trades") == before

    out = compact(catalog, "market.trades", "--older-than", "0", "--retain-replaced", "1h")
    assert "1 partition(s) compacted" in out.stderr, out.stderr
    after = catalog_files(catalog, "trades")
    assert len(after) == 1 and "/compacted-" in after[0][0], after
    assert total_ids(catalog, warehouse) == (9000, 9000)
    assert query_counts(catalog) == (sum(r for _, r in before),) * 2
    # Sorted by symbol, then event time.
    path = warehouse / after[0][0]
    assert duckdb.connect().execute(
        f"SELECT count(*) FROM (SELECT symbol, ts, lag(symbol) OVER w ps, lag(ts) OVER w pts "
        f"FROM read_parquet('{path}', file_row_number = true) WINDOW w AS (ORDER BY file_row_number)) "
        f"WHERE ps > symbol OR (ps = symbol AND pts > ts)").fetchone()[0] == 0
    # The replaced files wait out their grace period; a crawl does not count them again.
    for key, _ in before:
        assert (warehouse / key).exists()
    run(["crawl", str(warehouse), "--catalog", str(catalog)])
    assert catalog_files(catalog, "trades") == after
    assert total_ids(catalog, warehouse) == (9000, 9000)
    # Lineage: the compacted file replaced every input, with their Kafka positions.
    with sqlite3.connect(catalog) as con:
        replaced = con.execute("SELECT key, topic, kafka_partition, first_offset FROM compaction_files "
                               "WHERE role = 'replaced' ORDER BY key").fetchall()
    assert [r[0] for r in replaced] == [k for k, _ in before]
    assert all(r[1] == topic and r[2] is not None and r[3] is not None for r in replaced)
    # A second run finds nothing to do; --gc keeps files that are not due.
    again = compact(catalog, "market.trades", "--older-than", "0")
    assert "nothing to compact" in again.stderr
    compact(catalog, "--gc")
    assert all((warehouse / k).exists() for k, _ in before)


def test_replaced_files_are_deleted_after_the_grace_period(broker, topic, tmp_path):
    warehouse, catalog = tmp_path / "wh", tmp_path / "catalog.db"
    for seed in (1, 2):
        sink_round(broker, topic, warehouse, catalog, 2000, seed)
    before = catalog_files(catalog, "quotes")
    compact(catalog, "market.quotes", "--older-than", "0", "--retain-replaced", "2s")
    assert all((warehouse / k).exists() for k, _ in before)
    time.sleep(2.5)
    gc = compact(catalog, "--gc")
    assert f"deleted {len(before)} replaced file(s)" in gc.stderr, gc.stderr
    assert not any((warehouse / k).exists() for k, _ in before)
    assert total_ids(catalog, warehouse) == (4000, 4000)


CRASH_POINTS = ["compact_after_begin", "compact_after_publish", "compact_after_swap", "compact_during_gc"]


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_kill_nine_at_each_step_leaves_the_same_counts(broker, topic, tmp_path, point):
    warehouse, catalog = tmp_path / "wh", tmp_path / "catalog.db"
    for seed in (1, 2):
        sink_round(broker, topic, warehouse, catalog, 2000, seed)
    expected = total_ids(catalog, warehouse)
    assert expected == (4000, 4000)
    trades = query_counts(catalog)
    env = {**__import__("os").environ, "TICKLAKE_CRASH_AT": point}
    crashed = compact(catalog, "market.trades", "--older-than", "0", "--retain-replaced", "0", env=env, check=False)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert total_ids(catalog, warehouse) == expected
    assert query_counts(catalog) == trades
    # A crawl meanwhile neither counts an orphan's files nor the replaced ones.
    run(["crawl", str(warehouse), "--catalog", str(catalog)])
    assert total_ids(catalog, warehouse) == expected
    # The next run cleans up and finishes the job.
    compact(catalog, "market.trades", "--older-than", "0", "--retain-replaced", "0")
    assert total_ids(catalog, warehouse) == expected
    assert query_counts(catalog) == trades
    files = catalog_files(catalog, "trades")
    assert len(files) == 1, files
    # On disk: the compacted file and nothing else of trades (orphans and replaced files gone).
    assert table_files(warehouse, "trades") == [files[0][0]]


def test_compaction_alongside_a_live_sink_never_shows_a_duplicate_or_a_gap(broker, topic, tmp_path):
    """The sink keeps writing into the partition being compacted; a query loop checks every answer:
    no duplicate, never fewer rows than the previous answer (a swap shows old or new, never both
    or neither)."""
    warehouse, catalog = tmp_path / "wh", tmp_path / "catalog.db"
    group = "g-" + topic
    for seed in (1, 2):
        sink_round(broker, topic, warehouse, catalog, 3000, seed)
    live = subprocess.Popen([str(BINARY), *sink_args(broker, topic, warehouse, group=group, idle=8,
                                                     extra=("--catalog", str(catalog), "--max-buffer-age", "1"))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        producer = subprocess.Popen([str(BINARY), "produce", "-b", broker.bootstrap, "-t", topic, "--source", "sim",
                                     "--count", "12000", "--seed", "3", "--symbols", "20", "--partitions", "6",
                                     "--rate", "3000", "--no-progress"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        last = 0
        compactions = 0
        while producer.poll() is None or compactions < 3:
            proc = compact(catalog, "market.trades", "--older-than", "0", "--retain-replaced", "1h", check=False)
            assert proc.returncode == 0 or "another writer" in proc.stderr, proc.stderr
            compactions += 1
            n, d = query_counts(catalog)
            assert n == d, f"duplicates: {n} rows, {d} ids"
            assert n >= last, f"rows went from {last} to {n}"
            last = n
        assert producer.wait(timeout=120) == 0, producer.stderr.read()
        assert live.wait(timeout=300) == 0, live.stderr.read()[-3000:]
    finally:
        for p in (live,):
            if p.poll() is None:
                p.kill()
                p.wait()
    compact(catalog, "market.trades", "--older-than", "0")
    assert total_ids(catalog, warehouse) == (18000, 18000)
    n, d = query_counts(catalog)
    assert n == d == ids_over_catalog(catalog, warehouse, "trades")[0]
    assert len(catalog_files(catalog, "trades")) <= 2


def test_late_events_land_in_a_compacted_partition_and_the_next_run_folds_them_in(broker, topic, tmp_path):
    """1% of the events arrive a day after their partition was compacted."""
    warehouse, catalog = tmp_path / "wh", tmp_path / "catalog.db"
    staging = topic + "-staging"
    produce_sim(broker, staging, 10_000, seed=5, symbols=20, partitions=6)
    lines = kcat_dump(broker, staging, tmp_path / "all.jsonl").read_text().splitlines()
    assert len(lines) == 10_000
    late = [l for i, l in enumerate(lines) if i % 100 == 0]
    on_time = [l for i, l in enumerate(lines) if i % 100 != 0]
    (tmp_path / "on_time.jsonl").write_text("\n".join(on_time) + "\n")
    (tmp_path / "late.jsonl").write_text("\n".join(late) + "\n")
    replay = ["produce", "-b", broker.bootstrap, "-t", topic, "--source", "jsonl", "--partitions", "6",
              "--no-progress", "--file"]
    run(replay + [str(tmp_path / "on_time.jsonl")])
    sink(broker, topic, warehouse, idle=2, extra=("--catalog", str(catalog)))
    compact(catalog, "market.trades", "--older-than", "0", "--retain-replaced", "0")
    compact(catalog, "market.quotes", "--older-than", "0", "--retain-replaced", "0")
    assert total_ids(catalog, warehouse) == (9_900, 9_900)
    compacted = {t: catalog_files(catalog, t) for t in TABLES}
    assert all(len(f) == 1 for f in compacted.values()), compacted

    run(replay + [str(tmp_path / "late.jsonl")])
    sink(broker, topic, warehouse, idle=2, extra=("--catalog", str(catalog)))
    # The late files sit beside the compacted one, in the same partition.
    for t in TABLES:
        files = catalog_files(catalog, t)
        assert len(files) > 1 and compacted[t][0] in files
        assert all("dt=2025-01-06/" in k for k, _ in files)
    assert total_ids(catalog, warehouse) == (10_000, 10_000)

    for t in TABLES:
        compact(catalog, f"market.{t}", "--older-than", "0", "--retain-replaced", "0")
        files = catalog_files(catalog, t)
        assert len(files) == 1, files
        with sqlite3.connect(catalog) as con:
            runs = con.execute("SELECT count(*) FROM compaction_runs r JOIN tables t ON t.id = r.table_id "
                               "WHERE t.name = ? AND r.state = 'committed'", (t,)).fetchone()[0]
        assert runs == 2  # the partition was compacted again
    assert total_ids(catalog, warehouse) == (10_000, 10_000)
    assert sum(query_counts(catalog, t)[0] for t in TABLES) == 10_000


def test_compact_watch_keeps_partitions_small_until_stopped(broker, topic, tmp_path):
    warehouse, catalog = tmp_path / "wh", tmp_path / "catalog.db"
    watch = subprocess.Popen([str(BINARY), "compact", "--watch", "--interval", "1s", "--older-than", "0",
                              "--retain-replaced", "0", "--catalog", str(catalog)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for seed in (1, 2, 3):
            sink_round(broker, topic, warehouse, catalog, 2000, seed)
        time.sleep(3)
    finally:
        watch.send_signal(signal.SIGTERM)
        assert watch.wait(timeout=60) == 0, watch.stderr.read()
    assert "partition(s) compacted" in watch.stderr.read()
    assert total_ids(catalog, warehouse) == (6000, 6000)
    for t in TABLES:
        assert len(catalog_files(catalog, t)) == 1
        assert len(table_files(warehouse, t)) == 1


def test_compaction_on_s3(minio, s3, broker, topic, tmp_path):
    """Through the store: inputs downloaded, outputs uploaded, replaced objects deleted."""
    from test_s3 import PREFIX, run_ticklake
    bucket = "tl-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=bucket)
    catalog = tmp_path / "catalog.db"
    for seed in (1, 2):
        produce_sim(broker, topic, 2000, seed=seed, symbols=20, partitions=6)
        run_ticklake(minio, sink_args(broker, topic, f"s3://{bucket}/{PREFIX}", idle=2,
                                      extra=("--catalog", str(catalog))), tmp_path / "tmp")
    before = catalog_files(catalog, "trades")
    assert len(before) >= 6
    run_ticklake(minio, ["compact", "market.trades", "--catalog", str(catalog), "--older-than", "0",
                         "--retain-replaced", "0"], tmp_path / "tmp")
    after = catalog_files(catalog, "trades")
    assert len(after) == 1 and "/compacted-" in after[0][0]
    listed = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=f"{PREFIX}/market/trades/")
                    .get("Contents", []))
    assert listed == [f"{PREFIX}/{after[0][0]}"]
    local = tmp_path / "compacted.parquet"
    local.write_bytes(s3.get_object(Bucket=bucket, Key=listed[0])["Body"].read())
    rows, distinct = duckdb.connect().execute(f"SELECT count(*), count(DISTINCT id) FROM '{local}'").fetchone()
    assert rows == distinct == sum(r for _, r in before) == after[0][1]
