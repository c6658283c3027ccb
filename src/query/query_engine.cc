#include "query/query_engine.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <unistd.h>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "query/catalog_tables.h"
#include "query/function_library.h"
#include "query/iceberg_tables.h"
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
    bool local_tables = false;
};

bool is_s3(std::string_view uri) { return is_s3_uri(uri); }

// The catalog's or warehouse's name for a table the SQL names without its database, when
// exactly one table has that name (DuckDB's search path finds it the same way).
std::string qualified(const std::string& name, const std::vector<std::string>& known) {
    if (!name.starts_with('.')) {
        return name;
    }
    std::string found;
    for (const auto& k : known) {
        if (k.size() > name.size() && k.ends_with(name) && k.find('.') == k.size() - name.size()) {
            if (!found.empty()) {
                return name; // two databases have it: leave it unpruned
            }
            found = k;
        }
    }
    return found.empty() ? name : found;
}

parquet::ColumnCondition column_condition(const PartitionCondition& c) {
    using Op = parquet::ColumnCondition::Op;
    parquet::ColumnCondition out;
    out.column = c.column;
    out.values = c.values;
    switch (c.op) {
    case PartitionCondition::Op::eq: out.op = Op::eq; break;
    case PartitionCondition::Op::lt: out.op = Op::lt; break;
    case PartitionCondition::Op::le: out.op = Op::le; break;
    case PartitionCondition::Op::gt: out.op = Op::gt; break;
    case PartitionCondition::Op::ge: out.op = Op::ge; break;
    case PartitionCondition::Op::in: out.op = Op::in; break;
    default: out.kind = parquet::StatsKind::other; return out;
    }
    out.kind = c.kind == PartitionCondition::Kind::integer ? parquet::StatsKind::integer
               : c.kind == PartitionCondition::Kind::time  ? parquet::StatsKind::time
                                                           : parquet::StatsKind::text;
    return out;
}

// What a query can need on S3: the tables it names; of those the files whose partition
// folders can meet its conditions (partition_pruning.h); and of Parquet files the columns it
// references and the row groups whose statistics can meet its conditions (s3_scan.h). Local
// tables are read in place, so DuckDB prunes them itself.
void narrow_to_query(WarehouseScanOptions& scan, std::string_view sql, const std::vector<std::string>& names) {
    scan.only_tables = tables_mentioned(sql, names);
    if (scan.only_tables.empty()) {
        scan.only_tables = {"-"}; // names no table: bind none
    }
    auto tree = parse_tree_json(sql);
    if (!tree) {
        return;
    }
    const std::optional<std::set<std::string>> columns = referenced_columns(*tree);
    for (const auto& t : scan.only_tables) {
        scan.s3.tables[t].columns = columns;
    }
    auto plan = pruning_plan_from_parse_tree(*tree);
    if (!plan || plan->empty()) {
        return;
    }
    PruningPlan by_name;
    for (auto& [table, conditions] : *plan) {
        by_name[qualified(table, names)] = conditions;
    }
    for (const auto& [table, conditions] : by_name) {
        auto& read = scan.s3.tables[table];
        for (const auto& c : conditions) {
            read.conditions.push_back(column_condition(c));
        }
    }
    scan.time_filter = [plan = by_name](const std::string& table, std::optional<int64_t> lo, std::optional<int64_t> hi) {
        auto it = plan.find(table);
        return it == plan.end() || time_range_may_match(lo, hi, it->second);
    };
    scan.file_filter = [plan = std::move(by_name)](const std::string& table, const std::string& key) {
        auto it = plan.find(table);
        return it == plan.end() || file_may_match(key, it->second);
    };
}

//! The session's folder of S3 copies and slices, beside the cache; removed on destruction.
std::shared_ptr<const fs::path> make_session_dir(const fs::path& cache_dir) {
    static std::atomic<uint64_t> counter{0};
    const fs::path parent = cache_dir.parent_path() / (cache_dir.filename().string() + "-sessions");
    remove_stale_session_dirs(parent);
    const fs::path dir = parent / (std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
                                   std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000));
    return std::shared_ptr<const fs::path>(new fs::path(dir), [](const fs::path* p) {
        std::error_code ec;
        fs::remove_all(*p, ec);
        delete p;
    });
}

WarehouseScanOptions scan_options(const EngineOptions& options, RangeCache* cache, const fs::path& session_dir,
                                  std::string_view sql_hint) {
    WarehouseScanOptions scan;
    scan.cache = cache;
    scan.session_dir = session_dir;
    scan.s3.mode = options.s3_read;
    scan.s3.max_bytes = sql_hint.empty() ? 0 : options.max_bytes_scanned;
    return scan;
}

