"""p95 latency of the console's /api/ohlcv (issue #14): one-day 5m OHLCV of one symbol, over 50
different symbol/day pairs, on a warehouse of 1,000,000 trades (10 symbols x 5 days, Parquet
zstd sorted by symbol and ts as the sink writes it, made here with DuckDB-Python), with the
console's engine open and no result cache (ticklake has none; every pair is asked once).

  .deps/venv/bin/python bench/console_bench.py [--trades N] [--out bench/results/console.jsonl]

Prints one JSON row: trades, pairs, p50_ms, p95_ms, max_ms (HTTP round trips), query_p95_ms (DuckDB's
own time inside serve) and the load average (the numbers mean little on a busy machine)."""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import requests

ROOT = Path(__file__).resolve().parents[1]
BINARY = Path(os.environ.get("TICKLAKE_BIN", ROOT / "build" / "dev" / "src" / "cli" / "ticklake"))
SYMBOLS = ["AAPL", "MSFT", "NVDA", "TSLA", "AMD", "AMZN", "META", "GOOG", "NFLX", "INTC"]
DAYS = ["2025-01-06", "2025-01-07", "2025-01-08", "2025-01-09", "2025-01-10"]


def make_warehouse(root: Path, trades: int):
    per_day = trades // len(DAYS)
    con = duckdb.connect()
    for day in DAYS:
        out = root / "market" / "trades" / f"dt={day}"
        out.mkdir(parents=True)
        con.execute(f"""
            COPY (SELECT symbol, ts, price, size FROM (
                SELECT ['{"','".join(SYMBOLS)}'][1 + (i % {len(SYMBOLS)})] AS symbol,
                       TIMESTAMP '{day} 14:30:00' + to_microseconds((i * 23400000000 // {per_day})) AS ts,
                       100 + (i % 997) / 100.0 AS price, 1 + (i % 50) AS size
                FROM range({per_day}) t(i)) ORDER BY symbol, ts)
            TO '{out}/trades-0-0.parquet' (FORMAT parquet, COMPRESSION zstd)""")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trades", type=int, default=1_000_000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "console.jsonl"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "warehouse"
        make_warehouse(warehouse, args.trades)
        proc = subprocess.Popen([str(BINARY), "serve", "-w", str(warehouse), "--listen", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            url = proc.stdout.readline().strip().rstrip("/")
            if not url.startswith("http"):
                sys.exit("serve did not start")
            pairs = [(s, d) for s in SYMBOLS for d in DAYS]
            times = []
            engine = []  # the query's own time, as DuckDB measured it inside serve
            for symbol, day in pairs:
                start = time.perf_counter()
                r = requests.get(f"{url}/api/ohlcv", params={"table": "market.trades", "symbol": symbol,
                                                              "interval": "5m", "from": day, "to": day}, timeout=30)
                times.append((time.perf_counter() - start) * 1000)
                r.raise_for_status()
                assert r.json()["row_count"] == 78, r.json()["row_count"]  # 6.5 h of 5m bars
                engine.append(r.json()["stats"]["elapsed_s"] * 1000)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    times_sorted = sorted(times)
    row = {"bench": "console_ohlcv", "trades": args.trades, "pairs": len(times),
           "first_ms": round(times[0], 1), "p50_ms": round(statistics.median(times), 1),
           "p95_ms": round(times_sorted[math.ceil(0.95 * len(times_sorted)) - 1], 1), "max_ms": round(times_sorted[-1], 1),
           "query_p95_ms": round(sorted(engine)[math.ceil(0.95 * len(engine)) - 1], 1),
           "load_average": os.getloadavg()[0]}
    print(json.dumps(row))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "a") as f:
        f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
