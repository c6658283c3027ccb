"""The sink on an s3:// warehouse, against a real MinIO that verifies every signature.

What landed is checked with independent readers only: boto3 lists and downloads the objects,
pyarrow reads the Parquet. The AWS settings reach the ticklake subprocesses through their own
environment dicts; this test process's environment is left alone.
"""
import io
import json
import re
import secrets
import signal
import subprocess
import time
import uuid

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

from conftest import BINARY, produce_sim, sink_args
from minio import MinioServer, list_keys

PREFIX = "lake"
DAYS = {"2025-01-06", "2025-01-07", "2025-01-08"}


@pytest.fixture
def bucket(s3):
    name = "tl-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    return name


# State the sink keeps on purpose: topic.json (how a topic is read) and time_partition.json (a
# table's grain). Journals (p<N>.json) must be gone after a clean run.
KEPT_STATE = ("/topic.json", "/time_partition.json")


def run_ticklake(minio, args, tmpdir, secret_key=None, check=True, timeout=600):
    proc = subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=timeout,
                          env=minio.ticklake_env(secret_key, tmpdir=tmpdir))
    if check and proc.returncode != 0:
        raise AssertionError(f"ticklake {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout:\n{minio.redact(proc.stdout[-4000:])}\n"
                             f"stderr:\n{minio.redact(proc.stderr[-4000:])}")
    return proc


def sink_s3(minio, broker, topic, bucket, tmp_path, group=None, extra=(), secret_key=None, check=True, fmt="parquet"):
    """One `ticklake sink` run into s3://bucket/lake; returns (summary or None, CompletedProcess)."""
    summary = tmp_path / f"summary-{uuid.uuid4().hex[:6]}.json"
    args = sink_args(broker, topic, f"s3://{bucket}/{PREFIX}", group=group, fmt=fmt,
                     extra=(*extra, "--summary-json", str(summary)))
    proc = run_ticklake(minio, args, tmp_path / "tmp", secret_key=secret_key, check=check)
    return (json.loads(summary.read_text()) if summary.exists() else None), proc


def data_key_pattern(topic, partitions=("dt=\\d{4}-\\d{2}-\\d{2}",)):
    return re.compile(rf"market/(trades|quotes)/({'|'.join(partitions)})/{re.escape(topic)}-p\d+-o\d{{20}}\.parquet")


def parquet_ids(s3, bucket, keys):
    """The id column of every Parquet object, downloaded with boto3 and read with pyarrow."""
    columns = []
    for key in keys:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        columns.append(pq.read_table(io.BytesIO(body), columns=["id"]).column("id"))
    ids = pa.chunked_array([c for col in columns for c in col.chunks], type=pa.string())
    return len(ids), pc.count_distinct(ids).as_py()


def exists(s3, bucket, key):
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except ClientError as e:
        if e.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return False
        raise


def get_json(s3, bucket, key):
    """The parsed JSON object at key, or None when it is missing (or replaced mid-read)."""
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as e:
        if e.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    try:
        return json.loads(body)
    except ValueError:
        return None


def test_one_million_events_land_exactly_once_on_s3(minio, s3, broker, topic, bucket, tmp_path):
    n = 1_000_000
    produce_sim(broker, topic, n, days=3, partitions=6)
    summary, _ = sink_s3(minio, broker, topic, bucket, tmp_path)
    # A clean exit removes its own spool folder of files staged for upload (the shared parent
    # folder stays, so the next process can clear spools of processes that crashed).
    spools = tmp_path / "tmp" / "ticklake-spool"
    assert [p for p in (tmp_path / "tmp").iterdir() if p != spools] == []
    assert not spools.exists() or list(spools.iterdir()) == []
    assert summary["consumed"] == n
    assert summary["rows_written"] == n
    assert summary["dead_letters"] == 0

    everything = list_keys(s3, bucket, "")
    assert not [k for k in everything if ".tmp" in k], "staging objects left in the bucket"
    assert not [k for k in everything if not k.startswith(PREFIX + "/")], "objects outside the warehouse prefix"
    leftovers = [k for k in everything if k.startswith(f"{PREFIX}/_ticklake/") and not k.endswith(KEPT_STATE)]
    assert leftovers == [], f"journals left after a clean run: {leftovers}"

    data = [k for k in everything if k.startswith(f"{PREFIX}/market/")]
    assert data, "no data objects"
    pattern = data_key_pattern(topic)
    bad = [k for k in data if not pattern.fullmatch(k[len(PREFIX) + 1:])]
    assert bad == [], f"unexpected keys: {bad[:10]}"
    assert {m.group(1) for k in data for m in [pattern.fullmatch(k[len(PREFIX) + 1:])]} == {"trades", "quotes"}
    assert {k.split("/dt=")[1].split("/")[0] for k in data} == DAYS
    assert parquet_ids(s3, bucket, data) == (n, n)


