#include "crawler/parquet_metadata.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "parquet/thrift_compact.h"

namespace ticklake {

namespace {

// The footer is decoded into a Thrift tree by parquet/thrift_compact (the one compact-protocol
// reader: the query's slicer uses it too); these read the fields the crawl needs from it.
using parquet::ThriftType;
using parquet::ThriftValue;

bool is_integer(const ThriftValue* v) {
    return v != nullptr && (v->type == ThriftType::byte || v->type == ThriftType::i16 || v->type == ThriftType::i32 ||
                            v->type == ThriftType::i64);
}
std::optional<int64_t> integer_field(const ThriftValue& s, int id) {
    const ThriftValue* v = s.field(id);
    return is_integer(v) ? std::optional<int64_t>(v->integer) : std::nullopt;
}
const ThriftValue* typed_field(const ThriftValue& s, int id, ThriftType type) {
    const ThriftValue* v = s.field(id);
    return v != nullptr && v->type == type ? v : nullptr;
}
std::optional<std::string> binary_field(const ThriftValue& s, int id) {
    const ThriftValue* v = typed_field(s, id, ThriftType::binary);
    return v != nullptr ? std::optional<std::string>(v->binary) : std::nullopt;
}
bool true_field(const ThriftValue& s, int id) {
    const ThriftValue* v = s.field(id);
    return v != nullptr && v->type == ThriftType::bool_true;
}
//! A list field's elements; none when the field is absent or not a list.
const std::vector<ThriftValue>& list_field(const ThriftValue& s, int id) {
    static const std::vector<ThriftValue> none;
    const ThriftValue* v = typed_field(s, id, ThriftType::list);
    return v != nullptr ? v->elements : none;
}

enum class TimeUnit { none, millis, micros, nanos };

struct SchemaElement {
    std::optional<int> type; //!< physical type: BOOLEAN 0, INT32 1, INT64 2, INT96 3, FLOAT 4, DOUBLE 5, BYTE_ARRAY 6, FIXED 7
    int repetition = 0;      //!< REQUIRED 0, OPTIONAL 1, REPEATED 2
    std::string name;
    int num_children = 0;
    std::optional<int> converted;
    int scale = 0;
    int precision = 0;
    // LogicalType (the union's member, when present)
    int logical = 0; //!< union field id: STRING 1, MAP 2, LIST 3, ENUM 4, DECIMAL 5, DATE 6, TIME 7, TIMESTAMP 8, INTEGER 10, UNKNOWN 11, JSON 12, BSON 13, UUID 14, FLOAT16 15
    bool utc = false;
    TimeUnit unit = TimeUnit::none;
    int bit_width = 0;
    bool is_signed = true;
};

TimeUnit time_unit(const ThriftValue& unit) {
    // A union of empty structs: the member present names the unit.
    if (unit.field(1) != nullptr) {
        return TimeUnit::millis;
    }
    if (unit.field(2) != nullptr) {
        return TimeUnit::micros;
    }
    if (unit.field(3) != nullptr) {
        return TimeUnit::nanos;
    }
    return TimeUnit::none;
}

void read_logical_type(const ThriftValue& logical, SchemaElement& e) {
    // A union: its one member's field id names the type (the last one, should a writer send two).
    for (const auto& member : logical.fields) {
        e.logical = member.id;
        if (member.value.type != ThriftType::structure) {
            continue;
        }
        const ThriftValue& m = member.value;
        if (member.id == 5) { // DECIMAL scale, precision
            e.scale = static_cast<int>(integer_field(m, 1).value_or(e.scale));
            e.precision = static_cast<int>(integer_field(m, 2).value_or(e.precision));
        } else if (member.id == 7 || member.id == 8) { // TIME/TIMESTAMP isAdjustedToUTC, unit
            e.utc = true_field(m, 1);
            if (const ThriftValue* unit = typed_field(m, 2, ThriftType::structure)) {
                e.unit = time_unit(*unit);
            }
        } else if (member.id == 10) { // INTEGER bitWidth, isSigned
            e.bit_width = static_cast<int>(integer_field(m, 1).value_or(0));
            if (m.field(2) != nullptr) {
                e.is_signed = true_field(m, 2);
            }
        }
    }
}

SchemaElement read_schema_element(const ThriftValue& s) {
    SchemaElement e;
    if (auto t = integer_field(s, 1)) {
        e.type = static_cast<int>(*t);
    }
    e.repetition = static_cast<int>(integer_field(s, 3).value_or(0));
    e.name = binary_field(s, 4).value_or("");
    e.num_children = static_cast<int>(integer_field(s, 5).value_or(0));
    if (auto c = integer_field(s, 6)) {
        e.converted = static_cast<int>(*c);
    }
    e.scale = static_cast<int>(integer_field(s, 7).value_or(0));
    e.precision = static_cast<int>(integer_field(s, 8).value_or(0));
    if (const ThriftValue* logical = typed_field(s, 10, ThriftType::structure)) {
        read_logical_type(*logical, e);
    }
    return e;
}

// Converted types (the legacy annotations) that matter here; the whole list, some unused.
[[maybe_unused]] constexpr int kUtf8 = 0, kMapAnn = 1, kMapKeyValue = 2, kListAnn = 3, kEnum = 4, kDecimal = 5, kDate = 6,
              kTimeMillis = 7, kTimeMicros = 8, kTimestampMillis = 9, kTimestampMicros = 10, kUint8 = 11,
              kUint16 = 12, kUint32 = 13, kUint64 = 14, kInt8 = 15, kInt16 = 16, kInt32 = 17, kInt64 = 18,
              kJson = 19;

// The name DuckDB gives a primitive column's type.
std::string duckdb_scalar(const SchemaElement& e) {
    const int t = e.type.value_or(6);
    const int conv = e.converted.value_or(-1);
    const bool decimal = e.logical == 5 || conv == kDecimal;
    if (decimal && (t == 1 || t == 2 || t == 6 || t == 7)) {
        if (e.precision > 38) {
            return "DOUBLE";
        }
        return "DECIMAL(" + std::to_string(e.precision) + "," + std::to_string(e.scale) + ")";
    }
    switch (t) {
    case 0: return "BOOLEAN";
    case 1: // INT32
        if (e.logical == 6 || conv == kDate) return "DATE";
        if (e.logical == 7 || conv == kTimeMillis) return "TIME";
        if (e.logical == 10) {
            const int w = e.bit_width;
            if (e.is_signed) return w == 8 ? "TINYINT" : w == 16 ? "SMALLINT" : "INTEGER";
            return w == 8 ? "UTINYINT" : w == 16 ? "USMALLINT" : "UINTEGER";
        }
        if (conv == kInt8) return "TINYINT";
        if (conv == kInt16) return "SMALLINT";
        if (conv == kUint8) return "UTINYINT";
        if (conv == kUint16) return "USMALLINT";
        if (conv == kUint32) return "UINTEGER";
        return "INTEGER";
    case 2: // INT64
        if (e.logical == 8 || conv == kTimestampMillis || conv == kTimestampMicros) {
            return e.utc ? "TIMESTAMP WITH TIME ZONE" : "TIMESTAMP";
        }
        if (e.logical == 7 || conv == kTimeMicros) return "TIME";
        if ((e.logical == 10 && !e.is_signed) || conv == kUint64) return "UBIGINT";
        return "BIGINT";
    case 3: return "TIMESTAMP"; // INT96
    case 4: return "FLOAT";
    case 5: return "DOUBLE";
    case 6: // BYTE_ARRAY
        if (e.logical == 1 || e.logical == 4 || e.logical == 12 || conv == kUtf8 || conv == kEnum || conv == kJson) {
            return "VARCHAR";
        }
        return "BLOB";
    case 7: // FIXED_LEN_BYTE_ARRAY
        if (e.logical == 14) return "UUID";
        if (e.logical == 15) return "FLOAT";
        return "BLOB";
    default: return "VARCHAR";
    }
}

// Hive type of the subtree at schema[i]; advances i past it. Follows the Parquet rules for
// LIST and MAP annotations (three-level and legacy two-level) as DuckDB reads them.
// `as_element`: the node is the element of a legacy two-level list, so its own REPEATED does
// not make another array.
std::string hive_type_at(const std::vector<SchemaElement>& schema, size_t& i, int depth = 0, bool as_element = false) {
    if (i >= schema.size() || depth > 64) {
        return "string";
    }
    const SchemaElement& e = schema[i++];
    auto wrap_repeated = [&](std::string t) { return e.repetition == 2 && !as_element ? "array<" + t + ">" : t; };
    if (e.num_children <= 0) {
        return wrap_repeated(hive_type_of_duckdb(duckdb_scalar(e)));
    }
    const bool list = e.logical == 3 || e.converted == kListAnn;
    const bool map = e.logical == 2 || e.converted == kMapAnn || e.converted == kMapKeyValue;
    if (list && e.num_children == 1 && i < schema.size()) {
        const SchemaElement& repeated = schema[i];
        if (repeated.num_children == 1 && repeated.name != "array" && repeated.name != e.name + "_tuple") {
            ++i; // the standard middle level: repeated group list { element }
            return wrap_repeated("array<" + hive_type_at(schema, i, depth + 1) + ">");
        }
        // Legacy two-level list: the repeated field is the element itself.
        return wrap_repeated("array<" + hive_type_at(schema, i, depth + 1, /*as_element=*/true) + ">");
    }
    if (map && e.num_children == 1 && i < schema.size() && schema[i].num_children == 2) {
        ++i; // repeated group key_value { key; value }
        std::string key = hive_type_at(schema, i, depth + 1);
        std::string value = hive_type_at(schema, i, depth + 1);
        return wrap_repeated("map<" + key + "," + value + ">");
    }
    std::string out = "struct<";
    // A child count beyond the elements left is a broken footer: stop at the end of the list.
    for (int c = 0; c < e.num_children && i < schema.size(); ++c) {
        const std::string name = i < schema.size() ? schema[i].name : "";
        std::string t = hive_type_at(schema, i, depth + 1);
        out += (c ? "," : "") + name + ":" + t;
    }
    return wrap_repeated(out + ">");
}

std::optional<TimestampUs> time_value(std::string_view bytes, const SchemaElement& e) {
    const int t = e.type.value_or(-1);
    // A statistic out of the microsecond range (a writer's garbage) makes the range unknown.
    auto times = [](int64_t v, int64_t factor) -> std::optional<TimestampUs> {
        TimestampUs us;
        if (__builtin_mul_overflow(v, factor, &us)) {
            return std::nullopt;
        }
        return us;
    };
    if (t == 1 && bytes.size() == 4) { // DATE: days
        int32_t days;
        std::memcpy(&days, bytes.data(), 4);
        return times(days, kMicrosPerDay);
    }
    if (t != 2 || bytes.size() != 8) {
        return std::nullopt; // INT96 statistics are not trusted by readers either
    }
    int64_t v;
    std::memcpy(&v, bytes.data(), 8);
    TimeUnit unit = e.unit;
    if (unit == TimeUnit::none) {
        unit = e.converted == kTimestampMillis ? TimeUnit::millis : TimeUnit::micros;
    }
    switch (unit) {
    case TimeUnit::millis: return times(v, 1000);
    case TimeUnit::nanos: return v / 1000 - (v % 1000 < 0 ? 1 : 0); // toward the past
    default: return v;
    }
}

std::string codec_name(int64_t codec) {
    switch (codec) {
    case 0: return "none";
    case 1: return "snappy";
    case 2: return "gzip";
    case 3: return "lzo";
    case 4: return "brotli";
    case 5: return "lz4";
    case 6: return "zstd";
    case 7: return "lz4_raw";
    default: return "unknown";
    }
}

// Min and max statistics of a column chunk, as the footer holds them (raw bytes).
struct StatsRange {
    std::optional<std::string> min, max;
};

// What the crawl takes from the footer's row groups.
struct RowGroupFacts {
    std::optional<int64_t> first_codec;
    std::vector<StatsRange> ts_ranges; //!< one per row group, for the top-level `ts` column
};

StatsRange read_statistics(const ThriftValue& stats) {
    StatsRange range;
    range.max = binary_field(stats, 5);
    range.min = binary_field(stats, 6);
    // The deprecated min/max (fields 2 and 1) are signed-order for integers: fine for times.
    if (!range.min) {
        range.min = binary_field(stats, 2);
    }
    if (!range.max) {
        range.max = binary_field(stats, 1);
    }
    return range;
}

void read_column_metadata(const ThriftValue& meta, RowGroupFacts& facts) {
    std::vector<std::string> path;
    for (const ThriftValue& part : list_field(meta, 3)) {
        path.push_back(part.type == ThriftType::binary ? part.binary : std::string());
    }
    const int64_t codec = integer_field(meta, 4).value_or(-1);
    StatsRange range;
    if (const ThriftValue* stats = typed_field(meta, 12, ThriftType::structure)) {
        range = read_statistics(*stats);
    }
    if (!facts.first_codec && codec >= 0) {
        facts.first_codec = codec;
    }
    if (path.size() == 1 && path[0] == "ts") {
        facts.ts_ranges.push_back(range);
    }
}

// A RowGroup: its ColumnChunks (field 1), each with its ColumnMetaData (field 3).
void read_row_group(const ThriftValue& group, RowGroupFacts& facts) {
    for (const ThriftValue& chunk : list_field(group, 1)) {
        if (const ThriftValue* meta = typed_field(chunk, 3, ThriftType::structure)) {
            read_column_metadata(*meta, facts);
        }
    }
}

// The file's top-level columns, typed; returns the `ts` column when it holds times.
const SchemaElement* top_level_columns(const std::vector<SchemaElement>& schema, Columns& out) {
    const SchemaElement* ts = nullptr;
    size_t i = 1; // schema[0] is the root
    for (int c = 0; c < schema[0].num_children && i < schema.size(); ++c) {
        const size_t at = i;
        std::string type = hive_type_at(schema, i);
        out.push_back({schema[at].name, type});
        if (schema[at].name == "ts" && schema[at].num_children == 0 && (type == "timestamp" || type == "date")) {
            ts = &schema[at];
        }
    }
    return ts;
}

// A row group without statistics makes the range unknown: none is better than a wrong one.
void set_ts_range(const std::vector<StatsRange>& ranges, const SchemaElement& ts, ParquetFooter& out) {
    TimestampUs lo_all = std::numeric_limits<TimestampUs>::max();
    TimestampUs hi_all = std::numeric_limits<TimestampUs>::min();
    for (const auto& rg : ranges) {
        const std::optional<TimestampUs> lo = rg.min ? time_value(*rg.min, ts) : std::nullopt;
        const std::optional<TimestampUs> hi = rg.max ? time_value(*rg.max, ts) : std::nullopt;
        if (!lo.has_value() || !hi.has_value()) {
            return;
        }
        lo_all = std::min(lo_all, lo.value());
        hi_all = std::max(hi_all, hi.value());
    }
    out.ts_min = lo_all;
    out.ts_max = hi_all;
}

} // namespace

Result<ParquetFooter> decode_parquet_footer(std::string_view footer, std::string_view key) {
    auto meta = parquet::decode_thrift_struct(footer);
    std::vector<SchemaElement> schema;
    RowGroupFacts groups;
    std::optional<int64_t> num_rows;
    bool well_formed = meta.has_value();
    if (meta) { // FileMetaData
        for (const ThriftValue& element : list_field(*meta, 2)) {
            well_formed = well_formed && element.type == ThriftType::structure;
            schema.push_back(read_schema_element(element));
        }
        num_rows = integer_field(*meta, 3);
        for (const ThriftValue& group : list_field(*meta, 4)) {
            well_formed = well_formed && group.type == ThriftType::structure;
            read_row_group(group, groups);
        }
    }
    if (!well_formed || schema.empty() || !num_rows) {
        return fail(Error::poison("the Parquet footer of " + std::string(key) +
                                  " cannot be decoded (not Parquet, or cut short)"));
    }
    ParquetFooter out;
    out.rows = *num_rows;
    out.compression = groups.first_codec ? codec_name(*groups.first_codec) : "none";
    const SchemaElement* ts = top_level_columns(schema, out.columns);
    if (out.columns.size() != static_cast<size_t>(std::max(0, schema[0].num_children))) {
        return fail(Error::poison("the Parquet schema of " + std::string(key) + " is inconsistent"));
    }
    if (ts != nullptr && !groups.ts_ranges.empty()) {
        set_ts_range(groups.ts_ranges, *ts, out);
    }
    return out;
}

} // namespace ticklake
