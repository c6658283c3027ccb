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

// The table function that hands DuckDB the rows of the batch being written, a data chunk at a
// time in the file's order: no staging table, so no second copy of the rows inside DuckDB
// (staging them cost about as much CPU as writing the file, measured in bench/README.md).
constexpr const char* kScan = "tl_rows";

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
    case ColumnType::decimal: // scanned as text, cast by the COPY (see needs_cast)
    case ColumnType::nested: return DUCKDB_TYPE_VARCHAR;
    }
    return DUCKDB_TYPE_VARCHAR;
}

// Decimal and nested values are scanned as their text and cast while the file is written:
// DuckDB parses decimal text exactly, and JSON text into STRUCT/LIST by the column's type.
bool needs_cast(const Column& c) { return c.type == ColumnType::decimal || c.type == ColumnType::nested; }

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
    case ColumnType::blob: { // a BLOB vector takes bytes the same way
        // The values are not copied into the vector: a string_t that points into the batch's
        // bytes, which outlive the COPY (write() holds the batch until the query returns).
        // Short values are inlined, zero-padded as DuckDB compares and hashes all 12 bytes.
        auto* dst = static_cast<duckdb_string_t*>(data);
        for (size_t i = 0; i < n; ++i) {
            const std::string_view s = c.strings[rows[i]]; // a NULL slot holds ""
            duckdb_string_t& out = dst[i];
            out.value.inlined.length = static_cast<uint32_t>(s.size());
            if (s.size() <= sizeof out.value.inlined.inlined) {
                std::memset(out.value.inlined.inlined, 0, sizeof out.value.inlined.inlined);
                std::memcpy(out.value.inlined.inlined, s.data(), s.size());
            } else {
                std::memcpy(out.value.pointer.prefix, s.data(), sizeof out.value.pointer.prefix);
                out.value.pointer.ptr = const_cast<char*>(s.data());
            }
        }
        break;
    }
    }
}

// The scan of the rows, or a SELECT over it that casts its decimal and nested columns.
std::string copy_source(const ColumnBatch& batch) {
    const std::string scan = std::string(kScan) + "()";
    if (std::none_of(batch.columns.begin(), batch.columns.end(), needs_cast)) {
        return "(FROM " + scan + ")";
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
    return sql + " FROM " + scan + ")";
}

bool is_identity(std::span<const uint32_t> order) {
    for (size_t i = 0; i < order.size(); ++i) {
        if (order[i] != i) {
            return false;
        }
    }
    return true;
}

// What the scan reads during one write(): set just before the COPY and cleared after it.
struct ScanSource {
    const ColumnBatch* batch = nullptr;
    std::span<const uint32_t> order;
    bool identity = false;
};

// Where one scan is; each COPY starts a new one.
struct ScanCursor {
    size_t next = 0;
};

void scan_bind(duckdb_bind_info info) {
    const auto* src = static_cast<const ScanSource*>(duckdb_bind_get_extra_info(info));
    if (src->batch == nullptr) {
        duckdb_bind_set_error(info, "the Parquet writer's row scan runs only inside its own COPY");
        return;
    }
    for (const Column& c : src->batch->columns) {
        duckdb_logical_type t = duckdb_create_logical_type(duckdb_type_of(c.type));
        duckdb_bind_add_result_column(info, c.name.c_str(), t);
        duckdb_destroy_logical_type(&t);
    }
    duckdb_bind_set_cardinality(info, src->order.size(), true);
}

void scan_init(duckdb_init_info info) {
    duckdb_init_set_init_data(info, new ScanCursor, [](void* p) { delete static_cast<ScanCursor*>(p); });
    duckdb_init_set_max_threads(info, 1); // one reader: rows leave in the order given
}

// @locality DuckDB's thread of the COPY (the caller of write(), with threads = 1)
void scan_chunk(duckdb_function_info info, duckdb_data_chunk out) {
    const auto* src = static_cast<const ScanSource*>(duckdb_function_get_extra_info(info));
    auto* cursor = static_cast<ScanCursor*>(duckdb_function_get_init_data(info));
    const size_t n = std::min<size_t>(duckdb_vector_size(), src->order.size() - cursor->next);
    duckdb_data_chunk_reset(out);
    if (n == 0) { // the end (or an empty file): an empty chunk says so
        return;
    }
    const uint32_t* rows = src->order.data() + cursor->next;
    for (size_t col = 0; col < src->batch->columns.size(); ++col) {
        fill_vector(duckdb_data_chunk_get_vector(out, col), src->batch->columns[col], rows, n, src->identity);
    }
    duckdb_data_chunk_set_size(out, n);
    cursor->next += n;
}

} // namespace

