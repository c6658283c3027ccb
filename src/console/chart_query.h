// The SQL behind the console's charts, built from a request's parameters: OHLCV bars with VWAP
// of one symbol's trades, and the bid-ask spread of its quotes. Every parameter is checked
// against a short list or a strict shape before it reaches SQL, and the symbol and the bounds
// are bound parameters, so a chart request cannot carry SQL of its own.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/error.h"

namespace ticklake::console {

struct ChartRequest {
    std::string table;    //!< database.table (letters, digits, '_')
    std::string symbol;
    std::string interval; //!< 1m 5m 15m 30m 1h 4h 1d
    std::string from;     //!< YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC), inclusive; empty: no bound
    std::string to;       //!< same, exclusive; a date alone means the end of that day
};

//! From the query string's parameters (table, symbol, interval, from, to); invalid_argument
//! naming the parameter that does not fit.
Result<ChartRequest> chart_request(const std::map<std::string, std::string>& params);

//! A chart's SQL with `$1..$n` for the symbol and the bounds, and their values. The text
//! depends only on the table, the interval and which bounds are given (dates or times), so the
//! session prepares it once per shape (QuerySession::run_prepared) and each request only binds.
struct ChartStatement {
    std::string sql;
    std::vector<std::string> params;
};

//! Bars as `time` (bar start, Unix seconds), open, high, low, close, volume, vwap, trades, in
//! time order; bar starts are multiples of the interval since 1970 UTC (as the function
//! library's bar_start). `dt_partition`: the table has a `dt` partition column, so the day bounds also
//! prune files.
ChartStatement ohlcv_sql(const ChartRequest& r, bool dt_partition);

//! Per bar: `time`, the mean and the last ask - bid of the symbol's quotes.
ChartStatement spread_sql(const ChartRequest& r, bool dt_partition);

} // namespace ticklake::console
