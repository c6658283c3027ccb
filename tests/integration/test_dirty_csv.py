"""Dirty real-world CSV files (issue #20): each test writes a file with the quirks of one kind of
download, replays it with `produce --source csv` into the real broker, sinks it, and reads the lake
back with DuckDB's Python package (never with ticklake). The crawler must type the same files as
produce reads them."""
import csv
import datetime as dt
import io
import json
import random
from collections import Counter

import duckdb
import pytest

from conftest import run, sink
from test_open_sink import create_topic, kcat_produce

DOUBLE_ENCODED_BOM = "\u00ef\u00bb\u00bf"  # UTF-8 BOM read as Latin-1, written as UTF-8 again

# Five indexes of a Yahoo-style daily download, each with the year its history starts.
INDEXES = {"NYA": 1965, "IXIC": 1971, "GSPTSE": 1979, "HSI": 1986, "N225": 1990}
END = dt.date(2021, 6, 2)


def weekdays(start: dt.date, end: dt.date):
    d = start
    while d <= end:
        if d.weekday() < 5:
            yield d
        d += dt.timedelta(days=1)


def write_index_file(path):
    """~51k lines over 56 years, double-encoded BOM, `null` rows, no final newline. Returns
    {symbol: rows with prices} and the line numbers of the null rows."""
    rng = random.Random(20)
    lines = [DOUBLE_ENCODED_BOM + "Index,Date,Open,High,Low,Close,Adj Close,Volume"]
    good = Counter()
    null_lines = []
    for symbol, first_year in INDEXES.items():
        price = 100.0
        for d in weekdays(dt.date(first_year, 1, 5), END):
            if rng.random() < 0.09:
                continue  # holidays and gaps: ~51k lines in all, as the real download has
            if rng.random() < 0.0135:
                lines.append(f"{symbol},{d.isoformat()},null,null,null,null,null,null")
                null_lines.append(len(lines))
                continue
            price *= 1 + rng.uniform(-0.01, 0.01)
            o, c = round(price, 4), round(price * 1.001, 4)
            lines.append(f"{symbol},{d.isoformat()},{o},{max(o, c) + 0.5},{min(o, c) - 0.5},{c},{c},{rng.randint(0, 10**6)}.0")
            good[symbol] += 1
    path.write_bytes("\n".join(lines).encode("utf-8"))  # no final newline
    return good, null_lines, len(lines)


def produce_csv(broker, topic, path, *extra):
    return run(["produce", "-b", broker.bootstrap, "-t", topic, "--source", "csv", "--file", str(path),
                "--partitions", "2", "--no-progress", *extra])


def lake(warehouse, table):
    return f"read_parquet('{warehouse}/market/{table}/**/*.parquet', union_by_name = true)"


def crawl_columns(tmp_path, csv_path, table):
    """Crawls a warehouse holding only this CSV file; returns {column: type} of its table."""
    wh = tmp_path / f"crawl-{table}"
    (wh / "market" / table).mkdir(parents=True)
    (wh / "market" / table / csv_path.name).write_bytes(csv_path.read_bytes())
    catalog = tmp_path / f"catalog-{table}.db"
    run(["crawl", str(wh), "--catalog", str(catalog), "--json", "--no-progress"])
    desc = json.loads(run(["catalog", "describe", f"market.{table}", "--catalog", str(catalog), "--json"]).stdout)
    return {c.get("file_name", c["name"]): c["type"] for c in desc["columns"]}, catalog


