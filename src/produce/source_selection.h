// Which source `ticklake produce --source NAME` reads: the simulator, a CSV or wire-format
// replay, or a live vendor feed, opened from one spec so the pump never asks which it is.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "sources/jsonl_replay.h"
#include "sources/live/stream_protocol.h"
#include "sources/market_data_source.h"
#include "sources/market_simulator.h"

namespace ticklake {

struct SourceSpec {
    std::string name = "sim"; //!< sim, csv, jsonl, or a vendor of live_vendor_names()
    //! sim: a count of symbols (empty: the simulator's default); live feeds: a comma-separated list
    std::string symbols;
    MarketSimulatorOptions sim;
    std::string sim_start;    //!< ISO 8601; empty: the simulator's default
    LiveSourceOptions live;   //!< vendor, symbols and channels are filled from the fields here
    std::string channels;     //!< comma-separated
    std::string file;         //!< csv, jsonl
    std::string as = "auto";  //!< csv: auto, bars or records
    std::string symbol;       //!< csv: for rows without a symbol column
    std::string dataset;      //!< csv: table name of records
    std::string symbol_column; //!< csv: the column of symbols (default: the known names)
    std::optional<std::string> null_values; //!< csv: null tokens (default: csv_dialect's list)
    std::string bad_rows;     //!< csv: file that keeps unreadable rows with their line numbers
};

//! An open source. Wire-format replay is not a MarketDataSource: its lines go out byte for
//! byte, so exactly one of `events` and `wire` is set.
struct SelectedSource {
    std::unique_ptr<MarketDataSource> events;
    std::unique_ptr<JsonlReplay> wire;

    std::string describe() const;
    uint64_t skipped() const;
    std::vector<std::string> first_errors() const;
    //! End-of-run counters of the source, for people ("" when it has none).
    std::string summary() const;
    std::vector<std::pair<std::string, uint64_t>> counters() const;
};

//! Opens the source a spec names; configuration errors are invalid_argument and name the flag.
Result<SelectedSource> open_source(const SourceSpec& spec);

//! "a, b,,c" -> {"a", "b", "c"}: items trimmed of spaces, empty ones dropped.
std::vector<std::string> split_list(const std::string& text);

} // namespace ticklake
