"""--time-partition auto (the default): the grain each table gets from its data's density, the
file counts the issue names (decades of daily bars, the tutorial dataset), intraday ticks kept
by day, a refused grain change, and `WHERE dt = ...` on every grain, checked against DuckDB-Python
and pyarrow reading the lake directly."""
import csv
import json
import random
import re
from collections import Counter
from datetime import date, timedelta

import duckdb
import pyarrow.dataset as ds
import pytest

from conftest import SHARED_DATA, produce_sim, run, sink, sink_args

INDEXES = {"NYA": 1965, "IXIC": 1971, "N225": 1984, "GSPTSE": 1987, "HSI": 1997}
LAST_DAY = date(2021, 6, 1)


def write_index_csv(path):
    """Five indexes of Yahoo-style daily bars up to 2021-06-01 (weekdays), the first from 1965. The
    symbol column is `Ticker`: finding `Index` by name is the CSV dialect work of issue 20."""
    rng = random.Random(5)
    counts = Counter()
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Ticker", "Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"])
        for index, first_year in INDEXES.items():
            day, price = date(first_year, 1, 4), 100.0
            while day <= LAST_DAY:
                if day.weekday() < 5:
                    price = round(price * (1 + rng.uniform(-0.02, 0.021)), 4)
                    w.writerow([index, day.isoformat(), price, round(price * 1.01, 4), round(price * 0.99, 4),
                                price, price, rng.randint(0, 10**6)])
                    counts[index] += 1
                day += timedelta(days=1)
    return counts


def lake_files(warehouse, table):
    return sorted((warehouse / "market" / table).rglob("*.parquet"))


def kept_grain(warehouse, table):
    return json.loads((warehouse / "_ticklake" / "tables" / "market" / table / "time_partition.json").read_text())


def query_jsonl(args):
    proc = run(["query", "--format", "jsonl", *args])
    return [json.loads(line) for line in proc.stdout.splitlines()], proc.stderr


def files_read(stderr):
    return int(re.search(r"(\d+) files? read", stderr).group(1))


@pytest.fixture(scope="module")
def index_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("indexes") / "indexes.csv"
    return path, write_index_csv(path)


def test_decades_of_daily_bars_sink_with_defaults_into_few_files(broker, topic, warehouse, index_csv, tmp_path):
    path, counts = index_csv
    n = sum(counts.values())
    run(["produce", "-b", broker.bootstrap, "-t", topic, "--source", "csv", "--file", str(path), "--no-progress"])
    catalog = tmp_path / "catalog.db"
    summary, proc = sink(broker, topic, warehouse, grain=None, extra=("--catalog", str(catalog)))
    files = lake_files(warehouse, "bars")
    print(f"five indexes, {n} daily bars 1965-2021, default sink: {len(files)} files")
    assert summary["rows_by_table"] == {"bars": n}
    assert summary["time_partition_by_table"] == {"bars": "none"}
    assert "bars: %d rows, time partition none" % n in proc.stderr
    assert len(files) <= 60 and summary["files_written"] == len(files)
    assert kept_grain(warehouse, "bars")["time_partition"] == "none"
    # Read by DuckDB-Python and pyarrow, not by ticklake: five indexes with their counts.
    con = duckdb.connect()
    got = dict(con.execute(f"SELECT symbol, count(*) FROM read_parquet('{warehouse}/market/bars/*.parquet') "
                           "GROUP BY symbol").fetchall())
    assert got == dict(counts)
    table = ds.dataset(str(warehouse / "market" / "bars"), format="parquet").to_table(columns=["symbol", "dt", "ts"])
    assert table.num_rows == n
    assert all(d == t.date() for d, t in zip(table["dt"].to_pylist()[::499], table["ts"].to_pylist()[::499]))
    # WHERE dt = ... without a dt folder: ticklake query (catalog) and DuckDB agree.
    rows, _ = query_jsonl(["--catalog", str(catalog),
                           "SELECT symbol, close FROM market.bars WHERE dt = DATE '1987-10-19' ORDER BY symbol"])
    ref = con.execute(f"SELECT symbol, close FROM read_parquet('{warehouse}/market/bars/*.parquet') "
                      "WHERE CAST(ts AS DATE) = DATE '1987-10-19' ORDER BY symbol").fetchall()
    assert [(r["symbol"], r["close"]) for r in rows] == ref and len(ref) == 4
    desc = json.loads(run(["catalog", "describe", "market.bars", "--catalog", str(catalog), "--json"]).stdout)
    assert desc["properties"]["time_partition"] == "none", desc


