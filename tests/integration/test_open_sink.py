"""The open sink: topics ticklake did not write land as tables, exactly once.

The tutorial's own producer (kafka-python 2.0.2, pandas rows as JSON) against the local broker
without creating the topic first; schema drift; kill -9 and rebalance on a schemaless topic;
several topics by pattern; bad input. Every check reads the files with independent readers
(pyarrow, DuckDB's Python package, Spark) or kcat."""
import csv
import io
import itertools
import json
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
import zipfile
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest

from conftest import (BINARY, SHARED_DATA, ROOT, data_files, kill_inside_a_batch, run, sink,
                      sink_args, wait_for)

TUTORIAL_ZIP = SHARED_DATA / "indexProcessed.csv.zip"
TUTORIAL_COLUMNS = ["Index", "Date", "Open", "High", "Low", "Close", "Adj Close", "Volume", "CloseUSD"]


def tutorial_csv(tmp_path) -> Path:
    """The tutorial's dataset when ../shared has it, else rows of the same shape made by the
    demo's generator (so the test also runs from a plain clone)."""
    out = tmp_path / "indexProcessed.csv"
    if TUTORIAL_ZIP.exists():
        with zipfile.ZipFile(TUTORIAL_ZIP) as z:
            name = next(n for n in z.namelist() if n.endswith(".csv"))
            out.write_bytes(z.read(name))
    else:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "tutorial_producer.py"), "--generate", str(out),
                        "--rows", "20000"], check=True, timeout=120)
    return out


def send_like_the_tutorial(bootstrap, topic, csv_path):
    """The tutorial's producer: kafka-python, one pandas row per message as json.dumps. It
    samples a random row every second; here every row is sent once, without the sleep."""
    from json import dumps

    import pandas as pd
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=[bootstrap], value_serializer=lambda x: dumps(x).encode("utf-8"))
    df = pd.read_csv(csv_path)
    for dict_stock in df.to_dict(orient="records"):
        producer.send(topic, value=dict_stock)
    producer.flush()
    producer.close()
    return df


@pytest.fixture(scope="module")
def tutorial_lake(broker, tmp_path_factory):
    """The tutorial's rows sent by its producer to a topic nobody created, then sunk."""
    tmp = tmp_path_factory.mktemp("tutorial")
    topic = "demo_test_" + uuid.uuid4().hex[:6]
    csv_path = tutorial_csv(tmp)
    df = send_like_the_tutorial(broker.bootstrap, topic, csv_path)
    warehouse = tmp / "warehouse"
    catalog = tmp / "catalog.db"
    summary, proc = sink(broker, topic, warehouse, extra=("--time-partition", "year", "--catalog", str(catalog)))
    return dict(topic=topic, df=df, csv=csv_path, warehouse=warehouse, catalog=catalog, summary=summary,
                log=proc.stderr)


def test_tutorial_producer_rows_land_once_with_their_types(tutorial_lake):
    df, summary, topic = tutorial_lake["df"], tutorial_lake["summary"], tutorial_lake["topic"]
    assert summary["consumed"] == len(df)
    assert summary["rows_written"] == len(df)
    assert summary["dead_letters"] == 0
    assert "plain JSON values" in tutorial_lake["log"] and "field 'Date'" in tutorial_lake["log"]
    table = ds.dataset(str(tutorial_lake["warehouse"] / "market" / topic), format="parquet",
                       partitioning="hive").to_table()
    assert table.num_rows == len(df)
    types = {f.name: str(f.type) for f in table.schema}
    for col in ("Open", "High", "Low", "Close", "Adj Close", "Volume", "CloseUSD"):
        assert types[col] == "double", types
    assert types["Date"] == "date32[day]" and types["Index"] == "string", types
    # Every CSV row, value for value, as the producer read it (pandas parses some decimals one
    # unit in the last place away from Python's float(); the message carries pandas' double).
    got = sorted(zip(*(table.column(c).to_pylist() for c in TUTORIAL_COLUMNS + ["year"])),
                 key=lambda r: (r[0], r[1]))
    want = sorted(df.to_dict(orient="records"), key=lambda r: (r["Index"], r["Date"]))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g[0] == w["Index"] and g[1].isoformat() == w["Date"]
        for i, col in enumerate(TUTORIAL_COLUMNS[2:], start=2):
            assert g[i] == w[col], (col, g, w)
        # Each row's event-time partition holds its Date.
        assert int(g[9]) == g[1].year


