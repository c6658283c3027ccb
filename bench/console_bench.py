"""p95 latency of the console's /api/ohlcv (issue #14): one-day 5m OHLCV of one symbol, over 50
different symbol/day pairs, on a warehouse of 1,000,000 trades (10 symbols x 5 days, Parquet
zstd sorted by symbol and ts as the sink writes it, made here with DuckDB-Python), with the
console's engine open and no result cache (ticklake has none; every pair is asked once).

  .deps/venv/bin/python bench/console_bench.py [--trades N] [--out bench/results/console.jsonl]

Prints one JSON row: trades, pairs, p50_ms, p95_ms, max_ms (HTTP round trips), query_p95_ms (DuckDB's
own time inside serve), serve_cpu_ms (serve's CPU time per request, from /proc: what the load
average cannot inflate), python_p50_ms / python_p95_ms (DuckDB-Python running the same bars on
the same files right after, as a yardstick of the machine's state) and the load average."""
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


def python_times(root: Path):
    """The same bars from DuckDB-Python (a view over the same files, the same SQL shape with the
    values written in), one query per pair: what the machine allows without serve."""
    files = sorted(str(p) for p in root.glob("market/trades/dt=*/*.parquet"))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE VIEW trades AS SELECT * FROM read_parquet({files}, hive_partitioning = true, union_by_name = true)")
    us = 300_000_000
    bar = f"(epoch_us(ts) - ((epoch_us(ts) % {us}) + {us}) % {us})"
    times = []
    for symbol in SYMBOLS:
        for day in DAYS:
            sql = (f"SELECT bar // 1000000 AS time, open, high, low, close, volume, vwap, trades FROM (SELECT {bar} AS bar, "
                   "arg_min(price, (ts, price)) AS open, max(price) AS high, min(price) AS low, "
                   "arg_max(price, (ts, price)) AS close, sum(size) AS volume, "
                   "sum(price * size) / nullif(sum(size), 0) AS vwap, count(*) AS trades FROM trades "
                   f"WHERE symbol = '{symbol}' AND ts >= TIMESTAMP '{day}' AND ts < TIMESTAMP '{day}' + INTERVAL 1 DAY "
                   f"AND dt = DATE '{day}' GROUP BY 1) ORDER BY 1")
            start = time.perf_counter()
            assert len(con.execute(sql).fetchall()) == 78
            times.append((time.perf_counter() - start) * 1000)
    return times


def percentile(values, q):
    return sorted(values)[math.ceil(q * len(values)) - 1]


def cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


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
            cpu_start = cpu_ms(proc.pid)
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
            serve_cpu = (cpu_ms(proc.pid) - cpu_start) / len(pairs)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        python = python_times(warehouse)
    times_sorted = sorted(times)
    row = {"bench": "console_ohlcv", "trades": args.trades, "pairs": len(times),
           "first_ms": round(times[0], 1), "p50_ms": round(statistics.median(times), 1),
           "p95_ms": round(times_sorted[math.ceil(0.95 * len(times_sorted)) - 1], 1), "max_ms": round(times_sorted[-1], 1),
           "query_p95_ms": round(percentile(engine, 0.95), 1), "serve_cpu_ms": round(serve_cpu, 1),
           "python_p50_ms": round(statistics.median(python), 1), "python_p95_ms": round(percentile(python, 0.95), 1),
           "load_average": os.getloadavg()[0]}
    print(json.dumps(row))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "a") as f:
        f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
