#!/usr/bin/env python3
"""Latency to durable and to queryable (`make bench-latency`, issue #16 item 3).

A paced stream: `ticklake produce --source sim --rate R` (each event's recv_ts is the wall clock
when it was generated) into a private broker, read by `ticklake sink --max-buffer-age A`, which
registers every committed batch in its catalog. Per row:
  - to durable  = the moment its file appeared under the warehouse (published by rename; this
                  script looks every 20 ms) - the row's recv_ts;
  - to queryable = the moment its file was registered (the catalog's files.crawled_at, after the
                  batch's Kafka commit) - recv_ts, and the same plus the median wall time of a
                  `ticklake query` while the stream runs ("to an answer").
Checks: every produced id once in the files; and every `ticklake query` poll counted at least the
rows registered 0.2 s before it started (registration really makes rows queryable) and at most those
registered before it ended.

  bench/latency_bench.py                           10,000 events/s for 30 s, --max-buffer-age 1
  bench/latency_bench.py --rate 1 --seconds 120    the tutorial's pace with the default age
  bench/latency_bench.py --sink-arg=--max-buffer-age=5
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_support  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    i = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[i]


def summary(name: str, values: list[float]) -> str:
    v = sorted(values)
    return (f"{name:<34} p50 {percentile(v, 50):7.3f} s   p99 {percentile(v, 99):7.3f} s   "
            f"max {v[-1] if v else float('nan'):7.3f} s   ({len(v):,} rows)")


class Watcher(threading.Thread):
    """Records when each data file first appears under the warehouse."""

    def __init__(self, root: Path):
        super().__init__(daemon=True)
        self.root, self.seen, self.stop = root, {}, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            now = time.time()
            for p in self.root.glob("market/*/**/*.parquet"):
                self.seen.setdefault(str(p.relative_to(self.root)), now)
            time.sleep(0.02)


class QueryPoller(threading.Thread):
    """Runs `ticklake query` in a loop: (start, end, rows counted) per poll."""

    def __init__(self, binary: str, catalog: Path):
        super().__init__(daemon=True)
        self.binary, self.catalog, self.polls, self.stop = binary, catalog, [], threading.Event()

    def run(self) -> None:
        sql = ("SELECT (SELECT count(*) FROM market.trades) + (SELECT count(*) FROM market.quotes)")
        while not self.stop.is_set():
            if not self.catalog.exists():
                time.sleep(0.1)
                continue
            t0 = time.time()
            r = subprocess.run([self.binary, "query", "--catalog", str(self.catalog), "--format", "csv", "-q", sql],
                               capture_output=True, text=True)
            t1 = time.time()
            if r.returncode == 0:
                lines = r.stdout.strip().splitlines()
                self.polls.append((t0, t1, int(lines[-1])))
            time.sleep(0.2)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rate", type=float, default=10_000, help="events per second (default 10,000)")
    ap.add_argument("--seconds", type=float, default=30, help="how long the stream runs (default 30)")
    ap.add_argument("--max-buffer-age", default="1", help="the sink's --max-buffer-age (default 1; '' = its default)")
    ap.add_argument("--sink-arg", action="append", default=[], help="one more sink argument (repeatable)")
    ap.add_argument("--bin", default=os.environ.get("TICKLAKE_BIN", str(REPO / "build" / "ticklake")))
    ap.add_argument("--no-query", action="store_true", help="do not poll with ticklake query")
    args = ap.parse_args(argv)
    count = max(1, int(args.rate * args.seconds))
    work = Path(tempfile.mkdtemp(prefix="ticklake-bench-latency-"))
    state, wh, catalog = work / "kafka", work / "warehouse", work / "catalog.db"
    port = bench_support.free_port_pair()
    start = subprocess.run([args.bin, "kafka", "start", "--port", str(port), "--state-dir", str(state)],
                           capture_output=True, text=True, check=True)
    broker = start.stdout.strip().splitlines()[-1]
    sink = None
    try:
        subprocess.run([args.bin, "kafka", "topics", "create", "lat", "--partitions", "6", "-b", broker],
                       capture_output=True, check=True)
        age = ["--max-buffer-age", args.max_buffer_age] if args.max_buffer_age else []
        sink_cmd = [args.bin, "sink", "-b", broker, "-t", "lat", "-g", "lat", "-w", str(wh), "--catalog", str(catalog),
                    "--no-progress", "--time-partition", "day", "--summary-json", str(work / "sink.json"), *age,
                    *args.sink_arg]
        sink = subprocess.Popen(sink_cmd, stderr=open(work / "sink.log", "w"))
        watcher = Watcher(wh)
        watcher.start()
        poller = QueryPoller(args.bin, catalog)
        if not args.no_query:
            poller.start()
        time.sleep(3)  # the sink joins its group first: joining is not what is measured
        print(f"bench-latency: {count:,} events at {args.rate:g}/s, sink {' '.join(age + args.sink_arg) or 'defaults'}",
              file=sys.stderr)
        subprocess.run([args.bin, "produce", "-b", broker, "-t", "lat", "--source", "sim", "--count", str(count),
                        "--rate", f"{args.rate:g}", "--symbols", "50", "--seed", "7", "--no-progress"],
                       capture_output=True, check=True)
        # Everything is registered once the files hold every row (the last batch waits for its age).
        deadline = time.time() + 60 + 2 * float(args.max_buffer_age or 300)
        registered = 0
        while time.time() < deadline:
            if catalog.exists():
                with sqlite3.connect(catalog) as db:
                    registered = db.execute("SELECT coalesce(sum(rows), 0) FROM files").fetchone()[0]
            if registered >= count:
                break
            time.sleep(0.1)
        time.sleep(0.5)
        watcher.stop.set()
        poller.stop.set()
        sink.terminate()
        sink.wait(timeout=60)
        if registered != count:
            print(f"bench-latency: {registered} rows registered, expected {count} (see {work}/sink.log)",
                  file=sys.stderr)
            return 1
        with sqlite3.connect(catalog) as db:
            files = db.execute("SELECT key, crawled_at, rows FROM files").fetchall()
        durable, queryable, ids = [], [], set()
        for key, crawled_at_us, rows in files:
            rel = key if (wh / key).exists() else key.split("/", 1)[-1]
            t = pq.read_table(wh / rel, columns=["id", "recv_ts"])
            recv = [x.timestamp() for x in t.column("recv_ts").to_pylist()]
            seen = watcher.seen.get(rel)
            if seen is None:
                print(f"bench-latency: {rel} was never seen by the watcher", file=sys.stderr)
                return 1
            durable += [seen - r for r in recv]
            queryable += [crawled_at_us / 1e6 - r for r in recv]
            ids.update(t.column("id").to_pylist())
        if len(ids) != count or len(durable) != count:
            print(f"bench-latency: {len(durable)} rows, {len(ids)} distinct ids, expected {count}", file=sys.stderr)
            return 1
        reg_times = sorted((c / 1e6, n) for _, c, n in files)
        bad = []
        for t0, t1, n in poller.polls:
            # crawled_at is taken when the catalog change starts, a few ms before it commits.
            before = sum(rows for t, rows in reg_times if t <= t0 - 0.2)
            by_end = sum(rows for t, rows in reg_times if t <= t1)
            if not before <= n <= by_end:
                bad.append((t0, n, before, by_end))
        if bad:
            print(f"bench-latency: {len(bad)} query polls counted rows outside what was registered: {bad[:3]}",
                  file=sys.stderr)
            return 1
        query_s = sorted(t1 - t0 for t0, t1, _ in poller.polls)
        print(f"{count:,} events at {args.rate:g}/s, {len(files)} files, sink {' '.join(age + args.sink_arg) or 'defaults'}")
        print(summary("event generated -> durable file", durable))
        print(summary("event generated -> registered", queryable))
        if query_s:
            q50 = percentile(query_s, 50)
            print(summary("event generated -> query answers", [x + q50 for x in queryable]))
            print(f"ticklake query, wall per poll: p50 {q50:.3f} s, max {query_s[-1]:.3f} s ({len(query_s)} polls, "
                  f"each counted between the rows registered before it started and before it ended)")
        return 0
    finally:
        if sink is not None and sink.poll() is None:
            sink.kill()
        subprocess.run([args.bin, "kafka", "stop", "--state-dir", str(state)], capture_output=True)
        if os.environ.get("KEEP") != "1":
            subprocess.run(["rm", "-rf", str(work)])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
