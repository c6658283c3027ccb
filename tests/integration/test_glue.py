"""`ticklake catalog push-glue` (#17 item 5) against Glue's stand-in, moto in server mode
(PyPI `moto[server]`, started here on 127.0.0.1), read back with boto3's own Glue client: the
table's columns, partition keys, SerDe and location are what `catalog describe` and the exports
show; a second push sends no write; new files, a new day and a new column are pushed as updates
and creates; expired partitions are deleted from Glue. An Iceberg table (#18) is registered as
Iceberg's own Glue catalog registers it (table_type=ICEBERG, metadata_location), which
PyIceberg's GlueCatalog then loads from moto and scans; export-ddl prints Athena's CREATE TABLE
of it."""
import datetime as dt
import json
import os
import re
import sqlite3
from pathlib import Path

import boto3
import duckdb
import pytest

from conftest import free_port, moto_server, produce_sim, run, sink_args


@pytest.fixture(scope="module")
def moto_glue():
    yield from moto_server()


def aws_env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="AKIDGLUETEST", AWS_SECRET_ACCESS_KEY="glue-test-secret", AWS_REGION="eu-west-1",
               AWS_CONFIG_FILE=str(tmp_path / "no-config"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-creds"),
               AWS_EC2_METADATA_DISABLED="true")
    return env


def glue_client(url):
    return boto3.client("glue", endpoint_url=url, region_name="eu-west-1", aws_access_key_id="AKIDGLUETEST",
                        aws_secret_access_key="glue-test-secret")


def write_file(warehouse: Path, day: dt.date, name: str, first: int, count: int, extra_column=False):
    folder = warehouse / "market" / "trades" / f"dt={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    extra = ", i * 2 AS size" if extra_column else ""
    duckdb.sql(f"COPY (SELECT 'id-' || i AS id, 'AAPL' AS symbol, TIMESTAMP '{day.isoformat()}' + i * INTERVAL 1 SECOND "
               f"AS ts, 100.0 + i AS price{extra} FROM range({first}, {first + count}) t(i)) "
               f"TO '{folder / name}' (FORMAT parquet)")


def push(catalog, endpoint, env, *args, table="market.trades"):
    target = [table] if table else []
    out = run(["catalog", "push-glue", *target, "--catalog", str(catalog), "--glue-endpoint", endpoint, "--json", *args],
              env=env)
    return json.loads(out.stdout)


def catalog_json(catalog, *args):
    return json.loads(run(["catalog", *args, "--catalog", str(catalog), "--json"]).stdout)


def assert_glue_equals_catalog(glue, catalog, database="market"):
    desc = catalog_json(catalog, "describe", "market.trades")
    table = glue.get_table(DatabaseName=database, Name="trades")["Table"]
    sd = table["StorageDescriptor"]
    assert [{"name": c["Name"], "type": c["Type"]} for c in sd["Columns"]] == \
        [{"name": c["name"], "type": c["type"]} for c in desc["columns"]]
    assert [{"name": c["Name"], "type": c["Type"]} for c in table["PartitionKeys"]] == \
        [{"name": c["name"], "type": c["type"]} for c in desc["partition_keys"]]
    assert sd["Location"] == desc["location"]
    assert table["Parameters"]["ticklake.schema_version"] == str(desc["schema_version"])
    exported = json.loads(run(["catalog", "export-glue", "market.trades", "--catalog", str(catalog)]).stdout)
    want_sd = exported["CreateTable"]["TableInput"]["StorageDescriptor"]
    for k in ("InputFormat", "OutputFormat", "SerdeInfo", "Compressed"):
        assert sd[k] == want_sd[k], k
    ddl = run(["catalog", "export-ddl", "market.trades", "--catalog", str(catalog)]).stdout
    assert re.search(r"ROW FORMAT SERDE\s+'([^']+)'", ddl).group(1) == sd["SerdeInfo"]["SerializationLibrary"]

    parts = catalog_json(catalog, "partitions", "market.trades")
    in_glue = glue.get_partitions(DatabaseName=database, TableName="trades")["Partitions"]
    assert {tuple(p["Values"]): (p["StorageDescriptor"]["Location"], p["Parameters"]["recordCount"]) for p in in_glue} \
        == {tuple(p["values"]): (p["location"], str(p["rows"])) for p in parts}
    return desc, parts


