"""Runs the golden queries through DuckDB's C API, in the libduckdb.so the engine links, and
prints the names of those whose CSV differs from .expected (nothing when all match).

Usage: python golden_via_c_api.py LIBDUCKDB_SO REPO_ROOT CALENDAR_SQL
(CALENDAR_SQL: a file with the output of `ticklake calendar --format sql`, loaded first.)
Run as its own process: it loads a second DuckDB next to the Python module otherwise.
Each query is wrapped in SELECT COLUMNS(*)::VARCHAR because the C API's duckdb_value_varchar
returns NULL for TIMESTAMP WITH TIME ZONE and nested (LIST, MAP) columns in DuckDB 1.4.
"""
import ctypes
import sys
from pathlib import Path


class Result(ctypes.Structure):
    """duckdb_result: three idx_t and three pointers, all deprecated or internal."""
    _fields_ = [("column_count", ctypes.c_uint64), ("row_count", ctypes.c_uint64),
                ("rows_changed", ctypes.c_uint64), ("columns", ctypes.c_void_p),
                ("error_message", ctypes.c_char_p), ("internal_data", ctypes.c_void_p)]


def main(lib_path, root, calendar_sql):
    lib = ctypes.CDLL(lib_path)
    idx = ctypes.c_uint64
    lib.duckdb_result_error.restype = ctypes.c_char_p
    lib.duckdb_column_name.restype = ctypes.c_char_p
    lib.duckdb_value_varchar.restype = ctypes.c_void_p
    lib.duckdb_column_count.restype = idx
    lib.duckdb_row_count.restype = idx
    lib.duckdb_value_is_null.restype = ctypes.c_bool
    db, conn = ctypes.c_void_p(), ctypes.c_void_p()
    assert lib.duckdb_open(None, ctypes.byref(db)) == 0
    assert lib.duckdb_connect(db, ctypes.byref(conn)) == 0

    def query(sql):
        res = Result()
        if lib.duckdb_query(conn, sql.encode(), ctypes.byref(res)) != 0:
            err = lib.duckdb_result_error(ctypes.byref(res)).decode()
            lib.duckdb_destroy_result(ctypes.byref(res))
            raise RuntimeError(err)
        return res

    def field(v):
        if v is None:
            return ""
        if v == "" or any(ch in v for ch in ',"\r\n'):
            return '"' + v.replace('"', '""') + '"'
        return v

    golden = root / "src/query/tests/golden"
    # each file in one duckdb_query call: several statements, as the engine will send them
    for sql in ("SET TimeZone = 'UTC'", calendar_sql.read_text(), (root / "src/query/functions/market.sql").read_text(),
                (root / "src/query/functions/athena.sql").read_text(), (golden / "fixtures.sql").read_text(),
                "SET enable_external_access = false"):
        lib.duckdb_destroy_result(ctypes.byref(query(sql)))

    for path in sorted(golden.glob("*.sql")):
        if path.stem == "fixtures":
            continue
        body = path.read_text().strip().rstrip(";")
        res = query(f"SELECT COLUMNS(*)::VARCHAR FROM (\n{body}\n)")
        r = ctypes.byref(res)
        ncol, nrow = lib.duckdb_column_count(r), lib.duckdb_row_count(r)
        lines = [",".join(field(lib.duckdb_column_name(r, idx(c)).decode()) for c in range(ncol))]
        for row in range(nrow):
            values = []
            for c in range(ncol):
                if lib.duckdb_value_is_null(r, idx(c), idx(row)):
                    values.append(None)
                    continue
                p = lib.duckdb_value_varchar(r, idx(c), idx(row))
                values.append(ctypes.string_at(p).decode())
                lib.duckdb_free(ctypes.c_void_p(p))
            lines.append(",".join(field(v) for v in values))
        lib.duckdb_destroy_result(r)
        if "\n".join(lines) + "\n" != path.with_suffix(".expected").read_text():
            print(path.stem)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
