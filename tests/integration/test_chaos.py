"""Chaos: the sink under a paced producer while members crash, freeze, come and go, the broker
dies, the object store misbehaves and the spool disk fills up. One oracle for every scenario:
every event id in the topic (read back with kcat) is stored exactly once, no id is stored that
was never sent, and no temporary file, journal or unfinished multipart upload is left behind.

The local scenarios run on Hive folders and on Iceberg tables (`--table-format iceberg`, the ids
read back by PyIceberg). The short form (the default parameters) runs inside `make test` (the
broker scenario, which needs a private broker of its own, only with CHAOS_BOUNCES > 0; Iceberg
in the kill-9 scenario only); `make chaos` runs the full one:
CHAOS_KILLS kill cycles, CHAOS_REBALANCES member joins/leaves, CHAOS_BOUNCES broker kills,
CHAOS_S3_SECONDS of S3 faults. Every scenario prints its counts (pytest -s shows them).
"""
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import duckdb
import pytest

from conftest import BINARY, Broker, kcat_dump, kill_tree, produce_sim, sink, sink_args, wait_for

pytestmark = pytest.mark.chaos

KILLS = int(os.environ.get("CHAOS_KILLS", "6"))
REBALANCES = int(os.environ.get("CHAOS_REBALANCES", "4"))
BOUNCES = int(os.environ.get("CHAOS_BOUNCES", "0"))  # a private broker costs a minute: make chaos only
S3_SECONDS = float(os.environ.get("CHAOS_S3_SECONDS", "8"))
SEED = int(os.environ.get("CHAOS_SEED", str(random.randrange(1 << 30))))
RNG = random.Random(SEED)

CRASH_POINTS = ("after_write", "before_rename", "after_publish", "before_commit", "before_journal_removal",
                "after_commit")
ICEBERG_CRASH_POINTS = ("after_table_commit", "between_table_commits")
# A crashed member holds its partitions until its session expires: the broker's minimum.
FAST_SESSION = ("-X", "session.timeout.ms=6000")


# ---------------------------------------------------------------------------------------------
# The oracle

def sent_ids(broker, topic, tmp_path):
    dump = kcat_dump(broker, topic, tmp_path / f"sent-{uuid.uuid4().hex[:6]}.jsonl")
    with open(dump) as f:
        return [json.loads(line)["id"] for line in f if line.strip()]


def stored_ids_in(paths):
    if not paths:
        return []
    con = duckdb.connect()
    files = ", ".join(f"'{p}'" for p in paths)
    return [r[0] for r in con.execute(f"SELECT id FROM read_parquet([{files}], union_by_name=true)").fetchall()]


def local_leftovers(warehouse: Path, group: str):
    tmp = [str(p) for p in warehouse.rglob("*.tmp")]
    journals = [str(p) for p in (warehouse / "_ticklake" / "sink" / group).rglob("p*.json")]
    return tmp + journals


def oracle(name, sent, stored, leftovers=(), **counts):
    """Prints the scenario's counts and asserts exactly once."""
    sent_set, stored_set = set(sent), set(stored)
    result = dict(sent=len(sent), stored=len(stored), duplicates=len(stored) - len(stored_set),
                  missing=len(sent_set - stored_set), phantoms=len(stored_set - sent_set),
                  leftovers=len(leftovers), **counts)
    print(f"\nchaos {name} (seed {SEED}): " + " ".join(f"{k}={v}" for k, v in result.items()), flush=True)
    assert len(sent) == len(sent_set), "the topic itself holds an id twice"
    assert result["duplicates"] == 0, result
    assert result["missing"] == 0, result
    assert result["phantoms"] == 0, result
    assert list(leftovers) == [], leftovers
    return result


def iceberg_ids(warehouse: Path):
    """Every id the Iceberg tables hold (trades and quotes), scanned by PyIceberg: with
    --table-format iceberg the table, not the folder, is the ledger."""
    from pyiceberg.catalog.sql import SqlCatalog
    catalog = SqlCatalog("ticklake", uri=f"sqlite:///{warehouse / 'catalog.db'}", warehouse=f"file://{warehouse}")
    ids = []
    for _, name in catalog.list_tables("market"):
        ids += catalog.load_table(f"market.{name}").scan(selected_fields=("id",)).to_arrow().column("id").to_pylist()
    return ids


