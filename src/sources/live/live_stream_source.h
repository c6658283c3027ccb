// A live WebSocket feed as a MarketDataSource: one connection driven from the caller's thread
// (next_batch waits at most ~200 ms, so stop signals are seen), keep-alive pings, reconnect
// with exponential backoff and jitter, resubscribe, proactive reconnect before the vendor's
// connection-age limit, dedup and gap counting (EventEmitter). The vendor's format is in a
// StreamProtocol.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/retry_policy.h"
#include "net/websocket_client.h"
#include "sources/live/event_emitter.h"
#include "sources/live/stream_protocol.h"
#include "sources/market_data_source.h"

namespace ticklake {

class LiveStreamSource final : public MarketDataSource {
public:
    LiveStreamSource(LiveSourceOptions options, std::unique_ptr<StreamProtocol> protocol);
    ~LiveStreamSource() override;

    //! Waits up to ~200 ms for events; 0 with done() false means none arrived yet. Errors are
    //! fatal (bad credentials, plan too small) and reported once: the source is then done.
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

    Status connect();
    void lost(const Error& why);
    void finish();

    LiveSourceOptions options_;
    std::unique_ptr<StreamProtocol> protocol_;
    EventEmitter emitter_;
    net::Backoff backoff_;
    std::unique_ptr<net::WebSocketClient> conn_;
    std::optional<Clock::time_point> deadline_;
    Clock::time_point next_attempt_{};
    Clock::time_point connected_at_{};
    bool healthy_ = false; //!< the current connection delivered events: reset the backoff
    bool done_ = false;
};

} // namespace ticklake
