#include "format/value_type.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/event_json.h"
#include "common/sql_quote.h"
#include "common/text_type.h"

namespace ticklake {

// DuckDB's spelling of t; `inside` a nested type, a type without values is JSON.
std::string duckdb_type_text(const ValueType& t, bool inside);

namespace {

using Kind = ValueType::Kind;

// Position on the numeric chain, or -1.
int numeric_rank(Kind k) {
    switch (k) {
    case Kind::boolean: return 0;
    case Kind::bigint: return 1;
    case Kind::float64: return 2;
    default: return -1;
    }
}

bool is_temporal(Kind k) { return k == Kind::date || k == Kind::timestamp; }

bool is_scalar(Kind k) { return k != Kind::list && k != Kind::structure; }

std::optional<ValueType> widen_struct(const ValueType& a, const ValueType& b) {
    ValueType out = a;
    for (const auto& [name, type] : b.fields) {
        auto it = std::find_if(out.fields.begin(), out.fields.end(), [&](const auto& f) { return f.first == name; });
        if (it == out.fields.end()) {
            out.fields.emplace_back(name, type);
            continue;
        }
        auto w = widen(it->second, type);
        if (!w) {
            return std::nullopt;
        }
        it->second = std::move(*w);
    }
    return out;
}

// Hive struct field names are bare words; anything else is quoted with backticks (Spark and
// Athena accept them there).
std::string hive_field_name(std::string_view name) {
    const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '_';
    });
    if (plain) {
        return ascii_lower(name);
    }
    std::string out = "`";
    for (char c : ascii_lower(name)) {
        out.push_back(c);
        if (c == '`') {
            out.push_back('`');
        }
    }
    return out + "`";
}

// A small recursive-descent reader of type text.
class TypeReader {
public:
    explicit TypeReader(std::string_view s) : s_(s) {}

    Result<ValueType> read_all() {
        auto t = read();
        if (!t) {
            return t;
        }
        skip_space();
        if (pos_ != s_.size()) {
            return error("unexpected text after the type");
        }
        return t;
    }

private:
    std::unexpected<Error> error(const std::string& what) const {
        return fail(Error::invalid("type '" + std::string(s_) + "': " + what + " at position " + std::to_string(pos_)));
    }

