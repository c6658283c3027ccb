#!/usr/bin/env python3
"""`make bench-query-s3` (issue #21): `ticklake query` on a MinIO warehouse through ranged reads
against whole-object reads (`--s3-read whole`), in one run, with the bytes counted by a TCP proxy
between ticklake and MinIO (bench/latency_proxy.py with no delay), not by ticklake itself.

The table: trades over 10 days and 500 symbols, in files of the sink's default size and layout:
1,000,000 rows per file (the sink's --rotate-rows), each file one time slice of a day holding
every symbol (one Kafka partition), sorted by (symbol, ts) as the sink sorts, written by DuckDB
with the sink's Parquet settings (`COPY ... (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 3,
ROW_GROUP_SIZE <the sink's --row-group-rows default>)`, src/format/parquet_writer.cc), the sink's
trades columns (docs/storage.md). Values are synthetic (hash-based, not the simulator's), so the
files are about 15 bytes a row. Writing them through `ticklake sink` would need the same rows
through a broker first, which does not fit the bench's time; the writer's settings are the same.

Size: BENCH_S3_GIB (or --gib), default 0.15 (one file a day, about 5 minutes on 2 cores).
Figures (bench/README.md has a run):
  (a) symbol+day point query: proxy bytes as % of that day's object bytes;
  (b) one-column aggregate over one day: proxy bytes / (that column's compressed chunks + footers
      of the day's files, from pyarrow's metadata);
  (c) wall times of each query, ranged and whole, best of --repeat, and their ratio;
  (d) `--max-bytes-scanned 1MB` on a scan of the whole table: refused, proxy bytes <= 1 MB.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from latency_proxy import LatencyProxy  # noqa: E402
sys.path.insert(0, str(REPO / "tests" / "integration"))
from minio import MinioServer  # noqa: E402  (the tests' throwaway MinIO on 127.0.0.1)

DAYS = 10
SYMBOLS = 500
FILE_ROWS = 1_000_000        # the sink's --rotate-rows default (src/sink/sink_options.h)
ZSTD_LEVEL = 3               # the sink's --zstd-level default (src/format/record_writer.h)
FIRST_DAY = dt.date(2025, 1, 6)
TARGET_POINT_PCT = 5.0
TARGET_AGG_RATIO = 1.3
BUDGET = 1_000_000           # "1MB" as ticklake reads it (docs/cli.md: MB = 10^6)


def log(msg: str) -> None:
    print(f"[bench-query-s3 {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def sink_row_group_default(binary: str) -> int:
    """The sink's row group size, from its own --help, so the bench follows the writer's default."""
    help_text = subprocess.run([binary, "sink", "--help"], capture_output=True, text=True).stdout
    m = re.search(r"--row-group-rows\b[^\n]*?=(\d+)", help_text)
    return int(m.group(1)) if m else 122880  # binaries without the option: DuckDB's default then


def write_file(path: Path, first_row: int, day: dt.date, day_rows: int, row_group_rows: int) -> dict:
    """One sink-like file: rows [first_row, first_row + FILE_ROWS) of the day in time order, the
    file sorted by (symbol, ts). Returns its size, footer length and column chunk sizes."""
    import duckdb
    import pyarrow.parquet as pq
    con = duckdb.connect()
    con.execute("SET threads = 2")
    day_us = 23_400_000_000  # 6.5 trading hours, from 14:30 UTC
    start = f"TIMESTAMP '{day.isoformat()} 14:30:00'"
    first_in_day = first_row % day_rows
    con.execute(f"""
        COPY (
          WITH r AS (SELECT i, (i - {first_row} + {first_in_day}) AS k, (hash(i * 7 + 1) % {SYMBOLS})::INT AS s
                     FROM range({first_row}, {first_row + FILE_ROWS}) t(i))
          SELECT 't' || lpad(i::VARCHAR, 17, '0') AS id,
                 'S' || lpad(s::VARCHAR, 3, '0') AS symbol,
                 {start} + to_microseconds((k * {day_us} // {day_rows})::BIGINT) AS ts,
                 {start} + to_microseconds((k * {day_us} // {day_rows})::BIGINT + 1000 + (hash(i) % 5000)::BIGINT)
                     AS recv_ts,
                 'sim' AS source,
                 round(20 + s * 0.9 + (hash(i * 3) % 10000) / 1000.0, 2) AS price,
                 (1 + hash(i * 5) % 500)::DOUBLE AS size,
                 ['XNAS', 'XNYS', 'ARCX', 'BATS', 'IEXG'][1 + (hash(i * 11) % 5)::INT] AS exchange,
                 CASE WHEN hash(i * 13) % 2 = 0 THEN 'buy' ELSE 'sell' END AS side
          FROM r ORDER BY symbol, ts, i)
        TO '{path}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL {ZSTD_LEVEL},
                     ROW_GROUP_SIZE {row_group_rows})""")
    con.close()
    size = path.stat().st_size
    with open(path, "rb") as f:
        f.seek(size - 8)
        footer_len = int.from_bytes(f.read(4), "little")
    md = pq.ParquetFile(path).metadata
    chunks: dict[str, int] = {}
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        for c in range(rg.num_columns):
            col = rg.column(c)
            chunks[col.path_in_schema] = chunks.get(col.path_in_schema, 0) + col.total_compressed_size
    return {"size": size, "footer": footer_len + 8, "chunks": chunks, "row_groups": md.num_row_groups}


def s3_note(stderr: str) -> dict:
    """ticklake's own figures, from 'S3: N file(s), A as slices of ranges, B whole; fetched X ...'."""
    line = [x for x in stderr.splitlines() if x.startswith("query: S3: ")]
    if not line:
        return {}
    words = line[-1].split()
    return {"ticklake_bytes": int(words[words.index("fetched") + 1]),
            "slices": int(words[words.index("as") - 1].rstrip(",")),
            "whole": int(words[words.index("whole;") - 1])}


def main(argv) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gib", type=float, default=float(os.environ.get("BENCH_S3_GIB", "0.15")),
                    help="table size in GiB (env BENCH_S3_GIB; issue #21 asks for 2)")
    ap.add_argument("--row-group-rows", type=int, default=0, help="default: the sink's default")
    ap.add_argument("--repeat", type=int, default=2, help="timed runs of each query and mode; best kept")
    ap.add_argument("--delay-ms", type=float, default=0.0,
                    help="latency the proxy adds to each request (S3's small GETs take tens of ms; MinIO here < 1)")
    ap.add_argument("--bin", default=os.environ.get("TICKLAKE_BIN", str(REPO / "build" / "ticklake")))
    ap.add_argument("--workdir", default=None, help="parent of the temporary folder (needs the table's size)")
    ap.add_argument("--results-dir", default=str(REPO / "bench" / "results"))
    args = ap.parse_args(argv)
    binary = str(Path(args.bin).resolve())
    row_group_rows = args.row_group_rows or sink_row_group_default(binary)

    work = Path(tempfile.mkdtemp(prefix="tl-bench-query-s3-", dir=args.workdir))
    files_per_day = max(1, round(args.gib * (1 << 30) / DAYS / 15.3e6))  # ~15.3 MB a 1M-row file
    day_rows = files_per_day * FILE_ROWS
    log(f"{DAYS} days x {files_per_day} file(s) of {FILE_ROWS:,} rows, row groups of {row_group_rows:,} rows, "
        f"in {work}")

    minio = MinioServer().start()
    proxy = LatencyProxy("127.0.0.1", minio.port, delay_ms=args.delay_ms).start()
    try:
        s3 = minio.client()
        bucket = "bench-" + uuid.uuid4().hex[:8]
        s3.create_bucket(Bucket=bucket)
        meta: dict[str, list[dict]] = {}
        t0 = time.monotonic()
        # Writing one file while the previous one uploads (straight to MinIO, not through the proxy).
        with ThreadPoolExecutor(max_workers=1) as uploader:
            pending = []
            for d in range(DAYS):
                day = FIRST_DAY + dt.timedelta(days=d)
                for k in range(files_per_day):
                    first = d * day_rows + k * FILE_ROWS
                    local = work / f"d{d}-f{k}.parquet"
                    info = write_file(local, first, day, day_rows, row_group_rows)
                    meta.setdefault(day.isoformat(), []).append(info)
                    key = f"wh/market/trades/dt={day.isoformat()}/ticks-p0-o{first:020d}.parquet"

                    def put(local=local, key=key):
                        s3.upload_file(str(local), bucket, key)
                        local.unlink()
                    pending.append(uploader.submit(put))
            for p in pending:
                p.result()
        table_bytes = sum(f["size"] for fs in meta.values() for f in fs)
        log(f"table: {table_bytes / (1 << 20):,.1f} MiB in {DAYS * files_per_day} files, "
            f"written and uploaded in {time.monotonic() - t0:.0f} s")

        env = minio.ticklake_env()
        env["AWS_ENDPOINT_URL_S3"] = proxy.endpoint  # every S3 request of ticklake through the counter
        env["TICKLAKE_CATALOG"] = str(work / "catalog.db")
        warehouse = f"s3://{bucket}/wh"
        day = (FIRST_DAY + dt.timedelta(days=3)).isoformat()
        day_files = meta[day]
        day_bytes = sum(f["size"] for f in day_files)
        price_need = sum(f["chunks"]["price"] + f["footer"] for f in day_files)
        queries = {
            "point": f"SELECT count(*) AS n, round(sum(price * size), 2) AS notional FROM market.trades "
                     f"WHERE symbol = 'S123' AND dt = DATE '{day}'",
            "column": f"SELECT round(avg(price), 6) AS p FROM market.trades WHERE dt = DATE '{day}'",
        }
        runs = []
        answers = {}
        for rep in range(args.repeat):
            for name, sql in queries.items():
                for mode in ("ranged", "whole"):
                    cache = work / f"cache-{name}-{mode}-{rep}"  # fresh: every byte comes from S3
                    proxy.reset()
                    t = time.monotonic()
                    p = subprocess.run([binary, "query", "-w", warehouse, "--cache-dir", str(cache), "--s3-read",
                                        mode, "--format", "csv", sql], capture_output=True, text=True, env=env,
                                       timeout=1800)
                    wall = time.monotonic() - t
                    if p.returncode != 0:
                        raise RuntimeError(f"query failed ({name}, {mode}): {minio.redact(p.stderr)[-2000:]}")
                    answers.setdefault(name, set()).add(p.stdout)
                    runs.append({"query": name, "mode": mode, "wall_s": wall, "proxy_bytes": proxy.bytes_down,
                                 "requests": proxy.requests, **s3_note(p.stderr)})
                    log(f"{name:6} {mode:6} {wall:6.2f} s  {proxy.bytes_down:>13,} B through the proxy")
        for name, outs in answers.items():
            if len(outs) != 1:
                raise RuntimeError(f"{name}: ranged and whole answers differ: {outs}")

        # (d) The whole table under a 1 MB budget: refused, and S3 sent no more than that.
        budget = {}
        for mode in ("ranged", "whole"):
            proxy.reset()
            p = subprocess.run([binary, "query", "-w", warehouse, "--cache-dir", str(work / f"cache-budget-{mode}"),
                                "--s3-read", mode, "--max-bytes-scanned", "1MB", "SELECT * FROM market.trades"],
                               capture_output=True, text=True, env=env, timeout=600)
            budget[mode] = {"exit": p.returncode, "proxy_bytes": proxy.bytes_down,
                            "refused": "refused before fetching" in p.stderr}
            log(f"budget {mode}: exit {p.returncode}, {proxy.bytes_down:,} B through the proxy")
    finally:
        proxy.stop()
        minio.stop()

    def best(name, mode):
        rs = [r for r in runs if r["query"] == name and r["mode"] == mode]
        return min(rs, key=lambda r: r["wall_s"]) | {"proxy_bytes": max(r["proxy_bytes"] for r in rs)}

    pr, pw = best("point", "ranged"), best("point", "whole")
    cr, cw = best("column", "ranged"), best("column", "whole")
    point_pct = 100.0 * pr["proxy_bytes"] / day_bytes
    agg_ratio = cr["proxy_bytes"] / price_need
    result = {
        "when": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()), "gib": args.gib, "table_bytes": table_bytes,
        "files": DAYS * files_per_day, "row_group_rows": row_group_rows, "delay_ms": args.delay_ms,
        "row_groups_per_file": day_files[0]["row_groups"], "day": day, "day_bytes": day_bytes,
        "price_chunks_plus_footers": price_need, "runs": runs, "budget": budget,
        "point_pct_of_day": point_pct, "column_vs_chunks": agg_ratio,
    }
    out = Path(args.results_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"query_s3_{result['when']}.json").write_text(json.dumps(result, indent=1))

    def verdict(ok):
        return "pass" if ok else "SHORT"
    print(f"table {table_bytes / (1 << 20):,.1f} MiB, {DAYS * files_per_day} files of {FILE_ROWS:,} rows, "
          f"{day_files[0]['row_groups']} row groups of {row_group_rows:,} rows each; day {day}: "
          f"{day_bytes:,} B in {len(day_files)} file(s)")
    print(f"proxy delay {args.delay_ms:g} ms a request; requests ranged/whole: point {pr['requests']}/{pw['requests']}, "
          f"column {cr['requests']}/{cw['requests']}")
    print(f"{'query':38} {'ranged B':>13} {'whole B':>13} {'ranged s':>9} {'whole s':>8} {'speed-up':>8}  figure")
    print(f"{'(a) symbol+day point query':38} {pr['proxy_bytes']:>13,} {pw['proxy_bytes']:>13,} "
          f"{pr['wall_s']:>9.2f} {pw['wall_s']:>8.2f} {pw['wall_s'] / pr['wall_s']:>7.2f}x  "
          f"{point_pct:.2f}% of the day's bytes (<= {TARGET_POINT_PCT}%: {verdict(point_pct <= TARGET_POINT_PCT)})")
    print(f"{'(b) avg(price) over one day':38} {cr['proxy_bytes']:>13,} {cw['proxy_bytes']:>13,} "
          f"{cr['wall_s']:>9.2f} {cw['wall_s']:>8.2f} {cw['wall_s'] / cr['wall_s']:>7.2f}x  "
          f"{agg_ratio:.3f}x price chunks + footers ({price_need:,} B; <= {TARGET_AGG_RATIO}x: "
          f"{verdict(agg_ratio <= TARGET_AGG_RATIO)})")
    for mode, b in budget.items():
        ok = b["exit"] != 0 and b["refused"] and b["proxy_bytes"] <= BUDGET
        print(f"(d) --max-bytes-scanned 1MB, whole table, {mode}: exit {b['exit']}, {b['proxy_bytes']:,} B "
              f"through the proxy ({verdict(ok)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
