#include "console/chart_query.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <regex>
#include <utility>


namespace ticklake::console {

namespace {

constexpr std::array<std::string_view, 7> kIntervals = {"1m", "5m", "15m", "30m", "1h", "4h", "1d"};
constexpr std::array<int64_t, 7> kIntervalMicros = {60'000'000LL, 300'000'000LL, 900'000'000LL, 1'800'000'000LL,
                                                    3'600'000'000LL, 14'400'000'000LL, 86'400'000'000LL};

// The bar of a trade as integer arithmetic on its microseconds: the library's bar_start gives the
// same starts (multiples of the interval since 1970 UTC) but casts its interval text on every
// row, which was most of a one-day chart's time.
std::string bar_micros(const std::string& interval) {
    const auto i = static_cast<size_t>(std::find(kIntervals.begin(), kIntervals.end(), interval) - kIntervals.begin());
    const std::string us = std::to_string(kIntervalMicros[i]);
    return "(epoch_us(ts) - ((epoch_us(ts) % " + us + ") + " + us + ") % " + us + ")";
}

bool is_date(const std::string& s) { return s.size() == 10; }

//! The next placeholder, bound to `value`.
std::string param(ChartStatement& out, std::string value) {
    out.params.push_back(std::move(value));
    return "$" + std::to_string(out.params.size());
}

//! A bound as a TIMESTAMP; `end`: a date alone is the end of that day (exclusive).
std::string timestamp_bound(ChartStatement& out, const std::string& s, bool end) {
    if (is_date(s)) {
        const std::string day = "CAST(" + param(out, s) + " AS DATE)";
        return end ? "(" + day + " + INTERVAL 1 DAY)" : "CAST(" + day + " AS TIMESTAMP)";
    }
    return "CAST(" + param(out, s) + " AS TIMESTAMP)";
}

std::string where_clause(const ChartRequest& r, bool dt_partition, ChartStatement& out) {
    std::string w = "symbol = " + param(out, r.symbol);
    if (!r.from.empty()) {
        w += " AND ts >= " + timestamp_bound(out, r.from, false);
        if (dt_partition) {
            w += " AND dt >= CAST(" + param(out, r.from.substr(0, 10)) + " AS DATE)";
        }
    }
    if (!r.to.empty()) {
        w += " AND ts < " + timestamp_bound(out, r.to, true);
        if (dt_partition) {
            w += " AND dt <= CAST(" + param(out, r.to.substr(0, 10)) + " AS DATE)";
        }
    }
    return w;
}

} // namespace

Result<ChartRequest> chart_request(const std::map<std::string, std::string>& params) {
    auto get = [&](const char* name) {
        const auto it = params.find(name);
        return it == params.end() ? std::string() : it->second;
    };
    ChartRequest r{get("table"), get("symbol"), get("interval"), get("from"), get("to")};
    static const std::regex kTable("[A-Za-z0-9_]+\\.[A-Za-z0-9_]+");
    static const std::regex kTime("\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2})?)?");
    if (!std::regex_match(r.table, kTable)) {
        return fail(Error::invalid("table: expected database.table, e.g. market.trades"));
    }
    if (r.symbol.empty() || r.symbol.size() > 64) {
        return fail(Error::invalid("symbol: expected a symbol of 1 to 64 characters, e.g. AAPL"));
    }
    if (r.interval.empty()) {
        r.interval = "5m";
    }
    if (std::find(kIntervals.begin(), kIntervals.end(), r.interval) == kIntervals.end()) {
        return fail(Error::invalid("interval: expected one of 1m, 5m, 15m, 30m, 1h, 4h, 1d"));
    }
    for (const auto* bound : {&r.from, &r.to}) {
        if (!bound->empty() && !std::regex_match(*bound, kTime)) {
            return fail(Error::invalid(std::string(bound == &r.from ? "from" : "to") +
                                       ": expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC)"));
        }
    }
    return r;
}

ChartStatement ohlcv_sql(const ChartRequest& r, bool dt_partition) {
    // Open and close break ties at one microsecond by price, as the library's ohlcv() does, so
    // the bars do not depend on scan order.
    ChartStatement out;
    const std::string where = where_clause(r, dt_partition, out);
    out.sql = "SELECT bar // 1000000 AS time, open, high, low, close, volume, vwap, trades FROM ("
              "SELECT " + bar_micros(r.interval) + " AS bar, "
              "arg_min(price, (ts, price)) AS open, max(price) AS high, min(price) AS low, "
              "arg_max(price, (ts, price)) AS close, sum(size) AS volume, vwap(price, size) AS vwap, count(*) AS trades "
              "FROM " + r.table + " WHERE " + where + " GROUP BY 1) ORDER BY 1";
    return out;
}

ChartStatement spread_sql(const ChartRequest& r, bool dt_partition) {
    ChartStatement out;
    const std::string where = where_clause(r, dt_partition, out);
    out.sql = "SELECT bar // 1000000 AS time, spread, last_spread FROM ("
              "SELECT " + bar_micros(r.interval) + " AS bar, "
              "avg(ask - bid) AS spread, arg_max(ask - bid, ts) AS last_spread "
              "FROM " + r.table + " WHERE " + where + " AND ask >= bid GROUP BY 1) ORDER BY 1";
    return out;
}

} // namespace ticklake::console
