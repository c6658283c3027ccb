// `ticklake sink`: Kafka topic -> Hive-partitioned files in the warehouse, exactly once.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "common/csv_dialect.h"
#include "common/log.h"
#include "crawler/commit_registrar.h"
#include "iceberg/iceberg_committer.h"
#include "sink/crash_point.h"
#include "sink/sink_pipeline.h"
#include "sink/sink_settings.h"

namespace ticklake::cli {

namespace {

struct SinkFlags {
    KafkaFlags kafka;
    StorageFlags storage;
    SinkOptions options;
    SinkSettings settings;
    std::string rotate_event_time;
    std::string summary_json;
    std::string metrics_addr;
    ProgressFlags progress;
    CatalogFlags catalog;
    bool no_register = false;
    std::string table_format = "hive";
    std::string parquet_writer = "encoder";
    std::string iceberg_catalog_name = "ticklake";
    std::string iceberg_rest;
};

// --table-format iceberg: Parquet files numbered for Iceberg, in day (or hour) folders of UTC
// days, so that each file lies in one day(ts) partition; the committer on the catalog file.
// --time-partition none: new tables are unpartitioned (and an existing unpartitioned table,
// which another engine made, takes files of any span).
Status apply_iceberg(const SinkFlags& f, SinkPipelineOptions& p) {
    if (f.table_format != "iceberg") {
        return {};
    }
    if (p.sink.format != "parquet") {
        return fail(Error::invalid("--table-format iceberg writes Parquet: drop --format " + p.sink.format));
    }
    if (p.sink.time_partition == TimePartition::automatic) {
        p.sink.time_partition = TimePartition::day;
    }
    if (p.sink.time_partition != TimePartition::day && p.sink.time_partition != TimePartition::hour &&
        p.sink.time_partition != TimePartition::none) {
        return fail(Error::invalid("--table-format iceberg partitions by day(ts): use --time-partition day or hour "
                                   "(or none for unpartitioned tables)"));
    }
    if (p.sink.partition_tz != "UTC") {
        return fail(Error::invalid("--table-format iceberg partitions by UTC day: drop --partition-tz"));
    }
    p.sink.writer.field_ids = true;
    return {};
}

Result<SinkPipelineOptions> pipeline_options(const SinkFlags& f) {
    auto kafka = f.kafka.config();
    if (!kafka) {
        return fail(kafka.error());
    }
    SinkPipelineOptions p;
    p.sink = f.options;
    p.sink.kafka = *kafka;
    if (auto st = apply_sink_settings(f.settings, p); !st) {
        return fail(st.error());
    }
    if (!f.rotate_event_time.empty()) {
        auto d = parse_duration_us(f.rotate_event_time);
        if (!d) {
            return fail(d.error());
        }
        p.sink.rotate_event_time_us = *d;
    }
    auto store = f.storage.options();
    if (!store) {
        return fail(store.error());
    }
    p.store = *store;
    p.sink.progress = f.progress.enabled();
    p.sink.writer.parquet_via_duckdb = f.parquet_writer == "duckdb";
    p.metrics_addr = f.metrics_addr;
    return p;
}

int run_sink(SinkFlags& f) {
    auto p = pipeline_options(f);
    if (!p) {
        return report_error("sink", p.error());
    }
    if (auto st = apply_iceberg(f, *p); !st) {
        return report_error("sink", st.error());
    }
    std::unique_ptr<iceberg::IcebergCommitter> committer;
    if (f.table_format == "iceberg") {
        // By value: p itself is moved into the pipeline before this runs.
        iceberg::IcebergCommitterOptions options{f.iceberg_catalog_name, p->sink.group, p->sink.database,
                                                 [] { crash_point(CrashPoint::between_table_commits); },
                                                 p->sink.time_partition != TimePartition::none};
        options.rest_uri = f.iceberg_rest;
        if (const char* token = std::getenv("TICKLAKE_TOKEN"); token != nullptr && !f.iceberg_rest.empty()) {
            options.rest_token = token;
        }
        p->table_committer = [&f, &committer, options](ObjectStore& store) -> Result<TableCommitter*> {
            auto made = iceberg::IcebergCommitter::open(store, f.catalog.file(), options);
            if (!made) {
                return fail(made.error());
            }
            committer = std::move(*made);
            return committer.get();
        };
    }
    // Registration on write: each committed batch's files go into the catalog at once, so the
    // data is queryable without a crawl. The catalog is secondary: a failed registration is
    // reported and the sink goes on (a later `ticklake crawl` registers what was missed).
    std::unique_ptr<CommitRegistrar> registrar;
    if (!f.no_register) {
        p->listener = [&](ObjectStore& store, SinkOptions& o) -> Result<CommitListener*> {
            auto r = CommitRegistrar::open(store, f.catalog.path, [](const std::string& note) {
                log::info("sink: {}", note);
            });
            if (!r) {
                return fail(Error{r.error().kind, r.error().message + " (or pass --no-register)"});
            }
            registrar = std::move(*r);
            // An open table's columns as the catalog has them: new rows are typed against them.
            o.existing_columns = [&](const std::string& database, const std::string& table) {
                return registrar->existing_columns(database, table);
            };
            return registrar.get();
        };
    }
    // From the first step: SIGTERM while the store is still being opened (an outage, a slow
    // endpoint) stops the start-up's retries and exits cleanly, not by the default action.
    install_stop_signals();
    // Through the logger: a service's log (--log-format json) holds these lines too.
    p->on_start = [](const std::string& line) { log::info("{}", line); };
    const SinkOutcome out = run_sink_pipeline(std::move(*p), stop_requested);
    if (out.stopped_before_start) {
        log::info("sink: stopped while starting; nothing was consumed");
    }
    if (out.ran) {
        for (const auto& line : sink_summary_lines(out.stats, out.seconds)) {
            log::info("{}", line);
        }
        if (!f.summary_json.empty()) {
            std::ofstream(f.summary_json) << sink_summary_json(out.stats, out.seconds);
        }
    }
    return exit_status("sink", out.status);
}

// What is read: topics, how values become rows, where a new group starts.
void add_input_flags(CLI::App& cmd, SinkFlags& f) {
    SinkOptions& o = f.options;
    cmd.add_option("--topic,-t", f.settings.topics, "Topics to consume (repeat, or a,b,c)")->delimiter(',');
    cmd.add_option("--topic-regex", f.settings.topic_regex,
                    "Also every topic whose name matches this POSIX regex, including topics created later "
                    "(e.g. 'market\\..*')");
    cmd.add_option("--value-format", f.settings.value_format,
                    "How message values are read: auto (per topic, decided on its first message: ticklake events "
                    "when they carry ticklake's `type` header, avro, protobuf or jsonschema (as the registry's type of "
                    "the schema says) when they start with the Schema Registry's magic byte 0 and --schema-registry "
                    "is set, else json), ticklake, json (one object per message), "
                    "csv (one line per message), raw (the bytes, as a BLOB column `value`), avro (Confluent wire "
                    "format: magic byte 0, schema id, Avro binary; needs --schema-registry), protobuf (the same "
                    "frame, message indexes, Protobuf binary; the schema's .proto text is parsed at run time), "
                    "jsonschema (the same frame, then JSON whose columns the JSON Schema types)")
        ->check(CLI::IsMember({"auto", "ticklake", "json", "csv", "raw", "avro", "protobuf", "jsonschema"}))
        ->capture_default_str();
    cmd.add_option("--schema-registry", o.schema_registry,
                    "Schema Registry of avro, protobuf and jsonschema topics: http(s)://host:port (Confluent's REST "
                    "API) or file:///dir (its answers as files, dir/schemas/ids/ID and "
                    "dir/subjects/SUBJECT/versions/N for references); schemas are fetched by id and cached");
    cmd.add_option("--schema-registry-auth", o.schema_registry_auth,
                    "USER:PASSWORD for the registry's HTTP basic authentication (or env TICKLAKE_SCHEMA_REGISTRY_AUTH)")
        ->envname("TICKLAKE_SCHEMA_REGISTRY_AUTH");
    cmd.add_option("--schema-registry-ca", o.schema_registry_ca_file,
                    "PEM bundle that verifies an https registry instead of the system's CA store");
    cmd.add_option("--table", f.settings.tables,
                    "Table of a json/csv/raw topic: NAME (one topic) or TOPIC=NAME (repeat); default: the topic's "
                    "name in lower case with [^a-z0-9_] as _");
    cmd.add_option("--time-field", o.time_field,
                    "Field holding the event time (ISO 8601, a date, or epoch s/ms/us/ns told by magnitude); default: "
                    "the first of ts, timestamp, time, datetime, date, Date, t, E in the topic's first message, else "
                    "the Kafka timestamp");
    cmd.add_option("--column", f.settings.columns,
                    "FIELD=TYPE: a field's type instead of the inferred one (repeat), e.g. price=decimal(18,8), "
                    "ts=timestamp, qty=double, raw=string (keeps JSON text); values that do not convert are dead "
                    "letters");
    cmd.add_option("--partition-by", o.partition_by,
                    "Fields that become Hive partition folders before the time one (repeat, or a,b), e.g. symbol "
                    "-> symbol=AAPL/dt=2025-01-06; the field then lives in the path, not in the files")
        ->delimiter(',');
    cmd.add_flag("--kafka-metadata", o.kafka_metadata,
                  "Add columns _topic, _partition, _offset, _kafka_ts, _key and _headers (always on with raw)");
    cmd.add_option("--columns", o.csv_columns,
                    "csv: the column names, a,b,c; default: the topic's first message is its header")
        ->delimiter(',');
    cmd.add_option("--null-values", o.csv_null_values,
                    "csv: comma-separated cells that mean null besides the empty one (default: " +
                        std::string(kDefaultCsvNullValues) + ")");
    cmd.add_option("--start-from", f.settings.start_from,
                    "Where a group with no committed offset starts: earliest, latest, or a time (ISO 8601 or epoch "
                    "milliseconds)")
        ->capture_default_str();
    cmd.add_option("--max-columns", o.max_columns,
                    "A message that would grow its table beyond this many columns is a dead letter")
        ->capture_default_str();
    cmd.add_option("--max-value-bytes", o.max_value_bytes, "A larger json/csv/raw message value is a dead letter")
        ->capture_default_str();
    cmd.add_option("--group,-g", o.group, "Consumer group; run several sinks with one group to share partitions")
        ->capture_default_str();
}

// Where and how files are written, and when a batch becomes files.
void add_output_flags(CLI::App& cmd, SinkFlags& f) {
    SinkOptions& o = f.options;
    cmd.add_option("--warehouse,-w", o.warehouse,
                    "Warehouse: a folder or file:// URI (created when missing), or s3://bucket/prefix (credentials, "
                    "region and endpoint from the AWS environment: AWS_ACCESS_KEY_ID, AWS_PROFILE, AWS_REGION, "
                    "AWS_ENDPOINT_URL_S3 or --s3-endpoint for MinIO/Ceph)")
        ->required();
    f.storage.add_to(cmd, /*writes=*/true);
    add_duration_option(cmd, "--storage-retry-timeout", o.storage_retry_s,
                    "How long to keep retrying a write while the warehouse is unreachable (backoff up to 15 s); "
                    "nothing is committed meanwhile, and the sink fails after this long")
        ->capture_default_str();
    cmd.add_option("--format,-f", o.format, "File format: parquet (zstd, sorted by symbol, ts), jsonl or csv")
        ->check(CLI::IsMember({"parquet", "jsonl", "csv"}))
        ->capture_default_str();
    cmd.add_option("--database", o.database, "First folder level under the warehouse")->capture_default_str();
    cmd.add_option("--time-partition", f.settings.time_partition,
                    "Event-time partition: auto (each table's grain from its data's density, kept for the "
                    "table), hour (dt=/hour=HH), day (dt=YYYY-MM-DD), month (month=YYYY-MM), year (year=YYYY), "
                    "decade (decade=YYYY) or none; grains without dt= folders write dt as a column")
        ->check(CLI::IsMember({"auto", "hour", "day", "month", "year", "decade", "none"}))
        ->capture_default_str();
    cmd.add_option("--partition-tz", o.partition_tz,
                    "Time zone of the time partitions and the dt column: an IANA name such as America/New_York "
                    "puts a session's rows under its exchange's local date; kept per table")
        ->capture_default_str();
    cmd.add_option("--rotate-rows", o.rotate_rows, "Write a partition's files once it buffers this many rows")
        ->capture_default_str();
    cmd.add_option("--rotate-mib", f.settings.rotate_mib, "... or this many MiB")->capture_default_str();
    cmd.add_option("--rotate-event-time", f.rotate_event_time,
                    "... or when its buffered event times span this long (e.g. 1h; default off)")
        ->type_name("DURATION");
    cmd.add_option("--max-memory-mib", f.settings.max_memory_mib,
                    "The sink's memory budget (peak RSS), shared out between Kafka's prefetch, the rows held, "
                    "and each writer's DuckDB (src/sink/README.md); at least 128")
        ->capture_default_str();
    cmd.add_option("--max-buffer-mib", f.settings.max_buffer_mib,
                    "Rows held over all partitions, the largest written when exceeded (default: an eighth of "
                    "--max-memory-mib after its fixed part)");
    add_duration_option(cmd, "--max-buffer-age", o.max_buffer_age_s,
                    "How long data may wait in memory before it is written (bounds latency on slow streams)")
        ->capture_default_str();
    add_duration_option(cmd, "--until-idle", f.settings.until_idle,
                    "Exit 0 once caught up with every assigned partition and idle this long (e.g. 5s)");
    cmd.add_option("--writer-threads", o.writer_threads,
                    "Threads writing files while consuming goes on (each starts a DuckDB instance once a batch "
                    "needs one: --parquet-writer duckdb, decimal or nested columns)")
        ->capture_default_str();
    cmd.add_option("--zstd-level", o.writer.zstd_level, "zstd level for Parquet")->capture_default_str();
    cmd.add_option("--parquet-writer", f.parquet_writer,
                   "encoder: ticklake's own Parquet encoder for tables of flat columns (a sixth less sink CPU per "
                   "message, bench/README.md), DuckDB's COPY for tables with decimal or nested columns; duckdb: "
                   "DuckDB's COPY for every file (it adds bloom filters; docs/storage.md)")
        ->check(CLI::IsMember({"encoder", "duckdb"}))
        ->capture_default_str();
    cmd.add_option("--row-group-rows", o.writer.row_group_rows,
                   "Rows per Parquet row group (smaller: a query on S3 fetches less for one symbol, the footer "
                   "grows; DuckDB's COPY cuts at multiples of 2048)")
        ->check(CLI::Range(size_t{2048}, size_t{1} << 30))
        ->capture_default_str();
    cmd.add_option("--table-format", f.table_format,
                    "hive: files in Hive-style folders (the catalog registers them); iceberg: also an Iceberg v2 "
                    "table per table (<database>.<table>, one snapshot per committed batch, partitioned by day(ts) "
                    "unless --time-partition none, its Kafka offsets in the snapshot summary) in the catalog file, "
                    "which PyIceberg's SqlCatalog and Iceberg's JdbcCatalog open (docs/iceberg.md)")
        ->check(CLI::IsMember({"hive", "iceberg"}))
        ->capture_default_str();
    cmd.add_option("--iceberg-catalog-name", f.iceberg_catalog_name,
                    "The catalog name Iceberg tables are recorded under (the name readers give the catalog)")
        ->capture_default_str();
    cmd.add_option("--iceberg-rest", f.iceberg_rest,
                    "Commit Iceberg tables through this Iceberg REST catalog instead of the catalog file, e.g. "
                    "`ticklake serve`'s http://HOST:8787/iceberg (its token from $TICKLAKE_TOKEN): sinks on several "
                    "hosts then share one commit point (docs/iceberg.md)")
        ->type_name("URL");
}

} // namespace

void add_sink_command(CLI::App& app) {
    auto [cmd, flags] = add_command<SinkFlags>(
        app, "sink",
        "Consume topics as a consumer group and write Hive-partitioned Parquet/JSONL/CSV files.\n"
        "Files: WAREHOUSE/<database>/<table>/dt=YYYY-MM-DD/<topic>-p<partition>-o<first offset>.<ext>.\n"
        "Topics of ticklake events land in trades, quotes, bars and one table per record dataset; any\n"
        "other topic (plain JSON, CSV lines, raw bytes) lands in a table of its own named after it, with\n"
        "columns inferred from the values. Malformed messages go to dead_letters with the reason.\n"
        "Offsets are committed only after files are durable: exactly once across crashes and rebalances.",
        run_sink);
    flags->kafka.add_to(*cmd);
    flags->options.group = "ticklake-sink";
    add_input_flags(*cmd, *flags);
    add_output_flags(*cmd, *flags);
    cmd->add_option("--summary-json", flags->summary_json, "Write final counters as JSON to this file");
    add_metrics_addr_option(*cmd, flags->metrics_addr);
    flags->catalog.add_to(*cmd);
    cmd->add_flag("--no-register", flags->no_register,
                  "Do not record committed files in the catalog (by default each committed batch's files and "
                  "partitions are registered at once, as `ticklake crawl` would record them)");
    flags->progress.add_to(*cmd);
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
}

} // namespace ticklake::cli
