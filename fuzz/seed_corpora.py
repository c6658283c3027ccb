#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/corpus/<target>/ from ../shared/data (PROVENANCE.md there says
where each file comes from and under which licence; fuzz/README.md lists what is used here).
Only small slices are kept: a few lines or the first kilobytes, so the repository stays light.
Run once; `make fuzz` grows and minimises the corpora from these."""
import gzip
import io
import struct
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
OUT = ROOT / "fuzz" / "corpus"


def put(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def head_lines(path, n):
    return b"".join(Path(path).read_bytes().splitlines(keepends=True)[:n])


def lines(path, n):
    return [l for l in Path(path).read_bytes().splitlines() if l.strip()][:n]


csv_heads = {
    "alphavantage": head_lines(DATA / "alphavantage_MSFT_1min_2020-11-23_2020-12-18.csv", 12),
    "ftx": head_lines(DATA / "ftx_BTC-PERP_1min_2021-12-31_2022-02-01.csv", 12),
}
with zipfile.ZipFile(DATA / "indexProcessed.csv.zip") as z:
    with z.open("indexProcessed.csv") as f:
        csv_heads["kaggle"] = b"".join(f.readline() for _ in range(12))

# CSV: replay (mode byte first), scanner (mode byte first), dialects (mode byte first).
for name, text in csv_heads.items():
    for mode in (0, 1, 2):
        put("csv_replay_fuzz", f"{name}_{mode}", bytes([mode]) + text)
    put("csv_scanner_fuzz", name, b"\x01" + text)
    put("csv_dialect_fuzz", name, b"\x02" + text)
put("csv_dialect_fuzz", "semicolon_decimal_comma", b"\x00" + b"Datum;Kurs;Menge\n31.01.2024;1.234,5;7\n01.02.2024;NA;8\n")
put("csv_dialect_fuzz", "utf16le_bom", b"\x01" + b"\xff\xfe" + "a,b\n1,2\n".encode("utf-16-le"))
put("csv_scanner_fuzz", "quoted", b"\x00" + b'a,b\n"x ""y""",2\n"multi\nline",\n')

# Vendor frames: the first byte picks the vendor (vendor_frames_fuzz.cc); one frame per file.
vendors = [
    (0, "finnhub_ws_trades.jsonl"),
    (1, "coinbase_exchange_ws_matches_ticker.jsonl"),
    (2, "binance_ws_docs_examples.jsonl"),
    (2, "binance_usdm_futures_ws_aggtrade.jsonl"),
    (3, "alpaca_stream_v2.jsonl"),
    (3, "alpaca_stream_v2_datapoints.jsonl"),
    (4, "polygon_ws_mock_server_frames.jsonl"),
]
for vendor, file in vendors:
    for i, line in enumerate(lines(DATA / file, 6)):
        put("vendor_frames_fuzz", f"{Path(file).stem}_{i}", bytes([vendor]) + line)
# Polygon sends arrays of the spec's example objects.
for i, line in enumerate(lines(DATA / "polygon_ws_stocks_spec_examples.jsonl", 4)):
    put("vendor_frames_fuzz", f"polygon_spec_{i}", b"\x04[" + line + b"]")
put("vendor_frames_fuzz", "yahoo_1m_no_bars", b"\x05" + (DATA / "yahoo_v8_chart_AAPL_1m_2025-02-01_no_bars.json").read_bytes())
put("vendor_frames_fuzz", "yahoo_1d", b"\x05" + (DATA / "yahoo_v8_chart_AAPL_1d_2020-08-31_2020-11-07.json").read_bytes())
put("vendor_frames_fuzz", "alphavantage_intraday", b"\x06" + (DATA / "alphavantage_intraday_1min_MSFT.json").read_bytes())

# Schemaless JSON rows: vendor messages as they would sit in an open table's topic.
for file in ("coinbase_exchange_ws_matches_ticker.jsonl", "binance_spot_ws_combined_stream.jsonl",
             "alpaca_stream_v2_datapoints.jsonl", "polygon_ws_stocks_spec_examples.jsonl"):
    for i, line in enumerate(lines(DATA / file, 3)):
        put("json_row_decoder_fuzz", f"{Path(file).stem}_{i}", line)
put("json_row_decoder_fuzz", "non_finite", b'{"a":NaN,"b":Infinity,"c":-Infinity,"d":[1,{"e":null}],"t":"2024-01-31T09:30:00Z"}')

