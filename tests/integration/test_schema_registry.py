"""Schema Registry topics: Confluent-framed Avro values land as typed tables.

No Confluent-compatible registry installs on this machine (issue #19: Karapace is not on PyPI;
Apicurio's Maven modules need artifacts Maven Central does not serve), so these tests follow the
issue's fallback: payloads are written by fastavro (an independent Avro implementation) with the
Confluent framing, and the schemas are the registry's answers to GET /schemas/ids/ID kept as
files (file:// registry), or served over HTTP by Python's static file server for the outage test.
Every check reads the files with independent readers (pyarrow, DuckDB's Python package)."""
import datetime as dt
import decimal
import http.server
import io
import json
import struct
import subprocess
import threading
import time
import uuid
from functools import partial
from pathlib import Path

import duckdb
import fastavro
import pyarrow.dataset as ds
import pytest

from conftest import BINARY, free_port, run, sink, sink_args, wait_for

UTC = dt.timezone.utc

TRADE_V1 = {
    "type": "record", "name": "Trade", "namespace": "ticklake.test",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "symbol", "type": "string"},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 18, "scale": 8}},
        {"name": "size", "type": "long"},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "sent_ms", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "venue", "type": ["null", "string"], "default": None},
        {"name": "ref", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "side", "type": {"type": "enum", "name": "Side", "symbols": ["BUY", "SELL"]}},
        {"name": "book", "type": {"type": "record", "name": "Book", "fields": [
            {"name": "bid", "type": "double"}, {"name": "ask", "type": "double"}]}},
        {"name": "fills", "type": {"type": "array", "items": "long"}},
        {"name": "tags", "type": {"type": "map", "values": "string"}},
    ],
}


def registry_folder(root: Path, schemas: dict) -> Path:
    """The registry's answers to GET /schemas/ids/ID, one file per id."""
    ids = root / "schemas" / "ids"
    ids.mkdir(parents=True, exist_ok=True)
    for schema_id, schema in schemas.items():
        (ids / str(schema_id)).write_text(json.dumps({"schema": json.dumps(schema)}))
    return root


def framed(schema_id: int, schema: dict, record: dict) -> bytes:
    out = io.BytesIO()
    out.write(b"\x00" + struct.pack(">I", schema_id))
    fastavro.schemaless_writer(out, fastavro.parse_schema(schema), record)
    return out.getvalue()


def send(broker, topic, values, partitions=1):
    """kafka-python (an independent client) sends the values; every send is confirmed."""
    from kafka import KafkaProducer
    run(["kafka", "topics", "create", topic, "-b", broker.bootstrap, "--partitions", str(partitions)], check=False)
    producer = KafkaProducer(bootstrap_servers=[broker.bootstrap], acks="all", retries=20, retry_backoff_ms=200)
    futures = [producer.send(topic, key=key.encode(), value=value) for key, value in values]
    producer.flush()
    for f in futures:
        f.get(timeout=60)
    producer.close()


def trade(i: int) -> dict:
    ts = dt.datetime(2025, 1, 6, 14, 30, tzinfo=UTC) + dt.timedelta(microseconds=1_000_003 * i + 7)
    return {
        "id": f"t{i}", "symbol": f"S{i % 5}", "ts": ts,
        "price": decimal.Decimal(f"{100 + i}.{i:08d}") * (-1 if i % 7 == 3 else 1),
        "size": i * 10, "day": dt.date(2025, 1, 6) + dt.timedelta(days=i % 3),
        "sent_ms": dt.datetime(2025, 1, 6, 15, 0, tzinfo=UTC) + dt.timedelta(milliseconds=i),
        "venue": None if i % 4 == 0 else "XNAS", "ref": str(uuid.UUID(int=i)),
        "side": "SELL" if i % 2 else "BUY", "book": {"bid": i + 0.25, "ask": i + 0.5},
        "fills": list(range(i % 4)), "tags": {"desk": f"d{i % 3}"} if i % 2 else {},
    }


def table_dir(warehouse: Path, topic: str) -> Path:
    return warehouse / "market" / topic.replace("-", "_")


