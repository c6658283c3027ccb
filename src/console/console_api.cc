#include "console/console_api.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <simdjson.h>

#include "catalog/catalog.h"
#include "catalog/catalog_report.h"
#include "common/json_writer.h"
#include "common/timestamp.h"
#include "console/chart_query.h"
#include "console/sink_watch.h"
#include "console/url_query.h"
#include "query/result_format.h"

namespace ticklake::console {

namespace {

using net::HttpServerRequest;
using net::HttpServerResponse;

// A folder warehouse has no file that changes with its contents: its tables are bound again
// after this long, so new files show within half a minute without a listing (and a new DuckDB
// with its function library, ~0.2 s on one idle core) per request.
constexpr auto kWarehouseRebind = std::chrono::seconds(30);
constexpr size_t kLatestFiles = 20;
// How long /api/status waits for a running query before it answers without dead letters.
constexpr auto kStatusWait = std::chrono::milliseconds(500);

std::string without_newline(std::string s) {
    if (!s.empty() && s.back() == '\n') {
        s.pop_back();
    }
    return s;
}

std::string file_state(const std::filesystem::path& p) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(p, ec);
    if (ec) {
        return "-";
    }
    const auto mtime = std::filesystem::last_write_time(p, ec);
    return std::to_string(size) + "@" + std::to_string(mtime.time_since_epoch().count());
}

bool is_remote(const std::string& location) { return location.starts_with("s3://"); }

HttpServerResponse json_ok(std::string body) { return HttpServerResponse::json(200, std::move(body)); }

std::string param(const std::map<std::string, std::string>& params, const char* name) {
    const auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
}

} // namespace

HttpServerResponse error_response(const Error& e) {
    int status = 500;
    switch (e.kind) {
    case ErrorKind::invalid_argument: status = 400; break;
    case ErrorKind::not_found: status = 404; break;
    case ErrorKind::retry: status = 422; break; // interrupted: the scan cutoff or the timeout
    default: break;
    }
    JsonWriter w(0);
    w.begin_object().field("error", e.message).field("kind", to_string(e.kind)).end_object();
    return HttpServerResponse::json(status, w.str());
}

std::string result_json(const query::QueryResult& r, size_t max_rows) {
    JsonWriter head(0);
    head.begin_array();
    for (size_t c = 0; c < r.column_names.size(); ++c) {
        head.begin_object().field("name", r.column_names[c]).field("type", r.column_types[c]).end_object();
    }
    head.end_array();
    std::string out = "{\"columns\":" + without_newline(head.str()) + ",\"rows\":[";
    const size_t n = std::min(max_rows, r.rows.size());
    for (size_t i = 0; i < n; ++i) {
        out += i ? ",[" : "[";
        for (size_t c = 0; c < r.rows[i].size(); ++c) {
            if (c) {
                out += ',';
            }
            out += query::json_cell(r.rows[i][c], r.column_types[c]);
        }
        out += ']';
    }
    JsonWriter tail(0);
    tail.begin_object()
        .key("elapsed_s").value(r.stats.elapsed_s)
        .key("files_read").value(static_cast<int64_t>(r.stats.files_read))
        .key("bytes_scanned").value(static_cast<int64_t>(r.stats.bytes_scanned))
        // What S3 sent (Athena's "data scanned") and what the cache served, as numbers.
        .key("s3_bytes").value(static_cast<int64_t>(r.stats.s3.s3_bytes))
        .key("s3_cache_bytes").value(static_cast<int64_t>(r.stats.s3.cache_bytes))
        .key("s3_requests").value(static_cast<int64_t>(r.stats.s3.requests))
        .key("s3_files").value(static_cast<int64_t>(r.stats.s3.files))
        .field("summary", query::describe_stats(r))
        .end_object();
    out += "],\"row_count\":" + std::to_string(r.rows.size()) + ",\"truncated\":" + (n < r.rows.size() ? "true" : "false");
    out += ",\"stats\":" + without_newline(tail.str()) + "}\n";
    return out;
}

