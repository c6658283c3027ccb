"""`ticklake query` on S3 (MinIO) through ranged reads: Parquet footers first, then only the column
chunks a query needs, as slice files DuckDB reads. Every answer is checked against the same query
through whole-object reads (`--s3-read whole`), the golden queries included; the bytes S3 sent are
reported and held to --max-bytes-scanned; the cache stays within --cache-max-mib."""
import fcntl
import json
import subprocess
import threading
import uuid
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import BINARY, ROOT, produce_sim

GOLDEN = ROOT / "src/query/tests/golden"


def tl_query(minio, args, cache, check=True, timeout=600):
    proc = subprocess.run([str(BINARY), "query", "--cache-dir", str(cache), *args], capture_output=True, text=True,
                          timeout=timeout, env=minio.ticklake_env())
    if check:
        assert proc.returncode == 0, minio.redact(proc.stderr)
    return proc


def s3_stats(stderr):
    """(fetched bytes, ranged files, whole files) from the S3 note: 'S3: 3 file(s), 2 as slices ...'."""
    line = [l for l in stderr.splitlines() if l.startswith("query: S3: ")][-1]
    words = line.split()
    fetched = int(words[words.index("fetched") + 1])
    ranged = int(words[words.index("as") - 1].rstrip(","))
    whole = int(words[words.index("whole;") - 1])
    return fetched, ranged, whole


def dir_bytes(path: Path):
    total = 0
    for p in path.rglob("*"):
        try:
            if p.is_file() and p.name != ".lock":
                total += p.stat().st_size
        except FileNotFoundError:  # removed by a query while walking
            pass
    return total


@pytest.fixture(scope="module")
def bucket(minio, s3):
    name = "tl-scan-" + uuid.uuid4().hex[:8]
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="module")
def sunk(minio, bucket, broker, tmp_path_factory):
    """3 days of simulated ticks sunk to S3 (the sink's row groups: one per file at this size)."""
    topic = "t-scan-" + uuid.uuid4().hex[:8]
    produce_sim(broker, topic, 60_000, days=3, symbols=40, partitions=2)
    tmp = tmp_path_factory.mktemp("scan")
    env = minio.ticklake_env(tmpdir=tmp / "tmp")
    subprocess.run([str(BINARY), "sink", "-b", broker.bootstrap, "-t", topic, "-g", "g-" + topic, "-w",
                    f"s3://{bucket}/wh", "--until-idle", "3", "--no-progress"],
                   env=env, check=True, capture_output=True, timeout=600)
    return f"s3://{bucket}/wh"


QUERIES = [
    "SELECT count(*) AS n, round(sum(price * size), 4) AS notional FROM market.trades "
    "WHERE symbol = 'AAPL' AND dt = DATE '{day}'",
    "SELECT symbol, count(*) AS n FROM market.trades WHERE symbol IN ('NVDA', 'MSFT') GROUP BY 1 ORDER BY 1",
    "SELECT round(avg(price), 6) AS p FROM market.trades WHERE dt = DATE '{day}'",
    "SELECT count(*) AS n FROM market.trades WHERE ts >= TIMESTAMP '{day} 12:00:00' AND ts < TIMESTAMP '{day} 13:00:00'",
    "SELECT * FROM market.trades WHERE symbol = 'TSLA' AND dt = DATE '{day}' ORDER BY ts, id LIMIT 50",
    "SELECT t.symbol, max(t.price) AS hi FROM market.trades t WHERE t.symbol BETWEEN 'AMD' AND 'AMZN' "
    "GROUP BY ALL ORDER BY 1",
    "SELECT count(*) AS n FROM market.trades WHERE symbol = 'NOPE'",
    "SELECT count(*) AS n FROM market.quotes q WHERE q.symbol = 'META' AND q.bid > 0",
]


def first_day(minio, warehouse, tmp_path):
    got = tl_query(minio, ["-w", warehouse, "--format", "jsonl", "--s3-read", "whole",
                           "SELECT min(dt)::VARCHAR AS d FROM market.trades"], tmp_path / "c0")
    return json.loads(got.stdout.splitlines()[0])["d"]


