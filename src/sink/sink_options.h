// Settings of one sink process (`ticklake sink --help` documents each).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "decode/value_format.h"
#include "format/record_writer.h"
#include "format/value_type.h"
#include "kafka/kafka_client_config.h"
#include "sink/time_partition.h"

namespace ticklake {

//! A column whose type is given, not inferred (--column NAME=TYPE).
struct ColumnOverride {
    std::string field;
    ValueType type;
};

struct SinkOptions {
    KafkaClientConfig kafka;
    //! Topic names, or patterns starting with '^' (POSIX regex: every matching topic).
    std::vector<std::string> topics;
    std::string group;
    ValueFormat value_format = ValueFormat::automatic; //!< decided once per topic when automatic
    //! Table of each topic of an open format (json, csv, raw); a topic not named here lands in
    //! `default_table`, or when that is empty in a table named after the topic.
    std::map<std::string, std::string> table_for_topic;
    std::string default_table;
    std::string time_field;                  //!< open formats: the event-time field; empty = detect
    std::vector<ColumnOverride> columns;     //!< explicit types of open-format fields
    std::vector<std::string> partition_by;   //!< fields that become Hive partitions before the time one
    bool kafka_metadata = false;             //!< add _topic, _partition, _offset, _kafka_ts, _key, _headers
    std::vector<std::string> csv_columns;    //!< csv format: column names (else a header message)
    //! Schema Registry (avro format, and auto on values with its magic byte): http(s)://host:port
    //! or file:///dir; empty: none.
    std::string schema_registry;
    std::string schema_registry_auth;        //!< "user:password" for HTTP basic auth (empty: none)
    std::string schema_registry_ca_file;     //!< PEM bundle for an https registry (empty: the system's)
    std::optional<std::string> csv_null_values; //!< csv format: null tokens (default: csv_dialect's list)
    size_t max_columns = 500;                //!< a message that would grow a table past this is a dead letter
    size_t max_value_bytes = 1u << 20;       //!< a larger value is a dead letter
    //! Columns an open table already has (name, Hive type), e.g. from the catalog; nullopt for a
    //! new table. The sink types new rows against them, so a number column stays a number.
    std::function<std::optional<std::vector<std::pair<std::string, std::string>>>(const std::string& database,
                                                                                   const std::string& table)>
        existing_columns;
    std::string warehouse;             //!< folder or file:// URI
    std::string format = "parquet";    //!< parquet | jsonl | csv
    std::string database = "market";   //!< first path level under the warehouse
    //! automatic: each table's grain from its data (time_partition.h); explicit: every table's,
    //! refused for a table whose kept grain differs.
    TimePartition time_partition = TimePartition::automatic;
    //! IANA zone whose local date and hour name the time partitions (dt, hour, month, ...) and
    //! fill the dt column; kept with the grain, refused for a table kept with another zone.
    std::string partition_tz = "UTC";
    size_t rotate_rows = 1'000'000;    //!< flush a partition's batch at this many rows
    size_t rotate_bytes = 128u << 20;  //!< ... or this many buffered bytes
    int64_t rotate_event_time_us = 0;  //!< ... or when its event times span this much (0 = off)
    size_t max_buffer_bytes = 512u << 20; //!< over all partitions: flush the largest above this
    //! Flush data older than this (so retention never outruns it). 60 s: a stream of one row a
    //! second (the tutorial's) is queryable within about a minute (bench/README.md, "Latency"),
    //! at one file a minute per partition and table, which compaction merges later.
    int max_buffer_age_s = 60;
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
