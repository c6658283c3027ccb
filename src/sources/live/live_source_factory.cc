#include "sources/live/live_source_factory.h"

#include <algorithm>
#include <cstdlib>

#include "sources/live/live_stream_source.h"
#include "sources/live/poll_protocol.h"
#include "sources/live/rest_poll_source.h"

namespace ticklake {

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v == nullptr ? std::string() : std::string(v);
}

Status need(std::string& out, const char* var, const char* where) {
    out = env(var);
    if (out.empty()) {
        return fail(Error::invalid(std::string(var) + " is not set: export your API key in it (" + where + ")"));
    }
    return {};
}

} // namespace

const std::vector<std::string>& live_vendor_names() {
    static const std::vector<std::string> names = {"finnhub", "coinbase", "binance", "alpaca",
                                                   "polygon", "yahoo",    "alphavantage"};
    return names;
}

bool is_live_vendor(const std::string& name) {
    const auto& n = live_vendor_names();
    return std::find(n.begin(), n.end(), name) != n.end();
}

Status credentials_from_env(LiveSourceOptions& o) {
    if (o.vendor == "finnhub") {
        return need(o.key, "FINNHUB_API_KEY", "free key at https://finnhub.io/register");
    }
    if (o.vendor == "alpaca") {
        if (auto st = need(o.key, "APCA_API_KEY_ID", "Alpaca dashboard, API keys"); !st) {
            return st;
        }
        return need(o.secret, "APCA_API_SECRET_KEY", "Alpaca dashboard, API keys");
    }
    if (o.vendor == "polygon") {
        return need(o.key, "POLYGON_API_KEY", "polygon.io dashboard, API keys");
    }
    if (o.vendor == "alphavantage") {
        return need(o.key, "ALPHAVANTAGE_API_KEY", "free key at https://www.alphavantage.co/support/#api-key");
    }
    return {}; // coinbase, binance and yahoo public data need no key
}

Result<std::unique_ptr<MarketDataSource>> open_live_source(const LiveSourceOptions& o) {
    if (!is_live_vendor(o.vendor)) {
        return fail(Error::invalid("unknown live source '" + o.vendor + "'"));
    }
    if (o.symbols.empty()) {
        return fail(Error::invalid("--source " + o.vendor + " needs --symbols A,B,... in the vendor's notation "
                                   "(docs/sources.md)"));
    }
    if (o.duration_s < 0 || o.poll_interval_s <= 0 || o.idle_timeout_s <= 0 || o.backoff_initial_s <= 0 ||
        o.backoff_max_s < o.backoff_initial_s) {
        return fail(Error::invalid("--duration must be >= 0, --poll-interval and --idle-timeout > 0"));
    }
    if (o.vendor == "yahoo") {
        return std::unique_ptr<MarketDataSource>(std::make_unique<RestPollSource>(o, make_yahoo_chart_protocol(o)));
    }
    if (o.vendor == "alphavantage") {
        return std::unique_ptr<MarketDataSource>(std::make_unique<RestPollSource>(o, make_alphavantage_protocol(o)));
    }
    std::unique_ptr<StreamProtocol> p;
    LiveSourceOptions with_limits = o;
    if (o.vendor == "finnhub") {
        p = make_finnhub_protocol(o);
    } else if (o.vendor == "coinbase") {
        p = make_coinbase_protocol(o);
    } else if (o.vendor == "binance") {
        const size_t streams = o.symbols.size() * (o.channels.empty() ? 2 : o.channels.size());
        if (streams > 1024) {
            return fail(Error::invalid("binance allows 1024 streams per connection; --symbols x --channels gives " +
                                       std::to_string(streams) + ": run several producers"));
        }
        // Binance closes every connection at 24 h: renew it a little before.
        if (with_limits.max_connection_age_s == 0) {
            with_limits.max_connection_age_s = 23.5 * 3600;
        }
        p = make_binance_protocol(o);
    } else if (o.vendor == "alpaca") {
        p = make_alpaca_protocol(o);
    } else {
        p = make_polygon_protocol(o);
    }
    return std::unique_ptr<MarketDataSource>(std::make_unique<LiveStreamSource>(with_limits, std::move(p)));
}

} // namespace ticklake
