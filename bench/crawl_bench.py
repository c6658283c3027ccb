"""Crawler benchmark: incremental crawl of a warehouse with N partitions plus one new one,
against a full crawl of the same warehouse (issue #4: ">= 20x faster").

  .deps/venv/bin/python bench/crawl_bench.py [--partitions 1000] [--files-per-partition 1]
      [--rows 2000] [--format parquet] [--repeat 3] [--threads 4] [--bin build/ticklake] [--keep]
      [--s3 [--s3-latency-ms 20]]

Writes market/trades/dt=YYYY-MM-DD/part-<i>.<ext> (pyarrow for Parquet, the json/csv modules
otherwise), then times, best of --repeat each:
  full         `ticklake crawl` of the whole warehouse into an empty catalog
  incremental  after one new partition is added, `ticklake crawl` into the populated catalog
and checks from the --json summary that the incremental crawl read exactly the one new file.
"""
import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_partition(warehouse: Path, day: dt.date, rows: int, fmt: str, files: int = 1):
    for i in range(files):
        write_file(warehouse, day, rows, fmt, i)


def write_file(warehouse: Path, day: dt.date, rows: int, fmt: str, index: int):
    folder = warehouse / "market" / "trades" / f"dt={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    base = dt.datetime.combine(day, dt.time(9, 30))
    symbols = [f"S{i % 50:02d}" for i in range(rows)]
    ts = [base + dt.timedelta(milliseconds=37 * i) for i in range(rows)]
    price = [100.0 + (i % 997) * 0.01 for i in range(rows)]
    size = [float(1 + i % 13) for i in range(rows)]
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq
        table = pa.table({"symbol": symbols, "ts": pa.array(ts, pa.timestamp("us")), "price": price, "size": size})
        pq.write_table(table, folder / f"part-{index}.parquet", compression="zstd")
    elif fmt == "jsonl":
        with open(folder / f"part-{index}.jsonl", "w") as f:
            for s, t, p, z in zip(symbols, ts, price, size):
                f.write(json.dumps({"symbol": s, "ts": t.isoformat() + "Z", "price": p, "size": z}) + "\n")
    else:
        with open(folder / f"part-{index}.csv", "w") as f:
            f.write("symbol,ts,price,size\r\n")
            for s, t, p, z in zip(symbols, ts, price, size):
                f.write(f"{s},{t.isoformat()}Z,{p},{z}\r\n")


