#include "crawler/parquet_footer_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <vector>

#include <duckdb.h>

#include "crawler/type_inference.h"

namespace ticklake {

namespace {

// DuckDB's errors, told as what the crawler should do: a file it cannot read is this file's
// problem (poison: report it and go on); memory or I/O trouble may pass.
Error translate(duckdb_error_type type, std::string message) {
    switch (type) {
    case DUCKDB_ERROR_IO:
    case DUCKDB_ERROR_OUT_OF_MEMORY:
    case DUCKDB_ERROR_INTERRUPT: return Error::retry(std::move(message));
    default: return Error::poison(std::move(message));
    }
}

std::string quote_literal(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        out.push_back(c);
        if (c == '\'') {
            out.push_back('\'');
        }
    }
    out.push_back('\'');
    return out;
}

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

// Splits "a INTEGER, b STRUCT(x INT, y INT)" at top-level commas.
std::vector<std::string> split_top_level(std::string_view s) {
    std::vector<std::string> out;
    int depth = 0;
    bool in_quote = false;
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '"') {
            in_quote = !in_quote;
        } else if (!in_quote && c == '(') {
            ++depth;
        } else if (!in_quote && c == ')') {
            --depth;
        } else if (!in_quote && depth == 0 && c == ',') {
            out.push_back(trim(s.substr(start, i - start)));
            start = i + 1;
        }
    }
    out.push_back(trim(s.substr(start)));
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

} // namespace

std::string hive_type_of_duckdb(std::string_view type) {
    std::string t = trim(type);
    if (t.size() > 2 && t.ends_with("[]")) {
        return "array<" + hive_type_of_duckdb(std::string_view(t).substr(0, t.size() - 2)) + ">";
    }
    const std::string u = upper(t);
    auto inner = [&](size_t open) { return std::string_view(t).substr(open + 1, t.size() - open - 2); };
    if (u.starts_with("STRUCT(") && u.ends_with(")")) {
        std::string out = "struct<";
        bool first = true;
        for (const auto& field : split_top_level(inner(6))) {
            std::string name;
            std::string_view rest;
            if (!field.empty() && field[0] == '"') {
                size_t end = 1;
                while (end < field.size()) {
                    if (field[end] == '"' && (end + 1 >= field.size() || field[end + 1] != '"')) {
                        break;
                    }
                    if (field[end] == '"') {
                        ++end;
                    }
                    name.push_back(field[end]);
                    ++end;
                }
                rest = std::string_view(field).substr(std::min(end + 1, field.size()));
            } else {
                const size_t sp = field.find(' ');
                name = field.substr(0, sp);
                rest = sp == std::string::npos ? std::string_view() : std::string_view(field).substr(sp + 1);
            }
            out += (first ? "" : ",") + name + ":" + hive_type_of_duckdb(rest);
            first = false;
        }
        return out + ">";
    }
    if (u.starts_with("MAP(") && u.ends_with(")")) {
        auto kv = split_top_level(inner(3));
        if (kv.size() == 2) {
            return "map<" + hive_type_of_duckdb(kv[0]) + "," + hive_type_of_duckdb(kv[1]) + ">";
        }
        return "string";
    }
    if (u.starts_with("DECIMAL")) {
        std::string d = u;
        for (auto& c : d) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        d.erase(std::remove(d.begin(), d.end(), ' '), d.end());
        return d;
    }
    if (u == "BOOLEAN") return "boolean";
    if (u == "TINYINT") return "tinyint";
    if (u == "SMALLINT" || u == "UTINYINT") return "smallint";
    if (u == "INTEGER" || u == "USMALLINT") return "int";
    if (u == "BIGINT" || u == "UINTEGER") return "bigint";
    if (u == "UBIGINT") return "decimal(20,0)";
    if (u == "HUGEINT" || u == "UHUGEINT") return "decimal(38,0)";
    if (u == "FLOAT") return "float";
    if (u == "DOUBLE") return "double";
    if (u == "DATE") return "date";
    if (u.starts_with("TIMESTAMP")) return "timestamp"; // _S, _MS, _NS, WITH TIME ZONE: all instants
    if (u == "BLOB") return "binary";
    return "string"; // VARCHAR, UUID, TIME, INTERVAL, JSON, ENUM: text is the faithful reading
}