// Athena's way: the tables the catalog knows, with the files it lists.
Result<BoundTables> bind_from_catalog(const EngineOptions& options, WarehouseScanOptions scan, std::string_view sql_hint) {
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
        // Time-travel views are tables of their own to pruning: "market.trades@v42".
        std::vector<std::string> names = all->all_names;
        for (const auto& r : scan.snapshots) {
            for (const auto& n : all->all_names) {
                if (n == r.table || (r.table.starts_with('.') && n.ends_with(r.table))) {
                    names.push_back(n.substr(0, n.find('.')) + "." + r.alias);
                }
            }
        }
        narrow_to_query(scan, sql_hint, names);
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
    return BoundTables{std::move(bound->tables), "catalog " + path.string(), bound->local_tables};
}

// The folders of one warehouse: `<database>/<table>/...` prefixes found by listing it.
Result<BoundTables> bind_from_warehouse(const EngineOptions& options, WarehouseScanOptions scan,
                                        std::string_view sql_hint) {
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
    return BoundTables{std::move(*scanned), (*store)->uri(), !s3};
}

// What reading S3 cost, for the person waiting: only when something came from S3 or the cache.
std::string scan_note(const ScanStats& s) {
    std::string note = "S3: " + std::to_string(s.files) + " file(s), " + std::to_string(s.ranged_files) +
                       " as slices of ranges, " + std::to_string(s.whole_files) + " whole; fetched " +
                       std::to_string(s.s3_bytes) + " bytes in " + std::to_string(s.requests) + " requests, " +
                       std::to_string(s.cache_bytes) + " bytes from the cache";
    if (!s.whole_reason.empty()) {
        note += " (read whole: " + s.whole_reason + ")";
    }
    return note;
}

} // namespace

Result<Engine> Engine::open(const EngineOptions& options, std::string_view sql_hint) {
    const fs::path cache_dir = options.cache_dir.empty() ? default_cache_dir() : options.cache_dir;
    auto cache = std::make_unique<RangeCache>(cache_dir, options.cache_max_bytes);
    auto session_dir = make_session_dir(cache_dir);
    // FOR VERSION AS OF and FOR TIMESTAMP AS OF become views of their own, bound with the tables.
    auto travel = rewrite_time_travel(sql_hint);
    if (!travel) {
        return fail(travel.error());
    }
    if (!travel->requests.empty() && !options.warehouse.empty()) {
        return fail(Error::invalid("FOR VERSION/TIMESTAMP AS OF reads Iceberg tables through the catalog: leave out "
                                   "--warehouse (and pass --catalog FILE if it is not the default)"));
    }
    sql_hint = travel->sql;
    WarehouseScanOptions scan = scan_options(options, cache.get(), *session_dir, sql_hint);
    scan.snapshots = travel->requests;
    auto bound = options.warehouse.empty() ? bind_from_catalog(options, scan, sql_hint)
                                           : bind_from_warehouse(options, scan, sql_hint);
    if (!bound) {
        return fail(bound.error());
    }
    if (bound->tables.scan.any() && options.note) {
        options.note(scan_note(bound->tables.scan));
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
    Engine engine;
    engine.source = std::move(bound->source);
    engine.scan = bound->tables.scan;
    engine.local_tables = bound->local_tables;
    engine.session_dir = std::move(session_dir);
    engine.session = std::move(*session);
    return engine;
}

Result<QueryResult> Engine::run(std::string_view sql, QueryLimits limits) const {
    if (!local_tables && scan.any()) {
        limits.max_bytes_scanned = 0; // S3 bytes were held to the budget before they came
    } else if (limits.max_bytes_scanned > 0) {
        // Local reads may use what S3 left of the budget.
        limits.max_bytes_scanned = scan.s3_bytes >= limits.max_bytes_scanned ? 1 : limits.max_bytes_scanned - scan.s3_bytes;
    }
    auto travel = rewrite_time_travel(sql);
    if (!travel) {
        return fail(travel.error());
    }
    const auto& bound = session->table_names();
    for (const auto& r : travel->requests) {
        if (std::none_of(bound.begin(), bound.end(), [&](const std::string& n) { return n.ends_with("." + r.alias); })) {
            return fail(Error::invalid("no table " + r.table.substr(r.table.front() == '.' ? 1 : 0) + " as of " +
                                       (r.snapshot_id ? "snapshot " + std::to_string(*r.snapshot_id) : "that time") +
                                       ": time travel reads Iceberg tables of the catalog, in `ticklake query` (the "
                                       "shell binds the current snapshots only)"));
        }
    }
    auto result = session->run(travel->sql, limits);
    if (!result) {
        return fail(result.error());
    }
    result->stats.s3 = scan;
    return result;
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