def local_oracle(name, broker, topic, warehouse, group, tmp_path, table_format="hive", **counts):
    if table_format == "iceberg":
        stored = iceberg_ids(warehouse)
    else:
        stored = stored_ids_in(sorted((warehouse / "market").rglob("*.parquet")))
    return oracle(f"{name} ({table_format})", sent_ids(broker, topic, tmp_path), stored,
                  local_leftovers(warehouse, group), **counts)


def format_args(table_format, warehouse: Path):
    """--table-format iceberg commits every batch to Iceberg tables in a catalog beside the data."""
    if table_format == "iceberg":
        return ("--table-format", "iceberg", "--catalog", str(warehouse / "catalog.db"))
    return ()


TABLE_FORMATS = pytest.mark.parametrize("table_format", ["hive", "iceberg"])
# The short form in `make test` runs the Iceberg tables in the kill-9 scenario only (the one with
# the Iceberg crash points); `make chaos` (which sets CHAOS_KILLS) runs every scenario on both.
FULL_RUN = "CHAOS_KILLS" in os.environ
TABLE_FORMATS_IN_FULL_RUN = pytest.mark.parametrize("table_format", [
    "hive", pytest.param("iceberg", marks=pytest.mark.skipif(not FULL_RUN, reason="make chaos runs it"))])


# ---------------------------------------------------------------------------------------------
# Processes