def test_tutorial_rows_answer_sql_under_both_names(tutorial_lake):
    df, topic = tutorial_lake["df"], tutorial_lake["topic"]
    want = Counter(df["Index"])
    out = run(["query", "--catalog", str(tutorial_lake["catalog"]), "--format", "csv",
               f'select "Index", count(*) as n from market.{topic} group by 1 order by 1']).stdout
    got = {r["Index"]: int(r["n"]) for r in csv.DictReader(io.StringIO(out))}
    assert got == dict(want)
    # The catalogued (Glue) name and the files' own name both answer.
    out = run(["query", "--catalog", str(tutorial_lake["catalog"]), "--format", "csv",
               f'select sum("Adj Close") as a, sum("adj close") as b, count("closeusd") as c from market.{topic}']).stdout
    row = next(csv.DictReader(io.StringIO(out)))
    assert float(row["a"]) == pytest.approx(df["Adj Close"].sum()) and row["a"] == row["b"]
    assert int(row["c"]) == len(df)
    described = json.loads(run(["catalog", "describe", f"market.{topic}", "--json", "--catalog",
                                str(tutorial_lake["catalog"])]).stdout)
    cols = {c["name"]: c for c in described["columns"]}
    assert cols["adj close"]["file_name"] == "Adj Close" and cols["adj close"]["type"] == "double"
    assert cols["date"]["type"] == "date"


SPARK_CHECK = textwrap.dedent("""
    import json, sys
    from pyspark.sql import SparkSession
    ddl_path, work, out = sys.argv[1], sys.argv[2], sys.argv[3]
    spark = (SparkSession.builder.master("local[2]").appName("ticklake-ddl-check")
             .config("spark.sql.warehouse.dir", work + "/spark-warehouse")
             .config("spark.driver.extraJavaOptions", "-Dderby.system.home=" + work + "/derby")
             .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
             .enableHiveSupport().getOrCreate())
    ddl = open(ddl_path).read()
    db = ddl.split("`")[1]
    spark.sql(f"CREATE DATABASE IF NOT EXISTS `{db}`")
    spark.sql(ddl.rstrip().rstrip(";"))          # the exported DDL, unchanged
    name = ddl.split("CREATE EXTERNAL TABLE IF NOT EXISTS ")[1].split(" (")[0]
    spark.sql(f"MSCK REPAIR TABLE {name}")
    df = spark.sql(f"SELECT * FROM {name}")
    rows = [r.asDict() for r in df.collect()]
    json.dump({"columns": df.columns, "rows": rows}, open(out, "w"), default=str)
""")