# Event JSON as the producer writes it (the wire format of docs/architecture.md).
put("event_json_fuzz", "trade", '{"type":"trade","id":"a","symbol":"AAPL","ts":"2023-11-14T22:13:20.123456Z",'
    '"price":187.12,"size":100,"exchange":"XNAS","side":"buy","source":"sim"}')
put("event_json_fuzz", "quote", '{"type":"quote","id":"q1","ts":"2025-01-06T15:00:00Z","symbol":"NVDA","bid":1,'
    '"bid_size":2,"ask":3,"ask_size":4}')
put("event_json_fuzz", "bar", '{"type":"bar","id":"b","symbol":"X","ts":1,"open":1,"high":2,"low":0.5,"close":1.5,'
    '"volume":10,"interval":"1m"}')

# Parquet: FileMetaData of the pyarrow-written file (without its length and "PAR1").
pq = (DATA / "binance_BTCUSDT_trades.parquet").read_bytes()
(footer_len,) = struct.unpack("<I", pq[-8:-4])
put("parquet_footer_fuzz", "binance_trades_pyarrow", pq[-8 - footer_len:-8])

# gzip: the CSV and JSONL heads, one member and two concatenated members.
put("gzip_inflater_fuzz", "csv", gzip.compress(csv_heads["ftx"]))
put("gzip_inflater_fuzz", "two_members", gzip.compress(b"a\n") + gzip.compress(head_lines(DATA / "finnhub_ws_trades.jsonl", 2)))

# S3 XML (the shapes of the AWS S3 API reference).
put("s3_xml_fuzz", "list_v2", '<?xml version="1.0"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    '<Name>b</Name><KeyCount>2</KeyCount><IsTruncated>true</IsTruncated><Contents><Key>a&lt;1&gt;</Key>'
    '<LastModified>2026-11-25T23:13:05.123Z</LastModified><ETag>&quot;x&quot;</ETag><Size>12345</Size></Contents>'
    '<Contents><Key>caf&#233; &#x1F600;</Key><Size>0</Size></Contents>'
    '<NextContinuationToken>1a&amp;b</NextContinuationToken></ListBucketResult>')
put("s3_xml_fuzz", "uploads", '<ListMultipartUploadsResult><Bucket>b</Bucket><IsTruncated>true</IsTruncated>'
    '<NextKeyMarker>k</NextKeyMarker><NextUploadIdMarker>u</NextUploadIdMarker><Upload><Key>a/b</Key>'
    '<UploadId>xyz</UploadId><Initiated>2026-01-02T03:04:05.000Z</Initiated></Upload></ListMultipartUploadsResult>')
put("s3_xml_fuzz", "error", "<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>")
put("s3_xml_fuzz", "http_date", "Wed, 25 Nov 2026 23:13:05 GMT")

# The SQL shell's input.
put("sql_splitter_fuzz", "statements", "SELECT 1;\nSELECT a,\n  b FROM t -- c;\n WHERE x = ';';\n.tables\n.describe db.t\n")
put("sql_splitter_fuzz", "unterminated", "SELECT 'it''s' FROM t\n/* ; */\n.quit")

# Avro values in the Confluent frame (magic 0, schema id, binary), for the schemas inside
# avro_row_decoder_fuzz.cc; first byte 0 = a value, 1 = a schema text. Encoded here by hand from
# the Avro specification (zigzag varints, length-prefixed bytes and strings, union branch index).
def zz(n):
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def avro_str(s):
    b = s.encode() if isinstance(s, str) else s
    return zz(len(b)) + b


def framed(schema_id, body):
    return b"\0" + b"\0" + struct.pack(">i", schema_id) + body


put("avro_row_decoder_fuzz", "trade", framed(1, avro_str("AAPL") + avro_str((123456789).to_bytes(5, "big"))
                                              + zz(100) + zz(1_704_205_800_123_456) + zz(1) + avro_str("XNAS")))
put("avro_row_decoder_fuzz", "bar", framed(2, zz(19725) + zz(1_704_205_800_123) + zz(34_200_000)
                                            + avro_str("0b5c2f7e-8d7a-4d38-9a52-3d6c1b0e8f11")
                                            + struct.pack("<f", 1.5) + struct.pack("<d", -2.25) + b"\1"
                                            + b"12345678" + (10**30).to_bytes(20, "big")))