def test_five_index_daily_file_with_double_encoded_bom_and_null_rows(broker, topic, warehouse, tmp_path):
    path = tmp_path / "indexData.csv"
    good, null_lines, n_lines = write_index_file(path)
    assert 50_000 <= n_lines <= 53_000 and len(null_lines) > 500
    bad = tmp_path / "bad.csv"
    proc = produce_csv(broker, topic, path, "--bad-rows", str(bad))
    total = sum(good.values())
    assert f"delivered {total} of {total}" in proc.stderr, proc.stderr
    assert f"null price {len(null_lines)}" in proc.stderr, proc.stderr
    assert "from the file name" not in proc.stderr  # `ï»¿Index` is the symbol column
    # --bad-rows keeps every skipped row with its line number.
    kept = list(csv.DictReader(io.StringIO(bad.read_text())))
    assert [int(r["line"]) for r in kept] == null_lines
    assert {r["reason"] for r in kept} == {"null price"}
    assert kept[0]["row"].endswith(",null,null,null,null,null,null")

    # Default sink settings (the auto grain): 56 years of daily bars must not become a file a day.
    summary, _ = sink(broker, topic, warehouse, grain=None)
    assert summary["rows_by_table"] == {"bars": total}
    files = list((warehouse / "market" / "bars").rglob("*.parquet"))
    assert 0 < len(files) <= 60, f"{len(files)} files for {total} daily bars"
    con = duckdb.connect()
    got = dict(con.execute(f"SELECT symbol, count(*) FROM {lake(warehouse, 'bars')} GROUP BY symbol").fetchall())
    assert got == dict(good)
    # No null row became a price of 0, and the 56 years are all there.
    lo, first, last = con.execute(f"SELECT min(low), min(ts)::DATE, max(ts)::DATE FROM {lake(warehouse, 'bars')}").fetchone()
    assert lo > 0
    assert str(first).startswith("1965-01") and str(last).startswith("2021-0")

    # The crawler reads the raw file by the same rules: `Index` a string, prices double.
    types, catalog = crawl_columns(tmp_path, path, "index_data")
    assert list(types)[:2] == ["Index", "Date"]
    assert types["Index"] == "string"
    for col in ("Open", "High", "Low", "Close", "Adj Close", "Volume"):
        assert types[col] == "double", (col, types)
    ddl = run(["catalog", "export-ddl", "market.index_data", "--catalog", str(catalog)]).stdout
    assert "`index` string" in ddl.lower() and "___" not in ddl, ddl


def test_semicolons_with_decimal_commas_crlf_and_dotted_dates(broker, topic, warehouse, tmp_path):
    path = tmp_path / "dax_export.csv"
    rows = [
        ("DAX", "02.01.2024", "16.751,64", "16.963,83", "16.699,11", "16.769,36", "1.234.567"),
        ("DAX", "03.01.2024", "16.650,1", "16.700,5", "16.500,0", "16.538,39", "-"),
        ("MDAX", "02.01.2024", "27.137,2", "27.300,0", "27.000,5", "27.150,75", "NA"),
        ("MDAX", "03.01.2024", "NA", "NA", "NA", "NA", "NA"),
    ]
    text = "\ufeffSymbol ; Date;Open;High;Low;Close;Volume\r\n" + "\r\n".join(";".join(r) for r in rows) + "\r\n"
    path.write_bytes(text.encode("utf-8"))
    proc = produce_csv(broker, topic, path)
    assert "delivered 3 of 3" in proc.stderr, proc.stderr
    assert "null price 1" in proc.stderr, proc.stderr
    sink(broker, topic, warehouse)
    got = duckdb.connect().execute(
        f"SELECT symbol, ts::DATE::VARCHAR, open, close, volume FROM {lake(warehouse, 'bars')} ORDER BY symbol, ts").fetchall()
    # A bar's volume is never NULL (docs/storage.md: an empty volume is 0); a null token is empty.
    assert got == [("DAX", "2024-01-02", 16751.64, 16769.36, 1234567.0),
                   ("DAX", "2024-01-03", 16650.1, 16538.39, 0.0),
                   ("MDAX", "2024-01-02", 27137.2, 27150.75, 0.0)]

    types, _ = crawl_columns(tmp_path, path, "dax_export")
    assert list(types) == ["Symbol", "Date", "Open", "High", "Low", "Close", "Volume"]
    assert types["Open"] == "double" and types["Volume"] == "int" and types["Symbol"] == "string"


