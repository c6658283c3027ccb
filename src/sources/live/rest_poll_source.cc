#include "sources/live/rest_poll_source.h"

#include <algorithm>
#include <thread>

#include "common/log.h"

namespace ticklake {

RestPollSource::RestPollSource(LiveSourceOptions options, std::unique_ptr<PollProtocol> protocol)
    : LiveSource(std::move(options)),
      protocol_(std::move(protocol)),
      http_(std::chrono::seconds(20), "ticklake", options_.ca_file) {
    // Spread the first polls over one interval so many symbols do not burst the rate limit.
    const auto now = Clock::now();
    const auto step = seconds_to_ms(options_.poll_interval_s) / std::max<size_t>(options_.symbols.size(), 1);
    for (size_t i = 0; i < options_.symbols.size(); ++i) {
        due_.push_back(now + step * static_cast<int64_t>(i));
    }
    if (due_.empty()) {
        done_ = true;
    }
}

Result<size_t> RestPollSource::next_batch(std::vector<Event>& out, size_t max_events) {
    (void)max_events; // one response is at most a few thousand bars: no need to split it
    if (done_) {
        return 0;
    }
    const size_t before = out.size();
    emitter_.begin(&out);
    Context ctx(emitter_);
    const auto now = Clock::now();
    if (deadline_ && now >= *deadline_) {
        done_ = true;
        return 0;
    }
    const size_t i = static_cast<size_t>(std::min_element(due_.begin(), due_.end()) - due_.begin());
    auto when = std::max(due_[i], not_before_);
    if (when > now) {
        auto until = std::min(when, now + kSlice);
        if (deadline_) {
            until = std::min(until, *deadline_);
        }
        std::this_thread::sleep_until(until);
        return 0;
    }
    const std::string& symbol = options_.symbols[i];
    const auto interval = seconds_to_ms(options_.poll_interval_s);
    auto res = http_.get(protocol_->request_url(symbol));
    if (!res) {
        if (res.error().kind != ErrorKind::retry) {
            done_ = true;
            return fail(final_error(res.error()));
        }
        not_before_ = retry_later(res.error());
        return 0;
    }
    ++emitter_.stats.messages;
    emitter_.mark_received();
    if (res->status == 401 || res->status == 403) {
        done_ = true;
        const std::string why = options_.vendor + " refused the request with HTTP " + std::to_string(res->status) +
                                ": the API key is missing, wrong or not entitled";
        return fail(final_error(Error::fatal(why)));
    }
    if (res->status == 429 || res->status >= 500) {
        if (res->status == 429) {
            ++emitter_.stats.rate_limited;
        }
        const auto delay = res->retry_after ? std::chrono::duration_cast<std::chrono::milliseconds>(*res->retry_after)
                                            : backoff_.next();
        log::warn("{}: HTTP {} for {}; waiting {:.1f} s", options_.vendor, res->status, symbol, delay.count() / 1000.0);
        not_before_ = Clock::now() + delay;
        return 0;
    }
    auto advice = protocol_->on_response(symbol, res->status, res->body, ctx);
    if (!advice) {
        if (advice.error().kind == ErrorKind::retry) {
            not_before_ = Clock::now() + backoff_.next();
            return 0;
        }
        done_ = true;
        return fail(final_error(advice.error()));
    }
    if (advice->slow_down) {
        ++emitter_.stats.rate_limited;
        log::warn("{}: rate limit reached; waiting {:.1f} s", options_.vendor, advice->slow_down->count() / 1000.0);
        not_before_ = Clock::now() + *advice->slow_down; // the same symbol is asked again after the wait
        return out.size() - before;
    }
    backoff_.reset();
    due_[i] = Clock::now() + interval;
    return out.size() - before;
}

} // namespace ticklake
