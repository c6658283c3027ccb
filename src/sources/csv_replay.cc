#include "sources/csv_replay.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "common/log.h"
#include "common/table_name.h"
#include "common/text_type.h"

namespace ticklake {

namespace {

constexpr size_t kMaxKeptErrors = 10;
constexpr size_t kIntervalSampleRows = 64;
constexpr size_t kSniffBytes = 64 << 10;

// Columns that name the symbol of a row, in order of preference (compared in lower case).
constexpr std::string_view kSymbolColumns[] = {"symbol", "ticker", "index", "code", "instrument", "ric", "isin", "secid"};

std::string normalize_name(std::string_view name) {
    std::string out;
    for (char c : name) {
        out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    }
    const size_t first = out.find_first_not_of(" \t");
    const size_t last = out.find_last_not_of(" \t");
    return first == std::string::npos ? std::string() : out.substr(first, last - first + 1);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

bool is_time_name(const std::string& n) {
    return n == "time" || n == "timestamp" || n == "date" || n == "datetime" || n == "ts";
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "1m", "5m", "1h", "1d": the largest unit the gap is a whole number of.
std::string format_interval(int64_t gap_us) {
    constexpr int64_t s = kMicrosPerSecond, m = 60 * s, h = 60 * m, d = 24 * h;
    if (gap_us % (7 * d) == 0 && gap_us / (7 * d) < 5) {
        return fmt::format("{}w", gap_us / (7 * d));
    }
    if (gap_us % d == 0) {
        return fmt::format("{}d", gap_us / d);
    }
    if (gap_us % h == 0) {
        return fmt::format("{}h", gap_us / h);
    }
    if (gap_us % m == 0) {
        return fmt::format("{}m", gap_us / m);
    }
    if (gap_us % s == 0) {
        return fmt::format("{}s", gap_us / s);
    }
    return fmt::format("{}ms", gap_us / 1000);
}

std::string guess_symbol(const std::string& stem) {
    size_t begin = 0;
    while (begin <= stem.size()) {
        size_t end = stem.find('_', begin);
        if (end == std::string::npos) {
            end = stem.size();
        }
        const std::string_view part(stem.data() + begin, end - begin);
        const bool has_upper = std::any_of(part.begin(), part.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
        const bool clean = std::all_of(part.begin(), part.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        });
        if (has_upper && clean) {
            return std::string(part);
        }
        begin = end + 1;
    }
    return stem;
}

// The interval of bars at these (symbol, time) rows: the smallest gap between consecutive
// rows of one symbol when every gap is a multiple of it, "1mo" when all are 28-31 days,
// "" when irregular or unknown.
std::string interval_of(const std::vector<std::pair<std::string, TimestampUs>>& times) {
    std::vector<int64_t> gaps;
    for (size_t i = 1; i < times.size(); ++i) {
        if (times[i].first == times[i - 1].first && times[i].second != times[i - 1].second) {
            gaps.push_back(std::abs(times[i].second - times[i - 1].second));
        }
    }
    if (gaps.empty()) {
        return "";
    }
    const int64_t smallest = *std::min_element(gaps.begin(), gaps.end());
    const bool regular = std::all_of(gaps.begin(), gaps.end(), [&](int64_t g) { return g % smallest == 0; });
    const bool monthly = std::all_of(gaps.begin(), gaps.end(),
                                     [](int64_t g) { return g >= 28 * kMicrosPerDay && g <= 31 * kMicrosPerDay; });
    return monthly ? "1mo" : regular ? format_interval(smallest) : "";
}

} // namespace

struct CsvReplay::Columns {
    int time = -1, open = -1, high = -1, low = -1, close = -1;
    int volume = -1, adj_close = -1, vwap = -1, trades = -1, symbol = -1;
    std::vector<int> record_times; //!< candidate ts columns of records, in header order
};

const char* to_string(CsvShape shape) {
    switch (shape) {
    case CsvShape::auto_detect: return "auto";
    case CsvShape::bars: return "bars";
    case CsvShape::records: return "records";
    }
    return "?";
}

std::optional<CsvShape> parse_csv_shape(std::string_view text) {
    if (text == "auto") return CsvShape::auto_detect;
    if (text == "bars") return CsvShape::bars;
    if (text == "records") return CsvShape::records;
    return std::nullopt;
}

Result<TimestampUs> parse_csv_time(std::string_view text) {
    text = trim(text);
    if (auto t = parse_csv_date(text, CsvDateFormat::any)) {
        return *t;
    }
    std::string_view digits = text;
    if (!digits.empty() && digits.front() == '-') {
        digits.remove_prefix(1);
    }
    if (all_digits(digits)) {
        return fail(Error::poison(fmt::format("time out of range: '{}'", text)));
    }
    return parse_iso8601(text); // its message says what is wrong with the text
}

FieldValue parse_csv_value(std::string_view text, const CsvNullTokens& nulls, CsvNumberStyle style) {
    if (nulls.is_null(text)) {
        return std::monostate{};
    }
    if (iequals(text, "true")) {
        return true;
    }
    if (iequals(text, "false")) {
        return false;
    }
    if (const auto n = parse_csv_number(text, style)) {
        if (n->leading_zero) {
            return std::string(text); // "007", zip codes, ids: leading zeros are meaningful
        }
        if (n->integral) {
            return n->integer;
        }
        const std::string_view t = trim(text);
        if (all_digits(t.front() == '-' || t.front() == '+' ? t.substr(1) : t)) {
            return std::string(text); // beyond int64: keep every digit
        }
        return n->value;
    }
    return std::string(text);
}

namespace {

// The words of a file stem joined by single '_': camelCase split, runs of other characters
// folded, none at either end. This step comes before the shared table_name rule because CSV
// datasets have been named this way since CSV replay began ("indexProcessed" -> index_processed).
std::string stem_words(std::string_view stem) {
    std::string out;
    char prev = 0;
    for (char c : stem) {
        const bool upper = c >= 'A' && c <= 'Z';
        const bool lower_or_digit = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (upper) {
            if (prev >= 'a' && prev <= 'z' && !out.empty() && out.back() != '_') {
                out.push_back('_'); // camelCase → camel_case
            }
            out.push_back(static_cast<char>(c - 'A' + 'a'));
        } else if (lower_or_digit) {
            out.push_back(c);
        } else if (!out.empty() && out.back() != '_') {
            out.push_back('_');
        }
        prev = c;
    }
    while (!out.empty() && out.back() == '_') {
        out.pop_back();
    }
    return out;
}

} // namespace

std::string sanitize_table_name(std::string_view stem) { return table_name(stem_words(stem), "csv"); }

CsvReplay::~CsvReplay() = default;

Result<std::unique_ptr<CsvReplay>> CsvReplay::open(const CsvReplayOptions& options) {
    std::error_code ec;
    if (!options.open_input && std::filesystem::is_directory(options.path, ec)) {
        return fail(Error::invalid("'" + options.path + "' is a directory, not a CSV file"));
    }
    std::unique_ptr<CsvReplay> self(new CsvReplay());
    self->options_ = options;
    auto reader = self->open_reader();
    if (!reader) {
        return fail(reader.error());
    }
    self->reader_ = std::move(*reader);
    if (options.null_values) {
        self->nulls_ = CsvNullTokens::parse(*options.null_values);
    }
    if (!options.bad_rows.empty()) {
        self->bad_rows_.open(options.bad_rows, std::ios::binary | std::ios::trunc);
        if (!self->bad_rows_) {
            return fail(Error::invalid("cannot write --bad-rows file '" + options.bad_rows + "'"));
        }
        self->bad_rows_ << "line,reason,detail,row\n";
    }
    if (auto st = self->sniff_dialect(); !st) {
        return fail(st.error());
    }
    if (auto st = self->read_header(); !st) {
        return fail(st.error());
    }
    self->stem_ = std::filesystem::path(options.path).stem().string();
    self->id_prefix_ = "csv:" + self->stem_ + ":";
    if (auto st = self->map_columns(); !st) {
        return fail(st.error());
    }
    if (auto st = self->choose_shape(); !st) {
        return fail(st.error());
    }
    if (auto st = self->sample_head(); !st) {
        return fail(st.error());
    }
    return self;
}

Result<std::unique_ptr<CsvReader>> CsvReplay::open_reader() const {
    if (!options_.open_input) {
        return CsvReader::open(options_.path);
    }
    auto in = options_.open_input();
    if (!in) {
        return fail(in.error());
    }
    return CsvReader::from_stream(std::move(*in), options_.path);
}

// Delimiter and decimal mark from the head of the file, before the header is read.
Status CsvReplay::sniff_dialect() {
    bool complete = false;
    std::string_view head = reader_->head(complete);
    if (head.size() > kSniffBytes) {
        head = head.substr(0, kSniffBytes);
        complete = false;
    }
    delimiter_ = sniff_csv_delimiter(head, complete);
    number_style_ = sniff_csv_number_style(head, delimiter_);
    reader_->set_delimiter(delimiter_);
    return {};
}

Status CsvReplay::read_header() {
    auto has_header = reader_->next(row_);
    if (!has_header) {
        return fail(has_header.error());
    }
    if (!*has_header || row_.blank()) {
        return fail(Error::invalid("CSV file '" + options_.path + "' is empty: a header row is required"));
    }
    std::vector<std::string> raw;
    for (size_t i = 0; i < row_.size(); ++i) {
        raw.emplace_back(row_[i]);
    }
    // A delimiter at the end of every line makes empty trailing columns: not columns.
    while (raw.size() > 1 && clean_header_name(raw.back()).empty()) {
        raw.pop_back();
    }
    header_ = csv_column_names(raw);
    return {};
}

// Finds the bar columns by name (the first of each wins) and the symbol column.
Status CsvReplay::map_columns() {
    auto cols = std::make_unique<Columns>();
    std::vector<std::string> names;
    for (const std::string& h : header_) {
        names.push_back(normalize_name(h));
    }
    for (size_t i = 0; i < names.size(); ++i) {
        const std::string& n = names[i];
        const int c = static_cast<int>(i);
        auto set = [c](int& slot) {
            if (slot < 0) slot = c;
        };
        if (is_time_name(n)) {
            set(cols->time);
            cols->record_times.push_back(c);
        } else if (n == "open") set(cols->open);
        else if (n == "high") set(cols->high);
        else if (n == "low") set(cols->low);
        else if (n == "close") set(cols->close);
        else if (n == "volume") set(cols->volume);
        else if (n == "adj close" || n == "adj_close" || n == "adjclose" || n == "adjusted close" || n == "adjusted_close")
            set(cols->adj_close);
        else if (n == "vwap") set(cols->vwap);
        else if (n == "trades" || n == "trade_count") set(cols->trades);
    }
    if (!options_.symbol_column.empty()) {
        const auto it = std::find_if(header_.begin(), header_.end(),
                                     [&](const std::string& h) { return iequals(h, clean_header_name(options_.symbol_column)); });
        if (it == header_.end()) {
            return fail(Error::invalid(fmt::format("--symbol-column '{}' is not a column of '{}'; its columns are: {}",
                                                   options_.symbol_column, options_.path, fmt::join(header_, ","))));
        }
        cols->symbol = static_cast<int>(it - header_.begin());
    } else {
        for (std::string_view want : kSymbolColumns) {
            const auto it = std::find(names.begin(), names.end(), want);
            if (it != names.end()) {
                cols->symbol = static_cast<int>(it - names.begin());
                break;
            }
        }
    }
    static const char* const kKaggle[] = {"index", "date", "open", "high", "low", "close", "adj close", "volume", "closeusd"};
    kaggle_ = names.size() == 9 && std::equal(names.begin(), names.end(), std::begin(kKaggle));
    columns_ = std::move(cols);
    return {};
}

// Bars when the bar columns are there (or asked for), records otherwise.
Status CsvReplay::choose_shape() {
    const Columns& c = *columns_;
    const bool bar_columns = c.time >= 0 && c.open >= 0 && c.high >= 0 && c.low >= 0 && c.close >= 0;
    if (options_.as == CsvShape::bars && !bar_columns) {
        return fail(Error::invalid(fmt::format(
            "'{}' cannot be read as bars: it needs time (or timestamp/date/datetime), open, high, low and close "
            "columns; its header is: {}",
            options_.path, fmt::join(header_, ","))));
    }
    shape_ = options_.as == CsvShape::records ? CsvShape::records
             : bar_columns                    ? CsvShape::bars
                                              : CsvShape::records;
    if (shape_ == CsvShape::records) {
        dataset_ = options_.dataset.empty() ? sanitize_table_name(stem_) : options_.dataset;
        default_symbol_ = options_.symbol;
    } else {
        default_symbol_ = options_.symbol.empty() ? guess_symbol(stem_) : options_.symbol;
        if (c.symbol < 0 && options_.symbol.empty()) {
            log::warn("csv: '{}' has no symbol column ({}), so every bar gets the symbol '{}' from the file name; "
                      "name the column with --symbol-column or the symbol with --symbol",
                      std::filesystem::path(options_.path).filename().string(),
                      fmt::join(std::begin(kSymbolColumns), std::end(kSymbolColumns), ", "), default_symbol_);
        }
    }
    return {};
}

// A first look at the head of the file: each time column's date format, then the bar interval
// (Kaggle's daily files say it).
Status CsvReplay::sample_head() {
    auto sample = open_reader();
    if (!sample) {
        return fail(sample.error());
    }
    (*sample)->set_delimiter(delimiter_);
    std::vector<int> time_cols = columns_->record_times;
    if (shape_ == CsvShape::bars) {
        time_cols = {columns_->time};
    }
    std::vector<CsvRow> rows;
    CsvRow row;
    bool more = true;
    for (size_t i = 0; more && i <= 4 * kIntervalSampleRows; ++i) {
        auto r = (*sample)->next(row);
        more = r && *r;
        if (more && i > 0 && !row.unterminated && row.size() >= header_.size()) {
            rows.push_back(row);
        }
    }
    for (int col : time_cols) {
        CsvDateSniffer sniffer;
        for (const CsvRow& r : rows) {
            if (!nulls_.is_null(r[col])) {
                sniffer.see(r[col]);
            }
        }
        date_formats_[col] = sniffer.format().value_or(CsvDateFormat::any);
    }
    if (shape_ != CsvShape::bars) {
        return {};
    }
    if (kaggle_) {
        interval_ = "1d";
        return {};
    }
    std::vector<std::pair<std::string, TimestampUs>> times;
    for (const CsvRow& r : rows) {
        if (times.size() > kIntervalSampleRows) {
            break;
        }
        if (auto t = time_of(r, columns_->time)) {
            const int sc = columns_->symbol;
            times.emplace_back(sc >= 0 ? std::string(r[sc]) : std::string(), *t);
        }
    }
    interval_ = interval_of(times);
    return {};
}

std::optional<TimestampUs> CsvReplay::time_of(const CsvRow& row, int col) const {
    const auto it = date_formats_.find(col);
    return parse_csv_date(row[col], it == date_formats_.end() ? CsvDateFormat::any : it->second);
}

std::optional<double> CsvReplay::number(std::string_view cell) const {
    const auto n = parse_csv_number(cell, number_style_);
    return n ? std::optional<double>(n->value) : std::nullopt;
}

std::string CsvReplay::describe() const {
    const std::string file = std::filesystem::path(options_.path).filename().string();
    if (shape_ == CsvShape::bars) {
        const std::string symbol = columns_->symbol >= 0 ? "column " + header_[columns_->symbol] : default_symbol_;
        return fmt::format("csv {} (bars {}, symbol {})", file, interval_.empty() ? "irregular" : interval_, symbol);
    }
    return fmt::format("csv {} (records → {})", file, dataset_);
}

std::string CsvReplay::summary() const {
    if (skipped_by_reason_.empty()) {
        return {};
    }
    std::vector<std::string> parts;
    for (const auto& [reason, n] : skipped_by_reason_) {
        parts.push_back(fmt::format("{} {}", reason, n));
    }
    return fmt::format("skipped rows by reason: {}{}", fmt::join(parts, ", "),
                       options_.bad_rows.empty() ? "" : " (kept in " + options_.bad_rows + ")");
}

std::vector<std::pair<std::string, uint64_t>> CsvReplay::counters() const {
    std::vector<std::pair<std::string, uint64_t>> out;
    for (const auto& [reason, n] : skipped_by_reason_) {
        std::string name = "skipped_" + reason;
        std::replace(name.begin(), name.end(), ' ', '_');
        out.emplace_back(std::move(name), n);
    }
    return out;
}

namespace {

// A field as CSV text: quoted when it holds the delimiter, a quote or a line break.
void append_csv_field(std::string& out, std::string_view field, char delimiter) {
    if (field.find_first_of(std::string{delimiter, '"', '\n', '\r'}) == std::string_view::npos) {
        out += field;
        return;
    }
    out.push_back('"');
    for (char c : field) {
        if (c == '"') {
            out.push_back('"');
        }
        out.push_back(c);
    }
    out.push_back('"');
}

} // namespace

void CsvReplay::skip(const CsvRow& row, std::string_view reason, const std::string& detail) {
    ++skipped_;
    ++skipped_by_reason_[std::string(reason)];
    if (first_errors_.size() < kMaxKeptErrors) {
        first_errors_.push_back(fmt::format("line {}: {}", row.line, detail));
    }
    if (bad_rows_.is_open()) {
        std::string text;
        for (size_t i = 0; i < row.size(); ++i) {
            if (i > 0) {
                text.push_back(delimiter_);
            }
            append_csv_field(text, row[i], delimiter_);
        }
        std::string line = fmt::format("{},", row.line);
        append_csv_field(line, reason, ',');
        line.push_back(',');
        append_csv_field(line, detail, ',');
        line.push_back(',');
        append_csv_field(line, text, ',');
        line.push_back('\n');
        bad_rows_ << line;
    }
}

bool CsvReplay::make_bar(const CsvRow& row, Event& e) {
    const Columns& c = *columns_;
    const auto ts = time_of(row, c.time);
    if (!ts) {
        skip(row, "bad time", fmt::format("{}: not a time: '{}'", header_[c.time], row[c.time].substr(0, 40)));
        return false;
    }
    e.type = EventType::bar;
    e.ts = *ts;
    Bar& b = e.body.emplace<Bar>();
    b.interval = interval_;
    const std::pair<int, double*> required[] = {{c.open, &b.open}, {c.high, &b.high}, {c.low, &b.low}, {c.close, &b.close}};
    for (const auto& [col, slot] : required) {
        if (nulls_.is_null(row[col])) {
            // A price of 0 would be a lie: a bar without its prices is a bad row.
            skip(row, "null price", fmt::format("{}: null '{}'", header_[col], row[col].substr(0, 40)));
            return false;
        }
        const auto v = number(row[col]);
        if (!v) {
            skip(row, "not a number", fmt::format("{}: not a number: '{}'", header_[col], row[col].substr(0, 40)));
            return false;
        }
        *slot = *v;
    }
    auto optional_number = [&](int col, auto& slot) {
        if (col < 0 || nulls_.is_null(row[col])) {
            return true;
        }
        const auto v = number(row[col]);
        if (!v) {
            skip(row, "not a number", fmt::format("{}: not a number: '{}'", header_[col], row[col].substr(0, 40)));
            return false;
        }
        slot = static_cast<std::remove_cvref_t<decltype(slot)>>(*v);
        return true;
    };
    int64_t trades = 0;
    if (!optional_number(c.volume, b.volume) || !optional_number(c.adj_close, b.adj_close) ||
        !optional_number(c.vwap, b.vwap) || !optional_number(c.trades, trades)) {
        return false;
    }
    if (c.trades >= 0 && !nulls_.is_null(row[c.trades])) {
        b.trade_count = trades;
    }
    if (c.symbol >= 0 && !nulls_.is_null(row[c.symbol])) {
        e.symbol.assign(trim(row[c.symbol]));
    } else {
        e.symbol = default_symbol_;
    }
    return true;
}

void CsvReplay::make_record(const CsvRow& row, Event& e) {
    const Columns& c = *columns_;
    e.type = EventType::record;
    Record& r = e.body.emplace<Record>();
    r.dataset = dataset_;
    r.fields.resize(header_.size());
    for (size_t i = 0; i < header_.size(); ++i) {
        r.fields[i].name = header_[i];
        r.fields[i].value = parse_csv_value(row[i], nulls_, number_style_);
    }
    for (int col : c.record_times) {
        if (auto t = time_of(row, col)) {
            e.ts = *t;
            break;
        }
    }
    if (c.symbol >= 0 && !nulls_.is_null(row[c.symbol])) {
        e.symbol.assign(trim(row[c.symbol]));
    } else {
        e.symbol = default_symbol_;
    }
}

Result<size_t> CsvReplay::next_batch(std::vector<Event>& out, size_t max_events) {
    const TimestampUs recv = now_us();
    size_t appended = 0;
    while (appended < max_events && !done_) {
        auto more = reader_->next(row_);
        if (!more) {
            return fail(more.error());
        }
        if (!*more) {
            done_ = true;
            break;
        }
        if (row_.blank()) {
            continue; // blank lines (often one at the end of a file) are not rows
        }
        if (row_.unterminated) {
            skip(row_, "unclosed quote", "quoted field not closed before the end of the file");
            continue;
        }
        // Extra fields are fine when empty: a delimiter at the end of each line.
        bool extra_filled = false;
        for (size_t i = header_.size(); i < row_.size(); ++i) {
            extra_filled = extra_filled || !trim(row_[i]).empty();
        }
        if (row_.size() < header_.size() || extra_filled) {
            skip(row_, "field count", fmt::format("expected {} fields, got {}", header_.size(), row_.size()));
            continue;
        }
        Event& e = out.emplace_back();
        e.recv_ts = recv;
        e.ts = recv; // records without a time column keep their receive time
        e.source = "csv";
        e.id.reserve(id_prefix_.size() + 10);
        e.id = id_prefix_;
        e.id += fmt::format("{}", row_.line);
        if (shape_ == CsvShape::bars) {
            if (!make_bar(row_, e)) {
                out.pop_back();
                continue;
            }
        } else {
            make_record(row_, e);
        }
        ++appended;
    }
    return appended;
}

} // namespace ticklake