def kill_inside_a_batch(s3, bucket, proc, journal_prefix, partitions, deadline):
    """SIGKILLs the sink while a journal exists and some, not all, of its keys are visible.

    Returns (partition, journal) of the batch it killed, or None if it sent none."""
    while time.monotonic() < deadline and proc.poll() is None:
        for p in range(partitions):
            journal = get_json(s3, bucket, f"{journal_prefix}p{p}.json")
            if not journal or len(journal.get("keys", ())) < 2:
                continue
            keys = [f"{PREFIX}/{k}" for k in journal["keys"]]
            spin_until = min(deadline, time.monotonic() + 15)
            while proc.poll() is None and time.monotonic() < spin_until:
                visible = sum(exists(s3, bucket, k) for k in keys)
                if 0 < visible < len(keys):
                    proc.send_signal(signal.SIGKILL)
                    return p, journal
                if visible == len(keys):
                    break  # this batch is complete: wait for another
        time.sleep(0.005)
    return None


def test_kill_nine_mid_run_on_s3_then_restart_is_exactly_once(minio, s3, broker, topic, bucket, tmp_path):
    n, partitions = 600_000, 4  # enough batches for two kills inside one, even at 400k msgs/s
    produce_sim(broker, topic, n, partitions=partitions, days=3)
    group = "g-kill-" + topic
    journal_prefix = f"{PREFIX}/_ticklake/sink/{group}/{topic}/"
    deadline = time.monotonic() + 120

    def data_objects():
        return len(list_keys(s3, bucket, f"{PREFIX}/market/"))

    logs, landed = [], []  # landed: (index of the killed run, partition, journal)
    while len(landed) < 2:
        assert len(logs) < 6, f"only {len(landed)} of 2 kills landed inside a batch in {len(logs)} runs"
        assert time.monotonic() < deadline, f"only {len(landed)} of 2 kills landed inside a batch within 120 s"
        logs.append(tmp_path / f"sink{len(logs)}.log")
        baseline = data_objects()
        with open(logs[-1], "w") as log:
            proc = subprocess.Popen(
                [str(BINARY), *sink_args(broker, topic, f"s3://{bucket}/{PREFIX}", group=group,
                                         extra=("--rotate-rows", "20000"))],
                stdout=subprocess.DEVNULL, stderr=log, env=minio.ticklake_env(tmpdir=tmp_path / "tmp"))
        killed = None
        try:
            # Let a few batches commit first, so the restart has progress to keep.
            while data_objects() < baseline + 4 and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            killed = kill_inside_a_batch(s3, bucket, proc, journal_prefix, partitions, deadline)
        finally:
            exited_by_itself = proc.poll() is not None and not killed
            if proc.poll() is None and not killed:
                proc.kill()
            proc.wait(timeout=60)
        if not killed and exited_by_itself and proc.returncode == 0:
            # The sink read the whole topic before a kill landed inside a batch (it is faster than
            # when n was chosen): give it more to read and go on.
            more = 200_000
            produce_sim(broker, topic, more, seed=100 + len(logs), partitions=partitions, days=3)
            n += more
            continue
        if not killed:
            why = (f"the sink exited with {proc.returncode} (topic finished?)" if exited_by_itself
                   else "the 120 s time limit passed")
            pytest.fail(f"no kill landed inside a batch in run {len(logs) - 1}: {why} after "
                        f"{len(landed)} of 2 kills\n" + minio.redact(logs[-1].read_text()[-3000:]))
        # The process is dead: the kill landed inside the batch if its journal is still there
        # (uncommitted). A PUT already received by MinIO may still complete after the kill, so
        # all its keys may be visible now; the restart must remove them all the same.
        after = get_json(s3, bucket, f"{journal_prefix}p{killed[0]}.json") if killed else None
        if after and (after["start"], after["end"]) == (killed[1]["start"], killed[1]["end"]):
            landed.append((len(logs) - 1, *killed))
        with open(tmp_path / "kills.jsonl", "a") as f:
            f.write(json.dumps({"run": len(logs) - 1, "killed": killed, "journal_after": after}) + "\n")

    logs.append(tmp_path / "final.log")
    for table in ("trades", "quotes"):  # a kept grain is never changed by a flag alone: as an operator would
        s3.put_object(Bucket=bucket, Key=f"{PREFIX}/_ticklake/tables/market/{table}/time_partition.json",
                      Body=b'{"time_partition":"month","chosen_by":"explicit"}')
    summary, proc = sink_s3(minio, broker, topic, bucket, tmp_path, group=group,
                            extra=("--rotate-rows", "25000", "--time-partition", "month"))
    logs[-1].write_text(proc.stderr)

    everything = list_keys(s3, bucket, "")
    assert not [k for k in everything if ".tmp" in k]
    assert [k for k in everything if k.startswith(journal_prefix) and not k.endswith("/topic.json")] == [], \
        "journals left after the final run"
    # The killed sinks could not remove their spool folders; the later runs removed them.
    spools = tmp_path / "tmp" / "ticklake-spool"
    assert not spools.exists() or list(spools.iterdir()) == [], "spool folders of killed sinks were left behind"
    data = [k for k in everything if k.startswith(f"{PREFIX}/market/")]
    pattern = data_key_pattern(topic, ("dt=\\d{4}-\\d{2}-\\d{2}", "month=\\d{4}-\\d{2}"))
    bad = [k for k in data if not pattern.fullmatch(k[len(PREFIX) + 1:])]
    assert bad == [], f"unexpected keys: {bad[:10]}"
    assert any("/month=" in k for k in data), "the final run wrote nothing"
    assert parquet_ids(s3, bucket, data) == (n, n)
    # Each killed batch was found and removed by the next run before being redone...
    for run_index, p, journal in landed:
        restart_log = logs[run_index + 1].read_text()
        line = f"partition {p}: removed"
        assert any(line in l and "of an uncommitted batch" in l and f"offsets {journal['start']}-{journal['end']}" in l
                   for l in restart_log.splitlines()), minio.redact(restart_log[-3000:])
    # ...and the final run resumed from committed offsets instead of starting over.
    assert 0 < summary["consumed"] < n
    assert summary["dead_letters"] == 0


