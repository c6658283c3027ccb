"""One table, one location (#17 item 4): two warehouses never merge into one catalog table, a
table can be dropped, tables whose folders are gone are pruned, and a query of a table whose
files are all gone says so by name. After every operation the catalog's row counts are compared
with DuckDB-Python reading the table's files directly, never with ticklake."""
import json
import shutil
import uuid
from pathlib import Path

import duckdb

from conftest import produce_sim, run, sink


def catalog_json(catalog, *args):
    return json.loads(run(["catalog", *args, "--catalog", str(catalog), "--json"]).stdout)


def local_path(location: str) -> Path:
    return Path(location[len("file://"):] if location.startswith("file://") else location)


def assert_counts_true(catalog, table):
    """The catalog's rows per partition (and per file) equal what DuckDB counts in the files of
    the table's folder, and the catalog lists exactly those files."""
    desc = catalog_json(catalog, "describe", table)
    folder = local_path(desc["location"])
    on_disk = sorted(str(p) for p in folder.rglob("*.parquet"))
    files = catalog_json(catalog, "files", table)
    listed = sorted(str(folder.parent.parent / f["key"]) for f in files)
    assert listed == on_disk, (listed[:3], on_disk[:3])
    per_file = dict(duckdb.sql(f"SELECT filename, count(*) FROM read_parquet({on_disk!r}, filename=true) "
                               f"GROUP BY 1").fetchall()) if on_disk else {}
    for f in files:
        assert f["rows"] == per_file[str(folder.parent.parent / f["key"])], f
    parts = catalog_json(catalog, "partitions", table)
    by_dt = {}
    for path, n in per_file.items():
        dt = Path(path).parent.name.split("=", 1)[1]
        by_dt[dt] = by_dt.get(dt, 0) + n
    assert {p["values"][0]: p["rows"] for p in parts} == by_dt
    return sum(by_dt.values())


def test_dev_and_prod_never_merge_and_can_live_side_by_side(broker, tmp_path):
    """The issue's measurement: a sink into ./dev and one into ./prod, one catalog."""
    dev_topic, prod_topic = "dev-" + uuid.uuid4().hex[:8], "prod-" + uuid.uuid4().hex[:8]
    produce_sim(broker, dev_topic, 3_000, seed=1, partitions=2)
    produce_sim(broker, prod_topic, 2_000, seed=2, partitions=2)
    catalog = tmp_path / "catalog.db"
    dev, prod = tmp_path / "dev", tmp_path / "prod"
    sink(broker, dev_topic, dev, extra=("--catalog", str(catalog)))
    dev_rows = assert_counts_true(catalog, "market.trades")

    # The prod sink commits its data, but its registration into dev's tables is refused, with
    # the way out in the message.
    _, proc = sink(broker, prod_topic, prod, extra=("--catalog", str(catalog)))
    assert "market.trades" in proc.stderr and str(dev) in proc.stderr, proc.stderr
    for way_out in ("--database", "--catalog", "ticklake catalog drop market.trades"):
        assert way_out in proc.stderr, proc.stderr
    assert list((prod / "market" / "trades").rglob("*.parquet"))
    desc = catalog_json(catalog, "describe", "market.trades")
    assert local_path(desc["location"]) == dev / "market" / "trades"
    assert assert_counts_true(catalog, "market.trades") == dev_rows

    # A crawl of prod into the same catalog is refused the same way, and changes nothing.
    crawl = run(["crawl", str(prod), "--catalog", str(catalog), "--no-progress"], check=False)
    assert crawl.returncode != 0 and "catalog drop market.trades" in crawl.stderr, crawl.stderr
    assert assert_counts_true(catalog, "market.trades") == dev_rows

    # Side by side: prod under another database.
    prod2 = tmp_path / "prod2"
    sink(broker, prod_topic, prod2, group="g2-" + prod_topic, extra=("--catalog", str(catalog), "--database", "prod"))
    prod_rows = assert_counts_true(catalog, "prod.trades")
    assert prod_rows == duckdb.sql(f"SELECT count(*) FROM read_parquet('{prod}/market/trades/*/*.parquet')").fetchone()[0]
    assert assert_counts_true(catalog, "market.trades") == dev_rows
    q = run(["query", "--catalog", str(catalog), "--format", "jsonl",
             "SELECT (SELECT count(*) FROM market.trades) AS dev, (SELECT count(*) FROM prod.trades) AS prod"])
    assert json.loads(q.stdout) == {"dev": dev_rows, "prod": prod_rows}
    assert "gone" not in q.stderr, q.stderr

    # Dropping the dev table lets prod's folder be registered there after all.
    dropped = run(["catalog", "drop", "market.trades", "--catalog", str(catalog)])
    assert "market.trades" in dropped.stdout
    assert "market.trades" not in [t["database"] + "." + t["name"] for t in catalog_json(catalog, "tables")]
    # quotes is still dev's: refused, while trades (dropped) is registered from prod.
    again = run(["crawl", str(prod), "--catalog", str(catalog), "--no-progress"], check=False)
    assert again.returncode == 2 and "market.quotes" in again.stderr and "join table market.trades" not in again.stderr
    desc = catalog_json(catalog, "describe", "market.trades")
    assert local_path(desc["location"]) == prod / "market" / "trades"
    assert assert_counts_true(catalog, "market.trades") == prod_rows


