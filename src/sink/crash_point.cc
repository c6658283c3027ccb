#include "sink/crash_point.h"

#include <array>
#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <unistd.h>

#include "common/log.h"

namespace ticklake {

namespace {

constexpr std::array<std::string_view, 8> kNames = {"after_write",        "before_rename",
                                                     "after_publish",      "before_commit",
                                                     "before_journal_removal", "after_commit",
                                                     "after_table_commit", "between_table_commits"};

struct CrashPlan {
    std::optional<CrashPoint> point;
    long nth = 1;
    std::atomic<long> arrivals{0};

    CrashPlan() {
        const char* env = std::getenv("TICKLAKE_CRASH_AT");
        if (env == nullptr || *env == '\0') {
            return;
        }
        std::string_view spec(env);
        std::string_view name = spec.substr(0, spec.find(':'));
        if (auto colon = spec.find(':'); colon != std::string_view::npos) {
            auto count = spec.substr(colon + 1);
            auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), nth);
            if (ec != std::errc() || end != count.data() + count.size() || nth < 1) {
                log::error("TICKLAKE_CRASH_AT={}: the count after ':' must be a positive integer; ignored", spec);
                return;
            }
        }
        point = crash_point_from_string(name);
        if (!point) {
            log::error("TICKLAKE_CRASH_AT={}: unknown crash point; ignored", spec);
        }
    }
};

CrashPlan& plan() {
    static CrashPlan p; // thread-safe once, at the first point any thread reaches
    return p;
}

} // namespace

std::string_view to_string(CrashPoint p) { return kNames[static_cast<size_t>(p)]; }

std::optional<CrashPoint> crash_point_from_string(std::string_view name) {
    for (size_t i = 0; i < kNames.size(); ++i) {
        if (kNames[i] == name) {
            return static_cast<CrashPoint>(i);
        }
    }
    return std::nullopt;
}

void crash_point(CrashPoint p) {
    CrashPlan& c = plan();
    if (c.point != p || c.arrivals.fetch_add(1) + 1 != c.nth) {
        return;
    }
    log::warn("sink: crash point {} reached (arrival {}): killing the process", to_string(p), c.nth);
    ::kill(::getpid(), SIGKILL);
    ::_exit(137); // not reached
}

} // namespace ticklake
