#include "sources/csv_replay.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "common/table_name.h"

namespace ticklake {

namespace {

constexpr size_t kMaxKeptErrors = 10;
constexpr size_t kIntervalSampleRows = 64;

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

std::optional<double> parse_double(std::string_view text) {
    text = trim(text);
    if (text.empty()) {
        return std::nullopt;
    }
    double v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

std::optional<int64_t> parse_int(std::string_view text) {
    int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
        return std::nullopt;
    }
    return v;
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
    std::string_view digits = text;
    if (!digits.empty() && digits.front() == '-') {
        digits.remove_prefix(1);
    }
    if (all_digits(digits)) {
        const auto v = parse_int(text);
        if (!v) {
            return fail(Error::poison(fmt::format("time out of range: '{}'", text)));
        }
        if (digits.size() == 8 && *v >= 1000'01'01 && *v <= 2999'12'31) {
            const auto month = static_cast<unsigned>(*v / 100 % 100);
            const auto day = static_cast<unsigned>(*v % 100);
            if (month >= 1 && month <= 12 && day >= 1 && day <= 31) {
                return days_from_civil(*v / 10000, month, day) * kMicrosPerDay;
            }
        }
        const int64_t mag = *v < 0 ? -*v : *v;
        if (mag < 100'000'000'000) {
            return *v * kMicrosPerSecond; // seconds until the year 5138
        }
        if (mag < 100'000'000'000'000) {
            return *v * 1000;
        }
        if (mag < 100'000'000'000'000'000) {
            return *v;
        }
        return *v / 1000;
    }
    return parse_iso8601(text);
}

FieldValue parse_csv_value(std::string_view text) {
    if (text.empty()) {
        return std::monostate{};
    }
    auto iequals = [](std::string_view a, std::string_view b) {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
                   return (x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x) == y;
               });
    };
    if (iequals(text, "true")) {
        return true;
    }
    if (iequals(text, "false")) {
        return false;
    }
    std::string_view digits = text.front() == '-' ? text.substr(1) : text;
    if (all_digits(digits)) {
        if (digits.size() > 1 && digits.front() == '0') {
            return std::string(text); // "007", zip codes, ids: leading zeros are meaningful
        }
        if (const auto v = parse_int(text)) {
            return *v;
        }
        return std::string(text); // beyond int64: keep every digit
    }
    const bool numeric_chars = std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+';
    });
    const char first = text.front();
    if (numeric_chars && ((first >= '0' && first <= '9') || first == '-' || first == '.')) {
        double v = 0;
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(v)) {
            return v;
        }
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
    if (std::filesystem::is_directory(options.path, ec)) {
        return fail(Error::invalid("'" + options.path + "' is a directory, not a CSV file"));
    }
    auto reader = CsvReader::open(options.path);
    if (!reader) {
        return fail(reader.error());
    }
    std::unique_ptr<CsvReplay> self(new CsvReplay());
    self->options_ = options;
    self->reader_ = std::move(*reader);
    if (auto st = self->read_header(); !st) {
        return fail(st.error());
    }
    self->stem_ = std::filesystem::path(options.path).stem().string();
    self->id_prefix_ = "csv:" + self->stem_ + ":";
    const int record_symbol = self->map_columns();
    if (auto st = self->choose_shape(record_symbol); !st) {
        return fail(st.error());
    }
    if (self->shape_ == CsvShape::bars) {
        if (auto st = self->detect_interval(); !st) {
            return fail(st.error());
        }
    }
    return self;
}

Status CsvReplay::read_header() {
    auto has_header = reader_->next(row_);
    if (!has_header) {
        return fail(has_header.error());
    }
    if (!*has_header || row_.blank()) {
        return fail(Error::invalid("CSV file '" + options_.path + "' is empty: a header row is required"));
    }
    for (size_t i = 0; i < row_.size(); ++i) {
        header_.emplace_back(row_[i]);
        if (header_.back().empty()) {
            header_.back() = fmt::format("column_{}", i + 1);
        }
    }
    return {};
}

// Finds the bar columns by name (the first of each wins) and returns the column that gives
// records their symbol, or -1.
int CsvReplay::map_columns() {
    auto cols = std::make_unique<Columns>();
    std::vector<std::string> names;
    for (const std::string& h : header_) {
        names.push_back(normalize_name(h));
    }
    int record_symbol = -1;
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
        else if (n == "symbol" || n == "ticker") set(cols->symbol);
        if ((n == "symbol" || n == "ticker" || n == "index") && record_symbol < 0) {
            record_symbol = c;
        }
    }
    static const char* const kKaggle[] = {"index", "date", "open", "high", "low", "close", "adj close", "volume", "closeusd"};
    kaggle_ = names.size() == 9 && std::equal(names.begin(), names.end(), std::begin(kKaggle));
    if (kaggle_) {
        cols->symbol = 0;
    }
    columns_ = std::move(cols);
    return record_symbol;
}

