"""Integration tests: the real ticklake binary against a real single-node Kafka broker.

One broker per test session, started with `ticklake kafka start` on a free port of
127.0.0.1 in a temporary state dir, and stopped at the end. Every check of what landed in
the warehouse is made with independent readers (DuckDB's Python package, pyarrow, kcat),
never with ticklake itself.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("TICKLAKE_BIN", ROOT / "build" / "ticklake"))
SHARED_DATA = Path(os.environ.get("TICKLAKE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def pytest_configure(config):
    config.addinivalue_line("markers", "chaos: the chaos suite (test_chaos.py; `make chaos` runs it in full)")
    config.addinivalue_line("markers", "memory: the sink's peak-RSS bound (test_memory.py; `make test-memory` runs it "
                            "alone, `make test` with the rest)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_pair() -> int:
    """A port p with p+1 free too (the broker's controller listener)."""
    for _ in range(50):
        p = free_port()
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", p + 1))
            return p
        except OSError:
            continue
    raise RuntimeError("no free port pair on 127.0.0.1")


def moto_server():
    """moto in server mode (PyPI `moto[server]`) on a free 127.0.0.1 port: the stand-in for AWS's
    STS and Glue. A generator for module fixtures: yields its URL, stops it afterwards."""
    import sys
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("moto server did not start")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=30)


def run(args, check=True, timeout=600, **kw):
    """Runs ticklake with args; returns the CompletedProcess (stdout/stderr as text)."""
    proc = subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=timeout, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"ticklake {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}")
    return proc


class Broker:
    def __init__(self, state_dir: Path):
        self.state_dir = state_dir
        self.port = free_port_pair()
        self.bootstrap = f"127.0.0.1:{self.port}"

    def start(self, *extra):
        proc = run(["kafka", "start", "--port", str(self.port), "--state-dir", str(self.state_dir), *extra],
                   timeout=180)
        last = proc.stdout.strip().splitlines()[-1]
        assert last == self.bootstrap, f"kafka start printed {last!r}, expected {self.bootstrap!r}"

    def stop(self):
        run(["kafka", "stop", "--state-dir", str(self.state_dir)], check=False, timeout=120)


@pytest.fixture(scope="session", autouse=True)
def private_catalog(tmp_path_factory):
    """The sink registers files in the catalog by default: keep the tests' tables out of the
    user's own catalog (~/.local/share/ticklake/catalog.db)."""
    path = tmp_path_factory.mktemp("catalog") / "catalog.db"
    old = os.environ.get("TICKLAKE_CATALOG")
    os.environ["TICKLAKE_CATALOG"] = str(path)
    yield path
    if old is None:
        os.environ.pop("TICKLAKE_CATALOG", None)
    else:
        os.environ["TICKLAKE_CATALOG"] = old


@pytest.fixture(scope="session")
def broker(tmp_path_factory):
    assert BINARY.exists(), f"{BINARY} is missing: run `make build`"
    b = Broker(tmp_path_factory.mktemp("kafka-state"))
    b.start()
    yield b
    b.stop()


@pytest.fixture
def topic():
    return "t-" + uuid.uuid4().hex[:10]


@pytest.fixture
def warehouse(tmp_path):
    return tmp_path / "warehouse"


def produce_sim(broker, topic, count, seed=7, symbols=50, days=1, partitions=6, extra=()):
    proc = run(["produce", "-b", broker.bootstrap, "-t", topic, "--source", "sim", "--count", str(count),
                "--seed", str(seed), "--symbols", str(symbols), "--days", str(days),
                "--partitions", str(partitions), "--no-progress", *extra])
    assert f"delivered {count} of {count}" in proc.stderr, proc.stderr
    return proc


def sink_args(broker, topic, warehouse, group=None, fmt="parquet", idle=3, extra=(), grain="day"):
    """grain: the --time-partition, unless extra names one; most tests count files per day, so
    day; None leaves the sink's default (auto)."""
    pinned = ("--time-partition", grain) if grain and "--time-partition" not in extra else ()
    return ["sink", "-b", broker.bootstrap, "-t", topic, "-g", group or ("g-" + topic), "-w", str(warehouse),
            "--format", fmt, "--until-idle", str(idle), "--no-progress", *pinned, *extra]


def keep_grain(warehouse: Path, grain: str, tables=("trades", "quotes")):
    """Rewrites the tables' kept time partition, as an operator moving them to another grain would."""
    for t in tables:
        path = warehouse / "_ticklake" / "tables" / "market" / t / "time_partition.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"time_partition": grain, "chosen_by": "explicit"}))


def sink(broker, topic, warehouse, **kw):
    summary = warehouse.parent / f"sink-summary-{uuid.uuid4().hex[:6]}.json"
    extra = tuple(kw.pop("extra", ())) + ("--summary-json", str(summary))
    proc = run(sink_args(broker, topic, warehouse, extra=extra, **kw))
    return json.loads(summary.read_text()), proc


def kcat_dump(broker, topic, out_path: Path):
    """Every message value of the topic, via kcat (an independent Kafka client), one per line."""
    with open(out_path, "w") as f:
        subprocess.run(["kcat", "-C", "-b", broker.bootstrap, "-t", topic, "-o", "beginning", "-e", "-q",
                        "-f", "%s\n"], stdout=f, check=True, timeout=600)
    return out_path


def data_files(warehouse: Path, table: str, ext: str):
    return sorted(p for p in (warehouse / "market" / table).rglob(f"*.{ext}"))


def kill_tree(proc: subprocess.Popen, sig=signal.SIGKILL):
    try:
        os.kill(proc.pid, sig)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)


def kill_inside_a_batch(proc, journals: Path, warehouse: Path, timeout=120) -> bool:
    """SIGKILLs the sink inside the crash window: a batch's journal lists its files and some,
    not all, of them are visible, so the batch's offset cannot be committed yet. True when the
    kill landed there."""
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        for journal in journals.glob("p*.json") if journals.exists() else ():
            try:
                keys = json.loads(journal.read_text())["keys"]
            except (OSError, ValueError):
                continue  # removed or replaced meanwhile
            while journal.exists() and proc.poll() is None:
                visible = sum((warehouse / k).exists() for k in keys)
                if 0 < visible < len(keys):
                    proc.send_signal(signal.SIGKILL)
                    return True
                time.sleep(0.0002)
        time.sleep(0.0005)
    return False


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture(scope="session")
def minio():
    """One throwaway MinIO for the S3 tests of the session (tests that kill it start their own)."""
    from minio import MinioServer
    server = MinioServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3(minio):
    """A boto3 client of that MinIO: the independent reader of what ticklake wrote."""
    return minio.client()
