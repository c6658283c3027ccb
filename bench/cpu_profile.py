#!/usr/bin/env python3
"""CPU per message of the sink (Parquet, JSONL), the producer and kcat, and their profiles.

CPU per message = user+sys of the process / messages. On a machine shared with other work it
is steadier than a rate: it does not count the time the process waited for a core. Binaries
given with --bin run alternately on one topic of one private broker, so a before/after
comparison shares the session. With --perf DIR each process of the last --bin also runs once
under `perf record` (cpu-clock, DWARF call graphs), and DIR gets a flame graph (SVG) and the
top frames (text) of each; bench/flamegraph.py draws them.

  bench/cpu_profile.py --bin build/release/src/cli/ticklake --count 1000000
  bench/cpu_profile.py --bin /tmp/before --bin build/release/src/cli/ticklake --repeat 3
  bench/cpu_profile.py --bin build/release/src/cli/ticklake --perf bench/flamegraphs --label after
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import pipeline_bench as pb  # noqa: E402

# The same ticks read as any team's JSON topic (issue #11's open sink), written as Parquet.
JSON_VALUES = ("--value-format", "json")
KCAT_CONSUME = ["-o", "beginning", "-e", "-q", "-f", "%s\n", "-X", "fetch.wait.max.ms=10"]


class CpuBench(pb.Bench):
    def __init__(self, args: argparse.Namespace):
        args.results_dir = args.results_dir or str(REPO / "bench" / "results")
        super().__init__(args)
        self.bins = args.bin
        self.bin = self.bins[-1]  # broker, topic filling and kcat dumps
        self.rows: list[dict] = []
        self.topic_seq = 0

    def record(self, process: str, binary: str, r: pb.Run, extra: dict | None = None) -> None:
        row = {"process": process, "bin": binary, "cpu_s": round(r.cpu, 3), "wall_s": round(r.wall, 3),
               "broker_cpu_s": round(r.broker_cpu, 3), "cpu_us_per_msg": round(r.cpu / self.n * 1e6, 3),
               "broker_cpu_us_per_msg": round(r.broker_cpu / self.n * 1e6, 3)} | (extra or {})
        self.rows.append(row)
        pb.log(f"  {process:<14} {Path(binary).name if binary != 'kcat' else 'kcat':<12} "
               f"{row['cpu_us_per_msg']:6.2f} CPU-us/msg (cpu {r.cpu:.2f} s, wall {r.wall:.2f} s, "
               f"broker {row['broker_cpu_us_per_msg']:.2f} us/msg)")

    def sink(self, binary: str, fmt: str, wrap: list[str] | None = None, extra: tuple = ()) -> pb.Run:
        self.topic_seq += 1
        wh = self.work / f"wh-{fmt}-{self.topic_seq}"
        summary = self.work / f"sink-{fmt}-{self.topic_seq}.json"
        old = self.bin
        self.bin = binary
        cmd = self.sink_cmd("bench-src", f"cpu-{fmt}-{self.topic_seq}", wh, fmt, summary, 1, extra)
        self.bin = old
        r = self.run((wrap or []) + cmd, f"sink {fmt} {self.topic_seq}")
        s = pb.read_json(summary, f"sink {fmt}")
        self.check_sink_summary(s, f"sink {fmt}", summary)
        subprocess.run(["rm", "-rf", str(wh)], check=False)
        return r

    def produce(self, binary: str, wrap: list[str] | None = None) -> pb.Run:
        self.topic_seq += 1
        topic = f"cpu-prod-{self.topic_seq}"
        self.create_topic(topic)
        summary = self.work / f"{topic}.json"
        cmd = [binary, "produce", "-b", self.broker, "-t", topic, "--source", "jsonl", "--file", str(self.jsonl),
               "--compression", "lz4", "--linger-ms", "10", "--no-progress", "--summary-json", str(summary)]
        r = self.run((wrap or []) + cmd, f"produce {self.topic_seq}")
        if self.messages_in(topic) != self.n:
            raise pb.BenchError(f"produce into {topic}: not every message arrived")
        return r

    def kcat_produce(self) -> pb.Run:
        self.topic_seq += 1
        topic = f"cpu-kcat-{self.topic_seq}"
        self.create_topic(topic)
        r = self.run(["kcat", "-P", "-b", self.broker, "-t", topic, "-K", "\t", "-H", "type=quote",
                      *pb.KCAT_PRODUCE_SETTINGS], f"kcat produce {self.topic_seq}", stdin_path=self.tsv)
        if self.messages_in(topic) != self.n:
            raise pb.BenchError(f"kcat -P into {topic}: not every message arrived")
        return r

    def profile(self, out: Path, label: str) -> None:
        out.mkdir(parents=True, exist_ok=True)
        binary = self.bins[-1]
        for name, fn in (("sink-parquet", lambda w: self.sink(binary, "parquet", w)),
                         ("sink-jsonl", lambda w: self.sink(binary, "jsonl", w)),
                         ("sink-json-values", lambda w: self.sink(binary, "parquet", w, JSON_VALUES)),
                         ("produce", lambda w: self.produce(binary, w))):
            data = self.work / f"{name}.perf.data"
            wrap = ["perf", "record", "-e", "cpu-clock", "-F", str(self.args.perf_freq), "--call-graph",
                    "dwarf,16384", "-q", "-o", str(data), "--"]
            pb.log(f"  perf record: {name}")
            fn(wrap)
            # --no-inline: resolving inlined frames runs addr2line per address, minutes per profile.
            script = subprocess.Popen(["perf", "script", "--no-inline", "-i", str(data), "-F", "comm,tid,time,ip,sym,dso"],
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            stem = out / f"{name}-{label}"
            subprocess.run([sys.executable, str(REPO / "bench" / "flamegraph.py"), "--svg", f"{stem}.svg",
                            "--top", f"{stem}.txt", "--title", f"ticklake {name} ({label}), {self.n:,} messages"],
                           stdin=script.stdout, check=True)
            script.wait()
            if self.args.perf_keep:
                data.rename(out / f"{name}-{label}.perf.data")
            else:
                data.unlink(missing_ok=True)
            pb.log(f"  wrote {stem}.svg and {stem}.txt")

    def execute(self) -> int:
        pb.log(f"CPU per message: N={self.n:,}, binaries {self.bins}, best of {self.args.repeat}, "
               f"load average {os.getloadavg()[0]:.2f}")
        self.start_broker()
        self.prepare_messages()
        # The broker creates __consumer_offsets (50 partitions) for the first group: let a
        # throwaway sink pay for that, not the first measured one.
        self.create_topic("warm-up")
        self.run(self.sink_cmd("warm-up", "warm-up", self.work / "wh-warm-up", "jsonl", self.work / "warm-up.json", 1),
                 "warm-up sink")
        for i in range(self.args.repeat):
            self.record("kcat -C", "kcat", self.run(["kcat", "-C", "-b", self.broker, "-t", "bench-src",
                                                     *KCAT_CONSUME], f"kcat consume {i}"))
            self.record("kcat -P", "kcat", self.kcat_produce())
            for b in self.bins:
                self.record("sink parquet", b, self.sink(b, "parquet"))
                self.record("sink jsonl", b, self.sink(b, "jsonl"))
                self.record("sink json-vals", b, self.sink(b, "parquet", extra=JSON_VALUES))
                self.record("produce", b, self.produce(b))
        if self.args.perf:
            self.profile(Path(self.args.perf), self.args.label)
        best: dict[tuple[str, str], dict] = {}
        for row in self.rows:
            key = (row["process"], row["bin"])
            if key not in best or row["cpu_us_per_msg"] < best[key]["cpu_us_per_msg"]:
                best[key] = row
        print(f"\nCPU per message (user+sys / messages), {self.n:,} messages, best of {self.args.repeat}, "
              f"load avg {os.getloadavg()[0]:.2f}")
        print(f"{'process':<14} {'binary':<40} {'CPU-us/msg':>10} {'broker us/msg':>13}")
        for (proc, b), row in best.items():
            print(f"{proc:<14} {b:<40} {row['cpu_us_per_msg']:>10.3f} {row['broker_cpu_us_per_msg']:>13.3f}")
        out = Path(self.args.results_dir) / f"cpu-{self.stamp}.json"
        out.write_text(json.dumps({"count": self.n, "rows": self.rows, "best": list(best.values())}, indent=2) + "\n")
        print(f"result: {out}")
        self.ok = True
        return 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", action="append", required=True, help="ticklake binary; repeat to compare (alternately)")
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--perf", help="also profile the last --bin; flame graphs and top frames go here")
    ap.add_argument("--perf-freq", type=int, default=499, help="samples per second of perf record (default 499)")
    ap.add_argument("--perf-keep", action="store_true", help="keep the perf.data of each profile next to its flame graph")
    ap.add_argument("--label", default="now", help="suffix of the profile files (e.g. before, after)")
    ap.add_argument("--results-dir", default=None)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args(argv)
    args.quick = False
    for b in args.bin:
        if not os.access(b, os.X_OK):
            print(f"cpu_profile: no binary at {b}", file=sys.stderr)
            return 2
    return pb.run_bench(lambda: CpuBench(args), "cpu_profile")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
