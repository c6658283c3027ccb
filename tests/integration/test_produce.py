"""The producer: sources, determinism, the tutorial dataset, and failure messages."""
import csv
import io
import os
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


@pytest.mark.parametrize("name", ["a'b $(touch pwned) c.zip", "it's here; touch pwned #.zip", "`touch pwned`.zip"])
def test_zip_files_with_shell_characters_in_their_names_are_read_by_the_library(broker, topic, tmp_path, name):
    """No shell and no `unzip`: a zip's name is only a path, never part of a command line."""
    rows = [(f"S{i % 5}", f"2024-01-{1 + i // 1440:02}T{i // 60 % 24:02}:{i % 60:02}:00Z", i, i + 2, i - 1, i + 1, 10 * i)
            for i in range(3000)]
    text = "symbol,ts,open,high,low,close,volume\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)
    archive = tmp_path / name
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("README.txt", "not data")
        z.writestr("bars $(touch pwned).csv", text)
    proc = run(["produce", "-b", broker.bootstrap, "-t", topic, "--source", "csv", "--file", str(archive),
                "--partitions", "2", "--no-progress"], cwd=tmp_path)
    assert "delivered 3000 of 3000" in proc.stderr, proc.stderr
    values = kcat_dump(broker, topic, tmp_path / "dump.jsonl").read_text().splitlines()
    assert len(values) == 3000
    assert {v.split('"symbol":"')[1].split('"')[0] for v in values} == {f"S{i}" for i in range(5)}
    assert not list(tmp_path.rglob("pwned")) and not os.path.exists("pwned")


def test_broken_zips_are_clear_errors(tmp_path):
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w"):
        pass
    no_csv = tmp_path / "no csv.zip"
    with zipfile.ZipFile(no_csv, "w") as z:
        z.writestr("prices.parquet", b"PAR1")
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(b"PK\x03\x04" + os.urandom(200))
    for path, says in [(empty, "is empty"), (no_csv, "holds no .csv file (it has prices.parquet)"),
                       (corrupt, "not a zip archive")]:
        proc = run(["produce", "-b", "127.0.0.1:1", "-t", "x", "--source", "csv", "--file", str(path),
                    "--no-progress"], check=False, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert str(path) in proc.stderr and says in proc.stderr, proc.stderr