def crawl(binary: str, warehouse, catalog: Path, threads: int, env=None):
    t0 = time.perf_counter()
    proc = subprocess.run([binary, "crawl", str(warehouse), "--catalog", str(catalog), "--json", "--no-progress",
                           "--threads", str(threads)], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed: {proc.stderr[-2000:]}")
    return time.perf_counter() - t0, json.loads(proc.stdout)


class S3Mirror:
    """--s3: the same warehouse uploaded to a throwaway MinIO, crawled as s3://bucket/warehouse."""

    def __init__(self, local: Path, latency_ms: float = 0):
        import sys
        sys.path.insert(0, str(ROOT / "tests" / "integration"))
        from minio import MinioServer
        self.server = MinioServer().start()
        self.s3 = self.server.client()
        self.bucket = "crawl-bench"
        self.s3.create_bucket(Bucket=self.bucket)
        self.local = local
        self.env = self.server.ticklake_env(tmpdir=local.parent / "tmp")
        self.proxy = None
        if latency_ms > 0:
            # ticklake goes through the proxy (every request +latency_ms); uploads go direct.
            from latency_proxy import LatencyProxy
            self.proxy = LatencyProxy("127.0.0.1", self.server.port, latency_ms).start()
            self.env["AWS_ENDPOINT_URL_S3"] = self.proxy.endpoint
        self.sync()

    def sync(self):
        """Uploads every file not yet uploaded."""
        done = getattr(self, "_done", set())
        for p in sorted(self.local.rglob("*")):
            key = "warehouse/" + str(p.relative_to(self.local))
            if p.is_file() and key not in done:
                self.s3.upload_file(str(p), self.bucket, key)
                done.add(key)
        self._done = done

    @property
    def uri(self):
        return f"s3://{self.bucket}/warehouse"

    def stop(self):
        if self.proxy:
            self.proxy.stop()
        self.server.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--partitions", type=int, default=1000)
    ap.add_argument("--rows", type=int, default=2000, help="rows per file")
    ap.add_argument("--files-per-partition", type=int, default=1,
                    help="files in each partition (a sink writes one per commit interval)")
    ap.add_argument("--format", choices=["parquet", "jsonl", "csv"], default="parquet")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=4, help="ticklake crawl --threads")
    ap.add_argument("--bin", default=os.environ.get("TICKLAKE_BIN", str(ROOT / "build" / "ticklake")))
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--s3", action="store_true",
                    help="crawl the warehouse from a throwaway MinIO on 127.0.0.1 (s3://) instead of the folder")
    ap.add_argument("--s3-latency-ms", type=float, default=0,
                    help="with --s3: add this much latency to every S3 request ticklake makes, through a "
                         "proxy (bench/latency_proxy.py); S3's median for small requests is tens of ms")
    a = ap.parse_args()
    if a.s3_latency_ms and not a.s3:
        ap.error("--s3-latency-ms needs --s3")
    files = a.partitions * a.files_per_partition

    work = Path(tempfile.mkdtemp(prefix="ticklake-crawl-bench-"))
    try:
        warehouse = work / "warehouse"
        start = dt.date(2022, 1, 1)
        t0 = time.perf_counter()
        for i in range(a.partitions):
            write_partition(warehouse, start + dt.timedelta(days=i), a.rows, a.format, a.files_per_partition)
        print(f"wrote {a.partitions} partitions x {a.files_per_partition} file(s) x {a.rows} rows ({a.format}) "
              f"in {time.perf_counter() - t0:.1f} s")
        mirror = S3Mirror(warehouse, a.s3_latency_ms) if a.s3 else None
        target = mirror.uri if mirror else warehouse
        env = mirror.env if mirror else None

        proxy = mirror.proxy if mirror else None
        requests = {"full": [], "incremental": []}  # through the latency proxy: what each crawl asked S3

        def counted(kind, run):
            before = proxy.requests if proxy else 0
            out = run()
            if proxy:
                requests[kind].append(proxy.requests - before)
            return out

        fulls = []
        for r in range(a.repeat):
            catalog = work / f"full-{r}.db"
            secs, summary = counted("full", lambda: crawl(a.bin, target, catalog, a.threads, env))
            assert summary["files_read"] == files and summary["partitions_added"] == a.partitions, summary
            fulls.append(secs)
        populated = work / "full-0.db"

        incs = []
        for r in range(a.repeat):
            write_partition(warehouse, start + dt.timedelta(days=a.partitions + r), a.rows, a.format)
            if mirror:
                mirror.sync()
            secs, summary = counted("incremental", lambda: crawl(a.bin, target, populated, a.threads, env))
            assert summary["files_read"] == 1 and summary["partitions_added"] == 1, summary
            assert summary["files_unchanged"] == files + r, summary
            incs.append(secs)

        full, inc = min(fulls), min(incs)
        print(f"full crawl        {full * 1000:8.1f} ms   ({files} files read; runs: "
              + ", ".join(f"{s * 1000:.0f}" for s in fulls) + ")")
        print(f"incremental crawl {inc * 1000:8.1f} ms   (1 new file read, {files}+ skipped; runs: "
              + ", ".join(f"{s * 1000:.0f}" for s in incs) + ")")
        where = "local folder"
        if mirror:
            where = "s3:// on MinIO" + (f", +{a.s3_latency_ms:g} ms per request" if a.s3_latency_ms else "")
        print(f"ratio full / incremental: {full / inc:.1f}x ({where}, --threads {a.threads})")
        if proxy:
            print(f"S3 requests per crawl: full {requests['full']}, incremental {requests['incremental']}")
        results = ROOT / "bench" / "results"
        results.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        (results / f"crawl-{stamp}.json").write_text(json.dumps({
            "partitions": a.partitions, "files_per_partition": a.files_per_partition, "rows": a.rows,
            "format": a.format, "threads": a.threads, "warehouse": where, "full_ms": [s * 1000 for s in fulls],
            "incremental_ms": [s * 1000 for s in incs], "ratio": full / inc,
            "s3_requests": requests if proxy else None}, indent=1) + "\n")
    finally:
        if a.s3 and "mirror" in locals() and mirror:
            mirror.stop()
        if a.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
