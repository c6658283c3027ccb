"""Crawl what the sink wrote: the catalog must hold exactly the tables, columns, partitions and
row counts that are in the files, for Parquet, JSON Lines and CSV, on a local folder and on S3
(MinIO). Every expected figure comes from independent readers (pyarrow, Python's json and csv
modules, boto3), never from ticklake."""
import csv
import json
import uuid
from collections import defaultdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import BINARY, SHARED_DATA, produce_sim, run, sink
from minio import list_keys

EXT = {"parquet": "parquet", "jsonl": "jsonl", "csv": "csv"}


def rows_and_columns(path: Path, fmt: str):
    if fmt == "parquet":
        f = pq.ParquetFile(path)
        return f.metadata.num_rows, list(f.schema_arrow.names)
    if fmt == "jsonl":
        lines = [l for l in path.read_text().splitlines() if l.strip()]
        return len(lines), (list(json.loads(lines[0]).keys()) if lines else [])
    with open(path, newline="") as fh:
        records = list(csv.reader(fh))
    return len(records) - 1, records[0]


def expected_tables(warehouse: Path, fmt: str, key: str = "dt"):
    """{table: {"columns": [...], "partitions": {dt: (files, rows)}}} from the files themselves."""
    out = {}
    for table_dir in sorted((warehouse / "market").iterdir()):
        files = sorted(table_dir.rglob(f"*.{EXT[fmt]}"))
        if table_dir.name == "dead_letters" or not files:
            continue
        parts = defaultdict(lambda: [0, 0])
        columns = []
        for f in files:
            n, cols = rows_and_columns(f, fmt)
            assert f.parent.name.startswith(key + "="), f
            dt = f.parent.name.split("=", 1)[1]
            parts[dt][0] += 1
            parts[dt][1] += n
            columns = columns or cols
        out[table_dir.name] = {"columns": columns, "partitions": {k: tuple(v) for k, v in parts.items()}}
    return out


def validate_glue(export: dict):
    """Checks the export against Glue's own API model (botocore's service description, the
    documented input shapes), offline: no AWS call is made."""
    import botocore.session
    from botocore.validate import ParamValidator
    model = botocore.session.get_session().get_service_model("glue")
    report = ParamValidator().validate(export["CreateTable"], model.operation_model("CreateTable").input_shape)
    assert not report.has_errors(), report.generate_report()
    for request in export["BatchCreatePartition"]:
        shape = model.operation_model("BatchCreatePartition").input_shape
        report = ParamValidator().validate(request, shape)
        assert not report.has_errors(), report.generate_report()
        assert len(request["PartitionInputList"]) <= 100


def crawl(warehouse, catalog, env=None, extra=()):
    proc = run(["crawl", str(warehouse), "--catalog", str(catalog), "--json", "--no-progress", *extra], env=env)
    return json.loads(proc.stdout)


def catalog_json(catalog, *args, env=None):
    return json.loads(run(["catalog", *args, "--catalog", str(catalog), "--json"], env=env).stdout)


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_crawl_finds_exactly_what_the_sink_wrote(broker, topic, warehouse, tmp_path, fmt):
    produce_sim(broker, topic, 30_000, days=3)
    sink(broker, topic, warehouse, fmt=fmt)
    expected = expected_tables(warehouse, fmt)
    assert {"trades", "quotes"} <= set(expected), expected.keys()

    catalog = tmp_path / "catalog.db"
    summary = crawl(warehouse, catalog)
    assert summary["tables_added"] == len(expected), summary
    tables = {t["name"]: t for t in catalog_json(catalog, "tables") if t["database"] == "market"}
    assert set(tables) == set(expected)
    for name, exp in expected.items():
        desc = catalog_json(catalog, "describe", f"market.{name}")
        assert [c["name"] for c in desc["columns"]] == exp["columns"], name
        assert desc["partition_keys"] == [{"name": "dt", "type": "string"}]
        assert desc["format"] == fmt
        types = {c["name"]: c["type"] for c in desc["columns"]}
        assert types["ts"] == "timestamp" and types["recv_ts"] == "timestamp", types
        parts = catalog_json(catalog, "partitions", f"market.{name}")
        got = {p["values"][0]: (p["files"], p["rows"]) for p in parts}
        assert got == exp["partitions"], name
        assert all(not p["schema_differs"] for p in parts)
        # Event-time range of each partition lies within its day.
        for p in parts:
            assert p["ts_min"].startswith(p["values"][0]) and p["ts_max"].startswith(p["values"][0]), p

    again = crawl(warehouse, catalog)
    assert again["files_read"] == 0 and again["tables_unchanged"] == len(expected), again
    assert again["schema_versions"] == 0

    for name in expected:
        export = json.loads(run(["catalog", "export-glue", f"market.{name}", "--catalog", str(catalog),
                                 "--location", f"s3://bucket/lake/market/{name}/"]).stdout)
        validate_glue(export)
        partitions = [p for r in export["BatchCreatePartition"] for p in r["PartitionInputList"]]
        assert {p["Values"][0]: int(p["Parameters"]["recordCount"]) for p in partitions} == \
            {dt: rows for dt, (_, rows) in expected[name]["partitions"].items()}
        assert all(p["StorageDescriptor"]["Location"].startswith(f"s3://bucket/lake/market/{name}/dt=")
                   for p in partitions)

    # The default output is an aligned table: every value starts under its header.
    text = run(["catalog", "tables", "--catalog", str(catalog)]).stdout.splitlines()
    header = text[0]
    starts = {h: header.index(h) for h in ("table", "format", "location")}
    assert len(text) == 1 + len(expected)
    for line in text[1:]:
        assert line[starts["format"]:].startswith(fmt), line
        assert line[starts["location"]:].startswith("file://"), line


