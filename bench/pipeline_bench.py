#!/usr/bin/env python3
"""System benchmark: ticklake's producer and sink against kcat, on one private broker.

Run it through bench/run.sh (`make bench`); bench/README.md says what is measured and
how to read the result. Uses only the standard library and duckdb (for a row count check).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from bench_support import free_port_pair  # noqa: E402
PARTITIONS = 6
SYMBOLS = 50
SEED = 7

# Targets of the issues: (figure, comparison, threshold, how it is shown). Issue #16 raised the
# sink's (0.5x kcat) and the end to end's (200,000 ticks/s) of the first benchmark issue.
TARGET_SINK_VS_KCAT = 0.8
TARGET_PRODUCER_VS_KCAT = 0.7
TARGET_E2E_TICKS_PER_S = 500_000
TARGET_PARQUET_VS_JSONL = 0.15
TARGET_JSON_VALUES_VS_TYPED = 0.7  # issue #11: the same ticks read as schemaless JSON
TARGET_ICEBERG_VS_PARQUET = 0.9  # issue #18: the same Parquet files committed as Iceberg snapshots
# Issue #16: CPU per message (user+sys of the process / messages), the headline figure.
TARGET_SINK_PARQUET_CPU_US = 1.0
TARGET_SINK_JSONL_CPU_US = 0.7
TARGET_PRODUCER_CPU_VS_KCAT = 1.2

KCAT_PRODUCE_SETTINGS = [
    "-z", "lz4",
    "-X", "enable.idempotence=true",
    "-X", "acks=all",
    "-X", "linger.ms=10",
    "-X", "batch.size=1048576",
    "-X", "queue.buffering.max.messages=500000",
]


class BenchError(Exception):
    """A step failed; the message says which command and shows its stderr tail."""


class Interrupted(Exception):
    """SIGINT/SIGTERM: unwind so the broker is stopped."""


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace").rstrip("\n").splitlines()
    except OSError:
        return "(no stderr captured)"
    return "\n".join("    " + line for line in text[-lines:]) or "    (stderr is empty)"


def cpu_total_and_busy() -> tuple[float, float]:
    """System-wide CPU seconds (all, busy) since boot, from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(x) for x in fields[:8]]
    hz = os.sysconf("SC_CLK_TCK")
    idle = ticks[3] + ticks[4]
    return sum(ticks) / hz, (sum(ticks) - idle) / hz


