"""`ticklake sink --table-format iceberg` (#18): PyIceberg, an independent reader, opens the
catalog file with its SqlCatalog and scans the table to Arrow; the ids produced come back
exactly once, also after the sink is killed (-9) between the Iceberg commit and Kafka's, and at
a random moment inside a batch."""
import json
import os
import subprocess

import pytest

from conftest import BINARY, data_files, kcat_dump, kill_inside_a_batch, produce_sim, run, sink_args, wait_for

pyiceberg_sql = pytest.importorskip("pyiceberg.catalog.sql")


def trade_ids(broker, topic, tmp_path, event_type="trade"):
    """The ids of every trade (or other event_type) in the topic, read with kcat."""
    ids = []
    for line in kcat_dump(broker, topic, tmp_path / "values.jsonl").read_text().splitlines():
        value = json.loads(line)
        if value.get("type") == event_type:
            ids.append(value["id"])
    return ids


def scanned_ids(catalog_path, warehouse, table_name="trades"):
    catalog = pyiceberg_sql.SqlCatalog("ticklake", uri=f"sqlite:///{catalog_path}", warehouse=f"file://{warehouse}")
    table = catalog.load_table(f"market.{table_name}")
    return table, table.scan().to_arrow().column("id").to_pylist()


def iceberg_args(broker, topic, warehouse, catalog_path, group, rows):
    return sink_args(broker, topic, warehouse, group=group,
                     extra=("--table-format", "iceberg", "--catalog", str(catalog_path), "--rotate-rows", str(rows)))


def test_pyiceberg_reads_every_id_once(broker, topic, warehouse, tmp_path):
    n = 20_000
    produce_sim(broker, topic, n, partitions=3, days=2, extra=("--quote-ratio", "0"))
    expected = trade_ids(broker, topic, tmp_path)
    assert len(expected) == n
    catalog_path = tmp_path / "catalog.db"
    run(iceberg_args(broker, topic, warehouse, catalog_path, "g-" + topic, 4_000))

    table, ids = scanned_ids(catalog_path, warehouse)
    assert sorted(ids) == sorted(expected)
    # One snapshot per committed batch, each naming the offsets it holds; the last one all of them.
    snapshots = table.metadata.snapshots
    assert len(snapshots) >= 6
    offsets = json.loads(table.current_snapshot().summary[f"ticklake.kafka.offsets.{topic}.g-{topic}"])
    assert sum(offsets.values()) == n
    assert [f.name for f in table.spec().fields] == ["ts_day"]
    # Partition pruning by day(ts) works on what ticklake wrote: a one-day filter reads fewer files.
    day = min(table.scan().to_arrow().column("ts").to_pylist()).date()
    one_day = table.scan(row_filter=f"ts >= '{day}T00:00:00' and ts < '{day}T23:59:59'")
    assert 0 < len(list(one_day.plan_files())) < len(list(table.scan().plan_files()))
    # Data files carry Iceberg field ids (not only the name mapping).
    import pyarrow.parquet as pq
    first = data_files(warehouse, "trades", "parquet")[0]
    assert pq.read_schema(first).field("id").metadata[b"PARQUET:field_id"] != b""


