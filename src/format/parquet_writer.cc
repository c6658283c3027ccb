#include "format/parquet_writer.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <duckdb.h>
#include <unistd.h>

#include "common/sql_quote.h"
#include "duckdb_loader/duck_string.h"
#include "duckdb_loader/duckdb_loader.h"

namespace ticklake {

namespace {

constexpr const char* kTable = "tl_batch";

// DuckDB's error types, told as what the caller should do. Disk trouble and memory pressure
// may pass; anything else (bad path, permissions, a bug) needs a person.
Error translate(duckdb_error_type type, std::string message) {
    switch (type) {
    case DUCKDB_ERROR_IO:
    case DUCKDB_ERROR_OUT_OF_MEMORY:
    case DUCKDB_ERROR_INTERRUPT: return Error::retry(std::move(message));
    default: return Error::fatal(std::move(message));
    }
}

duckdb_type duckdb_type_of(ColumnType t) {
    switch (t) {
    case ColumnType::boolean: return DUCKDB_TYPE_BOOLEAN;
    case ColumnType::bigint: return DUCKDB_TYPE_BIGINT;
    case ColumnType::float64: return DUCKDB_TYPE_DOUBLE;
    case ColumnType::varchar: return DUCKDB_TYPE_VARCHAR;
    case ColumnType::timestamp_us: return DUCKDB_TYPE_TIMESTAMP;
    case ColumnType::date: return DUCKDB_TYPE_DATE;
    case ColumnType::blob: return DUCKDB_TYPE_BLOB;
    case ColumnType::decimal: // staged as text, cast by the COPY (see needs_cast)
    case ColumnType::nested: return DUCKDB_TYPE_VARCHAR;
    }
    return DUCKDB_TYPE_VARCHAR;
}

// Decimal and nested values are staged as their text and cast while the file is written:
// DuckDB parses decimal text exactly, and JSON text into STRUCT/LIST by the column's type.
bool needs_cast(const Column& c) { return c.type == ColumnType::decimal || c.type == ColumnType::nested; }

std::string staged_type(const Column& c) { return needs_cast(c) ? "VARCHAR" : to_string(c.type); }

// Copies src[rows[0..n)] to dst; one memcpy when the rows are consecutive (`identity`).
template <class T>
void copy_rows(T* dst, const std::vector<T>& src, const uint32_t* rows, size_t n, bool identity) {
    if (identity) {
        std::memcpy(dst, src.data() + rows[0], n * sizeof(T));
        return;
    }
    for (size_t i = 0; i < n; ++i) {
        dst[i] = src[rows[i]];
    }
}

// Copies rows[0..n) of column c into one vector of a data chunk.
void fill_vector(duckdb_vector vec, const Column& c, const uint32_t* rows, size_t n, bool identity) {
    bool any_null = false;
    for (size_t i = 0; i < n && !any_null; ++i) {
        any_null = c.valid[rows[i]] == 0;
    }
    if (any_null) {
        duckdb_vector_ensure_validity_writable(vec);
        uint64_t* validity = duckdb_vector_get_validity(vec);
        for (size_t i = 0; i < n; ++i) {
            if (c.valid[rows[i]] == 0) {
                duckdb_validity_set_row_invalid(validity, i);
            }
        }
    }
    void* data = duckdb_vector_get_data(vec);
    switch (c.type) {
    case ColumnType::boolean: {
        auto* dst = static_cast<bool*>(data);
        for (size_t i = 0; i < n; ++i) {
            dst[i] = c.ints[rows[i]] != 0;
        }
        break;
    }
    case ColumnType::bigint:
    case ColumnType::timestamp_us: // duckdb_timestamp is int64 microseconds
        copy_rows(static_cast<int64_t*>(data), c.ints, rows, n, identity);
        break;
    case ColumnType::float64: copy_rows(static_cast<double*>(data), c.doubles, rows, n, identity); break;
    case ColumnType::date: { // duckdb_date is int32 days
        auto* dst = static_cast<int32_t*>(data);
        for (size_t i = 0; i < n; ++i) {
            dst[i] = static_cast<int32_t>(c.ints[rows[i]]);
        }
        break;
    }
    case ColumnType::varchar:
    case ColumnType::decimal:
    case ColumnType::nested:
    case ColumnType::blob: // a BLOB vector takes bytes the same way
        for (size_t i = 0; i < n; ++i) {
            const std::string& s = c.strings[rows[i]]; // a NULL slot holds "": harmless to copy
            duckdb_vector_assign_string_element_len(vec, i, s.data(), s.size());
        }
        break;
    }
}

// The staging table itself, or a SELECT that casts its decimal and nested columns.
std::string copy_source(const ColumnBatch& batch) {
    if (std::none_of(batch.columns.begin(), batch.columns.end(), needs_cast)) {
        return kTable;
    }
    std::string sql = "(SELECT ";
    for (size_t i = 0; i < batch.columns.size(); ++i) {
        const Column& c = batch.columns[i];
        const std::string name = quote_identifier(c.name);
        sql += i > 0 ? ", " : "";
        if (!needs_cast(c)) {
            sql += name;
        } else if (c.type == ColumnType::decimal) {
            sql += "CAST(" + name + " AS " + c.type_text + ") AS " + name;
        } else {
            // from_json, unlike a cast, gives NULL for a key a value lacks instead of failing
            sql += "from_json(" + name + ", " + quote_literal(c.type_text) + ") AS " + name;
        }
    }
    return sql + " FROM " + kTable + ")";
}

bool is_identity(std::span<const uint32_t> order) {
    for (size_t i = 0; i < order.size(); ++i) {
        if (order[i] != i) {
            return false;
        }
    }
    return true;
}

} // namespace

struct ParquetWriter::Db {
    duckdb_database db = nullptr;
    duckdb_connection con = nullptr;

