// Parquet write cost per row, ticklake's encoder against DuckDB's COPY, on the quotes and trades
// of 200,000 simulated ticks in the sink's sorted order (symbol, then time): the writer's share of
// the sink's CPU per message. Both run in one process, so their ratio is the figure
// (bench/README.md, "Parquet encoder").
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

#include "format/parquet_writer.h"
#include "format/table_buffer.h"
#include "sources/market_simulator.h"

namespace {

using namespace ticklake;

struct Table {
    TableBuffer buffer{EventType::quote};
    std::vector<uint32_t> order;
};

// The simulator's ticks of one type, buffered as the sink buffers them.
const Table& table(EventType type) {
    static const std::vector<Event> events = [] {
        MarketSimulatorOptions o;
        o.count = 200'000;
        auto sim = MarketSimulator::create(o);
        std::vector<Event> out;
        while (sim && !(*sim)->done()) {
            if (!(*sim)->next_batch(out, 4096)) {
                break;
            }
        }
        return out;
    }();
    static Table quotes, trades;
    Table& t = type == EventType::quote ? quotes : trades;
    if (t.order.empty()) {
        t.buffer = TableBuffer(type);
        for (const Event& e : events) {
            if (e.type == type) {
                t.buffer.append(e);
            }
        }
        t.order = t.buffer.sorted_order();
    }
    return t;
}

void BM_ParquetWrite(benchmark::State& state) {
    const Table& t = table(state.range(0) == 0 ? EventType::quote : EventType::trade);
    if (t.order.empty()) {
        state.SkipWithError("the simulator made no ticks");
        return;
    }
    WriterOptions options;
    options.parquet_via_duckdb = state.range(1) != 0;
    options.zstd_level = static_cast<int>(state.range(2));
    auto writer = ParquetWriter::open(options);
    if (!writer) {
        state.SkipWithError(writer.error().message.c_str());
        return;
    }
    const auto path = std::filesystem::temp_directory_path() /
                      ("ticklake-parquet-bench-" + std::to_string(::getpid()) + ".parquet");
    for (auto _ : state) {
        if (!(*writer)->write(t.buffer.batch(), t.order, path)) {
            state.SkipWithError("the write failed");
            break;
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(t.order.size()));
    state.counters["bytes_per_row"] =
        static_cast<double>(std::filesystem::file_size(path)) / static_cast<double>(t.order.size());
    std::filesystem::remove(path);
}
BENCHMARK(BM_ParquetWrite)
    ->ArgNames({"trades", "duckdb", "zstd"})
    ->Args({0, 0, 3})
    ->Args({0, 1, 3})
    ->Args({1, 0, 3})
    ->Args({1, 1, 3})
    ->Args({0, 0, 1})
    ->Args({1, 0, 1})
    ->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
