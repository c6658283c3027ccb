#include "maintenance/parquet_merge.h"

#include <algorithm>

#include <duckdb.h>

#include "common/sql_quote.h"
#include "duckdb_loader/duckdb_loader.h"
#include "format/parquet_writer.h"

namespace ticklake {

namespace {

// Disk trouble and memory pressure may pass; anything else needs a person.
Error translate(duckdb_error_type type, std::string message) {
    switch (type) {
    case DUCKDB_ERROR_IO:
    case DUCKDB_ERROR_OUT_OF_MEMORY:
    case DUCKDB_ERROR_INTERRUPT: return Error::retry(std::move(message));
    default: return Error::fatal(std::move(message));
    }
}

class Duck {
public:
    ~Duck() {
        if (con_ != nullptr) {
            duckdb_disconnect(&con_);
        }
        if (db_ != nullptr) {
            duckdb_close(&db_);
        }
    }

    Status open(int threads) {
        if (auto loaded = duckdb_loader::ensure_loaded(); !loaded) {
            return loaded;
        }
        duckdb_config config = nullptr;
        if (duckdb_create_config(&config) == DuckDBError) {
            return fail(Error::fatal("cannot start DuckDB for compaction: out of memory"));
        }
        const std::string n = std::to_string(std::max(1, threads));
        duckdb_set_config(config, "threads", n.c_str());
        // Only the built-in parquet extension is needed; never reach for the network.
        duckdb_set_config(config, "autoinstall_known_extensions", "false");
        duckdb_set_config(config, "autoload_known_extensions", "false");
        char* err = nullptr;
        const bool ok = duckdb_open_ext(nullptr, &db_, config, &err) == DuckDBSuccess;
        duckdb_destroy_config(&config);
        if (!ok) {
            std::string msg = err != nullptr ? err : "unknown error";
            duckdb_free(err);
            return fail(Error::fatal("cannot start DuckDB for compaction: " + msg));
        }
        if (duckdb_connect(db_, &con_) != DuckDBSuccess) {
            return fail(Error::fatal("cannot connect to DuckDB for compaction"));
        }
        return {};
    }

    Status run(const std::string& sql, std::string_view what) {
        duckdb_result result;
        const bool ok = duckdb_query(con_, sql.c_str(), &result) == DuckDBSuccess;
        Status status;
        if (!ok) {
            const char* msg = duckdb_result_error(&result);
            status = fail(translate(duckdb_result_error_type(&result),
                                    std::string(what) + ": " + (msg != nullptr ? msg : "unknown DuckDB error")));
        }
        duckdb_destroy_result(&result);
        return status;
    }

private:
    duckdb_database db_ = nullptr;
    duckdb_connection con_ = nullptr;
};

} // namespace

std::vector<std::string> sort_columns_of(const std::vector<std::string>& columns) {
    std::vector<std::string> out;
    for (const char* want : {"symbol", "ts"}) {
        if (std::find(columns.begin(), columns.end(), want) != columns.end()) {
            out.emplace_back(want);
        }
    }
    return out;
}

Result<std::vector<std::filesystem::path>> merge_parquet(const MergeRequest& r) {
    if (r.inputs.empty()) {
        return std::vector<std::filesystem::path>{};
    }
    Duck duck;
    if (auto st = duck.open(r.threads); !st) {
        return fail(st.error());
    }
    std::string list = "[";
    for (size_t i = 0; i < r.inputs.size(); ++i) {
        list += (i > 0 ? ", " : "") + quote_literal(r.inputs[i].string());
    }
    list += "]";
    std::string order;
    for (const auto& c : r.order_by) {
        order += (order.empty() ? " ORDER BY " : ", ") + quote_identifier(c);
    }
    std::error_code ec;
    std::filesystem::remove_all(r.output_dir, ec);
    // hive_partitioning off: partition values live in the folders, never in the files (as the sink
    // writes them); union_by_name: files of older schema versions lack newer columns.
    const std::string read = r.field_id_schema.empty() ? ", union_by_name = true" : ", schema = " + r.field_id_schema;
    const std::string ids = r.field_ids.empty() ? "" : ", FIELD_IDS {" + r.field_ids + "}";
    const std::string sql = "COPY (SELECT * FROM read_parquet(" + list + ", hive_partitioning = false" + read + ")" +
                            order + ") TO " + quote_literal(r.output_dir.string()) +
                            " (" + parquet_copy_options(r.writer) + ids + ", FILE_SIZE_BYTES " +
                            std::to_string(std::max<uint64_t>(r.target_file_bytes, 1)) +
                            ", FILENAME_PATTERN 'part-{i}')";
    if (auto st = duck.run(sql, "compaction: merging " + std::to_string(r.inputs.size()) + " files"); !st) {
        return fail(st.error());
    }
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(r.output_dir, ec)) {
        if (e.path().extension() == ".parquet") {
            out.push_back(e.path());
        }
    }
    if (ec) {
        return fail(Error::fatal("compaction: cannot list " + r.output_dir.string() + ": " + ec.message()));
    }
    // part-2 before part-10.
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        const auto sa = a.stem().string();
        const auto sb = b.stem().string();
        return sa.size() != sb.size() ? sa.size() < sb.size() : sa < sb;
    });
    return out;
}

} // namespace ticklake