def test_fastavro_values_land_with_exact_types(broker, topic, tmp_path):
    n = 1000
    reg = registry_folder(tmp_path / "registry", {41: TRADE_V1})
    sent = [trade(i) for i in range(n)]
    send(broker, topic, [(t["symbol"], framed(41, TRADE_V1, t)) for t in sent], partitions=3)
    warehouse = tmp_path / "wh"
    summary, proc = sink(broker, topic, warehouse, extra=("--schema-registry", f"file://{reg}", "--no-register"))
    assert "Schema Registry Avro values" in proc.stderr, proc.stderr
    assert summary["consumed"] == n and summary["rows_written"] == n and summary["dead_letters"] == 0, summary

    table = ds.dataset(str(table_dir(warehouse, topic)), format="parquet", partitioning="hive").to_table()
    schema = table.schema
    assert str(schema.field("price").type) == "decimal128(18, 8)"
    assert str(schema.field("ts").type).startswith("timestamp[us")
    assert str(schema.field("sent_ms").type).startswith("timestamp[us")
    assert str(schema.field("day").type) == "date32[day]"
    rows = {r["id"]: r for r in table.to_pylist()}
    assert len(rows) == n  # each id exactly once
    for t in sent:
        got = rows[t["id"]]
        assert got["price"] == t["price"], (got["price"], t["price"])
        assert got["ts"].replace(tzinfo=UTC) == t["ts"]  # to the microsecond
        assert got["sent_ms"].replace(tzinfo=UTC) == t["sent_ms"]
        assert got["day"] == t["day"]
        assert got["venue"] == t["venue"] and got["ref"] == t["ref"] and got["side"] == t["side"]
        assert got["size"] == t["size"] and got["symbol"] == t["symbol"]
        assert got["book"] == t["book"]
        assert got["fills"] == t["fills"]
        assert {e["key"]: e["value"] for e in got["tags"]} == t["tags"]


def history(catalog, table):
    return json.loads(run(["catalog", "history", table, "--json", "--catalog", str(catalog)]).stdout)


