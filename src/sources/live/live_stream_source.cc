#include "sources/live/live_stream_source.h"

#include <algorithm>
#include <thread>

#include "common/log.h"

namespace ticklake {

namespace {
using std::chrono::duration_cast;
using std::chrono::milliseconds;
} // namespace

LiveStreamSource::LiveStreamSource(LiveSourceOptions options, std::unique_ptr<StreamProtocol> protocol)
    : LiveSource(std::move(options)), protocol_(std::move(protocol)) {}

LiveStreamSource::~LiveStreamSource() { finish(); }

void LiveStreamSource::finish() {
    done_ = true;
    if (conn_) {
        conn_->close();
        conn_.reset();
    }
}

Status LiveStreamSource::connect() {
    net::WebSocketOptions wo;
    wo.url = protocol_->connect_url();
    wo.idle_timeout = seconds_to_ms(options_.idle_timeout_s);
    wo.ca_file = options_.ca_file;
    auto c = net::WebSocketClient::connect(wo);
    if (!c) {
        if (c.error().kind != ErrorKind::retry) {
            ++emitter_.stats.connect_failures;
            return fail(c.error());
        }
        next_attempt_ = retry_later(c.error());
        return {};
    }
    conn_ = std::move(*c);
    connected_at_ = Clock::now();
    healthy_ = false;
    if (emitter_.stats.connects++ > 0) {
        log::info("{}: reconnected ({}), subscribing again", options_.vendor, emitter_.stats.connects - 1);
    }
    for (const std::string& m : protocol_->on_open()) {
        if (auto st = conn_->send_text(m); !st) {
            lost(st.error());
            return {};
        }
    }
    return {};
}

void LiveStreamSource::lost(const Error& why) {
    ++emitter_.stats.disconnects;
    conn_.reset();
    const auto delay = backoff_.next();
    log::warn("{}: {}; reconnecting in {:.1f} s", options_.vendor, why.message, delay.count() / 1000.0);
    next_attempt_ = Clock::now() + delay;
}

Result<size_t> LiveStreamSource::next_batch(std::vector<Event>& out, size_t max_events) {
    if (done_) {
        return 0;
    }
    const size_t before = out.size();
    emitter_.begin(&out);
    Context ctx(emitter_);
    auto slice_end = Clock::now() + kSlice;
    if (deadline_) {
        slice_end = std::min(slice_end, *deadline_);
    }
    while (out.size() - before < max_events) {
        const auto now = Clock::now();
        if (deadline_ && now >= *deadline_) {
            finish();
            break;
        }
        if (!conn_) {
            if (now < next_attempt_) {
                if (now >= slice_end) {
                    break;
                }
                std::this_thread::sleep_until(std::min(next_attempt_, slice_end));
                continue;
            }
            if (auto st = connect(); !st) {
                finish();
                return fail(final_error(st.error()));
            }
            continue;
        }
        if (options_.max_connection_age_s > 0 && now - connected_at_ >= seconds_to_ms(options_.max_connection_age_s)) {
            // The vendor cuts connections at a fixed age (Binance: 24 h); leaving first
            // and coming straight back loses less than being cut mid-message.
            log::info("{}: connection is {:.0f} s old, renewing it before the vendor's limit", options_.vendor,
                      std::chrono::duration<double>(now - connected_at_).count());
            conn_->close();
            conn_.reset();
            next_attempt_ = now;
            continue;
        }
        const auto wait = out.size() > before ? milliseconds(0)
                                               : std::max(milliseconds(0), duration_cast<milliseconds>(slice_end - now));
        auto m = conn_->read(wait);
        if (!m) {
            lost(m.error());
            continue;
        }
        if (!*m) {
            if (out.size() > before || Clock::now() >= slice_end) {
                break;
            }
            continue;
        }
        ++emitter_.stats.messages;
        emitter_.mark_received();
        auto st = protocol_->on_message(**m, ctx);
        if (!st) {
            if (st.error().kind == ErrorKind::retry) {
                lost(st.error());
                continue;
            }
            finish();
            return fail(final_error(st.error()));
        }
        for (const std::string& reply : ctx.outbox) {
            if (auto sent = conn_->send_text(reply); !sent) {
                lost(sent.error());
                break;
            }
        }
        ctx.outbox.clear();
        if (!healthy_ && out.size() > before) {
            healthy_ = true;
            backoff_.reset();
        }
    }
    return out.size() - before;
}

} // namespace ticklake
