#!/usr/bin/env python3
"""Compaction benchmark (#17): the same 1,000,000 trades as 2,000 small files of 500 rows (what a
live sink flushing often leaves in a day) and after `ticklake compact`, in one run. Reports the
query time and the files read through `ticklake query` for both, and the compaction's own time.

    .deps/venv/bin/python bench/compact_bench.py [--rows 1000000] [--files 2000]   (make bench-compact)
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
BINARY = Path(os.environ.get("TICKLAKE_BIN", REPO / "build" / "ticklake"))
SQL = "SELECT symbol, count(*) AS n, avg(price) AS avg_price FROM market.trades GROUP BY 1 ORDER BY 1"


def ticklake(*args, timeout=3600):
    p = subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise SystemExit(f"compact-bench: ticklake {' '.join(args)} failed:\n{p.stderr[-3000:]}")
    return p


def query(catalog: Path, runs: int):
    """Medians of `runs` queries: the query time and files read as ticklake's statistics line says
    them ("50 rows in 0.061 s, 1 files read, ..."), and the whole process's wall time (start-up
    and DuckDB's loading included)."""
    times, walls, files = [], [], None
    for _ in range(runs):
        t0 = time.monotonic()
        p = ticklake("query", "--catalog", str(catalog), "--format", "csv", SQL)
        walls.append(time.monotonic() - t0)
        m = re.search(r"in ([\d.]+) s, ([\d,]+) files? read", p.stderr)
        if not m:
            raise SystemExit(f"compact-bench: no statistics line in:\n{p.stderr[-2000:]}")
        times.append(float(m.group(1)))
        files = int(m.group(2).replace(",", ""))
    return statistics.median(times), statistics.median(walls), files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--files", type=int, default=2_000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="compact-bench-") as tmp:
        warehouse, catalog = Path(tmp) / "wh", Path(tmp) / "catalog.db"
        folder = warehouse / "market" / "trades" / "dt=2025-01-06"
        folder.mkdir(parents=True)
        per_file = a.rows // a.files
        con = duckdb.connect()
        con.execute(f"CREATE TABLE t AS SELECT i AS n, 'sim-' || i AS id, 'S' || (i % 50) AS symbol, "
                    f"TIMESTAMP '2025-01-06' + (i * 80) * INTERVAL 1 MILLISECOND AS ts, "
                    f"100 + (hash(i) % 1000) / 100.0 AS price, 1 + hash(i * 7) % 100 AS size FROM range({a.rows}) r(i)")
        for f in range(a.files):
            con.execute(f"COPY (SELECT * EXCLUDE (n) FROM t WHERE n >= {f * per_file} AND n < {(f + 1) * per_file} "
                        f"ORDER BY symbol, ts) TO '{folder}/ticks-p0-o{f * per_file:020d}"
                        f".parquet' (FORMAT parquet, COMPRESSION zstd)")
        ticklake("crawl", str(warehouse), "--catalog", str(catalog), "--no-progress")
        small_time, small_wall, small_files = query(catalog, a.runs)
        t0 = time.monotonic()
        ticklake("compact", "market.trades", "--catalog", str(catalog), "--older-than", "0", "--retain-replaced", "0")
        compact_time = time.monotonic() - t0
        big_time, big_wall, big_files = query(catalog, a.runs)
    print("| layout | files read | query time | process wall time |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| {a.rows:,} trades in {a.files:,} files of {per_file} rows | {small_files:,} | {small_time:.3f} s | "
          f"{small_wall:.2f} s |")
    print(f"| the same after `ticklake compact` ({compact_time:.1f} s) | {big_files:,} | {big_time:.3f} s | "
          f"{big_wall:.2f} s |")
    print(f"query time {small_time / big_time:.0f}x faster, files read {small_files / big_files:,.0f}x fewer")


if __name__ == "__main__":
    sys.exit(main())
