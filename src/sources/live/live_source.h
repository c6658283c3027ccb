// What every live source shares, whatever carries its messages (a WebSocket in
// LiveStreamSource, HTTP polls in RestPollSource): the options, the EventEmitter with its
// counters, the reconnect/retry backoff, the --duration deadline and the StreamContext a
// protocol writes into. The two subclasses add only how they fetch messages.
//
// @locality owned by one source, used from the thread that calls next_batch.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "net/retry_policy.h"
#include "sources/live/event_emitter.h"
#include "sources/live/stream_protocol.h"
#include "sources/market_data_source.h"

namespace ticklake {

//! Seconds of an option as milliseconds (options are in seconds, clocks want durations).
inline std::chrono::milliseconds seconds_to_ms(double s) {
    return std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
}

class LiveSource : public MarketDataSource {
public:
    bool done() const override { return done_; }
    uint64_t skipped() const override { return emitter_.stats.skipped; }
    std::vector<std::string> first_errors() const override { return emitter_.first_errors; }
    std::string summary() const override { return options_.vendor + ": " + emitter_.stats.summary(); }
    std::vector<std::pair<std::string, uint64_t>> counters() const override { return emitter_.stats.named(); }
    const LiveStats& stats() const { return emitter_.stats; }

protected:
    using Clock = std::chrono::steady_clock;

    //! How long one next_batch call may wait: short, so the caller sees stop signals promptly.
    static constexpr std::chrono::milliseconds kSlice{200};

    //! The protocol's side of the source: emits through the emitter and collects what the
    //! protocol asks to send. Lives for one next_batch call.
    class Context final : public StreamContext {
    public:
        explicit Context(EventEmitter& e) : emitter_(e) {}
        bool emit(Event&& e) override { return emitter_.emit(std::move(e)); }
        bool emit_sequenced(std::string_view key, int64_t seq, Event&& e) override {
            return emitter_.emit_sequenced(key, seq, std::move(e));
        }
        //! A poll source has no connection to send on and never reads the outbox.
        void send(std::string text) override { outbox.push_back(std::move(text)); }
        void skip(std::string reason) override { emitter_.skip(std::move(reason)); }
        void inexact_decimal(std::string_view text) override { emitter_.inexact_decimal(text); }
        LiveStats& stats() override { return emitter_.stats; }
        TimestampUs received_at() const override { return emitter_.received_at(); }

        std::vector<std::string> outbox; //!< replies the protocol asked for, sent after on_message

    private:
        EventEmitter& emitter_;
    };

    //! Starts the --duration clock now.
    explicit LiveSource(LiveSourceOptions options);

    //! A transient failure to reach the vendor (connect or request): counted, logged with the
    //! wait, and the time before which not to try again.
    Clock::time_point retry_later(const Error& why);

    LiveSourceOptions options_;
    EventEmitter emitter_;
    net::Backoff backoff_;
    std::optional<Clock::time_point> deadline_; //!< --duration; unset: until stopped
    bool done_ = false;
};

} // namespace ticklake
