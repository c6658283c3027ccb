#!/usr/bin/env python3
"""S3 benchmark: the sink into MinIO against the sink into a local folder, and ticklake's
upload of the same files against boto3's, all in one run on this machine.

Run it through bench/run_s3.sh (`make bench-s3`); bench/README.md says how to read it.
Both sides of each ratio run here, now, on the same data: the figures are ratios, not rates
to compare across machines. MinIO runs on the same cores and disk as the sink, so the S3
side pays for the server too (a remote S3 would not take CPU from the sink).
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from bench_support import free_port_pair  # noqa: E402
sys.path.insert(0, str(REPO / "tests" / "integration"))
from minio import MinioServer  # noqa: E402  (our own test helper: a throwaway MinIO on 127.0.0.1)

TARGET_SINK_S3_VS_LOCAL = 0.8
TARGET_UPLOAD_VS_BOTO3 = 1.0


def log(msg: str) -> None:
    print(f"[bench-s3 {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


def run(cmd, env=None, what="", timeout=1800) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if p.returncode != 0:
        raise BenchError(f"{what or cmd[0]} failed (exit {p.returncode}):\n$ {' '.join(map(str, cmd))}\n"
                         f"{p.stderr[-3000:]}")
    return p



def main(argv) -> int:
    ap = argparse.ArgumentParser(description="ticklake S3 benchmark: sink to MinIO vs a local folder, and "
                                             "ticklake's upload vs boto3's (see bench/README.md)")
    ap.add_argument("--count", type=int, default=None, help="events (default 2,000,000; 300,000 with --quick)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each timed step; the best is kept")
    ap.add_argument("--big-mib", type=int, default=256, help="size of the single large file of the upload test")
    ap.add_argument("--jobs", type=int, default=4, help="files uploaded in parallel, by both uploaders")
    ap.add_argument("--bin", default=os.environ.get("TICKLAKE_BIN", str(REPO / "build" / "ticklake")))
    ap.add_argument("--results-dir", default=str(REPO / "bench" / "results"))
    args = ap.parse_args(argv)
    n = args.count or (300_000 if args.quick else 2_000_000)

    import boto3.s3.transfer  # noqa: F401  (fail early when the venv lacks boto3)

    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    work = Path(tempfile.mkdtemp(prefix="ticklake-bench-s3-"))
    state = work / "kafka"
    minio = None
    result = {"started": stamp, "count": n, "repeat": args.repeat, "nproc": os.cpu_count()}
    try:
        minio = MinioServer().start()
        s3 = minio.client()
        bucket = "bench-" + uuid.uuid4().hex[:8]
        s3.create_bucket(Bucket=bucket)
        env = minio.ticklake_env(tmpdir=work / "tmp")
        port = free_port_pair()
        broker = run([args.bin, "kafka", "start", "--port", str(port), "--state-dir", str(state)],
                     what="kafka start").stdout.split()[-1]
        topic = "bench-s3"
        log(f"MinIO at {minio.endpoint}, broker at {broker}; producing {n:,} simulated events")
        run([args.bin, "produce", "-b", broker, "-t", topic, "--source", "sim", "--count", str(n), "--seed", "7",
             "--symbols", "50", "--days", "2", "--partitions", "6", "--no-progress"], what="produce")

        def sink(warehouse: str, label: str, i: int) -> dict:
            summary = work / f"sink-{label}-{i}.json"
            run([args.bin, "sink", "-b", broker, "-t", topic, "-g", f"g-{label}-{i}", "-w", warehouse,
                 "--until-idle", "2", "--no-progress", "--summary-json", str(summary)], env=env, what=f"sink {label}")
            s = json.loads(summary.read_text())
            if s["rows_written"] != n:
                raise BenchError(f"sink {label} wrote {s['rows_written']} rows, expected {n}")
            return s

        local_rates, s3_rates = [], []
        for i in range(args.repeat):
            for label in ("local", "s3"):  # alternate, so drift on the machine hits both alike
                wh = str(work / f"wh-{i}") if label == "local" else f"s3://{bucket}/wh-{i}"
                s = sink(wh, label, i)
                rate = n / s["busy_seconds"]
                (local_rates if label == "local" else s3_rates).append(rate)
                log(f"sink {label} run {i + 1}: {rate:,.0f} events/s ({s['files_written']} files)")
        result["sink"] = {"local_events_per_s": [round(r) for r in local_rates],
                          "s3_events_per_s": [round(r) for r in s3_rates],
                          "ratio_best_s3_vs_best_local": round(max(s3_rates) / max(local_rates), 3),
                          "target": TARGET_SINK_S3_VS_LOCAL}

        # Upload: the Parquet files the local sink wrote (sink-sized objects), and one large file.
        sets = {"sink files": work / "wh-0"}
        big = work / "big"
        big.mkdir()
        with open(big / "big.bin", "wb") as f:
            for _ in range(args.big_mib):
                f.write(os.urandom(1 << 20))
        sets[f"one {args.big_mib} MiB file"] = big
        uploads = {}
        for name, folder in sets.items():
            files = [p for p in folder.rglob("*") if p.is_file()]
            size = sum(p.stat().st_size for p in files)
            ours, theirs = [], []
            for i in range(args.repeat):
                prefix = f"ours-{uuid.uuid4().hex[:6]}"
                t0 = time.perf_counter()
                run([args.bin, "cp", "-r", "-q", "--jobs", str(args.jobs), str(folder), f"s3://{bucket}/{prefix}"],
                    env=env, what="ticklake cp")
                ours.append(time.perf_counter() - t0)
                prefix = f"boto3-{uuid.uuid4().hex[:6]}"
                config = boto3.s3.transfer.TransferConfig()  # boto3's defaults: 8 MiB parts, 10 threads
                t0 = time.perf_counter()
                with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                    list(pool.map(lambda p: s3.upload_file(str(p), bucket, f"{prefix}/{p.relative_to(folder)}",
                                                           Config=config), files))
                theirs.append(time.perf_counter() - t0)
                log(f"upload {name}: ticklake {ours[-1]:.2f} s, boto3 {theirs[-1]:.2f} s")
            uploads[name] = {"files": len(files), "bytes": size,
                             "ticklake_s": [round(x, 3) for x in ours], "boto3_s": [round(x, 3) for x in theirs],
                             "ticklake_mib_per_s": round(size / 2**20 / min(ours), 1),
                             "boto3_mib_per_s": round(size / 2**20 / min(theirs), 1),
                             "speed_ratio_ticklake_vs_boto3": round(min(theirs) / min(ours), 3)}
        result["upload"] = uploads
        result["upload_target"] = TARGET_UPLOAD_VS_BOTO3

        out_dir = Path(args.results_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / f"s3-{stamp}.json"
        out.write_text(json.dumps(result, indent=2) + "\n")
        sk = result["sink"]
        print(f"sink to MinIO vs local folder: {max(s3_rates):,.0f} vs {max(local_rates):,.0f} events/s = "
              f"{sk['ratio_best_s3_vs_best_local']:.2f}x (target >= {TARGET_SINK_S3_VS_LOCAL})")
        for name, u in uploads.items():
            print(f"upload {name} ({u['files']} files, {u['bytes'] / 2**20:.1f} MiB): ticklake "
                  f"{u['ticklake_mib_per_s']} MiB/s vs boto3 {u['boto3_mib_per_s']} MiB/s = "
                  f"{u['speed_ratio_ticklake_vs_boto3']:.2f}x (target >= {TARGET_UPLOAD_VS_BOTO3})")
        print(f"result: {out}")
        return 0
    except BenchError as e:
        print(f"bench-s3: FAILED: {minio.redact(str(e)) if minio else e}", file=sys.stderr)
        return 1
    finally:
        subprocess.run([args.bin, "kafka", "stop", "--state-dir", str(state)], capture_output=True)
        if minio:
            minio.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
