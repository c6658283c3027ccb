#include "maintenance/compaction_crash_point.h"

#include <array>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <unistd.h>

#include "common/log.h"

namespace ticklake {

namespace {

constexpr std::array<std::string_view, 4> kNames = {"compact_after_begin", "compact_after_publish",
                                                     "compact_after_swap", "compact_during_gc"};

struct CrashPlan {
    std::optional<CompactionCrashPoint> point;
    long nth = 1;
    long arrivals = 0; //!< a compaction reaches its points from one thread

    CrashPlan() {
        const char* env = std::getenv("TICKLAKE_CRASH_AT");
        if (env == nullptr) {
            return;
        }
        std::string_view spec(env);
        const std::string_view name = spec.substr(0, spec.find(':'));
        for (size_t i = 0; i < kNames.size(); ++i) {
            if (kNames[i] == name) {
                point = static_cast<CompactionCrashPoint>(i);
            }
        }
        if (auto colon = spec.find(':'); point && colon != std::string_view::npos) {
            auto count = spec.substr(colon + 1);
            auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), nth);
            if (ec != std::errc() || end != count.data() + count.size() || nth < 1) {
                log::error("TICKLAKE_CRASH_AT={}: the count after ':' must be a positive integer; ignored", spec);
                point.reset();
            }
        }
    }
};

} // namespace

std::string_view to_string(CompactionCrashPoint p) { return kNames[static_cast<size_t>(p)]; }

void crash_point(CompactionCrashPoint p) {
    static CrashPlan plan;
    if (plan.point != p || ++plan.arrivals != plan.nth) {
        return;
    }
    log::warn("compact: crash point {} reached (arrival {}): killing the process", to_string(p), plan.nth);
    ::kill(::getpid(), SIGKILL);
    ::_exit(137); // not reached
}

} // namespace ticklake
