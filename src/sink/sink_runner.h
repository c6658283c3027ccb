// The sink: consumes topics as a group member, buffers rows per topic partition and file,
// writes files, and commits offsets only after those files are durable (sink_journal.h).
// A topic's messages are ticklake events (typed tables: trades, quotes, bars, records) or, in
// the open formats (json, csv, raw), rows of one table per topic whose columns come from the
// data (format/open_table.h).
//
// @locality single-threaded: run() and the rebalance callbacks it triggers share one thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/event_json.h"
#include "common/zone_clock.h"
#include "decode/csv_row_decoder.h"
#include "decode/schema_row_decoder.h"
#include "decode/json_row_decoder.h"
#include "format/open_table.h"
#include "format/record_writer.h"
#include "format/table_buffer.h"
#include "kafka/kafka_consumer.h"
#include "sink/batch_writer.h"
#include "sink/commit_listener.h"
#include "sink/partition_batch.h"
#include "sink/sink_journal.h"
#include "sink/sink_options.h"
#include "sink/sink_probe.h"
#include "sink/table_committer.h"
#include "sink/topic_state.h"
#include "storage/object_store.h"

namespace ticklake {

struct SinkStats {
    uint64_t consumed = 0;          //!< messages read from Kafka
    uint64_t rows_written = 0;      //!< rows in committed files
    uint64_t files_written = 0;     //!< data files committed
    uint64_t dead_letters = 0;      //!< malformed messages committed to dead_letters
    uint64_t tombstones = 0;        //!< messages without a value (skipped, except in the raw format)
    uint64_t header_lines = 0;      //!< CSV header messages (not data)
    uint64_t batches_committed = 0;
    uint64_t recovered_removed = 0; //!< files of crashed attempts removed on assignment
    //! Messages not written again because their table held them already (Iceberg, after a
    //! crash between the tables' commits of a batch).
    uint64_t already_in_table = 0;
    std::map<std::string, uint64_t> rows_by_table;
    std::map<std::string, std::string> time_partition_by_table; //!< grain of each table written or kept
    double busy_seconds = 0; //!< from start to the last message, plus the final flush
    double cpu_seconds = 0;  //!< user+sys of the whole process (librdkafka's threads too) at the end
};

//! "<topic>-p<partition>-o<first offset, 20 digits>.<ext>": sorts by offset, parses from the right.
std::string sink_file_name(const Topic& topic, Partition partition, Offset first_offset, std::string_view ext);

//! A partition value as a Hive path segment: characters Hive escapes as %XX (/ = % and control
//! characters among them); an empty value is __HIVE_DEFAULT_PARTITION__, as Hive writes NULL.
std::string hive_partition_value(std::string_view value);

class SinkRunner {
public:
    //! One writer thread per element of writers (all of one format).
    SinkRunner(SinkOptions options, ObjectStore& store, std::vector<std::unique_ptr<RecordWriter>> writers,
               KafkaConsumer& consumer);

    //! Consumes until `stop` is set, --until-idle is reached, or a fatal error. Flushes and
    //! commits what it holds before returning.
    Status run(const std::atomic<bool>& stop);
    const SinkStats& stats() const { return stats_; }
    //! Told of every committed batch's files (e.g. the catalog registrar); may be null. Set
    //! before run(); the listener must outlive it.
    void set_commit_listener(CommitListener* listener) { listener_ = listener; }
    //! A table format that commits each batch before its offsets (Iceberg); may be null. Set
    //! before run(); it must outlive it.
    void set_table_committer(TableCommitter* committer);
    //! Where metrics and readiness go (e.g. the one --metrics-addr serves); by default a probe
    //! of the process registry. Set before run(); the probe must outlive it.
    void set_probe(SinkProbe* probe) { probe_ = probe; }

private:
    //! A table's time partition: kept under the warehouse, or chosen at its first flush (auto).
    struct TableGrain {
        TimePartition grain = TimePartition::automatic; //!< automatic: not decided yet
    };

