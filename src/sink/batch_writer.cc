#include "sink/batch_writer.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <simdjson.h>

#include <fmt/format.h>

#include "common/binary_text.h"
#include "common/event_json.h"
#include "common/log.h"
#include "sink/crash_point.h"

namespace ticklake {

namespace {

// Exponential from 200 ms, capped at 15 s, with jitter so writer threads and sinks sharing a
// store do not retry in lock-step; never past the deadline.
net::RetryPolicy storage_retry_policy(std::chrono::milliseconds retry_for, std::function<bool()> stop) {
    net::RetryPolicy p;
    p.max_attempts = 0;
    p.base_delay = std::chrono::milliseconds(200);
    p.max_delay = std::chrono::milliseconds(15'000);
    p.jitter = net::Jitter::equal;
    p.deadline = retry_for;
    p.stop_requested = std::move(stop);
    return p;
}

} // namespace

BatchWriter::BatchWriter(ObjectStore& store, std::vector<std::unique_ptr<RecordWriter>> writers,
                         std::chrono::milliseconds retry_for)
    : store_(store),
      writers_(std::move(writers)),
      retry_(storage_retry_policy(retry_for, [this] {
          return stopping_.load(std::memory_order_relaxed) ||
                 (stop_ != nullptr && stop_->load(std::memory_order_relaxed));
      })) {
    for (auto& w : writers_) {
        threads_.emplace_back([this, writer = w.get()] { loop(*writer); });
    }
}

BatchWriter::~BatchWriter() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) {
        t.join();
    }
}

void BatchWriter::submit(std::unique_ptr<FlushJob> job) {
    {
        std::lock_guard lock(mu_);
        queue_.push_back(std::move(job));
        ++in_flight_;
    }
    cv_.notify_all();
}

std::vector<std::unique_ptr<FlushJob>> BatchWriter::take_completed(bool block) {
    std::unique_lock lock(mu_);
    if (block) {
        cv_.wait(lock, [this] { return !done_.empty() || in_flight_ == 0; });
    }
    std::vector<std::unique_ptr<FlushJob>> out;
    out.swap(done_);
    in_flight_ -= out.size();
    return out;
}

size_t BatchWriter::in_flight() const {
    std::lock_guard lock(mu_);
    return in_flight_;
}

void BatchWriter::loop(RecordWriter& writer) {
    for (;;) {
        std::unique_ptr<FlushJob> job;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) {
                return; // stopping, and nothing left to write
            }
            job = std::move(queue_.front());
            queue_.pop_front();
        }
        job->result = write(*job, writer);
        // The rows are no longer needed: free them here, not on the consuming thread.
        job->batch.files.clear();
        job->batch.dead.clear();
        {
            std::lock_guard lock(mu_);
            done_.push_back(std::move(job));
        }
        cv_.notify_all();
    }
}

Status BatchWriter::write(FlushJob& job, RecordWriter& writer) {
    // Each attempt rewrites the journal and every file from the rows still held, so a retry
    // after a partial attempt leaves the same objects as one clean attempt.
    if (gave_up_on_stop_.load(std::memory_order_relaxed)) {
        return fail(Error::retry("not written: the store was failing when the sink was asked to stop "
                                 "(nothing was committed; the next run writes it)"));
    }
    net::RetryLoop retry(retry_);
    for (;;) {
        Status st = write_once(job, writer);
        storage_failing_.store(!st && st.error().kind == ErrorKind::retry, std::memory_order_relaxed);
        if (st || st.error().kind != ErrorKind::retry) {
            return st;
        }
        const bool again = retry.pause_before_retry([&](std::chrono::milliseconds delay) {
            log::warn("sink: writing {} partition {} failed ({}); retry {} in {:.1f} s", job.topic, job.partition,
                      st.error().message, retry.attempt(), static_cast<double>(delay.count()) / 1000.0);
        });
        if (!again) {
            const bool stopped = retry.gave_up() == net::RetryLoop::GiveUp::stopped;
            if (stopped) {
                gave_up_on_stop_ = true;
            }
            const std::string why = stopped ? "the sink is stopping"
                                            : fmt::format("still failing after {} s of retries", retry.elapsed().count() / 1000);
            return fail(Error::retry(fmt::format("{} ({}; nothing was committed)", st.error().message, why)));
        }
    }
}

Status BatchWriter::still_owned(const FlushJob& job) const {
    return ownership_check_ ? ownership_check_(job) : Status{};
}

Status BatchWriter::write_once(FlushJob& job, RecordWriter& writer) {
    // The journal of a partition another member owns now would be the new owner's journal.
    if (auto st = still_owned(job); !st) {
        return st;
    }
    if (auto st = store_.put_small(job.journal_key, job.journal.to_json()); !st) {
        return st;
    }
    size_t i = 0;
    job.bytes_by_table.clear(); // of this attempt only
    auto write_file = [&](const FileBuffer& f, std::span<const uint32_t> order) -> Status {
        const std::string& key = job.journal.keys[i++];
        std::vector<int> ids;
        if (field_ids_) {
            auto got = field_ids_(f.table, f.batch());
            if (!got) {
                return fail(got.error());
            }
            ids = std::move(*got);
        }
        if (auto st = writer.write(f.batch(), order, store_.staging_path(key), ids); !st) {
            return st;
        }
        std::error_code size_error;
        const auto size = std::filesystem::file_size(store_.staging_path(key), size_error);
        job.bytes_by_table[f.table] += size_error ? 0 : size;
        if (i == 1) {
            crash_point(CrashPoint::after_write);
        }
        if (i == job.data_files) {
            crash_point(CrashPoint::before_rename);
        }
        // A member frozen past its session may wake up here: publishing would replace the new
        // owner's file of the same name (both batches start at the committed offset).
        if (auto st = still_owned(job); !st) {
            std::error_code ec;
            std::filesystem::remove(store_.staging_path(key), ec);
            return st;
        }
        return store_.publish(key);
    };
    for (auto& [k, f] : job.batch.files) {
        if (f.parts.empty()) {
            if (auto st = write_file(f, f.sorted_order()); !st) {
                return st;
            }
        }
        for (const auto& part : f.parts) {
            if (auto st = write_file(f, part.order); !st) {
                return st;
            }
        }
    }
    if (!job.batch.dead.empty()) {
        if (auto st = write_dead_letters(job, job.journal.keys.back()); !st) {
            return st;
        }
    }
    crash_point(CrashPoint::after_publish);
    return {};
}

Status BatchWriter::write_dead_letters(const FlushJob& job, const std::string& key) {
    std::string out;
    for (const auto& d : job.batch.dead) {
        out.append("{\"topic\":");
        append_json_string(out, job.topic.view());
        out.append(fmt::format(",\"partition\":{},\"offset\":{},\"kafka_ts\":", job.partition, d.offset));
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
            // Not text: keep the bytes exactly, as hex, so nothing is lost.
            out.append(",\"value\":null,\"value_hex\":\"");
            append_hex(out, d.value);
            out.push_back('"');
        }
        out.append("}\n");
    }
    if (auto st = still_owned(job); !st) {
        return st;
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

} // namespace ticklake
