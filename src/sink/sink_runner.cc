#include "sink/sink_runner.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

namespace ticklake {

using Clock = std::chrono::steady_clock;

std::string sink_file_name(std::string_view topic, int32_t partition, int64_t first_offset, std::string_view ext) {
    return fmt::format("{}-p{}-o{:020d}.{}", topic, partition, first_offset, ext);
}

SinkRunner::SinkRunner(SinkOptions options, ObjectStore& store, std::vector<std::unique_ptr<RecordWriter>> writers,
                       KafkaConsumer& consumer)
    : options_(std::move(options))
    , store_(store)
    , extension_(writers.at(0)->extension())
    , consumer_(consumer)
    , batch_writer_(store, std::move(writers), std::chrono::seconds(options_.storage_retry_s)) {}

int64_t SinkRunner::period_of(TimestampUs ts) const {
    const int64_t day = ts >= 0 ? ts / kMicrosPerDay : -((-ts + kMicrosPerDay - 1) / kMicrosPerDay);
    switch (options_.time_partition) {
    case TimePartition::day: return day;
    case TimePartition::month: {
        const CivilDate d = civil_from_days(day);
        return d.year * 12 + (d.month - 1);
    }
    case TimePartition::year: return civil_from_days(day).year;
    }
    return day;
}

std::string SinkRunner::period_value(int64_t period) const {
    switch (options_.time_partition) {
    case TimePartition::day: return "dt=" + format_date(period * kMicrosPerDay);
    case TimePartition::month: {
        const int64_t y = period >= 0 ? period / 12 : -((-period + 11) / 12);
        return fmt::format("month={:04d}-{:02d}", y, period - y * 12 + 1);
    }
    case TimePartition::year: return fmt::format("year={:04d}", period);
    }
    return {};
}

std::string SinkRunner::data_key(const FileBuffer& f, int32_t partition) const {
    return options_.database + "/" + f.table + "/" + period_value(f.period) + "/" +
           sink_file_name(options_.topic, partition, f.first_offset, extension_);
}

std::string SinkRunner::dead_letter_key(const PartitionBatch& b, int32_t partition) const {
    const int64_t ts_ms = b.dead.front().kafka_ts_ms;
    const std::string date = format_date(ts_ms >= 0 ? ts_ms * 1000 : now_us());
    return options_.database + "/dead_letters/dt=" + date + "/" +
           sink_file_name(options_.topic, partition, b.dead.front().offset, "jsonl");
}

void SinkRunner::on_assign(const std::vector<PartitionOffset>& assigned) {
    for (const auto& po : assigned) {
        if (auto st = recover(po.partition, po.offset); !st && pending_error_) {
            pending_error_ = st;
        }
        partitions_[po.partition] = PartitionState{};
    }
    joined_ = true;
    last_activity_ = Clock::now();
    std::string list;
    for (const auto& po : assigned) {
        if (!list.empty()) {
            list.push_back(',');
        }
        list.append(std::to_string(po.partition));
    }
    std::fprintf(stderr, "%ssink: assigned partitions [%s] of %s\n", options_.progress ? "\n" : "", list.c_str(),
                 options_.topic.c_str());
}

void SinkRunner::on_revoke(const std::vector<int32_t>& revoked) {
    joined_ = false;
    if (failed_) {
        // After a failed batch nothing more may be written or committed for any partition:
        // a later commit would cover the failed batch's offsets. Drop what we hold; the next
        // owner recovers from the journals and the committed offsets.
        for (int32_t p : revoked) {
            if (auto it = partitions_.find(p); it != partitions_.end()) {
                buffered_bytes_ -= it->second.batch.bytes;
                partitions_.erase(it);
            }
        }
        return;
    }
    std::fprintf(stderr, "%ssink: %zu partition(s) revoked: flushing and committing them\n",
                 options_.progress ? "\n" : "", revoked.size());
    // Flush and commit what we hold so the next owner starts where we stopped. If that
    // fails, the journal stays and the next owner removes our files and redoes the batch.
    in_revoke_ = true;
    for (int32_t p : revoked) {
        Status st = submit(p);
        if (st) {
            st = wait_for(p);
        }
        if (!st) {
            std::fprintf(stderr, "sink: could not flush partition %d on revoke: %s\n", p, st.error().message.c_str());
        }
        auto it = partitions_.find(p);
        if (it != partitions_.end()) {
            buffered_bytes_ -= it->second.batch.bytes;
            partitions_.erase(it);
        }
    }
    in_revoke_ = false;
}

Status SinkRunner::recover(int32_t partition, int64_t committed) {
    const std::string jkey = sink_journal_key(options_.group, options_.topic, partition);
    auto content = store_.get_small(jkey);
    if (!content) {
        return fail(content.error());
    }
    if (!content->has_value()) {
        return {};
    }
    auto journal = SinkJournal::from_json(**content);
    if (!journal) {
        return fail(journal.error());
    }
    if (committed < 0 || journal->start >= committed) {
        // The batch never committed: its files (complete or not) must not stay visible.
        uint64_t removed = 0;
        for (const auto& key : journal->keys) {
            auto gone = store_.remove(key);
            if (!gone) {
                return fail(gone.error());
            }
            removed += *gone ? 1 : 0;
        }
        stats_.recovered_removed += removed;
        std::fprintf(stderr,
                     "sink: partition %d: removed %llu file(s) of an uncommitted batch (offsets %lld-%lld, %zu "
                     "planned)\n",
                     partition, static_cast<unsigned long long>(removed), static_cast<long long>(journal->start),
                     static_cast<long long>(journal->end), journal->keys.size());
    }
    if (auto gone = store_.remove(jkey); !gone) {
        return fail(gone.error());
    }
    return {};
}

void SinkRunner::accept(const ConsumedMessage& m, Clock::time_point now) {
    const int32_t p = m.partition();
    auto pit = partitions_.find(p);
    if (pit == partitions_.end()) {
        return; // a message of a partition revoked meanwhile: its next owner reads it again
    }
    pit->second.at_eof = false;
    PartitionBatch& b = pit->second.batch;
    if (b.empty()) {
        b.first_offset = m.offset();
        b.opened = now;
        b.min_ts = INT64_MAX;
        b.max_ts = INT64_MIN;
    }
    b.last_offset = m.offset();
    auto parsed = parser_.parse_into(m.value(), event_);
    if (!parsed) {
        b.dead.push_back({m.offset(), m.timestamp_ms(), std::string(m.key()), std::string(m.value()),
                          parsed.error().message});
        const size_t add = m.value().size() + 128;
        b.bytes += add;
        buffered_bytes_ += add;
        return;
    }
    const int64_t period = period_of(event_.ts);
    // Most messages go to the same file as the previous one: skip building the table name.
    FileBuffer* file = nullptr;
    if (event_.type != EventType::record) {
        const char* table = event_.type == EventType::trade ? "trades" : event_.type == EventType::quote ? "quotes" : "bars";
        for (auto& [key, f] : b.files) {
            if (key.second == period && key.first == table) {
                file = &f;
                break;
            }
        }
    }
    if (!file) {
        std::string table = table_name_for(event_);
        auto key = std::make_pair(table, period);
        auto fit = b.files.find(key);
        if (fit == b.files.end()) {
            fit = b.files.emplace(key, FileBuffer{TableBuffer(event_.type), table, period, m.offset()}).first;
        }
        file = &fit->second;
    }
    const size_t before = file->rows.approx_bytes();
    file->rows.append(event_);
    const size_t added = file->rows.approx_bytes() - before;
    b.bytes += added;
    buffered_bytes_ += added;
    ++b.rows;
    b.min_ts = std::min(b.min_ts, event_.ts);
    b.max_ts = std::max(b.max_ts, event_.ts);
}

bool SinkRunner::should_rotate(const PartitionBatch& b) const {
    if (b.empty()) {
        return false;
    }
    if (b.rows + b.dead.size() >= options_.rotate_rows || b.bytes >= options_.rotate_bytes) {
        return true;
    }
    return options_.rotate_event_time_us > 0 && b.rows > 0 && b.max_ts - b.min_ts >= options_.rotate_event_time_us;
}

Status SinkRunner::submit(int32_t partition) {
    if (failed_) {
        return fail(Error::fatal("the sink stopped after a failed batch; nothing more is written"));
    }
    auto pit = partitions_.find(partition);
    if (pit == partitions_.end() || pit->second.batch.empty()) {
        return {};
    }
    // One batch in flight per partition: the journal protocol recovers at most one.
    if (pit->second.in_flight) {
        if (auto st = wait_for(partition); !st) {
            return st;
        }
    }
    PartitionState& ps = pit->second;
    auto job = std::make_unique<FlushJob>();
    job->partition = partition;
    job->topic = options_.topic;
    job->journal.start = ps.batch.first_offset;
    job->journal.end = ps.batch.last_offset;
    for (const auto& [k, f] : ps.batch.files) {
        job->journal.keys.push_back(data_key(f, partition));
        job->rows += f.rows.rows();
        job->rows_by_table[f.table] += f.rows.rows();
        ++job->data_files;
    }
    job->dead_letters = ps.batch.dead.size();
    if (!ps.batch.dead.empty()) {
        job->journal.keys.push_back(dead_letter_key(ps.batch, partition));
    }
    job->journal_key = sink_journal_key(options_.group, options_.topic, partition);
    buffered_bytes_ -= ps.batch.bytes;
    in_flight_bytes_ += ps.batch.bytes;
    job->batch = std::move(ps.batch);
    ps.batch = PartitionBatch{};
    ps.in_flight = true;
    batch_writer_.submit(std::move(job));
    return {};
}

Status SinkRunner::commit_completed(bool block) {
    // Each job stands alone: a partition's failed batch never blocks another partition's
    // commit (journals are per partition). What must never happen is a later commit of the
    // *same* partition, which would cover the failed batch's offsets: see failed_.
    Status result;
    for (auto& job : batch_writer_.take_completed(block)) {
        auto pit = partitions_.find(job->partition);
        in_flight_bytes_ -= job->batch.bytes;
        if (pit != partitions_.end()) {
            pit->second.in_flight = false;
        }
        if (failed_) {
            continue; // stopping after an earlier failure: commit nothing more
        }
        Status committed = job->result;
        // Durable: now, and only now, the offsets may be committed. A transient refusal
        // (coordinator moving) is retried; anything else leaves the journal in place, so
        // whoever owns the partition next removes these files and redoes them.
        for (int attempt = 0; committed && attempt < 5; ++attempt) {
            committed = consumer_.commit({{job->partition, job->journal.end + 1}});
            if (committed || committed.error().kind != ErrorKind::retry) {
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
        }
        if (!committed) {
            if (result) {
                result = committed;
            }
            continue;
        }
        if (auto gone = store_.remove(job->journal_key); !gone) {
            std::fprintf(stderr, "sink: journal %s not removed (%s); harmless: it is committed\n",
                         job->journal_key.c_str(), gone.error().message.c_str());
        }
        stats_.rows_written += job->rows;
        stats_.files_written += job->data_files;
        stats_.dead_letters += job->dead_letters;
        for (const auto& [table, rows] : job->rows_by_table) {
            stats_.rows_by_table[table] += rows;
        }
        ++stats_.batches_committed;
        if (options_.on_committed) {
            options_.on_committed(job->journal.keys); // registration on write (catalog)
        }
    }
    if (!result && !failed_ && !in_revoke_) {
        // In the run loop a failed batch stops the sink: nothing more is written or
        // committed, on any partition, not even on the revoke that closing triggers. (Inside
        // a revoke every partition is being given up anyway; the next owner recovers.)
        failed_ = true;
        failure_ = result;
    }
    return result;
}

Status SinkRunner::wait_for(int32_t partition) {
    for (;;) {
        auto pit = partitions_.find(partition);
        if (pit == partitions_.end() || !pit->second.in_flight) {
            return {};
        }
        if (auto st = commit_completed(true); !st) {
            return st;
        }
    }
}

Status SinkRunner::flush_all() {
    for (auto& [p, ps] : partitions_) {
        if (auto st = submit(p); !st) {
            return st;
        }
    }
    while (batch_writer_.in_flight() > 0) {
        if (auto st = commit_completed(true); !st) {
            return st;
        }
    }
    return {};
}

void SinkRunner::print_progress(bool final) {
    const auto now = Clock::now();
    const double dt = std::chrono::duration<double>(now - last_progress_).count();
    const double rate = dt > 0 ? static_cast<double>(stats_.consumed - consumed_at_last_progress_) / dt : 0;
    std::fprintf(stderr, "\rsink: %llu msgs  %.0f msg/s  %llu rows in %llu files  %llu dead letters  %.1f MiB buffered%s",
                 static_cast<unsigned long long>(stats_.consumed), rate,
                 static_cast<unsigned long long>(stats_.rows_written),
                 static_cast<unsigned long long>(stats_.files_written),
                 static_cast<unsigned long long>(stats_.dead_letters), static_cast<double>(buffered_bytes_) / (1 << 20),
                 final ? "\n" : "   ");
    last_progress_ = now;
    consumed_at_last_progress_ = stats_.consumed;
}

Status SinkRunner::run(const std::atomic<bool>& stop) {
    RebalanceHandler handler;
    handler.on_assign = [this](const std::vector<PartitionOffset>& a) { on_assign(a); };
    handler.on_revoke = [this](const std::vector<int32_t>& r) { on_revoke(r); };
    if (auto st = consumer_.subscribe(options_.topic, std::move(handler)); !st) {
        return st;
    }
    started_ = last_activity_ = last_progress_ = Clock::now();
    const auto max_age = std::chrono::seconds(options_.max_buffer_age_s);
    PollBatch polled;
    Status result;
    while (!stop.load(std::memory_order_relaxed)) {
        auto st = consumer_.poll_batch(100, 2048, polled);
        if (!pending_error_) {
            result = pending_error_;
            break;
        }
        if (failed_) { // a batch failed inside a rebalance callback
            result = failure_;
            break;
        }
        if (!st) {
            if (st.error().kind == ErrorKind::retry) {
                std::fprintf(stderr, "sink: %s; retrying\n", st.error().message.c_str());
                continue;
            }
            result = st;
            break;
        }
        const auto now = Clock::now(); // once per batch of messages, not per message
        for (const ConsumedMessage& m : polled.messages) {
            accept(m, now);
            auto it = partitions_.find(m.partition());
            if (it != partitions_.end() && should_rotate(it->second.batch)) {
                if (result = submit(m.partition()); !result) {
                    break;
                }
            }
        }
        if (!result) {
            break;
        }
        if (!polled.messages.empty()) {
            stats_.consumed += polled.messages.size();
            last_activity_ = last_message_ = now;
        }
        for (int32_t p : polled.partition_eofs) {
            if (auto it = partitions_.find(p); it != partitions_.end()) {
                it->second.at_eof = true;
            }
        }
        // Memory bound over filling and in-flight batches: write the largest, or wait.
        while (result && buffered_bytes_ + in_flight_bytes_ > options_.max_buffer_bytes) {
            auto largest = std::max_element(partitions_.begin(), partitions_.end(), [](const auto& a, const auto& b) {
                return a.second.batch.bytes < b.second.batch.bytes;
            });
            if (largest != partitions_.end() && largest->second.batch.bytes > 0 && !largest->second.in_flight) {
                result = submit(largest->first);
            } else if (batch_writer_.in_flight() > 0) {
                result = commit_completed(true);
            } else {
                break;
            }
        }
        if (result) {
            result = commit_completed(false);
        }
        if (!result) {
            break;
        }
        for (auto& [p, ps] : partitions_) {
            if (!ps.batch.empty() && now - ps.batch.opened >= max_age) {
                if (result = submit(p); !result) {
                    break;
                }
            }
        }
        if (!result) {
            break;
        }
        if (options_.progress && now - last_progress_ >= std::chrono::seconds(1)) {
            print_progress(false);
        }
        if (options_.until_idle_s && joined_) {
            // Only a member with an assignment can tell it is caught up; before the group
            // answers (e.g. while a crashed member's session expires) there is nothing to judge.
            const bool caught_up = std::all_of(partitions_.begin(), partitions_.end(),
                                               [](const auto& kv) { return kv.second.at_eof; });
            const double idle = std::chrono::duration<double>(now - last_activity_).count();
            if (caught_up && idle >= *options_.until_idle_s) {
                break;
            }
        }
    }
    const auto final_flush_start = Clock::now();
    if (result) {
        result = flush_all();
    }
    if (!result) {
        if (!failed_) {
            failed_ = true;
            failure_ = result;
        }
        // Failing: let the writer finish what it has, but commit nothing more.
        while (batch_writer_.in_flight() > 0) {
            batch_writer_.take_completed(true);
        }
    }
    // Busy time: start to last message, plus the final flush; the idle tail that
    // --until-idle waits before exiting is not work (benchmarks divide by this).
    const auto last = last_message_ > started_ ? last_message_ : started_;
    stats_.busy_seconds = std::chrono::duration<double>(last - started_).count() +
                          std::chrono::duration<double>(Clock::now() - final_flush_start).count();
    if (options_.progress) {
        print_progress(true);
    }
    return result;
}

} // namespace ticklake
