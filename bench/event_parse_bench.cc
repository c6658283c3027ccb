// Parse cost per message of the wire JSON, on 100,000 simulated ticks as the producer writes
// them: the sink's full parse (EventParser::parse_into) on the flat path and on simdjson alone,
// the producer's envelope read (parse_envelope, --source jsonl), and ISO 8601 times in
// ticklake's form and with an offset. Each pair runs in one process, so their ratio is what a
// change to one path is judged by (bench/README.md).
#include <benchmark/benchmark.h>

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/event_json.h"
#include "common/timestamp.h"
#include "decode/event_time.h"
#include "decode/json_row_decoder.h"
#include "format/open_table.h"
#include "format/jsonl_writer.h"
#include "format/table_buffer.h"
#include "sources/market_simulator.h"

namespace {

using namespace ticklake;

const std::vector<std::string>& ticks() {
    static const std::vector<std::string> lines = [] {
        MarketSimulatorOptions o;
        o.count = 100'000;
        auto sim = MarketSimulator::create(o);
        std::vector<Event> events;
        while (sim && !(*sim)->done()) {
            if (!(*sim)->next_batch(events, 4096)) {
                break;
            }
        }
        std::vector<std::string> out;
        for (const Event& e : events) {
            append_event_json(out.emplace_back(), e);
        }
        return out;
    }();
    return lines;
}

template <class Parse>
void each_tick(benchmark::State& state, bool simdjson_only, Parse parse) {
    const auto& lines = ticks();
    if (lines.empty()) {
        state.SkipWithError("the simulator made no ticks");
        return;
    }
    EventParser parser;
    parser.set_simdjson_only(simdjson_only);
    Event e;
    size_t i = 0, bytes = 0;
    for (auto _ : state) {
        const std::string& line = lines[i];
        if (!parse(parser, line, e)) {
            state.SkipWithError("a simulated tick did not parse");
            break;
        }
        bytes += line.size();
        i = i + 1 == lines.size() ? 0 : i + 1;
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_ParseInto(benchmark::State& state) {
    each_tick(state, state.range(0) != 0, [](EventParser& p, const std::string& l, Event& e) {
        return static_cast<bool>(p.parse_into(l, e));
    });
}
BENCHMARK(BM_ParseInto)->ArgName("simdjson_only")->Arg(0)->Arg(1);

// The JSON Lines sink's parse: also tells whether the message is in the writer's form (its row
// is then copied). `wire` is the share of ticks that are.
void BM_ParseIntoWireForm(benchmark::State& state) {
    size_t wire = 0, n = 0;
    each_tick(state, false, [&](EventParser& p, const std::string& l, Event& e) {
        bool wire_form = false;
        const bool ok = static_cast<bool>(p.parse_into(l, e, wire_form));
        wire += wire_form ? 1 : 0;
        ++n;
        return ok;
    });
    state.counters["wire"] = n == 0 ? 0.0 : static_cast<double>(wire) / static_cast<double>(n);
}
BENCHMARK(BM_ParseIntoWireForm);

// The sink's own work per message before the writer: parse, then append to the buffer of the
// event's table (a new buffer every 100,000 rows, as batches rotate).
void BM_ParseAndAppend(benchmark::State& state) {
    const auto& lines = ticks();
    if (lines.empty()) {
        state.SkipWithError("the simulator made no ticks");
        return;
    }
    EventParser parser;
    Event e;
    std::array<std::unique_ptr<TableBuffer>, 4> tables;
    size_t i = 0, rows = 0;
    for (auto _ : state) {
        if (!parser.parse_into(lines[i], e)) {
            state.SkipWithError("a simulated tick did not parse");
            break;
        }
        auto& t = tables[static_cast<size_t>(e.type)];
        if (!t || rows == 100'000) {
            if (rows == 100'000) {
                state.PauseTiming();
                for (auto& each : tables) each.reset();
                rows = 0;
                state.ResumeTiming();
            }
            if (!t) t = std::make_unique<TableBuffer>(e.type);
        }
        t->append(e);
        ++rows;
        i = i + 1 == lines.size() ? 0 : i + 1;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAndAppend);

// The JSON Lines sink's own work on 100,000 ticks, Kafka aside: parse, append to the table's
// buffer, sort, write the files. copy_rows=1 keeps each message's row (ColumnBatch::json_rows,
// what the sink does) and the writer copies it; 0 writes every row from the columns (before).
void BM_JsonlFiles(benchmark::State& state) {
    const auto& lines = ticks();
    const bool copy_rows = state.range(0) != 0;
    const auto dir = std::filesystem::temp_directory_path();
    EventParser parser;
    Event e;
    std::string scratch;
    JsonlWriter writer;
    for (auto _ : state) {
        std::array<std::unique_ptr<TableBuffer>, 4> tables;
        for (const std::string& line : lines) {
            bool wire_form = false;
            if (!(copy_rows ? parser.parse_into(line, e, wire_form) : parser.parse_into(line, e))) {
                state.SkipWithError("a simulated tick did not parse");
                return;
            }
            auto& t = tables[static_cast<size_t>(e.type)];
            if (!t) t = std::make_unique<TableBuffer>(e.type, copy_rows);
            if (copy_rows) {
                t->append(e, json_row_members(line, wire_form, e, scratch));
            } else {
                t->append(e);
            }
        }
        for (size_t i = 0; i < tables.size(); ++i) {
            if (tables[i] && !writer.write(tables[i]->batch(), tables[i]->sorted_order(),
                                           dir / ("ticklake-bench-" + std::to_string(i) + ".jsonl"))) {
                state.SkipWithError("writing a file failed");
                return;
            }
        }
    }
    for (size_t i = 0; i < 4; ++i) std::filesystem::remove(dir / ("ticklake-bench-" + std::to_string(i) + ".jsonl"));
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(lines.size()));
}
BENCHMARK(BM_JsonlFiles)->ArgName("copy_rows")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_Envelope(benchmark::State& state) {
    each_tick(state, false, [](EventParser& p, const std::string& l, Event& e) {
        return static_cast<bool>(p.parse_envelope(l, e));
    });
}
BENCHMARK(BM_Envelope);

// The same instants as "...Z" (27 bytes, ticklake's form) and as "...+00:00" (the general
// parser's work).
void BM_Iso8601(benchmark::State& state) {
    std::vector<std::string> times;
    for (int64_t t = 1'736'173'800'000'000; times.size() < 4096; t += 1'234'567) {
        times.push_back(format_iso8601(t));
        if (state.range(0) != 0) {
            times.back().replace(26, 1, "+00:00");
        }
    }
    size_t i = 0;
    for (auto _ : state) {
        auto r = parse_iso8601(times[i]);
        benchmark::DoNotOptimize(r);
        i = (i + 1) & 4095;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Iso8601)->ArgName("with_offset")->Arg(0)->Arg(1);

// The producer's own work per simulated tick (--source sim): the simulator's next event, in
// batches of 4,096 as the producer asks, and its JSON, without librdkafka. Its share of the
// producer's CPU is what end to end (sim -> Kafka -> Parquet) can gain from this side.
void BM_SimulateAndEncode(benchmark::State& state) {
    MarketSimulatorOptions o;
    o.count = UINT64_MAX / 2;
    auto sim = MarketSimulator::create(o);
    if (!sim) {
        state.SkipWithError("the simulator did not start");
        return;
    }
    std::vector<Event> batch;
    std::string value;
    size_t bytes = 0;
    int64_t events = 0;
    for (auto _ : state) {
        if (!(*sim)->refill(batch, 4096)) {
            state.SkipWithError("the simulator failed");
            break;
        }
        for (const Event& e : batch) {
            value.clear();
            append_event_json(value, e);
            bytes += value.size();
        }
        events += static_cast<int64_t>(batch.size());
    }
    state.SetItemsProcessed(events);
    state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_SimulateAndEncode)->Unit(benchmark::kMicrosecond);

// The schemaless sink's own work per message (--value-format json): decode the object into
// cells, read the event time from "ts", and append the row to the open table's buffer (a new
// buffer every 65,536 rows, as files are cut). Kafka and the file writer are not in it.
void BM_OpenTableRows(benchmark::State& state) {
    const auto& lines = ticks();
    JsonRowDecoder decoder;
    RowCells row;
    OpenSchema schema({"dt"}, 10'000);
    auto buffer = std::make_unique<OpenTableBuffer>(schema);
    size_t i = 0;
    for (auto _ : state) {
        if (!decoder.decode_viewing(lines[i], row)) {
            state.SkipWithError("a simulated tick did not decode");
            break;
        }
        RowCell* ts = row.find("ts");
        auto t = ts != nullptr ? event_time_of(ts->value) : Result<TimestampUs>(fail(Error::invalid("no ts")));
        if (!t || !buffer->append(row, row.find("symbol")->value.text, *t)) {
            state.SkipWithError("a simulated tick was refused");
            break;
        }
        if (buffer->rows() == 65'536) {
            buffer = std::make_unique<OpenTableBuffer>(schema);
        }
        i = i + 1 == lines.size() ? 0 : i + 1;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OpenTableRows);

} // namespace

BENCHMARK_MAIN();
