// Named crash points of the sink's commit protocol (sink_journal.h), for the chaos suite: with
// TICKLAKE_CRASH_AT=<point>[:<nth>] in the environment, the process kills itself with SIGKILL
// the nth time (default 1) it reaches that point, so a test can stop it exactly between two
// steps of the protocol instead of hoping a random kill lands there. Read once, at the first
// point reached; unset, a point costs one load of a static. docs/exactly-once.md maps each
// point to its step.
#pragma once

#include <optional>
#include <string_view>

namespace ticklake {

enum class CrashPoint {
    after_write,            //!< writer thread: a file's temp copy is complete, not yet published
    before_rename,          //!< writer thread: the batch's last file is about to be published
    after_publish,          //!< writer thread: every file of the batch is visible, nothing committed
    before_commit,          //!< sink thread: the batch is durable, its offset about to be committed
    before_journal_removal, //!< sink thread: the offset is committed, the journal still there
    after_commit,           //!< sink thread: committed and the journal removed, listeners not told
    after_table_commit,     //!< sink thread: the table format (Iceberg) committed the batch, Kafka not yet
    between_table_commits,  //!< sink thread: a batch of several tables is in one (Iceberg), not yet the next
};

std::string_view to_string(CrashPoint p);
std::optional<CrashPoint> crash_point_from_string(std::string_view name);

//! Kills the process (SIGKILL) when TICKLAKE_CRASH_AT names p and this is its nth arrival.
void crash_point(CrashPoint p);

} // namespace ticklake
