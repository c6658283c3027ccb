// CPU time this process has used (user + system, all threads). Benchmarks divide it by the
// messages handled: on a machine shared with other work it is steadier than a rate, which
// also counts the time the process waited for a core.
#pragma once

#include <sys/resource.h>

namespace ticklake {

inline double process_cpu_seconds() {
    rusage u{};
    if (getrusage(RUSAGE_SELF, &u) != 0) {
        return 0;
    }
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

} // namespace ticklake
