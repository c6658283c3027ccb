#include "sink/sink_runner.h"

#include <cstdio>
#include <fcntl.h>
#include <simdjson.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

namespace ticklake {

using Clock = std::chrono::steady_clock;

std::string sink_file_name(std::string_view topic, int32_t partition, int64_t first_offset, std::string_view ext) {
    return fmt::format("{}-p{}-o{:020d}.{}", topic, partition, first_offset, ext);
}

SinkRunner::SinkRunner(SinkOptions options, ObjectStore& store, RecordWriter& writer, KafkaConsumer& consumer)
    : options_(std::move(options)), store_(store), writer_(writer), consumer_(consumer) {}

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
           sink_file_name(options_.topic, partition, f.first_offset, writer_.extension());
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
        partitions_[po.partition] = PartitionBatch{};
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
    std::fprintf(stderr, "%ssink: %zu partition(s) revoked: flushing and committing them\n",
                 options_.progress ? "\n" : "", revoked.size());
    // Flush and commit what we hold so the next owner starts where we stopped. If that
    // fails, the journal stays and the next owner removes our files and redoes the batch.
    for (int32_t p : revoked) {
        if (auto st = flush(p); !st && pending_error_) {
            std::fprintf(stderr, "sink: could not flush partition %d on revoke: %s\n", p, st.error().message.c_str());
        }
        auto it = partitions_.find(p);
        if (it != partitions_.end()) {
            buffered_bytes_ -= it->second.bytes;
            partitions_.erase(it);
        }
    }
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
        for (const auto& key : journal->keys) {
            if (auto st = store_.remove(key); !st) {
                return st;
            }
            ++stats_.recovered_removed;
        }
        std::fprintf(stderr, "sink: partition %d: removed %zu file(s) of an uncommitted batch (offsets %lld-%lld)\n",
                     partition, journal->keys.size(), static_cast<long long>(journal->start),
                     static_cast<long long>(journal->end));
    }
    return store_.remove(jkey);
}

void SinkRunner::accept(const ConsumedMessage& m) {
    const int32_t p = m.partition();
    auto pit = partitions_.find(p);
    if (pit == partitions_.end()) {
        return; // a message of a partition revoked meanwhile: its next owner reads it again
    }
    PartitionBatch& b = pit->second;
    b.at_eof = false;
    if (b.empty()) {
        b.first_offset = m.offset();
        b.opened = Clock::now();
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
    const std::string table = table_name_for(event_);
    const int64_t period = period_of(event_.ts);
    auto key = std::make_pair(table, period);
    auto fit = b.files.find(key);
    if (fit == b.files.end()) {
        fit = b.files.emplace(key, FileBuffer{TableBuffer(event_.type), table, period, m.offset()}).first;
    }
    const size_t before = fit->second.rows.approx_bytes();
    fit->second.rows.append(event_);
    const size_t added = fit->second.rows.approx_bytes() - before;
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

Status SinkRunner::write_dead_letters(const std::string& key, int32_t partition, const std::vector<DeadLetter>& dead) {
    std::string out;
    for (const auto& d : dead) {
        out.append("{\"topic\":");
        append_json_string(out, options_.topic);
        out.append(fmt::format(",\"partition\":{},\"offset\":{},\"kafka_ts\":", partition, d.offset));
        if (d.kafka_ts_ms >= 0) {
            out.push_back('"');
            append_iso8601(out, d.kafka_ts_ms * 1000);
            out.push_back('"');
        } else {
            out.append("null");
        }
        out.append(",\"key\":");
        append_json_string(out, d.key);
        out.append(",\"reason\":");
        append_json_string(out, d.reason);
        if (simdjson::validate_utf8(d.value.data(), d.value.size())) {
            out.append(",\"value\":");
            append_json_string(out, d.value);
        } else {
            out.append(",\"value\":null,\"value_hex\":\"");
            static constexpr char kHex[] = "0123456789abcdef";
            for (unsigned char c : d.value) {
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 15]);
            }
            out.push_back('"');
        }
        out.append("}\n");
    }
    const auto path = store_.staging_path(key);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
        return fail(Error::retry("cannot write dead letters to " + path.string()));
    }
    const bool ok = std::fwrite(out.data(), 1, out.size(), f) == out.size();
    if (std::fclose(f) != 0 || !ok) {
        return fail(Error::retry("cannot write dead letters to " + path.string()));
    }
    return store_.publish(key);
}