def test_utf16_file_with_bom_tabs_quoted_thousands_and_us_dates(broker, topic, warehouse, tmp_path):
    path = tmp_path / "broker_export.csv"
    lines = [
        "Ticker\tDate\tPrice\tprice\tNote\t",
        'AAPL\t01/31/2024\t"1,234.50"\t1\tfirst\t',
        "MSFT\t02/01/2024\tN/A\t2\t#N/A\t",
        "ÄBC\t12/29/2023\t\"12.5\"\t3\tüber\t",
    ]
    path.write_bytes(("\ufeff" + "\r\n".join(lines)).encode("utf-16-le"))
    proc = produce_csv(broker, topic, path)
    assert "delivered 3 of 3" in proc.stderr, proc.stderr
    sink(broker, topic, warehouse)
    con = duckdb.connect()
    table = lake(warehouse, "broker_export")
    names = [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
    assert {"Ticker", "Date", "Price", "price_2", "Note"} <= set(names), names
    # Record files have their own schemas: the file holding only MSFT's null Price types it VARCHAR
    # (docs/storage.md, record tables), so the union is read back as DOUBLE.
    got = con.execute(f'SELECT symbol, ts::DATE::VARCHAR, "Price"::DOUBLE, "price_2", "Note" FROM {table} '
                      f'ORDER BY ts').fetchall()
    assert got == [("ÄBC", "2023-12-29", 12.5, 3, "über"),
                   ("AAPL", "2024-01-31", 1234.5, 1, "first"),
                   ("MSFT", "2024-02-01", None, 2, None)]

    types, _ = crawl_columns(tmp_path, path, "broker_export")
    assert list(types) == ["Ticker", "Date", "Price", "price_2", "Note"]
    assert types["Price"] == "double" and types["price_2"] == "int"


def test_symbol_column_by_name_option_and_file_name_warning(broker, topic, warehouse, tmp_path):
    named = tmp_path / "prices.csv"
    named.write_text("date,RIC,open,high,low,close\n2024-01-02,VOD.L,1,2,0.5,1.5\n2024-01-03,BP.L,1,2,0.5,1.5\n")
    proc = produce_csv(broker, topic, named)
    assert "from the file name" not in proc.stderr
    chosen = tmp_path / "prices_by_column.csv"
    chosen.write_text("date,name,open,high,low,close\n2024-01-02,ABC,1,2,0.5,1.5\n")
    proc = produce_csv(broker, topic, chosen, "--symbol-column", "NAME")
    assert "from the file name" not in proc.stderr
    none = tmp_path / "XYZ_daily.csv"
    none.write_text("date,open,high,low,close\n2024-01-02,1,2,0.5,1.5\n")
    proc = produce_csv(broker, topic, none)
    assert "no symbol column" in proc.stderr and "'XYZ' from the file name" in proc.stderr, proc.stderr
    missing = run(["produce", "-b", broker.bootstrap, "-t", topic, "--source", "csv", "--file", str(none),
                   "--symbol-column", "ticker", "--no-progress"], check=False)
    assert missing.returncode != 0 and "--symbol-column 'ticker'" in missing.stderr
    sink(broker, topic, warehouse)
    got = Counter(s for (s,) in duckdb.connect().execute(f"SELECT symbol FROM {lake(warehouse, 'bars')}").fetchall())
    assert got == {"VOD.L": 1, "BP.L": 1, "ABC": 1, "XYZ": 1}


def test_null_values_option_and_csv_topics_in_the_sink(broker, topic, warehouse, tmp_path):
    lines = ["\ufeffsym , ts,price,qty,note", "A,2024-01-02T10:00:00Z,1.5,10,x", "B,2024-01-02T10:00:01Z,null,NA,-",
             'C,2024-01-02T10:00:02Z,"1,234.5",#N/A,""', "D,2024-01-02T10:00:03Z,missing,7,y"]
    create_topic(broker, topic, partitions=1)  # one partition: the header comes first
    kcat_produce(broker, topic, [f"k\t{line}" for line in lines])
    sink(broker, topic, warehouse, extra=("--value-format", "csv", "--null-values", "null,NA,#N/A,-,missing"))
    con = duckdb.connect()
    table = lake(warehouse, topic.replace("-", "_"))
    got = con.execute(f"SELECT sym, price, qty, note FROM {table} ORDER BY sym").fetchall()
    assert got == [("A", 1.5, 10, "x"), ("B", None, None, None), ("C", 1234.5, None, ""), ("D", None, 7, "y")]
    kinds = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {table})").fetchall())
    assert kinds["price"] == "DOUBLE" and kinds["qty"] == "BIGINT", kinds