def test_gone_files_are_named_and_prune_drops_tables_whose_folders_are_gone(broker, topic, tmp_path):
    produce_sim(broker, topic, 2_000, partitions=2)
    catalog = tmp_path / "catalog.db"
    gone, kept = tmp_path / "gone", tmp_path / "kept"
    sink(broker, topic, gone, extra=("--catalog", str(catalog)))
    sink(broker, topic, kept, group="g2-" + topic, extra=("--catalog", str(catalog), "--database", "kept"))
    kept_rows = assert_counts_true(catalog, "kept.trades")
    shutil.rmtree(gone)

    q = run(["query", "--catalog", str(catalog), "SELECT count(*) FROM market.trades"], check=False)
    assert q.returncode != 0
    assert "market.trades" in q.stderr and "all" in q.stderr and "gone" in q.stderr, q.stderr
    assert "does not exist" not in q.stderr, q.stderr

    dry = run(["catalog", "prune", "--catalog", str(catalog)])
    assert "market.trades" in dry.stdout and "kept.trades" not in dry.stdout and "--apply" in dry.stdout, dry.stdout
    names = [t["database"] + "." + t["name"] for t in catalog_json(catalog, "tables")]
    assert "market.trades" in names  # a dry run changes nothing
    run(["catalog", "prune", "--apply", "--catalog", str(catalog)])
    names = [t["database"] + "." + t["name"] for t in catalog_json(catalog, "tables")]
    assert "market.trades" not in names and "kept.trades" in names
    assert assert_counts_true(catalog, "kept.trades") == kept_rows

    dropped = run(["catalog", "drop", "kept", "--catalog", str(catalog)])
    assert "kept.trades" in dropped.stdout
    assert [t for t in catalog_json(catalog, "tables") if t["database"] == "kept"] == []
    missing = run(["catalog", "drop", "nope.nothing", "--catalog", str(catalog)], check=False)
    assert missing.returncode == 2 and "nope.nothing" in missing.stderr


