"""The paced soak of #17: a live sink at the tutorial's shape (one topic, 6 partitions, 20 rows/s,
`--max-buffer-age 10`) with `ticklake compact` every few minutes and a query loop running while
it does. `make test` runs it for 3 minutes with a compaction every minute; `make soak-compact`
for 30 minutes with one every 5 (SOAK_SECONDS, SOAK_COMPACT_EVERY scale it).

Oracles, independent of ticklake:
- every id whose file the catalog listed before a query started (the sink registers a file when
  its commit finishes) is in that query's answer exactly once, and no answer holds an id twice;
- at the end every id produced is in the files the catalog lists exactly once (DuckDB-Python
  counts them), the catalog's counts equal what those files hold, and each partition holds at
  most 2 files per day.
"""
import os
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import duckdb

from conftest import BINARY, sink_args, wait_for

# make test: 90 s, compacting every 30 s (three compactions); make soak-compact: 30 minutes.
SECONDS = int(os.environ.get("SOAK_SECONDS", "90"))
COMPACT_EVERY = int(os.environ.get("SOAK_COMPACT_EVERY", "30"))
RATE = 20  # rows per second, all tables together
TABLES = ("trades", "quotes")


def listed_files(catalog: Path, table: str):
    """(key, rows) of the files the catalog lists for market.<table>; empty before the table exists."""
    if not catalog.exists():
        return []
    with sqlite3.connect(f"file:{catalog}?mode=ro", uri=True, timeout=30) as con:
        try:
            return con.execute("SELECT f.key, f.rows FROM files f JOIN tables t ON t.id = f.table_id "
                               "JOIN databases d ON d.id = t.database_id WHERE d.name = 'market' AND t.name = ?",
                               (table,)).fetchall()
        except sqlite3.OperationalError:
            return []


def ids_in(warehouse: Path, keys):
    if not keys:
        return []
    paths = [str(warehouse / k) for k in keys]
    return [r[0] for r in duckdb.connect().execute(
        f"SELECT id FROM read_parquet({paths!r}, union_by_name = true)").fetchall()]


def query_ids(catalog: Path, table: str):
    proc = subprocess.run([str(BINARY), "query", "--catalog", str(catalog), "--format", "csv",
                           f"SELECT id FROM market.{table}"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.splitlines()[1:]


class Compaction(threading.Thread):
    """`ticklake compact` of each table, one after the other (one compactor per catalog holds its
    lock), beside the query loop."""

    def __init__(self, catalog: Path, retain: str):
        super().__init__(daemon=True)
        self.catalog, self.retain, self.errors = catalog, retain, []
        self.start()

    def run(self):
        for t in TABLES:
            p = subprocess.run([str(BINARY), "compact", f"market.{t}", "--catalog", str(self.catalog), "--older-than",
                                "0", "--retain-replaced", self.retain], capture_output=True, text=True, timeout=600)
            if p.returncode != 0:
                self.errors.append(p.stderr[-3000:])

    def done(self) -> bool:
        if self.is_alive():
            return False
        assert not self.errors, self.errors
        return True


def test_soak_compaction_beside_a_live_sink(broker, topic, tmp_path):
    warehouse, catalog = tmp_path / "wh", tmp_path / "catalog.db"
    count = SECONDS * RATE
    # The sink refuses a named topic that does not exist yet, and it starts faster than the
    # producer creates one (its Parquet writer no longer loads DuckDB): the topic comes first.
    subprocess.run([str(BINARY), "kafka", "topics", "create", topic, "-b", broker.bootstrap, "--partitions", "6"],
                   check=True, capture_output=True, timeout=60)
    sink = subprocess.Popen([str(BINARY), *sink_args(broker, topic, warehouse, idle=30,
                                                     extra=("--catalog", str(catalog), "--max-buffer-age", "10"))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    producer = subprocess.Popen([str(BINARY), "produce", "-b", broker.bootstrap, "-t", topic, "--source", "sim",
                                 "--count", str(count), "--seed", "11", "--symbols", "20", "--partitions", "6",
                                 "--rate", str(RATE), "--no-progress"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    compactions, queries, during = 0, 0, 0
    try:
        # The queries start once the sink's first flushes (--max-buffer-age 10) registered both tables.
        wait_for(lambda: all(listed_files(catalog, t) for t in TABLES), 120, "the sink's first registrations")
        started = time.monotonic()
        running = None
        next_compaction = started + COMPACT_EVERY
        while producer.poll() is None:
            if not running and time.monotonic() >= next_compaction:
                running = Compaction(catalog, "1h")
                compactions += 1
                next_compaction += COMPACT_EVERY
            for t in TABLES:
                # What was committed before the query started: the catalog's files, read directly.
                committed = Counter(ids_in(warehouse, [k for k, _ in listed_files(catalog, t)]))
                assert all(n == 1 for n in committed.values()), "the catalog lists an id twice"
                overlapped = running is not None and running.is_alive()
                answer = Counter(query_ids(catalog, t))
                queries += 1
                during += overlapped
                twice = [i for i, n in answer.items() if n > 1]
                assert not twice, f"{t}: ids twice in one answer: {twice[:5]}"
                missing = [i for i in committed if i not in answer]
                assert not missing, f"{t}: committed ids missing from the answer: {missing[:5]}"
            if running is not None and running.done():
                running = None
            time.sleep(1)
        assert producer.returncode == 0, producer.stderr.read()[-3000:]
        assert sink.wait(timeout=300) == 0, sink.stderr.read()[-3000:]
        if running is not None:
            running.join()
            running.done()
    finally:
        for p in (producer, sink):
            if p.poll() is None:
                p.kill()
                p.wait()
    assert compactions >= max(1, SECONDS // COMPACT_EVERY - 1), compactions
    assert during >= 1, "no query ran during a compaction"

    final = Compaction(catalog, "0")
    final.join()
    final.done()
    total = 0
    for t in TABLES:
        files = listed_files(catalog, t)
        ids = ids_in(warehouse, [k for k, _ in files])
        assert len(ids) == len(set(ids)) == sum(r for _, r in files), t
        total += len(ids)
        per_partition = Counter(k.rsplit("/", 1)[0] for k, _ in files)
        assert max(per_partition.values()) <= 2, per_partition
    assert total == count
    print(f"soak: {SECONDS} s, {count} rows, {compactions} compactions, {queries} queries ({during} during "
          f"a compaction)")