def test_crawl_of_a_missing_folder_fails_clearly(tmp_path):
    proc = run(["crawl", str(tmp_path / "nope"), "--catalog", str(tmp_path / "c.db")], check=False)
    assert proc.returncode == 2 and "no warehouse folder at" in proc.stderr, proc.stderr
    assert not (tmp_path / "nope").exists()


def test_tutorial_bars_by_year_crawled_and_exported(broker, topic, warehouse, tmp_path):
    """The tutorial's CSV (104,224 daily index bars, 1965-2021) sunk by year, then crawled: one
    partition per year with the rows the files hold, and an integer partition projection."""
    run(["produce", "-b", broker.bootstrap, "-t", topic, "--source", "csv", "--file",
         str(SHARED_DATA / "indexProcessed.csv.zip"), "--partitions", "3", "--no-progress"])
    sink(broker, topic, warehouse, extra=("--time-partition", "year", "--no-register"))
    expected = expected_tables(warehouse, "parquet", key="year")
    assert sum(rows for _, rows in expected["bars"]["partitions"].values()) == 104_224
    catalog = tmp_path / "catalog.db"
    crawl(warehouse, catalog)
    desc = catalog_json(catalog, "describe", "bars")
    assert desc["partition_keys"] == [{"name": "year", "type": "int"}]
    assert desc["rows"] == 104_224
    assert desc["ts_min"].startswith("1965-01-05") and desc["ts_max"].startswith("2021-06-03"), desc
    parts = catalog_json(catalog, "partitions", "bars")
    assert {p["values"][0]: (p["files"], p["rows"]) for p in parts} == expected["bars"]["partitions"]
    ddl = run(["catalog", "export-ddl", "bars", "--catalog", str(catalog), "--location", "s3://b/lake/market/bars"]).stdout
    assert "'projection.year.type'='integer'" in ddl and "'projection.year.range'='1965,2021'" in ddl, ddl
    assert "'storage.location.template'='s3://b/lake/market/bars/year=${year}/'" in ddl
    export = json.loads(run(["catalog", "export-glue", "bars", "--catalog", str(catalog)]).stdout)
    validate_glue(export)
    assert len(export["BatchCreatePartition"]) == 1  # 57 years: one request