def paced_producer(broker, topic, count, rate, seed, env=None):
    return subprocess.Popen([str(BINARY), "produce", "-b", broker.bootstrap, "-t", topic, "--source", "sim",
                             "--count", str(count), "--seed", str(seed), "--rate", str(rate), "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)


def stop_producer(producer):
    """SIGTERM, then SIGKILL if it still waits for a broker: the oracle reads what the topic holds."""
    if producer.poll() is None:
        producer.send_signal(signal.SIGTERM)
    try:
        producer.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        producer.kill()
        producer.communicate(timeout=30)


def start_sink(args, log: Path, env=None):
    return subprocess.Popen([str(BINARY), *args], stdout=subprocess.DEVNULL, stderr=open(log, "a"), env=env)


def catch_up(broker, topic, warehouse, group, extra=()):
    """A clean run to the end of the topic, as a restarted sink would do."""
    summary, proc = sink(broker, topic, warehouse, group=group, idle=3, extra=(*FAST_SESSION, *extra))
    return summary, proc


def count_in(log: Path, text: str) -> int:
    return log.read_text(errors="replace").count(text) if log.exists() else 0


# ---------------------------------------------------------------------------------------------
# Scenarios

@TABLE_FORMATS
def test_kill_nine_at_every_crash_point_and_at_random(broker, topic, warehouse, tmp_path, table_format):
    """KILLS cycles under a paced producer: the six crash points in turn (each at its 1st-3rd
    arrival; Iceberg adds its two: after a table's commit, between two tables' commits), then
    from the seventh cycle on every third cycle a SIGKILL at a random moment."""
    group = "g-chaos-kill-" + topic
    produce_sim(broker, topic, 2_000, partitions=4)
    producer = paced_producer(broker, topic, 10_000_000, 3_000, seed=101)
    args = sink_args(broker, topic, warehouse, group=group, idle=600,
                     extra=(*FAST_SESSION, "--rotate-rows", "1500", "--max-buffer-age", "1",
                            *format_args(table_format, warehouse)))
    log = tmp_path / "sinks.log"
    points = (ICEBERG_CRASH_POINTS if table_format == "iceberg" else ()) + CRASH_POINTS
    by_point = {p: 0 for p in points}
    random_kills = 0
    try:
        for cycle in range(KILLS):
            if cycle >= len(points) and cycle % 3 == 2:
                proc = start_sink(args, log)
                time.sleep(RNG.uniform(1.0, 9.0))  # the first seconds are mostly the join
                kill_tree(proc)
                random_kills += 1
                continue
            point = points[(cycle - random_kills) % len(points)]
            env = dict(os.environ, TICKLAKE_CRASH_AT=f"{point}:{RNG.randint(1, 3)}")
            proc = start_sink(args, log, env=env)
            try:
                rc = proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                kill_tree(proc)
                raise AssertionError(f"cycle {cycle}: crash point {point} never reached:\n{log.read_text()[-3000:]}")
            assert rc == -signal.SIGKILL, f"cycle {cycle}: {point}: exit {rc}\n{log.read_text()[-3000:]}"
            by_point[point] += 1
        assert producer.poll() is None, "the producer finished early: the kills were not under load"
    finally:
        stop_producer(producer)
    summary, _ = catch_up(broker, topic, warehouse, group, extra=format_args(table_format, warehouse))
    assert count_in(log, "crash point") == sum(by_point.values())
    recoveries = count_in(log, "of an uncommitted batch")
    local_oracle("kill-9", broker, topic, warehouse, group, tmp_path, table_format, kills=KILLS,
                 random_kills=random_kills, recoveries=recoveries, **{f"at_{p}": n for p, n in by_point.items()})


@TABLE_FORMATS_IN_FULL_RUN
def test_a_frozen_member_neither_publishes_nor_commits_after_it_lost_its_partitions(broker, topic, warehouse,
                                                                                        tmp_path, table_format):
    """SIGSTOP a member holding a batch until its session expires and another member owns its
    partitions, then SIGCONT: the zombie must not overwrite the new owner's files (same names:
    both start at the committed offset) nor commit."""
    group = "g-chaos-zombie-" + topic
    produce_sim(broker, topic, 2_000, partitions=3)
    producer = paced_producer(broker, topic, 10_000_000, 2_000, seed=202)
    # Batches rotate by age only: the zombie's batch and the new owner's first one start at the
    # same committed offset and end at different ones.
    args = sink_args(broker, topic, warehouse, group=group, idle=600,
                     extra=(*FAST_SESSION, "--max-buffer-age", "4", "--rotate-rows", "1000000",
                            *format_args(table_format, warehouse)))
    zlog, nlog = tmp_path / "zombie.log", tmp_path / "owner.log"
    zombie = start_sink(args, zlog)
    owner = None
    try:
        wait_for(lambda: count_in(zlog, "assigned partitions") >= 1, 60, "the first member's assignment")
        wait_for(lambda: len(list((warehouse / "market").rglob("*.parquet"))) >= 3, 60, "committed files")
        time.sleep(2.0)  # mid-batch: about half of --max-buffer-age
        zombie.send_signal(signal.SIGSTOP)
        files_then = len(list((warehouse / "market").rglob("*.parquet")))
        owner = start_sink(args, nlog)
        wait_for(lambda: count_in(nlog, "assigned partitions") >= 1, 60, "the new owner's assignment")
        wait_for(lambda: len(list((warehouse / "market").rglob("*.parquet"))) >= files_then + 6, 60,
                 "the new owner's files")
        time.sleep(3.0)  # the new owner has committed the zombie's batch by now (age 4 s)
        zombie.send_signal(signal.SIGCONT)
        wait_for(lambda: count_in(zlog, "lost its partitions") + count_in(zlog, "fenced") > 0 or
                 zombie.poll() is not None, 30, "the zombie to find out")
    finally:
        zombie.send_signal(signal.SIGCONT)
        stop_producer(producer)
    for p in (zombie, owner):
        if p is not None:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=120)
    catch_up(broker, topic, warehouse, group, extra=format_args(table_format, warehouse))
    fenced = count_in(zlog, "lost its partitions") + count_in(zlog, "fenced")
    local_oracle("frozen-member", broker, topic, warehouse, group, tmp_path, table_format,
                 zombie_exit=zombie.returncode, zombie_fenced=fenced)
    assert fenced >= 1, zlog.read_text()[-3000:]  # the zombie found out, and said so


@TABLE_FORMATS_IN_FULL_RUN
def test_rebalance_storm(broker, topic, warehouse, tmp_path, table_format):
    """Members join and leave every 1-3 s, REBALANCES times, between 1 and 4 members (with
    Iceberg: all committing to the same tables through the one catalog file)."""
    group = "g-chaos-storm-" + topic
    produce_sim(broker, topic, 2_000, partitions=6)
    producer = paced_producer(broker, topic, 10_000_000, 3_000, seed=303)
    args = sink_args(broker, topic, warehouse, group=group, idle=600,
                     extra=(*FAST_SESSION, "--rotate-rows", "2000", "--max-buffer-age", "2",
                            *format_args(table_format, warehouse)))
    members, logs, joins, leaves = [], [], 0, 0
    try:
        for _ in range(REBALANCES):
            join = len(members) < 2 or (len(members) < 4 and RNG.random() < 0.5)
            if join:
                logs.append(tmp_path / f"member{len(logs)}.log")
                members.append(start_sink(args, logs[-1]))
                joins += 1
            else:
                leaving = members.pop(RNG.randrange(len(members)))
                leaving.send_signal(signal.SIGTERM)  # a clean leave: revoke, flush, commit, go
                assert leaving.wait(timeout=120) == 0
                leaves += 1
            time.sleep(RNG.uniform(1.0, 3.0))
        assert producer.poll() is None, "the producer finished early"
    finally:
        stop_producer(producer)
        for m in members:
            m.send_signal(signal.SIGTERM)
        for m in members:
            m.wait(timeout=120)
    assert all(m.returncode == 0 for m in members), [log.read_text()[-2000:] for log in logs]
    catch_up(broker, topic, warehouse, group, extra=format_args(table_format, warehouse))
    assignments = sum(count_in(log, "assigned partitions") for log in logs)
    local_oracle("rebalance-storm", broker, topic, warehouse, group, tmp_path, table_format, rebalances=joins + leaves,
                 joins=joins, leaves=leaves, assignments=assignments)


def test_broker_killed_and_restarted(topic, warehouse, tmp_path):
    """A private broker SIGKILLed BOUNCES times under a paced producer and a running sink; the
    sink is restarted when it gives up (a supervisor's job), as many times as it takes."""
    if BOUNCES == 0:
        pytest.skip("CHAOS_BOUNCES=0: the broker scenario runs in `make chaos`")
    b = Broker(tmp_path / "kafka-state")
    b.start()
    group = "g-chaos-broker-" + topic
    log = tmp_path / "sink.log"
    try:
        produce_sim(b, topic, 2_000, partitions=4)
        producer = paced_producer(b, topic, 10_000_000, 2_000, seed=404)
        args = sink_args(b, topic, warehouse, group=group, idle=600,
                         extra=(*FAST_SESSION, "--rotate-rows", "2000", "--max-buffer-age", "1"))
        proc, restarts = start_sink(args, log), 0
        try:
            for bounce in range(BOUNCES):
                time.sleep(RNG.uniform(3.0, 6.0))
                pid = int((b.state_dir / "broker.pid").read_text().split()[0])
                os.killpg(pid, signal.SIGKILL)
                time.sleep(RNG.uniform(0.5, 3.0))
                b.start("--timeout", "300")  # a loaded machine replays the killed broker's logs slowly
                if proc.poll() is not None:
                    proc, restarts = start_sink(args, log), restarts + 1
            time.sleep(5.0)
        finally:
            stop_producer(producer)
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=120)
        catch_up(b, topic, warehouse, group)
        local_oracle("broker-bounce", b, topic, warehouse, group, tmp_path, bounces=BOUNCES, sink_restarts=restarts,
                     producer_exit=producer.returncode)
    finally:
        b.stop()