def test_ranged_reads_give_the_answers_of_whole_objects_for_fewer_bytes(minio, sunk, tmp_path):
    day = first_day(minio, sunk, tmp_path)
    for i, template in enumerate(QUERIES):
        sql = template.format(day=day)
        whole = tl_query(minio, ["-w", sunk, "--format", "csv", "--s3-read", "whole", sql], tmp_path / f"w{i}")
        ranged = tl_query(minio, ["-w", sunk, "--format", "csv", sql], tmp_path / f"r{i}")
        assert ranged.stdout == whole.stdout, sql
        assert len(ranged.stdout.splitlines()) > 1, sql
        w_bytes, w_ranged, _ = s3_stats(whole.stderr)
        r_bytes, r_ranged, r_whole = s3_stats(ranged.stderr)
        assert w_ranged == 0 and r_whole == 0 and r_ranged > 0, ranged.stderr
        if "SELECT *" in sql:  # every column: the chunks are the object, plus its footer read apart
            assert r_bytes <= w_bytes * 1.05, (sql, r_bytes, w_bytes)
        else:
            assert r_bytes < w_bytes, (sql, r_bytes, w_bytes)
    # A point query (one symbol, one day) reads a part of that day's objects: its columns.
    point = tl_query(minio, ["-w", sunk, QUERIES[0].format(day=day)], tmp_path / "point")
    whole_day = tl_query(minio, ["-w", sunk, "--s3-read", "whole", QUERIES[0].format(day=day)], tmp_path / "wday")
    assert s3_stats(point.stderr)[0] * 2 < s3_stats(whole_day.stderr)[0], (point.stderr, whole_day.stderr)
    # The statistics line says what S3 sent.
    assert "; S3: " in point.stderr and "fetched in" in point.stderr


def test_a_repeat_is_served_from_the_cache_and_a_replaced_object_is_not(minio, s3, bucket, tmp_path):
    key = "wh2/db/t/part.parquet"
    local = tmp_path / "a.parquet"
    pq.write_table(pa.table({"k": list(range(1000)), "v": [1.5] * 1000}), local, row_group_size=100)
    s3.upload_file(str(local), bucket, key)
    warehouse = f"s3://{bucket}/wh2"
    cache = tmp_path / "cache"
    sql = "SELECT sum(v) AS s, count(*) AS n FROM db.t WHERE k >= 950"
    first = tl_query(minio, ["-w", warehouse, "--format", "csv", sql], cache)
    assert first.stdout == "s,n\n75.0,50\n"
    again = tl_query(minio, ["-w", warehouse, "--format", "csv", sql], cache)
    assert again.stdout == first.stdout
    assert s3_stats(again.stderr)[0] == 0, again.stderr  # footers and chunks from the cache
    # Same key, same size, other content: new ETag, so nothing stale is served.
    pq.write_table(pa.table({"k": list(range(1000)), "v": [2.5] * 1000}), local, row_group_size=100)
    s3.upload_file(str(local), bucket, key)
    replaced = tl_query(minio, ["-w", warehouse, "--format", "csv", sql], cache)
    assert replaced.stdout == "s,n\n125.0,50\n"
    assert s3_stats(replaced.stderr)[0] > 0


def test_pyarrow_files_with_page_indexes_and_nested_columns(minio, s3, bucket, tmp_path):
    """Another writer's files: pyarrow's statistics, page indexes and ARROW:schema; a nested
    column makes the object whole, and the statistics line says why."""
    flat = tmp_path / "flat.parquet"
    pq.write_table(pa.table({"symbol": [f"S{i // 100:03d}" for i in range(5000)], "x": list(range(5000))}), flat,
                   row_group_size=500, write_page_index=True)
    s3.upload_file(str(flat), bucket, "wh3/db/flat/f.parquet")
    nested = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"id": [1, 2], "xs": [[1, 2], [3]]}), nested)
    s3.upload_file(str(nested), bucket, "wh3/db/nested/n.parquet")
    warehouse = f"s3://{bucket}/wh3"
    sql = "SELECT count(*) AS n, sum(x) AS s FROM db.flat WHERE symbol = 'S007'"
    ranged = tl_query(minio, ["-w", warehouse, "--format", "csv", sql], tmp_path / "c1")
    assert ranged.stdout == "n,s\n100,74950\n"
    assert s3_stats(ranged.stderr)[1] == 1
    nested_q = tl_query(minio, ["-w", warehouse, "--format", "csv", "SELECT id, xs[1] AS x FROM db.nested ORDER BY id"],
                        tmp_path / "c2")
    assert nested_q.stdout == "id,x\n1,1\n2,3\n"
    assert s3_stats(nested_q.stderr)[2] == 1 and "nested columns" in nested_q.stderr


def test_max_bytes_scanned_refuses_before_transferring(minio, sunk, tmp_path):
    day = first_day(minio, sunk, tmp_path)
    point = tl_query(minio, ["-w", sunk, QUERIES[0].format(day=day)], tmp_path / "p")
    limit = s3_stats(point.stderr)[0] * 3 // 2
    full = tl_query(minio, ["-w", sunk, "--s3-read", "whole", "SELECT count(*) FROM market.trades"], tmp_path / "f")
    assert s3_stats(full.stderr)[0] > limit
    for mode in ("whole", "ranged"):
        cache = tmp_path / ("limited-" + mode)
        refused = tl_query(minio, ["-w", sunk, "--max-bytes-scanned", str(limit), "--s3-read", mode,
                                   "SELECT * FROM market.trades"], cache, check=False)
        assert refused.returncode != 0
        assert "refused before fetching" in refused.stderr and "--max-bytes-scanned" in refused.stderr
        assert dir_bytes(cache) <= limit  # nothing beyond the budget was cached (nor fetched)
    # A limit below the footers' tails alone: refused before any footer is fetched.
    few = tl_query(minio, ["-w", sunk, "--max-bytes-scanned", "40000", "SELECT * FROM market.trades"],
                   tmp_path / "limited-footers", check=False)
    assert few.returncode != 0 and "refused before fetching the footers of" in few.stderr, few.stderr
    assert dir_bytes(tmp_path / "limited-footers") == 0
    # The point query fits the same budget.
    fits = tl_query(minio, ["-w", sunk, "--max-bytes-scanned", str(limit), QUERIES[0].format(day=day)],
                    tmp_path / "limited3")
    assert s3_stats(fits.stderr)[0] <= limit


