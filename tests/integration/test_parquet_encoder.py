"""ticklake's own Parquet encoder, read by a reader other than DuckDB.

One topic of simulated ticks and one topic of plain JSON rows (booleans, integers, doubles, text,
dates, NULLs) are each sunk twice: by the encoder (the default) and by DuckDB's COPY
(--parquet-writer duckdb). pyarrow (Arrow C++'s Parquet reader) reads both lakes: every row and
every column type must be the same, and every row group's statistics in the encoder's files must
be the exact min, max and null count of that row group's values. DuckDB's Python package counts
the rows too."""
import json
import math
import subprocess
import uuid

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from conftest import produce_sim, run, sink

SIM_TICKS = 60_000
JSON_ROWS = 20_000


def json_rows():
    """Plain JSON rows of every type the open sink infers, NULLs in some, no key order games."""
    for i in range(JSON_ROWS):
        yield {
            "order_id": f"o-{i:06d}",
            "symbol": ["AAPL", "MSFT", "Zürich-Ω", ""][i % 4],
            "qty": None if i % 17 == 0 else (i * 7919) % 1000 - 500,
            "price": None if i % 13 == 0 else round(100 + (i % 997) / 7, 6),
            "filled": None if i % 11 == 0 else i % 3 == 0,
            "trade_date": f"2024-0{1 + i % 9}-{1 + i % 28:02d}",
            "note": None if i % 5 else "x" * (i % 40),
        }


@pytest.fixture(scope="module")
def lakes(broker, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("encoder")
    ticks = "enc_ticks_" + uuid.uuid4().hex[:6]
    produce_sim(broker, ticks, SIM_TICKS)
    rows = "enc_rows_" + uuid.uuid4().hex[:6]
    lines = tmp / "rows.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in json_rows()))
    run(["kafka", "topics", "create", rows, "-b", broker.bootstrap, "--partitions", "3"])
    with open(lines) as f:
        subprocess.run(["kcat", "-P", "-b", broker.bootstrap, "-t", rows], stdin=f, check=True, timeout=300)
    out = {}
    for writer in ("encoder", "duckdb"):
        for topic in (ticks, rows):
            warehouse = tmp / f"wh-{writer}"
            summary, _ = sink(broker, topic, warehouse, group=f"g-{writer}-{topic}",
                              extra=("--parquet-writer", writer))
            assert summary["consumed"] == (SIM_TICKS if topic == ticks else JSON_ROWS), summary
            out[writer] = warehouse
    return dict(lakes=out, tables={"trades": "trades", "quotes": "quotes", rows: rows})


def files(warehouse, table):
    return sorted((warehouse / "market" / table).rglob("*.parquet"))


def read(warehouse, table):
    parts = [pq.read_table(f) for f in files(warehouse, table)]
    assert parts, f"no files of {table} in {warehouse}"
    t = pa.concat_tables([p.drop_columns([c for c in p.column_names if c == "dt"]) for p in parts])
    return t.sort_by("id" if "id" in t.column_names else "order_id")


def same_value(a, b):
    return (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("table", ["trades", "quotes", "rows"])
def test_pyarrow_reads_every_row_as_duckdbs_files_hold_it(lakes, table):
    name = next(t for t in lakes["tables"] if t.startswith("enc_rows")) if table == "rows" else table
    mine = read(lakes["lakes"]["encoder"], name)
    theirs = read(lakes["lakes"]["duckdb"], name)
    assert mine.schema.remove_metadata() == theirs.schema.remove_metadata()
    assert mine.num_rows == theirs.num_rows > 0
    for column in mine.column_names:
        a, b = mine.column(column).to_pylist(), theirs.column(column).to_pylist()
        bad = [i for i, (x, y) in enumerate(zip(a, b)) if not same_value(x, y)]
        assert not bad, f"{table}.{column}: row {bad[0]} reads {a[bad[0]]!r}, DuckDB's file {b[bad[0]]!r}"
    if table == "rows":  # the types the open sink gave the JSON values
        types = {f.name: str(f.type) for f in mine.schema}
        assert types["qty"] == "int64" and types["price"] == "double" and types["filled"] == "bool"
        assert types["trade_date"] == "date32[day]" and types["note"] == "string"
        assert mine.column("note").null_count == JSON_ROWS - JSON_ROWS // 5


def test_statistics_bound_each_row_group_exactly(lakes):
    checked = 0
    for table in lakes["tables"]:
        for f in files(lakes["lakes"]["encoder"], table):
            meta = pq.ParquetFile(f).metadata
            assert meta.created_by.startswith("ticklake version "), meta.created_by
            for g in range(meta.num_row_groups):
                values = pq.ParquetFile(f).read_row_group(g)
                for c in range(meta.num_columns):
                    chunk = meta.row_group(g).column(c)
                    column = values.column(chunk.path_in_schema)
                    stats = chunk.statistics
                    assert stats is not None and stats.null_count == column.null_count
                    if column.null_count == len(column):
                        continue
                    assert stats.has_min_max, f"{f.name} {chunk.path_in_schema}"
                    lo_hi = pc.min_max(column)
                    assert stats.min == lo_hi["min"].as_py(), f"{f.name} group {g} {chunk.path_in_schema}"
                    assert stats.max == lo_hi["max"].as_py(), f"{f.name} group {g} {chunk.path_in_schema}"
                    checked += 1
    assert checked > 50


def test_duckdb_counts_every_row_of_the_encoders_lake(lakes):
    wh = lakes["lakes"]["encoder"]
    n = duckdb.sql(f"SELECT count(*), count(DISTINCT id) FROM read_parquet(['{wh}/market/trades/*/*.parquet', "
                   f"'{wh}/market/quotes/*/*.parquet'], union_by_name = true)").fetchone()
    assert n == (SIM_TICKS, SIM_TICKS)
    rows = next(t for t in lakes["tables"] if t.startswith("enc_rows"))
    n = duckdb.sql(f"SELECT count(*), count(DISTINCT order_id) FROM read_parquet('{wh}/market/{rows}/**/*.parquet')"
                   ).fetchone()
    assert n == (JSON_ROWS, JSON_ROWS)
