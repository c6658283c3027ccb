#include "sink/sink_settings.h"

#include <algorithm>
#include <charconv>

#include "common/timestamp.h"
#include "common/zone_clock.h"
#include "format/table_buffer.h"
#include "format/value_type.h"
#include "sink/memory_budget.h"

namespace ticklake {

namespace {

// NAME for the only topic, or TOPIC=NAME for each.
Status apply_tables(const SinkSettings& s, SinkOptions& o) {
    for (const auto& t : s.tables) {
        const auto eq = t.find('=');
        if (eq == std::string::npos) {
            if (o.topics.size() != 1 || !s.topic_regex.empty()) {
                return fail(Error::invalid("--table " + t + " names one table for several topics: write TOPIC=" + t +
                                           " for each topic, or give one --topic"));
            }
            o.default_table = safe_table_name(t, "records");
        } else {
            o.table_for_topic[t.substr(0, eq)] = safe_table_name(t.substr(eq + 1), "records");
        }
    }
    return {};
}

Status apply_columns(const SinkSettings& s, SinkOptions& o) {
    for (const auto& c : s.columns) {
        const auto eq = c.find('=');
        if (eq == std::string::npos || eq == 0) {
            return fail(Error::invalid("--column " + c + ": write FIELD=TYPE, e.g. price=decimal(18,8) or ts=timestamp"));
        }
        auto type = parse_type_text(c.substr(eq + 1));
        if (!type) {
            return fail(Error::invalid("--column " + c + ": " + type.error().message));
        }
        o.columns.push_back({c.substr(0, eq), std::move(*type)});
    }
    return {};
}

} // namespace

Result<StartFrom> parse_start_from(const std::string& text) {
    if (text == "earliest") {
        return StartFrom{StartFrom::Kind::earliest, 0};
    }
    if (text == "latest") {
        return StartFrom{StartFrom::Kind::latest, 0};
    }
    int64_t ms = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec == std::errc() && p == text.data() + text.size()) {
        return StartFrom{StartFrom::Kind::timestamp, ms};
    }
    if (auto ts = parse_iso8601(text)) {
        return StartFrom{StartFrom::Kind::timestamp, *ts / 1000};
    }
    return fail(Error::invalid("--start-from '" + text +
                               "' is not earliest, latest, an ISO 8601 time or epoch milliseconds"));
}

namespace {

// Topics by name and pattern, how their values are read, their tables and explicit columns.
Status apply_topic_settings(const SinkSettings& s, SinkOptions& o) {
    o.topics = s.topics;
    for (const auto& r : s.topic_regex) {
        o.topics.push_back(r.starts_with('^') ? r : "^" + r);
    }
    if (o.topics.empty()) {
        return fail(Error::invalid("name the topics to sink: --topic a,b,c or --topic-regex 'market\\..*'"));
    }
    auto vf = parse_value_format(s.value_format);
    if (!vf) {
        return fail(vf.error());
    }
    o.value_format = *vf;
    if (auto st = apply_tables(s, o); !st) {
        return st;
    }
    return apply_columns(s, o);
}

} // namespace

Status apply_sink_settings(const SinkSettings& s, SinkPipelineOptions& p) {
    SinkOptions& o = p.sink;
    if (auto st = apply_topic_settings(s, o); !st) {
        return st;
    }
    if (o.max_columns < 1) {
        return fail(Error::invalid("--max-columns must be at least 1"));
    }
    auto start = parse_start_from(s.start_from);
    if (!start) {
        return fail(start.error());
    }
    auto time_partition = parse_time_partition(s.time_partition);
    if (!time_partition) {
        return fail(time_partition.error());
    }
    p.start = *start;
    p.named_topics = s.topics;
    o.time_partition = *time_partition;
    if (auto zone = ZoneClock::open(o.partition_tz); !zone) {
        return fail(Error::invalid("--partition-tz: " + zone.error().message));
    }
    auto budget = split_memory_budget(s.max_memory_mib, o.writer_threads, s.max_buffer_mib, o.format == "parquet");
    if (!budget) {
        return fail(budget.error());
    }
    o.max_buffer_bytes = budget->buffer_bytes;
    o.rotate_bytes = std::min(static_cast<size_t>(s.rotate_mib * (1 << 20)), budget->batch_bytes);
    o.writer.parquet_memory_limit_bytes = budget->duckdb_bytes_per_writer;
    // Before the user's -X, which is applied last and so still wins.
    auto prefetch = kafka_prefetch_settings(*budget);
    o.kafka.extra.insert(o.kafka.extra.begin(), prefetch.begin(), prefetch.end());
    if (s.until_idle >= 0) {
        o.until_idle_s = s.until_idle;
    }
    return {};
}

} // namespace ticklake
