// The sink: consumes a topic as a group member, buffers events per partition and table,
// writes files, and commits offsets only after those files are durable (sink_journal.h).
//
// @locality single-threaded: run() and the rebalance callbacks it triggers share one thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/event_json.h"
#include "format/record_writer.h"
#include "format/table_buffer.h"
#include "kafka/kafka_consumer.h"
#include "sink/batch_writer.h"
#include "sink/partition_batch.h"
#include "sink/sink_journal.h"
#include "sink/sink_options.h"
#include "storage/object_store.h"

namespace ticklake {

struct SinkStats {
    uint64_t consumed = 0;          //!< messages read from Kafka
    uint64_t rows_written = 0;      //!< rows in committed files
    uint64_t files_written = 0;     //!< data files committed
    uint64_t dead_letters = 0;      //!< malformed messages committed to dead_letters
    uint64_t batches_committed = 0;
    uint64_t recovered_removed = 0; //!< files of crashed attempts removed on assignment
    std::map<std::string, uint64_t> rows_by_table;
    double busy_seconds = 0; //!< from start to the last message, plus the final flush
};

//! "<topic>-p<partition>-o<first offset, 20 digits>.<ext>": sorts by offset, parses from the right.
std::string sink_file_name(std::string_view topic, int32_t partition, int64_t first_offset, std::string_view ext);

class SinkRunner {
public:
    //! One writer thread per element of writers (all of one format).
    SinkRunner(SinkOptions options, ObjectStore& store, std::vector<std::unique_ptr<RecordWriter>> writers,
               KafkaConsumer& consumer);

    //! Consumes until `stop` is set, --until-idle is reached, or a fatal error. Flushes and
    //! commits what it holds before returning.
    Status run(const std::atomic<bool>& stop);
    const SinkStats& stats() const { return stats_; }

private:
    struct PartitionState {
        PartitionBatch batch;   //!< filling
        bool in_flight = false; //!< a previous batch is with the writer, not committed yet
        bool at_eof = false;
    };

    void on_assign(const std::vector<PartitionOffset>& assigned);
    void on_revoke(const std::vector<int32_t>& revoked);
    Status recover(int32_t partition, int64_t committed);
    void accept(const ConsumedMessage& m, std::chrono::steady_clock::time_point now);
    bool should_rotate(const PartitionBatch& b) const;
    //! Hands the partition's batch to the writer (after its previous one is committed).
    Status submit(int32_t partition);
    //! Commits what the writer finished; with block, waits for at least one.
    Status commit_completed(bool block);
    Status wait_for(int32_t partition);
    Status flush_all();
    std::string data_key(const FileBuffer& f, int32_t partition) const;
    std::string dead_letter_key(const PartitionBatch& b, int32_t partition) const;
    std::string period_value(int64_t period) const;
    int64_t period_of(TimestampUs ts) const;
    void print_progress(bool final);

    SinkOptions options_;
    ObjectStore& store_;
    std::string extension_; //!< of the writers' files
    KafkaConsumer& consumer_;
    EventParser parser_;
    Event event_; //!< reused for every message
    std::map<int32_t, PartitionState> partitions_; //!< assigned partitions
    size_t buffered_bytes_ = 0;  //!< in filling batches
    size_t in_flight_bytes_ = 0; //!< in batches with the writer
    BatchWriter batch_writer_;
    bool joined_ = false; //!< in the group with a current assignment (maybe empty)
    bool failed_ = false; //!< a batch failed: write and commit nothing more (not even on revoke)
    Status failure_;      //!< why, when failed_
    bool in_revoke_ = false; //!< inside on_revoke: failures concern partitions being given up
    Status pending_error_;   //!< an error raised inside a rebalance callback
    SinkStats stats_;
    std::chrono::steady_clock::time_point last_activity_;
    std::chrono::steady_clock::time_point last_message_;
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point last_progress_;
    uint64_t consumed_at_last_progress_ = 0;
};

} // namespace ticklake
