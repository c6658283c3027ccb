// `ticklake sink`: Kafka topic -> Hive-partitioned files in the warehouse, exactly once.
#include <chrono>
#include <charconv>
#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "catalog/catalog.h"
#include "crawler/crawler.h"
#include "format/record_writer.h"
#include "format/table_buffer.h"
#include "format/value_type.h"
#include "kafka/kafka_admin.h"
#include "kafka/kafka_consumer.h"
#include "sink/sink_runner.h"
#include "storage/object_store.h"

namespace ticklake::cli {

namespace {

struct SinkFlags {
    KafkaFlags kafka;
    StorageFlags storage;
    SinkOptions options;
    std::vector<std::string> topics;
    std::vector<std::string> topic_regex;
    std::string value_format = "auto";
    std::vector<std::string> tables;
    std::vector<std::string> columns;
    std::string start_from = "earliest";
    std::string time_partition = "day";
    std::string rotate_event_time;
    double rotate_mib = 128;
    double max_buffer_mib = 512;
    double until_idle = -1;
    std::string summary_json;
    bool progress = false;
    bool no_progress = false;
    CatalogFlags catalog;
    bool no_register = false;
};

// --start-from: earliest, latest, or a time (ISO 8601, or epoch milliseconds).
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

// The open-format flags into options: topics, tables, explicit column types.
Status apply_open_flags(SinkFlags& f) {
    SinkOptions& o = f.options;
    o.topics = f.topics;
    for (const auto& r : f.topic_regex) {
        o.topics.push_back(r.starts_with('^') ? r : "^" + r);
    }
    if (o.topics.empty()) {
        return fail(Error::invalid("name the topics to sink: --topic a,b,c or --topic-regex 'market\\..*'"));
    }
    auto vf = parse_value_format(f.value_format);
    if (!vf) {
        return fail(vf.error());
    }
    o.value_format = *vf;
    for (const auto& t : f.tables) {
        const auto eq = t.find('=');
        if (eq == std::string::npos) {
            if (o.topics.size() != 1 || !f.topic_regex.empty()) {
                return fail(Error::invalid("--table " + t + " names one table for several topics: write TOPIC=" + t +
                                           " for each topic, or give one --topic"));
            }
            o.default_table = safe_table_name(t, "records");
        } else {
            o.table_for_topic[t.substr(0, eq)] = safe_table_name(t.substr(eq + 1), "records");
        }
    }
    for (const auto& c : f.columns) {
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
    if (o.max_columns < 1) {
        return fail(Error::invalid("--max-columns must be at least 1"));
    }
    return {};
}

void write_summary_json(const std::string& path, const SinkStats& s, double seconds) {
    std::string tables;
    for (const auto& [t, n] : s.rows_by_table) {
        tables += fmt::format("{}\"{}\":{}", tables.empty() ? "" : ",", t, n);
    }
    std::ofstream(path) << fmt::format(
        "{{\"consumed\":{},\"rows_written\":{},\"files_written\":{},\"dead_letters\":{},\"tombstones\":{},"
        "\"header_lines\":{},\"batches_committed\":{},\"recovered_removed\":{},\"seconds\":{:.3f},"
        "\"busy_seconds\":{:.3f},\"rows_by_table\":{{{}}}}}\n",
        s.consumed, s.rows_written, s.files_written, s.dead_letters, s.tombstones, s.header_lines, s.batches_committed,
        s.recovered_removed, seconds, s.busy_seconds, tables);
}

int run_sink(SinkFlags& f) {
    auto kc = f.kafka.config();
    if (!kc) {
        return report_error("sink", kc.error());
    }
    SinkOptions& o = f.options;
    o.kafka = *kc;
    if (auto st = apply_open_flags(f); !st) {
        return report_error("sink", st.error());
    }
    auto start_from = parse_start_from(f.start_from);
    if (!start_from) {
        return report_error("sink", start_from.error());
    }
    if (f.time_partition == "day") {
        o.time_partition = TimePartition::day;
    } else if (f.time_partition == "month") {
        o.time_partition = TimePartition::month;
    } else if (f.time_partition == "year") {
        o.time_partition = TimePartition::year;
    } else {
        return report_error("sink", Error::invalid("--time-partition must be day, month or year"));
    }
    if (!f.rotate_event_time.empty()) {
        auto d = parse_duration_us(f.rotate_event_time);
        if (!d) {
            return report_error("sink", d.error());
        }
        o.rotate_event_time_us = *d;
    }
    o.rotate_bytes = static_cast<size_t>(f.rotate_mib * (1 << 20));
    o.max_buffer_bytes = static_cast<size_t>(f.max_buffer_mib * (1 << 20));
    if (f.until_idle >= 0) {
        o.until_idle_s = f.until_idle;
    }
    o.progress = f.progress || (!f.no_progress && stderr_is_terminal());

    if (o.writer_threads < 1 || o.writer_threads > 64) {
        return report_error("sink", Error::invalid("--writer-threads must be between 1 and 64"));
    }
    std::vector<std::unique_ptr<RecordWriter>> writers;
    for (int i = 0; i < o.writer_threads; ++i) {
        auto writer = make_record_writer(o.format, o.writer);
        if (!writer) {
            return report_error("sink", writer.error());
        }
        writers.push_back(std::move(*writer));
    }
    auto store_options = f.storage.options();
    if (!store_options) {
        return report_error("sink", store_options.error());
    }
    if (o.storage_retry_s < 0) {
        return report_error("sink", Error::invalid("--storage-retry-timeout must not be negative"));
    }
    auto store = open_object_store(o.warehouse, *store_options);
    if (!store) {
        return report_error("sink", store.error());
    }
    // Fail fast with a clear message rather than waiting silently for a broker.
    if (auto probe = probe_cluster(o.kafka, std::chrono::seconds(10)); !probe) {
        return report_error("sink", probe.error());
    }
    for (const auto& topic : f.topics) { // patterns may match topics that come later
        if (auto n = topic_partition_count(o.kafka, topic, std::chrono::seconds(10)); !n) {
            return report_error("sink", Error::invalid(n.error().message +
                                                       ": create it (ticklake kafka topics create " + topic +
                                                       "), produce to it, or check --topic"));
        }
    }
    auto consumer = KafkaConsumer::create(o.kafka, o.group, *start_from);
    if (!consumer) {
        return report_error("sink", consumer.error());
    }
    // Registration on write: each committed batch's files go into the catalog at once, so the
    // data is queryable without a crawl. The catalog is secondary: a failed registration is
    // reported and the sink goes on (a later `ticklake crawl` registers what was missed).
    std::optional<Catalog> catalog;
    std::unique_ptr<Crawler> registrar;
    if (!f.no_register) {
        const auto path = f.catalog.path.empty() ? default_catalog_path() : std::filesystem::path(f.catalog.path);
        auto c = Catalog::open(path);
        if (!c) {
            return report_error("sink", Error{c.error().kind, c.error().message + " (or pass --no-register)"});
        }
        catalog.emplace(std::move(*c));
        registrar = std::make_unique<Crawler>(**store, *catalog, CrawlOptions{});
        // An open table's columns as the catalog has them: new rows are typed against them.
        o.existing_columns = [&catalog](const std::string& database, const std::string& table)
            -> std::optional<std::vector<std::pair<std::string, std::string>>> {
            auto t = catalog->table(database, table);
            if (!t || !t->has_value()) {
                return std::nullopt;
            }
            std::vector<std::pair<std::string, std::string>> out;
            for (const auto& c : (*t)->columns) {
                out.emplace_back(c.name, c.type);
            }
            return out;
        };
        o.on_committed = [&registrar](const std::vector<std::string>& keys) {
            auto r = registrar->register_keys(keys);
            if (!r) {
                std::fprintf(stderr, "sink: catalog registration failed (%s); the data is committed: "
                                     "`ticklake crawl` registers it\n", r.error().message.c_str());
                return;
            }
            for (const auto& note : r->notes) {
                std::fprintf(stderr, "sink: catalog: %s\n", note.c_str());
            }
        };
    }
    install_stop_signals();
    std::string topics;
    for (const auto& t : o.topics) {
        topics += (topics.empty() ? "" : ",") + t;
    }
    std::fprintf(stderr, "sink: %s -> %s (%s, values %s, group %s)\n", topics.c_str(), (*store)->uri().c_str(),
                 o.format.c_str(), to_string(o.value_format), o.group.c_str());
    const auto t0 = std::chrono::steady_clock::now();
    SinkRunner runner(o, **store, std::move(writers), **consumer);
    Status st = runner.run(stop_requested);
    (*consumer)->close();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const SinkStats& s = runner.stats();
    std::fprintf(stderr, "sink: consumed %llu messages, wrote %llu rows in %llu files, %llu dead letters, %.1f s\n",
                 static_cast<unsigned long long>(s.consumed), static_cast<unsigned long long>(s.rows_written),
                 static_cast<unsigned long long>(s.files_written), static_cast<unsigned long long>(s.dead_letters),
                 secs);
    if (s.tombstones > 0 || s.header_lines > 0) {
        std::fprintf(stderr, "sink:   %llu tombstones (messages without a value), %llu CSV header messages\n",
                     static_cast<unsigned long long>(s.tombstones), static_cast<unsigned long long>(s.header_lines));
    }
    for (const auto& [t, n] : s.rows_by_table) {
        std::fprintf(stderr, "sink:   %s: %llu rows\n", t.c_str(), static_cast<unsigned long long>(n));
    }
    if (!f.summary_json.empty()) {
        write_summary_json(f.summary_json, s, secs);
    }
    if (!st) {
        return report_error("sink", st.error());
    }
    return 0;
}

} // namespace

void add_sink_command(CLI::App& app) {
    auto flags = std::make_shared<SinkFlags>();
    CLI::App* cmd = app.add_subcommand(
        "sink", "Consume topics as a consumer group and write Hive-partitioned Parquet/JSONL/CSV files.\n"
                "Files: WAREHOUSE/<database>/<table>/dt=YYYY-MM-DD/<topic>-p<partition>-o<first offset>.<ext>.\n"
                "Topics of ticklake events land in trades, quotes, bars and one table per record dataset; any\n"
                "other topic (plain JSON, CSV lines, raw bytes) lands in a table of its own named after it, with\n"
                "columns inferred from the values. Malformed messages go to dead_letters with the reason.\n"
                "Offsets are committed only after files are durable: exactly once across crashes and rebalances.");
    flags->kafka.add_to(*cmd);
    SinkOptions& o = flags->options;
    o.group = "ticklake-sink";
    cmd->add_option("--topic,-t", flags->topics, "Topics to consume (repeat, or a,b,c)")->delimiter(',');
    cmd->add_option("--topic-regex", flags->topic_regex,
                    "Also every topic whose name matches this POSIX regex, including topics created later "
                    "(e.g. 'market\\..*')");
    cmd->add_option("--value-format", flags->value_format,
                    "How message values are read: auto (per topic, decided on its first message: ticklake events "
                    "when they carry ticklake's `type` header, else json), ticklake, json (one object per message), "
                    "csv (one line per message), raw (the bytes, as a BLOB column `value`)")
        ->check(CLI::IsMember({"auto", "ticklake", "json", "csv", "raw"}))
        ->capture_default_str();
    cmd->add_option("--table", flags->tables,
                    "Table of a json/csv/raw topic: NAME (one topic) or TOPIC=NAME (repeat); default: the topic's "
                    "name in lower case with [^a-z0-9_] as _");
    cmd->add_option("--time-field", o.time_field,
                    "Field holding the event time (ISO 8601, a date, or epoch s/ms/us/ns told by magnitude); default: "
                    "the first of ts, timestamp, time, datetime, date, Date, t, E in the topic's first message, else "
                    "the Kafka timestamp");
    cmd->add_option("--column", flags->columns,
                    "FIELD=TYPE: a field's type instead of the inferred one (repeat), e.g. price=decimal(18,8), "
                    "ts=timestamp, qty=double, raw=string (keeps JSON text); values that do not convert are dead "
                    "letters");
    cmd->add_option("--partition-by", o.partition_by,
                    "Fields that become Hive partition folders before the time one (repeat, or a,b), e.g. symbol "
                    "-> symbol=AAPL/dt=2025-01-06; the field then lives in the path, not in the files")
        ->delimiter(',');
    cmd->add_flag("--kafka-metadata", o.kafka_metadata,
                  "Add columns _topic, _partition, _offset, _kafka_ts, _key and _headers (always on with raw)");
    cmd->add_option("--columns", o.csv_columns,
                    "csv: the column names, a,b,c; default: the topic's first message is its header")
        ->delimiter(',');
    cmd->add_option("--start-from", flags->start_from,
                    "Where a group with no committed offset starts: earliest, latest, or a time (ISO 8601 or epoch "
                    "milliseconds)")
        ->capture_default_str();
    cmd->add_option("--max-columns", o.max_columns,
                    "A message that would grow its table beyond this many columns is a dead letter")
        ->capture_default_str();
    cmd->add_option("--max-value-bytes", o.max_value_bytes, "A larger json/csv/raw message value is a dead letter")
        ->capture_default_str();
    cmd->add_option("--group,-g", o.group, "Consumer group; run several sinks with one group to share partitions")
        ->capture_default_str();
    cmd->add_option("--warehouse,-w", o.warehouse,
                    "Warehouse: a folder or file:// URI (created when missing), or s3://bucket/prefix (credentials, "
                    "region and endpoint from the AWS environment: AWS_ACCESS_KEY_ID, AWS_PROFILE, AWS_REGION, "
                    "AWS_ENDPOINT_URL_S3 or --s3-endpoint for MinIO/Ceph)")
        ->required();
    flags->storage.add_to(*cmd);
    cmd->add_option("--storage-retry-timeout", o.storage_retry_s,
                    "Seconds to keep retrying a write while the warehouse is unreachable (backoff up to 15 s); "
                    "nothing is committed meanwhile, and the sink fails after this long")
        ->capture_default_str();
    cmd->add_option("--format,-f", o.format, "File format: parquet (zstd, sorted by symbol, ts), jsonl or csv")
        ->check(CLI::IsMember({"parquet", "jsonl", "csv"}))
        ->capture_default_str();
    cmd->add_option("--database", o.database, "First folder level under the warehouse")->capture_default_str();
    cmd->add_option("--time-partition", flags->time_partition,
                    "Event-time partition: day (dt=YYYY-MM-DD), month (month=YYYY-MM) or year (year=YYYY); "
                    "use year for daily bars spanning decades")
        ->check(CLI::IsMember({"day", "month", "year"}))
        ->capture_default_str();
    cmd->add_option("--rotate-rows", o.rotate_rows, "Write a partition's files once it buffers this many rows")
        ->capture_default_str();
    cmd->add_option("--rotate-mib", flags->rotate_mib, "... or this many MiB")->capture_default_str();
    cmd->add_option("--rotate-event-time", flags->rotate_event_time,
                    "... or when its buffered event times span this long (e.g. 1h; default off)");
    cmd->add_option("--max-buffer-mib", flags->max_buffer_mib,
                    "Memory bound over all partitions: the largest is written when exceeded")
        ->capture_default_str();
    cmd->add_option("--max-buffer-age", o.max_buffer_age_s,
                    "Seconds data may wait in memory before it is written (bounds latency on slow streams)")
        ->capture_default_str();
    cmd->add_option("--until-idle", flags->until_idle,
                    "Exit 0 once caught up with every assigned partition and idle for SECONDS");
    cmd->add_option("--writer-threads", o.writer_threads,
                    "Threads writing files while consuming goes on (each holds one DuckDB instance)")
        ->capture_default_str();
    cmd->add_option("--zstd-level", o.writer.zstd_level, "zstd level for Parquet")->capture_default_str();
    cmd->add_option("--summary-json", flags->summary_json, "Write final counters as JSON to this file");
    flags->catalog.add_to(*cmd);
    cmd->add_flag("--no-register", flags->no_register,
                  "Do not record committed files in the catalog (by default each committed batch's files and "
                  "partitions are registered at once, as `ticklake crawl` would record them)");
    cmd->add_flag("--progress", flags->progress, "Print a status line every second (default: when on a terminal)");
    cmd->add_flag("--no-progress", flags->no_progress, "Never print the status line");
    cmd->footer(
        "Examples:\n"
        "  ticklake sink -t ticks -g lake -w ./warehouse                # ticklake's events: trades, quotes, bars\n"
        "  ticklake sink -t orders -g lake -w ./warehouse --until-idle 5  # any team's JSON topic -> market.orders\n"
        "  ticklake sink --topic-regex 'prices\\..*' -g lake -w s3://lake/wh   # each matching topic, its own table\n"
        "  ticklake sink -t fx -g lake -w ./wh --column rate=decimal(18,8) --time-field ts --partition-by pair\n"
        "  ticklake sink -t lines -g lake -w ./wh --value-format csv --columns symbol,ts,price\n"
        "  ticklake sink -t anything -g archive -w ./wh --value-format raw  # the bytes, with Kafka metadata\n"
        "Open tables (json, csv, raw): columns are typed from the values (boolean, bigint, double, string,\n"
        "date, timestamp, struct, array) and widen as data changes (bigint -> double -> string); a value\n"
        "that cannot fit (an object where a number was) is a dead letter. Rules: docs/storage.md.");
    cmd->callback([flags] { exit_code = run_sink(*flags); });
}

} // namespace ticklake::cli
