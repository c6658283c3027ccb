// Replays a CSV file with a header row as bars (OHLCV files) or generic records (anything
// else). Streams the file; one bad row is counted and skipped, never the end of the replay.
//
// Recognition with as=auto:
//  - the Kaggle "Stock Exchange Data" header Index,Date,Open,High,Low,Close,Adj Close,
//    Volume,CloseUSD → daily bars (symbol = Index, ts = Date 00:00Z, interval "1d").
//    CloseUSD has no place in a bar; replay with as=records to keep every column.
//  - any header (case-insensitive) with a time column (time, timestamp, date, datetime, ts)
//    and open, high, low, close; optional volume, adj close, vwap, trades/trade_count → bars.
//    The interval is the smallest gap between consecutive times of one symbol in the first
//    64 rows ("1m", "5m", "1h", "1d", "1w", "1mo"), or "" when the gaps are not multiples of it.
//  - everything else → records of table `dataset`, every column kept, cells typed.
// The dialect (byte-order marks, UTF-16, header names, nulls, delimiter, decimal comma,
// thousands separators, date formats) is common/csv_dialect's, sniffed from the file's head.
// The symbol column is --symbol-column, else the first of symbol, ticker, index, code,
// instrument, ric, isin, secid (any case). Times without a zone are taken as UTC (there is no
// time-zone option: convert such files first, e.g. Alpha Vantage's US/Eastern times land 5 h early).
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/csv_dialect.h"
#include "common/error.h"
#include "common/event.h"
#include "sources/csv_reader.h"
#include "sources/market_data_source.h"

namespace ticklake {

enum class CsvShape : uint8_t { auto_detect, bars, records };

const char* to_string(CsvShape shape);
//! "auto", "bars", "records".
std::optional<CsvShape> parse_csv_shape(std::string_view text);

struct CsvReplayOptions {
    std::string path;                     //!< the CSV file (plain, not compressed)
    //! When set, the CSV is read from what this opens (it is called twice: the head is sampled
    //! apart from the replay) and `path` only names it: a member of a zip archive.
    std::function<Result<std::unique_ptr<std::istream>>()> open_input;
    CsvShape as = CsvShape::auto_detect;  //!< force bars (fails if the columns are missing) or records
    //! Symbol for rows that carry none (no symbol/ticker/index column, or an empty cell).
    //! Bars with neither get a guess from the file name: the first '_'-separated part of the
    //! stem in capitals ("alphavantage_MSFT_1min" → "MSFT"), else the stem.
    std::string symbol;
    //! Table of records; default: the file stem in snake_case ("indexProcessed" → "index_processed").
    std::string dataset;
    //! The column that holds symbols (any case); empty: the first of the known names.
    std::string symbol_column;
    //! Cells that mean null (comma-separated, see CsvNullTokens); nullopt: the default list.
    std::optional<std::string> null_values;
    //! Where rows that cannot be read are kept as CSV (line,reason,row); empty: nowhere.
    std::string bad_rows;
};

class CsvReplay final : public MarketDataSource {
public:
    //! Opens the file and reads its header. Errors: invalid_argument when the file cannot
    //! be opened, has no header, or as=bars and the header lacks the bar columns.
    static Result<std::unique_ptr<CsvReplay>> open(const CsvReplayOptions& options);
    ~CsvReplay() override;

    //! Event ids are "csv:<file stem>:<line of the row's first line>" (the header is line 1).
    Result<size_t> next_batch(std::vector<Event>& out, size_t max_events) override;
    bool done() const override { return done_; }
    uint64_t skipped() const override { return skipped_; }
    std::string describe() const override;

    //! The shape chosen (bars or records, never auto_detect).
    CsvShape shape() const { return shape_; }
    //! Bar interval ("1d", "1m", "" when irregular); empty for records.
    const std::string& interval() const { return interval_; }
    //! Table name of records.
    const std::string& dataset() const { return dataset_; }
    //! The first reasons rows were skipped, "line 17: expected 9 fields, got 8" (at most 10).
    std::vector<std::string> first_errors() const override { return first_errors_; }
    //! "skipped rows by reason: null price 681, bad time 1" ("" when none was skipped).
    std::string summary() const override;
    //! skipped_<reason> counts, e.g. skipped_null_price.
    std::vector<std::pair<std::string, uint64_t>> counters() const override;
    //! Skipped rows by reason ("null price", "not a number", "bad time", "field count", "unclosed quote").
    const std::map<std::string, uint64_t>& skipped_by_reason() const { return skipped_by_reason_; }
    //! The delimiter and decimal mark in use, sniffed from the file's head.
    char delimiter() const { return delimiter_; }
    char decimal_mark() const { return number_style_.decimal; }
    //! Header names after the dialect's cleaning (BOM, trimming, duplicates suffixed).
    const std::vector<std::string>& columns() const { return header_; }

private:
    struct Columns; // which column holds what (the .cc)
    CsvReplay() = default;
    Result<std::unique_ptr<CsvReader>> open_reader() const;
    Status sniff_dialect();
    Status read_header();
    Status map_columns();
    Status choose_shape();
    Status sample_head();
    void skip(const CsvRow& row, std::string_view reason, const std::string& detail);
    std::optional<double> number(std::string_view cell) const;
    FieldValue record_value(std::string_view cell) const;
    std::optional<TimestampUs> time_of(const CsvRow& row, int col) const;
    bool make_bar(const CsvRow& row, Event& e);
    void make_record(const CsvRow& row, Event& e);

    CsvReplayOptions options_;
    std::unique_ptr<CsvReader> reader_;
    CsvRow row_;
    std::vector<std::string> header_;
    std::unique_ptr<Columns> columns_;
    CsvShape shape_ = CsvShape::records;
    std::string stem_;
    std::string id_prefix_;  //!< "csv:<stem>:"
    std::string dataset_;
    std::string interval_;
    std::string default_symbol_;
    bool kaggle_ = false;
    bool done_ = false;
    uint64_t skipped_ = 0;
    std::vector<std::string> first_errors_;
    std::map<std::string, uint64_t> skipped_by_reason_;
    char delimiter_ = ',';
    CsvNumberStyle number_style_;
    CsvNullTokens nulls_;
    std::map<int, CsvDateFormat> date_formats_; //!< per time column, sniffed from the head
    std::ofstream bad_rows_;
};

//! Parses a CSV time cell in any of csv_dialect's formats (ISO 8601, MM/DD/YYYY, DD.MM.YYYY,
//! YYYYMMDD, epoch s/ms/µs/ns by magnitude), decided per value.
Result<TimestampUs> parse_csv_time(std::string_view text);
//! Types a CSV cell: a null token (or "") → null, true/false → bool, integer → int64 (when it
//! fits and has no leading zero: "007" stays text), decimal/exponent → double (thousands
//! separators and the style's decimal mark read as csv_dialect says), else string.
FieldValue parse_csv_value(std::string_view text, const CsvNullTokens& nulls = {}, CsvNumberStyle style = {});
//! Table name of a file stem: its words joined by '_' ("indexProcessed" -> index_processed), then
//! the shared table_name rule ("csv" when no word is left).
std::string sanitize_table_name(std::string_view stem);

} // namespace ticklake
