// What `ticklake kafka start|stop|status` tell a person (stderr) or a script (status on
// stdout), rendered from the outcomes of LocalBroker so the command only prints.
#pragma once

#include <string>

#include "broker/kafka_runtime.h"
#include "broker/local_broker.h"
#include "common/console.h"

namespace ticklake::broker {

//! Start and stop progress as text for a person: every step on its own line; on a terminal the
//! waiting steps rewrite one line with the elapsed seconds instead of scrolling.
class ProgressText {
public:
    explicit ProgressText(bool terminal) : terminal_(terminal) {}
    //! What to write for this step.
    std::string on(const BrokerProgress& p);
    //! "\n" when a rewritten line is open, so the next message starts at column 0; else "".
    std::string finish();

private:
    bool terminal_;
    bool open_line_ = false;
    std::string last_;
};

//! Where the broker runs and how to stop it; for an already running broker, also a note when
//! it listens on another port than `requested_port`. Ends with a newline.
std::string start_report(const StartOutcome& outcome, const LocalBroker& broker, const KafkaRuntime& runtime,
                         int requested_port);

//! Whether a broker was stopped, killed after `timeout_s`, or not running. Ends with a newline.
std::string stop_report(const StopOutcome& outcome, const LocalBroker& broker, int timeout_s);

//! `key: value` lines (state, pid, bootstrap, controller, cluster_id, answers_metadata, ...).
std::string status_report(const BrokerStatus& status, const LocalBroker& broker);

//! The exit status of `kafka status`: 0 running and answering, 1 running but not answering,
//! 3 stopped.
int status_exit_code(const BrokerStatus& status);

//! `kafka start` from end to end: finds Java and the jars, starts the broker from `state_dir`
//! with its progress on console.err (`terminal`: see ProgressText), then the start report there
//! and the bootstrap address on console.out, the line scripts read.
Status start_and_report(const std::string& state_dir, const LocalBrokerOptions& options, const Console& console,
                        bool terminal);

//! `kafka stop`: stops the broker of `state_dir`, its progress and the stop report on console.err.
Status stop_and_report(const std::string& state_dir, int timeout_s, const Console& console, bool terminal);

//! `kafka status`: the status lines on console.out; returns the exit status (status_exit_code).
Result<int> status_and_report(const std::string& state_dir, std::chrono::milliseconds probe_timeout,
                              const Console& console);

} // namespace ticklake::broker
