#include "crawler/parquet_metadata.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

namespace ticklake {

namespace {

// Thrift compact protocol (the encoding of every Parquet footer): field headers carry an id
// delta and a type in one byte, integers are zigzag varints, strings are length-prefixed.
enum CompactType : int {
    kBoolTrue = 1, kBoolFalse = 2, kByte = 3, kI16 = 4, kI32 = 5, kI64 = 6,
    kDouble = 7, kBinary = 8, kList = 9, kSet = 10, kMap = 11, kStruct = 12,
};

class CompactReader {
public:
    explicit CompactReader(std::string_view data)
        : p_(reinterpret_cast<const uint8_t*>(data.data())), end_(p_ + data.size()) {}

    bool ok() const { return ok_; }
    void fail() { ok_ = false; p_ = end_; }

    uint8_t byte() {
        if (p_ >= end_) {
            fail();
            return 0;
        }
        return *p_++;
    }
    uint64_t varint() {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            const uint8_t b = byte();
            v |= static_cast<uint64_t>(b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        fail();
        return 0;
    }
    int64_t zigzag() {
        const uint64_t v = varint();
        return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
    }
    std::string_view binary() {
        const uint64_t n = varint();
        if (n > static_cast<uint64_t>(end_ - p_)) {
            fail();
            return {};
        }
        std::string_view s(reinterpret_cast<const char*>(p_), n);
        p_ += n;
        return s;
    }
    int64_t integer(int type) {
        if (type == kByte) {
            return static_cast<int8_t>(byte());
        }
        if (type == kI16 || type == kI32 || type == kI64) {
            return zigzag();
        }
        skip(type);
        return 0;
    }

    //! Calls f(field id, type) for each field of a struct; f consumes the value (or skips it).
    void fields(const std::function<void(int, int)>& f) {
        int last = 0;
        while (ok_) {
            const uint8_t header = byte();
            if (header == 0) {
                return; // STOP
            }
            const int type = header & 0x0F;
            const int delta = header >> 4;
            // Thrift field ids are i16: a delta past the last id, or an explicit id, outside
            // that range is a corrupt footer (found by parquet_footer_fuzz: INT_MAX + 3).
            const int64_t wide = delta != 0 ? int64_t{last} + delta : zigzag();
            if (wide < INT16_MIN || wide > INT16_MAX) {
                fail();
                return;
            }
            const int id = static_cast<int>(wide);
            last = id;
            f(id, type);
        }
    }
    //! Calls f(element type) for each element of a list or set.
    void elements(const std::function<void(int)>& f) {
        const uint8_t header = byte();
        uint64_t n = header >> 4;
        const int type = header & 0x0F;
        if (n == 15) {
            n = varint();
        }
        if (n > static_cast<uint64_t>(end_ - p_) + 1) { // every element takes at least a byte
            fail();
            return;
        }
        for (uint64_t i = 0; i < n && ok_; ++i) {
            f(type);
        }
    }
    void skip(int type, int depth = 0) {
        if (depth > 64) {
            fail();
            return;
        }
        switch (type) {
        case kBoolTrue:
        case kBoolFalse: return; // a field's value is in its header
        case kByte: byte(); return;
        case kI16:
        case kI32:
        case kI64: varint(); return;
        case kDouble:
            for (int i = 0; i < 8; ++i) {
                byte();
            }
            return;
        case kBinary: binary(); return;
        case kList:
        case kSet: elements([&](int t) { skip_element(t, depth + 1); }); return;
        case kMap: {
            const uint64_t n = varint();
            if (n == 0) {
                return;
            }
            const uint8_t kv = byte();
            // Every entry takes at least two bytes: a count beyond that is a lie, and looping
            // over it (booleans consume nothing as fields) would never end.
            if (n > static_cast<uint64_t>(end_ - p_) / 2) {
                fail();
                return;
            }
            for (uint64_t i = 0; i < n && ok_; ++i) {
                skip_element(kv >> 4, depth + 1);
                skip_element(kv & 0x0F, depth + 1);
            }
            return;
        }
        case kStruct: fields([&](int, int t) { skip(t, depth + 1); }); return;
        default: fail();
        }
    }

private:
    //! A list, set or map element: unlike a field, a boolean element is a byte of its own.
    void skip_element(int type, int depth) {
        if (type == kBoolTrue || type == kBoolFalse) {
            byte();
        } else {
            skip(type, depth);
        }
    }

    const uint8_t* p_;
    const uint8_t* end_;
    bool ok_ = true;
};

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

TimeUnit read_time_unit(CompactReader& r) {
    TimeUnit unit = TimeUnit::none;
    r.fields([&](int id, int type) {
        if (id == 1) {
            unit = TimeUnit::millis;
        } else if (id == 2) {
            unit = TimeUnit::micros;
        } else if (id == 3) {
            unit = TimeUnit::nanos;
        }
        r.skip(type); // each member is an empty struct
    });
    return unit;
}

void read_logical_type(CompactReader& r, SchemaElement& e) {
    r.fields([&](int id, int type) {
        e.logical = id;
        if (type != kStruct) {
            r.skip(type);
            return;
        }
        r.fields([&](int fid, int ftype) {
            if (id == 5 && (fid == 1 || fid == 2)) { // DECIMAL scale, precision
                (fid == 1 ? e.scale : e.precision) = static_cast<int>(r.integer(ftype));
            } else if ((id == 7 || id == 8) && fid == 1) { // TIME/TIMESTAMP isAdjustedToUTC
                e.utc = ftype == kBoolTrue;
            } else if ((id == 7 || id == 8) && fid == 2 && ftype == kStruct) {
                e.unit = read_time_unit(r);
            } else if (id == 10 && fid == 1) { // INTEGER bitWidth
                e.bit_width = static_cast<int>(r.integer(ftype));
            } else if (id == 10 && fid == 2) {
                e.is_signed = ftype == kBoolTrue;
            } else {
                r.skip(ftype);
            }
        });
    });
}

SchemaElement read_schema_element(CompactReader& r) {
    SchemaElement e;
    r.fields([&](int id, int type) {
        switch (id) {
        case 1: e.type = static_cast<int>(r.integer(type)); break;
        case 3: e.repetition = static_cast<int>(r.integer(type)); break;
        case 4: e.name = std::string(r.binary()); break;
        case 5: e.num_children = static_cast<int>(r.integer(type)); break;
        case 6: e.converted = static_cast<int>(r.integer(type)); break;
        case 7: e.scale = static_cast<int>(r.integer(type)); break;
        case 8: e.precision = static_cast<int>(r.integer(type)); break;
        case 10:
            if (type == kStruct) {
                read_logical_type(r, e);
            } else {
                r.skip(type);
            }
            break;
        default: r.skip(type);
        }
    });
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

StatsRange read_statistics(CompactReader& r) {
    StatsRange range;
    std::optional<std::string> old_min, old_max;
    r.fields([&](int id, int type) {
        if (type != kBinary) {
            r.skip(type);
        } else if (id == 1) {
            old_max = std::string(r.binary());
        } else if (id == 2) {
            old_min = std::string(r.binary());
        } else if (id == 5) {
            range.max = std::string(r.binary());
        } else if (id == 6) {
            range.min = std::string(r.binary());
        } else {
            r.skip(type);
        }
    });
    // The deprecated min/max are signed-order for integers: fine for times.
    if (!range.min) {
        range.min = old_min;
    }
    if (!range.max) {
        range.max = old_max;
    }
    return range;
}

void read_column_metadata(CompactReader& r, RowGroupFacts& facts) {
    std::vector<std::string> path;
    StatsRange range;
    int64_t codec = -1;
    r.fields([&](int id, int type) {
        if (id == 3 && type == kList) {
            r.elements([&](int) { path.emplace_back(r.binary()); });
        } else if (id == 4) {
            codec = r.integer(type);
        } else if (id == 12 && type == kStruct) {
            range = read_statistics(r);
        } else {
            r.skip(type);
        }
    });
    if (!facts.first_codec && codec >= 0) {
        facts.first_codec = codec;
    }
    if (path.size() == 1 && path[0] == "ts") {
        facts.ts_ranges.push_back(range);
    }
}

// A RowGroup: its ColumnChunks (field 1), each with its ColumnMetaData (field 3).
void read_row_group(CompactReader& r, RowGroupFacts& facts) {
    r.fields([&](int id, int type) {
        if (id != 1 || type != kList) {
            r.skip(type);
            return;
        }
        r.elements([&](int) {
            r.fields([&](int cc_id, int cc_type) {
                if (cc_id != 3 || cc_type != kStruct) {
                    r.skip(cc_type);
                    return;
                }
                read_column_metadata(r, facts);
            });
        });
    });
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
    CompactReader r(footer);
    std::vector<SchemaElement> schema;
    std::optional<int64_t> num_rows;
    RowGroupFacts groups;
    r.fields([&](int id, int type) { // FileMetaData
        if (id == 2 && type == kList) {
            r.elements([&](int) { schema.push_back(read_schema_element(r)); });
        } else if (id == 3) {
            num_rows = r.integer(type);
        } else if (id == 4 && type == kList) {
            r.elements([&](int) { read_row_group(r, groups); });
        } else {
            r.skip(type);
        }
    });
    if (!r.ok() || schema.empty() || !num_rows) {
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
