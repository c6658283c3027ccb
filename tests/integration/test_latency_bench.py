"""The short form of `make bench-latency` (bench/latency_bench.py): a paced stream for a few
seconds through a private broker, the sink and `ticklake query`. The script itself fails unless
every produced id is in the files exactly once and every query poll counted what the catalog had
registered; here its report must hold every figure."""
import re
import subprocess
import sys
from pathlib import Path

from conftest import BINARY

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "latency_bench.py"


def test_latency_bench_short_form():
    r = subprocess.run([sys.executable, str(SCRIPT), "--rate", "2000", "--seconds", "5", "--bin", str(BINARY)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    assert "10,000 events at 2000/s" in r.stdout, r.stdout
    for line in ("event generated -> durable file", "event generated -> registered",
                 "event generated -> query answers"):
        m = re.search(re.escape(line) + r"\s+p50\s+([\d.]+) s\s+p99\s+([\d.]+) s\s+max\s+([\d.]+) s\s+\(10,000 rows\)",
                      r.stdout)
        assert m, f"{line!r} missing: {r.stdout}"
        p50, p99, top = map(float, m.groups())
        assert 0 <= p50 <= p99 <= top, r.stdout
