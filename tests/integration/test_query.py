"""`ticklake query` over warehouses the sink wrote, cross-checked with an independent engine
(DuckDB-Python reading the same files directly), on a local folder and on S3 (MinIO)."""
import json
from datetime import datetime
import subprocess
import uuid

import duckdb
import pytest

from conftest import BINARY, produce_sim, sink
from minio import MinioServer, list_keys


def query(args, check=True, env=None, stdin=None):
    proc = subprocess.run([str(BINARY), "query", *args], capture_output=True, text=True, timeout=600, env=env,
                          input=stdin)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def stats(stderr):
    """(rows, files, bytes) from the statistics line: '12 rows in 0.034 s, 3 files read, 1.2 MiB scanned'."""
    line = [l for l in stderr.splitlines() if " scanned" in l][-1]
    return line


def rows_jsonl(proc):
    return [json.loads(line) for line in proc.stdout.splitlines()]


@pytest.fixture(scope="module")
def month(broker, tmp_path_factory):
    """30 days of simulated ticks, sunk as Parquet (6 partitions: 6 files per table per day)."""
    topic = "t-month-" + uuid.uuid4().hex[:8]
    warehouse = tmp_path_factory.mktemp("month") / "warehouse"
    produce_sim(broker, topic, 600_000, days=30, symbols=40, partitions=6)
    summary, _ = sink(broker, topic, warehouse)
    assert summary["rows_written"] == 600_000
    return warehouse


def test_answers_match_duckdb_reading_the_files_directly(month):
    sql = ("SELECT symbol, count(*) AS n, round(sum(price * size) / sum(size), 6) AS vwap, min(ts) AS first "
           "FROM market.trades GROUP BY symbol ORDER BY symbol")
    got = rows_jsonl(query(["-w", str(month), "--format", "jsonl", sql]))
    ref = duckdb.sql(
        f"SELECT symbol, count(*) AS n, round(sum(price * size) / sum(size), 6) AS vwap, min(ts) AS first "
        f"FROM read_parquet('{month}/market/trades/*/*.parquet') GROUP BY symbol ORDER BY symbol").fetchall()
    assert len(got) == len(ref) == 40
    for g, (symbol, n, vwap, first) in zip(got, ref):
        assert (g["symbol"], g["n"], g["vwap"]) == (symbol, n, vwap)
        assert datetime.fromisoformat(g["first"]) == first


def test_a_symbol_and_day_filter_scans_under_five_percent_of_a_full_scan(month):
    full = query(["-w", str(month), "--format", "jsonl", "--max-bytes-scanned", "10GB",
                  "SELECT count(*) AS n, sum(price * size) AS notional FROM market.trades"])
    day = query(["-w", str(month), "--format", "jsonl",
                 "SELECT count(*) AS n, sum(price * size) AS notional FROM market.trades "
                 "WHERE dt = DATE '2025-01-15' AND symbol = 'AAPL'"])
    ref = duckdb.sql(f"SELECT count(*) FROM read_parquet('{month}/market/trades/*/*.parquet', hive_partitioning=true) "
                     f"WHERE dt = DATE '2025-01-15' AND symbol = 'AAPL'").fetchone()[0]
    assert rows_jsonl(day)[0]["n"] == ref > 0

    def scanned(proc):
        line = stats(proc.stderr)
        files = int(line.split(" files read")[0].split(", ")[-1].split()[0]) if " files read" in line else 1
        return files, line

    # Exact byte counts come from --format with the stats line; parse "X.Y MiB scanned".
    def bytes_of(line):
        value, unit = line.split(" read, ")[1].split(" scanned")[0].split()
        return float(value) * {"B": 1, "KiB": 1024, "MiB": 2**20, "GiB": 2**30}[unit]

    full_files, full_line = scanned(full)
    day_files, day_line = scanned(day)
    assert day_files <= 6 < full_files, (full_line, day_line)
    ratio = bytes_of(day_line) / bytes_of(full_line)
    print(f"day+symbol scanned {ratio:.3%} of a full scan ({day_line} vs {full_line})")
    assert ratio <= 0.05, f"day+symbol scanned {ratio:.3%} of a full scan ({day_line} vs {full_line})"


