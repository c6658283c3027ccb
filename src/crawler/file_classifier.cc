#include "crawler/file_classifier.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

#include <simdjson.h>

#include "crawler/csv_scanner.h"
#include "crawler/gzip_inflater.h"
#include "common/text_type.h"

namespace ticklake {

namespace {

std::string lower_extension(std::string_view key) {
    const size_t slash = key.rfind('/');
    std::string_view name = slash == std::string_view::npos ? key : key.substr(slash + 1);
    const size_t dot = name.rfind('.');
    if (dot == std::string_view::npos) {
        return "";
    }
    std::string ext(name.substr(dot + 1));
    for (auto& c : ext) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return ext;
}

// Streams an object in chunks through `consume`, decompressed when it is gzip.
Status stream_object(ObjectStore& store, const ObjectEntry& entry, uint64_t chunk, bool gzip,
                     const std::function<void(std::string_view)>& consume, uint64_t& bytes_read) {
    GzipInflater inflater;
    for (uint64_t offset = 0; offset < entry.size; offset += chunk) {
        auto part = store.read_range(entry.key, offset, chunk);
        if (!part) {
            return fail(part.error());
        }
        bytes_read += part->size();
        if (gzip) {
            if (auto st = inflater.feed(*part, consume); !st) {
                return fail(Error{st.error().kind, entry.key + ": " + st.error().message});
            }
        } else {
            consume(*part);
        }
        if (part->size() < chunk) {
            break; // shorter than listed: the object shrank since the listing
        }
    }
    if (gzip) {
        if (auto st = inflater.finish(); !st) {
            return fail(Error{st.error().kind, entry.key + ": " + st.error().message});
        }
    }
    return {};
}

// Columns in order of first appearance, each with its widest type so far. Names that differ
// only in case are different columns here; the exporters deal with engines that fold case.
class ColumnTypes {
public:
    size_t index_of(std::string_view name) {
        auto it = index_.find(std::string(name));
        if (it != index_.end()) {
            return it->second;
        }
        names_.emplace_back(name);
        types_.push_back(TextType::null);
        index_.emplace(names_.back(), names_.size() - 1);
        return names_.size() - 1;
    }
    void see(size_t i, TextType t) { types_[i] = widen(types_[i], t); }
    Columns columns() const {
        Columns out;
        for (size_t i = 0; i < names_.size(); ++i) {
            out.push_back({names_[i], hive_type_name(types_[i])});
        }
        return out;
    }
    std::optional<size_t> find(std::string_view name) const {
        auto it = index_.find(std::string(name));
        return it == index_.end() ? std::nullopt : std::optional<size_t>(it->second);
    }
    TextType type(size_t i) const { return types_[i]; }

private:
    std::vector<std::string> names_;
    std::vector<TextType> types_;
    std::unordered_map<std::string, size_t> index_;
};

struct TimeRange {
    std::optional<TimestampUs> min;
    std::optional<TimestampUs> max;
    void see(std::string_view text) {
        if (auto t = parse_event_time(text)) {
            min = min ? std::min(*min, *t) : *t;
            max = max ? std::max(*max, *t) : *t;
        }
    }
};

TextType json_type(simdjson::dom::element v) {
    switch (v.type()) {
    case simdjson::dom::element_type::NULL_VALUE: return TextType::null;
    case simdjson::dom::element_type::BOOL: return TextType::boolean;
    case simdjson::dom::element_type::INT64: {
        const int64_t n = v.get_int64().value_unsafe();
        return n >= INT32_MIN && n <= INT32_MAX ? TextType::int32 : TextType::int64;
    }
    case simdjson::dom::element_type::UINT64: return TextType::string; // beyond bigint: keep the digits
    case simdjson::dom::element_type::DOUBLE: return TextType::float64;
    case simdjson::dom::element_type::STRING: return classify_json_string(v.get_string().value_unsafe());
    default: return TextType::string; // objects and arrays: their JSON text
    }
}

std::string dialect_char(char c) { return c == '\t' ? "\\t" : std::string(1, c); }

// What a CSV file's records say, one record at a time: column names (the header's, or col0,
// col1, ...), their types, rows, ragged rows and the `ts` range.
class CsvProfile {
public:
    //! `dialect` is decided (sniffed) before the first record comes.
    CsvProfile(const CsvDialect& dialect, const CsvNullTokens& nulls) : dialect_(dialect), nulls_(nulls) {}

