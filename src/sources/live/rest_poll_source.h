// A REST vendor as a MarketDataSource: polls each symbol every poll_interval, spreads the
// requests, honours rate-limit answers (HTTP 429 with Retry-After, or the vendor's own note
// in a 200), backs off with jitter on network and 5xx errors, and drops bars already sent
// (each poll returns the recent window again).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/retry_policy.h"
#include "net/http_client.h"
#include "sources/live/event_emitter.h"
#include "sources/live/poll_protocol.h"
#include "sources/market_data_source.h"

namespace ticklake {

class RestPollSource final : public MarketDataSource {
public:
    RestPollSource(LiveSourceOptions options, std::unique_ptr<PollProtocol> protocol);

    Result<size_t> next_batch(std::vector<Event>& out, size_t max_events) override;
    bool done() const override { return done_; }
    uint64_t skipped() const override { return emitter_.stats.skipped; }
    std::vector<std::string> first_errors() const override { return emitter_.first_errors; }
    std::string describe() const override { return protocol_->describe(); }
    std::string summary() const override;
    std::vector<std::pair<std::string, uint64_t>> counters() const override { return emitter_.stats.named(); }
    const LiveStats& stats() const { return emitter_.stats; }

private:
    using Clock = std::chrono::steady_clock;
    class Context;

    LiveSourceOptions options_;
    std::unique_ptr<PollProtocol> protocol_;
    EventEmitter emitter_;
    net::Backoff backoff_;
    net::HttpClient http_;
    std::vector<Clock::time_point> due_; //!< per symbol: when to poll it next
    Clock::time_point not_before_{};     //!< global hold after a rate-limit or an error
    std::optional<Clock::time_point> deadline_;
    size_t next_symbol_ = 0;
    bool done_ = false;
};

} // namespace ticklake