def test_per_file_metadata_event_time_pruning_and_expire(broker, topic, tmp_path):
    """#17 items 2 and 3: the catalog's files carry their Kafka origin, rows and event-time
    range (from the sink's commit, and from a crawl); a query bounding ts reads fewer files;
    expire drops whole old partitions and the counts stay true."""
    produce_sim(broker, topic, 6_000, days=3, partitions=2)
    catalog = tmp_path / "catalog.db"
    warehouse = tmp_path / "wh"
    sink(broker, topic, warehouse, extra=("--catalog", str(catalog)))
    assert_counts_true(catalog, "market.trades")

    files = catalog_json(catalog, "files", "market.trades")
    paths = [str(warehouse / f["key"]) for f in files]
    truth = {r[0]: r[1:] for r in duckdb.sql(
        f"SELECT filename, count(*), min(ts)::VARCHAR, max(ts)::VARCHAR FROM read_parquet({paths!r}, filename=true) "
        f"GROUP BY 1").fetchall()}
    for f in files:
        n, lo, hi = truth[str(warehouse / f["key"])]
        assert f["rows"] == n
        assert f["ts_min"].replace("T", " ").rstrip("Z").startswith(lo[:19]), (f, lo)
        assert f["ts_max"].replace("T", " ").rstrip("Z").startswith(hi[:19]), (f, hi)
        assert f["topic"] == topic and f["kafka_partition"] in (0, 1), f
        name_offset = int(f["key"].rsplit("-o", 1)[1].split(".")[0])
        assert f["first_offset"] <= name_offset <= f["last_offset"], f
        assert f["writer"].startswith("ticklake "), f
    days = sorted({f["partition"][0] for f in files})
    assert len(days) == 3, days
    one_day = catalog_json(catalog, "files", "market.trades", "--partition", f"dt={days[1]}")
    assert one_day and all(f["partition"] == [days[1]] for f in one_day)
    assert len(one_day) == len([f for f in files if f["partition"] == [days[1]]])
    bad = run(["catalog", "files", "market.trades", "--catalog", str(catalog), "--partition", "day=1"], check=False)
    assert bad.returncode == 2 and "dt" in bad.stderr

    # A crawl of the same files into a fresh catalog: the origin from the names, the rest from
    # the Parquet footers.
    crawled = tmp_path / "crawled.db"
    run(["crawl", str(warehouse), "--catalog", str(crawled), "--no-progress"])
    by_key = {f["key"]: f for f in files}
    for f in catalog_json(crawled, "files", "market.trades"):
        s = by_key[f["key"]]
        assert (f["rows"], f["ts_min"], f["ts_max"], f["topic"], f["kafka_partition"]) == \
               (s["rows"], s["ts_min"], s["ts_max"], s["topic"], s["kafka_partition"])
        assert f["first_offset"] == int(f["key"].rsplit("-o", 1)[1].split(".")[0])
        assert f["last_offset"] is None and f["writer"] is None

    # A query bounding ts reads only the files whose range can meet it.
    last = max(f["ts_max"] for f in files).replace("T", " ").rstrip("Z")
    since = duckdb.sql(f"SELECT (TIMESTAMP '{last}' - INTERVAL 30 MINUTE)::VARCHAR").fetchone()[0]
    expected = duckdb.sql(f"SELECT count(*) FROM read_parquet({paths!r}) WHERE ts >= TIMESTAMP '{since}'").fetchone()[0]
    q = run(["query", "--catalog", str(catalog), "--format", "jsonl",
             f"SELECT count(*) AS n FROM market.trades WHERE ts >= TIMESTAMP '{since}'"])
    assert json.loads(q.stdout)["n"] == expected
    assert "event-time ranges left out" in q.stderr, q.stderr
    read = int(q.stderr.split(" files read")[0].rsplit(" ", 1)[1])
    assert read < len(files), q.stderr

    # Expire the first day: a dry run changes nothing; --apply removes its files and rows.
    import datetime as _dt
    now = _dt.datetime.now(_dt.timezone.utc)
    second_day = _dt.datetime.fromisoformat(days[1]).replace(tzinfo=_dt.timezone.utc)
    age = f"{int((now - second_day).total_seconds())}s"
    dry = run(["expire", "market.trades", "--older-than", age, "--catalog", str(catalog)])
    assert f"dt={days[0]}" in dry.stdout and f"dt={days[1]}" not in dry.stdout and "--apply" in dry.stdout, dry.stdout
    assert (warehouse / "market" / "trades" / f"dt={days[0]}").exists()
    before = assert_counts_true(catalog, "market.trades")
    gone_rows = sum(f["rows"] for f in files if f["partition"] == [days[0]])
    applied = run(["expire", "market.trades", "--older-than", age, "--apply", "--catalog", str(catalog), "--json"])
    report = json.loads(applied.stdout)
    assert [p["partition"] for p in report["partitions"]] == [f"dt={days[0]}"]
    assert report["files_deleted"] == len([f for f in files if f["partition"] == [days[0]]])
    assert not (warehouse / "market" / "trades" / f"dt={days[0]}").exists()
    assert assert_counts_true(catalog, "market.trades") == before - gone_rows
    q = run(["query", "--catalog", str(catalog), "--format", "jsonl", "SELECT count(*) AS n FROM market.trades"])
    assert json.loads(q.stdout)["n"] == before - gone_rows and "gone" not in q.stderr
    again = run(["expire", "market.trades", "--older-than", age, "--apply", "--catalog", str(catalog)])
    assert "nothing to expire" in again.stdout
    dead = run(["expire", "market.trades", "--dead-letters-older-than", "1d", "--catalog", str(catalog)])
    assert "dead_letters" in dead.stdout
