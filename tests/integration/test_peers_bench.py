"""The short form of `make bench-peers` (bench/peers_bench.py, issue #16 item 4): 20,000 ticks on a
private broker through kcat, `ticklake sink` (Parquet, JSONL), the confluent-kafka + pyarrow
consumer and the tutorial's kafka-python consumer (one round; Spark left out: --no-spark), then
the five questions through `ticklake query` and DuckDB-Python. The script itself fails unless every
peer's output holds every produced id once (and none that is not in the topic) and the two
engines answer alike; here its JSON and its markdown tables must hold every row."""
import json
import re
import subprocess
import sys
import time
from pathlib import Path

from conftest import BINARY

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "peers_bench.py"
COUNT = 20_000
PEERS = {"kcat": "`kcat -C` (ceiling)", "sink_parquet": "`ticklake sink` Parquet",
         "sink_jsonl": "`ticklake sink` JSONL", "confluent_pyarrow": "confluent-kafka + pyarrow",
         "tutorial": "tutorial consumer (kafka-python)"}


def test_peers_bench_short_form(tmp_path):
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, str(SCRIPT), "--count", str(COUNT), "--no-spark", "--repeat", "1",
                        "--bin", str(BINARY), "--results-dir", str(tmp_path), "--workdir", str(tmp_path)],
                       capture_output=True, text=True, timeout=300)
    took = time.monotonic() - t0
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    results = list(tmp_path.glob("peers-*.json"))
    assert len(results) == 1, results
    res = json.loads(results[0].read_text())
    assert res["count"] == COUNT and not res["failed"], res.get("failed")
    assert set(res["best"]) == set(PEERS), res["best"].keys()
    for key, b in res["best"].items():
        c = b["check"]
        # every produced id once (the tutorial consumer's cap is the whole topic here)
        assert c["ok"] and c["ids"] == c["distinct_ids"] == c["expected"] == COUNT, (key, c)
        assert c["ids_not_in_topic"] == 0, (key, c)
        assert b["consumed"] == COUNT, (key, b["consumed"])
        assert b["msgs_per_s_busy"] > 0 and b["cpu_us_per_msg"] > 0 and b["peak_rss_bytes"] > 0, (key, b)
        assert b["out_bytes_per_msg"] > 0, (key, b)
    assert "spark" not in res["best"]

    # The markdown table of the peers: one row each, every column filled.
    lines = r.stdout.splitlines()
    for key, name in PEERS.items():
        row = [line for line in lines if line.startswith(f"| {name}")]
        assert len(row) == 1, (name, r.stdout)
        cells = [c.strip() for c in row[0].strip("|").split("|")]
        assert len(cells) == 9 and all(cells), cells
        assert cells[-1] == f"{COUNT:,} = produced", cells
    assert "Spark" not in res["tables"]["peers"]
    assert res["tables"]["peers"] in r.stdout and res["tables"]["queries"] in r.stdout

    # The queries: five questions and the total, answers cross-checked, the overhead ratio given.
    qs = res["queries"]
    assert len(qs) == 5, qs
    for q in qs:
        assert q["answers_equal"] == "ticklake = DuckDB", q
        assert len(q["ticklake_query_s"]) == len(q["duckdb_s"]) == 3, q
    assert qs[0]["answer_head"] == [[res["best"]["sink_parquet"]["summary"]["rows_by_table"]["trades"]]], qs[0]
    qrows = [line for line in lines if re.match(r"\| (count|VWAP per symbol|OHLC per minute|top 10 symbols|"
                                                 r"one-day filter count|all 5)\b", line)]
    assert len(qrows) == 6, r.stdout
    for line in qrows:
        assert re.search(r"\| [\d.]+x \|", line), line
    assert took < 60, f"the short form took {took:.1f} s"