def test_a_year_grain_prunes_dt_filters_and_exports_dt_to_athena(broker, topic, warehouse, index_csv, tmp_path):
    path, counts = index_csv
    run(["produce", "-b", broker.bootstrap, "-t", topic, "--source", "csv", "--file", str(path), "--no-progress"])
    catalog = tmp_path / "catalog.db"
    summary, _ = sink(broker, topic, warehouse, extra=("--time-partition", "year", "--catalog", str(catalog)))
    assert summary["time_partition_by_table"] == {"bars": "year"}
    total = len(lake_files(warehouse, "bars"))
    rows, stderr = query_jsonl(["--catalog", str(catalog),
                                "SELECT symbol, close FROM market.bars WHERE dt = DATE '1987-10-19' ORDER BY symbol"])
    ref = duckdb.sql(f"SELECT symbol, close FROM read_parquet('{warehouse}/market/bars/*/*.parquet') "
                     "WHERE CAST(ts AS DATE) = DATE '1987-10-19' ORDER BY symbol").fetchall()
    assert [(r["symbol"], r["close"]) for r in rows] == ref and len(ref) == 4
    read = files_read(stderr)
    print(f"year grain: dt = DATE '1987-10-19' read {read} of {total} files")
    assert read == len(list((warehouse / "market" / "bars" / "year=1987").iterdir())) < total
    rows, _ = query_jsonl(["--catalog", str(catalog), "SELECT count(*) AS n FROM market.bars "
                           "WHERE dt BETWEEN DATE '1999-12-30' AND DATE '2000-01-04'"])
    assert rows[0]["n"] == duckdb.sql(f"SELECT count(*) FROM read_parquet('{warehouse}/market/bars/*/*.parquet') "
                                      "WHERE ts::DATE BETWEEN DATE '1999-12-30' AND DATE '2000-01-04'").fetchone()[0]
    ddl = run(["catalog", "export-ddl", "bars", "--catalog", str(catalog)]).stdout
    assert re.search(r"`dt` date", ddl) and "PARTITIONED BY" in ddl and "`year`" in ddl, ddl
    desc = json.loads(run(["catalog", "describe", "market.bars", "--catalog", str(catalog), "--json"]).stdout)
    assert desc["properties"]["time_partition"] == "year"


@pytest.mark.skipif(not (SHARED_DATA / "indexProcessed.csv.zip").exists(), reason="tutorial dataset absent")
def test_tutorial_dataset_with_default_settings_writes_at_most_100_files(broker, topic, warehouse):
    run(["produce", "-b", broker.bootstrap, "-t", topic, "--source", "csv", "--file",
         str(SHARED_DATA / "indexProcessed.csv.zip"), "--no-progress"])
    summary, _ = sink(broker, topic, warehouse, grain=None)
    files = lake_files(warehouse, "bars")
    print(f"tutorial dataset, default sink: {len(files)} files, grain {summary['time_partition_by_table']}")
    assert summary["rows_by_table"] == {"bars": 104_224}
    assert len(files) <= 100
    n = duckdb.sql(f"SELECT count(*) FROM read_parquet('{warehouse}/market/bars/**/*.parquet')").fetchone()[0]
    assert n == 104_224


def test_intraday_ticks_keep_day_partitions_and_a_changed_grain_is_refused(broker, topic, warehouse):
    produce_sim(broker, topic, 20_000, days=1)
    summary, _ = sink(broker, topic, warehouse, grain=None)
    assert summary["time_partition_by_table"] == {"quotes": "day", "trades": "day"}
    assert {p.name for p in (warehouse / "market" / "trades").iterdir()} == {"dt=2025-01-06"}
    assert kept_grain(warehouse, "trades")["chosen_by"] == "auto"
    produce_sim(broker, topic, 1_000, days=1, seed=8)
    proc = run(sink_args(broker, topic, warehouse, extra=("--time-partition", "year")), check=False)
    assert proc.returncode != 0
    assert "is partitioned by day" in proc.stderr and "--time-partition day" in proc.stderr, proc.stderr
    assert not list((warehouse / "market" / "trades").glob("year=*"))
    # auto keeps the kept grain.
    summary, _ = sink(broker, topic, warehouse, grain=None)
    assert summary["rows_written"] == 1_000 and summary["time_partition_by_table"]["trades"] == "day"


@pytest.mark.parametrize("grain,folder", [("hour", "dt=2025-01-07/hour="), ("day", "dt=2025-01-07"),
                                          ("month", "month=2025-01"), ("year", "year=2025"),
                                          ("decade", "decade=2020"), ("none", None)])