    void skip_space() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) {
            ++pos_;
        }
    }

    bool eat(char c) {
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }

    std::string word() {
        skip_space();
        const size_t start = pos_;
        while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) {
            ++pos_;
        }
        return ascii_lower(s_.substr(start, pos_ - start));
    }

    // A struct field name: bare, `backticked` or "double quoted".
    Result<std::string> field_name() {
        skip_space();
        if (pos_ < s_.size() && (s_[pos_] == '`' || s_[pos_] == '"')) {
            const char q = s_[pos_++];
            std::string out;
            while (pos_ < s_.size()) {
                if (s_[pos_] == q) {
                    if (pos_ + 1 < s_.size() && s_[pos_ + 1] == q) {
                        out.push_back(q);
                        pos_ += 2;
                        continue;
                    }
                    ++pos_;
                    return out;
                }
                out.push_back(s_[pos_++]);
            }
            return error("unclosed quote in a field name");
        }
        const size_t start = pos_;
        while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) {
            ++pos_;
        }
        if (start == pos_) {
            return error("a field name is missing");
        }
        return std::string(s_.substr(start, pos_ - start));
    }

    Result<int> number() {
        skip_space();
        int v = 0;
        auto [p, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), v);
        if (ec != std::errc()) {
            return error("a number is missing");
        }
        pos_ = static_cast<size_t>(p - s_.data());
        return v;
    }

    Result<ValueType> read() {
        auto base = read_base();
        if (!base) {
            return base;
        }
        // DuckDB's list suffix: T[] (possibly repeated).
        while (true) {
            skip_space();
            if (s_.substr(pos_).starts_with("[]")) {
                pos_ += 2;
                *base = ValueType::list_of(std::move(*base));
                continue;
            }
            return base;
        }
    }

    // A scalar type named by one word, or nullopt when the word names none.
    static std::optional<Kind> scalar_kind(const std::string& w) {
        if (w == "boolean" || w == "bool") {
            return Kind::boolean;
        }
        if (w == "tinyint" || w == "smallint" || w == "int" || w == "integer" || w == "bigint" || w == "long" ||
            w == "utinyint" || w == "usmallint" || w == "uinteger") {
            return Kind::bigint;
        }
        if (w == "float" || w == "double" || w == "real" || w == "ubigint" || w == "hugeint") {
            return Kind::float64;
        }
        if (w == "date") {
            return Kind::date;
        }
        if (w == "timestamp" || w == "datetime" || w == "timestamp_us" || w == "timestamp_ms" || w == "timestamp_ns" ||
            w == "timestamp_s") {
            return Kind::timestamp;
        }
        if (w == "binary" || w == "blob" || w == "bytea") {
            return Kind::blob;
        }
        return std::nullopt;
    }

    Result<ValueType> read_base() {
        const std::string w = word();
        if (w.empty()) {
            return error("a type name is missing");
        }
        if (auto k = scalar_kind(w)) {
            return ValueType(*k);
        }
        if (w == "string" || w == "varchar" || w == "char" || w == "text") {
            return read_text_length();
        }
        if (w == "decimal" || w == "numeric") {
            return read_decimal();
        }
        if (w == "array" || w == "list") {
            return read_list();
        }
        if (w == "struct" || w == "row") {
            return read_struct();
        }
        return error("unknown type '" + w + "'");
    }

    // char(n), varchar(n): the length does not matter here.
    Result<ValueType> read_text_length() {
        if (eat('(')) {
            if (auto n = number(); !n) {
                return fail(n.error());
            }
            if (!eat(')')) {
                return error("')' expected");
            }
        }
        return ValueType(Kind::varchar);
    }

    // decimal, decimal(p) or decimal(p, s); a bare decimal is decimal(18, 3) as in DuckDB.
    Result<ValueType> read_decimal() {
        int p = 18;
        int s = 3;
        if (eat('(')) {
            auto pr = number();
            if (!pr) {
                return fail(pr.error());
            }
            p = *pr;
            s = 0;
            if (eat(',')) {
                auto sc = number();
                if (!sc) {
                    return fail(sc.error());
                }
                s = *sc;
            }
            if (!eat(')')) {
                return error("')' expected");
            }
        }
        if (p < 1 || p > 38 || s < 0 || s > p) {
            return error("decimal precision must be 1-38 and scale 0-precision");
        }
        return ValueType::decimal_of(static_cast<uint8_t>(p), static_cast<uint8_t>(s));
    }

    Result<ValueType> read_list() {
        if (!eat('<')) {
            return error("'<' expected after array");
        }
        auto e = read();
        if (!e) {
            return e;
        }
        if (!eat('>')) {
            return error("'>' expected");
        }
        return ValueType::list_of(std::move(*e));
    }

    // Hive's struct<name:type, ...> or DuckDB's struct(name type, ...).
    Result<ValueType> read_struct() {
        const bool hive = eat('<');
        if (!hive && !eat('(')) {
            return error("'<' or '(' expected after struct");
        }
        const char close = hive ? '>' : ')';
        ValueType t(Kind::structure);
        if (eat(close)) {
            return t;
        }
        do {
            auto name = field_name();
            if (!name) {
                return fail(name.error());
            }
            if (hive && !eat(':')) {
                return error("':' expected after a struct field name");
            }
            auto ft = read();
            if (!ft) {
                return ft;
            }
            t.fields.emplace_back(std::move(*name), std::move(*ft));
        } while (eat(','));
        if (!eat(close)) {
            return error(std::string("'") + close + "' expected");
        }
        return t;
    }

    std::string_view s_;
    size_t pos_ = 0;
};

} // namespace

ValueType ValueType::list_of(ValueType e) {
    ValueType t(Kind::list);
    t.element.push_back(std::move(e));
    return t;
}

ValueType ValueType::decimal_of(uint8_t precision, uint8_t scale) {
    ValueType t(Kind::decimal);
    t.precision = precision;
    t.scale = scale;
    return t;
}

const char* to_string(ValueType::Kind kind) {
    switch (kind) {
    case Kind::null: return "null";
    case Kind::boolean: return "boolean";
    case Kind::bigint: return "bigint";
    case Kind::float64: return "double";
    case Kind::date: return "date";
    case Kind::timestamp: return "timestamp";
    case Kind::varchar: return "string";
    case Kind::decimal: return "decimal";
    case Kind::blob: return "binary";
    case Kind::list: return "array";
    case Kind::structure: return "struct";
    }
    return "?";
}

