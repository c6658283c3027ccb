"""Stop means stop (issue #12, item 3): SIGTERM during a storage outage ends the sink within
5 s, commits nothing for the batch it could not write, and the next run writes it, exactly once.
The outage is a real one: the MinIO server is killed (connections refused), as test_s3.py does.
"""
import json
import signal
import subprocess
import time
import uuid

from conftest import BINARY, produce_sim, sink_args
from minio import MinioServer, list_keys

PREFIX = "lake"


def test_sigterm_during_s3_outage_ends_within_5_s_then_next_run_is_exactly_once(broker, topic, tmp_path):
    server = MinioServer().start()
    try:
        s3 = server.client()
        bucket = "tl-stop-" + uuid.uuid4().hex[:8]
        s3.create_bucket(Bucket=bucket)
        first, second, partitions = 60_000, 60_000, 2
        produce_sim(broker, topic, first, seed=7, partitions=partitions)
        group = "g-stop-" + topic
        warehouse = f"s3://{bucket}/{PREFIX}"
        log = tmp_path / "sink.log"
        with open(log, "w") as err:
            # --storage-retry-timeout stays at its default (300 s): what is tested is that the
            # stop request, not the deadline, ends the retries.
            proc = subprocess.Popen(
                [str(BINARY), *sink_args(broker, topic, warehouse, group=group, idle=600, fmt="jsonl",
                                         extra=("--rotate-rows", "10000"))],
                stdout=subprocess.DEVNULL, stderr=err, env=server.ticklake_env(tmpdir=tmp_path / "tmp"))
        try:
            deadline = time.monotonic() + 120
            while not list_keys(s3, bucket, f"{PREFIX}/market/"):
                assert proc.poll() is None, server.redact(log.read_text()[-3000:])
                assert time.monotonic() < deadline, "the sink wrote nothing within 120 s"
                time.sleep(0.05)
            server.kill()
            # Data that can only be written after the outage: the sink is retrying it.
            produce_sim(broker, topic, second, seed=8, partitions=partitions)
            deadline = time.monotonic() + 60
            while "retry" not in log.read_text():
                assert proc.poll() is None, server.redact(log.read_text()[-3000:])
                assert time.monotonic() < deadline, "the sink did not retry within 60 s of the outage"
                time.sleep(0.05)
            time.sleep(1)  # well inside a backoff wait (or an S3 request's own retries)
            t0 = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            took = time.monotonic() - t0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=60)
        output = server.redact(log.read_text())
        assert took <= 5.0, f"the sink took {took:.1f} s to stop during the outage\n{output[-3000:]}"
        assert proc.returncode != 0, "a batch was not written: the exit status must say so\n" + output[-3000:]
        assert "the sink is stopping" in output and "nothing was committed" in output, output[-3000:]

        # Storage back: a new run redoes what the stopped one could not write, exactly once.
        server.restart()
        summary = tmp_path / "summary.json"
        rerun = subprocess.run(
            [str(BINARY), *sink_args(broker, topic, warehouse, group=group, idle=3, fmt="jsonl",
                                     extra=("--summary-json", str(summary)))],
            capture_output=True, text=True, timeout=300, env=server.ticklake_env(tmpdir=tmp_path / "tmp"))
        assert rerun.returncode == 0, server.redact(rerun.stderr[-3000:])
        everything = list_keys(s3, bucket, "")
        kept_state = ("/topic.json", "/time_partition.json")
        assert [k for k in everything if "/_ticklake/" in k and not k.endswith(kept_state)] == [], \
            "journals left after the second run"
        data = [k for k in everything if k.startswith(f"{PREFIX}/market/")]
        ids = [json.loads(line)["id"] for k in data
               for line in s3.get_object(Bucket=bucket, Key=k)["Body"].read().splitlines()]
        assert len(set(ids)) == first + second
        assert len(ids) == first + second, f"{len(ids) - len(set(ids))} duplicates"
    finally:
        server.stop()