def test_kill_nine_between_the_iceberg_and_the_kafka_commit_then_restart(broker, topic, warehouse, tmp_path):
    n = 30_000
    produce_sim(broker, topic, n, partitions=2, days=2, extra=("--quote-ratio", "0"))
    expected = trade_ids(broker, topic, tmp_path)
    catalog_path = tmp_path / "catalog.db"
    group = "g-" + topic
    args = iceberg_args(broker, topic, warehouse, catalog_path, group, 3_000)
    # 1: killed right after the table holds its 3rd batch, before Kafka knows of it.
    crashed = subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=300,
                             env=dict(os.environ, TICKLAKE_CRASH_AT="after_table_commit:3"))
    assert crashed.returncode == -9, crashed.stderr[-3000:]
    # 2: killed at a random moment inside a batch (some of its files visible).
    proc = subprocess.Popen([str(BINARY), *args], stdout=subprocess.DEVNULL, stderr=open(tmp_path / "2.log", "w"))
    journals = warehouse / "_ticklake" / "sink" / group / topic
    wait_for(lambda: len(data_files(warehouse, "trades", "parquet")) >= 6, 120, "committed batches")
    kill_inside_a_batch(proc, journals, warehouse)
    proc.wait(timeout=60)
    # 3: to the end.
    final = run(args)
    _, ids = scanned_ids(catalog_path, warehouse)
    assert len(ids) == len(set(ids)) == n
    assert sorted(ids) == sorted(expected)
    # The restart after the first kill found the table ahead of the group, and skipped what it held.
    assert "its rows before that are skipped" in (tmp_path / "2.log").read_text() + final.stderr


@pytest.mark.parametrize("nth", [1, 2])
def test_kill_nine_between_two_tables_commits_of_one_batch(broker, topic, warehouse, tmp_path, nth):
    """A batch of trades and quotes is committed table by table (quotes first). Killed after the
    quotes table took a batch and before the trades table did, the restart reads from the group's
    offset, skips the quotes their table holds, and writes the trades: each id once per table.
    nth=1 is a partition's first batch: the trades table holds nothing of that partition yet (and
    the group has no offset for it), so nothing may be taken as read on the quotes' word."""
    n = 20_000
    produce_sim(broker, topic, n, partitions=2, days=1)
    expected = {t: trade_ids(broker, topic, tmp_path, t) for t in ("trade", "quote")}
    assert expected["trade"] and expected["quote"]
    catalog_path = tmp_path / "catalog.db"
    args = iceberg_args(broker, topic, warehouse, catalog_path, "g-" + topic, 3_000)
    crashed = subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=300,
                             env=dict(os.environ, TICKLAKE_CRASH_AT=f"between_table_commits:{nth}"))
    assert crashed.returncode == -9, crashed.stderr[-3000:]
    final = run(args)
    for table, event_type in (("trades", "trade"), ("quotes", "quote")):
        _, ids = scanned_ids(catalog_path, warehouse, table)
        assert len(ids) == len(set(ids)), f"{table}: duplicates"
        assert sorted(ids) == sorted(expected[event_type]), table
    assert "its rows before that are skipped" in final.stderr, final.stderr[-3000:]
    assert "skipped: their tables held them already" in final.stderr, final.stderr[-3000:]


def test_kill_nine_after_the_iceberg_commit_of_a_json_topic(broker, topic, warehouse, tmp_path):
    """The open formats: ticks read as plain JSON land in one Iceberg table. Killed after the
    table took a batch and before Kafka did, the restart re-reads the batch from the group's
    offset and skips it: every id once."""
    n = 12_000
    produce_sim(broker, topic, n, partitions=2, days=1)
    ids = [json.loads(line)["id"] for line in kcat_dump(broker, topic, tmp_path / "all.jsonl").read_text().splitlines()]
    assert len(ids) == n
    catalog_path = tmp_path / "catalog.db"
    args = sink_args(broker, topic, warehouse, group="g-" + topic,
                     extra=("--table-format", "iceberg", "--catalog", str(catalog_path), "--rotate-rows", "2000",
                            "--value-format", "json", "--table", "ticks"))
    crashed = subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=300,
                             env=dict(os.environ, TICKLAKE_CRASH_AT="after_table_commit:2"))
    assert crashed.returncode == -9, crashed.stderr[-3000:]
    final = run(args)
    _, scanned = scanned_ids(catalog_path, warehouse, "ticks")
    assert len(scanned) == len(set(scanned)) == n
    assert sorted(scanned) == sorted(ids)
    assert "skipped: their tables held them already" in final.stderr, final.stderr[-3000:]