struct ParquetFooterReader::Db {
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

    //! Runs a query, returning its rows as text (NULL as nullopt).
    Result<std::vector<std::vector<std::optional<std::string>>>> rows(const std::string& sql, std::string_view what) {
        duckdb_result result;
        if (duckdb_query(con, sql.c_str(), &result) != DuckDBSuccess) {
            const char* msg = duckdb_result_error(&result);
            Error e = translate(duckdb_result_error_type(&result),
                                std::string(what) + ": " + (msg != nullptr ? msg : "unknown DuckDB error"));
            duckdb_destroy_result(&result);
            return fail(std::move(e));
        }
        std::vector<std::vector<std::optional<std::string>>> out;
        const idx_t n = duckdb_row_count(&result);
        const idx_t cols = duckdb_column_count(&result);
        for (idx_t r = 0; r < n; ++r) {
            std::vector<std::optional<std::string>> row;
            for (idx_t c = 0; c < cols; ++c) {
                if (duckdb_value_is_null(&result, c, r)) {
                    row.emplace_back();
                } else {
                    char* v = duckdb_value_varchar(&result, c, r);
                    row.emplace_back(v != nullptr ? v : "");
                    duckdb_free(v);
                }
            }
            out.push_back(std::move(row));
        }
        duckdb_destroy_result(&result);
        return out;
    }
};

ParquetFooterReader::ParquetFooterReader(std::unique_ptr<Db> db, std::filesystem::path scratch)
    : db_(std::move(db)), scratch_(std::move(scratch)) {}

ParquetFooterReader::~ParquetFooterReader() = default;

Result<std::unique_ptr<ParquetFooterReader>> ParquetFooterReader::create(std::filesystem::path scratch) {
    auto db = std::make_unique<Db>();
    std::error_code ec;
    std::filesystem::create_directories(scratch, ec);
    if (ec) {
        return fail(Error::fatal("cannot create scratch folder " + scratch.string() + ": " + ec.message()));
    }
    return std::unique_ptr<ParquetFooterReader>(new ParquetFooterReader(std::move(db), std::move(scratch)));
}

Result<ParquetFooter> ParquetFooterReader::read_local(const std::filesystem::path& path, const std::string& key) {
    // DuckDB starts on the first Parquet file: a crawl with nothing new to read never pays for it.
    if (db_->db == nullptr) {
        // Footers are small: one thread, set before the database starts so no worker threads
        // are started at all (a crawl that reads one file stays quick), and polite on a shared
        // machine.
        duckdb_config config = nullptr;
        char* error = nullptr;
        const bool ok = duckdb_create_config(&config) == DuckDBSuccess &&
                        duckdb_set_config(config, "threads", "1") == DuckDBSuccess &&
                        duckdb_open_ext(nullptr, &db_->db, config, &error) == DuckDBSuccess &&
                        duckdb_connect(db_->db, &db_->con) == DuckDBSuccess;
        duckdb_destroy_config(&config);
        if (!ok) {
            std::string why = error != nullptr ? error : "unknown error";
            duckdb_free(error);
            return fail(Error::fatal("cannot start the embedded DuckDB that reads Parquet footers: " + why));
        }
    }
    const std::string file = quote_literal(path.string());
    ParquetFooter out;
    auto schema = db_->rows("DESCRIBE SELECT * FROM read_parquet(" + file + ", hive_partitioning = false)", "read the Parquet schema of " + key);
    if (!schema) {
        return fail(schema.error());
    }
    for (const auto& row : *schema) {
        out.columns.push_back({row[0].value_or(""), hive_type_of_duckdb(row[1].value_or("VARCHAR"))});
    }
    bool has_ts = false;
    for (const auto& c : out.columns) {
        has_ts = has_ts || (c.name == "ts" && (c.type == "timestamp" || c.type == "date"));
    }
    // One query for the rest (each query has a fixed cost): row count, the first column chunk's
    // codec, and the `ts` range from row-group statistics, without reading data pages.
    const std::string ts_range =
        has_ts ? "(SELECT min(stats_min_value) FROM parquet_metadata(" + file + ") WHERE path_in_schema = 'ts'), "
                 "(SELECT max(stats_max_value) FROM parquet_metadata(" + file + ") WHERE path_in_schema = 'ts')"
               : "NULL, NULL";
    auto meta = db_->rows("SELECT (SELECT num_rows FROM parquet_file_metadata(" + file + ")), "
                          "(SELECT lower(compression) FROM parquet_metadata(" + file + ") LIMIT 1), " + ts_range,
                          "read the Parquet footer of " + key);
    if (!meta) {
        return fail(meta.error());
    }
    if (meta->empty() || !(*meta)[0][0]) {
        return fail(Error::poison("Parquet footer of " + key + " has no row count"));
    }
    const auto& row = (*meta)[0];
    out.rows = std::stoll(*row[0]);
    out.compression = row[1] ? *row[1] : "none";
    if (out.compression == "uncompressed") {
        out.compression = "none";
    }
    if (row[2]) {
        out.ts_min = parse_event_time(*row[2]);
    }
    if (row[3]) {
        out.ts_max = parse_event_time(*row[3]);
    }
    return out;
}

