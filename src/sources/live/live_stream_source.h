// A live WebSocket feed as a MarketDataSource: one connection driven from the caller's thread
// (next_batch waits at most ~200 ms, so stop signals are seen), keep-alive pings, reconnect
// with exponential backoff and jitter, resubscribe, proactive reconnect before the vendor's
// connection-age limit, dedup and gap counting (EventEmitter). The vendor's format is in a
// StreamProtocol; what every live source shares is in LiveSource.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "net/websocket_client.h"
#include "sources/live/live_source.h"
#include "sources/live/stream_protocol.h"

namespace ticklake {

class LiveStreamSource final : public LiveSource {
public:
    LiveStreamSource(LiveSourceOptions options, std::unique_ptr<StreamProtocol> protocol);
    ~LiveStreamSource() override;

    //! Waits up to ~200 ms for events; 0 with done() false means none arrived yet. Errors are
    //! fatal (bad credentials, plan too small) and reported once: the source is then done.
    Result<size_t> next_batch(std::vector<Event>& out, size_t max_events) override;
    std::string describe() const override { return protocol_->describe(); }

private:
    Status connect();
    void lost(const Error& why);
    void finish();

    std::unique_ptr<StreamProtocol> protocol_;
    std::unique_ptr<net::WebSocketClient> conn_;
    Clock::time_point next_attempt_{};
    Clock::time_point connected_at_{};
    bool healthy_ = false; //!< the current connection delivered events: reset the backoff
};

} // namespace ticklake