    void add(const std::vector<CsvField>& rec) {
        if (!named_) {
            name_columns(rec);
            if (dialect_.header) {
                return;
            }
        }
        ++rows_;
        if (rec.size() != names_.size() && !(rec.size() > names_.size() && empty_beyond(rec, names_.size()))) {
            ++ragged_;
        }
        const size_t n = std::min(rec.size(), names_.size());
        for (size_t i = 0; i < n; ++i) {
            const CsvField& f = rec[i];
            types_[i] = widen(types_[i], csv_cell_type(f.text, f.quoted, nulls_, dialect_.numbers));
        }
        if (ts_col_ && *ts_col_ < n) {
            range_.see(rec[*ts_col_].text);
        }
    }

    //! Sets the schema's columns, rows, `ts` range and csv.* properties.
    void fill(FileSchema& s) const {
        s.rows = rows_;
        s.columns = columns();
        TimeRange range = range_;
        if (ts_col_ && types_[*ts_col_] != TextType::date && types_[*ts_col_] != TextType::timestamp) {
            range = {};
        }
        s.ts_min = range.min;
        s.ts_max = range.max;
        s.properties["csv.delimiter"] = dialect_char(dialect_.delimiter);
        s.properties["csv.quote"] = dialect_char(dialect_.quote);
        s.properties["csv.header"] = dialect_.header ? "true" : "false";
        s.properties["csv.quotes_seen"] = dialect_.quotes_seen ? "true" : "false";
        if (dialect_.numbers.decimal != '.') {
            s.properties["csv.decimal"] = std::string(1, dialect_.numbers.decimal);
        }
        if (ragged_ > 0) {
            s.properties["csv.ragged_rows"] = std::to_string(ragged_);
        }
    }

private:
    static bool empty_beyond(const std::vector<CsvField>& rec, size_t n) {
        for (size_t i = n; i < rec.size(); ++i) {
            if (!rec[i].text.empty()) {
                return false;
            }
        }
        return true;
    }

    // Header names as csv_dialect makes them (BOM, trimming, empty and repeated names), so the
    // crawler names columns as `produce --source csv` does; a headerless file gets col0, col1, ...
    void name_columns(const std::vector<CsvField>& rec) {
        named_ = true;
        if (dialect_.header) {
            std::vector<std::string> raw;
            for (const CsvField& f : rec) {
                raw.push_back(f.text);
            }
            // A delimiter at the end of every line makes empty trailing columns: not columns.
            while (raw.size() > 1 && clean_header_name(raw.back()).empty()) {
                raw.pop_back();
            }
            names_ = csv_column_names(raw);
        } else {
            for (size_t i = 0; i < rec.size(); ++i) {
                names_.push_back("col" + std::to_string(i));
            }
        }
        for (size_t i = 0; i < names_.size(); ++i) {
            if (names_[i] == "ts") {
                ts_col_ = i; // the last of several
            }
        }
        types_.assign(names_.size(), TextType::null);
    }

    Columns columns() const {
        Columns out;
        for (size_t i = 0; i < names_.size(); ++i) {
            out.push_back({names_[i], hive_type_name(types_[i])});
        }
        return out;
    }