Result<ParquetFooter> ParquetFooterReader::read(ObjectStore& store, const ObjectEntry& entry) {
    if (auto local = store.local_path(entry.key)) {
        return read_local(*local, entry.key);
    }
    // Not local: fetch the tail, then the rest of the footer if it is longer than the tail.
    constexpr uint64_t kTail = 64 * 1024;
    if (entry.size < 12) {
        return fail(Error::poison(entry.key + " is too small to be a Parquet file (" + std::to_string(entry.size) +
                                  " bytes)"));
    }
    const uint64_t tail_len = std::min<uint64_t>(kTail, entry.size);
    auto tail = store.read_range(entry.key, entry.size - tail_len, tail_len);
    if (!tail) {
        return fail(tail.error());
    }
    uint64_t fetched = tail->size();
    if (tail->size() != tail_len || tail->compare(tail->size() - 4, 4, "PAR1") != 0) {
        return fail(Error::poison(entry.key + " does not end with the Parquet magic PAR1 (not Parquet, or cut short)"));
    }
    uint32_t footer_len = 0;
    std::memcpy(&footer_len, tail->data() + tail->size() - 8, 4); // little-endian, as is x86-64
    if (footer_len + 12ull > entry.size) {
        return fail(Error::poison(entry.key + " has a Parquet footer length beyond the file's size"));
    }
    const uint64_t footer_start = entry.size - 8 - footer_len;
    std::string footer;
    uint64_t tail_start = entry.size - tail_len;
    if (footer_start >= tail_start) {
        footer = tail->substr(footer_start - tail_start);
    } else {
        auto whole = store.read_range(entry.key, footer_start, footer_len + 8);
        if (!whole) {
            return fail(whole.error());
        }
        fetched += whole->size();
        footer = std::move(*whole);
    }
    static std::atomic<uint64_t> counter{0};
    const auto path = scratch_ / ("footer-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".parquet");
    const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) {
        return fail(Error::fatal("cannot create scratch file " + path.string() + ": " + std::strerror(errno)));
    }
    bool ok = ::ftruncate(fd, static_cast<off_t>(entry.size)) == 0 &&
              ::pwrite(fd, "PAR1", 4, 0) == 4 &&
              ::pwrite(fd, footer.data(), footer.size(), static_cast<off_t>(footer_start)) ==
                  static_cast<ssize_t>(footer.size());
    const int err = errno;
    ::close(fd);
    if (!ok) {
        std::error_code ec;
        std::filesystem::remove(path, ec);
        return fail(Error::fatal("cannot write scratch file " + path.string() + ": " + std::strerror(err)));
    }
    auto r = read_local(path, entry.key);
    std::error_code ec;
    std::filesystem::remove(path, ec);
    if (r) {
        r->bytes_fetched = fetched;
    }
    return r;
}

} // namespace ticklake