def test_the_cache_never_exceeds_its_bound(minio, s3, bucket, tmp_path):
    """Queries reading ten times the bound, with the cache folder watched all along."""
    import random
    rng = random.Random(3)
    for f in range(6):
        local = tmp_path / f"r{f}.parquet"
        pq.write_table(pa.table({"a": [rng.random() for _ in range(120_000)], "b": [rng.random() for _ in range(120_000)]}),
                       local, row_group_size=20_000, compression="none")
        s3.upload_file(str(local), bucket, f"wh4/db/r/f{f}.parquet")
    warehouse = f"s3://{bucket}/wh4"
    cache = tmp_path / "bounded"
    bound = 1 << 20
    seen = []
    stop = threading.Event()

    def watch():
        # Under the cache's own lock: every change is made holding it, so each look is a
        # consistent state (a walk without it can count an evicted file and its replacement).
        while not stop.is_set():
            if (cache / ".lock").exists():
                with open(cache / ".lock", "a") as lock:
                    fcntl.flock(lock, fcntl.LOCK_EX)
                    seen.append(dir_bytes(cache))
                    fcntl.flock(lock, fcntl.LOCK_UN)

    watcher = threading.Thread(target=watch)
    watcher.start()
    fetched = 0
    try:
        for col in ("a", "b", "a", "b"):
            for mode in ("ranged", "whole"):
                got = tl_query(minio, ["-w", warehouse, "--cache-max-mib", "1", "--s3-read", mode, "--format", "csv",
                                       f"SELECT count(*) AS n, round(sum({col}), 3) > 0 AS ok FROM db.r"], cache)
                assert got.stdout == "n,ok\n720000,true\n"
                fetched += s3_stats(got.stderr)[0]
    finally:
        stop.set()
        watcher.join()
    assert fetched > 10 * bound
    assert seen and max(seen) <= bound, max(seen)
    stats = subprocess.run([str(BINARY), "cache", "stats", "--cache-dir", str(cache), "--cache-max-mib", "1"],
                           capture_output=True, text=True, check=True)
    assert "entries" in stats.stdout
    subprocess.run([str(BINARY), "cache", "clear", "--cache-dir", str(cache)], check=True, capture_output=True)
    assert dir_bytes(cache) == 0


def golden_names():
    return sorted(p.stem for p in GOLDEN.glob("*.sql") if p.stem != "fixtures")


@pytest.fixture(scope="module")
def golden_warehouse(minio, s3, bucket, tmp_path_factory):
    """The golden fixtures as Parquet on S3 (database `golden`), two files per table with tiny row
    groups, so ranged reads prune and slice."""
    out = tmp_path_factory.mktemp("golden")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(subprocess.run([str(BINARY), "calendar", "--format", "sql"], capture_output=True, text=True,
                               check=True).stdout)
    for path in [ROOT / "src/query/functions/market.sql", ROOT / "src/query/functions/athena.sql"]:
        con.execute(path.read_text())
    con.execute((GOLDEN / "fixtures.sql").read_text())
    for table in ("trades", "quotes", "bars"):
        for half, cond in enumerate(("symbol < 'BBB'", "symbol >= 'BBB'")):
            f = out / f"{table}-{half}.parquet"
            con.execute(f"COPY (FROM {table} WHERE {cond} ORDER BY ALL) TO '{f}' (FORMAT parquet, ROW_GROUP_SIZE 16)")
            s3.upload_file(str(f), bucket, f"gw/golden/{table}/{f.name}")
    return f"s3://{bucket}/gw"


@pytest.mark.parametrize("name", golden_names())
def test_golden_queries_give_the_same_answer_ranged_and_whole(minio, golden_warehouse, tmp_path, name):
    sql = (GOLDEN / f"{name}.sql").read_text()
    ranged = tl_query(minio, ["-w", golden_warehouse, "--format", "csv", sql], tmp_path / "r")
    whole = tl_query(minio, ["-w", golden_warehouse, "--format", "csv", "--s3-read", "whole", sql], tmp_path / "w")
    assert ranged.stdout == whole.stdout
    assert ranged.stdout == (GOLDEN / f"{name}.expected").read_text()