# ---------------------------------------------------------------------------------------------
# S3: MinIO behind a fault proxy, and a full spool disk

class FaultProxy:
    """A TCP proxy in front of MinIO that breaks a share of its connections: a 503 SlowDown
    answer, a connection reset, a hang of some seconds, or an answer cut in the middle.
    Answers it forwards say `Connection: close`, so each request comes on a connection of its
    own and draws its own fault."""
    FAULTS = ("slowdown", "reset", "hang", "truncate")

    def __init__(self, upstream_port: int, fault_rate: float, hang_s: float = 4.0, seed: int = 0,
                 faults=FAULTS):
        self.upstream_port, self.fault_rate, self.hang_s = upstream_port, fault_rate, hang_s
        self.faults = tuple(faults)
        self.rng = random.Random(seed)
        self.counts = {f: 0 for f in self.FAULTS} | {"clean": 0}
        self.lock = threading.Lock()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def close(self):
        self.stopping = True
        self.server.close()

    def _accept(self):
        while not self.stopping:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            with self.lock:
                fault = self.rng.choice(self.faults) if self.rng.random() < self.fault_rate else "clean"
                self.counts[fault] += 1
            threading.Thread(target=self._serve, args=(client, fault), daemon=True).start()

    @staticmethod
    def _reset(sock):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()

    def _serve(self, client, fault):
        try:
            if fault == "slowdown":
                client.recv(65536)
                body = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
                        b'<Message>Please reduce your request rate.</Message></Error>')
                client.sendall(b"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nConnection: close\r\n"
                               b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
                client.close()
                return
            if fault == "reset":
                client.recv(self.rng.randint(1, 4096))
                self._reset(client)
                return
            if fault == "hang":
                client.recv(65536)
                time.sleep(self.hang_s)
                self._reset(client)
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            done = threading.Event()

            def pump(src, dst, limit=None, close_after=False):
                sent = 0
                try:
                    while True:
                        data = src.recv(65536)
                        if not data:
                            break
                        if close_after and sent == 0 and b"\r\n" in data:
                            # One request per connection, so every request draws its own fault.
                            line_end = data.index(b"\r\n") + 2
                            data = data[:line_end] + b"Connection: close\r\n" + data[line_end:]
                        if limit is not None and sent + len(data) > limit:
                            dst.sendall(data[:max(0, limit - sent)])
                            break
                        dst.sendall(data)
                        sent += len(data)
                except OSError:
                    pass
                done.set()

            # truncate: the first answer stops after a few bytes, headers or body.
            limit = self.rng.randint(10, 400) if fault == "truncate" else None
            pumps = [threading.Thread(target=pump, args=(client, upstream), daemon=True),
                     threading.Thread(target=pump, args=(upstream, client, limit, True), daemon=True)]
            for t in pumps:
                t.start()
            done.wait()
            # close() does not interrupt a recv() blocked in the other pump (the socket would
            # stay open and the client wait for its timeout): shut both ends down first.
            for sock in (client, upstream):
                try:
                    sock.shutdown(socket.SHUT_RD)
                except OSError:
                    pass
            for t in pumps:
                t.join(timeout=10)
            if fault == "truncate":
                self._reset(client)
            else:
                client.close()
            upstream.close()
        except OSError:
            client.close()


def s3_state(s3, bucket, prefix, tmp_path):
    """(stored ids, leftovers) of what the sink left in the bucket: data read with boto3 and
    DuckDB; leftovers are journals and unfinished multipart uploads."""
    from minio import list_keys
    keys = list_keys(s3, bucket, prefix)
    local = tmp_path / f"download-{uuid.uuid4().hex[:6]}"
    paths = []
    for k in keys:
        if k.endswith(".parquet"):
            p = local / k
            p.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, k, str(p))
            paths.append(p)
    leftovers = [k for k in keys if "/_ticklake/sink/" in k and k.rsplit("/", 1)[-1].startswith("p")]
    leftovers += [k for k in keys if k.endswith(".tmp")]
    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    leftovers += [f"multipart upload of {u['Key']}" for u in uploads]
    return stored_ids_in(paths), leftovers


