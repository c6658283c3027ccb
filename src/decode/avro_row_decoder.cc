#include "decode/avro_row_decoder.h"
#include "common/varint.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "common/binary_text.h"
#include "common/event_json.h"
#include "common/timestamp.h"

namespace ticklake {

namespace {

using Type = AvroNode::Type;
using Logical = AvroNode::Logical;
using Kind = ValueType::Kind;

constexpr int kMaxDecimalPrecision = 38; // DuckDB's DECIMAL

// Avro binary (the specification's "Binary Encoding"): zig-zag varints, little-endian IEEE
// floats, length-prefixed bytes. Every read checks the end: a truncated payload is poison.
struct AvroReader {
    const unsigned char* p;
    const unsigned char* end;
    int depth = 0; //!< records, arrays and maps open while writing a nested value as JSON

    bool read_long(int64_t& v) { return varint::read_zigzag(p, end, v); }
    bool read_fixed(size_t n, std::string_view& s) {
        if (static_cast<size_t>(end - p) < n) {
            return false;
        }
        s = {reinterpret_cast<const char*>(p), n};
        p += n;
        return true;
    }
    bool read_bytes(std::string_view& s) {
        int64_t n = 0;
        return read_long(n) && n >= 0 && read_fixed(static_cast<size_t>(n), s);
    }
    bool read_float(double& d) {
        std::string_view s;
        if (!read_fixed(4, s)) {
            return false;
        }
        float f;
        std::memcpy(&f, s.data(), 4);
        d = f;
        return true;
    }
    bool read_double(double& d) {
        std::string_view s;
        if (!read_fixed(8, s)) {
            return false;
        }
        std::memcpy(&d, s.data(), 8);
        return true;
    }
};

Error truncated(std::string_view field) {
    return Error::poison(fmt::format("the Avro payload does not decode: it ends or breaks inside field '{}'", field));
}

// The unscaled two's-complement big-endian integer as decimal text with `scale` digits after
// the point. 16 bytes hold every DECIMAL(38).
bool decimal_text(std::string_view bytes, int scale, std::string& out) {
    if (bytes.size() > 16) {
        return false;
    }
    unsigned __int128 u = (!bytes.empty() && (static_cast<unsigned char>(bytes[0]) & 0x80)) ? ~static_cast<unsigned __int128>(0) : 0;
    for (unsigned char b : bytes) {
        u = (u << 8) | b;
    }
    const bool negative = static_cast<__int128>(u) < 0;
    if (negative) {
        u = ~u + 1;
    }
    std::string digits;
    do {
        digits.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
        u /= 10;
    } while (u != 0);
    while (static_cast<int>(digits.size()) <= scale) {
        digits.push_back('0');
    }
    if (negative) {
        out.push_back('-');
    }
    for (size_t i = digits.size(); i-- > 0;) {
        out.push_back(digits[i]);
        if (scale > 0 && i == static_cast<size_t>(scale)) {
            out.push_back('.');
        }
    }
    return true;
}

void append_date(std::string& out, int64_t days) {
    const CivilDate d = civil_from_days(days);
    out += fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
}

// An int or long value with its logical type applied: dates and timestamps in microseconds,
// time-millis in microseconds of the day. The varint may carry any 64-bit value, so an int
// outside 32 bits, a time outside the day, or a scaling that overflows is a payload that does
// not decode (found by avro_row_decoder_fuzz), not a wrapped number.
bool read_scaled_long(const AvroNode& n, AvroReader& r, int64_t& out) {
    int64_t v = 0;
    if (!r.read_long(v)) {
        return false;
    }
    if (n.type == Type::int32 && (v < INT32_MIN || v > INT32_MAX)) {
        return false;
    }
    int64_t scale = 1;
    switch (n.logical) {
    case Logical::date: scale = kMicrosPerDay; break;
    case Logical::timestamp_millis:
    case Logical::local_timestamp_millis: scale = 1000; break;
    case Logical::time_millis:
        if (v < 0 || v > 86'400'000) return false;
        scale = 1000;
        break;
    case Logical::time_micros:
        if (v < 0 || v > 86'400'000'000) return false;
        break;
    default: break;
    }
    return !__builtin_mul_overflow(v, scale, &out);
}

bool is_timestamp(Logical l) {
    return l == Logical::timestamp_millis || l == Logical::timestamp_micros || l == Logical::local_timestamp_millis ||
           l == Logical::local_timestamp_micros;
}

bool append_json(const AvroNode& n, AvroReader& r, std::string& out);

// int and long, with their logical types: dates and timestamps as quoted ISO text.
bool append_json_long(const AvroNode& n, AvroReader& r, std::string& out) {
    int64_t v = 0;
    if (!read_scaled_long(n, r, v)) {
        return false;
    }
    if (n.logical == Logical::date) {
        out.push_back('"');
        append_date(out, v / kMicrosPerDay);
        out.push_back('"');
    } else if (is_timestamp(n.logical)) {
        out.push_back('"');
        append_iso8601(out, v);
        out.push_back('"');
    } else {
        append_json_int(out, v);
    }
    return true;
}

// float and double; JSON has no NaN or infinity, so those become null.
bool append_json_real(const AvroNode& n, AvroReader& r, std::string& out) {
    double d = 0;
    if (!(n.type == Type::float32 ? r.read_float(d) : r.read_double(d))) {
        return false;
    }
    if (std::isfinite(d)) {
        append_json_double(out, d);
    } else {
        out += "null";
    }
    return true;
}

// bytes and fixed: decimals as exact numbers, anything else as base64 text.
bool append_json_bytes(const AvroNode& n, AvroReader& r, std::string& out) {
    std::string_view s;
    if (!(n.type == Type::bytes ? r.read_bytes(s) : r.read_fixed(n.fixed_size, s))) {
        return false;
    }
    if (n.logical == Logical::decimal) {
        return decimal_text(s, n.scale, out);
    }
    std::string b64;
    append_base64(b64, s);
    append_json_string(out, b64);
    return true;
}

bool append_json_record(const AvroNode& n, AvroReader& r, std::string& out) {
    out.push_back('{');
    bool first = true;
    for (const auto& f : n.fields) {
        if (!first) {
            out.push_back(',');
        }
        first = false;
        append_json_string(out, f.name);
        out.push_back(':');
        if (!append_json(*f.type, r, out)) {
            return false;
        }
    }
    out.push_back('}');
    return true;
}

// One item of an array, or one {"key":..,"value":..} entry of a map.
bool append_json_item(const AvroNode& n, AvroReader& r, std::string& out) {
    if (n.type == Type::map) {
        std::string_view key;
        if (!r.read_bytes(key)) {
            return false;
        }
        out += "{\"key\":";
        append_json_string(out, key);
        out += ",\"value\":";
    }
    if (!append_json(*n.items, r, out)) {
        return false;
    }
    if (n.type == Type::map) {
        out.push_back('}');
    }
    return true;
}

// Whether a value of type n can be encoded in no bytes at all (null, an empty fixed, a record
// of such fields): only then may a block claim more items than bytes are left.
// A record naming itself is cut off at depth 32 (answered "no").
bool may_take_no_bytes(const AvroNode& n, int depth = 0) {
    switch (n.type) {
    case Type::null: return true;
    case Type::fixed: return n.fixed_size == 0;
    case Type::record:
        if (depth > 32) return false;
        for (const auto& f : n.fields) {
            if (!may_take_no_bytes(*f.type, depth + 1)) return false;
        }
        return true;
    default: return false;
    }
}

// The item count of the next block of an array or map (0: the end). A negative count is
// followed by the block's size in bytes. The count comes from the payload, so it is bounded by
// the bytes left (each item takes at least one: a map's key, any non-empty type), or by
// kMaxEmptyItems for items that take none: a 12-byte message must not loop 2^63 times.
bool read_block_count(const AvroNode& n, AvroReader& r, int64_t& count) {
    constexpr int64_t kMaxEmptyItems = 1'000'000;
    if (!r.read_long(count)) {
        return false;
    }
    if (count < 0) {
        if (count == INT64_MIN) return false;
        count = -count;
        int64_t size = 0;
        if (!r.read_long(size) || size < 0) {
            return false;
        }
    }
    const bool empty_items = n.type == Type::array && may_take_no_bytes(*n.items);
    return count <= (empty_items ? kMaxEmptyItems : static_cast<int64_t>(r.end - r.p));
}

// An array or a map: blocks of items, ended by an empty block.
bool append_json_blocks(const AvroNode& n, AvroReader& r, std::string& out) {
    out.push_back('[');
    bool first = true;
    for (;;) {
        int64_t count = 0;
        if (!read_block_count(n, r, count)) {
            return false;
        }
        if (count == 0) {
            break;
        }
        for (int64_t k = 0; k < count; ++k) {
            if (!first) {
                out.push_back(',');
            }
            first = false;
            if (!append_json_item(n, r, out)) {
                return false;
            }
            if (r.p > r.end) {
                return false;
            }
        }
    }
    out.push_back(']');
    return true;
}

// A value as JSON text, the form nested columns are stored in (DuckDB reads it with the column's
// type): timestamps and dates as ISO text, decimals as exact numbers, bytes as base64, maps as
// [{"key":..,"value":..}].
bool append_json(const AvroNode& n, AvroReader& r, std::string& out) {
    switch (n.type) {
    case Type::null: out += "null"; return true;
    case Type::boolean: {
        std::string_view b;
        if (!r.read_fixed(1, b)) {
            return false;
        }
        out += b[0] != 0 ? "true" : "false";
        return true;
    }
    case Type::int32:
    case Type::int64: return append_json_long(n, r, out);
    case Type::float32:
    case Type::float64: return append_json_real(n, r, out);
    case Type::string: {
        std::string_view s;
        if (!r.read_bytes(s)) {
            return false;
        }
        append_json_string(out, s);
        return true;
    }
    case Type::bytes:
    case Type::fixed: return append_json_bytes(n, r, out);
    case Type::enumeration: {
        int64_t i = 0;
        if (!r.read_long(i) || i < 0 || static_cast<size_t>(i) >= n.symbols.size()) {
            return false;
        }
        append_json_string(out, n.symbols[static_cast<size_t>(i)]);
        return true;
    }
    case Type::union_: {
        int64_t i = 0;
        if (!r.read_long(i) || i < 0 || static_cast<size_t>(i) >= n.branches.size()) {
            return false;
        }
        return append_json(*n.branches[static_cast<size_t>(i)], r, out);
    }
    case Type::record:
    case Type::array:
    case Type::map: {
        // A recursive schema (a record holding a list of itself) lets each level of a value
        // cost one byte: without a bound a 1 MB message would recurse a million frames deep
        // (found by avro_row_decoder_fuzz as a stack overflow).
        constexpr int kMaxNesting = 128;
        if (++r.depth > kMaxNesting) {
            return false;
        }
        const bool ok = n.type == Type::record ? append_json_record(n, r, out) : append_json_blocks(n, r, out);
        --r.depth;
        return ok;
    }
    }
    return false;
}

bool read_cell(const AvroNode& n, const ValueType& type, AvroReader& r, CellValue& c, RowCells& row);

// int and long, with their logical types: dates and timestamps as microseconds.
bool read_long_cell(const AvroNode& n, AvroReader& r, CellValue& c) {
    if (!read_scaled_long(n, r, c.i)) {
        return false;
    }
    // A date column keeps its day: the value is the day's first microsecond.
    c.kind = n.logical == Logical::date || is_timestamp(n.logical) ? CellValue::Kind::timestamp
                                                                    : CellValue::Kind::integer;
    return true;
}

// bytes and fixed: decimals as exact text (kept in row), anything else as the raw bytes.
bool read_bytes_cell(const AvroNode& n, AvroReader& r, CellValue& c, RowCells& row) {
    std::string_view s;
    if (!(n.type == Type::bytes ? r.read_bytes(s) : r.read_fixed(n.fixed_size, s))) {
        return false;
    }
    if (n.logical == Logical::decimal) {
        std::string& text = row.new_string();
        if (!decimal_text(s, n.scale, text)) {
            return false;
        }
        c.kind = CellValue::Kind::string;
        c.text = text;
        c.time_kind = CellValue::kNotATime;
        return true;
    }
    c.kind = CellValue::Kind::bytes;
    c.text = s;
    return true;
}

// A nullable union reads as its branch; any other union as JSON text.
bool read_union_cell(const AvroNode& n, const ValueType& type, AvroReader& r, CellValue& c, RowCells& row) {
    if (n.nullable_of() != nullptr) {
        int64_t i = 0;
        if (!r.read_long(i) || i < 0 || static_cast<size_t>(i) >= n.branches.size()) {
            return false;
        }
        const AvroNode& branch = *n.branches[static_cast<size_t>(i)];
        if (branch.type == Type::null) {
            c.kind = CellValue::Kind::null;
            return true;
        }
        return read_cell(branch, type, r, c, row);
    }
    std::string& text = row.new_string();
    if (!append_json(n, r, text)) {
        return false;
    }
    c.kind = CellValue::Kind::string;
    c.text = text;
    c.time_kind = CellValue::kNotATime;
    return true;
}

// A record, array or map: JSON text (kept in row) that the nested column type reads.
bool read_nested_cell(const AvroNode& n, const ValueType& type, AvroReader& r, CellValue& c, RowCells& row) {
    std::string& text = row.new_string();
    if (!append_json(n, r, text)) {
        return false;
    }
    c.kind = CellValue::Kind::json;
    c.text = text;
    c.nested = &type;
    return true;
}

// One top-level field into its cell. type: the column type of n (nested cells point to it).
bool read_cell(const AvroNode& n, const ValueType& type, AvroReader& r, CellValue& c, RowCells& row) {
    switch (n.type) {
    case Type::null: c.kind = CellValue::Kind::null; return true;
    case Type::boolean: {
        std::string_view b;
        if (!r.read_fixed(1, b)) {
            return false;
        }
        c.kind = CellValue::Kind::boolean;
        c.b = b[0] != 0;
        return true;
    }
    case Type::int32:
    case Type::int64: return read_long_cell(n, r, c);
    case Type::float32:
    case Type::float64: {
        double d = 0;
        if (!(n.type == Type::float32 ? r.read_float(d) : r.read_double(d))) {
            return false;
        }
        c.kind = CellValue::Kind::real;
        c.d = d;
        return true;
    }
    case Type::string: {
        if (!r.read_bytes(c.text)) {
            return false;
        }
        c.kind = CellValue::Kind::string;
        c.time_kind = CellValue::kNotATime; // typed by the schema, never read as a time
        return true;
    }
    case Type::bytes:
    case Type::fixed: return read_bytes_cell(n, r, c, row);
    case Type::enumeration: {
        int64_t i = 0;
        if (!r.read_long(i) || i < 0 || static_cast<size_t>(i) >= n.symbols.size()) {
            return false;
        }
        c.kind = CellValue::Kind::string;
        c.text = n.symbols[static_cast<size_t>(i)];
        c.time_kind = CellValue::kNotATime;
        return true;
    }
    case Type::union_: return read_union_cell(n, type, r, c, row);
    case Type::record:
    case Type::array:
    case Type::map: return read_nested_cell(n, type, r, c, row);
    }
    return false;
}

} // namespace

namespace {

// `open` holds the records being typed: a record met again inside itself (a recursive schema)
// is VARCHAR, its value kept as JSON text, instead of a type without end (found by
// avro_row_decoder_fuzz as a stack overflow).
ValueType column_type(const AvroNode& n, std::vector<const AvroNode*>& open);

ValueType record_column_type(const AvroNode& n, std::vector<const AvroNode*>& open) {
    if (std::find(open.begin(), open.end(), &n) != open.end()) {
        return ValueType(Kind::varchar);
    }
    open.push_back(&n);
    ValueType t(Kind::structure);
    for (const auto& f : n.fields) {
        t.fields.emplace_back(f.name, column_type(*f.type, open));
    }
    open.pop_back();
    return t;
}

ValueType column_type(const AvroNode& n, std::vector<const AvroNode*>& open) {
    switch (n.type) {
    case Type::null: return ValueType();
    case Type::boolean: return ValueType(Kind::boolean);
    case Type::int32:
    case Type::int64:
        if (n.logical == Logical::date) {
            return ValueType(Kind::date);
        }
        return ValueType(is_timestamp(n.logical) ? Kind::timestamp : Kind::bigint);
    case Type::float32:
    case Type::float64: return ValueType(Kind::float64);
    case Type::string:
    case Type::enumeration: return ValueType(Kind::varchar);
    case Type::bytes:
    case Type::fixed:
        if (n.logical == Logical::decimal) {
            return n.precision <= kMaxDecimalPrecision
                       ? ValueType::decimal_of(static_cast<uint8_t>(n.precision), static_cast<uint8_t>(n.scale))
                       : ValueType(Kind::varchar);
        }
        return ValueType(Kind::blob);
    case Type::union_:
        if (const AvroNode* inner = n.nullable_of()) {
            return column_type(*inner, open);
        }
        return ValueType(Kind::varchar);
    case Type::record: return record_column_type(n, open);
    case Type::array: return ValueType::list_of(column_type(*n.items, open));
    case Type::map: {
        ValueType entry(Kind::structure);
        entry.fields.emplace_back("key", ValueType(Kind::varchar));
        entry.fields.emplace_back("value", column_type(*n.items, open));
        return ValueType::list_of(std::move(entry));
    }
    }
    return ValueType(Kind::varchar);
}

} // namespace

ValueType avro_column_type(const AvroNode& n) {
    std::vector<const AvroNode*> open;
    return column_type(n, open);
}

namespace {

// The root's records: itself when it is one, or the branches of a union made only of records.
std::vector<const AvroNode*> root_records(const AvroNode& root) {
    if (root.type == Type::record) {
        return {&root};
    }
    if (root.type != Type::union_ || root.branches.empty()) {
        return {};
    }
    for (const AvroNode* b : root.branches) {
        if (b->type != Type::record) {
            return {};
        }
    }
    return root.branches;
}

} // namespace

std::vector<std::pair<std::string, ValueType>> avro_columns(const AvroSchema& schema) {
    std::vector<std::pair<std::string, ValueType>> cols;
    const auto records = root_records(schema.root());
    if (records.empty()) {
        cols.emplace_back("value", avro_column_type(schema.root()));
        return cols;
    }
    for (const AvroNode* r : records) {
        for (const auto& f : r->fields) {
            if (std::none_of(cols.begin(), cols.end(), [&](const auto& c) { return c.first == f.name; })) {
                cols.emplace_back(f.name, avro_column_type(*f.type));
            }
        }
    }
    return cols;
}

Result<const AvroRowDecoder::Known*> AvroRowDecoder::known(int32_t id) {
    if (auto it = known_.find(id); it != known_.end()) {
        return it->second.get();
    }
    auto s = schemas_->schema_by_id(id);
    if (!s) {
        return fail(s.error());
    }
    if ((*s)->type != SchemaType::avro || !(*s)->avro) {
        return fail(Error::poison(fmt::format("schema id {} is a {} schema, not Avro", id, to_string((*s)->type))));
    }
    auto k = std::make_unique<Known>();
    k->schema = *s;
    const auto records = root_records(k->schema->avro->root());
    if (records.empty()) {
        k->field_types.push_back({avro_column_type(k->schema->avro->root())});
    }
    for (const AvroNode* r : records) {
        auto& types = k->field_types.emplace_back();
        for (const auto& f : r->fields) {
            types.push_back(avro_column_type(*f.type));
        }
    }
    return known_.emplace(id, std::move(k)).first->second.get();
}

Status AvroRowDecoder::decode(std::string_view value, RowCells& row) {
    row.clear();
    auto frame = read_wire_frame(value);
    if (!frame) {
        return fail(frame.error());
    }
    auto k = known(frame->schema_id);
    if (!k) {
        return fail(k.error());
    }
    last_ = (*k)->schema;
    const AvroNode* root = &last_->avro->root();
    AvroReader r{reinterpret_cast<const unsigned char*>(frame->payload.data()),
                 reinterpret_cast<const unsigned char*>(frame->payload.data() + frame->payload.size())};
    const std::vector<ValueType>* types = &(*k)->field_types[0];
    if (root->type == Type::union_ && (*k)->field_types.size() == root->branches.size() && root->branches[0]->type == Type::record) {
        int64_t branch = 0; // a union of records: the branch index picks the record
        if (!r.read_long(branch) || branch < 0 || static_cast<size_t>(branch) >= root->branches.size()) {
            return fail(Error::poison(fmt::format("the Avro payload does not decode: its union branch is cut or not one of "
                                                  "the {} records of schema id {}", root->branches.size(), frame->schema_id)));
        }
        root = root->branches[static_cast<size_t>(branch)];
        types = &(*k)->field_types[static_cast<size_t>(branch)];
    }
    if (root->type != Type::record) {
        if (!read_cell(*root, (*types)[0], r, row.add("value"), row)) {
            return fail(truncated("value"));
        }
    } else {
        for (size_t i = 0; i < root->fields.size(); ++i) {
            const AvroField& f = root->fields[i];
            if (!read_cell(*f.type, (*types)[i], r, row.add(f.name), row)) {
                return fail(truncated(f.name));
            }
        }
    }
    if (r.p != r.end) {
        return fail(Error::poison(fmt::format("the Avro payload does not decode: {} bytes left after the record of schema id {}",
                                              r.end - r.p, frame->schema_id)));
    }
    return {};
}

} // namespace ticklake