// Bars when the bar columns are there (or asked for), records otherwise.
Status CsvReplay::choose_shape(int record_symbol) {
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
        columns_->symbol = record_symbol;
        dataset_ = options_.dataset.empty() ? sanitize_table_name(stem_) : options_.dataset;
        default_symbol_ = options_.symbol;
    } else {
        default_symbol_ = options_.symbol.empty() ? guess_symbol(stem_) : options_.symbol;
    }
    return {};
}

// A first look at the head of the file for the bar interval (Kaggle's daily files say it).
Status CsvReplay::detect_interval() {
    if (kaggle_) {
        interval_ = "1d";
        return {};
    }
    auto sample = CsvReader::open(options_.path);
    if (!sample) {
        return fail(sample.error());
    }
    CsvRow row;
    std::vector<std::pair<std::string, TimestampUs>> times;
    bool more = true;
    for (size_t i = 0; more && times.size() <= kIntervalSampleRows && i <= 4 * kIntervalSampleRows; ++i) {
        auto r = (*sample)->next(row);
        more = r && *r;
        if (!more || i == 0 || row.size() != header_.size()) {
            continue;
        }
        if (auto t = parse_csv_time(row[columns_->time])) {
            const int sc = columns_->symbol;
            times.emplace_back(sc >= 0 ? std::string(row[sc]) : std::string(), *t);
        }
    }
    interval_ = interval_of(times);
    return {};
}

std::string CsvReplay::describe() const {
    const std::string file = std::filesystem::path(options_.path).filename().string();
    if (shape_ == CsvShape::bars) {
        const std::string symbol = columns_->symbol >= 0 ? "column " + header_[columns_->symbol] : default_symbol_;
        return fmt::format("csv {} (bars {}, symbol {})", file, interval_.empty() ? "irregular" : interval_, symbol);
    }
    return fmt::format("csv {} (records → {})", file, dataset_);
}

void CsvReplay::skip(uint64_t line, const std::string& reason) {
    ++skipped_;
    if (first_errors_.size() < kMaxKeptErrors) {
        first_errors_.push_back(fmt::format("line {}: {}", line, reason));
    }
}

bool CsvReplay::make_bar(const CsvRow& row, Event& e) {
    const Columns& c = *columns_;
    auto ts = parse_csv_time(row[c.time]);
    if (!ts) {
        skip(row.line, fmt::format("{}: {}", header_[c.time], ts.error().message));
        return false;
    }
    e.type = EventType::bar;
    e.ts = *ts;
    Bar& b = e.body.emplace<Bar>();
    b.interval = interval_;
    const std::pair<int, double*> required[] = {{c.open, &b.open}, {c.high, &b.high}, {c.low, &b.low}, {c.close, &b.close}};
    for (const auto& [col, slot] : required) {
        const auto v = parse_double(row[col]);
        if (!v) {
            skip(row.line, fmt::format("{}: not a number: '{}'", header_[col], row[col].substr(0, 40)));
            return false;
        }
        *slot = *v;
    }
    auto optional_number = [&](int col, auto& slot) {
        if (col < 0 || trim(row[col]).empty()) {
            return true;
        }
        const auto v = parse_double(row[col]);
        if (!v) {
            skip(row.line, fmt::format("{}: not a number: '{}'", header_[col], row[col].substr(0, 40)));
            return false;
        }
        slot = static_cast<std::remove_cvref_t<decltype(slot)>>(*v);
        return true;
    };
    std::optional<int64_t> trades;
    if (!optional_number(c.volume, b.volume) || !optional_number(c.adj_close, b.adj_close) ||
        !optional_number(c.vwap, b.vwap)) {
        return false;
    }
    if (c.trades >= 0 && !trim(row[c.trades]).empty()) {
        const auto v = parse_double(row[c.trades]);
        if (!v) {
            skip(row.line, fmt::format("{}: not a number: '{}'", header_[c.trades], row[c.trades].substr(0, 40)));
            return false;
        }
        b.trade_count = static_cast<int64_t>(*v);
    }
    if (c.symbol >= 0 && !row[c.symbol].empty()) {
        e.symbol.assign(row[c.symbol]);
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
        r.fields[i].value = parse_csv_value(row[i]);
    }
    for (int col : c.record_times) {
        if (auto t = parse_csv_time(row[col])) {
            e.ts = *t;
            break;
        }
    }
    if (c.symbol >= 0 && !row[c.symbol].empty()) {
        e.symbol.assign(row[c.symbol]);
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
            skip(row_.line, "quoted field not closed before the end of the file");
            continue;
        }
        if (row_.size() != header_.size()) {
            skip(row_.line, fmt::format("expected {} fields, got {}", header_.size(), row_.size()));
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
