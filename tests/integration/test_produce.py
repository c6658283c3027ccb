"""The producer: sources, determinism, the tutorial dataset, and failure messages."""
import csv
import io
import subprocess
import zipfile
from collections import Counter

import duckdb
import pytest

from conftest import SHARED_DATA, free_port, kcat_dump, produce_sim, run, sink


def test_unreachable_broker_fails_fast_with_a_clear_message():
    port = free_port()
    proc = run(["produce", "-b", f"127.0.0.1:{port}", "-t", "x", "--count", "10", "--no-progress"],
               check=False, timeout=60)
    assert proc.returncode != 0
    assert f"127.0.0.1:{port}" in proc.stderr
    assert "ticklake kafka start" in proc.stderr


def test_same_seed_gives_the_same_events(broker, tmp_path):
    dumps = []
    for i in range(2):
        t = f"det-{i}-{tmp_path.name[-8:]}"
        produce_sim(broker, t, 5000, seed=42, partitions=1)
        dumps.append(kcat_dump(broker, t, tmp_path / f"d{i}.jsonl").read_text().splitlines())
    strip = lambda line: line.split(',"recv_ts"')[0] + line.split(',"source"')[1]  # recv_ts is wall clock
    assert len(dumps[0]) == 5000
    assert [strip(x) for x in dumps[0]] == [strip(x) for x in dumps[1]]
    other = "det-other-" + tmp_path.name[-8:]
    produce_sim(broker, other, 5000, seed=43, partitions=1)
    third = kcat_dump(broker, other, tmp_path / "d2.jsonl").read_text().splitlines()
    assert sum(strip(a) != strip(b) for a, b in zip(dumps[0], third)) > 4000  # another seed, other events


def test_messages_are_keyed_by_symbol_with_a_type_header(broker, topic):
    produce_sim(broker, topic, 2000, partitions=3)
    out = subprocess.run(["kcat", "-C", "-b", broker.bootstrap, "-t", topic, "-o", "beginning", "-e", "-q",
                          "-f", "%k\t%p\t%h\t%s\n"], capture_output=True, text=True, check=True, timeout=60).stdout
    partitions_of_symbol = {}
    rows = out.splitlines()
    assert len(rows) == 2000
    for row in rows:
        key, part, headers, value = row.split("\t", 3)
        assert f'"symbol":"{key}"' in value
        kind = value.split('"type":"')[1].split('"')[0]
        assert headers == f"type={kind}"
        partitions_of_symbol.setdefault(key, set()).add(part)
    assert all(len(p) == 1 for p in partitions_of_symbol.values()), "a symbol spans partitions"


@pytest.fixture(scope="module")
def tutorial_rows():
    with zipfile.ZipFile(SHARED_DATA / "indexProcessed.csv.zip") as z:
        name = next(n for n in z.namelist() if n.endswith(".csv"))
        text = z.read(name).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_tutorial_dataset_lands_as_bars(broker, topic, warehouse, tutorial_rows):
    proc = run(["produce", "-b", broker.bootstrap, "-t", topic, "--source", "csv", "--file",
                str(SHARED_DATA / "indexProcessed.csv.zip"), "--partitions", "3", "--no-progress"])
    n = len(tutorial_rows)
    assert n == 104_224
    assert f"delivered {n} of {n}" in proc.stderr
    summary, _ = sink(broker, topic, warehouse, extra=("--time-partition", "year"))
    assert summary["rows_by_table"] == {"bars": n}
    con = duckdb.connect()
    got = dict(con.execute(f"SELECT symbol, count(*) FROM read_parquet('{warehouse}/market/bars/*/*.parquet') "
                           f"GROUP BY symbol").fetchall())
    assert got == dict(Counter(r["Index"] for r in tutorial_rows))
    # Spot-check values of every 997th row against the CSV itself.
    stored = {(s, str(d)): (o, h, l, c, a, v) for s, d, o, h, l, c, a, v in con.execute(
        f"SELECT symbol, CAST(ts AS DATE), open, high, low, close, adj_close, volume "
        f"FROM read_parquet('{warehouse}/market/bars/*/*.parquet')").fetchall()}
    assert len(stored) == n
    for r in tutorial_rows[::997]:
        o, h, l, c, a, v = stored[(r["Index"], r["Date"])]
        assert (o, h, l, c, a, v) == (float(r["Open"]), float(r["High"]), float(r["Low"]), float(r["Close"]),
                                      float(r["Adj Close"]), float(r["Volume"]))
    years = {p.name for p in (warehouse / "market" / "bars").iterdir()}
    assert "year=1965" in years and "year=2021" in years
