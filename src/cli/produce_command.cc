// `ticklake produce`: a source (simulator, CSV replay, wire-format replay, live vendor feed)
// -> a Kafka topic. The pump is produce/produce_pipeline.h; this file turns flags into its
// options and prints its status lines.
#include <cstdio>
#include <fstream>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "common/csv_dialect.h"
#include "common/log.h"
#include "sources/live/live_source_factory.h"
#include "produce/produce_pipeline.h"

namespace ticklake::cli {

namespace {

struct ProduceFlags {
    KafkaFlags kafka;
    ProduceOptions options;
    std::string summary_json;
    ProgressFlags progress;
};

int run_produce(ProduceFlags& f) {
    auto kc = f.kafka.config();
    f.options.kafka = kc.value_or(KafkaClientConfig{});
    auto pipeline = kc ? ProducePipeline::open(f.options) : fail(kc.error());
    if (!pipeline) {
        return report_error("produce", pipeline.error());
    }
    install_stop_signals();
    const bool progress = f.progress.enabled();
    // Through the logger: a service's log (--log-format json) holds these lines too.
    log::info("produce: {}", (*pipeline)->describe());
    ProduceProgressFn show;
    if (progress) {
        show = [](const ProduceProgress& p) { log::status("\rproduce: {}   ", p.line()); };
    }
    const ProduceReport report = (*pipeline)->run(stop_requested, show);
    if (progress) {
        log::status("\n");
    }
    for (const auto& line : report.lines()) {
        log::info("produce: {}", line);
    }
    if (!f.summary_json.empty()) {
        std::ofstream(f.summary_json) << report.summary_json();
    }
    return exit_status("produce", report.outcome());
}

void add_simulator_options(CLI::App& cmd, SourceSpec& src) {
    auto* sim = cmd.add_option_group("simulator (--source sim)");
    sim->add_option("--count,-n", src.sim.count, "Number of events to generate")->capture_default_str();
    sim->add_option("--seed", src.sim.seed, "Random seed: same seed and options give the same events")
        ->capture_default_str();
    sim->add_option("--days", src.sim.days, "Trading sessions of --exchange's calendar to spread events over")
        ->capture_default_str();
    sim->add_option("--exchange", src.sim.exchange,
                    "Calendar of the sessions: XNYS (XNAS), XLON, XETR, XTKS, XHKG or XSHG; local hours with DST, "
                    "no holidays, no ticks in a lunch break")
        ->capture_default_str();
    sim->add_option("--start", src.sim_start, "First session start, ISO 8601 UTC (default 2025-01-06T14:30:00Z)");
    sim->add_option("--quote-ratio", src.sim.quote_ratio, "Fraction of events that are quotes; the rest are trades")
        ->capture_default_str();
}

void add_replay_options(CLI::App& cmd, SourceSpec& src) {
    auto* replay = cmd.add_option_group("replay (--source csv|jsonl)");
    replay->add_option("--file", src.file, "Input file");
    replay->add_option("--as", src.as,
                       "auto: recognise bars (the tutorial's indexProcessed.csv, OHLCV headers), else records; "
                       "bars or records to force")
        ->capture_default_str();
    replay->add_option("--symbol", src.symbol, "Symbol for rows without a symbol column");
    replay->add_option("--dataset", src.dataset, "Table name for records (default: the file name in snake_case)");
    replay->add_option("--symbol-column", src.symbol_column,
                       "csv: the column of symbols (default: the first of symbol, ticker, index, code, instrument, ric, "
                       "isin, secid, in any case)");
    replay->add_option("--null-values", src.null_values,
                       "csv: comma-separated cells that mean null besides the empty one (default: " +
                           std::string(kDefaultCsvNullValues) + ")");
    replay->add_option("--bad-rows", src.bad_rows,
                       "csv: write rows that cannot be read to this CSV file (line,reason,detail,row)");
}

void add_live_options(CLI::App& cmd, SourceSpec& src) {
    auto* live = cmd.add_option_group("live feeds (--source finnhub|coinbase|binance|alpaca|polygon|yahoo|alphavantage)");
    live->add_option("--url", src.live.url,
                     "Endpoint instead of the vendor's (a proxy, or the test replay server): ws://, wss://, http://, "
                     "https://");
    live->add_option("--channels", src.channels,
                     "Comma-separated vendor channels. coinbase: matches,ticker; binance: trade,aggTrade,bookTicker,"
                     "kline_1m; alpaca: trades,quotes,bars; polygon: T,Q,A,AM (default: see docs/sources.md)");
    add_duration_option(*live, "--duration", src.live.duration_s, "Stop after this long (0 = run until Ctrl-C)")
        ->capture_default_str();
    live->add_option("--dedup-window", src.live.dedup_window,
                     "Event ids remembered to drop what a reconnect sends again (0 = no dedup)")
        ->capture_default_str();
    live->add_option("--feed", src.live.feed, "alpaca: iex (free) or sip; polygon: stocks, crypto, ...");
    live->add_option("--interval", src.live.interval,
                     "yahoo, alphavantage: bar interval 1m, 5m, 15m, 30m, 1h (and 1d for yahoo); default 1m");
    live->add_option("--range", src.live.range, "yahoo: how far back each poll reaches (1d, 5d, 1mo, ...); default 1d");
    add_duration_option(*live, "--poll-interval", src.live.poll_interval_s,
                     "yahoo, alphavantage: time between two polls of one symbol (mind the plan's rate limit)")
        ->capture_default_str();
    add_duration_option(*live, "--rate-limit-wait", src.live.rate_limit_wait_s,
                     "alphavantage: how long to pause all polls after a rate-limit note (HTTP 429 answers use their "
                     "Retry-After)")
        ->capture_default_str();
    add_duration_option(*live, "--idle-timeout", src.live.idle_timeout_s,
                     "WebSocket: ping after half of this much silence, reconnect after all of it")
        ->capture_default_str();
    live->add_option("--ca-file", src.live.ca_file, "CA bundle (PEM): added to the system's for wss://, used instead of it for https://");
}

void add_pacing_and_producer_options(CLI::App& cmd, ProduceOptions& o) {
    auto* pace = cmd.add_option_group("pacing (default: as fast as possible)");
    pace->add_option("--rate", o.pacing.rate, "Events per second");
    pace->add_option("--speed", o.pacing.speed, "Replay at X times the event-time pace (1 = real time)");
    cmd.add_option("--partitions", o.partitions, "Partitions of a topic created by this command")
        ->capture_default_str();
    cmd.add_option("--replication", o.replication, "Replication factor of a created topic (-1 = broker default)")
        ->capture_default_str();
    cmd.add_option("--compression", o.producer.compression, "lz4, zstd, snappy, gzip or none")
        ->check(CLI::IsMember({"lz4", "zstd", "snappy", "gzip", "none"}))
        ->capture_default_str();
    cmd.add_option("--linger-ms", o.producer.linger_ms, "How long to wait to fill a batch")->capture_default_str();
}

void add_value_format_options(CLI::App& cmd, ProduceOptions& o) {
    auto* g = cmd.add_option_group("values (default: ticklake's JSON)");
    g->add_option_function<std::string>(
         "--value-format",
         [&o](const std::string& text) { o.value_format = parse_event_value_format(text).value(); },
         "json (docs/events.md), avro or protobuf: the Schema Registry's wire format, with ticklake's event "
         "schemas (schemas/*.avsc, schemas/events.proto) registered first under subject TOPIC-value with "
         "compatibility BACKWARD; needs --schema-registry")
        ->check(CLI::IsMember({"json", "avro", "protobuf"}))
        ->default_str("json");
    g->add_option("--schema-registry", o.schema_registry, "Confluent-compatible Schema Registry: http(s)://host:port");
    g->add_option("--schema-registry-auth", o.schema_registry_auth,
                  "USER:PASSWORD for the registry's HTTP basic authentication (or env TICKLAKE_SCHEMA_REGISTRY_AUTH)")
        ->envname("TICKLAKE_SCHEMA_REGISTRY_AUTH");
    g->add_option("--schema-registry-ca", o.schema_registry_ca_file,
                  "PEM bundle that verifies an https registry instead of the system's CA store");
}

} // namespace

void add_produce_command(CLI::App& app) {
    auto [cmd, f] = add_command<ProduceFlags>(
        app, "produce",
        "Send market events to a Kafka topic: one JSON object per message, keyed by symbol, with a\n"
        "'type' header (docs/events.md), or Avro/Protobuf in the Schema Registry's wire format\n"
        "(--value-format). Idempotent producer, acks=all, compressed, batched.\n"
        "Examples:\n"
        "  ticklake produce -t ticks --source sim --count 1000000 --symbols 50 --seed 7\n"
        "  ticklake produce -t bars --source csv --file indexProcessed.csv.zip --rate 100\n"
        "  ticklake produce -t crypto --source coinbase --symbols BTC-USD,ETH-USD --duration 3600\n"
        "  FINNHUB_API_KEY=... ticklake produce -t ticks --source finnhub --symbols AAPL,MSFT\n"
        "Live feeds (docs/sources.md) reconnect with backoff, drop replayed duplicates by the vendor's\n"
        "ids and print gap counts; keys come from environment variables and are never logged.",
        run_produce);
    f->kafka.add_to(*cmd);
    cmd->add_option("--topic,-t", f->options.topic, "Topic to write (created with --partitions when missing)")->required();
    std::vector<std::string> sources = {"sim", "csv", "jsonl"};
    sources.insert(sources.end(), live_vendor_names().begin(), live_vendor_names().end());
    cmd->add_option("--source,-s", f->options.source.name,
                    "sim: deterministic market simulator; csv: replay a CSV with a header (of a .zip, its first .csv "
                    "file, read in place); jsonl: replay wire-format JSON lines as they are; finnhub, coinbase, binance, "
                    "alpaca, polygon (WebSocket), yahoo, alphavantage (REST polling): live vendor feeds")
        ->check(CLI::IsMember(sources))
        ->capture_default_str();
    cmd->add_option("--symbols", f->options.source.symbols,
                    "sim: number of symbols, real large caps first, then synthetic (default 50); live feeds: "
                    "comma-separated list in the vendor's notation (AAPL; BTC-USD for coinbase; BTCUSDT for "
                    "binance; BINANCE:BTCUSDT for finnhub crypto)");
    add_simulator_options(*cmd, f->options.source);
    add_replay_options(*cmd, f->options.source);
    add_live_options(*cmd, f->options.source);
    add_pacing_and_producer_options(*cmd, f->options);
    add_value_format_options(*cmd, f->options);
    cmd->add_option("--summary-json", f->summary_json, "Write final counters as JSON to this file");
    add_metrics_addr_option(*cmd, f->options.metrics_addr);
    f->progress.add_to(*cmd);
}

} // namespace ticklake::cli