struct ParquetWriter::Db {
    duckdb_database db = nullptr;
    duckdb_connection con = nullptr;
    ScanSource scan; //!< read by the registered tl_rows() (it holds a pointer to this member)

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
    std::unique_ptr<Db> db;
    if (options.parquet_via_duckdb) { // else DuckDB starts with the first batch the encoder cannot write
        auto opened = open_db(options);
        if (!opened) {
            return fail(opened.error());
        }
        db = std::move(*opened);
    }
    return std::unique_ptr<ParquetWriter>(new ParquetWriter(options, std::move(db)));
}

Result<std::unique_ptr<ParquetWriter::Db>> ParquetWriter::open_db(const WriterOptions& options) {
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
    duckdb_table_function scan = duckdb_create_table_function();
    duckdb_table_function_set_name(scan, kScan);
    duckdb_table_function_set_extra_info(scan, &db->scan, nullptr);
    duckdb_table_function_set_bind(scan, scan_bind);
    duckdb_table_function_set_init(scan, scan_init);
    duckdb_table_function_set_function(scan, scan_chunk);
    const bool registered = duckdb_register_table_function(db->con, scan) == DuckDBSuccess;
    duckdb_destroy_table_function(&scan);
    if (!registered) {
        return fail(Error::fatal("cannot register the Parquet writer's row scan in DuckDB"));
    }
    return db;
}

std::string parquet_copy_options(const WriterOptions& options) {
    return "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL " + std::to_string(options.zstd_level) +
           ", ROW_GROUP_SIZE " + std::to_string(std::max<size_t>(1, options.row_group_rows));
}

ParquetWriter::ParquetWriter(const WriterOptions& options, std::unique_ptr<Db> db)
    : options_(options), db_(std::move(db)), encoder_(options) {}

ParquetWriter::~ParquetWriter() = default;

// ", FIELD_IDS {'a': 1, 'b': 2}" with WriterOptions::field_ids (the ids given, else 1..n), else nothing.
std::string ParquetWriter::field_ids_option(const ColumnBatch& batch, std::span<const int> ids) const {
    if (!options_.field_ids) {
        return "";
    }
    std::string out = ", FIELD_IDS {";
    for (size_t i = 0; i < batch.columns.size(); ++i) {
        const int id = i < ids.size() ? ids[i] : static_cast<int>(i) + 1;
        out += (i ? ", " : "") + quote_literal(batch.columns[i].name) + ": " + std::to_string(id);
    }
    return out + "}";
}

Status ParquetWriter::write(const ColumnBatch& batch, std::span<const uint32_t> order, const std::filesystem::path& path,
                            std::span<const int> field_ids) {
    if (batch.json_rows_only) {
        return fail(Error::invalid("this batch holds JSON Lines rows, not column values: only the JSON Lines writer writes it"));
    }
    if (!options_.parquet_via_duckdb && parquet_encoder_supports(batch)) {
        return encoder_.write(batch, order, path, field_ids);
    }
    if (db_ == nullptr) {
        auto opened = open_db(options_);
        if (!opened) {
            return fail(opened.error());
        }
        db_ = std::move(*opened);
    }
    db_->scan = ScanSource{&batch, order, is_identity(order)};
    const std::string sql = "COPY " + copy_source(batch) + " TO " + quote_literal(path.string()) +
                            " (" + parquet_copy_options(options_) + field_ids_option(batch, field_ids) + ")";
    Status status = db_->run(sql, "cannot write Parquet file '" + path.string() + "'");
    db_->scan = ScanSource{}; // the batch is the caller's: never read it after returning
    return status;
}

} // namespace ticklake