    //! How one topic is read, decided once (topic_state.h).
    struct TopicRoute {
        Topic topic;
        TopicState state;       //!< value_format automatic until the first message decides
        bool loaded = false;    //!< state read from the store (or found missing)
        std::string table;      //!< open formats: the table of the topic
        OpenSchema* schema = nullptr;
        CsvRowDecoder csv;
        std::string csv_header; //!< the header message's text, to skip repeats of it
        std::vector<uint32_t> meta_columns; //!< _topic, _partition, _offset, _kafka_ts, _key, _headers
        TableGrain* grain = nullptr; //!< open formats: of `table`, once looked up
    };

    //! An open table: its schema, shared by every topic that lands in it, and the columns the
    //! sink fills itself (Kafka metadata), declared once.
    struct OpenTable {
        std::unique_ptr<OpenSchema> schema;
        std::vector<uint32_t> meta_columns;
        std::vector<int32_t> schema_ids; //!< registry schemas whose columns are declared in `schema`
    };

    struct PartitionState {
        TopicRoute* route = nullptr;
        PartitionBatch batch;   //!< filling
        bool in_flight = false; //!< a previous batch is with the writer, not committed yet
        bool at_eof = false;
        Offset committed;       //!< next offset committed for the group; none: not known yet
        //! After a crash between commits: tables that hold this partition up to (not including)
        //! an offset past where reading resumed. Their rows before it are skipped.
        std::map<std::string, Offset> held;
    };

    void on_assign(const std::vector<PartitionOffset>& assigned);
    void on_revoke(const std::vector<TopicPartition>& revoked);
    //! With a table committer: the tables that hold tp beyond `committed` (all that record tp
    //! when the group has no offset), each with its next offset (PartitionState::held).
    std::map<std::string, Offset> held_by_tables(const TopicPartition& tp, Offset committed);
    //! Removes the files of tp's uncommitted batch, except those of tables in `held` that took it.
    Status recover(const TopicPartition& tp, Offset committed, const std::map<std::string, Offset>& held);
    TopicRoute& route_for(const Topic& topic);
    Status load_state(TopicRoute& r);
    Status decide(TopicRoute& r, const ConsumedMessage& m);
    Status save_state(const TopicRoute& r);
    OpenTable& open_table_for(TopicRoute& r);
    PartitionState* state_of(const ConsumedMessage& m);
    void accept(const ConsumedMessage& m, std::chrono::steady_clock::time_point now);
    //! The batch's file for key, made (starting at offset) when it has none yet.
    FileBuffer& file_for(PartitionBatch& b, FileKey key, TimePartition grain, Offset offset);
    void accept_event(const ConsumedMessage& m, PartitionState& ps);
    //! True (and counted) when `table` holds offset already (ps.held, after a crash between commits).
    bool already_in_table(PartitionState& ps, const std::string& table, Offset offset);
    //! The open formats: decode, route by partition values and time, append (or dead-letter).
    void accept_row(const ConsumedMessage& m, TopicRoute& r, PartitionBatch& b);
    Status decode_row(const ConsumedMessage& m, TopicRoute& r, TimestampUs& ts, std::string& partition_path);
    // The steps of decode_row().
    Status decode_value(const ConsumedMessage& m, TopicRoute& r);
    void choose_time_field(TopicRoute& r);
    Status event_time_of_row(const ConsumedMessage& m, const TopicRoute& r, TimestampUs& ts);
    //! Removes the --partition-by cells from row_ and makes their Hive path ("f=v/...").
    void take_partition_values(std::string& partition_path);
    void add_metadata(const ConsumedMessage& m, const TopicRoute& r);
    //! Declares the columns of the registry schema the last framed message named, once per id.
    void declare_schema_columns(TopicRoute& r);
    void dead_letter(const ConsumedMessage& m, PartitionBatch& b, DeadLetterCode code, std::string reason);
    void add_bytes(PartitionBatch& b, size_t bytes);
    bool should_rotate(const PartitionBatch& b) const;
    //! Hands the partition's batch to the writer (after its previous one is committed).
    Status submit(const TopicPartition& tp);
    //! Commits what the writer finished; with block, waits for at least one.
    Status commit_completed(bool block);
    Status wait_for(const TopicPartition& tp);
    Status flush_all();
    std::string data_key(const FileBuffer& f, int64_t period, const TopicPartition& tp) const;
    std::string dead_letter_key(const PartitionBatch& b, const TopicPartition& tp) const;
    //! The table's grain, read from the store (or its existing files) on first use; a kept grain
    //! that differs from an explicit --time-partition stops the sink (pending_error_).
    TableGrain& grain_of_table(const std::string& table);
    Status load_table_grain(const std::string& table, TableGrain& g);
    //! Decides the grain of the batch's tables that have none (auto), keeps it, and cuts their
    //! rows into one part per period; adds the dt column where the grain's folders lack it.
    void settle_time_partitions(PartitionBatch& b);
    void print_progress(bool final);
    //! Gauges of the probe (buffered rows and bytes, lag per partition, storage), once a second.
    void report_gauges();
    // The steps of run(), in the order one poll goes through them.
    Status route(const PollBatch& polled, std::chrono::steady_clock::time_point now);
    Status bound_memory();
    Status flush_aged(std::chrono::steady_clock::time_point now);
    bool caught_up_and_idle(std::chrono::steady_clock::time_point now) const;
    Status finish(Status result);
    //! Writer threads: whether this member still owns job's partition (see membership_until_).
    Status confirm_ownership(const FlushJob& job);
    void membership_confirmed(std::chrono::steady_clock::time_point sent);