def test_push_glue_creates_updates_prunes_and_is_idempotent(moto_glue, tmp_path):
    warehouse, catalog, env = tmp_path / "wh", tmp_path / "catalog.db", aws_env(tmp_path)
    glue = glue_client(moto_glue)
    today = dt.datetime.now(dt.timezone.utc).date()
    d1, d2, d3, d4 = (today - dt.timedelta(days=n) for n in (10, 9, 8, 7))
    for i, day in enumerate((d1, d2, d3)):
        write_file(warehouse, day, "a.parquet", i * 1000, 500)
    run(["crawl", str(warehouse), "--catalog", str(catalog), "--no-progress"])

    # A dry run reads and says what it would send, and sends nothing.
    plan = push(catalog, moto_glue, env, "--dry-run")
    assert plan["dry_run"] and plan["writes"] == 0
    [t] = plan["tables"]
    assert t["create_database"] and t["table_action"] == "create"
    assert sorted(t["create_partitions"]) == [[d.isoformat()] for d in (d1, d2, d3)]
    assert glue.get_databases()["DatabaseList"] == []
    text = run(["catalog", "push-glue", "market.trades", "--catalog", str(catalog), "--glue-endpoint", moto_glue,
                "--dry-run"], env=env).stdout
    assert "+ database market" in text and f"+ partition dt={d1.isoformat()}" in text, text

    # The push: database, table, three partitions, exactly as the catalog describes them.
    first = push(catalog, moto_glue, env)
    assert first["writes"] == 3  # CreateDatabase, CreateTable, one BatchCreatePartition
    assert_glue_equals_catalog(glue, catalog)

    # Again: reads only (GetDatabase, GetTable, GetPartitions), no write.
    again = push(catalog, moto_glue, env)
    assert (again["requests"], again["writes"]) == (3, 0), again
    assert again["tables"][0]["unchanged_partitions"] == 3

    # More rows in d2 and a new day d4: one partition updated, one created, the table untouched.
    write_file(warehouse, d2, "b.parquet", 5000, 250)
    write_file(warehouse, d4, "a.parquet", 6000, 100)
    run(["crawl", str(warehouse), "--catalog", str(catalog), "--no-progress"])
    change = push(catalog, moto_glue, env)
    [t] = change["tables"]
    assert t["table_action"] == "none" and not t["create_database"]
    assert (t["update_partitions"], t["create_partitions"], t["delete_partitions"]) == \
        ([[d2.isoformat()]], [[d4.isoformat()]], [])
    assert change["writes"] == 2
    assert_glue_equals_catalog(glue, catalog)

    # A new column: UpdateTable, and Glue keeps the old definition as a version.
    write_file(warehouse, d4, "b.parquet", 7000, 100, extra_column=True)
    run(["crawl", str(warehouse), "--catalog", str(catalog), "--no-progress"])
    widened = push(catalog, moto_glue, env)
    assert widened["tables"][0]["table_action"] == "update"
    assert "columns" in widened["tables"][0]["table_changes"]
    desc, _ = assert_glue_equals_catalog(glue, catalog)
    assert "size" in [c["name"] for c in desc["columns"]]
    assert len(glue.get_table_versions(DatabaseName="market", TableName="trades")["TableVersions"]) >= 2

    # Expire drops d1 from the catalog; the push deletes it from Glue.
    run(["expire", "market.trades", "--older-than", "9d", "--apply", "--catalog", str(catalog)])
    pruned = push(catalog, moto_glue, env)
    assert pruned["tables"][0]["delete_partitions"] == [[d1.isoformat()]]
    assert_glue_equals_catalog(glue, catalog)
    assert push(catalog, moto_glue, env)["writes"] == 0

    # --all with a prefix: a second database, the same shapes.
    everything = push(catalog, moto_glue, env, "--all", "--database-prefix", "Prod-", table=None)
    assert [t["database"] for t in everything["tables"]] == ["prod_market"]
    assert_glue_equals_catalog(glue, catalog, database="prod_market")