def test_dt_filters_answer_the_same_on_every_grain(broker, topic, warehouse, tmp_path, grain, folder):
    produce_sim(broker, topic, 6_000, days=3, partitions=2)
    catalog = tmp_path / "catalog.db"
    summary, _ = sink(broker, topic, warehouse, extra=("--time-partition", grain, "--catalog", str(catalog)))
    assert summary["time_partition_by_table"]["trades"] == grain
    keys = [str(p.relative_to(warehouse / "market" / "trades")) for p in lake_files(warehouse, "trades")]
    if folder:
        assert any(k.startswith(folder) for k in keys), keys
    else:
        assert all("/" not in k for k in keys), keys
    lake = ds.dataset(str(warehouse / "market" / "trades"), format="parquet", partitioning="hive")
    table = lake.to_table(columns=["ts"])
    expected = sum(1 for t in table["ts"].to_pylist() if t.date() == date(2025, 1, 7))
    assert 0 < expected < table.num_rows
    for flags in (["--catalog", str(catalog)], ["-w", str(warehouse)]):
        rows, _ = query_jsonl([*flags, "SELECT count(*) AS n FROM market.trades WHERE dt = DATE '2025-01-07'"])
        assert rows[0]["n"] == expected, (grain, flags)
        rows, _ = query_jsonl([*flags, "SELECT count(*) AS n FROM market.trades WHERE dt >= DATE '2025-01-08'"])
        assert rows[0]["n"] == sum(1 for t in table["ts"].to_pylist() if t.date() >= date(2025, 1, 8))
    ref = duckdb.sql(f"SELECT count(*) FROM read_parquet('{warehouse}/market/trades/**/*.parquet', "
                     "hive_partitioning = true) WHERE dt = DATE '2025-01-07'").fetchone()[0]
    assert ref == expected


def local_of(t, zone):
    """A naive UTC datetime from the lake as wall-clock time in `zone` (Python's zoneinfo)."""
    from datetime import timezone
    from zoneinfo import ZoneInfo
    return t.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone))


@pytest.mark.parametrize("grain", ["day", "month"])
def test_partition_tz_puts_rows_under_the_local_date(broker, topic, warehouse, tmp_path, grain):
    # A New York summer session is 13:30-20:00 UTC: 22:30-05:00 in Tokyo, so by Tokyo dates one
    # session lies under two days, and a UTC-date layout would differ from the local one.
    zone = "Asia/Tokyo"
    produce_sim(broker, topic, 6_000, days=1, partitions=2, extra=("--start", "2025-07-08T00:00:00Z"))
    catalog = tmp_path / "catalog.db"
    sink(broker, topic, warehouse, extra=("--time-partition", grain, "--partition-tz", zone, "--catalog", str(catalog)))
    assert kept_grain(warehouse, "trades")["tz"] == zone
    lake = ds.dataset(str(warehouse / "market" / "trades"), format="parquet", partitioning="hive")
    table = lake.to_table(columns=["ts", "dt"])
    local_dates = [local_of(t, zone).date() for t in table["ts"].to_pylist()]
    assert [d if isinstance(d, date) else date.fromisoformat(str(d)) for d in table["dt"].to_pylist()] == local_dates
    assert set(local_dates) == {date(2025, 7, 8), date(2025, 7, 9)}
    if grain == "day":
        assert {p.name for p in (warehouse / "market" / "trades").iterdir()} == {"dt=2025-07-08", "dt=2025-07-09"}
    # The query's dt pruning answers by the local date too.
    expected = sum(1 for d in local_dates if d == date(2025, 7, 9))
    assert 0 < expected < len(local_dates)
    for flags in (["--catalog", str(catalog)], ["-w", str(warehouse)]):
        rows, _ = query_jsonl([*flags, "SELECT count(*) AS n FROM market.trades WHERE dt = DATE '2025-07-09'"])
        assert rows[0]["n"] == expected, flags
    # A second run with another zone would put one day under two dates: refused.
    produce_sim(broker, topic, 500, days=1, seed=8, extra=("--start", "2025-07-08T00:00:00Z"))
    proc = run(sink_args(broker, topic, warehouse, extra=("--time-partition", grain)), check=False)
    assert proc.returncode != 0 and "--partition-tz Asia/Tokyo" in proc.stderr, proc.stderr


def test_hour_partitions_by_new_york_hour(broker, topic, warehouse):
    zone = "America/New_York"
    produce_sim(broker, topic, 4_000, days=1, partitions=2, extra=("--start", "2025-07-08T00:00:00Z"))
    sink(broker, topic, warehouse, extra=("--time-partition", "hour", "--partition-tz", zone))
    folders = {str(p.relative_to(warehouse / "market" / "trades").parent) for p in lake_files(warehouse, "trades")}
    # 09:30-16:00 New York: hours 09..15 of the local date, not 13..19 of UTC.
    assert folders == {f"dt=2025-07-08/hour={h:02d}" for h in range(9, 16)}, folders
    lake = ds.dataset(str(warehouse / "market" / "trades"), format="parquet", partitioning="hive")
    table = lake.to_table(columns=["ts", "hour"])
    for t, h in zip(table["ts"].to_pylist(), table["hour"].to_pylist()):
        assert local_of(t, zone).hour == int(h)


def test_unknown_partition_tz_is_refused(broker, topic, warehouse):
    proc = run(sink_args(broker, topic, warehouse, extra=("--partition-tz", "Mars/Olympus")), check=False)
    assert proc.returncode != 0 and "Mars/Olympus" in proc.stderr