put("avro_row_decoder_fuzz", "nest", framed(3, zz(2) + avro_str("a") + avro_str("b") + zz(0)
                                             + zz(1) + avro_str("k") + zz(1) + zz(7) + zz(0)
                                             + zz(5) + zz(1) + zz(3) + zz(1) + zz(9) + zz(0) + zz(0)))
put("avro_row_decoder_fuzz", "long", framed(4, zz(-42)))
put("avro_row_decoder_fuzz", "unknown_id", framed(77, zz(1)))
put("avro_row_decoder_fuzz", "schema_record", b"\1" + b'{"type":"record","name":"R","fields":[{"name":"a","type":'
    b'["null",{"type":"array","items":{"type":"map","values":"double"}}]},{"name":"b","type":{"type":"long",'
    b'"logicalType":"timestamp-micros"}}]}')

# Parquet slices: a mode byte, then a FileMetaData. The pyarrow footer above, and one that DuckDB
# (the sink's writer) writes for a small trades file with several row groups and statistics.
put("parquet_slice_fuzz", "binance_trades_pyarrow_all", b"\x00" + pq[-8 - footer_len:-8])
put("parquet_slice_fuzz", "binance_trades_pyarrow_eq", b"\x85" + pq[-8 - footer_len:-8])
try:
    import tempfile

    import duckdb

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trades.parquet"
        duckdb.sql(
            "COPY (SELECT ['AAPL','MSFT','NVDA'][1 + i % 3] AS symbol,"
            " TIMESTAMP '2024-01-02' + INTERVAL (i) SECOND AS ts, 100.0 + i / 100 AS price, i AS size,"
            " DATE '2024-01-02' AS d FROM range(3000) t(i) ORDER BY symbol, ts)"
            f" TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000)")
        dq = path.read_bytes()
        (dlen,) = struct.unpack("<I", dq[-8:-4])
        for mode, name in ((0x01, "duckdb_symbol_eq"), (0x0D, "duckdb_ts_gt"), (0x96, "duckdb_in_one_column")):
            put("parquet_slice_fuzz", name, bytes([mode]) + dq[-8 - dlen:-8])
except ImportError:
    print("duckdb (Python) is not installed: the DuckDB-written parquet_slice seeds are skipped", file=sys.stderr)

