#!/usr/bin/env python3
"""The peers in one run (`make bench-peers`, issue #16 item 4).

One private broker, one topic of simulated ticks (`ticklake produce --source sim`, --count ticks
over 2 trading days, 50 symbols, seed 7, --partitions partitions), and every consumer of it on
the same machine in the same run, --repeat rounds (default 2, the best rate kept). The topic is
uncompressed (`--compression none`; `make bench` uses lz4): kafka-python reads no lz4 without
the `lz4` package, and the tutorial's producer sends uncompressed anyway.

  kcat -C                       the ceiling: the values to a file, nothing parsed
  ticklake sink parquet         and jsonl (registering into a private catalog, as by default)
  confluent-kafka + pyarrow     bench/peers/confluent_pyarrow_consumer.py: batches, a Parquet
                                file per N rows per partition, a synchronous commit after each
  the tutorial's consumer       bench/peers/tutorial_consumer.py: kafka-python, one JSON file
                                per message, capped (--tutorial-cap messages or --tutorial-seconds)
  Spark Structured Streaming    bench/peers/spark_streaming_consumer.py: Kafka source to Parquet
                                with a checkpoint, trigger availableNow, local[2] (--no-spark: off)

Each row: msgs/s on the busy clock (the process's own start-up, the JVM's for Spark, not in it)
and on the wall clock, CPU-us per message (user+sys of the process tree: its own rusage with its
waited-for children, or the sum over its processes sampled from /proc, whichever is more), the
broker's CPU per message meanwhile, the tree's peak RSS, output bytes per message, and the check
that the output holds every row: DuckDB counts the ids in the output files, and the count, the
distinct count and the ids found in kcat's dump of the topic must all equal what was produced
(the tutorial: what it consumed before its cap). The round with the best busy rate is reported.

Then the same 5 questions over the trades of ticklake's Parquet warehouse: `ticklake query -w`
(the whole process), DuckDB-Python on the same files (connect, view, query), and Spark SQL on the
same files (a warm session; its start-up reported apart); best of --query-repeat, answers
cross-checked equal.

  bench/peers_bench.py                              1,000,000 ticks, 6 partitions
  bench/peers_bench.py --count 20000 --no-spark     the short form (tests/integration)
Prints two markdown tables and writes bench/results/peers-<stamp>.json (see bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import pipeline_bench as pb  # noqa: E402
from pipeline_bench import BenchError, log  # noqa: E402

PEERS = REPO / "bench" / "peers"
TOPIC = "peers-src"
SYMBOLS = 50
SEED = 7
DAYS = 2
PAGE = os.sysconf("SC_PAGE_SIZE")
HZ = os.sysconf("SC_CLK_TCK")
SELF_CMDLINE = Path("/proc/self/cmdline").read_bytes()

ROW_NAMES = {
    "kcat": "`kcat -C` (ceiling)",
    "sink_parquet": "`ticklake sink` Parquet",
    "sink_jsonl": "`ticklake sink` JSONL",
    "confluent_pyarrow": "confluent-kafka + pyarrow",
    "tutorial": "tutorial consumer (kafka-python)",
    "spark": "Spark Structured Streaming",
}

QUESTIONS = [
    ("count", "SELECT count(*) AS n FROM {trades}"),
    ("VWAP per symbol", "SELECT symbol, sum(price * size) / sum(size) AS vwap FROM {trades} GROUP BY symbol "
                        "ORDER BY symbol"),
    ("OHLC per minute, {symbol}", "SELECT date_trunc('minute', ts) AS minute, min_by(price, ts) AS open, "
                                  "max(price) AS high, min(price) AS low, max_by(price, ts) AS close, count(*) AS n "
                                  "FROM {trades} WHERE symbol = '{symbol}' GROUP BY 1 ORDER BY 1"),
    ("top 10 symbols by volume", "SELECT symbol, sum(size) AS volume FROM {trades} GROUP BY symbol "
                                 "ORDER BY volume DESC, symbol LIMIT 10"),
    ("one-day filter count ({day})", "SELECT count(*) AS n FROM {trades} WHERE dt = DATE '{day}'"),
]


# ---- the process tree: CPU and RSS from /proc ------------------------------------------------


def _stat(pid: int, parent_cmdline: bytes | None) -> tuple[int, float, int, int] | None:
    """(start time, utime+stime seconds, RSS bytes, peak RSS bytes) of one process, None once it
    is gone or still its parent's image. The peak is the kernel's VmHWM of the process's own memory
    since its exec (rusage's ru_maxrss would also count the forking parent's memory before the exec)."""
    try:
        if parent_cmdline is not None and _cmdline(pid) == parent_cmdline:
            return None  # forked (or vforked: the same memory), not yet exec'd: counted in its parent
        s = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    f = s[s.rindex(")") + 2:].split()
    mem = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
    return int(f[19]), (int(f[11]) + int(f[12])) / HZ, int(mem.get("VmRSS", 0)) * 1024, int(mem.get("VmHWM", 0)) * 1024


def _cmdline(pid: int) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None


def _children(pid: int) -> list[int]:
    out = []
    for t in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            out += [int(x) for x in Path(t).read_text().split()]
        except OSError:
            pass
    return out


class TreeSampler(threading.Thread):
    """Samples a process and its descendants every `interval` s: the sum of their RSS (its peak)
    and each process's own CPU time (the last seen), keyed by (pid, start time) so a process that
    was reparented after its parent died is still followed."""

    def __init__(self, root: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.cpu: dict[tuple[int, int], float] = {}
        self.peak_rss = 0  # the largest sum of the tree's RSS in one sample
        self.hwm: dict[tuple[int, int], int] = {}
        self.max_procs = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.interval)

    def sample(self) -> None:
        parent, todo = {self.root: None}, [self.root]
        while todo:
            p = todo.pop()
            for c in _children(p):
                if c not in parent:
                    parent[c] = p
                    todo.append(c)
        tree = set(parent)
        tracked = {pid: start for pid, start in self.cpu}
        cmdlines: dict[int, bytes | None] = {}
        rss = alive = 0
        for pid in tree | set(tracked):
            if pid in tree:
                pp = parent[pid]
                if pp is None:
                    parent_cmdline = SELF_CMDLINE
                else:
                    if pp not in cmdlines:
                        cmdlines[pp] = _cmdline(pp)
                    parent_cmdline = cmdlines[pp]
            else:
                parent_cmdline = None
            st = _stat(pid, parent_cmdline)
            if st is None:
                continue
            start, cpu, r, hwm = st
            if pid not in tree and tracked.get(pid) != start:
                continue  # the pid was reused by a process outside the tree
            self.cpu[(pid, start)] = cpu
            if hwm:  # the last seen: VmHWM only grows within one exec (a zombie has none)
                self.hwm[(pid, start)] = hwm
            rss += r
            alive += 1
        self.peak_rss = max(self.peak_rss, rss)
        self.max_procs = max(self.max_procs, alive)

    @property
    def peak_single(self) -> int:
        """The largest VmHWM of one process of the tree."""
        return max(self.hwm.values(), default=0)

    @property
    def cpu_total(self) -> float:
        return sum(self.cpu.values())


class PeersBench(pb.Bench):
    def __init__(self, args: argparse.Namespace):
        super().__init__(args)
        # pipeline_bench names its log folder after itself: ours is peers-<stamp>.logs.
        shutil.rmtree(self.logs, ignore_errors=True)
        self.logs = Path(args.results_dir) / f"peers-{self.stamp}.logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        pb.PARTITIONS = args.partitions  # create_topic / end_offsets read it
        self.py = sys.executable
        # Other builds may relink the binary mid-run: every timed command uses a copy taken now (the
        # broker is started and stopped by the original, which finds the Kafka jars beside it).
        self.broker_bin = self.bin
        self.bin = str(self.work / "ticklake")
        shutil.copy2(Path(self.broker_bin).resolve(), self.bin)  # keeps the build's mtime
        self.bin_identity = binary_identity(self.bin) | {"path": str(Path(self.broker_bin).resolve())}
        self.runs: dict[str, list[dict]] = {k: [] for k in ROW_NAMES}
        self.failed: dict[str, str] = {}
        self.ids_ref: Path | None = None
        self.sink_warehouse: Path | None = None

    def start_broker(self) -> None:
        own, self.bin = self.bin, self.broker_bin
        try:
            super().start_broker()
        finally:
            self.bin = own

    def stop_broker(self) -> None:
        own, self.bin = self.bin, self.broker_bin
        try:
            super().stop_broker()
        finally:
            self.bin = own

    # ---- one timed process tree -----------------------------------------------------------

    def run_tree(self, cmd: list[str], what: str, stdout_path: Path | None = None, env: dict | None = None,
                 timeout: float | None = None) -> dict:
        err = self._stderr_path(what)
        stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
        try:
            with open(err, "wb") as errf:
                (_, busy0), broker0 = pb.cpu_total_and_busy(), pb.process_cpu_seconds(self.broker_pid)
                t0 = time.perf_counter()
                try:
                    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=errf,
                                         env=(os.environ | env) if env else None)
                except OSError as e:
                    raise BenchError(f"{what}: cannot run {cmd[0]}: {e}") from e
                self.children.append(p)
                sampler = TreeSampler(p.pid)
                sampler.start()
                timer = None
                if timeout:
                    timer = threading.Timer(timeout, p.kill)
                    timer.start()
                _, status, usage = os.wait4(p.pid, 0)
                wall = time.perf_counter() - t0
                if timer:
                    timer.cancel()
                sampler.stop.set()
                sampler.join()
                p.returncode = os.waitstatus_to_exitcode(status)
                self.children.remove(p)
        finally:
            if stdout_path:
                stdout.close()
        _, busy1 = pb.cpu_total_and_busy()
        broker_cpu = pb.process_cpu_seconds(self.broker_pid) - broker0
        if p.returncode != 0:
            raise BenchError(f"{what} failed (exit {p.returncode}):\n  $ {pb.shell_join(cmd)}\n"
                             f"  stderr (last lines, full log {err}):\n{pb.tail(err)}")
        rusage_cpu = usage.ru_utime + usage.ru_stime
        cpu = max(rusage_cpu, sampler.cpu_total)
        return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "cpu_s_rusage": round(rusage_cpu, 3),
                "cpu_s_sampled": round(sampler.cpu_total, 3), "broker_cpu_s": round(broker_cpu, 3),
                "other_cpu_s": round(max((busy1 - busy0) - cpu - broker_cpu, 0.0), 3),
                "peak_rss_bytes": max(sampler.peak_single, sampler.peak_rss),
                "peak_rss_tree_sampled_bytes": sampler.peak_rss, "peak_rss_one_process_bytes": sampler.peak_single,
                "processes": sampler.max_procs,
                "stderr": str(err)}

    # ---- checks -------------------------------------------------------------------------------

    def check_ids(self, name: str, source_sql: str, expected: int) -> dict:
        """count(id), count(DISTINCT id) and ids outside the topic (kcat's dump) of one output."""
        import duckdb
        con = duckdb.connect()
        n, distinct = con.execute(f"SELECT count(id), count(DISTINCT id) FROM {source_sql}").fetchone()
        outside = None
        if self.ids_ref is not None:
            outside = con.execute(f"SELECT count(*) FROM (SELECT DISTINCT id FROM {source_sql}) o "
                                  f"ANTI JOIN read_parquet('{self.ids_ref}') r USING (id)").fetchone()[0]
        con.close()
        ok = n == expected and distinct == expected and (outside in (None, 0))
        check = {"ids": n, "distinct_ids": distinct, "ids_not_in_topic": outside, "expected": expected, "ok": ok}
        if not ok:
            raise BenchError(f"{name}: its output holds {n} ids, {distinct} distinct, {outside} not in the topic; "
                             f"expected {expected}")
        return check

    @staticmethod
    def files_bytes(files: list[Path]) -> int:
        return sum(f.stat().st_size for f in files)

    # ---- the peers ------------------------------------------------------------------------------

    def peer_kcat(self, i: int) -> dict:
        out = self.work / f"kcat-{i}.jsonl"
        r = self.run_tree(["kcat", "-C", "-b", self.broker, "-t", TOPIC, "-o", "beginning", "-e", "-q", "-f", "%s\n",
                           "-X", "fetch.wait.max.ms=10"], f"kcat -C run {i}", stdout_path=out)
        src = f"read_json('{out}', columns = {{id: 'VARCHAR'}}, format = 'newline_delimited')"
        if self.ids_ref is None:
            ref = self.work / "topic-ids.parquet"
            import duckdb
            duckdb.execute(f"COPY (SELECT id FROM {src}) TO '{ref}' (FORMAT parquet)")
            self.ids_ref = ref
        r |= {"consumed": self.n, "busy_s": r["wall_s"], "out_bytes": out.stat().st_size, "out_files": 1,
              "check": self.check_ids("kcat -C", src, self.n)}
        out.unlink()
        return r

    def peer_sink(self, fmt: str, i: int) -> dict:
        wh = self.work / f"wh-{fmt}-{i}"
        summary = self.work / f"sink-{fmt}-{i}.json"
        cmd = self.sink_cmd(TOPIC, f"peers-{fmt}-{i}", wh, fmt, summary, 1,
                            ("--catalog", str(self.work / f"catalog-{fmt}-{i}.db")))
        r = self.run_tree(cmd, f"sink {fmt} run {i}")
        s = pb.read_json(summary, f"sink {fmt}")
        self.check_sink_summary(s, f"sink {fmt} run {i}", summary)
        files = pb.data_files(wh)
        if fmt == "parquet":
            src = f"read_parquet({[str(f) for f in files]}, union_by_name = true)"
        else:
            src = f"read_json({[str(f) for f in files]}, columns = {{id: 'VARCHAR'}}, format = 'newline_delimited')"
        r |= {"consumed": s["consumed"], "busy_s": s.get("busy_seconds") or r["wall_s"], "summary": s,
              "out_bytes": self.files_bytes(files), "out_files": len(files),
              "check": self.check_ids(f"sink {fmt}", src, self.n)}
        if fmt == "parquet" and self.sink_warehouse is None:
            self.sink_warehouse = wh  # the query comparison reads it
        else:
            shutil.rmtree(wh, ignore_errors=True)
        return r

    def peer_confluent(self, i: int) -> dict:
        out, summary = self.work / f"confluent-{i}", self.work / f"confluent-{i}.json"
        r = self.run_tree([self.py, str(PEERS / "confluent_pyarrow_consumer.py"), "--bootstrap", self.broker,
                           "--topic", TOPIC, "--group", f"peers-confluent-{i}", "--out", str(out),
                           "--summary-json", str(summary), "--rows-per-file", str(self.args.rows_per_file)],
                          f"confluent-kafka + pyarrow run {i}")
        s = pb.read_json(summary, "confluent-kafka + pyarrow")
        files = sorted(out.rglob("*.parquet"))
        r |= {"consumed": s["consumed"], "busy_s": s["busy_seconds"], "summary": s,
              "out_bytes": self.files_bytes(files), "out_files": len(files),
              "check": self.check_ids("confluent-kafka + pyarrow",
                                      f"read_parquet({[str(f) for f in files]}, union_by_name = true)", self.n)}
        shutil.rmtree(out, ignore_errors=True)
        return r

    def peer_tutorial(self, i: int) -> dict:
        out, summary = self.work / f"tutorial-{i}", self.work / f"tutorial-{i}.json"
        cap = min(self.args.tutorial_cap, self.n)
        r = self.run_tree([self.py, str(PEERS / "tutorial_consumer.py"), "--bootstrap", self.broker, "--topic", TOPIC,
                           "--out", str(out), "--summary-json", str(summary), "--max-messages", str(cap),
                           "--max-seconds", f"{self.args.tutorial_seconds:g}"], f"tutorial consumer run {i}")
        s = pb.read_json(summary, "tutorial consumer")
        files = list(out.iterdir())
        if s["consumed"] != len(files):
            raise BenchError(f"tutorial consumer: {s['consumed']} messages consumed but {len(files)} files")
        r |= {"consumed": s["consumed"], "busy_s": s["busy_seconds"], "summary": s,
              "out_bytes": self.files_bytes(files), "out_files": len(files),
              "out_disk_bytes": sum(f.stat().st_blocks * 512 for f in files),
              "check": self.check_ids("tutorial consumer", f"read_json('{out}/*.json', columns = {{id: 'VARCHAR'}})",
                                      s["consumed"])}
        shutil.rmtree(out, ignore_errors=True)
        return r

    def peer_spark(self, i: int) -> dict:
        out, ckpt = self.work / f"spark-{i}", self.work / f"spark-ckpt-{i}"
        summary = self.work / f"spark-{i}.json"
        r = self.run_tree([self.py, str(PEERS / "spark_streaming_consumer.py"), "--bootstrap", self.broker,
                           "--topic", TOPIC, "--out", str(out), "--checkpoint", str(ckpt), "--summary-json",
                           str(summary), "--master", "local[2]"], f"spark structured streaming run {i}",
                          env={"TZ": "UTC", "SPARK_LOCAL_IP": "127.0.0.1"}, timeout=self.args.spark_timeout)
        s = pb.read_json(summary, "spark structured streaming")
        files = sorted(out.glob("*/*.parquet"))  # the data files (not .crc, _spark_metadata, the checkpoint)
        r |= {"consumed": s["consumed"], "busy_s": s["busy_seconds"], "summary": s,
              "out_bytes": self.files_bytes(files), "out_files": len(files),
              "check": self.check_ids("spark structured streaming",
                                      f"read_parquet({[str(f) for f in files]}, union_by_name = true)", self.n)}
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(ckpt, ignore_errors=True)
        return r

    def one(self, key: str, fn, i: int) -> None:
        try:
            r = fn(i)
        except BenchError as e:
            if key != "spark":
                raise
            self.failed[key] = str(e)
            log(f"  {key}: FAILED: {str(e)[:2000]}")
            return
        r["msgs_per_s_busy"] = round(r["consumed"] / r["busy_s"]) if r["busy_s"] > 0 else None
        r["msgs_per_s_wall"] = round(r["consumed"] / r["wall_s"])
        r["cpu_us_per_msg"] = round(r["cpu_s"] / r["consumed"] * 1e6, 3)
        r["broker_cpu_us_per_msg"] = round(r["broker_cpu_s"] / r["consumed"] * 1e6, 3)
        r["out_bytes_per_msg"] = round(r["out_bytes"] / r["consumed"], 2)
        self.runs[key].append(r)
        log(f"  {key:<18} run {i}: {r['msgs_per_s_busy']:>10,} msgs/s busy, {r['msgs_per_s_wall']:>10,} wall "
            f"({r['wall_s']:.2f} s), {r['cpu_us_per_msg']:.2f} CPU-us/msg, peak RSS "
            f"{r['peak_rss_bytes'] / 2**20:.0f} MiB, {r['out_bytes_per_msg']:.1f} B/msg, "
            f"rows checked {r['check']['ids']:,}")

    # ---- queries --------------------------------------------------------------------------------

    def bench_queries(self) -> list[dict]:
        import duckdb
        wh = self.sink_warehouse
        glob_trades = f"{wh}/market/trades/**/*.parquet"  # dt=, month=, ... as the sink chose
        con = duckdb.connect()
        days = [str(r[0]) for r in con.execute(f"SELECT DISTINCT dt FROM read_parquet('{glob_trades}', "
                                               f"hive_partitioning = true) ORDER BY 1").fetchall()]
        symbols = [r[0] for r in con.execute(f"SELECT DISTINCT symbol FROM read_parquet('{glob_trades}') "
                                             f"ORDER BY 1").fetchall()]
        con.close()
        symbol = "AAPL" if "AAPL" in symbols else symbols[0]
        day = days[-1]
        qs = [{"name": n.format(symbol=symbol, day=day), "sql": s.replace("{symbol}", symbol).replace("{day}", day)}
              for n, s in QUESTIONS]
        rep = self.args.query_repeat
        log(f"queries: {len(qs)} questions over the trades of {wh} (days {days}), best of {rep}")
        spark = None
        if not self.args.no_spark:
            qfile, sout = self.work / "questions.json", self.work / "spark-sql.json"
            qfile.write_text(json.dumps(qs))
            try:
                r = self.run_tree([self.py, str(PEERS / "spark_sql_queries.py"), "--warehouse", str(wh),
                                   "--questions", str(qfile), "--out", str(sout), "--repeat", str(rep)],
                                  "spark sql queries", env={"TZ": "UTC", "SPARK_LOCAL_IP": "127.0.0.1"},
                                  timeout=self.args.spark_timeout)
                spark = pb.read_json(sout, "spark sql") | {"process": r}
            except BenchError as e:
                self.failed["spark_sql"] = str(e)
                log(f"  spark sql: FAILED: {str(e)[:2000]}")
        self.result["spark_sql"] = {k: v for k, v in (spark or {}).items() if k != "questions"}
        # The floor of each: a whole `ticklake query` process for SELECT 1 (start, DuckDB loaded, the
        # warehouse's tables listed), and DuckDB-Python's connect + SELECT 1.
        floor_tl, floor_duck = [], []
        for _ in range(rep):
            t0 = time.perf_counter()
            subprocess.run([self.bin, "query", "-w", str(wh), "--format", "csv", "-q", "SELECT 1"], capture_output=True,
                           check=True)
            floor_tl.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            con = duckdb.connect()
            con.execute("SELECT 1").fetchall()
            con.close()
            floor_duck.append(time.perf_counter() - t0)
        self.result["query_floor"] = {"ticklake_query_select_1_s": round(min(floor_tl), 4),
                                      "duckdb_connect_select_1_s": round(min(floor_duck), 4)}
        out = []
        for k, q in enumerate(qs):
            tl_times, tl_engine, duck_times = [], [], []
            tl_answer = duck_answer = None
            for _ in range(rep):
                t0 = time.perf_counter()
                p = subprocess.run([self.bin, "query", "-w", str(wh), "--format", "jsonl",
                                    q["sql"].format(trades="market.trades")], capture_output=True, text=True)
                tl_times.append(time.perf_counter() - t0)
                if p.returncode != 0:
                    raise BenchError(f"ticklake query {q['name']!r} failed:\n{p.stderr[-2000:]}")
                tl_answer = [list(json.loads(line).values()) for line in p.stdout.splitlines() if line.strip()]
                m = re.search(r"rows? in ([\d.]+) s", p.stderr)
                if m:
                    tl_engine.append(float(m.group(1)))
                t0 = time.perf_counter()
                con = duckdb.connect()
                con.execute(f"CREATE VIEW trades AS SELECT * FROM read_parquet('{glob_trades}', "
                            f"hive_partitioning = true)")
                duck_answer = [list(r) for r in con.execute(q["sql"].format(trades="trades")).fetchall()]
                duck_times.append(time.perf_counter() - t0)
                con.close()
            if not answers_equal(tl_answer, duck_answer):
                raise BenchError(f"{q['name']}: ticklake query and DuckDB answer differently:\n"
                                 f"  {tl_answer[:5]}\n  {duck_answer[:5]}")
            entry = {"name": q["name"], "sql": q["sql"], "rows": len(duck_answer),
                     "ticklake_query_s": [round(t, 4) for t in tl_times],
                     "ticklake_engine_s": tl_engine, "duckdb_s": [round(t, 4) for t in duck_times],
                     "answer_head": [[plain(v) for v in r] for r in duck_answer[:3]]}
            if spark:
                sq = spark["questions"][k]
                if not answers_equal(sq["answer"], duck_answer):
                    raise BenchError(f"{q['name']}: Spark SQL and DuckDB answer differently:\n"
                                     f"  {sq['answer'][:5]}\n  {[[plain(v) for v in r] for r in duck_answer[:5]]}")
                entry["spark_s"] = sq["times"]
            entry["answers_equal"] = "ticklake = DuckDB" + (" = Spark" if spark else "")
            out.append(entry)
            log(f"  {q['name']:<32} ticklake query {min(tl_times):.3f} s, DuckDB {min(duck_times):.3f} s"
                + (f", Spark SQL {min(entry['spark_s']):.3f} s" if spark else "") + f" ({len(duck_answer)} rows)")
        return out

    # ---- report ---------------------------------------------------------------------------------

    def best(self, key: str) -> dict | None:
        runs = self.runs[key]
        return max(runs, key=lambda r: r["msgs_per_s_busy"] or 0) if runs else None

    def peers_table(self) -> list[list[str]]:
        kc = self.best("kcat")
        rows = [["peer", "msgs/s (busy)", "vs kcat", "msgs/s (wall)", "CPU-µs/msg", "broker CPU-µs/msg",
                 "peak RSS MiB", "out bytes/msg", "rows checked"]]
        for key, name in ROW_NAMES.items():
            if key == "spark" and self.args.no_spark:
                continue
            b = self.best(key)
            if b is None:
                rows.append([name, "FAILED", "", "", "", "", "", "", self.failed.get(key, "")[:60].replace("\n", " ")])
                continue
            c = b["check"]
            check = (f"{c['ids']:,} = produced" if c["expected"] == self.n else
                     f"{c['ids']:,} = consumed (capped)")
            label = name
            if key == "tutorial":
                cap = b["summary"]
                label += f", cap {cap['max_messages']:,} msgs or {cap['max_seconds']:g} s"
            rows.append([label, f"{b['msgs_per_s_busy']:,}", f"{b['msgs_per_s_busy'] / kc['msgs_per_s_busy']:.3f}x",
                         f"{b['msgs_per_s_wall']:,}", f"{b['cpu_us_per_msg']:.2f}", f"{b['broker_cpu_us_per_msg']:.2f}",
                         f"{b['peak_rss_bytes'] / 2**20:,.0f}", f"{b['out_bytes_per_msg']:.1f}", check])
        return rows

    def queries_table(self, qs: list[dict]) -> list[list[str]]:
        spark = any("spark_s" in q for q in qs)
        rows = [["question", "rows", "`ticklake query` s", "(its engine time)", "DuckDB-Python s"]
                + (["Spark SQL s"] if spark else []) + ["ticklake : DuckDB", "answers"]]
        for q in qs:
            t, d = min(q["ticklake_query_s"]), min(q["duckdb_s"])
            rows.append([q["name"], f"{q['rows']:,}", f"{t:.3f}",
                         f"{min(q['ticklake_engine_s']):.3f}" if q["ticklake_engine_s"] else "",
                         f"{d:.3f}"] + ([f"{min(q['spark_s']):.3f}" if "spark_s" in q else ""] if spark else [])
                        + [f"{t / d:.2f}x", q["answers_equal"]])
        tt = sum(min(q["ticklake_query_s"]) for q in qs)
        td = sum(min(q["duckdb_s"]) for q in qs)
        te = sum(min(q["ticklake_engine_s"]) for q in qs if q["ticklake_engine_s"])
        rows.append(["all 5 (sum of bests)", "", f"{tt:.3f}", f"{te:.3f}", f"{td:.3f}"]
                    + ([f"{sum(min(q['spark_s']) for q in qs if 'spark_s' in q):.3f}"] if spark else [])
                    + [f"{tt / td:.2f}x", ""])
        return rows

    def execute(self) -> int:
        a = self.args
        self.result |= {"benchmark": "peers", "started_utc": self.started.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "count": self.n, "partitions": a.partitions, "repeat": a.repeat,
                        "machine": pb.machine_facts(self.broker_bin), "uptime_start": uptime()}
        self.result["machine"]["loadavg_start"] = os.getloadavg()
        self.result["binary_start"] = self.bin_identity
        self.result["machine"]["ticklake_binary"] = self.bin_identity["path"] + " (a copy of it, taken at the start)"
        log(f"peers benchmark: {self.n:,} ticks, {a.partitions} partitions, best of {a.repeat}, "
            f"{'no Spark, ' if a.no_spark else ''}load average {os.getloadavg()[0]:.2f}, work folder {self.work}")
        self.start_broker()
        self.create_topic(TOPIC)
        r = self.run([self.bin, "produce", "-b", self.broker, "-t", TOPIC, "--source", "sim", "--count", str(self.n),
                      "--symbols", str(SYMBOLS), "--seed", str(SEED), "--days", str(DAYS), "--partitions",
                      str(a.partitions), "--compression", "none", "--no-progress"], "produce the topic")
        got = self.messages_in(TOPIC)
        if got != self.n:
            raise BenchError(f"{TOPIC} holds {got} messages, expected {self.n}")
        log(f"produced {self.n:,} ticks in {r.wall:.1f} s")
        # The broker creates __consumer_offsets for the first group: a throwaway sink pays for it.
        self.create_topic("warm-up")
        self.run(self.sink_cmd("warm-up", "warm-up", self.work / "wh-warm-up", "jsonl", self.work / "warm-up.json", 1,
                               ("--no-register",)), "warm-up sink")
        order = [("kcat", self.peer_kcat), ("sink_parquet", lambda i: self.peer_sink("parquet", i)),
                 ("sink_jsonl", lambda i: self.peer_sink("jsonl", i)), ("confluent_pyarrow", self.peer_confluent),
                 ("tutorial", self.peer_tutorial)]
        if not a.no_spark:
            order.append(("spark", self.peer_spark))
        for i in range(1, a.repeat + 1):
            log(f"round {i} of {a.repeat}")
            for key, fn in order:
                self.one(key, fn, i)
        qs = self.bench_queries()
        self.result["uptime_end"] = uptime()
        self.result["machine"]["loadavg_end"] = os.getloadavg()
        self.result["binary_end"] = binary_identity(self.broker_bin)
        self.result["finished_utc"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.result["peers"] = {k: v for k, v in self.runs.items() if v}
        self.result["best"] = {k: self.best(k) for k in self.runs if self.runs[k]}
        self.result["queries"] = qs
        self.result["failed"] = self.failed
        peers_md, queries_md = markdown(self.peers_table()), markdown(self.queries_table(qs))
        self.result["tables"] = {"peers": peers_md, "queries": queries_md}
        out_dir = Path(a.results_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / f"peers-{self.stamp}.json"
        out.write_text(json.dumps(self.result, indent=2) + "\n")
        m = self.result["machine"]
        print(f"ticklake peers benchmark, {self.n:,} ticks ({DAYS} days, {SYMBOLS} symbols, seed {SEED}, uncompressed) "
              f"in {a.partitions} partitions, one private broker; best of {a.repeat}; {m['nproc']} CPUs "
              f"({m['cpu_model']}), ticklake {m['git_commit'][:10]}{' (dirty tree)' if m['git_dirty'] else ''} "
              f"(binary built {self.result['binary_start']['mtime']}), "
              f"load average {m['loadavg_start'][0]:.2f} -> {m['loadavg_end'][0]:.2f}")
        print()
        print(peers_md)
        print()
        sp = self.result.get("spark_sql") or {}
        print(f"Queries over the trades of ticklake's Parquet warehouse, best of {a.query_repeat}"
              + (f"; Spark's session start-up {sp['startup_seconds']:.1f} s and schema read "
                 f"{sp['read_schema_seconds']:.1f} s not in its times" if sp.get("startup_seconds") else "") + ":")
        print()
        print(queries_md)
        print()
        notes = ["msgs/s (busy): kcat and the tutorial from their start, ticklake from subscribe (group join "
                 "included) to its final flush, confluent-kafka from subscribe to its last commit, Spark from the "
                 "stream's start (after the JVM's) to its end; (wall): the whole process.",
                 "CPU-µs/msg: user+sys of the process tree / messages it consumed; peak RSS: the tree's (sum over "
                 "its processes, sampled every 50 ms, or one process's own VmHWM if larger).",
                 "rows checked: count(id) = count(DISTINCT id) = that number, and no id outside the topic "
                 "(DuckDB over the output files against kcat's dump)."]
        if "tutorial" in self.runs and self.runs["tutorial"]:
            t = self.best("tutorial")
            notes.append(f"the tutorial consumer stopped after {t['consumed']:,} messages ({t['summary']['capped_by']}"
                         f" cap): its rate is of that part only; one file per message, "
                         f"{t.get('out_disk_bytes', 0) / t['consumed']:.0f} bytes/msg on disk in 4 KiB blocks.")
        for k, e in self.failed.items():
            notes.append(f"{k} FAILED: {e.splitlines()[0]}")
        b0, b1 = self.result["binary_start"], self.result["binary_end"]
        if b0 != b1:
            notes.append(f"{self.broker_bin} was rebuilt during the run ({b0['mtime']} -> {b1['mtime']}): every "
                         f"row used the copy taken at the start (sha256 {b0['sha256']}).")
        fl = self.result["query_floor"]
        notes.append(f"`ticklake query` s is the whole process (best of {a.query_repeat}); a SELECT 1 takes "
                     f"{fl['ticklake_query_select_1_s']:.3f} s that way (start, DuckDB loaded, the warehouse listed); "
                     f"(its engine time) is its own statistics line's; DuckDB-Python s = connect, a view over the "
                     f"files, the query (connect + SELECT 1: {fl['duckdb_connect_select_1_s']:.3f} s); Spark SQL s "
                     f"= the query in a warm session.")
        for n in notes:
            print(f"note: {n}")
        print(f"result: {out}")
        self.ok = not self.failed
        return 0 if self.ok else 1


# ---- helpers ---------------------------------------------------------------------------------


def binary_identity(path: str) -> dict:
    """When the binary was last written and the start of its sha256: a build during the run shows."""
    import hashlib
    real = Path(path).resolve()
    h = hashlib.sha256()
    with open(real, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return {"path": str(real), "mtime": dt.datetime.fromtimestamp(real.stat().st_mtime, dt.timezone.utc)
            .strftime("%Y-%m-%dT%H:%M:%SZ"), "sha256": h.hexdigest()[:16]}


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def plain(v):
    if isinstance(v, (dt.datetime, dt.date)):
        return str(v)
    if hasattr(v, "__float__") and not isinstance(v, (int, float, bool)):
        return float(v)
    return v


def answers_equal(a: list, b: list) -> bool:
    if a is None or b is None or len(a) != len(b):
        return False
    for ra, rb in zip(a, b):
        if len(ra) != len(rb):
            return False
        for x, y in zip(ra, rb):
            x, y = plain(x), plain(y)
            if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool):
                if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                    return False
            elif str(x) != str(y):
                return False
    return True


def markdown(rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(rows[0]) + " |", "| " + " | ".join("---" for _ in rows[0]) + " |"]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(out)


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=1_000_000, help="ticks in the topic (default 1,000,000)")
    ap.add_argument("--partitions", type=int, default=6, help="partitions of the topic (default 6)")
    ap.add_argument("--repeat", type=int, default=2, help="rounds of every peer; the best rate is kept (default 2)")
    ap.add_argument("--query-repeat", type=int, default=3, help="runs of each question; the best is kept (default 3)")
    ap.add_argument("--no-spark", action="store_true", help="leave out Spark (streaming and SQL)")
    ap.add_argument("--spark-timeout", type=float, default=1800, help="kill a Spark run after this many s (1800)")
    ap.add_argument("--tutorial-cap", type=int, default=20_000, help="messages the tutorial consumer reads (20,000)")
    ap.add_argument("--tutorial-seconds", type=float, default=60, help="... or seconds it runs (default 60)")
    ap.add_argument("--rows-per-file", type=int, default=100_000,
                    help="confluent-kafka peer: rows of a partition per file and commit (default 100,000)")
    ap.add_argument("--bin", default=os.environ.get("TICKLAKE_BIN", str(REPO / "build" / "ticklake")))
    ap.add_argument("--results-dir", default=str(REPO / "bench" / "results"), help="where the JSON result goes")
    ap.add_argument("--workdir", default=None, help="parent of the temporary work folder (default $TMPDIR or /tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args(argv)
    if a.count <= 0 or a.partitions <= 0 or a.repeat <= 0 or a.query_repeat <= 0:
        ap.error("--count, --partitions, --repeat and --query-repeat must be positive")
    return a


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if not (os.path.isfile(args.bin) and os.access(args.bin, os.X_OK)):
        print(f"bench-peers: no ticklake binary at {args.bin}: run `make build` or set TICKLAKE_BIN", file=sys.stderr)
        return 2
    if not shutil.which("kcat"):
        print("bench-peers: `kcat` is not on PATH (`make setup` installs it)", file=sys.stderr)
        return 2
    for mod, what in (("confluent_kafka", "confluent-kafka"), ("kafka", "kafka-python"), ("pyarrow", "pyarrow"),
                      ("duckdb", "duckdb")) + (() if args.no_spark else (("pyspark", "pyspark"),)):
        try:
            __import__(mod)
        except ImportError:
            print(f"bench-peers: the Python module {mod} is missing ({what} in setup/requirements-test.txt: "
                  f"`make setup`)", file=sys.stderr)
            return 2

    return pb.run_bench(lambda: PeersBench(args), "bench-peers")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