def process_cpu_seconds(pid: int | None) -> float:
    """utime+stime of one process (the broker's JVM), 0 when it cannot be read."""
    if not pid:
        return 0.0
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclasses.dataclass
class Run:
    """One timed process: wall clock, its own CPU time and what the rest of the machine did meanwhile."""

    wall: float
    cpu: float  # user+sys of the measured process
    broker_cpu: float  # CPU the broker's JVM used meanwhile
    other_cpu: float  # everything else on the machine (other tests, this script, ...)
    stderr: Path
    # Page faults of the process. On this VM a page the host took back costs a fault on the
    # host too, which shows as the process's CPU: a run with many more is not comparable.
    minflt: int = 0

    def as_dict(self) -> dict:
        return {
            "wall_s": round(self.wall, 3),
            "cpu_s": round(self.cpu, 3),
            "broker_cpu_s": round(self.broker_cpu, 3),
            "other_cpu_s": round(max(self.other_cpu, 0.0), 3),
            "minor_faults": self.minflt,
        }


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.bin = args.bin
        self.n = args.count
        self.started = dt.datetime.now(dt.timezone.utc)
        self.stamp = self.started.strftime("%Y%m%dT%H%M%SZ")
        self.work = Path(tempfile.mkdtemp(prefix="ticklake-bench-", dir=args.workdir))
        # Logs live next to the result so the paths in an error message survive the cleanup.
        self.logs = Path(args.results_dir) / f"pipeline-{self.stamp}.logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.ok = False
        self.state_dir = self.work / "kafka"
        self.broker = ""
        self.broker_pid: int | None = None
        self.seq = 0
        self.children: list[subprocess.Popen] = []
        self.result: dict = {"runs": {}}

    # ---- process running ----------------------------------------------------------------

    def _stderr_path(self, what: str) -> Path:
        self.seq += 1
        slug = re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")[:60]
        return self.logs / f"{self.seq:02d}-{slug}.stderr"

    def start(self, cmd: list[str], what: str, stdin=None, stdout=None) -> tuple[subprocess.Popen, Path, float, tuple]:
        err = self._stderr_path(what)
        with open(err, "wb") as errf:
            before = (cpu_total_and_busy(), process_cpu_seconds(self.broker_pid))
            t0 = time.perf_counter()
            try:
                p = subprocess.Popen(cmd, stdin=stdin or subprocess.DEVNULL, stdout=stdout or subprocess.DEVNULL,
                                     stderr=errf)
            except OSError as e:
                raise BenchError(f"{what}: cannot run {cmd[0]}: {e}") from e
        self.children.append(p)
        return p, err, t0, before

    def finish(self, p: subprocess.Popen, err: Path, t0: float, before: tuple, what: str, cmd: list[str],
               check: bool = True) -> Run:
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        self.children.remove(p)
        (_, busy0), broker0 = before
        _, busy1 = cpu_total_and_busy()
        broker_cpu = process_cpu_seconds(self.broker_pid) - broker0
        cpu = usage.ru_utime + usage.ru_stime
        if check and p.returncode != 0:
            raise BenchError(f"{what} failed (exit {p.returncode}):\n  $ {shell_join(cmd)}\n"
                             f"  stderr (last lines, full log {err}):\n{tail(err)}")
        return Run(wall, cpu, broker_cpu, (busy1 - busy0) - cpu - broker_cpu, err, usage.ru_minflt)

    def run(self, cmd: list[str], what: str, stdin_path: Path | None = None, stdout_path: Path | None = None,
            check: bool = True) -> Run:
        stdin = open(stdin_path, "rb") if stdin_path else None
        stdout = open(stdout_path, "wb") if stdout_path else None
        try:
            p, err, t0, before = self.start(cmd, what, stdin, stdout)
            return self.finish(p, err, t0, before, what, cmd, check)
        finally:
            for f in (stdin, stdout):
                if f:
                    f.close()

    def capture(self, cmd: list[str], what: str) -> str:
        """Runs a short untimed command and returns its stdout."""
        err = self._stderr_path(what)
        with open(err, "wb") as errf:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=errf, stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            raise BenchError(f"{what} failed (exit {p.returncode}):\n  $ {shell_join(cmd)}\n"
                             f"  stderr (last lines, full log {err}):\n{tail(err)}")
        return p.stdout.decode(errors="replace")

    # ---- broker ------------------------------------------------------------------------

    def start_broker(self) -> None:
        port = free_port_pair()
        log(f"starting a private broker on 127.0.0.1:{port} (controller {port + 1}), state {self.state_dir}")
        out = self.capture([self.bin, "kafka", "start", "--port", str(port), "--state-dir", str(self.state_dir)],
                           "kafka start")
        lines = [line for line in out.splitlines() if line.strip()]
        if not lines:
            raise BenchError("kafka start printed no bootstrap address")
        self.broker = lines[-1].strip()
        env = self.state_dir / "broker.env"
        if env.exists():
            m = re.search(r"^PID=['\"]?(\d+)", env.read_text(), re.M)
            self.broker_pid = int(m.group(1)) if m else None
        log(f"broker up at {self.broker} (pid {self.broker_pid})")

    def stop_broker(self) -> None:
        if not self.state_dir.exists():
            return
        log("stopping the broker")
        # Own session: a second Ctrl-C must not interrupt the stop itself.
        p = subprocess.run([self.bin, "kafka", "stop", "--state-dir", str(self.state_dir)], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        if p.returncode != 0:
            log(f"WARNING: kafka stop failed (exit {p.returncode}): {p.stderr.decode(errors='replace')[-500:]}")

    def cleanup(self) -> None:
        for p in list(self.children):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.stop_broker()
        if not self.ok and (self.state_dir / "logs").is_dir():
            shutil.copytree(self.state_dir / "logs", self.logs / "broker", dirs_exist_ok=True)
        if self.args.keep:
            log(f"kept the work folder {self.work} and the logs {self.logs}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)
            if self.ok:
                shutil.rmtree(self.logs, ignore_errors=True)
            else:
                log(f"kept the stderr of every step in {self.logs}")

    # ---- building blocks ---------------------------------------------------------------

    def create_topic(self, topic: str) -> None:
        """Creates an empty topic with PARTITIONS partitions (ticklake produce of zero events)."""
        self.run([self.bin, "produce", "-b", self.broker, "-t", topic, "--source", "sim", "--count", "0",
                  "--partitions", str(PARTITIONS), "--no-progress"], f"create topic {topic}")

    def end_offsets(self, topic: str) -> list[int]:
        """High watermarks of every partition (kcat query mode, timestamp -1 = end)."""
        cmd = ["kcat", "-Q", "-b", self.broker]
        for p in range(PARTITIONS):
            cmd += ["-t", f"{topic}:{p}:-1"]
        out = self.capture(cmd, f"end offsets of {topic}")
        offsets = {int(m.group(1)): int(m.group(2)) for m in re.finditer(r"\[(\d+)\]\s+offset\s+(-?\d+)", out)}
        if len(offsets) != PARTITIONS:
            raise BenchError(f"cannot read the end offsets of {topic} from kcat -Q:\n{out[-500:]}")
        return [offsets[p] for p in range(PARTITIONS)]

    def messages_in(self, topic: str) -> int:
        return sum(self.end_offsets(topic))

    def produce_sim(self, topic: str, what: str) -> tuple[Run, dict]:
        summary = self.work / f"{topic}.produce.json"
        cmd = [self.bin, "produce", "-b", self.broker, "-t", topic, "--source", "sim", "--count", str(self.n),
               "--symbols", str(SYMBOLS), "--seed", str(SEED), "--partitions", str(PARTITIONS), "--no-progress",
               "--summary-json", str(summary)]
        r = self.run(cmd, what)
        s = read_json(summary, what)
        if s.get("delivered") != self.n:
            raise BenchError(f"{what}: delivered {s.get('delivered')} of {self.n} events (summary {summary})")
        return r, s

    def sink_cmd(self, topic: str, group: str, warehouse: Path, fmt: str, summary: Path, idle: float,
                 extra: tuple = ()) -> list[str]:
        return [self.bin, "sink", "-b", self.broker, "-t", topic, "-g", group, "-w", str(warehouse), "--format", fmt,
                "--until-idle", f"{idle:g}", "--no-progress", "--summary-json", str(summary), *extra]

    def check_sink_summary(self, s: dict, what: str, summary: Path) -> None:
        if s.get("consumed") != self.n or s.get("rows_written") != self.n:
            raise BenchError(f"{what}: consumed {s.get('consumed')}, rows_written {s.get('rows_written')}, "
                             f"expected {self.n} (summary {summary})")
        if s.get("dead_letters"):
            raise BenchError(f"{what}: {s['dead_letters']} dead letters (summary {summary})")

    # ---- the steps ---------------------------------------------------------------------

    def prepare_messages(self) -> None:
        log(f"step 1/5: {self.n:,} simulated events into bench-src, then dump them with kcat")
        r, _ = self.produce_sim("bench-src", "produce bench-src (sim)")
        self.result["runs"]["prepare_produce_sim"] = r.as_dict() | {"msgs_per_s": round(self.n / r.wall)}
        self.tsv = self.work / "msgs.tsv"
        self.jsonl = self.work / "msgs.jsonl"
        self.run(["kcat", "-C", "-b", self.broker, "-t", "bench-src", "-o", "beginning", "-e", "-q", "-f", "%k\t%s\n"],
                 "dump bench-src with kcat", stdout_path=self.tsv)
        lines = 0
        with open(self.tsv, "rb") as src, open(self.jsonl, "wb") as dst:
            for line in src:
                key, tab, value = line.partition(b"\t")
                if not tab or not key:
                    raise BenchError(f"line {lines + 1} of {self.tsv} has no key: {line[:120]!r}")
                dst.write(value)
                lines += 1
        if lines != self.n:
            raise BenchError(f"kcat dumped {lines} messages from bench-src, expected {self.n}")
        size = self.tsv.stat().st_size
        log(f"  {lines:,} messages, {size / 2**20:.0f} MiB as key<TAB>value, "
            f"{self.jsonl.stat().st_size / self.n:.0f} bytes per value")
        self.result["messages"] = {"count": self.n, "tsv_bytes": size, "jsonl_bytes": self.jsonl.stat().st_size}

    def bench_producers(self) -> None:
        log(f"step 2/5: producer vs kcat -P, same {self.n:,} messages, best of {self.args.repeat}")
        runs: dict[str, list[dict]] = {"kcat": [], "kcat_no_header": [], "ticklake": []}
        for i in range(1, self.args.repeat + 1):
            # Every ticklake message carries a `type` header (docs/events.md); kcat -H adds one
            # header to every message, so "the same messages" means kcat with -H. The run
            # without it shows what the header costs librdkafka.
            for variant, extra in (("kcat", ["-H", "type=quote"]), ("kcat_no_header", [])):
                topic = f"bench-{variant.replace('_', '-')}-p{i}"
                self.create_topic(topic)
                cmd = ["kcat", "-P", "-b", self.broker, "-t", topic, "-K", "\t", *extra, *KCAT_PRODUCE_SETTINGS]
                r = self.run(cmd, f"{variant} produce run {i}", stdin_path=self.tsv)
                got = self.messages_in(topic)
                if got != self.n:
                    raise BenchError(f"{variant} produce run {i}: {got} messages in {topic}, expected {self.n}\n"
                                     f"{tail(r.stderr)}")
                runs[variant].append(r.as_dict() | {"msgs_per_s": round(self.n / r.wall), "topic": topic})
                log(f"  {variant:<14} run {i}: {self.n / r.wall:>12,.0f} msgs/s ({r.wall:.2f} s, cpu {r.cpu:.2f} s)")

            topic = f"bench-ours-p{i}"
            self.create_topic(topic)
            summary = self.work / f"{topic}.produce.json"
            cmd = [self.bin, "produce", "-b", self.broker, "-t", topic, "--source", "jsonl", "--file", str(self.jsonl),
                   "--compression", "lz4", "--linger-ms", "10", "--no-progress", "--summary-json", str(summary)]
            r = self.run(cmd, f"ticklake produce run {i}")
            s = read_json(summary, "ticklake produce")
            if s.get("delivered") != self.n:
                raise BenchError(f"ticklake produce run {i}: delivered {s.get('delivered')} of {self.n}")
            got = self.messages_in(topic)
            if got != self.n:
                raise BenchError(f"ticklake produce run {i}: {got} messages in {topic}, expected {self.n}")
            runs["ticklake"].append(r.as_dict() | {"msgs_per_s": round(self.n / r.wall), "topic": topic,
                                                   "summary": s})
            log(f"  {'ticklake':<14} run {i}: {self.n / r.wall:>12,.0f} msgs/s ({r.wall:.2f} s, cpu {r.cpu:.2f} s)")
        self.result["runs"]["produce"] = runs
        self.best_produce = {k: max(v, key=lambda x: x["msgs_per_s"]) for k, v in runs.items()}

    def bench_sinks(self) -> None:
        log(f"step 3/5: sink (parquet, jsonl, the values read as plain JSON, an Iceberg table) vs kcat -C on bench-src, "
            f"best of {self.args.repeat}")
        runs: dict[str, list[dict]] = {"kcat": [], "kcat_no_eof_wait": [], "parquet": [], "jsonl": [],
                                       "parquet_json_values": [], "parquet_iceberg": []}
        variants = {"parquet": ("parquet", ()), "jsonl": ("jsonl", ()),
                    # The same ticks as any team's JSON topic: one open table, columns inferred.
                    "parquet_json_values": ("parquet", ("--value-format", "json")),
                    # The same files, each batch also committed as an Iceberg snapshot (issue #18).
                    "parquet_iceberg": ("parquet", ("--table-format", "iceberg"))}
        self.warehouses: dict[str, Path] = {}
        self.busy_missing = False
        for i in range(1, self.args.repeat + 1):
            cmd = ["kcat", "-C", "-b", self.broker, "-t", "bench-src", "-o", "beginning", "-e", "-q", "-f", "%s\n"]
            r = self.run(cmd, f"kcat consume run {i}")
            runs["kcat"].append(r.as_dict() | {"msgs_per_s": round(self.n / r.wall)})
            log(f"  kcat -C        run {i}: {self.n / r.wall:>12,.0f} msgs/s ({r.wall:.2f} s, cpu {r.cpu:.2f} s)")
            # kcat learns it is at the end from an empty fetch, which the broker holds for
            # fetch.wait.max.ms (500 ms): the stricter reference has no such tail.
            r = self.run(cmd + ["-X", "fetch.wait.max.ms=10"], f"kcat consume no eof wait run {i}")
            runs["kcat_no_eof_wait"].append(r.as_dict() | {"msgs_per_s": round(self.n / r.wall)})
            log(f"  kcat -C, fetch.wait.max.ms=10 run {i}: {self.n / r.wall:>12,.0f} msgs/s ({r.wall:.2f} s)")
            for fmt, (file_format, extra) in variants.items():
                wh = self.work / f"wh-{fmt}-{i}"
                summary = self.work / f"sink-{fmt}-{i}.json"
                catalog = self.work / f"catalog-{fmt}-{i}.db"
                if fmt == "parquet_iceberg":
                    extra = (*extra, "--catalog", str(catalog))
                cmd = self.sink_cmd("bench-src", f"bench-{fmt}-{i}", wh, file_format, summary, 1, extra)
                r = self.run(cmd, f"sink {fmt} run {i}")
                s = read_json(summary, f"sink {fmt}")
                self.check_sink_summary(s, f"sink {fmt} run {i}", summary)
                if fmt == "parquet_iceberg":
                    self.check_iceberg_records(catalog, wh, f"sink {fmt} run {i}")
                busy = s.get("busy_seconds")
                if busy is None:
                    self.busy_missing = True
                entry = r.as_dict() | {
                    "summary": s,
                    "msgs_per_s_wall": round(self.n / r.wall),
                    "msgs_per_s_busy": round(s["consumed"] / busy) if busy else None,
                }
                runs[fmt].append(entry)
                # The first run's files are measured in step 5; later runs are the same bytes.
                if i == 1:
                    self.warehouses[fmt] = wh
                else:
                    shutil.rmtree(wh, ignore_errors=True)
                busy_txt = f"{entry['msgs_per_s_busy']:>12,} msgs/s busy ({busy:.2f} s), " if busy else \
                    "busy_seconds MISSING (old binary), "
                log(f"  sink {fmt:<19}  run {i}: {busy_txt}{self.n / r.wall:,.0f} msgs/s wall ({r.wall:.2f} s, "
                    f"cpu {r.cpu:.2f} s, {r.minflt:,} page faults)")
        self.result["runs"]["consume"] = runs
        rate = (lambda x: x["msgs_per_s_busy"] or x["msgs_per_s_wall"])
        self.best_consume = {"kcat": max(runs["kcat"], key=lambda x: x["msgs_per_s"]),
                             "kcat_no_eof_wait": max(runs["kcat_no_eof_wait"], key=lambda x: x["msgs_per_s"]),
                             "parquet": max(runs["parquet"], key=rate), "jsonl": max(runs["jsonl"], key=rate),
                             "parquet_json_values": max(runs["parquet_json_values"], key=rate),
                             "parquet_iceberg": max(runs["parquet_iceberg"], key=rate)}

    def check_iceberg_records(self, catalog: Path, warehouse: Path, what: str) -> None:
        """Every message is in an Iceberg snapshot: the current snapshots' total-records, over the
        catalog's tables, add up to the count (read from the metadata files the catalog points at)."""
        import sqlite3
        with sqlite3.connect(catalog) as db:
            locations = [row[0] for row in db.execute("SELECT metadata_location FROM iceberg_tables")]
        total = 0
        for loc in locations:
            meta = json.loads(Path(loc.removeprefix("file://")).read_text())
            current = next(s for s in meta["snapshots"] if s["snapshot-id"] == meta["current-snapshot-id"])
            total += int(current["summary"]["total-records"])
        if total != self.n:
            raise BenchError(f"{what}: the Iceberg tables of {catalog} hold {total} records, expected {self.n} "
                             f"(warehouse {warehouse})")

    def bench_end_to_end(self) -> None:
        idle = self.args.e2e_idle
        log(f"step 4/5: end to end, sink (parquet) started first, then {self.n:,} sim events produced; "
            f"best of {self.args.repeat}")
        runs = []
        for i in range(1, self.args.repeat + 1):
            topic = f"bench-e2e-{i}"
            self.create_topic(topic)
            wh = self.work / f"wh-e2e-{i}"
            summary = self.work / f"sink-e2e-{i}.json"
            sink_cmd = self.sink_cmd(topic, f"bench-e2e-{i}", wh, "parquet", summary, idle)
            sink, sink_err, t_sink, sink_before = self.start(sink_cmd, f"e2e sink run {i}")
            time.sleep(self.args.e2e_head_start)
            t_prod = time.perf_counter()
            try:
                prod_run, prod_summary = self.produce_sim(topic, f"e2e produce run {i}")
            except BaseException:
                sink.terminate()
                raise
            sink_run = self.finish(sink, sink_err, t_sink, sink_before, f"e2e sink run {i}", sink_cmd)
            t_end = t_sink + sink_run.wall
            s = read_json(summary, "e2e sink")
            if s.get("consumed", 0) < self.n:
                raise BenchError(f"e2e sink run {i} exited after {s.get('consumed')} of {self.n} events: it was idle "
                                 f"for {idle:g} s before the producer's data came; raise --e2e-idle")
            self.check_sink_summary(s, f"e2e sink run {i}", summary)
            e2e_wall = t_end - t_prod - idle
            busy = s.get("busy_seconds")
            # Cross-check from the sink's own clock: its last message plus the final flush,
            # less the head start it had on the producer (its start-up counts as head start).
            e2e_busy = (t_sink + busy - t_prod) if busy is not None else None
            # The sink's window holds the producer's: what else ran is the rest.
            sink_run.other_cpu -= prod_run.cpu
            entry = {
                "producer": prod_run.as_dict() | {"msgs_per_s": round(self.n / prod_run.wall), "summary": prod_summary},
                "sink": sink_run.as_dict() | {"summary": s},
                "other_cpu_s": round(max(sink_run.other_cpu, 0.0), 3),
                "idle_subtracted_s": idle,
                "head_start_s": round(t_prod - t_sink, 3),
                "seconds": round(e2e_wall, 3),
                "ticks_per_s": round(self.n / e2e_wall),
                "seconds_from_busy": round(e2e_busy, 3) if e2e_busy else None,
                "ticks_per_s_from_busy": round(self.n / e2e_busy) if e2e_busy else None,
            }
            runs.append(entry)
            shutil.rmtree(wh, ignore_errors=True)
            extra = f", {entry['ticks_per_s_from_busy']:,} by the sink's busy clock" if e2e_busy else ""
            log(f"  e2e run {i}: {entry['ticks_per_s']:>12,} ticks/s ({e2e_wall:.2f} s from producer start to sink "
                f"done, {idle:g} s idle subtracted{extra}); producer alone {self.n / prod_run.wall:,.0f} msgs/s")
        self.result["runs"]["end_to_end"] = runs
        self.best_e2e = max(runs, key=lambda x: x["ticks_per_s"])

    def measure_bytes(self) -> None:
        log("step 5/5: bytes per tick of the step-3 warehouses (parquet, jsonl, jsonl compressed with zstd -3)")
        sizes = {}
        for fmt, wh in self.warehouses.items():
            files = data_files(wh)
            if not files:
                raise BenchError(f"no data files under {wh}/market")
            sizes[fmt] = {"files": len(files), "bytes": sum(f.stat().st_size for f in files)}
        # zstd -3 of each JSONL file (as a lifecycle rule or `zstd` on the lake would do).
        zbytes = 0
        for f in data_files(self.warehouses["jsonl"]):
            out = self.work / "one.jsonl.zst"
            self.capture(["zstd", "-3", "-q", "-f", str(f), "-o", str(out)], f"zstd -3 {f.name}")
            zbytes += out.stat().st_size
            out.unlink()
        sizes["zstd_jsonl"] = {"files": sizes["jsonl"]["files"], "bytes": zbytes}
        rows = parquet_row_count(data_files(self.warehouses["parquet"]))
        if rows is not None and rows != self.n:
            raise BenchError(f"duckdb counts {rows} rows in the parquet warehouse, expected {self.n}")
        for v in sizes.values():
            v["bytes_per_tick"] = round(v["bytes"] / self.n, 2)
        sizes["parquet_rows_checked_by_duckdb"] = rows
        self.result["bytes"] = sizes
        for fmt in ("parquet", "jsonl", "zstd_jsonl"):
            log(f"  {fmt:<10} {sizes[fmt]['bytes'] / 2**20:9.1f} MiB in {sizes[fmt]['files']} files, "
                f"{sizes[fmt]['bytes_per_tick']:.2f} bytes/tick")

    # ---- report ------------------------------------------------------------------------

    def summarise(self) -> list[list[str]]:
        bp, bc, be, by = self.best_produce, self.best_consume, self.best_e2e, self.result["bytes"]
        prod_ratio = bp["ticklake"]["msgs_per_s"] / bp["kcat"]["msgs_per_s"]
        kc = bc["kcat"]["msgs_per_s"]
        pq_rate = bc["parquet"]["msgs_per_s_busy"] or bc["parquet"]["msgs_per_s_wall"]
        js_rate = bc["jsonl"]["msgs_per_s_busy"] or bc["jsonl"]["msgs_per_s_wall"]
        jv_rate = bc["parquet_json_values"]["msgs_per_s_busy"] or bc["parquet_json_values"]["msgs_per_s_wall"]
        ib_rate = bc["parquet_iceberg"]["msgs_per_s_busy"] or bc["parquet_iceberg"]["msgs_per_s_wall"]
        size_ratio = by["parquet"]["bytes"] / by["jsonl"]["bytes"]
        basis = "wall!" if self.busy_missing else "busy"
        figures = {
            "producer_msgs_per_s": bp["ticklake"]["msgs_per_s"],
            "kcat_produce_msgs_per_s": bp["kcat"]["msgs_per_s"],
            "kcat_produce_no_header_msgs_per_s": bp["kcat_no_header"]["msgs_per_s"],
            "producer_vs_kcat_no_header": round(bp["ticklake"]["msgs_per_s"] / bp["kcat_no_header"]["msgs_per_s"], 3),
            "producer_vs_kcat": round(prod_ratio, 3),
            "kcat_consume_msgs_per_s": kc,
            "sink_parquet_msgs_per_s": pq_rate,
            "sink_parquet_msgs_per_s_wall": bc["parquet"]["msgs_per_s_wall"],
            "sink_parquet_vs_kcat": round(pq_rate / kc, 3),
            "sink_parquet_wall_vs_kcat": round(bc["parquet"]["msgs_per_s_wall"] / kc, 3),
            "kcat_consume_no_eof_wait_msgs_per_s": bc["kcat_no_eof_wait"]["msgs_per_s"],
            "sink_parquet_vs_kcat_no_eof_wait": round(pq_rate / bc["kcat_no_eof_wait"]["msgs_per_s"], 3),
            "sink_jsonl_msgs_per_s": js_rate,
            "sink_jsonl_msgs_per_s_wall": bc["jsonl"]["msgs_per_s_wall"],
            "sink_jsonl_vs_kcat": round(js_rate / kc, 3),
            "sink_jsonl_wall_vs_kcat": round(bc["jsonl"]["msgs_per_s_wall"] / kc, 3),
            "sink_json_values_msgs_per_s": jv_rate,
            "sink_json_values_vs_typed": round(jv_rate / pq_rate, 3),
            "sink_iceberg_msgs_per_s": ib_rate,
            "sink_iceberg_vs_parquet": round(ib_rate / pq_rate, 3),
            "sink_rate_basis": "consumed/busy_seconds" if not self.busy_missing else "N/wall (busy_seconds missing)",
            "end_to_end_ticks_per_s": be["ticks_per_s"],
            "end_to_end_ticks_per_s_from_busy": be["ticks_per_s_from_busy"],
            "parquet_bytes_per_tick": by["parquet"]["bytes_per_tick"],
            "jsonl_bytes_per_tick": by["jsonl"]["bytes_per_tick"],
            "zstd_jsonl_bytes_per_tick": by["zstd_jsonl"]["bytes_per_tick"],
            "parquet_vs_jsonl": round(size_ratio, 4),
            "parquet_vs_zstd_jsonl": round(by["parquet"]["bytes"] / by["zstd_jsonl"]["bytes"], 4),
        }
        targets = {
            "sink_parquet_vs_kcat": {"target": f">= {TARGET_SINK_VS_KCAT}", "pass": pq_rate / kc >= TARGET_SINK_VS_KCAT},
            "producer_vs_kcat": {"target": f">= {TARGET_PRODUCER_VS_KCAT}", "pass": prod_ratio >= TARGET_PRODUCER_VS_KCAT},
            "end_to_end_ticks_per_s": {"target": f">= {TARGET_E2E_TICKS_PER_S}",
                                       "pass": be["ticks_per_s"] >= TARGET_E2E_TICKS_PER_S},
            "parquet_vs_jsonl": {"target": f"<= {TARGET_PARQUET_VS_JSONL}", "pass": size_ratio <= TARGET_PARQUET_VS_JSONL},
            "sink_json_values_vs_typed": {"target": f">= {TARGET_JSON_VALUES_VS_TYPED}",
                                          "pass": jv_rate / pq_rate >= TARGET_JSON_VALUES_VS_TYPED},
            "sink_iceberg_vs_parquet": {"target": f">= {TARGET_ICEBERG_VS_PARQUET}",
                                        "pass": ib_rate / pq_rate >= TARGET_ICEBERG_VS_PARQUET},
        }
        self.result["figures"] = figures
        self.result["targets"] = targets

        def verdict(key: str) -> str:
            return "pass" if targets[key]["pass"] else "SHORT"

        def r(x: float) -> str:
            return f"{x:,.0f}"

        e2e_busy = be["ticks_per_s_from_busy"]
        return [
            ["figure", "ticklake", "kcat", "ratio", "target", "result"],
            ["producer vs kcat -P -H type=.., msgs/s", r(bp["ticklake"]["msgs_per_s"]), r(bp["kcat"]["msgs_per_s"]),
             f"{prod_ratio:.2f}x", f">= {TARGET_PRODUCER_VS_KCAT}x kcat", verdict("producer_vs_kcat")],
            ["  vs kcat -P without the type header", r(bp["ticklake"]["msgs_per_s"]),
             r(bp["kcat_no_header"]["msgs_per_s"]),
             f"{bp['ticklake']['msgs_per_s'] / bp['kcat_no_header']['msgs_per_s']:.2f}x", "(reference)", ""],
            [f"sink parquet vs kcat -C, msgs/s ({basis})", r(pq_rate), r(kc), f"{pq_rate / kc:.2f}x",
             f">= {TARGET_SINK_VS_KCAT}x kcat", verdict("sink_parquet_vs_kcat")],
            ["sink parquet vs kcat -C, msgs/s (wall)", r(bc["parquet"]["msgs_per_s_wall"]), r(kc),
             f"{bc['parquet']['msgs_per_s_wall'] / kc:.2f}x", "", ""],
            [f"  vs kcat -C without its 0.5 s EOF wait", r(pq_rate), r(bc["kcat_no_eof_wait"]["msgs_per_s"]),
             f"{pq_rate / bc['kcat_no_eof_wait']['msgs_per_s']:.2f}x", "(stricter)", ""],
            [f"sink jsonl vs kcat -C, msgs/s ({basis})", r(js_rate), r(kc), f"{js_rate / kc:.2f}x", "", ""],
            ["sink jsonl vs kcat -C, msgs/s (wall)", r(bc["jsonl"]["msgs_per_s_wall"]), r(kc),
             f"{bc['jsonl']['msgs_per_s_wall'] / kc:.2f}x", "", ""],
            [f"sink, values as plain JSON : typed, msgs/s ({basis})", r(jv_rate), r(pq_rate) + " (typed)",
             f"{jv_rate / pq_rate:.2f}x", f">= {TARGET_JSON_VALUES_VS_TYPED}x typed", verdict("sink_json_values_vs_typed")],
            [f"sink, Iceberg table : Hive parquet, msgs/s ({basis})", r(ib_rate), r(pq_rate) + " (hive)",
             f"{ib_rate / pq_rate:.2f}x", f">= {TARGET_ICEBERG_VS_PARQUET}x hive", verdict("sink_iceberg_vs_parquet")],
            ["end to end (sim -> Kafka -> parquet), ticks/s", r(be["ticks_per_s"]), "", "", f">= {TARGET_E2E_TICKS_PER_S:,}",
             verdict("end_to_end_ticks_per_s")],
            ["  (by the sink's busy clock)", r(e2e_busy) if e2e_busy else "n/a", "", "", "", ""],
            ["bytes/tick, parquet : jsonl", f"{by['parquet']['bytes_per_tick']:.2f}",
             f"{by['jsonl']['bytes_per_tick']:.2f}", f"{size_ratio:.3f}x", f"<= {TARGET_PARQUET_VS_JSONL}x jsonl",
             verdict("parquet_vs_jsonl")],
            ["bytes/tick, jsonl zstd -3", f"{by['zstd_jsonl']['bytes_per_tick']:.2f}", "",
             f"{by['parquet']['bytes'] / by['zstd_jsonl']['bytes']:.3f}x", "(parquet : zstd jsonl)", ""],
        ]

    def cpu_table(self) -> list[list[str]]:
        """CPU-us per message of every timed process (lowest of its runs), with the broker's CPU
        during the same run and kcat's as the reference."""
        n = self.n
        runs = self.result["runs"]

        def us(entries: list[dict], key: str = "cpu_s") -> float:
            return min(e[key] for e in entries) / n * 1e6

        prod, cons = runs["produce"], runs["consume"]
        e2e = runs["end_to_end"]
        figures = {
            "producer_cpu_us_per_msg": us(prod["ticklake"]),
            "kcat_produce_cpu_us_per_msg": us(prod["kcat"]),
            "broker_cpu_us_per_msg_producer": us(prod["ticklake"], "broker_cpu_s"),
            "broker_cpu_us_per_msg_kcat_produce": us(prod["kcat"], "broker_cpu_s"),
            "kcat_consume_cpu_us_per_msg": us(cons["kcat_no_eof_wait"]),
            "sink_parquet_cpu_us_per_msg": us(cons["parquet"]),
            "sink_jsonl_cpu_us_per_msg": us(cons["jsonl"]),
            "sink_json_values_cpu_us_per_msg": us(cons["parquet_json_values"]),
            "sink_iceberg_cpu_us_per_msg": us(cons["parquet_iceberg"]),
            "broker_cpu_us_per_msg_sink_parquet": us(cons["parquet"], "broker_cpu_s"),
            "broker_cpu_us_per_msg_sink_jsonl": us(cons["jsonl"], "broker_cpu_s"),
            "broker_cpu_us_per_msg_kcat_consume": us(cons["kcat_no_eof_wait"], "broker_cpu_s"),
            "e2e_producer_cpu_us_per_msg": min(x["producer"]["cpu_s"] for x in e2e) / n * 1e6,
            "e2e_sink_cpu_us_per_msg": min(x["sink"]["cpu_s"] for x in e2e) / n * 1e6,
            "e2e_broker_cpu_us_per_msg": min(x["sink"]["broker_cpu_s"] for x in e2e) / n * 1e6,
        }
        self.result["cpu_figures"] = {k: round(v, 3) for k, v in figures.items()}
        f = figures
        kp, kc = f["kcat_produce_cpu_us_per_msg"], f["kcat_consume_cpu_us_per_msg"]
        prod_ratio = f["producer_cpu_us_per_msg"] / kp
        self.result["targets_cpu"] = {
            "sink_parquet_cpu_us_per_msg": {"target": f"<= {TARGET_SINK_PARQUET_CPU_US}",
                                            "pass": f["sink_parquet_cpu_us_per_msg"] <= TARGET_SINK_PARQUET_CPU_US},
            "sink_jsonl_cpu_us_per_msg": {"target": f"<= {TARGET_SINK_JSONL_CPU_US}",
                                          "pass": f["sink_jsonl_cpu_us_per_msg"] <= TARGET_SINK_JSONL_CPU_US},
            "producer_cpu_vs_kcat": {"target": f"<= {TARGET_PRODUCER_CPU_VS_KCAT}",
                                     "pass": prod_ratio <= TARGET_PRODUCER_CPU_VS_KCAT},
        }
        t = self.result["targets_cpu"]

        def verdict(key: str) -> str:
            return "pass" if t[key]["pass"] else "SHORT"

        def c(x: float) -> str:
            return f"{x:.3f}"

        return [
            ["CPU-us per message (user+sys)", "ticklake", "kcat", "ratio", "broker", "target", "result"],
            ["producer vs kcat -P -H type=..", c(f["producer_cpu_us_per_msg"]), c(kp), f"{prod_ratio:.2f}x",
             c(f["broker_cpu_us_per_msg_producer"]), f"<= {TARGET_PRODUCER_CPU_VS_KCAT}x kcat",
             verdict("producer_cpu_vs_kcat")],
            ["sink parquet vs kcat -C", c(f["sink_parquet_cpu_us_per_msg"]), c(kc),
             f"{f['sink_parquet_cpu_us_per_msg'] / kc:.2f}x", c(f["broker_cpu_us_per_msg_sink_parquet"]),
             f"<= {TARGET_SINK_PARQUET_CPU_US} us", verdict("sink_parquet_cpu_us_per_msg")],
            ["sink jsonl vs kcat -C", c(f["sink_jsonl_cpu_us_per_msg"]), c(kc),
             f"{f['sink_jsonl_cpu_us_per_msg'] / kc:.2f}x", c(f["broker_cpu_us_per_msg_sink_jsonl"]),
             f"<= {TARGET_SINK_JSONL_CPU_US} us", verdict("sink_jsonl_cpu_us_per_msg")],
            ["sink parquet, values as plain JSON", c(f["sink_json_values_cpu_us_per_msg"]), c(kc),
             f"{f['sink_json_values_cpu_us_per_msg'] / kc:.2f}x", "", "", ""],
            ["sink parquet, Iceberg table", c(f["sink_iceberg_cpu_us_per_msg"]), c(kc),
             f"{f['sink_iceberg_cpu_us_per_msg'] / kc:.2f}x", "", "", ""],
            ["kcat -C itself (broker during it)", "", c(kc), "", c(f["broker_cpu_us_per_msg_kcat_consume"]), "", ""],
            ["end to end: producer / sink / broker", f"{c(f['e2e_producer_cpu_us_per_msg'])} / "
             f"{c(f['e2e_sink_cpu_us_per_msg'])}", "", "", c(f["e2e_broker_cpu_us_per_msg"]), "", ""],
        ]

    def execute(self) -> int:
        started = self.started
        self.result |= {
            "benchmark": "pipeline",
            "started_utc": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "count": self.n,
            "quick": self.args.quick,
            "repeat": self.args.repeat,
            "best_of": self.args.repeat,
            "machine": machine_facts(self.bin),
        }
        self.result["machine"]["loadavg_start"] = os.getloadavg()
        log(f"ticklake pipeline benchmark: N={self.n:,}, best of {self.args.repeat}, binary {self.bin}, "
            f"work folder {self.work}, load average {os.getloadavg()[0]:.2f}")
        self.start_broker()
        self.result["broker"] = self.broker
        self.prepare_messages()
        self.bench_producers()
        self.bench_sinks()
        self.bench_end_to_end()
        self.measure_bytes()
        table = self.summarise()
        cpu_table = self.cpu_table()
        self.result["machine"]["loadavg_end"] = os.getloadavg()
        self.result["finished_utc"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

        out_dir = Path(self.args.results_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / f"pipeline-{self.stamp}.json"
        out.write_text(json.dumps(self.result, indent=2) + "\n")

        m = self.result["machine"]
        print()
        print(f"ticklake pipeline benchmark, {self.n:,} messages, best of {self.args.repeat} runs each, "
              f"one private broker on this machine")
        print(f"{m['nproc']} CPUs ({m['cpu_model']}), {m['kcat']}, ticklake {m['git_commit'][:10]}"
              f"{' (dirty tree)' if m['git_dirty'] else ''}, load avg {m['loadavg_start'][0]:.2f} -> "
              f"{m['loadavg_end'][0]:.2f}")
        print(format_table(cpu_table))
        print()
        print(format_table(table))
        notes = []
        if self.busy_missing:
            notes.append("busy_seconds is missing from the sink's summary (binary predates it): sink rates are N/wall, "
                         "which includes the 1 s --until-idle tail and group join.")
        notes.append(f"end to end = N / (producer start -> sink exit - {self.args.e2e_idle:g} s --until-idle tail); "
                     "the sink's last files are written and committed in its final flush, before it exits.")
        notes.append("CPU-us per message = user+sys of the process / messages, the lowest of its runs; broker = the "
                     "broker JVM's CPU during that run / messages; kcat -C is the run with fetch.wait.max.ms=10.")
        notes.append("sink (busy) = consumed / busy_seconds: from subscribe (group join included) to the last message, "
                     "plus the final flush; (wall) also holds process start and the 1 s --until-idle tail.")
        others = [x["other_cpu_s"] for k in ("produce", "consume") for v in self.result["runs"][k].values() for x in v]
        others += [x["other_cpu_s"] for x in self.result["runs"]["end_to_end"]]
        if others and max(others) > 0.5:
            notes.append(f"other load on the machine during timed runs: up to {max(others):.1f} CPU-s per run "
                         "(see other_cpu_s in the JSON).")
        for n in notes:
            print(f"note: {n}")
        print(f"result: {out}")
        self.ok = True
        return 0


# ---- helpers -------------------------------------------------------------------------------


def shell_join(cmd: list[str]) -> str:
    import shlex
    return " ".join(shlex.quote(c) for c in cmd)


def read_json(path: Path, what: str) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise BenchError(f"{what}: cannot read its summary {path}: {e}") from e


def data_files(warehouse: Path) -> list[Path]:
    """Data files of the sink under <warehouse>/market; its bookkeeping (_ticklake/) lives elsewhere."""
    root = warehouse / "market"
    return sorted(p for p in root.rglob("*") if p.is_file() and not any(part.startswith("_") for part in
                                                                           p.relative_to(root).parts))


def parquet_row_count(files: list[Path]) -> int | None:
    try:
        import duckdb
    except ImportError:
        return None
    con = duckdb.connect()
    return sum(con.execute("SELECT count(*) FROM read_parquet(?)", [str(f)]).fetchone()[0] for f in files)



def machine_facts(binary: str) -> dict:
    cpu_model = "unknown"
    try:
        m = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu_model = m.group(1).strip() if m else cpu_model
    except OSError:
        pass
    mem_kib = 0
    try:
        m = re.search(r"^MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text(), re.M)
        mem_kib = int(m.group(1)) if m else 0
    except OSError:
        pass

    def out(cmd: list[str]) -> str:
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=30)
            return (p.stdout + p.stderr).strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    kv = out(["kcat", "-V"])
    m = re.search(r"Version (\S+) .*?librdkafka (\S+)", kv)
    kcat = f"kcat {m.group(1)}, librdkafka {m.group(2)}" if m else kv.splitlines()[0] if kv else "kcat ?"
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "mem_gib": round(mem_kib / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "kcat": kcat,
        "ticklake_version": out([binary, "--version"]),
        "ticklake_binary": str(Path(binary).resolve()),
        "git_commit": out(["git", "rev-parse", "HEAD"]) or "unknown",
        "git_dirty": bool(out(["git", "status", "--porcelain", "--untracked-files=no"])),
    }


def format_table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    right = {1, 2, 3}

    def line(r: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(rows[0]), sep] + [line(r) for r in rows[1:]])


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="ticklake system benchmark: producer and sink against kcat on one "
                                             "private broker (see bench/README.md).")
    ap.add_argument("--count", type=int, default=None, help="messages per run (default 2,000,000; 200,000 with --quick)")
    ap.add_argument("--quick", action="store_true", help="a short run: 200,000 messages")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each timed step; the best is kept (default 2)")
    ap.add_argument("--bin", default=os.environ.get("TICKLAKE_BIN", str(REPO / "build" / "ticklake")),
                    help="ticklake binary (env TICKLAKE_BIN; default build/ticklake)")
    ap.add_argument("--results-dir", default=str(REPO / "bench" / "results"), help="where the JSON result goes")
    ap.add_argument("--workdir", default=None, help="parent of the temporary work folder (default $TMPDIR or /tmp)")
    ap.add_argument("--e2e-idle", type=float, default=2.0,
                    help="--until-idle of the end-to-end sink, subtracted from its time (default 2 s; with 1 s the "
                         "sink may give up before the producer's first batch arrives)")
    ap.add_argument("--e2e-head-start", type=float, default=0.3,
                    help="seconds between starting the end-to-end sink and its producer (default 0.3)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (messages, warehouses, logs)")
    args = ap.parse_args(argv)
    if args.count is None:
        args.count = 200_000 if args.quick else 2_000_000
    if args.count <= 0 or args.repeat <= 0:
        ap.error("--count and --repeat must be positive")
    if args.e2e_head_start >= args.e2e_idle:
        ap.error("--e2e-head-start must be shorter than --e2e-idle, or the sink may exit before any data comes")
    return args


def preflight(args: argparse.Namespace) -> None:
    if not (os.path.isfile(args.bin) and os.access(args.bin, os.X_OK)):
        raise BenchError(f"no ticklake binary at {args.bin}: run `make build` or set TICKLAKE_BIN")
    for tool in ("kcat", "zstd"):
        if not shutil.which(tool):
            raise BenchError(f"`{tool}` is not on PATH (Debian package {tool}; `make setup` installs it)")


def run_bench(make_bench, name: str) -> int:
    """Runs a bench to its end: SIGINT/SIGTERM interrupt it, and its work is cleaned up whatever
    happens. 0 done, 1 failed, 130 interrupted (what every bench script returns)."""
    def on_signal(signum, _frame):
        raise Interrupted(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    bench = make_bench()
    try:
        return bench.execute()
    except BenchError as e:
        print(f"{name}: FAILED: {e}", file=sys.stderr)
        return 1
    except Interrupted as e:
        print(f"{name}: interrupted ({e}); cleaning up", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        bench.cleanup()


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        preflight(args)
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2
    return run_bench(lambda: Bench(args), "bench")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
