#include "produce/source_selection.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/log.h"
#include "common/timestamp.h"
#include "sources/csv_replay.h"
#include "sources/zip_archive.h"
#include "sources/live/live_source_factory.h"

namespace ticklake {

namespace fs = std::filesystem;

namespace {

bool is_csv_member(const ZipMember& m) {
    const fs::path name(m.name);
    const std::string file = name.filename().string();
    // macOS archives carry "__MACOSX/._x.csv" resource forks beside x.csv: metadata, not data.
    const bool mac_fork = m.name.starts_with("__MACOSX/") || file.starts_with("._");
    return !mac_fork && name.extension() == ".csv";
}

//! Points `o` at the first CSV member of a .zip (the tutorial ships its CSV zipped), read
//! straight from the archive: nothing is extracted, no program is run.
Status read_csv_from_zip(const std::string& zip_path, CsvReplayOptions& o) {
    auto archive = ZipArchive::open(zip_path);
    if (!archive) {
        return fail(archive.error());
    }
    const std::vector<ZipMember>& members = (*archive)->members();
    if (members.empty()) {
        return fail(Error::invalid("zip file '" + zip_path + "' is empty: it holds no file to replay"));
    }
    std::vector<ZipMember> csv;
    std::copy_if(members.begin(), members.end(), std::back_inserter(csv), is_csv_member);
    if (csv.empty()) {
        std::vector<std::string> names;
        for (size_t i = 0; i < members.size() && i < 5; ++i) {
            names.push_back(members[i].name);
        }
        return fail(Error::invalid(fmt::format("zip file '{}' holds no .csv file (it has {}{})", zip_path,
                                               fmt::join(names, ", "), members.size() > names.size() ? ", ..." : "")));
    }
    if (csv.size() > 1) {
        log::warn("produce: {} holds {} .csv files; replaying the first, {} (unzip the others to replay them)",
                  zip_path, csv.size(), csv.front().name);
    }
    o.path = csv.front().name;
    o.open_input = [archive = *archive, member = csv.front()] { return archive->open_member(member); };
    return {};
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

Result<std::unique_ptr<MarketDataSource>> open_csv(const SourceSpec& spec) {
    CsvReplayOptions o;
    o.path = spec.file;
    if (spec.file.size() > 4 && spec.file.ends_with(".zip")) {
        if (auto st = read_csv_from_zip(spec.file, o); !st) {
            return fail(st.error());
        }
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

Result<std::unique_ptr<MarketDataSource>> open_event_source(const SourceSpec& spec) {
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
        return open_csv(spec);
    }
    return fail(Error::invalid("unknown --source '" + spec.name + "' (sim, csv, jsonl or a vendor of docs/sources.md)"));
}

} // namespace

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
    auto s = open_event_source(spec);
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