def test_wrong_credentials_fail_clearly_and_commit_nothing(minio, s3, broker, topic, bucket, tmp_path):
    n = 20_000
    produce_sim(broker, topic, n, partitions=2)
    group = "g-creds-" + topic
    wrong = secrets.token_hex(20)
    started = time.monotonic()
    _, proc = sink_s3(minio, broker, topic, bucket, tmp_path, group=group, secret_key=wrong, check=False)
    elapsed = time.monotonic() - started
    output = proc.stdout + proc.stderr
    shown = minio.redact(output.replace(wrong, "<wrong-secret>"))[-3000:]
    (tmp_path / "wrong-credentials.log").write_text(shown)
    assert proc.returncode != 0, shown
    assert elapsed < 60, f"wrong credentials took {elapsed:.0f} s to fail"
    assert re.search(r"access denied|SignatureDoesNotMatch|AccessDenied|InvalidAccessKeyId", proc.stderr,
                     re.IGNORECASE), shown
    assert f"s3://{bucket}" in proc.stderr, shown  # names what it could not reach
    wrong_leaked = wrong in output
    right_leaked = minio.secret_key in output
    assert not wrong_leaked, "the wrong secret is in ticklake's output"
    assert not right_leaked, "the MinIO secret is in ticklake's output"
    assert list_keys(s3, bucket, "") == [], "the failed run left objects behind"

    # Same group, right credentials: everything from offset 0, so the failed run committed nothing.
    summary, _ = sink_s3(minio, broker, topic, bucket, tmp_path, group=group)
    assert summary["consumed"] == n
    assert summary["rows_written"] == n
    data = list_keys(s3, bucket, f"{PREFIX}/market/")
    assert parquet_ids(s3, bucket, data) == (n, n)