@pytest.fixture
def bucket(s3):
    name = "chaos-" + uuid.uuid4().hex[:10]
    s3.create_bucket(Bucket=name)
    return name


def test_minio_behind_a_fault_proxy(minio, s3, bucket, broker, topic, tmp_path):
    """Every fourth connection to MinIO broken for S3_SECONDS; the sink's S3 client retries
    and what lands is exactly once, with no multipart upload left open."""
    group = "g-chaos-s3-" + topic
    upstream = int(minio.endpoint.rsplit(":", 1)[1])
    proxy = FaultProxy(upstream, fault_rate=0.25, seed=SEED)
    env = minio.ticklake_env(tmpdir=tmp_path / "spool")
    env["AWS_ENDPOINT_URL_S3"] = proxy.endpoint
    produce_sim(broker, topic, 2_000, partitions=3)
    producer = paced_producer(broker, topic, 10_000_000, 3_000, seed=505)
    # Small parts so files go as multipart uploads, whose parts the proxy also breaks.
    args = sink_args(broker, topic, f"s3://{bucket}/lake", group=group, idle=600,
                     extra=(*FAST_SESSION, "--rotate-rows", "20000", "--max-buffer-age", "3",
                            "--s3-multipart-threshold-mib", "5", "--s3-part-size-mib", "5"))
    log = tmp_path / "sink.log"
    proc = start_sink(args, log, env=env)
    try:
        time.sleep(S3_SECONDS)
    finally:
        stop_producer(producer)
    proxy.fault_rate = 0.0  # the store heals; the sink catches up and stops cleanly
    proc.send_signal(signal.SIGTERM)
    rc = proc.wait(timeout=300)
    proxy.close()
    # A request already under a fault when the stop came is not retried (stop means stop): the
    # sink then exits 1 having committed nothing of that batch, and the final run redoes it.
    text = log.read_text()
    assert rc == 0 or (rc == 1 and "the sink is stopping; nothing was committed" in text), minio.redact(text[-3000:])
    final = subprocess.run([str(BINARY), *sink_args(broker, topic, f"s3://{bucket}/lake", group=group, idle=3,
                                                    extra=FAST_SESSION)],
                           capture_output=True, text=True, timeout=600, env=minio.ticklake_env(tmpdir=tmp_path / "sp2"))
    assert final.returncode == 0, minio.redact(final.stderr[-3000:])
    stored, leftovers = s3_state(s3, bucket, "lake/", tmp_path)
    retries = count_in(log, "; retry")
    oracle("s3-fault-proxy", sent_ids(broker, topic, tmp_path), stored, leftovers, retries_logged=retries,
           **{f"conn_{k}": v for k, v in proxy.counts.items()})
    assert sum(proxy.counts[f] for f in FaultProxy.FAULTS) > 0, proxy.counts


