// The JSON API of `ticklake serve`: SQL with the query command's guardrails, the catalog's
// reports, chart data and the pipeline's status. Each route takes a request and answers with a
// status and JSON; an error answers {"error": message, "kind": ...} with 400 (bad input, a
// refused statement), 404 (no such table), 422 (stopped by the scan cutoff or the timeout) or
// 500, so the page shows the message where the request was made.
//
// @locality the HTTP server's handler threads call the routes concurrently: the engine, its
// DuckDB session and the cached catalog tables are used under engine_mu_ (one query at a time);
// catalog reports open a read-only catalog connection of their own.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog_model.h"
#include "common/error.h"
#include "net/http_server.h"
#include "query/query_engine.h"

namespace ticklake::console {

struct ConsoleApiOptions {
    query::EngineOptions engine; //!< catalog or warehouse, as `ticklake query` opens them
    query::QueryLimits limits;   //!< per query (API and charts alike)
    size_t max_rows = 10000;     //!< rows a query answer carries; more are counted, not sent
    std::vector<std::string> watch; //!< /metrics URLs of running sinks, for /api/status
};

class ConsoleApi {
public:
    explicit ConsoleApi(ConsoleApiOptions options);
    ~ConsoleApi();

    //! POST {"sql": "...", "max_rows": N}: columns, rows, statistics (bytes scanned).
    net::HttpServerResponse query(const net::HttpServerRequest& request);
    //! GET /api/catalog/{databases,tables,describe,partitions,history,files}[?database=|?table=].
    net::HttpServerResponse catalog(const net::HttpServerRequest& request);
    //! GET ?table=&symbol=&interval=&from=&to=: OHLCV bars with VWAP (chart_query.h).
    net::HttpServerResponse ohlcv(const net::HttpServerRequest& request);
    //! GET ?table=&symbol=&interval=&from=&to=: the quotes' spread per bar.
    net::HttpServerResponse spread(const net::HttpServerRequest& request);
    //! GET: tables with totals, the latest files, dead letters by reason, watched sinks' metrics.
    net::HttpServerResponse status(const net::HttpServerRequest& request);

    //! Opens the engine once, so a bad catalog or warehouse stops `serve` at start.
    Status check();

private:
    // Under engine_mu_.
    Result<query::QuerySession*> session(std::string_view sql_hint);
    //! The catalog's tables, read again only when `stamp` (the catalog file's state) changed.
    Result<const std::vector<TableDef>*> catalog_tables(const std::string& stamp);
    Result<query::QueryResult> run(const std::string& sql);
    //! Every table as database.table, and whether it has a `dt` partition column to prune by.
    Result<std::vector<std::pair<std::string, bool>>> table_names();
    net::HttpServerResponse chart(const net::HttpServerRequest& request, bool quotes);

    ConsoleApiOptions options_;
    std::timed_mutex engine_mu_; //!< one query at a time on the engine's session
    std::optional<query::Engine> engine_;
    std::string engine_stamp_; //!< what the open engine's tables were bound from (catalog file state)
    std::chrono::steady_clock::time_point engine_opened_{};
    //! table_names() of a folder warehouse, for the open engine (empty: not asked yet)
    std::vector<std::pair<std::string, bool>> engine_tables_;
    std::string catalog_stamp_; //!< what catalog_tables_ was read from (empty: not read)
    std::vector<TableDef> catalog_tables_;
};

//! {"error": message, "kind": kind} with the status the kind calls for.
net::HttpServerResponse error_response(const Error& e);

//! A query result as the API's JSON: columns, at most `max_rows` rows, row_count, truncated, stats.
std::string result_json(const query::QueryResult& result, size_t max_rows);

} // namespace ticklake::console
