"""`ticklake catalog push-glue` (#17 item 5) against Glue's stand-in, moto in server mode
(PyPI `moto[server]`, started here on 127.0.0.1), read back with boto3's own Glue client: the
table's columns, partition keys, SerDe and location are what `catalog describe` and the exports
show; a second push sends no write; new files, a new day and a new column are pushed as updates
and creates; expired partitions are deleted from Glue."""
import datetime as dt
import json
import os
import re
from pathlib import Path

import boto3
import duckdb
import pytest

from conftest import free_port, moto_server, run


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