# Protobuf and JSON Schema values for the schemas inside registry_value_fuzz.cc; first byte
# 0 = a protobuf value, 1 = a .proto text, 2 = a JSON Schema value, 3 = a JSON Schema text.
# Protobuf binary written by hand from the encoding guide (tag = field << 3 | wire type).
def uv(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def pb_v(field, n):
    return uv(field << 3) + uv(n)


def pb_s(field, b):
    b = b.encode() if isinstance(b, str) else b
    return uv(field << 3 | 2) + uv(len(b)) + b


def pb_framed(schema_id, indexes, payload):
    path = uv(len(indexes) << 1) + b"".join(uv(i << 1) for i in indexes)
    return b"\0" + struct.pack(">i", schema_id) + path + payload


trade_pb = (pb_s(1, "AAPL") + uv(2 << 3 | 1) + struct.pack("<d", 187.25) + pb_v(3, 100) + pb_v(4, 2**63)
            + pb_v(5, 7) + uv(6 << 3 | 1) + struct.pack("<Q", 42) + pb_s(7, pb_v(1, 1_704_205_800) + pb_v(2, 123_000))
            + pb_s(8, pb_s(1, "XNAS")) + pb_v(9, 1) + pb_s(10, b"\x00\xff") + pb_v(13, 2))
put("registry_value_fuzz", "protobuf_trade", b"\0" + pb_framed(1, [], trade_pb))
level = pb_s(1, uv(1 << 3 | 1) + struct.pack("<d", 10.5) + pb_v(2, 300))
book_pb = (pb_s(1, "MSFT") + pb_s(2, level[2:]) + pb_s(3, level[2:]) + pb_s(4, pb_s(1, "k") + pb_v(2, 3))
           + pb_s(5, "note") + pb_s(8, uv(1) + uv(2) + uv(300)))
put("registry_value_fuzz", "protobuf_book", b"\0" + pb_framed(2, [1], book_pb))
put("registry_value_fuzz", "protobuf_nested_path", b"\0" + pb_framed(2, [2, 0], pb_s(1, "x")))
put("registry_value_fuzz", "protobuf_reference", b"\0" + pb_framed(3, [], pb_s(1, pb_v(1, 5) + pb_s(2, "USD")) + pb_s(2, "EURUSD")))
put("registry_value_fuzz", "proto_text", b"\1" + b'syntax = "proto3"; message M { string symbol = 1; repeated double px = 2;'
    b' map<string, M> kids = 3; oneof o { int64 a = 4; bytes b = 5; } }')
put("registry_value_fuzz", "proto2_text", b"\1" + b'syntax = "proto2"; message M { required string s = 1;'
    b' optional int32 i = 2 [default = 7]; extensions 100 to 200; }')
put("registry_value_fuzz", "json_trade", b"\2" + b"\0" + struct.pack(">i", 11)
    + b'{"symbol":"AAPL","price":187.25,"size":100,"ts":"2024-01-02T14:30:00.123Z","d":"2024-01-02","ok":null}')
put("registry_value_fuzz", "json_nested", b"\2" + b"\0" + struct.pack(">i", 12)
    + b'{"tags":["a","b"],"inner":{"a":1,"b":2.5},"any":"x","ref":{"z":[1,2]}}')
put("registry_value_fuzz", "json_schema_text", b"\3" + b'{"type":"object","properties":{"a":{"type":["integer","null"]},'
    b'"b":{"type":"array","items":{"type":"object","properties":{"c":{"type":"string","format":"date-time"}}}}}}')

# Iceberg metadata and manifests as another engine writes them: PyIceberg (PyPI, Apache-2.0)
# creates a table in a SQL catalog on a temporary folder and appends to it twice; its metadata
# JSON files, manifest lists and manifests (deflate-coded Avro) become the seeds of
# iceberg_metadata_fuzz. First byte 0 = a manifest, 1 = a manifest list, 2 = a metadata JSON,
# 3 = an offsets summary entry.
put("iceberg_metadata_fuzz", "offsets", b'\3{"0":1200,"1":0,"5":9007199254740993}')
try:
    import tempfile

    import pyarrow as pa
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.schema import Schema
    from pyiceberg.transforms import IdentityTransform
    from pyiceberg.types import DoubleType, LongType, NestedField, StringType, TimestamptzType

    with tempfile.TemporaryDirectory() as tmp:
        catalog = SqlCatalog("seed", uri=f"sqlite:///{tmp}/catalog.db", warehouse=f"file://{tmp}")
        catalog.create_namespace("market")
        schema = Schema(NestedField(1, "symbol", StringType(), required=False),
                        NestedField(2, "ts", TimestamptzType(), required=False),
                        NestedField(3, "price", DoubleType(), required=False),
                        NestedField(4, "size", LongType(), required=False))
        # Identity on symbol: the day transform needs pyiceberg-core (Rust), not installed here.
        spec = PartitionSpec(PartitionField(source_id=1, field_id=1000, transform=IdentityTransform(), name="symbol"))
        table = catalog.create_table("market.trades", schema=schema, partition_spec=spec)
        import datetime as dt
        for day in (2, 3):
            t0 = dt.datetime(2024, 1, day, 14, 30, tzinfo=dt.timezone.utc)
            table.append(pa.table({"symbol": ["AAPL", "MSFT"], "ts": [t0, t0 + dt.timedelta(seconds=1)],
                                   "price": [187.25, 370.5], "size": [100, 7]},
                                  schema=pa.schema([("symbol", pa.string()), ("ts", pa.timestamp("us", tz="UTC")),
                                                    ("price", pa.float64()), ("size", pa.int64())])))
        for f in sorted(Path(tmp).rglob("*")):
            if f.suffix == ".json":
                put("iceberg_metadata_fuzz", "pyiceberg_" + f.stem[:24], b"\2" + f.read_bytes())
            elif f.name.startswith("snap-") and f.suffix == ".avro":
                put("iceberg_metadata_fuzz", "pyiceberg_list_" + f.stem[:16], b"\1" + f.read_bytes())
            elif f.suffix == ".avro":
                put("iceberg_metadata_fuzz", "pyiceberg_manifest_" + f.stem[:16], b"\0" + f.read_bytes())
except ImportError:
    print("pyiceberg is not installed: the PyIceberg-written iceberg_metadata seeds are skipped", file=sys.stderr)
