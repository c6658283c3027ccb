// POSIX process and socket plumbing of the local broker: spawn detached, look at /proc,
// probe ports. Nothing here knows about Kafka beyond the command line it is handed.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

#include "common/error.h"

namespace ticklake::broker {

//! True when 127.0.0.1:port cannot be bound (something listens there). SO_REUSEADDR is set
//! as the JVM does, so sockets left in TIME_WAIT by a stopped broker do not count as busy.
Result<bool> port_in_use(int port);

//! Alive and not a zombie. EPERM from kill(0) counts as alive (someone else's process).
bool process_alive(pid_t pid);

//! /proc/<pid>/cmdline with NULs turned into spaces; empty when gone or unreadable.
std::string process_cmdline(pid_t pid);

//! The pid runs `kafka.Kafka` and, when given, names `properties` on its command line.
//! Guards against a pid file whose pid was reused by an unrelated process.
bool is_broker_process(pid_t pid, const std::filesystem::path& properties = {});

struct CapturedRun {
    int exit_code = -1;  //!< exit status, or 128+signal
    std::string output;  //!< stdout and stderr interleaved
};

//! Runs argv[0] (a path, no PATH search) to completion with stdin from /dev/null.
//! ErrorKind::retry when it did not finish within timeout (it is killed).
Result<CapturedRun> run_and_capture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

//! Starts argv[0] in a new session (its own process group, no controlling terminal),
//! stdin from /dev/null, stdout and stderr appended to `output`, working dir `cwd`.
//! Double fork: the child is re-parented away from us, so our exit never kills it and
//! it never lingers as our zombie. Returns the pid, which is also its process group id.
Result<pid_t> spawn_detached(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                             const std::filesystem::path& output);

//! Sends sig to the process group `pid` (falls back to the single pid). False when gone.
bool signal_group(pid_t pid, int sig);

//! The last n lines of a file from byte `from` on (for "what did it say before it died").
std::vector<std::string> tail_lines(const std::filesystem::path& file, std::size_t n, std::uintmax_t from = 0);

} // namespace ticklake::broker