def tl_query(catalog_path, sql):
    """`ticklake query` on the catalog, as JSON Lines rows."""
    proc = subprocess.run([str(BINARY), "query", "--catalog", str(catalog_path), "--format", "jsonl", "-q", sql],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def test_ticklake_query_reads_the_snapshot_and_travels_in_time(broker, topic, warehouse, tmp_path):
    """`ticklake query` reads an Iceberg table through its current snapshot's manifests (not the
    files registered for it), by field id with the snapshot's schema; `$snapshots` lists the
    history; FOR VERSION AS OF and FOR TIMESTAMP AS OF read an old snapshot, with the same rows
    PyIceberg's scan of that snapshot gives."""
    n = 12_000
    produce_sim(broker, topic, n, partitions=2, days=2, extra=("--quote-ratio", "0"))
    catalog_path = tmp_path / "catalog.db"
    run(iceberg_args(broker, topic, warehouse, catalog_path, "g-" + topic, 2_000))
    table, ids = scanned_ids(catalog_path, warehouse)
    assert len(ids) == n

    [row] = tl_query(catalog_path, "SELECT count(*) AS n, count(DISTINCT id) AS d, min(id) AS lo, max(id) AS hi "
                                   "FROM market.trades")
    assert (row["n"], row["d"], row["lo"], row["hi"]) == (n, n, min(ids), max(ids))
    # Iceberg's columns, not the Hive folders' (partitioning is hidden).
    described = [r["column_name"] for r in tl_query(catalog_path, "DESCRIBE market.trades")]
    assert described == [f.name for f in table.schema().fields]

    history = tl_query(catalog_path, 'SELECT * FROM market."trades$snapshots" ORDER BY sequence_number')
    snapshots = sorted(table.metadata.snapshots, key=lambda s: s.sequence_number)
    assert [h["snapshot_id"] for h in history] == [s.snapshot_id for s in snapshots]
    assert [h["is_current"] for h in history] == [s.snapshot_id == table.current_snapshot().snapshot_id
                                                  for s in snapshots]
    assert history[-1]["total_records"] == n

    # An old snapshot: by id, and by a time at which it was current.
    old = snapshots[len(snapshots) // 2]
    old_ids = table.scan(snapshot_id=old.snapshot_id).to_arrow().column("id").to_pylist()
    assert 0 < len(old_ids) < n
    [by_id] = tl_query(catalog_path, f"SELECT count(*) AS n, count(DISTINCT id) AS d, min(id) AS lo, max(id) AS hi "
                                     f"FROM market.trades FOR VERSION AS OF {old.snapshot_id}")
    assert (by_id["n"], by_id["d"], by_id["lo"], by_id["hi"]) == (len(old_ids), len(old_ids), min(old_ids),
                                                                  max(old_ids))
    import datetime
    at = datetime.datetime.fromtimestamp(old.timestamp_ms / 1000, datetime.timezone.utc)
    [by_time] = tl_query(catalog_path, f"SELECT count(*) AS n FROM trades FOR TIMESTAMP AS OF "
                                       f"'{at.strftime('%Y-%m-%d %H:%M:%S.%f')}'")
    assert by_time["n"] == len(old_ids)
    # The current table and an old snapshot in one query; and a condition on ts prunes by day.
    [both] = tl_query(catalog_path, f"SELECT (SELECT count(*) FROM market.trades) - (SELECT count(*) FROM "
                                    f"market.trades FOR SYSTEM_VERSION AS OF {old.snapshot_id}) AS grown")
    assert both["grown"] == n - len(old_ids)
    day = min(table.scan().to_arrow().column("ts").to_pylist()).date()
    expected_day = len(table.scan(row_filter=f"ts >= '{day}T00:00:00' and ts < '{day + datetime.timedelta(days=1)}"
                                             f"T00:00:00'").to_arrow())
    [one_day] = tl_query(catalog_path, f"SELECT count(*) AS n FROM market.trades WHERE ts >= TIMESTAMP '{day}' "
                                       f"AND ts < TIMESTAMP '{day}' + INTERVAL 1 DAY")
    assert one_day["n"] == expected_day
    # A snapshot the table never had is a clear error, not an empty answer.
    proc = subprocess.run([str(BINARY), "query", "--catalog", str(catalog_path),
                           "SELECT count(*) FROM market.trades FOR VERSION AS OF 12345"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "no snapshot 12345" in proc.stderr, proc.stderr
    # A table whose metadata file is gone fails the queries that name it, with the reason, and
    # no other query.
    import sqlite3
    with sqlite3.connect(catalog_path) as db:
        db.execute("INSERT INTO iceberg_tables VALUES ('ticklake', 'market', 'broken', ?, NULL, 'TABLE')",
                   (f"file://{warehouse}/market/broken/metadata/00001-gone.metadata.json",))
    proc = subprocess.run([str(BINARY), "query", "--catalog", str(catalog_path), "SELECT count(*) FROM market.broken"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "Iceberg table market.broken" in proc.stderr and "missing" in proc.stderr, \
        proc.stderr
    [again] = tl_query(catalog_path, "SELECT count(*) AS n FROM market.trades")
    assert again["n"] == n


def test_schema_evolution_adds_widens_and_old_snapshots_still_read(broker, topic, tmp_path):
    """A table another engine made: PyIceberg creates it (qty int, px float), appends, adds a
    column (venue) and appends again. Then the sink appends Schema Registry Avro values to it:
    qty long and px double widen the table's columns (Iceberg's int -> long, float -> double)
    and a new field (note) adds one; then a string where the table has a long (a change Iceberg
    forbids) goes to a column of its own, `qty__string`. Every snapshot stays readable by id,
    with the schema it was written with, in PyIceberg and in `ticklake query`."""
    import datetime as dt
    import pyarrow as pa
    from pyiceberg.schema import Schema
    from pyiceberg.types import FloatType, IntegerType, NestedField, StringType, TimestampType
    from test_schema_registry import framed, registry_folder, send

    warehouse, catalog_path = tmp_path / "wh", tmp_path / "catalog.db"
    warehouse.mkdir()
    table_name = topic.replace("-", "_")
    name = f"market.{table_name}"
    catalog = pyiceberg_sql.SqlCatalog("ticklake", uri=f"sqlite:///{catalog_path}", warehouse=f"file://{warehouse}")
    catalog.create_namespace("market")
    table = catalog.create_table(name, Schema(
        NestedField(1, "id", StringType()), NestedField(2, "ts", TimestampType()),
        NestedField(3, "qty", IntegerType()), NestedField(4, "px", FloatType())))
    ts0 = dt.datetime(2025, 1, 6, 14, 30)

    def arrow_rows(prefix, venue):
        cols = {"id": pa.array([f"{prefix}-{i}" for i in range(100)]),
                "ts": pa.array([ts0 + dt.timedelta(seconds=i) for i in range(100)], pa.timestamp("us")),
                "qty": pa.array(list(range(100)), pa.int32()), "px": pa.array([i + 0.5 for i in range(100)], pa.float32())}
        if venue:
            cols["venue"] = pa.array(["XNYS"] * 100)
        return pa.table(cols)

    table.append(arrow_rows("p0", venue=False))
    snapshot_of = {0: table.current_snapshot().snapshot_id}
    with table.update_schema() as update:
        update.add_column("venue", StringType())
    table.append(arrow_rows("p1", venue=True))
    snapshot_of[1] = table.current_snapshot().snapshot_id

    base = [{"name": "id", "type": "string"}, {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
            {"name": "px", "type": "double"}, {"name": "venue", "type": "string"}]
    v2 = {"type": "record", "name": "Tick", "fields": base + [{"name": "qty", "type": "long"}, {"name": "note", "type": "string"}]}
    v3 = {"type": "record", "name": "Tick", "fields": base + [{"name": "qty", "type": "string"}]}
    reg = registry_folder(tmp_path / "registry", {2: v2, 3: v3})
    for version, schema in ((2, v2), (3, v3)):
        recs = [{"id": f"v{version}-{i}", "ts": ts0.replace(tzinfo=dt.timezone.utc) + dt.timedelta(seconds=i),
                 "px": i + 0.25, "venue": "XNAS", "note": f"n{i}",
                 "qty": str(i) if version == 3 else i * 3_000_000_000} for i in range(100)]
        send(broker, topic, [("k", framed(version, schema, r)) for r in recs])
        run(sink_args(broker, topic, warehouse, grain="none",
                      extra=("--schema-registry", f"file://{reg}", "--value-format", "avro",
                             "--table-format", "iceberg", "--catalog", str(catalog_path))))
        snapshot_of[version] = catalog.load_table(name).current_snapshot().snapshot_id

    table = catalog.load_table(name)
    fields = {f.name: (f.field_id, str(f.field_type)) for f in table.schema().fields}
    assert fields["qty"] == (3, "long") and fields["px"] == (4, "double") and fields["venue"] == (5, "string"), fields
    assert fields["note"][1] == "string" and fields["qty__string"][1] == "string", fields
    assert fields["qty__string"][0] > fields["note"][0] > 5, fields
    assert len(table.metadata.schemas) == 4  # created, +venue (PyIceberg), widened +note, +qty__string (ticklake)

    # PyIceberg: each snapshot by id, with its own schema.
    first = table.scan(snapshot_id=snapshot_of[0]).to_arrow()
    assert first.num_rows == 100 and "venue" not in first.column_names
    assert str(first.schema.field("qty").type) == "int32" and str(first.schema.field("px").type) == "float"
    second = table.scan(snapshot_id=snapshot_of[1]).to_arrow()
    assert second.num_rows == 200 and second.column("venue").null_count == 100
    now = table.scan().to_arrow()
    assert now.num_rows == 400 and len(set(now.column("id").to_pylist())) == 400
    rows = {r["id"]: r for r in now.to_pylist()}
    assert rows["v2-7"]["qty"] == 21_000_000_000 and rows["p0-7"]["qty"] == 7  # int files read as long
    assert rows["v2-7"]["note"] == "n7" and rows["p1-7"]["note"] is None
    assert rows["v3-7"]["qty"] is None and rows["v3-7"]["qty__string"] == "7"

    # ticklake query: the same snapshots, the same schemas.
    first_cols = {r["column_name"]: r["column_type"] for r in tl_query(
        catalog_path, f"DESCRIBE SELECT * FROM {name} FOR VERSION AS OF {snapshot_of[0]}")}
    assert first_cols == {"id": "VARCHAR", "ts": "TIMESTAMP", "qty": "INTEGER", "px": "FLOAT"}, first_cols
    [one] = tl_query(catalog_path, f"SELECT count(*) AS n, sum(qty) AS q FROM {name} FOR VERSION AS OF {snapshot_of[0]}")
    assert (one["n"], one["q"]) == (100, sum(range(100)))
    [two] = tl_query(catalog_path, f"SELECT count(*) AS n, count(venue) AS v FROM {name} FOR VERSION AS OF {snapshot_of[1]}")
    assert (two["n"], two["v"]) == (200, 100)
    [cur] = tl_query(catalog_path, f"SELECT count(*) AS n, count(DISTINCT id) AS d, sum(qty) AS q, count(note) AS notes, "
                                   f"count(qty__string) AS s FROM {name}")
    assert (cur["n"], cur["d"], cur["notes"], cur["s"]) == (400, 400, 100, 100)
    assert cur["q"] == 2 * sum(range(100)) + 3_000_000_000 * sum(range(100))


def test_compaction_during_a_live_sink_then_expiry_and_orphans(broker, topic, warehouse, tmp_path):
    """`ticklake compact` on an Iceberg table while the sink keeps committing: each pass is one
    `replace` snapshot, and readers in a loop (PyIceberg and `ticklake query`) never see an id
    twice or lose one they saw. Then expire-snapshots deletes only what no kept snapshot
    reaches (the dry run names the same files and deletes none), and remove-orphan-files takes
    an old stray file and leaves a new one."""
    import threading
    import time
    catalog_path = tmp_path / "catalog.db"
    produce_sim(broker, topic, 6_000, seed=1, partitions=2, days=1, extra=("--quote-ratio", "0"))
    args = sink_args(broker, topic, warehouse, idle=6, extra=("--table-format", "iceberg", "--catalog", str(catalog_path),
                                                             "--rotate-rows", "500", "--max-buffer-age", "1"))
    sink = subprocess.Popen([str(BINARY), *args], stdout=subprocess.DEVNULL, stderr=open(tmp_path / "sink.log", "w"))
    wait_for(lambda: catalog_path.exists() and len(data_files(warehouse, "trades", "parquet")) >= 4, 60, "first commits")
    stop = threading.Event()
    problems, reads = [], {"pyiceberg": 0, "query": 0}

    def producer():
        for seed in range(2, 8):
            produce_sim(broker, topic, 2_000, seed=seed, partitions=2, days=1, extra=("--quote-ratio", "0"))
            time.sleep(0.5)

    def reader():
        seen, last_count = set(), 0
        while not stop.is_set():
            try:
                _, ids = scanned_ids(catalog_path, warehouse)
            except Exception as e:  # a commit may land between PyIceberg's reads of one snapshot's files
                problems.append(f"pyiceberg: {e!r}")
                continue
            if len(ids) != len(set(ids)):
                problems.append(f"pyiceberg saw {len(ids) - len(set(ids))} duplicates")
            if not seen <= set(ids):
                problems.append(f"pyiceberg lost {len(seen - set(ids))} ids it had seen")
            seen = set(ids)
            reads["pyiceberg"] += 1
            [row] = tl_query(catalog_path, "SELECT count(*) AS n, count(DISTINCT id) AS d FROM market.trades")
            if row["n"] != row["d"] or row["n"] < last_count:
                problems.append(f"ticklake query: {row} after {last_count}")
            last_count = row["n"]
            reads["query"] += 1

    threads = [threading.Thread(target=producer), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    passes = 0
    while threads[0].is_alive() or passes < 2:
        out = run(["compact", "market.trades", "--catalog", str(catalog_path), "--older-than", "0s",
                   "--target-file-mib", "64"])
        passes += 1
        time.sleep(0.3)
    threads[0].join()
    assert sink.wait(timeout=180) == 0, (tmp_path / "sink.log").read_text()[-3000:]
    run(["compact", "market.trades", "--catalog", str(catalog_path), "--older-than", "0s"])
    time.sleep(1)
    stop.set()
    threads[1].join()
    assert not problems, problems[:5]
    assert reads["pyiceberg"] >= 3 and reads["query"] >= 3, reads

    table, ids = scanned_ids(catalog_path, warehouse)
    expected = trade_ids(broker, topic, tmp_path)
    assert len(expected) == 6_000 + 6 * 2_000
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(expected)
    operations = [s.summary.operation.value for s in table.metadata.snapshots]
    assert "replace" in operations and "append" in operations, operations
    live = {f.file.file_path for f in table.scan().plan_files()}
    assert any("compacted-" in p for p in live)

    # Expiry: the dry run deletes nothing and names what --apply then deletes.
    before = sorted(str(p) for p in warehouse.rglob("*") if p.is_file())
    dry = json.loads(run(["iceberg", "expire-snapshots", "market.trades", "--catalog", str(catalog_path),
                          "--older-than", "0s", "--json"]).stdout)
    assert dry["dry_run"] and dry["expired"] and dry["files"]
    assert sorted(str(p) for p in warehouse.rglob("*") if p.is_file()) == before
    applied = json.loads(run(["iceberg", "expire-snapshots", "market.trades", "--catalog", str(catalog_path),
                              "--older-than", "0s", "--json", "--apply"]).stdout)
    assert sorted(applied["files"]) == sorted(dry["files"]) and applied["kept"] == 1
    table, ids_after = scanned_ids(catalog_path, warehouse)
    assert sorted(ids_after) == sorted(expected)
    table_dir = warehouse / "market" / "trades"
    for f in table.scan().plan_files():  # every file the current snapshot reaches is still there
        assert (table_dir / f.file.file_path.split("/market/trades/", 1)[1]).exists()
    assert not any((table_dir / key).exists() for key in applied["files"])
    assert any(key.endswith(".parquet") for key in applied["files"])  # the replaced inputs went
    [row] = tl_query(catalog_path, "SELECT count(*) AS n, count(DISTINCT id) AS d FROM market.trades")
    assert row["n"] == row["d"] == len(expected)

    # Orphans: an old stray file goes, a new one (maybe a commit in flight) stays.
    old = table_dir / "dt=2000-01-01" / "stray-old.parquet"
    new = table_dir / "dt=2000-01-01" / "stray-new.parquet"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    ten_days_ago = time.time() - 10 * 86400
    os.utime(old, (ten_days_ago, ten_days_ago))
    dry = json.loads(run(["iceberg", "remove-orphan-files", "market.trades", "--catalog", str(catalog_path),
                          "--json"]).stdout)
    assert dry["files"] == ["dt=2000-01-01/stray-old.parquet"] and dry["too_new"] >= 1 and old.exists()
    run(["iceberg", "remove-orphan-files", "market.trades", "--catalog", str(catalog_path), "--apply"])
    assert not old.exists() and new.exists()
    _, final_ids = scanned_ids(catalog_path, warehouse)
    assert sorted(final_ids) == sorted(expected)


def test_an_s3_warehouse(minio, s3, broker, topic, tmp_path):
    """The same table on S3 (MinIO, which checks signatures): the sink commits through the
    store, PyIceberg reads it with its own S3 client, and `ticklake query` reads the snapshot's
    files through its S3 cache; compaction commits a replace snapshot there too."""
    import uuid
    from test_s3 import run_ticklake
    bucket = "tl-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=bucket)
    n = 8_000
    produce_sim(broker, topic, n, partitions=2, days=2, extra=("--quote-ratio", "0"))
    expected = trade_ids(broker, topic, tmp_path)
    catalog_path = tmp_path / "catalog.db"
    warehouse = f"s3://{bucket}/lake"
    run_ticklake(minio, sink_args(broker, topic, warehouse, extra=("--table-format", "iceberg", "--catalog",
                                                                   str(catalog_path), "--rotate-rows", "1000")),
                 tmp_path / "tmp")
    catalog = pyiceberg_sql.SqlCatalog("ticklake", uri=f"sqlite:///{catalog_path}", warehouse=warehouse, **{
        "s3.endpoint": minio.endpoint, "s3.access-key-id": minio.access_key, "s3.secret-access-key": minio.secret_key,
        "s3.region": "us-east-1"})
    table = catalog.load_table("market.trades")
    assert table.metadata.location == f"{warehouse}/market/trades"
    ids = table.scan().to_arrow().column("id").to_pylist()
    assert sorted(ids) == sorted(expected)

    def count():
        proc = run_ticklake(minio, ["query", "--catalog", str(catalog_path), "--format", "jsonl", "-q",
                                    "--cache-dir", str(tmp_path / "cache"),
                                    "SELECT count(*) AS n, count(DISTINCT id) AS d FROM market.trades"], tmp_path / "tmp")
        return json.loads(proc.stdout.splitlines()[0])

    assert count() == {"n": n, "d": n}
    run_ticklake(minio, ["compact", "market.trades", "--catalog", str(catalog_path), "--older-than", "0s"],
                 tmp_path / "tmp")
    table = catalog.load_table("market.trades")
    assert table.current_snapshot().summary.operation.value == "replace"
    assert sorted(table.scan().to_arrow().column("id").to_pylist()) == sorted(expected)
    assert count() == {"n": n, "d": n}
