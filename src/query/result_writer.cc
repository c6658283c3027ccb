#include "query/result_writer.h"

#include <unistd.h>

#include <fstream>

#include "common/sql_quote.h"
#include "query/duckdb_handles.h"
#include "query/result_format.h"
#include "common/warehouse_uri.h"

namespace ticklake::query {

namespace fs = std::filesystem;

namespace {

// Types DuckDB reads back from CSV text as they were; the others as text (or DOUBLE).
std::string duckdb_type_for_csv(const std::string& t) {
    if (t == "LIST" || t == "STRUCT" || t == "MAP" || t == "ARRAY" || t == "OTHER" || t == "ENUM" || t == "UUID" ||
        t == "BLOB") {
        return "VARCHAR";
    }
    if (t == "DECIMAL") {
        return "DOUBLE";
    }
    return t;
}

Status write_local(const QueryResult& r, const fs::path& local, bool parquet, ResultFormat format) {
    if (parquet) {
        return write_result_parquet(r, local);
    }
    std::ofstream out(local, std::ios::binary | std::ios::trunc);
    out << render(r, format);
    if (!out) {
        return fail(Error::fatal("cannot write " + local.string()));
    }
    return {};
}

} // namespace

Status write_result_parquet(const QueryResult& r, const fs::path& out) {
    const fs::path csv = fs::path(out).concat(".csv.tmp");
    std::ofstream(csv) << render(r, ResultFormat::csv);
    std::string columns = "{";
    for (size_t c = 0; c < r.column_names.size(); ++c) {
        columns += (c ? ", " : "") + quote_literal(r.column_names[c]) + ": " +
                   quote_literal(duckdb_type_for_csv(r.column_types[c]));
    }
    columns += "}";
    const std::string sql = "COPY (SELECT * FROM read_csv(" + quote_literal(csv.string()) +
                            ", header = true, columns = " + columns + ")) TO " + quote_literal(out.string()) +
                            " (FORMAT parquet, COMPRESSION zstd)";
    Status st;
    DuckSession duck;
    DuckResult res;
    if (!open_in_memory(duck)) {
        st = fail(Error::fatal("DuckDB did not open to write Parquet"));
    } else if (duckdb_query(duck.con.get(), sql.c_str(), res.out()) == DuckDBError) {
        st = fail(Error::fatal(std::string("writing Parquet failed: ") + duckdb_result_error(&res.result)));
    }
    std::error_code ec;
    fs::remove(csv, ec);
    return st;
}

Status write_result_file(const QueryResult& r, const std::string& target, const ObjectStoreOptions& store) {
    const bool parquet = target.ends_with(".parquet");
    ResultFormat format = ResultFormat::csv;
    if (!parquet) {
        auto f = result_format_for_path(target);
        if (!f) {
            return fail(f.error());
        }
        format = *f;
    }
    const bool s3 = is_s3_uri(target);
    const fs::path local = s3 ? fs::temp_directory_path() / ("ticklake-result-" + std::to_string(::getpid()) +
                                                              fs::path(target).extension().string())
                              : fs::path(target);
    if (!s3 && local.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(local.parent_path(), ec);
    }
    if (auto st = write_local(r, local, parquet, format); !st || !s3) {
        return st;
    }
    const size_t slash = target.rfind('/');
    auto opened = open_object_store(target.substr(0, slash), store);
    Status st = opened ? (*opened)->put_file(target.substr(slash + 1), local) : fail(opened.error());
    std::error_code ec;
    fs::remove(local, ec);
    return st;
}

} // namespace ticklake::query
