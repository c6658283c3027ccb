#include "query/query_engine.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "query/catalog_tables.h"
#include "query/function_library.h"
#include "query/partition_pruning.h"
#include "query/warehouse_tables.h"
#include "common/quantity.h"
#include "common/warehouse_uri.h"

namespace ticklake::query {

namespace fs = std::filesystem;

namespace {

struct BoundTables {
    WarehouseTables tables;
    std::string source;
};

bool is_s3(std::string_view uri) { return is_s3_uri(uri); }

// Which files a query can need on S3: the tables it names, and of those the files whose
// partition folders can meet its conditions (partition_pruning.h). Local tables are read in
// place, so DuckDB prunes them itself.
void narrow_to_query(WarehouseScanOptions& scan, std::string_view sql, const std::vector<std::string>& names) {
    scan.only_tables = tables_mentioned(sql, names);
    if (scan.only_tables.empty()) {
        scan.only_tables = {"-"}; // names no table: bind none
    }
    if (auto tree = parse_tree_json(sql); tree) {
        if (auto plan = pruning_plan_from_parse_tree(*tree); plan && !plan->empty()) {
            scan.file_filter = [plan = *plan](const std::string& table, const std::string& key) {
                auto it = plan.find(table);
                return it == plan.end() || file_may_match(key, it->second);
            };
            scan.time_filter = [plan = *plan](const std::string& table, std::optional<int64_t> lo,
                                              std::optional<int64_t> hi) {
                auto it = plan.find(table);
                return it == plan.end() || time_range_may_match(lo, hi, it->second);
            };
        }
    }
}

WarehouseScanOptions scan_options(const EngineOptions& options) {
    WarehouseScanOptions scan;
    scan.cache_dir = options.cache_dir.empty() ? default_cache_dir() : options.cache_dir;
    if (options.note) {
        scan.progress = [note = options.note](uint64_t done, uint64_t total) {
            if (done == total || done % 20 == 0) {
                note("fetched " + std::to_string(done) + " of " + std::to_string(total) + " files into the local cache");
            }
        };
    }
    return scan;
}

// Athena's way: the tables the catalog knows, with the files it lists.
Result<BoundTables> bind_from_catalog(const EngineOptions& options, std::string_view sql_hint) {
    const fs::path path = options.catalog.empty() ? default_catalog_path() : options.catalog;
    // Read-only: a query never creates a catalog, not even the per-user default one.
    auto catalog = Catalog::open_read_only(path);
    if (!catalog) {
        std::error_code ec;
        const bool no_default_yet = options.catalog.empty() && !fs::exists(path, ec);
        return fail(no_default_yet ? Error::invalid("no tables yet: " + catalog.error().message +
                                                    "; or query a warehouse's folders directly with -w DIR")
                                   : catalog.error());
    }
    WarehouseScanOptions scan = scan_options(options);
    if (!sql_hint.empty()) {
        WarehouseScanOptions names_only = scan;
        names_only.fetch = false;
        auto all = bind_catalog(*catalog, names_only, options.store);
        if (!all) {
            return fail(all.error());
        }
        if (all->all_names.empty()) {
            return fail(Error::invalid("the catalog " + path.string() + " has no tables: crawl a warehouse "
                                       "(ticklake crawl DIR|s3://...), sink with registration, or query a "
                                       "warehouse's folders directly with -w DIR"));
        }
        narrow_to_query(scan, sql_hint, all->all_names);
    }
    auto bound = bind_catalog(*catalog, scan, options.store);
    if (!bound) {
        return fail(bound.error());
    }
    if (!bound->gone_tables.empty() && !sql_hint.empty()) {
        // Every file gone: DuckDB would say the table "does not exist", which it does.
        return fail(Error::invalid(bound->gone_tables.front()));
    }
    for (const auto& gone : bound->gone_tables) {
        if (options.note) {
            options.note(gone);
        }
    }
    if (bound->missing_files > 0 && options.note) {
        options.note(std::to_string(bound->missing_files) + " file(s) the catalog lists are gone and were left "
                     "out: run `ticklake crawl` on their warehouse");
    }
    if (bound->files_skipped_by_time > 0 && options.note) {
        options.note("the catalog's event-time ranges left out " + std::to_string(bound->files_skipped_by_time) +
                     " file(s) no row of which can meet the query's condition on ts");
    }
    return BoundTables{std::move(bound->tables), "catalog " + path.string()};
}

// The folders of one warehouse: `<database>/<table>/...` prefixes found by listing it.
Result<BoundTables> bind_from_warehouse(const EngineOptions& options, std::string_view sql_hint) {
    const std::string& uri = options.warehouse;
    const bool s3 = is_s3(uri);
    if (!s3) {
        const std::string path = uri.rfind("file://", 0) == 0 ? uri.substr(7) : uri;
        if (!fs::is_directory(path)) {
            return fail(Error::invalid("no warehouse at " + path + ": pass --warehouse DIR|s3://bucket/prefix, or "
                                       "leave it out to query the catalog's tables"));
        }
    }
    auto store = open_object_store(uri, options.store);
    if (!store) {
        return fail(store.error());
    }
    WarehouseScanOptions scan = scan_options(options);
    if (s3 && !sql_hint.empty()) {
        WarehouseScanOptions names_only = scan;
        names_only.fetch = false;
        auto all = scan_warehouse(**store, names_only);
        if (!all) {
            return fail(all.error());
        }
        std::vector<std::string> names;
        for (const auto& t : all->tables) {
            names.push_back(t.database + "." + t.table);
        }
        narrow_to_query(scan, sql_hint, names);
    }
    auto scanned = scan_warehouse(**store, scan);
    if (!scanned) {
        return fail(scanned.error());
    }
    return BoundTables{std::move(*scanned), (*store)->uri()};
}

} // namespace

Result<Engine> Engine::open(const EngineOptions& options, std::string_view sql_hint) {
    auto bound = options.warehouse.empty() ? bind_from_catalog(options, sql_hint)
                                           : bind_from_warehouse(options, sql_hint);
    if (!bound) {
        return fail(bound.error());
    }
    SessionOptions so;
    so.allowed_directories = bound->tables.folders;
    so.memory_limit = options.memory_limit;
    so.threads = options.threads;
    so.setup_sql = function_library_sql();
    auto session = QuerySession::open(so, bound->tables.tables);
    if (!session) {
        return fail(session.error());
    }
    return Engine{std::move(bound->source), std::move(*session)};
}

Result<uint64_t> parse_size(const std::string& text) {
    static constexpr QuantityUnit kUnits[] = {
        {"", 1},           {"B", 1},
        {"KB", 1e3},       {"MB", 1e6},
        {"GB", 1e9},       {"TB", 1e12},
        {"KiB", 1024.0},   {"MiB", 1024.0 * 1024},
        {"GiB", 1024.0 * 1024 * 1024}, {"TiB", 1024.0 * 1024 * 1024 * 1024},
    };
    static constexpr QuantityKind kSize{"size", "500MB, 10GiB, 1000000", "B, KB, MB, GB, TB, KiB, MiB, GiB, TiB",
                                        kUnits, true};
    auto v = parse_quantity(text, kSize);
    if (!v) {
        return fail(v.error());
    }
    return static_cast<uint64_t>(*v);
}

Result<QueryLimits> query_limits(const std::string& max_bytes_scanned, int64_t timeout_us) {
    QueryLimits limits;
    if (!max_bytes_scanned.empty()) {
        auto b = parse_size(max_bytes_scanned);
        if (!b) {
            return fail(b.error());
        }
        limits.max_bytes_scanned = *b;
    }
    limits.timeout = std::chrono::milliseconds(timeout_us / 1000);
    return limits;
}

} // namespace ticklake::query