def test_the_scan_cutoff_and_the_timeout_stop_queries(month):
    cut = query(["-w", str(month), "--max-bytes-scanned", "100KB", "SELECT sum(price) FROM market.trades"],
                check=False)
    assert cut.returncode == 1
    assert "--max-bytes-scanned" in cut.stderr
    slow = query(["-w", str(month), "--timeout", "500ms",
                  "SELECT count(*) FROM range(1000000000) a, range(100000) b WHERE a.range * b.range = -1"],
                 check=False)
    assert slow.returncode == 1
    assert "--timeout" in slow.stderr


ATTACKS = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT content FROM read_blob('/proc/self/environ')",
    "SELECT * FROM glob('/**')",
    "COPY (SELECT * FROM market.trades) TO '/tmp/ticklake-stolen.csv'",
    "COPY market.trades TO 'stolen.parquet'",
    "EXPORT DATABASE '/tmp/ticklake-export'",
    "ATTACH '/tmp/ticklake-other.db' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET allowed_directories = ['/']",
    "SET lock_configuration = false",
    "CREATE TABLE x AS SELECT 1",
    "DROP VIEW market.trades",
    "SELECT * FROM read_parquet('{wh}/../../../../etc/passwd')",
    "SELECT * FROM read_csv('{wh}/market/../../../etc/passwd')",
    "SELECT 1; COPY (SELECT 1) TO '/tmp/ticklake-x.csv'",
    "EXPLAIN ANALYZE COPY (SELECT 1) TO '/tmp/ticklake-x.csv'",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_every_attack_is_refused(month, attack):
    proc = query(["-w", str(month), attack.format(wh=month)], check=False)
    assert proc.returncode != 0, proc.stdout
    assert "error" in proc.stderr and ("refused" in proc.stderr or "disabled" in proc.stderr), proc.stderr


def test_results_go_to_files_in_three_formats(month, tmp_path):
    sql = "SELECT symbol, count(*) AS n FROM market.trades WHERE dt = DATE '2025-01-10' GROUP BY 1 ORDER BY 1"
    expected = duckdb.sql(f"SELECT symbol, count(*) FROM read_parquet('{month}/market/trades/dt=2025-01-10/*.parquet') "
                          f"GROUP BY 1 ORDER BY 1").fetchall()
    for ext in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"result.{ext}"
        proc = query(["-w", str(month), "-o", str(out), sql])
        assert f"written to {out}" in proc.stderr
        reader = {"csv": "read_csv", "jsonl": "read_json", "parquet": "read_parquet"}[ext]
        assert duckdb.sql(f"SELECT * FROM {reader}('{out}') ORDER BY 1").fetchall() == expected, ext