Status SinkRunner::flush(int32_t partition) {
    auto pit = partitions_.find(partition);
    if (pit == partitions_.end() || pit->second.empty()) {
        return {};
    }
    PartitionBatch& b = pit->second;
    SinkJournal journal{b.first_offset, b.last_offset, {}};
    for (const auto& [k, f] : b.files) {
        journal.keys.push_back(data_key(f, partition));
    }
    std::string dl_key;
    if (!b.dead.empty()) {
        dl_key = dead_letter_key(b, partition);
        journal.keys.push_back(dl_key);
    }
    const std::string jkey = sink_journal_key(options_.group, options_.topic, partition);
    if (auto st = store_.put_small(jkey, journal.to_json()); !st) {
        return st;
    }
    size_t i = 0;
    for (auto& [k, f] : b.files) {
        const std::string& key = journal.keys[i++];
        const auto order = f.rows.sorted_order();
        if (auto st = writer_.write(f.rows.batch(), order, store_.staging_path(key)); !st) {
            return st;
        }
        if (auto st = store_.publish(key); !st) {
            return st;
        }
    }
    if (!dl_key.empty()) {
        if (auto st = write_dead_letters(dl_key, partition, b.dead); !st) {
            return st;
        }
    }
    if (auto st = consumer_.commit({{partition, b.last_offset + 1}}); !st) {
        return st;
    }
    // Committed: from here on the batch is final whatever happens to this process.
    for (auto& [k, f] : b.files) {
        stats_.rows_written += f.rows.rows();
        stats_.rows_by_table[f.table] += f.rows.rows();
        ++stats_.files_written;
    }
    stats_.dead_letters += b.dead.size();
    ++stats_.batches_committed;
    if (auto st = store_.remove(jkey); !st) {
        std::fprintf(stderr, "sink: journal %s not removed (%s); harmless: it is committed\n", jkey.c_str(),
                     st.error().message.c_str());
    }
    buffered_bytes_ -= b.bytes;
    const bool eof = b.at_eof;
    b = PartitionBatch{};
    b.at_eof = eof;
    return {};
}

Status SinkRunner::flush_with_retry(int32_t partition) {
    Status st;
    for (int attempt = 0; attempt < 5; ++attempt) {
        st = flush(partition);
        if (st || st.error().kind != ErrorKind::retry) {
            return st;
        }
        std::fprintf(stderr, "sink: flush of partition %d failed (%s); retrying\n", partition,
                     st.error().message.c_str());
        std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
    }
    return st;
}

Status SinkRunner::flush_all() {
    for (auto& [p, b] : partitions_) {
        if (auto st = flush_with_retry(p); !st) {
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
    Status result;
    while (!stop.load(std::memory_order_relaxed)) {
        auto polled = consumer_.poll(100);
        if (!pending_error_) {
            result = pending_error_;
            break;
        }
        if (!polled) {
            if (polled.error().kind == ErrorKind::retry) {
                std::fprintf(stderr, "sink: %s; retrying\n", polled.error().message.c_str());
                continue;
            }
            result = fail(polled.error());
            break;
        }
        const auto now = Clock::now();
        if (polled->message) {
            const ConsumedMessage& m = *polled->message;
            ++stats_.consumed;
            last_activity_ = last_message_ = now;
            accept(m);
            auto it = partitions_.find(m.partition());
            if (it != partitions_.end() && should_rotate(it->second)) {
                if (auto st = flush_with_retry(m.partition()); !st) {
                    result = st;
                    break;
                }
            }
            if (buffered_bytes_ > options_.max_buffer_bytes) {
                auto largest = std::max_element(partitions_.begin(), partitions_.end(), [](const auto& a, const auto& b) {
                    return a.second.bytes < b.second.bytes;
                });
                if (auto st = flush_with_retry(largest->first); !st) {
                    result = st;
                    break;
                }
            }
        } else if (polled->partition_eof) {
            auto it = partitions_.find(*polled->partition_eof);
            if (it != partitions_.end()) {
                it->second.at_eof = true;
            }
        }
        // Time-based work: at most every poll interval, not per message.
        bool failed = false;
        for (auto& [p, b] : partitions_) {
            if (!b.empty() && now - b.opened >= max_age) {
                if (auto st = flush_with_retry(p); !st) {
                    result = st;
                    failed = true;
                    break;
                }
            }
        }
        if (failed) {
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