def test_sink_registers_what_it_commits_and_a_crawl_agrees(broker, topic, warehouse, tmp_path):
    produce_sim(broker, topic, 20_000, days=2)
    catalog = tmp_path / "sink-catalog.db"
    sink(broker, topic, warehouse, fmt="parquet", extra=("--catalog", str(catalog)))
    expected = expected_tables(warehouse, "parquet")
    # Registered on write, before any crawl.
    for name, exp in expected.items():
        parts = catalog_json(catalog, "partitions", f"market.{name}")
        assert {p["values"][0]: (p["files"], p["rows"]) for p in parts} == exp["partitions"], name
        desc = catalog_json(catalog, "describe", f"market.{name}")
        assert [c["name"] for c in desc["columns"]] == exp["columns"]
    # The crawler sees the same files as known: nothing to read, nothing to change.
    again = crawl(warehouse, catalog)
    assert again["files_read"] == 0 and again["schema_versions"] == 0, again
    assert again["tables_unchanged"] == len(expected), again

    unregistered = tmp_path / "none.db"
    sink(broker, topic, tmp_path / "wh2", fmt="parquet", group="g2-" + topic,
         extra=("--catalog", str(unregistered), "--no-register"))
    assert not unregistered.exists()  # nothing registered, and `catalog tables` no longer makes an empty one
    proc = run(["catalog", "tables", "--catalog", str(unregistered), "--json"], check=False)
    assert proc.returncode == 2 and "no catalog at" in proc.stderr and not unregistered.exists()


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_crawl_on_s3_equals_crawl_of_the_same_files_locally(minio, broker, topic, tmp_path, fmt):
    s3 = minio.client()
    bucket = "tl-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=bucket)
    # Parquet files well above the 64 KiB tail the crawler fetches, so footer-only reading shows.
    produce_sim(broker, topic, 300_000 if fmt == "parquet" else 30_000, days=2, partitions=2)
    env = minio.ticklake_env(tmpdir=tmp_path / "tmp")
    sink_proc = run(["sink", "-b", broker.bootstrap, "-t", topic, "-g", "g-" + topic, "-w", f"s3://{bucket}/lake",
                     "--format", fmt, "--until-idle", "3", "--no-progress", "--time-partition", "day",
                     "--catalog", str(tmp_path / "sink.db")], env=env)
    assert sink_proc.returncode == 0

    local = tmp_path / "copy"
    total_bytes = 0
    for key in list_keys(s3, bucket, "lake/"):
        dest = local / key[len("lake/"):]
        dest.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(bucket, key, str(dest))
        total_bytes += dest.stat().st_size

    def view(catalog, e):
        out = {}
        for t in catalog_json(catalog, "tables", env=e):
            name = f"{t['database']}.{t['name']}"
            d = catalog_json(catalog, "describe", name, env=e)
            parts = catalog_json(catalog, "partitions", name, env=e)
            out[name] = (d["columns"], d["partition_keys"], d["format"], d["compression"],
                         [(p["values"], p["files"], p["rows"], p["bytes"], p["ts_min"], p["ts_max"]) for p in parts])
        return out

    remote = crawl(f"s3://{bucket}/lake", tmp_path / "s3.db", env=env)
    crawl(local, tmp_path / "local.db")
    assert remote["files_read"] > 0
    if fmt == "parquet":
        # Footers only: at most the 64 KiB tail of each file, far less than the files' bytes.
        assert remote["bytes_read"] <= remote["files_read"] * 64 * 1024, remote
        assert remote["bytes_read"] * 4 < total_bytes, (remote["bytes_read"], total_bytes)
    else:
        # Text is read whole (row counts need every line): exactly the data files' bytes.
        data_bytes = sum(p.stat().st_size for p in (local / "market").rglob(f"*.{EXT[fmt]}"))
        assert remote["bytes_read"] == data_bytes, (remote["bytes_read"], data_bytes)
    assert view(tmp_path / "s3.db", env) == view(tmp_path / "local.db", None)
    expected = expected_tables(local, fmt)
    for name, exp in expected.items():
        parts = catalog_json(tmp_path / "s3.db", "partitions", f"market.{name}", env=env)
        assert {p["values"][0]: (p["files"], p["rows"]) for p in parts} == exp["partitions"], name

    s3_tables = catalog_json(tmp_path / "s3.db", "tables", env=env)
    assert all(t["location"].startswith(f"s3://{bucket}/lake/market/") for t in s3_tables)
    ddl = run(["catalog", "export-ddl", "market.trades", "--catalog", str(tmp_path / "s3.db")], env=env).stdout
    assert "STORED AS INPUTFORMAT" in ddl
    assert f"LOCATION 's3://{bucket}/lake/market/trades/'" in ddl
    assert "'storage.location.template'=" in ddl and "dt=${dt}/" in ddl

    again = crawl(f"s3://{bucket}/lake", tmp_path / "s3.db", env=env)
    assert again["files_read"] == 0 and again["bytes_read"] == 0, again
    # What the sink registered on S3 is what a crawl finds: a crawl into its catalog reads nothing.
    assert view(tmp_path / "sink.db", env) == view(tmp_path / "s3.db", env)
    after_sink = crawl(f"s3://{bucket}/lake", tmp_path / "sink.db", env=env)
    assert after_sink["files_read"] == 0 and after_sink["tables_unchanged"] == len(s3_tables), after_sink