def test_s3_warehouse_is_queried_through_the_read_through_cache(broker, topic, tmp_path):
    server = MinioServer().start()
    try:
        s3 = server.client()
        bucket = "tl-q-" + uuid.uuid4().hex[:8]
        s3.create_bucket(Bucket=bucket)
        produce_sim(broker, topic, 50_000, days=3, partitions=2)
        env = server.ticklake_env(tmpdir=tmp_path / "tmp")
        subprocess.run([str(BINARY), "sink", "-b", broker.bootstrap, "-t", topic, "-g", "g-" + topic, "-w",
                        f"s3://{bucket}/wh", "--until-idle", "3", "--no-progress", "--time-partition", "day"], env=env, check=True,
                       capture_output=True, timeout=600)
        cache = tmp_path / "cache"
        sql = "SELECT dt, count(*) AS n FROM market.trades GROUP BY dt ORDER BY dt"
        first = subprocess.run([str(BINARY), "query", "-w", f"s3://{bucket}/wh", "--cache-dir", str(cache),
                                "--format", "jsonl", sql], env=env, capture_output=True, text=True, timeout=600)
        assert first.returncode == 0, server.redact(first.stderr)
        assert "fetched" in first.stderr and "; S3: " in first.stderr
        # The independent reader: boto3 downloads, DuckDB-Python counts.
        local = tmp_path / "boto3"
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="wh/market/trades/"):
            for o in page.get("Contents", ()):
                dest = local / o["Key"]
                dest.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(bucket, o["Key"], str(dest))
        ref = duckdb.sql(f"SELECT dt::VARCHAR, count(*) FROM read_parquet('{local}/wh/market/trades/*/*.parquet', "
                         f"hive_partitioning=true) GROUP BY 1 ORDER BY 1").fetchall()
        assert [(r["dt"], r["n"]) for r in rows_jsonl(first)] == ref
        # Quotes were not named by the query: not fetched.
        assert not (cache / bucket / "wh" / "market" / "quotes").exists()
        # A partition filter fetches only that day's files into a fresh cache.
        day, day_n = ref[1]
        pruned_cache = tmp_path / "cache-pruned"
        pruned = subprocess.run([str(BINARY), "query", "-w", f"s3://{bucket}/wh", "--cache-dir", str(pruned_cache),
                                 "--format", "jsonl",
                                 f"SELECT count(*) AS n FROM market.trades WHERE dt = DATE '{day}' AND size > 0"],
                                env=env, capture_output=True, text=True, timeout=600)
        assert pruned.returncode == 0, server.redact(pruned.stderr)
        assert rows_jsonl(pruned) == [{"n": day_n}]
        day_objects = [k for k in list_keys(s3, bucket, f"wh/market/trades/dt={day}/") if k.endswith(".parquet")]
        note = [l for l in pruned.stderr.splitlines() if l.startswith("query: S3: ")][-1]
        assert note.startswith(f"query: S3: {len(day_objects)} file(s),"), (note, day_objects)
        # A repeat fetches nothing and gives the same answer, also with MinIO gone.
        server.stop()
        again = subprocess.run([str(BINARY), "query", "-w", f"s3://{bucket}/wh", "--cache-dir", str(cache),
                                "--format", "jsonl", sql], env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode != 0, "listing the warehouse needs S3; the cache holds data, not the listing"
    finally:
        server.stop()


def test_catalog_tables_are_queried_by_name_without_a_warehouse_flag(broker, topic, tmp_path):
    """Athena's way: the sink registers its files in a catalog; the query names only tables."""
    catalog = tmp_path / "catalog.db"
    warehouse = tmp_path / "wh"
    produce_sim(broker, topic, 30_000, days=2, partitions=3)
    sink(broker, topic, warehouse, extra=("--catalog", str(catalog)))
    proc = query(["--catalog", str(catalog), "--format", "jsonl",
                  "SELECT dt::VARCHAR AS dt, count(*) AS n FROM market.trades GROUP BY 1 ORDER BY 1"])
    ref = duckdb.sql(f"SELECT dt::VARCHAR, count(*) FROM read_parquet('{warehouse}/market/trades/*/*.parquet', "
                     f"hive_partitioning=true) GROUP BY 1 ORDER BY 1").fetchall()
    assert [(r["dt"], r["n"]) for r in rows_jsonl(proc)] == ref
    empty = query(["--catalog", str(tmp_path / "empty.db"), "SELECT 1 FROM market.trades"], check=False)
    assert empty.returncode == 2 and f"no catalog at {tmp_path / 'empty.db'}" in empty.stderr
    assert not (tmp_path / "empty.db").exists()  # a query never creates a catalog


TUTORIAL_DATA = __import__("pathlib").Path(__file__).resolve().parents[3] / "shared" / "data" / "indexProcessed.csv.zip"


def test_the_tutorials_athena_queries_run_unchanged_on_its_own_layout(tmp_path):
    """The tutorial's consumer writes one JSON object per message (stock_market_<n>.json) into a
    bucket; a Glue crawler makes a table of the bucket; Athena queries it. Same here."""
    import csv
    import io
    import random
    import zipfile
    z = zipfile.ZipFile(TUTORIAL_DATA)
    rows = list(csv.DictReader(io.TextIOWrapper(z.open(z.namelist()[0]), encoding="utf-8")))
    random.seed(5)
    sample = random.sample(rows, 2000)
    bucket = tmp_path / "lake" / "yee-kafka"
    bucket.mkdir(parents=True)
    for n, r in enumerate(sample):  # the tutorial's producer sends df rows as dicts
        record = {k: (v if k in ("Index", "Date") else float(v)) for k, v in r.items()}
        (bucket / f"stock_market_{n}.json").write_text(json.dumps(record))
    catalog = tmp_path / "catalog.db"
    subprocess.run([str(BINARY), "crawl", str(tmp_path / "lake"), "--catalog", str(catalog)], check=True,
                   capture_output=True, timeout=300)

    def athena(sql):
        return rows_jsonl(query(["--catalog", str(catalog), "--format", "jsonl", sql]))

    first = athena('SELECT * FROM "default"."yee_kafka" limit 10;')
    assert len(first) == 10
    assert list(first[0]) == ["Index", "Date", "Open", "High", "Low", "Close", "Adj Close", "Volume", "CloseUSD"]
    assert athena("SELECT count(*) AS n FROM yee_kafka;") == [{"n": 2000}]

    got = athena("""SELECT "index", count(*) AS days, round(avg("close"), 4) AS avg_close,
                           date_format(max(date_parse("date", '%Y-%m-%d')), '%Y-%m-%d') AS last_day
                    FROM yee_kafka
                    WHERE date_parse("date", '%Y-%m-%d') >= date_parse('2000-01-01', '%Y-%m-%d')
                    GROUP BY 1 ORDER BY 1""")
    expected = {}
    for r in sample:
        if r["Date"] >= "2000-01-01":
            e = expected.setdefault(r["Index"], [0, 0.0, ""])
            e[0] += 1
            e[1] += float(r["Close"])
            e[2] = max(e[2], r["Date"])
    assert [(g["Index"], g["days"], g["last_day"]) for g in got] == \
        [(k, v[0], v[2]) for k, v in sorted(expected.items())]
    for g in got:
        assert abs(g["avg_close"] - expected[g["Index"]][1] / expected[g["Index"]][0]) < 1e-3


def test_the_shell_runs_scripts_from_a_pipe_and_keeps_history_on_a_terminal(month, tmp_path):
    script = (".tables\nSELECT count(*) AS n\n  FROM market.trades\n  WHERE dt = DATE '2025-01-06';\n"
              ".describe market.trades\nSELECT nope FROM market.trades;\n")
    proc = subprocess.run([str(BINARY), "sql", "-w", str(month), "--format", "csv"], input=script,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, "a failed statement makes the script's exit status 1"
    lines = proc.stdout.splitlines()
    assert "market.trades" in lines and "market.quotes" in lines
    ref = duckdb.sql(f"SELECT count(*) FROM read_parquet('{month}/market/trades/dt=2025-01-06/*.parquet')").fetchone()[0]
    assert lines[lines.index("n") + 1] == str(ref)
    assert any(l.startswith("symbol,VARCHAR") for l in lines)
    assert "nope" in proc.stderr

    # On a terminal: libedit reads the lines, and the statements land in the history file.
    import os
    import pty
    import select
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["HOME"] = str(tmp_path)
        os.execv(str(BINARY), [str(BINARY), "sql", "-w", str(month), "--format", "csv"])
    out = b""

    def expect(token, timeout=30):
        nonlocal out
        deadline = __import__("time").monotonic() + timeout
        while token not in out and __import__("time").monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.5)
            if r:
                try:
                    out += os.read(fd, 65536)
                except OSError:
                    break
        assert token in out, out.decode(errors="replace")[-2000:]

    expect(b"ticklake> ")
    os.write(fd, b"SELECT 40 + 2 AS answer;\r")
    expect(b"42")
    os.write(fd, b".quit\r")
    os.waitpid(pid, 0)
    history = (tmp_path / ".ticklake_history").read_text().replace("\\040", " ")  # libedit escapes spaces
    assert "SELECT 40 + 2 AS answer;" in history


def test_duckdb_is_loaded_only_by_the_commands_that_use_it(month, tmp_path):
    # DuckDB is bound on first use (src/duckdb_loader): with the library pointed at a missing
    # file, commands without DuckDB still work, and a query fails with an error saying what to fix.
    import os
    env = dict(os.environ, TICKLAKE_DUCKDB_LIBRARY=str(tmp_path / "missing" / "libduckdb.so"))
    catalog = tmp_path / "catalog.db"
    crawl = subprocess.run([str(BINARY), "crawl", str(month), "--catalog", str(catalog), "--json"],
                           capture_output=True, text=True, timeout=300, env=env)
    assert crawl.returncode == 0, crawl.stderr
    assert json.loads(crawl.stdout)["tables_added"] == 2
    tables = subprocess.run([str(BINARY), "catalog", "tables", "--catalog", str(catalog), "--json"],
                            capture_output=True, text=True, timeout=60, env=env)
    assert tables.returncode == 0, tables.stderr
    failed = query(["-w", str(month), "SELECT 1"], check=False, env=env)
    assert failed.returncode != 0
    assert "cannot load DuckDB" in failed.stderr and "TICKLAKE_DUCKDB_LIBRARY" in failed.stderr, failed.stderr
    assert str(tmp_path / "missing") in failed.stderr
    # And with the library found, the same query answers.
    assert query(["-w", str(month), "--format", "csv", "SELECT 40 + 2 AS answer"]).stdout.split() == ["answer", "42"]
