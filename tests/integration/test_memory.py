"""Bounded memory (issue #12, item 1): the sink's peak RSS stays within --max-memory-mib on a
backlog much larger than the budget, over many partitions and symbols, and every event still
lands exactly once. Peak RSS is GNU time's %M: the kernel's count (ru_maxrss) for the sink alone.

Not wait4's ru_maxrss of a child of this process: Python starts children with vfork, and exec
folds the parent's high-water mark into the child's ru_maxrss, so that figure is at least the
pytest process's own peak (a 600 MiB pytest made a 150 MiB sink read 714.6 MiB). /usr/bin/time
is a small process that forks the sink and reports its child's figure alone.
"""
import json
import subprocess
import uuid

import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest

from conftest import BINARY, produce_sim, sink_args

BUDGET_MIB = 160
EVENTS = 400_000  # ~60 MiB of messages: the whole backlog would not fit next to the rest

TIME = "/usr/bin/time"  # GNU time (Debian package `time`)


@pytest.fixture(scope="module")
def backlog(broker):
    """One backlog for both formats, each sink reading it whole in its own group: producing it
    is a large part of the test's time."""
    topic = "t-mem-" + uuid.uuid4().hex[:10]
    produce_sim(broker, topic, EVENTS, symbols=1000, partitions=12)
    return topic


@pytest.mark.memory
@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_sink_peak_rss_stays_within_max_memory_mib(broker, backlog, tmp_path, fmt):
    warehouse = tmp_path / "warehouse"
    summary = tmp_path / "summary.json"
    log = tmp_path / "sink.log"
    args = sink_args(broker, backlog, warehouse, group=f"g-{fmt}-{backlog}", fmt=fmt, idle=2,
                     extra=("--max-memory-mib", str(BUDGET_MIB), "--summary-json", str(summary)))
    peak = tmp_path / "peak-kib"
    with open(log, "w") as err:
        proc = subprocess.run([TIME, "-f", "%M", "-o", str(peak), str(BINARY), *args], stdout=subprocess.DEVNULL,
                              stderr=err, timeout=300)
    assert proc.returncode == 0, log.read_text()[-3000:]
    peak_mib = int(peak.read_text().split()[-1]) / 1024  # KiB
    print(f"PEAK {fmt} {peak_mib:.1f}")
    assert peak_mib <= BUDGET_MIB, f"peak RSS {peak_mib:.1f} MiB over --max-memory-mib {BUDGET_MIB}"

    assert json.loads(summary.read_text())["rows_written"] == EVENTS
    files = [str(p) for p in warehouse.joinpath("market").rglob(f"*.{fmt}")]
    if fmt == "parquet":
        ids = ds.dataset(files, format="parquet").to_table(columns=["id"]).column("id")
        count, distinct = len(ids), pc.count_distinct(ids).as_py()
    else:
        seen = [json.loads(line)["id"] for f in files for line in open(f)]
        count, distinct = len(seen), len(set(seen))
    assert (count, distinct) == (EVENTS, EVENTS), "every event exactly once"
