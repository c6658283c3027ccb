// `ticklake produce`: a source (simulator, CSV replay, wire-format replay, live vendor feed)
// -> a Kafka topic.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "common/event_json.h"
#include "kafka/kafka_admin.h"
#include "kafka/kafka_producer.h"
#include "sources/csv_replay.h"
#include "sources/jsonl_replay.h"
#include "sources/live/live_source_factory.h"
#include "sources/market_simulator.h"
#include "sources/pacer.h"

namespace ticklake::cli {

namespace {

namespace fs = std::filesystem;

struct ProduceFlags {
    KafkaFlags kafka;
    std::string topic;
    std::string source = "sim";
    //! sim: a count of symbols (empty: the simulator's default); live feeds: a comma-separated list
    std::string symbols;
    // simulator
    MarketSimulatorOptions sim;
    std::string sim_start;
    // live vendor feeds
    LiveSourceOptions live;
    std::string channels;
    // csv / jsonl replay
    std::string file;
    std::string as = "auto";
    std::string symbol;
    std::string dataset;
    // pacing
    double rate = 0;
    double speed = 0;
    // kafka
    int partitions = 6;
    int replication = -1;
    ProducerOptions producer;
    std::string summary_json;
    bool progress = false;
    bool no_progress = false;
};

//! Unzips a single-file .zip into a private temp folder (the tutorial ships its CSV zipped).
Result<std::string> unzip_single_csv(const std::string& zip_path, fs::path& temp_dir) {
    temp_dir = fs::temp_directory_path() / fmt::format("ticklake-unzip-{}", ::getpid());
    fs::create_directories(temp_dir);
    const std::string cmd = fmt::format("unzip -o -q '{}' -d '{}'", zip_path, temp_dir.string());
    if (std::system(cmd.c_str()) != 0) {
        return fail(Error::invalid("cannot unzip " + zip_path + " (is `unzip` installed? run make setup)"));
    }
    for (const auto& entry : fs::recursive_directory_iterator(temp_dir)) {
        if (entry.is_regular_file() && entry.path().extension() == ".csv") {
            return entry.path().string();
        }
    }
    return fail(Error::invalid(zip_path + " holds no .csv file"));
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        std::string item = text.substr(start, comma - start);
        while (!item.empty() && item.front() == ' ') item.erase(0, 1);
        while (!item.empty() && item.back() == ' ') item.pop_back();
        if (!item.empty()) {
            out.push_back(std::move(item));
        }
        start = comma + 1;
    }
    return out;
}

Result<std::unique_ptr<MarketDataSource>> open_live(ProduceFlags& f) {
    LiveSourceOptions o = f.live;
    o.vendor = f.source;
    o.symbols = split_list(f.symbols);
    o.channels = split_list(f.channels);
    if (auto st = credentials_from_env(o); !st) {
        return fail(st.error());
    }
    return open_live_source(o);
}

Result<std::unique_ptr<MarketDataSource>> open_source(ProduceFlags& f, fs::path& temp_dir) {
    if (is_live_vendor(f.source)) {
        return open_live(f);
    }
    if (f.source == "sim") {
        try {
            if (f.symbols.empty()) {
                f.symbols = std::to_string(f.sim.symbols);
            }
            size_t used = 0;
            const unsigned long n = std::stoul(f.symbols, &used);
            if (used != f.symbols.size() || n > 4'000'000'000ul) {
                throw std::invalid_argument(f.symbols);
            }
            f.sim.symbols = static_cast<uint32_t>(n);
        } catch (const std::exception&) {
            return fail(Error::invalid("--symbols with --source sim is a number of symbols, not '" + f.symbols + "'"));
        }
        if (!f.sim_start.empty()) {
            auto t = parse_iso8601(f.sim_start);
            if (!t) {
                return fail(Error::invalid("--start: " + t.error().message));
            }
            f.sim.start = *t;
        }
        auto s = MarketSimulator::create(f.sim);
        if (!s) {
            return fail(s.error());
        }
        return std::unique_ptr<MarketDataSource>(std::move(*s));
    }
    if (f.file.empty()) {
        return fail(Error::invalid("--source " + f.source + " needs --file PATH"));
    }
    if (f.source == "csv") {
        CsvReplayOptions o;
        o.path = f.file;
        if (f.file.size() > 4 && f.file.substr(f.file.size() - 4) == ".zip") {
            auto csv = unzip_single_csv(f.file, temp_dir);
            if (!csv) {
                return fail(csv.error());
            }
            o.path = *csv;
        }
        auto shape = parse_csv_shape(f.as);
        if (!shape) {
            return fail(Error::invalid("--as must be auto, bars or records"));
        }
        o.as = *shape;
        o.symbol = f.symbol;
        o.dataset = f.dataset;
        auto s = CsvReplay::open(o);
        if (!s) {
            return fail(s.error());
        }
        return std::unique_ptr<MarketDataSource>(std::move(*s));
    }
    return fail(Error::invalid("unknown --source '" + f.source + "' (sim, csv, jsonl or a vendor of docs/sources.md)"));
}

int run_produce(ProduceFlags& f) {
    auto kc = f.kafka.config();
    if (!kc) {
        return report_error("produce", kc.error());
    }
    if (f.rate < 0 || f.speed < 0) {
        return report_error("produce", Error::invalid("--rate and --speed must be positive"));
    }
    if (f.rate > 0 && f.speed > 0) {
        return report_error("produce", Error::invalid("give --rate or --speed, not both"));
    }
    fs::path temp_dir;
    struct TempCleanup {
        fs::path& dir;
        ~TempCleanup() {
            std::error_code ec;
            if (!dir.empty()) fs::remove_all(dir, ec);
        }
    } cleanup{temp_dir};
    std::unique_ptr<MarketDataSource> source_holder;
    std::unique_ptr<JsonlReplay> wire;
    if (f.source == "jsonl") {
        if (f.file.empty()) {
            return report_error("produce", Error::invalid("--source jsonl needs --file PATH"));
        }
        auto w = JsonlReplay::open(f.file);
        if (!w) {
            return report_error("produce", w.error());
        }
        wire = std::move(*w);
    } else {
        auto s = open_source(f, temp_dir);
        if (!s) {
            return report_error("produce", s.error());
        }
        source_holder = std::move(*s);
    }
    auto* source = &source_holder;
    auto skipped = [&]() -> uint64_t { return wire ? wire->skipped() : (*source)->skipped(); };
    const std::string description = wire ? wire->describe() : (*source)->describe();
    if (auto probe = probe_cluster(*kc, std::chrono::seconds(10)); !probe) {
        return report_error("produce", probe.error());
    }
    if (auto st = ensure_topic(*kc, f.topic, f.partitions, f.replication, std::chrono::seconds(30)); !st) {
        return report_error("produce", st.error());
    }
    auto producer = KafkaProducer::create(*kc, f.producer);
    if (!producer) {
        return report_error("produce", producer.error());
    }
    install_stop_signals();
    const bool progress = f.progress || (!f.no_progress && stderr_is_terminal());
    std::fprintf(stderr, "produce: %s -> topic %s at %s\n", description.c_str(), f.topic.c_str(),
                 kc->brokers.c_str());

    PacerOptions po;
    po.rate = f.rate;
    po.speed = f.speed;
    Pacer pacer(po);
    std::vector<Event> batch;
    std::string json;
    Event wire_event;
    const auto t0 = std::chrono::steady_clock::now();
    auto last_print = t0;
    uint64_t last_count = 0;
    Status failure;
    auto send = [&](const Event& e, std::string_view value) -> Status {
        if (!pacer.unpaced()) {
            pacer.before(e);
        }
        return (*producer)->produce(f.topic, e.symbol, value, to_string(e.type));
    };
    auto show_progress = [&] {
        const auto now = std::chrono::steady_clock::now();
        if (!progress || now - last_print < std::chrono::seconds(1)) {
            return;
        }
        const auto& s = (*producer)->stats();
        const double dt = std::chrono::duration<double>(now - last_print).count();
        std::fprintf(stderr, "\rproduce: %llu sent  %llu delivered  %.0f ev/s  %llu failed  %llu skipped   ",
                     static_cast<unsigned long long>(s.enqueued), static_cast<unsigned long long>(s.delivered),
                     (s.enqueued - last_count) / dt, static_cast<unsigned long long>(s.failed),
                     static_cast<unsigned long long>(skipped()));
        last_print = now;
        last_count = s.enqueued;
    };
    while (!stop_requested.load(std::memory_order_relaxed)) {
        if (wire) {
            // Wire-format lines go out byte for byte (the benchmark's pre-serialised messages).
            std::string_view line;
            auto more = wire->next(line, wire_event);
            if (!more) {
                failure = fail(more.error());
                break;
            }
            if (!*more) {
                break;
            }
            if (auto st = send(wire_event, line); !st) {
                failure = st;
                break;
            }
            if (((*producer)->stats().enqueued & 4095) == 0) {
                (*producer)->poll(0);
                show_progress();
            }
            continue;
        }
        if ((*source)->done()) {
            break;
        }
        batch.clear();
        auto n = (*source)->next_batch(batch, pacer.unpaced() ? 4096 : 64);
        if (!n) {
            failure = fail(n.error());
            break;
        }
        for (const Event& e : batch) {
            json.clear();
            append_event_json(json, e);
            if (auto st = send(e, json); !st) {
                failure = st;
                break;
            }
        }
        if (!failure) {
            break;
        }
        (*producer)->poll(0);
        show_progress();
    }
    auto flushed = (*producer)->flush(std::chrono::seconds(120));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto& s = (*producer)->stats();
    if (progress) {
        std::fputc('\n', stderr);
    }
    std::fprintf(stderr, "produce: delivered %llu of %llu events to %s in %.2f s (%.0f ev/s); %llu failed, %llu "
                         "input rows skipped\n",
                 static_cast<unsigned long long>(s.delivered), static_cast<unsigned long long>(s.enqueued),
                 f.topic.c_str(), secs, secs > 0 ? s.delivered / secs : 0.0, static_cast<unsigned long long>(s.failed),
                 static_cast<unsigned long long>(skipped()));
    for (const auto& why : wire ? wire->first_errors() : (*source)->first_errors()) {
        std::fprintf(stderr, "produce:   skipped %s\n", why.c_str());
    }
    if (!wire) {
        if (const std::string summary = (*source)->summary(); !summary.empty()) {
            std::fprintf(stderr, "produce: %s\n", summary.c_str());
        }
    }
    if (!f.summary_json.empty()) {
        // Live feeds add their counters under "source" (docs/sources.md).
        std::string source_counters;
        if (!wire) {
            for (const auto& [name, value] : (*source)->counters()) {
                source_counters += fmt::format("{}\"{}\":{}", source_counters.empty() ? "" : ",", name, value);
            }
        }
        std::ofstream(f.summary_json) << fmt::format(
            "{{\"enqueued\":{},\"delivered\":{},\"failed\":{},\"skipped\":{},\"seconds\":{:.3f}{}}}\n", s.enqueued,
            s.delivered, s.failed, skipped(), secs,
            source_counters.empty() ? std::string() : ",\"source\":{" + source_counters + "}");
    }
    if (!failure) {
        return report_error("produce", failure.error());
    }
    if (!flushed) {
        return report_error("produce", flushed.error());
    }
    if (s.failed > 0) {
        return report_error("produce", Error::retry(fmt::format("{} events were not delivered (first error: {})",
                                                                s.failed, s.first_error)));
    }
    return 0;
}

} // namespace