    const CsvDialect& dialect_;
    const CsvNullTokens& nulls_;
    bool named_ = false; //!< the first record has named the columns
    std::vector<std::string> names_;
    std::vector<TextType> types_;
    std::optional<size_t> ts_col_;
    TimeRange range_;
    int64_t rows_ = 0;
    int64_t ragged_ = 0;
};

} // namespace

std::string compression_of_key(std::string_view key) { return lower_extension(key) == "gz" ? "gzip" : "none"; }

std::optional<std::string> format_of_key(std::string_view key) {
    std::string ext = lower_extension(key);
    if (ext == "gz") {
        // Text compressed with gzip: the format is the extension before .gz (x.jsonl.gz).
        key.remove_suffix(3);
        ext = lower_extension(key);
        if (ext == "jsonl" || ext == "ndjson" || ext == "json") {
            return "jsonl";
        }
        if (ext == "csv" || ext == "tsv") {
            return "csv";
        }
        return "compressed";
    }
    if (ext == "parquet" || ext == "pq") {
        return "parquet";
    }
    if (ext == "jsonl" || ext == "ndjson" || ext == "json") {
        return "jsonl";
    }
    if (ext == "csv" || ext == "tsv") {
        return "csv";
    }
    if (ext == "zst" || ext == "bz2" || ext == "xz" || ext == "snappy" || ext == "lz4" || ext == "zip") {
        return "compressed";
    }
    return std::nullopt;
}

Result<FileSchema> FileClassifier::classify(ObjectStore& store, const ObjectEntry& entry, const std::string& format) {
    if (format == "parquet") {
        auto footer = parquet_.read(store, entry);
        if (!footer) {
            return fail(footer.error());
        }
        FileSchema s;
        s.format = "parquet";
        s.compression = footer->compression;
        s.columns = std::move(footer->columns);
        s.rows = footer->rows;
        s.ts_min = footer->ts_min;
        s.ts_max = footer->ts_max;
        s.bytes_read = footer->bytes_fetched;
        return s;
    }
    if (format == "jsonl") {
        return classify_jsonl(store, entry);
    }
    if (format == "csv") {
        return classify_csv(store, entry);
    }
    return fail(Error::invalid("no classifier for format '" + format + "'"));
}

Result<FileSchema> FileClassifier::classify_jsonl(ObjectStore& store, const ObjectEntry& entry) {
    FileSchema s;
    s.format = "jsonl";
    s.compression = compression_of_key(entry.key);
    ColumnTypes cols;
    TimeRange range;
    simdjson::dom::parser parser;
    std::string pending;
    int64_t line_no = 0;
    std::optional<Error> bad;

    auto on_line = [&](std::string_view line) {
        ++line_no;
        if (bad) {
            return;
        }
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
            line.remove_suffix(1);
        }
        if (line.empty()) {
            return; // blank lines are not rows
        }
        simdjson::dom::element doc;
        simdjson::dom::object obj;
        if (parser.parse(line.data(), line.size()).get(doc) != simdjson::SUCCESS ||
            doc.get_object().get(obj) != simdjson::SUCCESS) {
            bad = Error::poison(entry.key + " line " + std::to_string(line_no) +
                                " is not a JSON object: not JSON Lines (exclude it with --exclude)");
            return;
        }
        ++s.rows;
        for (auto field : obj) {
            const size_t i = cols.index_of(field.key);
            cols.see(i, json_type(field.value));
            if (field.key == "ts" && field.value.is_string()) {
                range.see(field.value.get_string().value_unsafe());
            }
        }
    };
    auto consume = [&](std::string_view chunk) {
        size_t start = 0;
        while (true) {
            const size_t nl = chunk.find('\n', start);
            if (nl == std::string_view::npos) {
                pending.append(chunk.substr(start));
                return;
            }
            if (pending.empty()) {
                on_line(chunk.substr(start, nl - start));
            } else {
                pending.append(chunk.substr(start, nl - start));
                on_line(pending);
                pending.clear();
            }
            start = nl + 1;
        }
    };
    if (auto st = stream_object(store, entry, options_.chunk_bytes, s.compression == "gzip", consume, s.bytes_read);
        !st) {
        return fail(st.error());
    }
    if (!pending.empty()) {
        on_line(pending);
    }
    if (bad) {
        return fail(*bad);
    }
    s.columns = cols.columns();
    s.ts_min = range.min;
    s.ts_max = range.max;
    return s;
}