    SinkOptions options_;
    ZoneClock partition_clock_; //!< options_.partition_tz: local time of the time partitions
    ObjectStore& store_;
    std::string extension_; //!< of the writers' files
    //! JSON Lines: typed tables keep each message in the writer's form as its row, which the
    //! writer copies (ColumnBatch::json_rows) instead of writing every value again.
    bool json_rows_ = false;
    KafkaConsumer& consumer_;
    EventParser parser_;
    Event event_; //!< reused for every message
    JsonRowDecoder json_;
    std::unique_ptr<SchemaRegistryClient> registry_; //!< with --schema-registry
    std::unique_ptr<SchemaRowDecoder> framed_;       //!< with registry_: avro, protobuf, jsonschema
    const std::atomic<bool>* stop_ = nullptr;        //!< run()'s: ends a wait for the registry
    RowCells row_; //!< reused for every message
    std::map<Topic, std::unique_ptr<TopicRoute>> routes_;
    std::map<std::string, OpenTable> open_tables_; //!< by table name
    std::map<std::string, TableGrain> table_grains_; //!< by table name (nodes stay put: pointers below)
    std::array<TableGrain*, 3> typed_grains_{};      //!< trades, quotes, bars, found without the name
    std::array<TableSizeHint, 4> size_hints_{};      //!< per EventType: its last file's size (TableBuffer::reserve)
    TableGrain* record_grain_ = nullptr;             //!< of the last record's table (looked up per record)
    std::map<TopicPartition, PartitionState> partitions_;        //!< assigned partitions
    // The partition of the previous message: consecutive messages nearly always share it.
    const void* last_topic_ = nullptr;
    Partition last_partition_{-1};
    PartitionState* last_state_ = nullptr;
    size_t buffered_bytes_ = 0;  //!< in filling batches
    size_t in_flight_bytes_ = 0; //!< in batches with the writer
    BatchWriter batch_writer_;
    bool joined_ = false; //!< in the group with a current assignment (maybe empty)
    bool failed_ = false; //!< a batch failed: write and commit nothing more (not even on revoke)
    Status failure_;      //!< why, when failed_
    bool in_revoke_ = false; //!< inside on_revoke: failures concern partitions being given up
    Status pending_error_;   //!< an error raised inside a rebalance callback
    SinkStats stats_;
    CommitListener* listener_ = nullptr;
    TableCommitter* committer_ = nullptr;
    SinkProbe default_probe_;
    SinkProbe* probe_ = &default_probe_;
    std::chrono::steady_clock::time_point last_gauges_;
    //! Until when (steady clock, ns) the coordinator cannot have given this member's partitions
    //! to another: a lease renewed by every accepted commit. Read and written by writer threads.
    std::atomic<int64_t> membership_until_{0};
    std::chrono::steady_clock::time_point last_activity_;
    std::chrono::steady_clock::time_point last_message_;
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point last_progress_;
    uint64_t consumed_at_last_progress_ = 0;
};

} // namespace ticklake
