// One `ticklake sink` process from start to end: check the settings, make the writers, open the
// warehouse, fail fast on an unreachable cluster or a missing topic, join the group, and run
// until stopped, idle or failed. The command only reads flags into SinkPipelineOptions.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "common/error.h"
#include "kafka/kafka_consumer.h"
#include "sink/commit_listener.h"
#include "sink/sink_options.h"
#include "sink/sink_runner.h"
#include "sink/table_committer.h"
#include "storage/object_store.h"

namespace ticklake {

struct SinkPipelineOptions {
    SinkOptions sink;
    StartFrom start;
    ObjectStoreOptions store;
    //! Topics named as such (not patterns): each must exist before the sink starts.
    std::vector<std::string> named_topics;
    //! Made once the warehouse is open and the group joined (the catalog registrar); may be
    //! empty (no listener). It may set sink.existing_columns. A failure stops the sink.
    std::function<Result<CommitListener*>(ObjectStore& store, SinkOptions& sink)> listener;
    //! Made once the warehouse is open (Iceberg's committer, --table-format iceberg); may be
    //! empty (files only). A failure stops the sink.
    std::function<Result<TableCommitter*>(ObjectStore& store)> table_committer;
    //! HOST:PORT to serve /metrics, /healthz and /readyz on (port 0: any free one, logged);
    //! empty: no server. docs/metrics.md.
    std::string metrics_addr;
    //! Hears the start line ("sink: a,b -> file:///wh (parquet, values auto, group g)"), just
    //! before consuming begins; may be empty.
    std::function<void(const std::string&)> on_start;
};

struct SinkOutcome {
    Status status;   //!< why the sink stopped, when it failed
    bool ran = false; //!< consumed (stats and seconds are meaningful)
    SinkStats stats;
    double seconds = 0;
    bool stopped_before_start = false; //!< a stop request came while starting: a clean exit
};

SinkOutcome run_sink_pipeline(SinkPipelineOptions options, const std::atomic<bool>& stop);

//! The closing lines of a run ("sink: consumed ..., wrote ... rows in ... files ...").
std::vector<std::string> sink_summary_lines(const SinkStats& stats, double seconds);
//! The final counters as one JSON object (--summary-json), with a newline.
std::string sink_summary_json(const SinkStats& stats, double seconds);

} // namespace ticklake
