#include "produce/source_selection.h"

#include <cstdlib>
#include <stdexcept>
#include <unistd.h>

#include <fmt/format.h>

#include "common/timestamp.h"
#include "sources/csv_replay.h"
#include "sources/live/live_source_factory.h"

namespace ticklake {

namespace fs = std::filesystem;

namespace {

//! Unzips a single-file .zip into a private folder of `scratch` (the tutorial ships its CSV zipped).
Result<std::string> unzip_single_csv(const std::string& zip_path, OwnedFolder& scratch) {
    scratch = OwnedFolder(fs::temp_directory_path() / fmt::format("ticklake-unzip-{}", ::getpid()));
    fs::create_directories(scratch.path());
    const std::string cmd = fmt::format("unzip -o -q '{}' -d '{}'", zip_path, scratch.path().string());
    if (std::system(cmd.c_str()) != 0) {
        return fail(Error::invalid("cannot unzip " + zip_path + " (is `unzip` installed? run make setup)"));
    }
    for (const auto& entry : fs::recursive_directory_iterator(scratch.path())) {
        if (entry.is_regular_file() && entry.path().extension() == ".csv") {
            return entry.path().string();
        }
    }
    return fail(Error::invalid(zip_path + " holds no .csv file"));
}

Result<std::unique_ptr<MarketDataSource>> open_live(const SourceSpec& spec) {
    LiveSourceOptions o = spec.live;
    o.vendor = spec.name;
    o.symbols = split_list(spec.symbols);
    o.channels = split_list(spec.channels);
    if (auto st = credentials_from_env(o); !st) {
        return fail(st.error());
    }
    return open_live_source(o);
}

Result<uint32_t> sim_symbol_count(const SourceSpec& spec) {
    const std::string text = spec.symbols.empty() ? std::to_string(spec.sim.symbols) : spec.symbols;
    try {
        size_t used = 0;
        const unsigned long n = std::stoul(text, &used);
        if (used == text.size() && n <= 4'000'000'000ul) {
            return static_cast<uint32_t>(n);
        }
    } catch (const std::exception&) {
    }
    return fail(Error::invalid("--symbols with --source sim is a number of symbols, not '" + text + "'"));
}

Result<std::unique_ptr<MarketDataSource>> open_simulator(const SourceSpec& spec) {
    MarketSimulatorOptions o = spec.sim;
    auto symbols = sim_symbol_count(spec);
    if (!symbols) {
        return fail(symbols.error());
    }
    o.symbols = *symbols;
    if (!spec.sim_start.empty()) {
        auto t = parse_iso8601(spec.sim_start);
        if (!t) {
            return fail(Error::invalid("--start: " + t.error().message));
        }
        o.start = *t;
    }
    auto s = MarketSimulator::create(o);
    if (!s) {
        return fail(s.error());
    }
    return std::unique_ptr<MarketDataSource>(std::move(*s));
}

Result<std::unique_ptr<MarketDataSource>> open_csv(const SourceSpec& spec, OwnedFolder& scratch) {
    CsvReplayOptions o;
    o.path = spec.file;
    if (spec.file.size() > 4 && spec.file.ends_with(".zip")) {
        auto csv = unzip_single_csv(spec.file, scratch);
        if (!csv) {
            return fail(csv.error());
        }
        o.path = *csv;
    }
    auto shape = parse_csv_shape(spec.as);
    if (!shape) {
        return fail(Error::invalid("--as must be auto, bars or records"));
    }
    o.as = *shape;
    o.symbol = spec.symbol;
    o.dataset = spec.dataset;
    o.symbol_column = spec.symbol_column;
    o.null_values = spec.null_values;
    o.bad_rows = spec.bad_rows;
    auto s = CsvReplay::open(o);
    if (!s) {
        return fail(s.error());
    }
    return std::unique_ptr<MarketDataSource>(std::move(*s));
}

Result<std::unique_ptr<MarketDataSource>> open_event_source(const SourceSpec& spec, OwnedFolder& scratch) {
    if (is_live_vendor(spec.name)) {
        return open_live(spec);
    }
    if (spec.name == "sim") {
        return open_simulator(spec);
    }
    if (spec.file.empty()) {
        return fail(Error::invalid("--source " + spec.name + " needs --file PATH"));
    }
    if (spec.name == "csv") {
        return open_csv(spec, scratch);
    }
    return fail(Error::invalid("unknown --source '" + spec.name + "' (sim, csv, jsonl or a vendor of docs/sources.md)"));
}

} // namespace

OwnedFolder& OwnedFolder::operator=(OwnedFolder&& other) noexcept {
    if (this != &other) {
        OwnedFolder gone(std::move(*this));
        path_ = std::exchange(other.path_, {});
    }
    return *this;
}

OwnedFolder::~OwnedFolder() {
    std::error_code ec;
    if (!path_.empty()) {
        fs::remove_all(path_, ec);
    }
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

Result<SelectedSource> open_source(const SourceSpec& spec) {
    SelectedSource source;
    if (spec.name == "jsonl") {
        if (spec.file.empty()) {
            return fail(Error::invalid("--source jsonl needs --file PATH"));
        }
        auto w = JsonlReplay::open(spec.file);
        if (!w) {
            return fail(w.error());
        }
        source.wire = std::move(*w);
        return source;
    }
    auto s = open_event_source(spec, source.scratch);
    if (!s) {
        return fail(s.error());
    }
    source.events = std::move(*s);
    return source;
}

std::string SelectedSource::describe() const { return wire ? wire->describe() : events->describe(); }

uint64_t SelectedSource::skipped() const { return wire ? wire->skipped() : events->skipped(); }

std::vector<std::string> SelectedSource::first_errors() const {
    return wire ? wire->first_errors() : events->first_errors();
}

std::string SelectedSource::summary() const { return wire ? std::string() : events->summary(); }

std::vector<std::pair<std::string, uint64_t>> SelectedSource::counters() const {
    return wire ? std::vector<std::pair<std::string, uint64_t>>{} : events->counters();
}

} // namespace ticklake