    ~Db() {
        if (con != nullptr) {
            duckdb_disconnect(&con);
        }
        if (db != nullptr) {
            duckdb_close(&db);
        }
    }

    //! Runs one statement; on failure, an Error that starts with `what`.
    Status run(const std::string& sql, std::string_view what) {
        duckdb_result result;
        const bool ok = duckdb_query(con, sql.c_str(), &result) == DuckDBSuccess;
        Status status;
        if (!ok) {
            const char* msg = duckdb_result_error(&result);
            status = fail(translate(duckdb_result_error_type(&result),
                                    std::string(what) + ": " + (msg != nullptr ? msg : "unknown DuckDB error")));
        }
        duckdb_destroy_result(&result);
        return status;
    }
};

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::open(const WriterOptions& options) {
    if (auto loaded = duckdb_loader::ensure_loaded(); !loaded) {
        return fail(loaded.error());
    }
    auto db = std::make_unique<Db>();
    duckdb_config config = nullptr;
    if (duckdb_create_config(&config) == DuckDBError) {
        return fail(Error::fatal("cannot start DuckDB for Parquet writing: out of memory"));
    }
    const std::string threads = std::to_string(std::max(1, options.parquet_threads));
    // The writer only needs the built-in parquet extension; never reach for the network.
    duckdb_set_config(config, "threads", threads.c_str());
    duckdb_set_config(config, "autoinstall_known_extensions", "false");
    duckdb_set_config(config, "autoload_known_extensions", "false");
    duckdb_set_config(config, "preserve_insertion_order", "true"); // files keep the sorted order
    // A bounded sink (--max-memory-mib) bounds each instance too. Beyond the limit DuckDB
    // spills to temp_directory, which for an in-memory database is ".tmp" in the current
    // folder: point it at the system's temporary folder instead.
    std::string memory_limit;
    std::string temp_directory;
    if (options.parquet_memory_limit_bytes > 0) {
        memory_limit = std::to_string(std::max<size_t>(options.parquet_memory_limit_bytes >> 10, 1)) + "KiB";
        std::error_code ec;
        temp_directory = (std::filesystem::temp_directory_path(ec) /
                          ("ticklake-duckdb-" + std::to_string(::getpid())))
                             .string();
        duckdb_set_config(config, "memory_limit", memory_limit.c_str());
        duckdb_set_config(config, "temp_directory", temp_directory.c_str());
    }
    duckdb_loader::DuckString error;
    const auto state = duckdb_open_ext(nullptr, &db->db, config, error.out());
    duckdb_destroy_config(&config);
    if (state == DuckDBError) {
        std::string m = "cannot start DuckDB for Parquet writing: ";
        m += error.str("unknown error");
        return fail(Error::fatal(std::move(m)));
    }
    if (duckdb_connect(db->db, &db->con) == DuckDBError) {
        return fail(Error::fatal("cannot connect to DuckDB's in-memory database for Parquet writing"));
    }
    return std::unique_ptr<ParquetWriter>(new ParquetWriter(options, std::move(db)));
}

ParquetWriter::ParquetWriter(const WriterOptions& options, std::unique_ptr<Db> db)
    : options_(options), db_(std::move(db)) {}

ParquetWriter::~ParquetWriter() = default;

Status ParquetWriter::fill_table(const ColumnBatch& batch, std::span<const uint32_t> order) {
    std::string sql = std::string("CREATE OR REPLACE TABLE ") + kTable + " (";
    for (size_t i = 0; i < batch.columns.size(); ++i) {
        sql += i > 0 ? ", " : "";
        sql += quote_identifier(batch.columns[i].name);
        sql += ' ';
        sql += staged_type(batch.columns[i]);
    }
    sql += ')';
    if (auto s = db_->run(sql, "cannot create the staging table for a Parquet file"); !s) {
        return s;
    }

    duckdb_appender appender = nullptr;
    if (duckdb_appender_create(db_->con, nullptr, kTable, &appender) == DuckDBError) {
        std::string m = "cannot open a DuckDB appender for the Parquet staging table";
        if (appender != nullptr) {
            m += std::string(": ") + duckdb_appender_error(appender);
            duckdb_appender_destroy(&appender);
        }
        return fail(Error::fatal(std::move(m)));
    }
    std::vector<duckdb_logical_type> types;
    types.reserve(batch.columns.size());
    for (const auto& c : batch.columns) {
        types.push_back(duckdb_create_logical_type(duckdb_type_of(c.type)));
    }
    duckdb_data_chunk chunk = duckdb_create_data_chunk(types.data(), types.size());
    for (auto& t : types) {
        duckdb_destroy_logical_type(&t);
    }

    const bool identity = is_identity(order);
    const size_t capacity = duckdb_vector_size();
    bool ok = true;
    for (size_t base = 0; base < order.size() && ok; base += capacity) {
        const size_t n = std::min(capacity, order.size() - base);
        duckdb_data_chunk_reset(chunk);
        for (size_t col = 0; col < batch.columns.size(); ++col) {
            fill_vector(duckdb_data_chunk_get_vector(chunk, col), batch.columns[col], order.data() + base, n, identity);
        }
        duckdb_data_chunk_set_size(chunk, n);
        ok = duckdb_append_data_chunk(appender, chunk) == DuckDBSuccess;
    }
    duckdb_destroy_data_chunk(&chunk);
    ok = ok && duckdb_appender_close(appender) == DuckDBSuccess;
    Status status;
    if (!ok) {
        duckdb_error_data err = duckdb_appender_error_data(appender);
        const char* msg = duckdb_error_data_message(err);
        status = fail(translate(duckdb_error_data_error_type(err),
                                std::string("cannot stage rows for a Parquet file: ") + (msg != nullptr ? msg : "unknown error")));
        duckdb_destroy_error_data(&err);
    }
    duckdb_appender_destroy(&appender);
    return status;
}

Status ParquetWriter::write(const ColumnBatch& batch, std::span<const uint32_t> order, const std::filesystem::path& path) {
    Status status = fill_table(batch, order);
    if (status) {
        const std::string sql = "COPY " + copy_source(batch) + " TO " + quote_literal(path.string()) +
                                " (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL " +
                                std::to_string(options_.zstd_level) + ", ROW_GROUP_SIZE " +
                                std::to_string(std::max<size_t>(1, options_.row_group_rows)) + ")";
        status = db_->run(sql, "cannot write Parquet file '" + path.string() + "'");
    }
    // Free the staged rows whatever happened, so a failed file does not hold memory.
    auto dropped = db_->run(std::string("DROP TABLE IF EXISTS ") + kTable, "cannot drop the Parquet staging table");
    return status ? dropped : status;
}

} // namespace ticklake