namespace {

//! Bytes of a CSV object in, UTF-8 text out: drops a byte-order mark and transcodes UTF-16. The
//! first 6 bytes decide (the longest mark is the double-encoded UTF-8 one), and the file's
//! properties say what was found.
class CsvTextDecoder {
public:
    CsvTextDecoder(FileSchema& schema, std::function<void(std::string_view)> text)
        : schema_(schema), text_(std::move(text)) {}

    void feed(std::string_view chunk) {
        if (!mark_decided_) {
            first_bytes_.append(chunk);
            if (first_bytes_.size() < 6) {
                return;
            }
            chunk = decide_mark();
        }
        pass(chunk);
    }

    void finish() {
        if (!mark_decided_) {
            pass(decide_mark()); // a file of under 6 bytes
        }
        if (utf16_) {
            utf8_.clear();
            utf16_->finish(utf8_);
            text_(utf8_);
        }
    }

private:
    std::string_view decide_mark() {
        mark_decided_ = true;
        const ByteOrderMark bom = detect_byte_order_mark(first_bytes_);
        if (bom.length > 0) {
            schema_.properties["csv.bom"] = "true";
        }
        if (bom.encoding != TextEncoding::utf8) {
            schema_.properties["csv.encoding"] = bom.encoding == TextEncoding::utf16le ? "UTF-16LE" : "UTF-16BE";
            utf16_.emplace(bom.encoding == TextEncoding::utf16be);
        }
        return std::string_view(first_bytes_).substr(bom.length);
    }

    void pass(std::string_view chunk) {
        if (utf16_) {
            utf8_.clear();
            utf16_->feed(chunk, utf8_);
            text_(utf8_);
        } else {
            text_(chunk);
        }
    }

    FileSchema& schema_;
    std::function<void(std::string_view)> text_;
    std::string first_bytes_;
    bool mark_decided_ = false;
    std::optional<Utf16Transcoder> utf16_;
    std::string utf8_;
};

} // namespace

Result<FileSchema> FileClassifier::classify_csv(ObjectStore& store, const ObjectEntry& entry) {
    FileSchema s;
    s.format = "csv";
    s.compression = compression_of_key(entry.key);
    // One pass: the first sniff_bytes (decompressed) decide the dialect, then the scanner
    // takes them and everything after.
    std::string head;
    CsvDialect dialect;
    std::optional<CsvScanner> scanner;
    CsvProfile profile(dialect, options_.csv_nulls);
    auto start = [&](bool complete) {
        const std::string_view sample = std::string_view(head).substr(0, options_.sniff_bytes);
        dialect = sniff_csv_dialect(sample, complete && sample.size() == head.size());
        scanner.emplace(dialect.delimiter, dialect.quote, [&](const std::vector<CsvField>& rec) { profile.add(rec); });
        scanner->feed(head);
        head.clear();
    };
    auto consume_text = [&](std::string_view chunk) {
        if (scanner) {
            scanner->feed(chunk);
            return;
        }
        head.append(chunk);
        if (head.size() >= options_.sniff_bytes) {
            start(false);
        }
    };
    CsvTextDecoder text(s, consume_text);
    if (auto st = stream_object(store, entry, options_.chunk_bytes, s.compression == "gzip",
                                [&text](std::string_view chunk) { text.feed(chunk); }, s.bytes_read);
        !st) {
        return fail(st.error());
    }
    text.finish();
    if (!scanner) {
        start(true); // the whole file was shorter than the sniff sample
    }
    scanner->finish();
    profile.fill(s);
    return s;
}

} // namespace ticklake
