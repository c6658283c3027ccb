// A REST vendor as a MarketDataSource: polls each symbol every poll_interval, spreads the
// requests, honours rate-limit answers (HTTP 429 with Retry-After, or the vendor's own note
// in a 200), backs off with jitter on network and 5xx errors, and drops bars already sent
// (each poll returns the recent window again). What every live source shares is in LiveSource.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "net/http_client.h"
#include "sources/live/live_source.h"
#include "sources/live/poll_protocol.h"

namespace ticklake {

class RestPollSource final : public LiveSource {
public:
    RestPollSource(LiveSourceOptions options, std::unique_ptr<PollProtocol> protocol);

    Result<size_t> next_batch(std::vector<Event>& out, size_t max_events) override;
    std::string describe() const override { return protocol_->describe(); }

private:
    std::unique_ptr<PollProtocol> protocol_;
    net::HttpClient http_;
    std::vector<Clock::time_point> due_; //!< per symbol: when to poll it next
    Clock::time_point not_before_{};     //!< global hold after a rate-limit or an error
};

} // namespace ticklake