def test_spark_reads_the_exported_ddl_unchanged(tutorial_lake, tmp_path):
    topic = tutorial_lake["topic"]
    ddl = run(["catalog", "export-ddl", f"market.{topic}", "--catalog", str(tutorial_lake["catalog"])]).stdout
    assert "`adj close` double" in ddl, ddl
    (tmp_path / "table.sql").write_text(ddl)
    (tmp_path / "check.py").write_text(SPARK_CHECK)
    out = tmp_path / "spark.json"
    proc = subprocess.run([sys.executable, str(tmp_path / "check.py"), str(tmp_path / "table.sql"), str(tmp_path),
                           str(out)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-5000:]
    spark = json.loads(out.read_text())
    ours = run(["query", "--catalog", str(tutorial_lake["catalog"]), "--format", "jsonl",
                f"select * from market.{topic}"]).stdout.splitlines()
    ours = [json.loads(line) for line in ours]
    assert len(spark["rows"]) == len(ours) == len(tutorial_lake["df"])
    # Spark names columns as the DDL does (lower case); ours as the files do.
    lower = {c.lower(): c for c in ours[0]}
    for col in spark["columns"]:
        assert col in lower, (col, list(lower))
        nulls = sum(1 for r in spark["rows"] if r[col] is None)
        assert nulls == 0, f"Spark read {nulls} NULLs in {col}"

    def key(r, names):
        return (str(r[names["index"]]), str(r[names["date"]])[:10])

    spark_by_key = {key(r, {c: c for c in spark["columns"]}): r for r in spark["rows"]}
    for r in ours:
        s = spark_by_key[key(r, lower)]
        for col in spark["columns"]:
            a, b = s[col], r[lower[col]]
            if isinstance(b, float) or isinstance(a, float):
                assert float(a) == float(b), (col, a, b)
            else:
                assert str(a)[:10] == str(b)[:10], (col, a, b)


# ---------------------------------------------------------------------------------------------

def kcat_produce(broker, topic, lines, key_sep="\t", extra=()):
    """Produces one message per line (key<TAB>value) with kcat, an independent client."""
    args = ["kcat", "-P", "-b", broker.bootstrap, "-t", topic, "-K", key_sep, *extra]
    subprocess.run(args, input="".join(line + "\n" for line in lines), text=True, check=True, timeout=120)


def create_topic(broker, topic, partitions=3, configs=()):
    args = ["kafka", "topics", "create", topic, "-b", broker.bootstrap, "--partitions", str(partitions)]
    for c in configs:
        args += ["--config", c]
    run(args)


def history(catalog, table):
    return json.loads(run(["catalog", "history", table, "--json", "--catalog", str(catalog)]).stdout)


def test_schema_drift_adds_widens_and_dead_letters_the_impossible(broker, topic, tmp_path):
    warehouse, catalog = tmp_path / "wh", tmp_path / "catalog.db"
    create_topic(broker, topic, partitions=2)
    ts = "2025-01-06T14:30:{:02d}Z"
    phases = [
        [f'k{i}\t{{"id":"a{i}","ts":"{ts.format(i % 60)}","px":{100 + i}}}' for i in range(300)],
        [f'k{i}\t{{"id":"b{i}","ts":"{ts.format(i % 60)}","px":{200 + i},"venue":"XNAS"}}' for i in range(300)],
        [f'k{i}\t{{"id":"c{i}","ts":"{ts.format(i % 60)}","px":{i}.5,"venue":"XNYS"}}' for i in range(300)],
    ]
    impossible = [f'k{i}\t{{"id":"x{i}","ts":"{ts.format(i)}","px":{{"bid":1}}}}' for i in range(7)]
    tail = [f'k{i}\t{{"id":"d{i}","ts":"{ts.format(i % 60)}","px":{i}.25}}' for i in range(100)]
    versions = []
    for lines in phases + [impossible + tail]:
        kcat_produce(broker, topic, lines)
        sink(broker, topic, warehouse, extra=("--catalog", str(catalog)))
        versions.append(history(catalog, f"market.{topic.replace('-', '_')}")[-1]["version"])
    assert versions == [1, 2, 3, 3], versions
    table = topic.replace("-", "_")
    con = duckdb.connect()
    got = con.execute(f"SELECT count(*), count(DISTINCT id), count(venue), min(px), max(px), typeof(max(px)) "
                      f"FROM read_parquet('{warehouse}/market/{table}/*/*.parquet', union_by_name=true)").fetchone()
    assert got[:3] == (1000, 1000, 600), got
    assert got[5] == "DOUBLE"
    dead = con.execute(f"SELECT reason, value FROM read_json_auto('{warehouse}/market/dead_letters/*/*.jsonl')").fetchall()
    assert len(dead) == len(impossible)
    assert all("an object does not fit column 'px' of type double" in r for r, _ in dead), dead
    # The union schema answers across old (bigint) and new (double) files.
    out = run(["query", "--catalog", str(catalog), "--format", "csv",
               f"select count(*) as n, sum(px) as s from market.{table}"]).stdout
    row = next(csv.DictReader(io.StringIO(out)))
    want = sum(100 + i for i in range(300)) + sum(200 + i for i in range(300)) + sum(i + .5 for i in range(300)) \
        + sum(i + .25 for i in range(100))
    assert int(row["n"]) == 1000 and float(row["s"]) == pytest.approx(want)


def test_bad_input_goes_to_dead_letters_with_reasons(broker, topic, tmp_path):
    warehouse = tmp_path / "wh"
    create_topic(broker, topic, partitions=1, configs=("max.message.bytes=16777216",))
    good = [f'{{"id":"g{i}","ts":"2025-01-06T15:00:00Z","v":{i}}}' for i in range(500)]
    big = '{"id":"big","ts":"2025-01-06T15:00:00Z","blob":"' + "x" * (10 << 20) + '"}'
    wide = "{" + ",".join(f'"f{i}":{i}' for i in range(1000)) + ',"ts":"2025-01-06T15:00:00Z"}'
    bad = {
        "not json": "not valid JSON",
        "[1,2,3]": "array, not an object",
        '{"id":"late","ts":"next tuesday","v":1}': "is not ISO 8601",
        wide: "--max-columns",
        big: "--max-value-bytes",
    }
    lines = good[:250] + list(bad) + good[250:]
    path = tmp_path / "msgs"
    with open(path, "wb") as f:
        for line in lines:
            f.write(line.encode() + b"\n")
        f.write(b'{"id":"utf","ts":"2025-01-06T15:00:00Z","s":"\xff\xfe"}\n')
    subprocess.run(["kcat", "-P", "-b", broker.bootstrap, "-t", topic, "-X", "message.max.bytes=16777216", "-l",
                    str(path)], check=True, timeout=120)
    summary, _ = sink(broker, topic, warehouse, extra=("--no-register",))
    assert summary["rows_written"] == len(good)
    assert summary["dead_letters"] == len(bad) + 1
    con = duckdb.connect()
    dead = con.execute(f"SELECT reason, value, value_hex FROM read_json('{warehouse}/market/dead_letters/*/*.jsonl', "
                       f"maximum_object_size=33554432)").fetchall()
    reasons = [d[0] for d in dead]
    for value, why in bad.items():
        matching = [d for d in dead if d[1] == value]
        assert len(matching) == 1 and why in matching[0][0], (why, reasons)
    assert any("UTF-8" in r for r in reasons), reasons
    assert any(d[2] and "fffe" in d[2] for d in dead)  # the bytes kept as hex
    got = con.execute(f"SELECT count(*), count(DISTINCT id) FROM read_parquet("
                      f"'{warehouse}/market/{topic.replace('-', '_')}/*/*.parquet')").fetchone()
    assert got == (len(good), len(good))


def ids(warehouse, table):
    con = duckdb.connect()
    return con.execute(f"SELECT count(*), count(DISTINCT id) FROM read_parquet("
                       f"'{warehouse}/market/{table}/*/*.parquet', union_by_name=true)").fetchone()


def plain_json_lines(start, count, days=2):
    """Headerless JSON rows with a unique id, keyed by symbol, their times spread over `days`
    days so every batch writes a file per day (a batch of several files is the crash window)."""
    for i in range(start, start + count):
        second = (i * 7919) % (days * 86_400)
        ts = f"2025-01-{6 + second // 86_400:02d}T{second % 86_400 // 3600:02d}:{second % 3600 // 60:02d}:{second % 60:02d}Z"
        yield f'S{i % 50}\t{{"id":"e{i}","symbol":"S{i % 50}","ts":"{ts}","price":{100 + i % 997 / 100},"size":{i % 500}}}'


def paced_kcat(broker, topic, start, count, rate):
    """kcat -P fed by a thread at about `rate` lines a second: a producer still running while
    the group rebalances."""
    proc = subprocess.Popen(["kcat", "-P", "-b", broker.bootstrap, "-t", topic, "-K", "\t"],
                            stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    chunk = max(1, rate // 20)

    def feed():
        lines = plain_json_lines(start, count)
        while True:
            block = list(itertools.islice(lines, chunk))
            if not block:
                break
            proc.stdin.write("".join(line + "\n" for line in block))
            proc.stdin.flush()
            time.sleep(0.05)
        proc.stdin.close()

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    return proc, feeder


def test_kill_nine_on_a_schemaless_topic_is_exactly_once(broker, topic, tmp_path):
    """Headerless JSON written by kcat, read with the default --value-format auto (so as plain
    JSON): one open table, killed twice inside a batch, then finished."""
    warehouse = tmp_path / "wh"
    n = 300_000
    create_topic(broker, topic, partitions=4)
    kcat_produce(broker, topic, plain_json_lines(0, n))
    group = "g-kill-json-" + topic
    table = topic.replace("-", "_")
    args = sink_args(broker, topic, warehouse, group=group, extra=("--rotate-rows", "15000", "--no-register"))
    journals = warehouse / "_ticklake" / "sink" / group / topic
    logs = []
    for attempt in range(2):
        logs.append(tmp_path / f"sink{attempt}.log")
        baseline = len(data_files(warehouse, table, "parquet"))
        proc = subprocess.Popen([str(BINARY), *args], stdout=subprocess.DEVNULL, stderr=open(logs[-1], "w"))
        wait_for(lambda: len(data_files(warehouse, table, "parquet")) >= baseline + 4, 120, "committed batches")
        killed = kill_inside_a_batch(proc, journals, warehouse)
        proc.wait(timeout=60)
        assert killed, "no kill landed inside a batch"
    summary, final = sink(broker, topic, warehouse, group=group, extra=("--no-register",))
    assert json.loads((journals / "topic.json").read_text())["value_format"] == "json"
    assert ids(warehouse, table) == (n, n)
    assert not list(warehouse.rglob("*.tmp"))
    recoveries = sum(p.read_text().count("of an uncommitted batch") for p in logs[1:]) + \
        final.stderr.count("of an uncommitted batch")
    assert recoveries >= 2
    assert summary["consumed"] < n


def test_rebalance_on_a_schemaless_topic_is_exactly_once(broker, topic, tmp_path):
    """Two sinks in one group on a headerless JSON topic while kcat is still producing: the
    second joins, the first leaves, every id lands once."""
    warehouse = tmp_path / "wh"
    n_first, n_paced = 20_000, 200_000
    create_topic(broker, topic, partitions=6)
    kcat_produce(broker, topic, plain_json_lines(0, n_first))
    group = "g-rebalance-json-" + topic
    table = topic.replace("-", "_")
    args = sink_args(broker, topic, warehouse, group=group, idle=4, extra=("--rotate-rows", "5000", "--no-register"))
    logs = [tmp_path / "sink1.log", tmp_path / "sink2.log"]
    start = lambda log: subprocess.Popen([str(BINARY), *args], stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    assignments = lambda log: log.read_text().count("assigned partitions")
    first = start(logs[0])
    producer, feeder = paced_kcat(broker, topic, n_first, n_paced, rate=40_000)
    wait_for(lambda: assignments(logs[0]) >= 1, 60, "the first sink's assignment")
    second = start(logs[1])
    wait_for(lambda: assignments(logs[0]) >= 2 and assignments(logs[1]) >= 1, 60, "the shared assignment")
    files_then = len(data_files(warehouse, table, "parquet"))
    wait_for(lambda: len(data_files(warehouse, table, "parquet")) >= files_then + 4, 120, "files of both sinks")
    assert feeder.is_alive(), "the producer finished before the second rebalance"
    first.send_signal(signal.SIGTERM)
    first.wait(timeout=120)
    feeder.join(timeout=300)
    assert producer.wait(timeout=300) == 0, producer.stderr.read()
    second.wait(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, logs[1].read_text()
    n = n_first + n_paced
    assert ids(warehouse, table) == (n, n)


def test_a_topic_pattern_lands_each_topic_in_its_own_table(broker, tmp_path):
    warehouse = tmp_path / "wh"
    prefix = "feed" + uuid.uuid4().hex[:6]
    shapes = {
        "trades": lambda i: f'{{"id":"t{i}","ts":{1736173800000 + i},"px":{i}.5}}',
        "news": lambda i: f'{{"id":"n{i}","time":"2025-01-06T15:00:00Z","headline":"h{i}","tags":["a","b"]}}',
        "fx": lambda i: f'{{"id":"f{i}","pair":"EURUSD","rate":1.0{i % 10},"nested":{{"bid":1.1,"ask":1.2}}}}',
    }
    counts = {"trades": 400, "news": 150, "fx": 250}
    for name, make in shapes.items():
        create_topic(broker, f"{prefix}.{name}", partitions=2)
        kcat_produce(broker, f"{prefix}.{name}", [f"k\t{make(i)}" for i in range(counts[name])])
    proc = run(["sink", "-b", broker.bootstrap, "--topic-regex", f"^{prefix}\\..*", "-g", "g-" + prefix,
                "-w", str(warehouse), "--until-idle", "3", "--no-progress", "--no-register", "--summary-json",
                str(tmp_path / "s.json")])
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["rows_by_table"] == {f"{prefix}_{k}": v for k, v in counts.items()}, proc.stderr
    for name, n in counts.items():
        assert ids(warehouse, f"{prefix}_{name}") == (n, n)
    con = duckdb.connect()
    fx = con.execute(f"SELECT nested.bid, typeof(nested) FROM read_parquet('{warehouse}/market/{prefix}_fx/*/*.parquet') "
                     f"LIMIT 1").fetchone()
    assert fx == (1.1, "STRUCT(bid DOUBLE, ask DOUBLE)")
    tags = con.execute(f"SELECT tags FROM read_parquet('{warehouse}/market/{prefix}_news/*/*.parquet') LIMIT 1").fetchone()
    assert tags == (["a", "b"],)
    # Epoch milliseconds were read as times: 2025-01-06.
    assert {p.name for p in (warehouse / "market" / f"{prefix}_trades").iterdir()} == {"dt=2025-01-06"}


def test_csv_lines_raw_bytes_metadata_and_field_partitions(broker, topic, tmp_path):
    warehouse = tmp_path / "wh"
    create_topic(broker, topic, partitions=1)
    lines = ["Index,Date,Close"] + [f"{'HSI' if i % 2 else 'NYA'},2020-01-{1 + i % 28:02d},{100 + i}.5" for i in range(200)]
    kcat_produce(broker, topic, [f"k\t{line}" for line in lines], extra=("-H", "source=test"))
    summary, _ = sink(broker, topic, warehouse, extra=("--value-format", "csv", "--partition-by", "Index",
                                                       "--kafka-metadata", "--table", "idx", "--no-register"))
    assert summary["rows_written"] == 200 and summary["header_lines"] == 1
    parts = sorted(p.name for p in (warehouse / "market" / "idx").iterdir())
    assert parts == ["Index=HSI", "Index=NYA"]
    con = duckdb.connect()
    rows = con.execute(f"SELECT Index, count(*), min(Date), typeof(min(Date)), min(_offset), max(_offset), "
                       f"any_value(_headers), any_value(_key), any_value(_topic) FROM read_parquet("
                       f"'{warehouse}/market/idx/*/*/*.parquet', hive_partitioning=true) GROUP BY 1 ORDER BY 1").fetchall()
    assert [r[:2] for r in rows] == [("HSI", 100), ("NYA", 100)]
    assert rows[0][3] == "DATE"
    assert min(r[4] for r in rows) == 1 and max(r[5] for r in rows) == 200  # offset 0 is the header
    assert rows[0][6] == [{"key": "source", "value": "test"}] and rows[0][7] == "k" and rows[0][8] == topic
    # raw: every message, header line included, as bytes.
    wh2 = tmp_path / "wh-raw"
    summary, _ = sink(broker, topic, wh2, group="g-raw-" + topic, extra=("--value-format", "raw", "--no-register"))
    assert summary["rows_written"] == 201
    got = con.execute(f"SELECT count(*), count(DISTINCT _offset), min(decode(value)) FROM read_parquet("
                      f"'{wh2}/market/{topic.replace('-', '_')}/*/*.parquet')").fetchone()
    assert got[:2] == (201, 201) and got[2].startswith("HSI,")


def test_auto_keeps_a_foreign_event_lookalike_out_of_the_typed_tables(broker, topic, tmp_path):
    """A message with type, id and ts fields but no ticklake header is plain JSON."""
    warehouse = tmp_path / "wh"
    create_topic(broker, topic, partitions=1)
    kcat_produce(broker, topic, [f'k\t{{"type":"trade","id":"x{i}","ts":"2025-01-06T15:00:00Z","price":1,"size":1,'
                                 f'"symbol":"X"}}' for i in range(50)])
    summary, _ = sink(broker, topic, warehouse, extra=("--no-register",))
    assert summary["rows_by_table"] == {topic.replace("-", "_"): 50}
    assert not (warehouse / "market" / "trades").exists()


def test_tombstones_are_counted_and_start_from_latest_skips_history(broker, topic, tmp_path):
    warehouse = tmp_path / "wh"
    create_topic(broker, topic, partitions=1)
    kcat_produce(broker, topic, ['a\t{"id":"1","v":1}', "b\t", 'c\t{"id":"2","v":2}'], extra=("-Z",))
    summary, _ = sink(broker, topic, warehouse, extra=("--no-register",))
    assert summary["rows_written"] == 2 and summary["tombstones"] == 1
    summary, _ = sink(broker, topic, tmp_path / "wh2", group="g-latest-" + topic,
                      extra=("--no-register", "--start-from", "latest"))
    assert summary["consumed"] == 0