def test_schema_evolution_v1_v2_v3_answers_with_the_evolved_schema(broker, topic, tmp_path):
    base = [{"name": "id", "type": "string"},
            {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
            {"name": "px", "type": "double"}]
    v1 = {"type": "record", "name": "Tick", "fields": base + [{"name": "note", "type": "string"}]}
    v2 = {"type": "record", "name": "Tick",
          "fields": v1["fields"] + [{"name": "venue", "type": "string", "default": "XNAS"}]}
    v3 = {"type": "record", "name": "Tick", "fields": base + [{"name": "venue", "type": "string", "default": "XNAS"}]}
    reg = registry_folder(tmp_path / "registry", {1: v1, 2: v2, 3: v3})
    warehouse, catalog = tmp_path / "wh", tmp_path / "catalog.db"
    ts0 = dt.datetime(2025, 1, 6, 14, 30, tzinfo=UTC)
    versions = []
    for schema_id, schema in ((1, v1), (2, v2), (3, v3)):
        recs = [{"id": f"v{schema_id}-{i}", "ts": ts0 + dt.timedelta(seconds=i), "px": i + schema_id / 10,
                 "note": f"n{i}", "venue": "XNYS"} for i in range(200)]
        send(broker, topic, [("k", framed(schema_id, schema, r)) for r in recs])
        summary, _ = sink(broker, topic, warehouse,
                          extra=("--schema-registry", f"file://{reg}", "--value-format", "avro", "--catalog", str(catalog)))
        assert summary["rows_written"] == 200 and summary["dead_letters"] == 0, summary
        versions.append(history(catalog, f"market.{topic.replace('-', '_')}")[-1]["version"])
    # v1 -> v2 adds a column: a new catalog version. v3 drops `note` from the registry schema,
    # but the table keeps it (NULL in v3's rows): its files have the same columns as v2's.
    assert versions == [1, 2, 2], versions
    table = topic.replace("-", "_")
    out = run(["query", "--catalog", str(catalog), "--format", "json",
               f"select count(*) as n, count(DISTINCT id) as ids, count(note) as notes, count(venue) as venues "
               f"from market.{table}"]).stdout
    got = json.loads(out)[0] if out.strip().startswith("[") else json.loads(out.splitlines()[0])
    assert (got["n"], got["ids"], got["notes"], got["venues"]) == (600, 600, 400, 400), got


def test_bad_input_goes_to_dead_letters_with_reasons(broker, topic, tmp_path):
    schema = {"type": "record", "name": "R", "fields": [
        {"name": "id", "type": "string"}, {"name": "v", "type": "long"}, {"name": "label", "type": "string"}]}
    reg = registry_folder(tmp_path / "registry", {5: schema})
    good = [framed(5, schema, {"id": f"g{i}", "v": i, "label": "x" * 20}) for i in range(300)]
    bad = [
        (b'{"id": "json"}', "magic byte 123"),
        (b"\x01" + good[0][1:], "magic byte 1"),
        (framed(77, schema, {"id": "u", "v": 1, "label": "y"}), "schema id 77 is unknown"),
        (good[1][:-5], "does not decode"),
        (b"\x00\x00", "shorter than the 5-byte"),
    ]
    values = good[:150] + [b for b, _ in bad] + good[150:]
    send(broker, topic, [("k", v) for v in values])
    warehouse = tmp_path / "wh"
    summary, _ = sink(broker, topic, warehouse,
                      extra=("--schema-registry", f"file://{reg}", "--value-format", "avro", "--no-register"))
    assert summary["rows_written"] == len(good) and summary["dead_letters"] == len(bad), summary
    con = duckdb.connect()
    reasons = [r for (r,) in con.execute(
        f"SELECT reason FROM read_json_auto('{warehouse}/market/dead_letters/*/*.jsonl') ORDER BY \"offset\"").fetchall()]
    assert len(reasons) == len(bad)
    for (_, want), got in zip(bad, reasons):
        assert want in got, (want, got)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_a_registry_that_is_down_blocks_and_resumes_without_dead_letters(broker, topic, tmp_path):
    """The registry's answers over HTTP (a static file server) on a port nobody listens on at
    first: the sink waits, writes nothing and dead-letters nothing; once the server is up it
    goes on, and every row lands once."""
    schema = {"type": "record", "name": "R", "fields": [
        {"name": "id", "type": "string"}, {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}}]}
    reg = registry_folder(tmp_path / "registry", {9: schema})
    ts0 = dt.datetime(2025, 1, 6, 14, 30, tzinfo=UTC)
    n = 500
    send(broker, topic, [("k", framed(9, schema, {"id": f"r{i}", "ts": ts0 + dt.timedelta(seconds=i)}))
                         for i in range(n)])
    port = free_port()
    warehouse = tmp_path / "wh"
    summary_path = tmp_path / "summary.json"
    proc = subprocess.Popen([str(BINARY), *sink_args(broker, topic, warehouse, idle=3, extra=(
        "--schema-registry", f"http://127.0.0.1:{port}", "--summary-json", str(summary_path), "--no-register"))],
        stderr=subprocess.PIPE, text=True)
    server = None
    try:
        time.sleep(8)  # the group joins, the first message waits for its schema
        assert proc.poll() is None, proc.stderr.read()
        assert not (warehouse / "market" / "dead_letters").exists()
        assert not list(warehouse.rglob("*.parquet"))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(_Quiet, directory=str(reg)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
        if server:
            server.shutdown()
    assert proc.returncode == 0, err
    summary = json.loads(summary_path.read_text())
    assert summary["rows_written"] == n and summary["dead_letters"] == 0, summary
    ids = duckdb.connect().execute(
        f"SELECT count(*), count(DISTINCT id) FROM read_parquet('{table_dir(warehouse, topic)}/*/*.parquet')").fetchone()
    assert ids == (n, n)


def test_a_topic_decided_as_avro_needs_its_registry_later_too(broker, topic, tmp_path):
    """auto decides avro on the magic byte and keeps the decision; a later run without
    --schema-registry stops with what to fix instead of dead-lettering every message."""
    schema = {"type": "record", "name": "R", "fields": [{"name": "id", "type": "string"}]}
    reg = registry_folder(tmp_path / "registry", {3: schema})
    warehouse = tmp_path / "wh"
    send(broker, topic, [("k", framed(3, schema, {"id": "a"}))])
    summary, _ = sink(broker, topic, warehouse, extra=("--schema-registry", f"file://{reg}", "--no-register"))
    assert summary["rows_written"] == 1
    send(broker, topic, [("k", framed(3, schema, {"id": "b"}))])
    proc = run(sink_args(broker, topic, warehouse, extra=("--no-register",)), check=False)
    assert proc.returncode != 0
    assert "pass --schema-registry URL" in proc.stderr, proc.stderr
    assert not (warehouse / "market" / "dead_letters").exists()