ConsoleApi::ConsoleApi(ConsoleApiOptions options) : options_(std::move(options)) {}
ConsoleApi::~ConsoleApi() = default;

Status ConsoleApi::check() {
    std::lock_guard lock(engine_mu_);
    auto s = session("");
    return s ? Status{} : fail(s.error());
}

Result<const std::vector<TableDef>*> ConsoleApi::catalog_tables(const std::string& stamp) {
    if (stamp == catalog_stamp_) {
        return &catalog_tables_;
    }
    const auto& e = options_.engine;
    auto catalog = Catalog::open_read_only(e.catalog.empty() ? default_catalog_path() : e.catalog);
    auto tables = catalog ? catalog->tables() : fail(catalog.error());
    if (!tables) {
        return fail(tables.error());
    }
    catalog_tables_ = std::move(*tables);
    catalog_stamp_ = stamp;
    return &catalog_tables_;
}

Result<query::QuerySession*> ConsoleApi::session(std::string_view sql_hint) {
    const auto& e = options_.engine;
    const bool catalog_mode = e.warehouse.empty();
    const std::filesystem::path catalog_path = e.catalog.empty() ? default_catalog_path() : e.catalog;
    // A remote warehouse is opened per query, with the query as the hint, so only the files it can
    // need are fetched into the cache; a local one is kept while its tables stay the same.
    bool remote = is_remote(e.warehouse);
    std::string stamp;
    if (catalog_mode) {
        // Two stat() calls per request; the catalog itself is read again only once its file
        // (or its write-ahead log) changed.
        stamp = file_state(catalog_path) + "|" + file_state(catalog_path.string() + "-wal");
        if (auto tables = catalog_tables(stamp); tables) {
            remote = std::any_of((*tables)->begin(), (*tables)->end(), [](const TableDef& t) { return is_remote(t.location); });
        }
    }
    const auto now = std::chrono::steady_clock::now();
    const bool fresh = engine_ && !remote &&
                       (catalog_mode ? stamp == engine_stamp_ : now - engine_opened_ < kWarehouseRebind);
    if (!fresh) {
        engine_.reset(); // one DuckDB at a time: the old session's memory goes before the new one's
        auto engine = query::Engine::open(e, remote ? sql_hint : std::string_view());
        if (!engine) {
            return fail(engine.error());
        }
        engine_ = std::move(*engine);
        engine_tables_.clear();
        engine_stamp_ = stamp;
        engine_opened_ = now;
    }
    return engine_->session.get();
}

Result<query::QueryResult> ConsoleApi::run(const std::string& sql) {
    auto s = session(sql);
    return s ? (*s)->run(sql, options_.limits) : fail(s.error());
}

Result<std::vector<std::pair<std::string, bool>>> ConsoleApi::table_names() {
    std::vector<std::pair<std::string, bool>> out;
    const auto& e = options_.engine;
    if (e.warehouse.empty()) {
        // The catalog knows names and partition keys without opening DuckDB (or fetching from S3).
        const std::filesystem::path path = e.catalog.empty() ? default_catalog_path() : e.catalog;
        auto tables = catalog_tables(file_state(path) + "|" + file_state(path.string() + "-wal"));
        if (!tables) {
            return fail(tables.error());
        }
        for (const auto& t : **tables) {
            const bool dt = std::any_of(t.partition_keys.begin(), t.partition_keys.end(),
                                        [](const ColumnDef& c) { return c.name == "dt"; });
            out.emplace_back(t.qualified_name(), dt);
        }
        return out;
    }
    if (is_remote(e.warehouse)) {
        return fail(Error::invalid("charts and dead letters need a catalog when the warehouse is on S3: run "
                                   "`ticklake crawl` and serve without --warehouse"));
    }
    auto s = session("");
    if (!s) {
        return fail(s.error());
    }
    if (!engine_tables_.empty() || (*s)->table_names().empty()) {
        return engine_tables_; // described once per engine
    }
    for (const auto& name : (*s)->table_names()) {
        auto dt = (*s)->run("SELECT column_name FROM (DESCRIBE " + name + ") WHERE column_name = 'dt'");
        out.emplace_back(name, dt && !dt->rows.empty());
    }
    engine_tables_ = out;
    return out;
}

