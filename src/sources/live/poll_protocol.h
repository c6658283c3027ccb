// What differs between REST vendors: the request URL of a symbol and how to read the
// answer. RestPollSource does the rest (schedule, rate limits, backoff, dedup of re-polled
// bars).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/error.h"
#include "sources/live/stream_protocol.h"

namespace ticklake {

struct PollAdvice {
    //! The vendor asked us to slow down (rate limit answered with HTTP 200 or 429): wait
    //! at least this long before the next request of any symbol.
    std::optional<std::chrono::milliseconds> slow_down;
};

class PollProtocol {
public:
    virtual ~PollProtocol() = default;
    virtual std::string request_url(const std::string& symbol) const = 0;
    //! Reads a response with HTTP status 200..499 (5xx and 429 are retried by the source).
    //! Fatal errors stop the source (bad key, unknown symbol).
    virtual Result<PollAdvice> on_response(const std::string& symbol, long status, std::string_view body,
                                           StreamContext& ctx) = 0;
    virtual std::string describe() const = 0;
};

std::unique_ptr<PollProtocol> make_yahoo_chart_protocol(const LiveSourceOptions& o);
std::unique_ptr<PollProtocol> make_alphavantage_protocol(const LiveSourceOptions& o);

//! Seconds of a bar interval "1m", "5m", "1h", "1d", "1wk"; 0 when unknown.
int64_t interval_seconds(std::string_view interval);

} // namespace ticklake
