// Named crash points of a compaction, for the tests that kill it between two steps: the sink's
// mechanism (sink/crash_point.h) applied to this stage. With TICKLAKE_CRASH_AT=<point>[:<nth>]
// the process SIGKILLs itself the nth time it reaches <point>. Names of other stages' points
// are left to them. docs/maintenance.md maps each point to its step.
#pragma once

#include <string_view>

namespace ticklake {

enum class CompactionCrashPoint {
    after_begin,   //!< the run is recorded (`writing`), nothing written
    after_publish, //!< every output is durable in the warehouse, the catalog still lists the inputs
    after_swap,    //!< the catalog lists the outputs, the inputs wait for deletion
    during_gc,     //!< one replaced file deleted, its pending-deletion row still there
};

std::string_view to_string(CompactionCrashPoint p);

//! Kills the process (SIGKILL) when TICKLAKE_CRASH_AT names p and this is its nth arrival.
void crash_point(CompactionCrashPoint p);

} // namespace ticklake