def group_offsets(broker, group, topic):
    """{partition: (committed, end)} from `ticklake kafka lag --json` (asks without joining the group)."""
    proc = subprocess.run([str(BINARY), "kafka", "lag", "-b", broker.bootstrap, "-g", group, "-t", topic, "--json"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    return {r["partition"]: (r["committed"], r["high"]) for r in rows}


def test_minio_killed_mid_run_and_back_half_a_minute_later(broker, topic, tmp_path):
    """S3 goes away under a running sink: it backs off, commits nothing, resumes, exact count."""
    outage_s = 30  # longer than the sink's backoff steps; the chaos suite's S3 scenarios go further
    server = MinioServer().start()
    try:
        s3 = server.client()
        bucket = "tl-outage-" + uuid.uuid4().hex[:8]
        s3.create_bucket(Bucket=bucket)
        first, second, partitions = 150_000, 150_000, 2
        produce_sim(broker, topic, first, seed=7, partitions=partitions, days=1)
        group = "g-outage-" + topic
        summary = tmp_path / "summary.json"
        log = tmp_path / "sink.log"
        with open(log, "w") as err:
            proc = subprocess.Popen(
                # Batches of 60,000 events: their quotes file (~8 MiB of JSON Lines) goes as a
                # 2-part multipart upload, so the outage also cuts uploads in the middle.
                [str(BINARY), *sink_args(broker, topic, f"s3://{bucket}/{PREFIX}", group=group, idle=5, fmt="jsonl",
                                         extra=("--rotate-rows", "60000", "--s3-multipart-threshold-mib", "5",
                                                "--s3-part-size-mib", "5", "--summary-json", str(summary)))],
                stdout=subprocess.DEVNULL, stderr=err, env=server.ticklake_env(tmpdir=tmp_path / "tmp"))
        try:
            wait_deadline = time.monotonic() + 120
            while len(list_keys(s3, bucket, f"{PREFIX}/market/")) < 2:
                assert proc.poll() is None, server.redact(log.read_text()[-3000:])
                assert time.monotonic() < wait_deadline, "the sink wrote nothing within 120 s"
                time.sleep(0.05)
            server.kill()
            # More data arrives while S3 is down: it can only be written after the restart.
            produce_sim(broker, topic, second, seed=8, partitions=partitions, days=1)
            time.sleep(5)  # a commit for an upload S3 acknowledged just before the kill may still land
            before = group_offsets(broker, group, topic)
            time.sleep(outage_s - 5)
            during = group_offsets(broker, group, topic)
            assert proc.poll() is None, "the sink gave up during the outage:\n" + server.redact(log.read_text()[-3000:])
            # A writer may confirm it still owns a partition by committing its batch's first
            # offset again (the chaos suite's zombie guard): that commits nothing new, though
            # for a partition with no commit yet it turns "none" (-1) into its first offset, 0.
            nothing_new = {p: (max(c, 0), end) for p, (c, end) in before.items()}
            assert {p: (max(c, 0), end) for p, (c, end) in during.items()} == nothing_new, \
                f"offsets were committed while S3 was down: {before} -> {during}"
            assert sum(c for c, _ in during.values() if c > 0) < first + second
            server.restart()
            proc.wait(timeout=300)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=60)
        output = server.redact(log.read_text())
        assert proc.returncode == 0, output[-3000:]
        assert "retry" in output and "cannot reach S3" in output, output[-3000:]
        assert server.secret_key not in log.read_text()

        everything = list_keys(s3, bucket, "")
        assert [k for k in everything if "/_ticklake/" in k and not k.endswith(KEPT_STATE)] == [], \
            "journals left after the run"
        data = [k for k in everything if k.startswith(f"{PREFIX}/market/")]
        ids = [json.loads(line)["id"] for k in data
               for line in s3.get_object(Bucket=bucket, Key=k)["Body"].read().splitlines()]
        assert len(ids) == first + second
        assert len(set(ids)) == first + second
        assert any(s3.head_object(Bucket=bucket, Key=k)["ETag"].endswith('-2"') for k in data), "no multipart upload"
        # No upload cut by the outage is left behind (MinIO lists uploads per exact key only).
        leaked = [k for k in data if s3.list_multipart_uploads(Bucket=bucket, Prefix=k).get("Uploads")]
        assert leaked == [], f"unfinished multipart uploads left: {leaked}"
        final = group_offsets(broker, group, topic)
        assert all(committed == end for committed, end in final.values()), final
        assert sum(end for _, end in final.values()) == first + second
    finally:
        server.stop()


def test_ls_and_cat_show_what_landed(minio, s3, broker, topic, bucket, tmp_path):
    n = 5_000
    produce_sim(broker, topic, n, partitions=2, days=2)
    sink_s3(minio, broker, topic, bucket, tmp_path, fmt="jsonl")
    keys = list_keys(s3, bucket, f"{PREFIX}/market/trades/")
    assert keys
    sizes = {k: s3.head_object(Bucket=bucket, Key=k)["ContentLength"] for k in keys}

    top = run_ticklake(minio, ["ls", f"s3://{bucket}/{PREFIX}/market"], tmp_path / "tmp")
    assert sorted(line.split()[-1] for line in top.stdout.splitlines()) == ["quotes/", "trades/"]
    assert all(line.split()[0] == "PRE" for line in top.stdout.splitlines())

    listed = run_ticklake(minio, ["ls", "-r", "--json", f"s3://{bucket}/{PREFIX}/market/trades"], tmp_path / "tmp")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert {f"{PREFIX}/market/trades/" + r["key"]: r["size"] for r in rows} == sizes

    summary = run_ticklake(minio, ["ls", "-r", "--summarize", f"s3://{bucket}/{PREFIX}/market/trades/"],
                           tmp_path / "tmp")
    assert f"Total Objects: {len(keys)}" in summary.stdout
    assert f"Total Size: {sum(sizes.values())}" in summary.stdout

    cat = run_ticklake(minio, ["cat", *[f"s3://{bucket}/{k}" for k in keys]], tmp_path / "tmp")
    expected = b"".join(s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys)
    assert cat.stdout.encode() == expected

    missing = run_ticklake(minio, ["cat", f"s3://{bucket}/{PREFIX}/nope.jsonl"], tmp_path / "tmp", check=False)
    assert missing.returncode == 1
    assert "not found" in missing.stderr
    nothing = run_ticklake(minio, ["ls", f"s3://{bucket}/nothing-here"], tmp_path / "tmp", check=False)
    assert nothing.returncode == 1


def test_s3_endpoint_flag_replaces_the_environment(minio, s3, bucket, tmp_path):
    s3.put_object(Bucket=bucket, Key="a/b.txt", Body=b"hello")
    env = minio.ticklake_env(tmpdir=tmp_path / "tmp")
    del env["AWS_ENDPOINT_URL_S3"]
    env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"  # would fail: the flag must win
    proc = subprocess.run([str(BINARY), "cat", "--s3-endpoint", minio.endpoint, f"s3://{bucket}/a/b.txt"],
                          capture_output=True, timeout=60, env=env)
    assert proc.returncode == 0, minio.redact(proc.stderr.decode())
    assert proc.stdout == b"hello"
    bad = subprocess.run([str(BINARY), "ls", "--s3-endpoint", "ftp://x", f"s3://{bucket}"],
                         capture_output=True, text=True, timeout=60, env=env)
    assert bad.returncode == 2
    assert "--s3-endpoint" in bad.stderr


def test_cp_round_trips_files_through_s3(minio, s3, bucket, tmp_path):
    src = tmp_path / "src"
    (src / "dt=2025-01-06").mkdir(parents=True)
    files = {"dt=2025-01-06/small.bin": secrets.token_bytes(1000), "big.bin": secrets.token_bytes(21 * 1024 * 1024),
             "empty": b""}
    for name, data in files.items():
        (src / name).write_bytes(data)
    run_ticklake(minio, ["cp", "-r", "--s3-multipart-threshold-mib", "8", "--s3-part-size-mib", "5", str(src),
                         f"s3://{bucket}/copy"], tmp_path / "tmp")
    # boto3 reads back what ticklake uploaded; the big file went as a 5-part multipart upload.
    for name, data in files.items():
        assert s3.get_object(Bucket=bucket, Key=f"copy/{name}")["Body"].read() == data, name
    assert s3.head_object(Bucket=bucket, Key="copy/big.bin")["ETag"].endswith('-5"')
    # ...and ticklake downloads what boto3 wrote.
    s3.put_object(Bucket=bucket, Key="copy/from-boto3.txt", Body=b"written by boto3\n")
    back = tmp_path / "back"
    run_ticklake(minio, ["cp", "-r", f"s3://{bucket}/copy", str(back)], tmp_path / "tmp")
    got = {str(p.relative_to(back)): p.read_bytes() for p in back.rglob("*") if p.is_file()}
    assert got == {**files, "from-boto3.txt": b"written by boto3\n"}
    one = run_ticklake(minio, ["cp", f"s3://{bucket}/copy/big.bin", str(tmp_path / "one.bin")], tmp_path / "tmp")
    assert (tmp_path / "one.bin").read_bytes() == files["big.bin"]
    assert "1 file" in one.stderr
    missing = run_ticklake(minio, ["cp", f"s3://{bucket}/copy/nope", str(tmp_path)], tmp_path / "tmp", check=False)
    assert missing.returncode == 1 and "not found" in missing.stderr