void add_produce_command(CLI::App& app) {
    auto f = std::make_shared<ProduceFlags>();
    CLI::App* cmd = app.add_subcommand(
        "produce", "Send market events to a Kafka topic: one JSON object per message, keyed by symbol, with a\n"
                   "'type' header (docs/events.md). Idempotent producer, acks=all, compressed, batched.\n"
                   "Examples:\n"
                   "  ticklake produce -t ticks --source sim --count 1000000 --symbols 50 --seed 7\n"
                   "  ticklake produce -t bars --source csv --file indexProcessed.csv.zip --rate 100\n"
                   "  ticklake produce -t crypto --source coinbase --symbols BTC-USD,ETH-USD --duration 3600\n"
                   "  FINNHUB_API_KEY=... ticklake produce -t ticks --source finnhub --symbols AAPL,MSFT\n"
                   "Live feeds (docs/sources.md) reconnect with backoff, drop replayed duplicates by the vendor's\n"
                   "ids and print gap counts; keys come from environment variables and are never logged.");
    f->kafka.add_to(*cmd);
    cmd->add_option("--topic,-t", f->topic, "Topic to write (created with --partitions when missing)")->required();
    std::vector<std::string> sources = {"sim", "csv", "jsonl"};
    sources.insert(sources.end(), live_vendor_names().begin(), live_vendor_names().end());
    cmd->add_option("--source,-s", f->source,
                    "sim: deterministic market simulator; csv: replay a CSV with a header (a .zip holding one CSV "
                    "is unzipped); jsonl: replay wire-format JSON lines as they are; finnhub, coinbase, binance, "
                    "alpaca, polygon (WebSocket), yahoo, alphavantage (REST polling): live vendor feeds")
        ->check(CLI::IsMember(sources))
        ->capture_default_str();
    cmd->add_option("--symbols", f->symbols,
                    "sim: number of symbols, real large caps first, then synthetic (default 50); live feeds: "
                    "comma-separated list in the vendor's notation (AAPL; BTC-USD for coinbase; BTCUSDT for "
                    "binance; BINANCE:BTCUSDT for finnhub crypto)");
    auto* sim = cmd->add_option_group("simulator (--source sim)");
    sim->add_option("--count,-n", f->sim.count, "Number of events to generate")->capture_default_str();
    sim->add_option("--seed", f->sim.seed, "Random seed: same seed and options give the same events")
        ->capture_default_str();
    sim->add_option("--days", f->sim.days, "Trading sessions (weekdays 14:30-21:00 UTC) to spread events over")
        ->capture_default_str();
    sim->add_option("--start", f->sim_start, "First session start, ISO 8601 UTC (default 2025-01-06T14:30:00Z)");
    sim->add_option("--quote-ratio", f->sim.quote_ratio, "Fraction of events that are quotes; the rest are trades")
        ->capture_default_str();
    auto* replay = cmd->add_option_group("replay (--source csv|jsonl)");
    replay->add_option("--file", f->file, "Input file");
    replay->add_option("--as", f->as,
                       "auto: recognise bars (the tutorial's indexProcessed.csv, OHLCV headers), else records; "
                       "bars or records to force")
        ->capture_default_str();
    replay->add_option("--symbol", f->symbol, "Symbol for rows without a symbol column");
    replay->add_option("--dataset", f->dataset, "Table name for records (default: the file name in snake_case)");
    auto* live = cmd->add_option_group("live feeds (--source finnhub|coinbase|binance|alpaca|polygon|yahoo|alphavantage)");
    live->add_option("--url", f->live.url,
                     "Endpoint instead of the vendor's (a proxy, or the test replay server): ws://, wss://, http://, "
                     "https://");
    live->add_option("--channels", f->channels,
                     "Comma-separated vendor channels. coinbase: matches,ticker; binance: trade,aggTrade,bookTicker,"
                     "kline_1m; alpaca: trades,quotes,bars; polygon: T,Q,A,AM (default: see docs/sources.md)");
    live->add_option("--duration", f->live.duration_s, "Stop after this many seconds (0 = run until Ctrl-C)")
        ->capture_default_str();
    live->add_option("--dedup-window", f->live.dedup_window,
                     "Event ids remembered to drop what a reconnect sends again (0 = no dedup)")
        ->capture_default_str();
    live->add_option("--feed", f->live.feed, "alpaca: iex (free) or sip; polygon: stocks, crypto, ...");
    live->add_option("--interval", f->live.interval,
                     "yahoo, alphavantage: bar interval 1m, 5m, 15m, 30m, 1h (and 1d for yahoo); default 1m");
    live->add_option("--range", f->live.range, "yahoo: how far back each poll reaches (1d, 5d, 1mo, ...); default 1d");
    live->add_option("--poll-interval", f->live.poll_interval_s,
                     "yahoo, alphavantage: seconds between two polls of one symbol (mind the plan's rate limit)")
        ->capture_default_str();
    live->add_option("--rate-limit-wait", f->live.rate_limit_wait_s,
                     "alphavantage: seconds to pause all polls after a rate-limit note (HTTP 429 answers use their "
                     "Retry-After)")
        ->capture_default_str();
    live->add_option("--idle-timeout", f->live.idle_timeout_s,
                     "WebSocket: ping after half of this many seconds of silence, reconnect after all of it")
        ->capture_default_str();
    live->add_option("--ca-file", f->live.ca_file, "CA bundle (PEM): added to the system's for wss://, used instead of it for https://");
    auto* pace = cmd->add_option_group("pacing (default: as fast as possible)");
    pace->add_option("--rate", f->rate, "Events per second");
    pace->add_option("--speed", f->speed, "Replay at X times the event-time pace (1 = real time)");
    cmd->add_option("--partitions", f->partitions, "Partitions of a topic created by this command")
        ->capture_default_str();
    cmd->add_option("--replication", f->replication, "Replication factor of a created topic (-1 = broker default)")
        ->capture_default_str();
    cmd->add_option("--compression", f->producer.compression, "lz4, zstd, snappy, gzip or none")
        ->check(CLI::IsMember({"lz4", "zstd", "snappy", "gzip", "none"}))
        ->capture_default_str();
    cmd->add_option("--linger-ms", f->producer.linger_ms, "How long to wait to fill a batch")->capture_default_str();
    cmd->add_option("--summary-json", f->summary_json, "Write final counters as JSON to this file");
    cmd->add_flag("--progress", f->progress, "Print a status line every second (default: when on a terminal)");
    cmd->add_flag("--no-progress", f->no_progress, "Never print the status line");
    cmd->callback([f] { exit_code = run_produce(*f); });
}

} // namespace ticklake::cli
