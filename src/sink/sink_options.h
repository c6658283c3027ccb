// Settings of one sink process (`ticklake sink --help` documents each).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "format/record_writer.h"
#include "kafka/kafka_client_config.h"

namespace ticklake {

//! Granularity of the event-time Hive partition of every table.
enum class TimePartition { day, month, year };

struct SinkOptions {
    KafkaClientConfig kafka;
    std::string topic;
    std::string group;
    std::string warehouse;             //!< folder or file:// URI
    std::string format = "parquet";    //!< parquet | jsonl | csv
    std::string database = "market";   //!< first path level under the warehouse
    TimePartition time_partition = TimePartition::day;
    size_t rotate_rows = 1'000'000;    //!< flush a partition's batch at this many rows
    size_t rotate_bytes = 128u << 20;  //!< ... or this many buffered bytes
    int64_t rotate_event_time_us = 0;  //!< ... or when its event times span this much (0 = off)
    size_t max_buffer_bytes = 512u << 20; //!< over all partitions: flush the largest above this
    int max_buffer_age_s = 300;        //!< flush data older than this (so retention never outruns it)
    std::optional<double> until_idle_s; //!< exit 0 once caught up and idle this long
    bool progress = false;             //!< one status line per second on stderr
    int writer_threads = 2;            //!< files written in parallel (one DuckDB instance each)
    int storage_retry_s = 300;         //!< ride out a storage outage this long (< max.poll.interval.ms)
    WriterOptions writer;
    //! Called on the sink's thread with the keys of a batch's files once its offsets are
    //! committed (they are durable and final): the CLI registers them in the catalog here.
    //! Must not throw; a slow callback delays consuming.
    std::function<void(const std::vector<std::string>& keys)> on_committed;
};

} // namespace ticklake