HttpServerResponse ConsoleApi::query(const HttpServerRequest& request) {
    if (request.method != "POST") {
        return error_response(Error::invalid("POST a JSON object {\"sql\": \"...\"} to /api/query"));
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view sql;
    if (parser.parse(request.body).get(doc) != simdjson::SUCCESS || doc["sql"].get_string().get(sql) != simdjson::SUCCESS) {
        return error_response(Error::invalid("the body must be a JSON object {\"sql\": \"...\"}"));
    }
    size_t max_rows = options_.max_rows;
    if (int64_t asked = 0; doc["max_rows"].get_int64().get(asked) == simdjson::SUCCESS && asked > 0) {
        max_rows = std::min(max_rows, static_cast<size_t>(asked));
    }
    std::lock_guard lock(engine_mu_);
    auto result = run(std::string(sql));
    return result ? json_ok(result_json(*result, max_rows)) : error_response(result.error());
}

HttpServerResponse ConsoleApi::catalog(const HttpServerRequest& request) {
    if (!options_.engine.warehouse.empty()) {
        return error_response(Error::not_found("no catalog: serve was started with --warehouse; the SQL editor lists "
                                               "the warehouse's tables with SHOW ALL TABLES"));
    }
    const auto& e = options_.engine;
    auto catalog = Catalog::open_read_only(e.catalog.empty() ? default_catalog_path() : e.catalog);
    if (!catalog) {
        return error_response(catalog.error());
    }
    const auto params = parse_url_query(request.query);
    const std::string what = request.path.substr(std::string_view("/api/catalog/").size());
    if (what == "databases") {
        auto r = databases_report(*catalog);
        return r ? json_ok(r->json) : error_response(r.error());
    }
    if (what == "tables") {
        auto r = tables_report(*catalog, param(params, "database"));
        return r ? json_ok(r->json) : error_response(r.error());
    }
    auto table = catalog->resolve(param(params, "table"));
    if (!table) {
        return error_response(table.error());
    }
    Result<CatalogReport> report = fail(Error::not_found("no catalog route /api/catalog/" + what +
                                                         " (databases, tables, describe, partitions, history, files)"));
    if (what == "describe") {
        report = describe_report(*catalog, *table);
    } else if (what == "partitions") {
        report = partitions_report(*catalog, *table);
    } else if (what == "history") {
        report = history_report(*catalog, *table);
    } else if (what == "files") {
        auto files = catalog->files(*table);
        if (!files) {
            return error_response(files.error());
        }
        // Newest first: what the sink or the crawler added last is what a person looks for.
        std::stable_sort(files->begin(), files->end(), [](const FileDef& a, const FileDef& b) { return a.modified > b.modified; });
        JsonWriter w(0);
        w.begin_array();
        for (size_t i = 0; i < files->size() && i < 500; ++i) {
            const FileDef& f = (*files)[i];
            w.begin_object().field("key", f.key).key("size").value(static_cast<int64_t>(f.size));
            w.key("rows").value(f.rows).field("modified", format_iso8601(f.modified)).end_object();
        }
        w.end_array();
        return json_ok(w.str());
    }
    return report ? json_ok(report->json) : error_response(report.error());
}

HttpServerResponse ConsoleApi::chart(const HttpServerRequest& request, bool quotes) {
    auto r = chart_request(parse_url_query(request.query));
    if (!r) {
        return error_response(r.error());
    }
    std::lock_guard lock(engine_mu_);
    auto names = table_names();
    if (!names) {
        return error_response(names.error());
    }
    const auto it = std::find_if(names->begin(), names->end(), [&](const auto& t) { return t.first == r->table; });
    if (it == names->end()) {
        return error_response(Error::not_found("no table " + r->table + " (tables: see /api/catalog/tables)"));
    }
    const bool dt = it->second;
    const ChartStatement statement = quotes ? spread_sql(*r, dt) : ohlcv_sql(*r, dt);
    auto s = session(statement.sql);
    if (!s) {
        return error_response(s.error());
    }
    // Prepared once per shape for the engine's life: a request binds its symbol and day.
    auto result = (*s)->run_prepared(statement.sql, statement.params, options_.limits);
    return result ? json_ok(result_json(*result, 100000)) : error_response(result.error());
}

HttpServerResponse ConsoleApi::ohlcv(const HttpServerRequest& request) { return chart(request, false); }
HttpServerResponse ConsoleApi::spread(const HttpServerRequest& request) { return chart(request, true); }

HttpServerResponse ConsoleApi::status(const HttpServerRequest&) {
    std::string out = "{\"time\":\"" + format_iso8601(now_us()) + "\"";
    out += ",\"source\":" + std::string(options_.engine.warehouse.empty() ? "\"catalog\"" : "\"warehouse\"");
    if (options_.engine.warehouse.empty()) {
        const auto& e = options_.engine;
        auto catalog = Catalog::open_read_only(e.catalog.empty() ? default_catalog_path() : e.catalog);
        auto tables = catalog ? tables_report(*catalog, "") : fail(catalog.error());
        if (!tables) {
            return error_response(tables.error());
        }
        out += ",\"tables\":" + without_newline(tables->json);
        // The latest files over all tables: what the sinks committed last.
        std::vector<std::pair<std::string, FileDef>> latest;
        if (auto defs = catalog->tables(); defs) {
            for (const auto& t : *defs) {
                auto files = catalog->files(t);
                for (auto& f : files ? *files : std::vector<FileDef>{}) {
                    latest.emplace_back(t.qualified_name(), std::move(f));
                }
            }
        }
        const size_t n = std::min(kLatestFiles, latest.size());
        std::partial_sort(latest.begin(), latest.begin() + static_cast<long>(n), latest.end(),
                          [](const auto& a, const auto& b) { return a.second.modified > b.second.modified; });
        JsonWriter w(0);
        w.begin_array();
        for (size_t i = 0; i < n; ++i) {
            const auto& [table, f] = latest[i];
            w.begin_object().field("table", table).field("key", f.key).key("size").value(static_cast<int64_t>(f.size));
            w.key("rows").value(f.rows).field("modified", format_iso8601(f.modified)).end_object();
        }
        w.end_array();
        out += ",\"latest_files\":" + without_newline(w.str());
    }
    // Dead letters by reason, from every dead_letters table the session sees. The session runs
    // one query at a time: behind a long one, the status answers without them.
    JsonWriter dead(0);
    dead.begin_array();
    std::string dead_error;
    std::unique_lock lock(engine_mu_, std::defer_lock);
    auto names = lock.try_lock_for(kStatusWait)
                     ? table_names()
                     : fail(Error::retry("dead letters not counted: a query is running (ask again)"));
    for (const auto& [name, dt] : names ? *names : std::vector<std::pair<std::string, bool>>{}) {
        if (!name.ends_with(".dead_letters")) {
            continue;
        }
        auto r = run("SELECT left(reason, 160) AS reason, count(*) AS n FROM " + name +
                     " GROUP BY 1 ORDER BY n DESC, reason LIMIT 20");
        if (!r) {
            dead_error = name + ": " + r.error().message;
            continue;
        }
        for (const auto& row : r->rows) {
            dead.begin_object().field("table", name).field("reason", row[0].value_or(""));
            dead.key("count").value(static_cast<int64_t>(std::stoll(row[1].value_or("0")))).end_object();
        }
    }
    if (!names) {
        dead_error = names.error().message;
    }
    dead.end_array();
    out += ",\"dead_letters\":" + without_newline(dead.str());
    JsonWriter err(0);
    err.value(dead_error);
    out += ",\"dead_letters_error\":" + without_newline(err.str());
    out += ",\"sinks\":" + sinks_json(scrape_sinks(options_.watch)) + "}\n";
    return json_ok(out);
}

} // namespace ticklake::console
