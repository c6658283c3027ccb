// Writes batches to the warehouse on a thread of its own, so the sink keeps consuming
// while DuckDB sorts, encodes and compresses the previous batch (the two cores both work).
//
// @locality submit() and take_completed() from the sink's thread; everything else on the
// writer threads. Each writer thread owns one RecordWriter (DuckDB connections are not shared).
// Jobs of one partition never overlap (the sink keeps one in flight per partition), so any
// thread may take any job.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "format/record_writer.h"
#include "net/retry_policy.h"
#include "sink/commit_listener.h"
#include "sink/partition_batch.h"
#include "sink/sink_journal.h"
#include "storage/object_store.h"

namespace ticklake {

struct FlushJob {
    Partition partition;
    PartitionBatch batch;
    SinkJournal journal;     //!< keys: one per batch.files entry (per part when cut; map order), then dead letters
    std::string journal_key;
    Topic topic;
    // Counted when the job is made, for the stats of the commit that follows.
    uint64_t rows = 0;
    uint64_t data_files = 0;
    uint64_t dead_letters = 0;
    std::map<std::string, uint64_t> rows_by_table;
    std::map<std::string, uint64_t> files_by_table;
    std::map<DeadLetterCode, uint64_t> dead_letters_by_code;
    std::map<std::string, uint64_t> bytes_by_table; //!< of the data files, set by the writer thread
    std::vector<CommittedFile> described; //!< for the commit listener, when there is one
    Status result;           //!< set by the writer thread
};

class BatchWriter {
public:
    //! One thread per writer. A write failing with a retriable error (storage unreachable,
    //! throttled) is retried with capped exponential backoff for up to `retry_for`, so an
    //! outage of the store is ridden out: nothing is committed meanwhile. Destroying the
    //! writer ends such retries at once (their jobs fail; nobody would commit them).
    BatchWriter(ObjectStore& store, std::vector<std::unique_ptr<RecordWriter>> writers,
                std::chrono::milliseconds retry_for = std::chrono::minutes(10));
    ~BatchWriter();
    BatchWriter(const BatchWriter&) = delete;
    BatchWriter& operator=(const BatchWriter&) = delete;

    //! Asked from a writer thread before a job's journal is written and before each of its
    //! files is published: an error (the partition now belongs to another member) ends the
    //! job with nothing more published. Set before the first submit().
    using OwnershipCheck = std::function<Status(const FlushJob&)>;
    void set_ownership_check(OwnershipCheck check) { ownership_check_ = std::move(check); }
    //! The field ids of a data file's columns, asked from a writer thread before the file is
    //! written (Iceberg tables number columns by name: TableCommitter::field_ids). Unset, or
    //! empty: the writer's own numbering. Set before the first submit().
    using FieldIds = std::function<Result<std::vector<int>>(const std::string& table, const ColumnBatch& batch)>;
    void set_field_ids(FieldIds ids) { field_ids_ = std::move(ids); }
    //! The process's stop request (SIGINT/SIGTERM): once set, a failing write is not retried
    //! (the attempt under way finishes, a backoff wait ends within 50 ms), and after one such
    //! give-up the jobs still queued fail without an attempt, so stopping during a storage
    //! outage takes seconds, not --storage-retry-timeout. Their batches are not committed; the
    //! next run redoes them. Call before the first submit() (the jobs' hand-over publishes it).
    void stop_retries_when(const std::atomic<bool>& stop) { stop_ = &stop; }

    void submit(std::unique_ptr<FlushJob> job);
    //! Jobs finished since the last call (written, or failed: see result). With block, waits
    //! until at least one is finished, unless none is in flight.
    std::vector<std::unique_ptr<FlushJob>> take_completed(bool block);
    size_t in_flight() const;
    //! Whether the last write attempt failed with a retriable error (the store does not
    //! answer) and no write has succeeded since. Read from any thread.
    bool storage_failing() const { return storage_failing_.load(std::memory_order_relaxed); }

private:
    void loop(RecordWriter& writer);
    //! Journal first, then every file (temp, fsync, rename); retries transient failures.
    Status write(FlushJob& job, RecordWriter& writer);
    Status write_once(FlushJob& job, RecordWriter& writer);
    Status write_dead_letters(const FlushJob& job, const std::string& key);
    Status still_owned(const FlushJob& job) const;

    ObjectStore& store_;
    std::vector<std::unique_ptr<RecordWriter>> writers_;
    net::RetryPolicy retry_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::unique_ptr<FlushJob>> queue_;
    std::vector<std::unique_ptr<FlushJob>> done_;
    size_t in_flight_ = 0;
    //! Set under mu_ (for cv_); read without it by the retry loop's stop predicate.
    std::atomic<bool> stopping_{false};
    OwnershipCheck ownership_check_;
    FieldIds field_ids_;
    const std::atomic<bool>* stop_ = nullptr; //!< the caller's stop request; may be null
    //! A write gave up because of a stop request: the store is failing and nobody waits.
    std::atomic<bool> gave_up_on_stop_{false};
    std::atomic<bool> storage_failing_{false};
    std::vector<std::thread> threads_;
};

} // namespace ticklake
