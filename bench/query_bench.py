#!/usr/bin/env python3
"""Query benchmark: the same aggregate (daily VWAP per symbol over one day of trades) on
(a) ticklake's layout (Parquet, Hive-partitioned by day, sorted by symbol, ts) via
    `ticklake query`, and
(b) the tutorial's layout (one JSON object per file, as its consumer writes one per message)
    via DuckDB reading the files directly,
on the same trades, in one run. Reports time and bytes scanned for both, and the ratios.

Run it through bench/run_query.sh (`make bench-query`); bench/README.md says how to read it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from bench_support import free_port_pair  # noqa: E402
TARGET_SPEEDUP = 50.0
DAY = "2025-01-06"


def log(msg: str) -> None:
    print(f"[bench-query {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(cmd, what, timeout=3600) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise SystemExit(f"bench-query: {what} failed (exit {p.returncode}):\n$ {' '.join(map(str, cmd))}\n"
                         f"{p.stderr[-3000:]}")
    return p



def scanned_bytes(stats_line: str) -> float:
    value, unit = stats_line.split(" read, ")[1].split(" scanned")[0].split()
    return float(value) * {"B": 1, "KiB": 1024, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit]


def main(argv) -> int:
    ap = argparse.ArgumentParser(description="ticklake query benchmark (see bench/README.md)")
    ap.add_argument("--trades", type=int, default=None,
                    help="trades in the day (default 1,000,000; 100,000 with --quick); both layouts hold them all")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each query; the best is kept")
    ap.add_argument("--bin", default=os.environ.get("TICKLAKE_BIN", str(REPO / "build" / "ticklake")))
    ap.add_argument("--results-dir", default=str(REPO / "bench" / "results"))
    args = ap.parse_args(argv)
    trades = args.trades or (100_000 if args.quick else 1_000_000)
    import duckdb

    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    work = Path(tempfile.mkdtemp(prefix="ticklake-bench-query-"))
    state = work / "kafka"
    try:
        port = free_port_pair()
        broker = run([args.bin, "kafka", "start", "--port", str(port), "--state-dir", str(state)],
                     "kafka start").stdout.split()[-1]
        topic = "bench-query"
        log(f"producing {trades:,} trades of one day (quote ratio 0) and sinking them to Parquet")
        run([args.bin, "produce", "-b", broker, "-t", topic, "--source", "sim", "--count", str(trades), "--seed", "7",
             "--symbols", "50", "--days", "1", "--quote-ratio", "0", "--partitions", "6", "--no-progress"], "produce")
        warehouse = work / "warehouse"
        run([args.bin, "sink", "-b", broker, "-t", topic, "-g", "g-" + uuid.uuid4().hex[:6], "-w", str(warehouse),
             "--until-idle", "2", "--no-progress"], "sink")
        day = duckdb.sql(f"SELECT min(dt)::VARCHAR FROM read_parquet('{warehouse}/market/trades/*/*.parquet', "
                         f"hive_partitioning=true)").fetchone()[0]

        # (b): the tutorial's consumer writes one JSON object per message, one file each.
        tutorial = work / "tutorial"
        tutorial.mkdir()
        log(f"writing the tutorial layout: {trades:,} files of one JSON object each")
        rows = duckdb.sql(f"SELECT symbol, CAST(ts AS VARCHAR) AS ts, price, size FROM "
                          f"read_parquet('{warehouse}/market/trades/*/*.parquet')").fetchall()
        for i, (symbol, ts, price, size) in enumerate(rows):
            with open(tutorial / f"trade-{i:09d}.json", "w") as f:
                json.dump({"symbol": symbol, "ts": ts, "price": price, "size": size}, f)
        tutorial_bytes = sum(p.stat().st_size for p in tutorial.iterdir())

        sql_a = (f"SELECT symbol, sum(price * size) / sum(size) AS vwap, count(*) AS n FROM market.trades "
                 f"WHERE dt = DATE '{day}' GROUP BY symbol ORDER BY symbol")
        # The columns are given, as the Glue crawler's schema would give them to Athena: DuckDB's
        # type sniffing on a sample fails on timestamps printed without fractional seconds.
        sql_b = (f"SELECT symbol, sum(price * size) / sum(size) AS vwap, count(*) AS n FROM "
                 f"read_json('{tutorial}/*.json', format = 'auto', columns = {{symbol: 'VARCHAR', ts: 'VARCHAR', "
                 f"price: 'DOUBLE', size: 'DOUBLE'}}) WHERE CAST(ts AS DATE) = DATE '{day}' "
                 f"GROUP BY symbol ORDER BY symbol")
        times_a, times_b, answer_a, answer_b, line_a = [], [], None, None, ""
        for i in range(args.repeat):
            t0 = time.perf_counter()
            p = run([args.bin, "query", "-w", str(warehouse), "--format", "jsonl", sql_a], "ticklake query")
            times_a.append(time.perf_counter() - t0)
            answer_a = [json.loads(l) for l in p.stdout.splitlines()]
            line_a = [l for l in p.stderr.splitlines() if " scanned" in l][-1]
            con = duckdb.connect()
            t0 = time.perf_counter()
            answer_b = con.execute(sql_b).fetchall()
            times_b.append(time.perf_counter() - t0)
            con.close()
            log(f"run {i + 1}: (a) ticklake query {times_a[-1]:.3f} s, (b) DuckDB over one-object files "
                f"{times_b[-1]:.3f} s")
        if [(r["symbol"], r["n"]) for r in answer_a] != [(s, n) for s, _, n in answer_b]:
            raise SystemExit("bench-query: the two layouts gave different answers")
        for r, (_, vwap, _) in zip(answer_a, answer_b):
            if abs(r["vwap"] - vwap) > 1e-6 * abs(vwap):
                raise SystemExit(f"bench-query: VWAP differs for {r['symbol']}: {r['vwap']} vs {vwap}")
        bytes_a = scanned_bytes(line_a)
        result = {
            "started": stamp, "trades": trades, "repeat": args.repeat, "nproc": os.cpu_count(),
            "a_ticklake_query_s": [round(t, 4) for t in times_a], "b_duckdb_json_files_s": [round(t, 4) for t in times_b],
            "a_bytes_scanned": bytes_a, "b_bytes_scanned": tutorial_bytes, "b_files": trades,
            "speedup_best": round(min(times_b) / min(times_a), 1),
            "bytes_ratio_a_over_b": round(bytes_a / tutorial_bytes, 5), "target_speedup": TARGET_SPEEDUP,
        }
        out_dir = Path(args.results_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / f"query-{stamp}.json"
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"daily VWAP per symbol, {trades:,} trades of {day}:")
        print(f"  (a) ticklake query, Parquet layout: {min(times_a):.3f} s (whole process), "
              f"{bytes_a / 2**20:.2f} MiB scanned ({line_a})")
        print(f"  (b) DuckDB, one JSON object per file: {min(times_b):.3f} s (query only), "
              f"{tutorial_bytes / 2**20:.2f} MiB in {trades:,} files")
        print(f"  (a) is {result['speedup_best']}x faster (target >= {TARGET_SPEEDUP}x) and scans "
              f"{result['bytes_ratio_a_over_b']:.4f}x the bytes")
        print(f"result: {out}")
        return 0
    finally:
        subprocess.run([args.bin, "kafka", "stop", "--state-dir", str(state)], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