def test_stop_while_the_store_hangs_at_start(minio, broker, topic, tmp_path):
    """SIGTERM while the sink is still opening a store whose every connection hangs: the
    request is dropped at the stall timeout (not libcurl's 15-minute total), no retry follows a
    stop, and the sink exits 0 without having consumed anything."""
    upstream = int(minio.endpoint.rsplit(":", 1)[1])
    proxy = FaultProxy(upstream, fault_rate=1.0, hang_s=120, faults=("hang",))
    env = minio.ticklake_env(tmpdir=tmp_path / "spool")
    env["AWS_ENDPOINT_URL_S3"] = proxy.endpoint
    produce_sim(broker, topic, 500, partitions=1)
    log = tmp_path / "sink.log"
    proc = start_sink(sink_args(broker, topic, "s3://never-reached/lake", group="g-hang-" + topic, idle=60), log,
                      env=env)
    try:
        time.sleep(3)
        assert proc.poll() is None, log.read_text()
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=90)
        waited = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
        proxy.close()
    text = log.read_text()
    assert rc == 0, minio.redact(text[-2000:])
    assert "stopped while starting" in text, minio.redact(text[-2000:])
    assert proxy.counts["hang"] >= 1
    assert waited < 40, f"the stop took {waited:.1f} s: a hung request held it past the 20 s stall timeout"


def test_spool_disk_full(minio, s3, bucket, broker, topic, tmp_path):
    """The S3 store writes each file to a local spool (under TMPDIR) before uploading it: on a
    2 MiB tmpfs filled up, writes fail (retried, nothing committed) until space comes back."""
    mnt = tmp_path / "spool-fs"
    mnt.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr!r}")
    try:
        filler = mnt / "filler"
        with open(filler, "wb") as f:  # fill it up to the last byte
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        group = "g-chaos-full-" + topic
        produce_sim(broker, topic, 2_000, partitions=2)
        producer = paced_producer(broker, topic, 10_000_000, 2_000, seed=606)
        args = sink_args(broker, topic, f"s3://{bucket}/lake", group=group, idle=600,
                         extra=(*FAST_SESSION, "--rotate-rows", "3000", "--max-buffer-age", "1"))
        log = tmp_path / "sink.log"
        proc = start_sink(args, log, env=minio.ticklake_env(tmpdir=mnt))
        try:
            # A full disk is fatal (docs/exactly-once.md): the sink stops with nothing committed
            # past its last durable batch, or, where the error looks transient, retries.
            wait_for(lambda: count_in(log, "; retry") >= 2 or proc.poll() is not None, 90,
                     "failed writes to the full spool")
            full_retries = count_in(log, "; retry")
            stopped_on_full = proc.poll() is not None
            time.sleep(2.0)
            filler.unlink()  # space comes back
            time.sleep(6.0)
        finally:
            stop_producer(producer)
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=120)
        assert rc == 0 or stopped_on_full, log.read_text()[-3000:]
        final = subprocess.run([str(BINARY), *sink_args(broker, topic, f"s3://{bucket}/lake", group=group, idle=3,
                                                        extra=FAST_SESSION)],
                               capture_output=True, text=True, timeout=600, env=minio.ticklake_env(tmpdir=mnt))
        assert final.returncode == 0, final.stderr[-3000:]
        spool_left = [str(p) for p in mnt.rglob("*") if p.is_file()]
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)
    stored, leftovers = s3_state(s3, bucket, "lake/", tmp_path)
    oracle("spool-disk-full", sent_ids(broker, topic, tmp_path), stored, leftovers + spool_left,
           retries_while_full=full_retries, stopped_on_full=int(stopped_on_full), first_exit=rc)
