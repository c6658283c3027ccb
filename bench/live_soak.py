#!/usr/bin/env python3
"""Soak of one live adapter (issue #6): the replay server sends Binance aggTrade messages with
contiguous ids at RATE messages/s for SECONDS; `ticklake produce --source binance` reads them
over a WebSocket and sends them to a private local broker. Checks: no message lost (events
delivered == messages sent, no gap, no duplicate), and the producer's memory (VmRSS, sampled
every second) flat after warm-up.

    bench/live_soak.py                      # 50,000 msg/s for 60 s
    bench/live_soak.py --rate 20000 --seconds 10
Needs a build with tests (ticklake and ticklake-replay-server). Prints one JSON summary and
writes it to bench/results/live_soak-<time>.json.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port_pair():
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            p = s.getsockname()[1]
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", p + 1))
            return p
        except OSError:
            continue
    raise RuntimeError("no free port pair")


def rss_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rate", type=int, default=50_000)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=10, help="seconds excluded from the memory-growth figure")
    ap.add_argument("--bin", default=os.environ.get("TICKLAKE_BIN", str(ROOT / "build" / "ticklake")))
    ap.add_argument("--results-dir", default=str(ROOT / "bench" / "results"))
    a = ap.parse_args()
    ticklake = Path(a.bin).resolve()
    server_bin = ticklake.parents[1] / "net" / "ticklake-replay-server"
    for b in (ticklake, server_bin):
        if not b.exists():
            sys.exit(f"live_soak: {b} is missing: build with tests (make build)")

    work = Path(tempfile.mkdtemp(prefix="ticklake-soak-"))
    port = free_port_pair()
    bootstrap = f"127.0.0.1:{port}"
    state = work / "kafka"
    server = None
    try:
        subprocess.run([str(ticklake), "kafka", "start", "--port", str(port), "--state-dir", str(state)],
                       check=True, capture_output=True, text=True, timeout=180)
        script = work / "soak.script"
        script.write_text(f"soak {a.rate} {a.seconds}\n")
        server = subprocess.Popen([str(server_bin), str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        ws_port = int(server.stdout.readline())
        summary_json = work / "produce.json"
        # The producer stays connected a little past the soak to drain what is in flight.
        produce = subprocess.Popen(
            [str(ticklake), "produce", "-b", bootstrap, "-t", "soak", "--source", "binance", "--symbols", "BTCUSDT",
             "--channels", "aggTrade", "--url", f"ws://127.0.0.1:{ws_port}", "--duration", str(a.seconds + 8),
             "--partitions", "1", "--no-progress", "--summary-json", str(summary_json)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        samples = []
        t0 = time.time()
        while produce.poll() is None:
            r = rss_kib(produce.pid)
            if r is not None:
                samples.append((round(time.time() - t0, 1), r))
            time.sleep(1)
        out, err = produce.communicate()
        _, server_err = server.communicate(timeout=30)
        server = None
        sent = int(re.search(r"(\d+) soak messages sent", server_err).group(1))
        counters = json.loads(summary_json.read_text())
        line = next((l for l in err.splitlines() if l.startswith("produce: binance:")), "")
        def count(name):
            m = re.search(rf"(\d+) {name}", line)
            return int(m.group(1)) if m else None
        after = [r for t, r in samples if t >= a.warmup and t <= a.seconds]
        result = {
            "rate_target": a.rate, "seconds": a.seconds, "messages_sent": sent,
            "achieved_rate": round(sent / a.seconds),
            "events_delivered": counters["delivered"], "failed": counters["failed"],
            "duplicates": count("duplicates dropped"), "gaps": count("gaps"),
            "disconnects": count("disconnects"),
            "rss_kib_after_warmup_first": after[0] if after else None,
            "rss_kib_after_warmup_max": max(after) if after else None,
            "rss_kib_at_end_of_soak": after[-1] if after else None,
            "rss_samples": samples, "summary_line": line,
            "exit_code": produce.returncode,
        }
        result["lost"] = sent - counters["delivered"]
        result["ok"] = (result["lost"] == 0 and result["gaps"] == 0 and result["duplicates"] == 0
                        and produce.returncode == 0)
        Path(a.results_dir).mkdir(parents=True, exist_ok=True)
        dest = Path(a.results_dir) / f"live_soak-{time.strftime('%Y%m%dT%H%M%S')}.json"
        dest.write_text(json.dumps(result, indent=1))
        show = {k: v for k, v in result.items() if k != "rss_samples"}
        print(json.dumps(show, indent=1))
        if produce.returncode != 0:
            print(err[-3000:], file=sys.stderr)
        return 0 if result["ok"] else 1
    finally:
        if server is not None:
            server.kill()
        subprocess.run([str(ticklake), "kafka", "stop", "--state-dir", str(state)], capture_output=True, timeout=120)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
