"""--metrics-addr on sink and produce: /metrics scraped with the reference Prometheus client's
parser (prometheus_client) while the process runs, /healthz and /readyz.

The sink's counters at the end equal its --summary-json, every partition's lag reaches 0, and
readiness flips from 503 to 200 when the group assigns partitions. METRICS_MESSAGES sets the
backlog (100,000 in `make test`; `make test-metrics-1m` runs the issue's 1,000,000).
"""
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import BINARY, produce_sim, run, wait_for

MESSAGES = int(os.environ.get("METRICS_MESSAGES", "100000"))
LISTENING = re.compile(r"serving metrics on (http://[^/\s]+)/metrics")


def http_get(url, timeout=5):
    """(status, body) of a GET; an HTTP error status is an answer, not an exception."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode(), r.headers.get("Content-Type")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers.get("Content-Type")


def scrape(base):
    """{(sample name, sorted label items): value} of one /metrics answer, as prometheus_client reads it."""
    status, body, content_type = http_get(base + "/metrics")
    assert status == 200, body
    assert content_type == "text/plain; version=0.0.4; charset=utf-8"
    samples = {}
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def total(samples, name, **labels):
    """Sum of the samples called name whose labels include `labels`."""
    return sum(v for (n, ls), v in samples.items() if n == name and all(dict(ls).get(k) == x for k, x in labels.items()))


def series(samples, name):
    return {ls: v for (n, ls), v in samples.items() if n == name}


class Process:
    """ticklake running in the background, its stderr collected line by line."""

    def __init__(self, args):
        self.proc = subprocess.Popen([str(BINARY), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line)

    def base_url(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in list(self.lines):
                if m := LISTENING.search(line):
                    return m.group(1)
            assert self.proc.poll() is None, "".join(self.lines)
            time.sleep(0.005)
        raise AssertionError("no 'serving metrics on' line:\n" + "".join(self.lines))

    def stop(self, timeout=120):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return self.proc.returncode


def test_sink_counters_equal_summary_lag_reaches_zero_and_readiness_flips(broker, topic, warehouse, tmp_path):
    produce_sim(broker, topic, MESSAGES, partitions=6)
    summary_path = tmp_path / "summary.json"
    sink = Process(["sink", "-b", broker.bootstrap, "-t", topic, "-g", "g-" + topic, "-w", str(warehouse),
                    "--time-partition", "day", "--max-buffer-age", "2", "--no-progress", "--metrics-addr",
                    "127.0.0.1:0", "--summary-json", str(summary_path), "-X", "statistics.interval.ms=500"])
    try:
        base = sink.base_url()
        assert base.startswith("http://127.0.0.1:")
        # Readiness from the first moment the server answers: 503 with a reason until the group
        # assigns partitions, then 200.
        readiness = []
        deadline = time.time() + 60
        while time.time() < deadline:
            status, body, _ = http_get(base + "/readyz")
            readiness.append((status, body))
            if status == 200:
                break
            time.sleep(0.005)
        assert readiness[0][0] == 503, readiness[:3]
        assert readiness[0][1].startswith("not ready: "), readiness[0]
        assert readiness[-1] == (200, "ready: 6 partitions assigned, warehouse reachable\n"), readiness[-3:]
        assert http_get(base + "/healthz")[:2] == (200, "ok\n")
        assert http_get(base + "/nothing")[0] == 404

        # Scrapes while it consumes: counters never go back.
        seen = []

        def caught_up():
            s = scrape(base)
            seen.append(s)
            lag = series(s, "ticklake_sink_consumer_lag_messages")
            return (total(s, "ticklake_sink_messages_consumed_total") == MESSAGES and len(lag) == 6 and
                    all(v == 0 for v in lag.values()) and total(s, "ticklake_sink_buffered_rows") == 0)

        wait_for(caught_up, 600, f"{MESSAGES} consumed, every partition's lag 0 and nothing buffered")
        consumed = [total(s, "ticklake_sink_messages_consumed_total") for s in seen]
        assert consumed == sorted(consumed)
        # librdkafka's statistics reach the same page.
        wait_for(lambda: total(scrape(base), "ticklake_kafka_statistics_total", client="consumer") > 0, 30,
                 "librdkafka statistics")
        final = scrape(base)
        assert total(final, "ticklake_kafka_rx_messages_total", client="consumer") >= MESSAGES
        assert total(final, "ticklake_kafka_brokers_up", client="consumer") >= 1
    finally:
        rc = sink.stop()
    assert rc == 0, "".join(sink.lines[-20:])
    summary = json.loads(summary_path.read_text())

    # The counters at the end are the summary's.
    assert summary["consumed"] == MESSAGES
    assert total(final, "ticklake_sink_messages_consumed_total") == summary["consumed"]
    assert total(final, "ticklake_sink_rows_written_total") == summary["rows_written"]
    for table, rows in summary["rows_by_table"].items():
        assert total(final, "ticklake_sink_rows_written_total", table=table) == rows, table
    assert total(final, "ticklake_sink_files_written_total") == summary["files_written"]
    assert total(final, "ticklake_sink_dead_letters_total") == summary["dead_letters"]
    assert total(final, "ticklake_sink_batches_committed_total") == summary["batches_committed"]
    assert total(final, "ticklake_sink_commit_duration_seconds_count") == summary["batches_committed"]
    assert total(final, "ticklake_sink_event_to_durable_seconds_count") == summary["batches_committed"]
    assert total(final, "ticklake_sink_commit_duration_seconds_bucket", le="+Inf") == summary["batches_committed"]
    # Bytes: what the files hold on disk, and what Kafka delivered.
    on_disk = sum(p.stat().st_size for p in (warehouse / "market").rglob("*.parquet"))
    assert total(final, "ticklake_sink_bytes_written_total") == on_disk
    assert total(final, "ticklake_sink_bytes_consumed_total") > 100 * MESSAGES
    assert total(final, "ticklake_sink_assigned_partitions") == 6
    print(f"\nmetrics: {MESSAGES} messages, {summary['files_written']} files, {summary['batches_committed']} batches; "
          f"counters equal the summary; {len(seen)} scrapes while it ran")


def test_produce_serves_metrics_and_readiness(broker, topic, tmp_path):
    count = 20000
    summary_path = tmp_path / "produce.json"
    producer = Process(["produce", "-b", broker.bootstrap, "-t", topic, "--source", "sim", "--count", str(count),
                        "--rate", "8000", "--no-progress", "--metrics-addr", "127.0.0.1:0", "--summary-json",
                        str(summary_path), "-X", "statistics.interval.ms=200"])
    try:
        base = producer.base_url()
        wait_for(lambda: http_get(base + "/readyz")[0] == 200, 60, "produce ready")
        wait_for(lambda: total(scrape(base), "ticklake_kafka_statistics_total", client="producer") > 0, 30,
                 "librdkafka statistics")
        wait_for(lambda: total(scrape(base), "ticklake_produce_messages_delivered_total") > 0, 30, "deliveries")
        during = scrape(base)
        assert http_get(base + "/readyz")[:2] == (200, "ready: connected to the cluster\n")
        assert total(during, "ticklake_kafka_brokers_up", client="producer") >= 1
    finally:
        rc = producer.stop() if producer.proc.poll() is None else producer.proc.wait()
    assert rc == 0, "".join(producer.lines[-20:])
    summary = json.loads(summary_path.read_text())
    sent = total(during, "ticklake_produce_messages_sent_total")
    delivered = total(during, "ticklake_produce_messages_delivered_total")
    assert 0 < delivered <= sent <= summary["enqueued"]
    assert total(during, "ticklake_produce_bytes_sent_total") > 0
    assert total(during, "ticklake_produce_messages_failed_total") == 0


def test_bad_metrics_addr_is_refused_before_anything_runs(broker, topic, warehouse):
    proc = run(["sink", "-b", broker.bootstrap, "-t", topic, "-w", str(warehouse), "--metrics-addr", "9464"],
               check=False)
    assert proc.returncode != 0
    assert "HOST:PORT" in proc.stderr, proc.stderr
    holder = Process(["produce", "-b", broker.bootstrap, "-t", topic, "--source", "sim", "--count", "1000000",
                      "--rate", "1000", "--no-progress", "--metrics-addr", "127.0.0.1:0"])
    try:
        taken = holder.base_url().rsplit(":", 1)[1]
        proc = run(["produce", "-b", broker.bootstrap, "-t", topic, "--source", "sim", "--count", "10",
                    "--metrics-addr", "127.0.0.1:" + taken], check=False)
        assert proc.returncode != 0
        assert f"--metrics-addr: cannot listen on 127.0.0.1:{taken}" in proc.stderr, proc.stderr
    finally:
        holder.stop()