def test_push_glue_names_what_to_fix(moto_glue, tmp_path):
    catalog, env = tmp_path / "catalog.db", aws_env(tmp_path)
    write_file(tmp_path / "wh", dt.date(2025, 1, 6), "a.parquet", 0, 10)
    run(["crawl", str(tmp_path / "wh"), "--catalog", str(catalog), "--no-progress"])
    both = run(["catalog", "push-glue", "market.trades", "--all", "--catalog", str(catalog)], check=False, env=env)
    assert both.returncode != 0 and "--all" in both.stderr, both.stderr
    nowhere = run(["catalog", "push-glue", "market.trades", "--catalog", str(catalog), "--glue-endpoint",
                   f"http://127.0.0.1:{free_port()}"], check=False, env=env, timeout=120)
    assert nowhere.returncode != 0 and "GetDatabase" in nowhere.stderr, nowhere.stderr


# Iceberg's primitive types as Iceberg's GlueCatalog (and ticklake) writes them into Glue.
HIVE_OF_ICEBERG = {"long": "bigint", "int": "int", "double": "double", "float": "float", "string": "string",
                   "timestamp": "timestamp", "timestamptz": "timestamp", "date": "date", "boolean": "boolean",
                   "binary": "binary"}


def iceberg_sink(broker, topic, warehouse, catalog):
    run(sink_args(broker, topic, warehouse, extra=("--table-format", "iceberg", "--catalog", str(catalog),
                                                   "--rotate-rows", "1000")))


def iceberg_pointer(catalog, table="trades"):
    """(metadata_location, previous_metadata_location) of market.<table> in the catalog file."""
    with sqlite3.connect(catalog) as db:
        return db.execute("SELECT metadata_location, previous_metadata_location FROM iceberg_tables WHERE "
                          "table_namespace = 'market' AND table_name = ?", (table,)).fetchone()


def iceberg_metadata(metadata_location):
    """The metadata file's JSON, and its current schema's columns in Glue's types."""
    path = re.sub(r"^file:(//)?", "", metadata_location)
    meta = json.loads(Path(path).read_text())
    [schema] = [s for s in meta["schemas"] if s["schema-id"] == meta["current-schema-id"]]
    columns = []
    for f in schema["fields"]:
        t = f["type"]
        columns.append((f["name"].lower(), t.replace(" ", "") if t.startswith("decimal(") else HIVE_OF_ICEBERG[t]))
    return meta, columns