std::optional<ValueType> widen(const ValueType& a, const ValueType& b) {
    if (a.kind == Kind::null) {
        return b;
    }
    if (b.kind == Kind::null || a == b) {
        return a;
    }
    if (a.kind == Kind::structure && b.kind == Kind::structure) {
        return widen_struct(a, b);
    }
    if (a.kind == Kind::list && b.kind == Kind::list) {
        auto e = widen(a.element.front(), b.element.front());
        if (!e) {
            return std::nullopt;
        }
        return ValueType::list_of(std::move(*e));
    }
    if (!is_scalar(a.kind) || !is_scalar(b.kind)) {
        return std::nullopt;
    }
    if (a.kind == Kind::decimal || a.kind == Kind::blob || b.kind == Kind::decimal || b.kind == Kind::blob) {
        return std::nullopt; // only from explicit types, which never widen
    }
    const int ra = numeric_rank(a.kind);
    const int rb = numeric_rank(b.kind);
    if (ra >= 0 && rb >= 0) {
        return ra >= rb ? a : b;
    }
    if (is_temporal(a.kind) && is_temporal(b.kind)) {
        return ValueType(Kind::timestamp);
    }
    return ValueType(Kind::varchar);
}

std::string duckdb_type_text(const ValueType& t) { return duckdb_type_text(t, false); }

// (Built with append: GCC 12 at -O3 warns falsely about "literal" + std::string.)
std::string json_structure(const ValueType& t) {
    std::string out;
    switch (t.kind) {
    case Kind::list:
        out.append("[").append(json_structure(t.element.front())).append("]");
        return out;
    case Kind::structure:
        if (t.fields.empty()) {
            return "\"JSON\"";
        }
        out.append("{");
        for (size_t i = 0; i < t.fields.size(); ++i) {
            out.append(i ? "," : "");
            append_json_string(out, t.fields[i].first);
            out.append(":").append(json_structure(t.fields[i].second));
        }
        out.append("}");
        return out;
    case Kind::null: return "\"JSON\"";
    default:
        out.append("\"").append(duckdb_type_text(t)).append("\"");
        return out;
    }
}

std::string duckdb_type_text(const ValueType& t, bool inside) {
    switch (t.kind) {
    case Kind::null: return inside ? "JSON" : "VARCHAR";
    case Kind::varchar: return "VARCHAR";
    case Kind::boolean: return "BOOLEAN";
    case Kind::bigint: return "BIGINT";
    case Kind::float64: return "DOUBLE";
    case Kind::date: return "DATE";
    case Kind::timestamp: return "TIMESTAMP";
    case Kind::blob: return "BLOB";
    case Kind::decimal: return "DECIMAL(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case Kind::list: return duckdb_type_text(t.element.front(), true) + "[]";
    case Kind::structure: {
        if (t.fields.empty()) {
            return "JSON"; // DuckDB has no empty STRUCT
        }
        std::string out = "STRUCT(";
        for (size_t i = 0; i < t.fields.size(); ++i) {
            out += (i ? ", " : "") + quote_identifier(t.fields[i].first) + " " +
                   duckdb_type_text(t.fields[i].second, true);
        }
        return out + ")";
    }
    }
    return "VARCHAR";
}

std::string hive_type_text(const ValueType& t) {
    switch (t.kind) {
    case Kind::null:
    case Kind::varchar: return "string";
    case Kind::decimal: return "decimal(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case Kind::list: {
        std::string out = "array<";
        out.append(hive_type_text(t.element.front())).append(">");
        return out;
    }
    case Kind::structure: {
        if (t.fields.empty()) {
            return "string";
        }
        std::string out = "struct<";
        for (size_t i = 0; i < t.fields.size(); ++i) {
            out.append(i ? "," : "").append(hive_field_name(t.fields[i].first)).append(":");
            out.append(hive_type_text(t.fields[i].second));
        }
        out.append(">");
        return out;
    }
    default: return to_string(t.kind);
    }
}

Result<ValueType> parse_type_text(std::string_view text) { return TypeReader(text).read_all(); }

} // namespace ticklake
