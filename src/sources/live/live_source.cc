#include "sources/live/live_source.h"

#include "common/log.h"

namespace ticklake {

LiveSource::LiveSource(LiveSourceOptions options)
    : options_(std::move(options)),
      emitter_(options_.vendor, options_.dedup_window),
      backoff_(net::reconnect_policy(seconds_to_ms(options_.backoff_initial_s),
                                    seconds_to_ms(options_.backoff_max_s))) {
    if (options_.duration_s > 0) {
        deadline_ = Clock::now() + seconds_to_ms(options_.duration_s);
    }
}

LiveSource::Clock::time_point LiveSource::retry_later(const Error& why) {
    ++emitter_.stats.connect_failures;
    const auto delay = backoff_.next();
    log::warn("{}: {}; retrying in {:.1f} s", options_.vendor, why.message, delay.count() / 1000.0);
    return Clock::now() + delay;
}

} // namespace ticklake