def test_push_glue_registers_an_iceberg_table_as_athena_reads_it(moto_glue, broker, topic, tmp_path):
    warehouse, catalog, env = tmp_path / "wh", tmp_path / "catalog.db", aws_env(tmp_path)
    glue = glue_client(moto_glue)
    produce_sim(broker, topic, 3000, partitions=2, days=2, extra=("--quote-ratio", "0"))
    iceberg_sink(broker, topic, warehouse, catalog)
    current, previous = iceberg_pointer(catalog)
    assert current and previous, "several batches: several metadata files"
    # The sink registered the same files as a Hive table too; the push sends the Iceberg form.
    assert catalog_json(catalog, "describe", "market.trades")["partition_keys"]

    # Its own Glue database: moto lives for the module, and other tests push market.trades.
    db, prefix = "ice_market", ("--database-prefix", "ice_")
    first = push(catalog, moto_glue, env, *prefix)
    [t] = first["tables"]
    assert (t["format"], t["table_action"], t["create_partitions"]) == ("iceberg", "create", []), t
    table = glue.get_table(DatabaseName=db, Name="trades")["Table"]
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Parameters"] == {"table_type": "ICEBERG", "metadata_location": current,
                                   "previous_metadata_location": previous}
    meta, columns = iceberg_metadata(current)
    sd = table["StorageDescriptor"]
    assert [(c["Name"], c["Type"]) for c in sd["Columns"]] == columns
    assert ("id", "string") in columns and ("ts", "timestamp") in columns
    assert sd["Location"] == meta["location"]
    assert "SerdeInfo" not in sd and not table.get("PartitionKeys")
    assert glue.get_partitions(DatabaseName=db, TableName="trades")["Partitions"] == []
    assert push(catalog, moto_glue, env, *prefix)["writes"] == 0

    # More rows: a new metadata file, and the push moves Glue's pointer (UpdateTable).
    produce_sim(broker, topic, 1500, seed=8, partitions=2, days=1, extra=("--quote-ratio", "0"))
    iceberg_sink(broker, topic, warehouse, catalog)
    moved, moved_from = iceberg_pointer(catalog)
    assert moved != current
    again = push(catalog, moto_glue, env, *prefix)
    [t] = again["tables"]
    assert (t["table_action"], t["table_changes"], again["writes"]) == ("update", ["parameters"], 1), t
    table = glue.get_table(DatabaseName=db, Name="trades")["Table"]
    assert table["Parameters"]["metadata_location"] == moved
    assert table["Parameters"]["previous_metadata_location"] == moved_from
    assert len(glue.get_table_versions(DatabaseName=db, TableName="trades")["TableVersions"]) == 2

    # --all: the one table, in its Iceberg form only, and nothing left to send.
    everything = push(catalog, moto_glue, env, "--all", *prefix, table=None)
    assert [(t["source"], t["format"]) for t in everything["tables"]] == [("market.trades", "iceberg")]
    assert everything["writes"] == 0

    # An independent reader: PyIceberg's GlueCatalog loads the table from moto's Glue and scans
    # the snapshot ticklake's catalog file points at.
    glue_catalog = pytest.importorskip("pyiceberg.catalog.glue")
    gc = glue_catalog.GlueCatalog("glue", **{"glue.endpoint": moto_glue, "glue.region": "eu-west-1",
                                             "glue.access-key-id": "AKIDGLUETEST",
                                             "glue.secret-access-key": "glue-test-secret"})
    loaded = gc.load_table(f"{db}.trades")
    assert loaded.metadata_location == moved
    assert len(loaded.scan().to_arrow()) == 4500


def test_export_ddl_of_an_iceberg_table(broker, topic, tmp_path):
    warehouse, catalog = tmp_path / "wh", tmp_path / "catalog.db"
    produce_sim(broker, topic, 1000, partitions=1, days=1, extra=("--quote-ratio", "0"))
    iceberg_sink(broker, topic, warehouse, catalog)
    current, _ = iceberg_pointer(catalog)
    meta, columns = iceberg_metadata(current)

    ddl = run(["catalog", "export-ddl", "market.trades", "--catalog", str(catalog)])
    text = ddl.stdout
    statement = text[text.index("\nCREATE TABLE") + 1:]
    assert all(line.startswith("-- ") for line in text[:text.index("\nCREATE TABLE")].splitlines()), text
    assert statement.startswith("CREATE TABLE `market`.`trades` (\n") and "EXTERNAL" not in statement, text
    body = statement[statement.index("(\n") + 2:statement.index("\n)\n")]
    assert [tuple(re.fullmatch(r"  `([^`]+)` (\S+?),?", line).groups()) for line in body.splitlines()] == columns
    assert "PARTITIONED BY (day(`ts`))" in statement
    assert f"LOCATION '{meta['location']}'" in statement
    assert re.search(r"TBLPROPERTIES \(\s*'table_type'='ICEBERG',\s*'metadata_location'='([^']+)'\s*\);", statement) \
        .group(1) == current
    assert "catalog push-glue market.trades" in text and "iceberg.system.register_table" in text
    assert "s3://" in ddl.stderr  # a local table: Athena needs S3

    exported = json.loads(run(["catalog", "export-glue", "market.trades", "--catalog", str(catalog)]).stdout)
    table_input = exported["CreateTable"]["TableInput"]
    assert table_input["Parameters"]["table_type"] == "ICEBERG"
    assert table_input["Parameters"]["metadata_location"] == current
    assert [(c["Name"], c["Type"]) for c in table_input["StorageDescriptor"]["Columns"]] == columns
    assert (table_input["PartitionKeys"], exported["BatchCreatePartition"]) == ([], [])
