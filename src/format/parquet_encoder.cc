#include "format/parquet_encoder.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <climits>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <zstd.h>

#include "common/varint.h"
#include "format/buffered_file.h"
#include "parquet/thrift_compact.h"

#ifndef TICKLAKE_VERSION
#define TICKLAKE_VERSION "0"
#endif

namespace ticklake {

namespace {

static_assert(std::endian::native == std::endian::little, "PLAIN values are copied as they lie in memory");

using parquet::ThriftType;
using parquet::ThriftValue;

// parquet.thrift's numbers, for what this file writes.
namespace pq {
constexpr int32_t kBoolean = 0, kInt32 = 1, kInt64 = 2, kDouble = 5, kByteArray = 6; // Type
constexpr int32_t kRequired = 0, kOptional = 1;                                     // FieldRepetitionType
constexpr int32_t kPlain = 0, kPlainDictionary = 2, kRle = 3;                       // Encoding
constexpr int32_t kZstd = 6;                                                        // CompressionCodec
constexpr int32_t kDataPage = 0, kDictionaryPage = 2;                               // PageType
constexpr int32_t kUtf8 = 0, kDate = 6;                                             // ConvertedType
} // namespace pq

// A page's values are cut near this many bytes before compression, as parquet-mr and DuckDB
// cut theirs: smaller pages compress worse, larger ones cost readers memory.
constexpr size_t kPageBytes = 1 << 20;
// A column chunk tries a dictionary on its first values and stops hashing when more than half
// of the first kDictionaryProbe differ (ids, event times: nearly every value is new).
constexpr size_t kDictionaryProbe = 1024;
// ... and gives up when the dictionary's values pass this size: its page would not pay.
constexpr size_t kMaxDictionaryBytes = 1 << 20;
// String statistics longer than this are left out: they swell the footer and prune little.
constexpr size_t kMaxStatBytes = 256;

// --- Thrift values, built field by field in id order (the compact protocol writes id deltas).

void put(ThriftValue& s, int id, ThriftValue v) { s.fields.push_back({static_cast<int16_t>(id), std::move(v)}); }
ThriftValue t_bool(bool b) { return ThriftValue::scalar(b ? ThriftType::bool_true : ThriftType::bool_false, 0); }
//! A struct with one field holding an empty struct: how Thrift unions name a member.
ThriftValue t_union(int member, ThriftValue value = ThriftValue{}) {
    ThriftValue u;
    put(u, member, std::move(value));
    return u;
}

int32_t physical_type(ColumnType t) {
    switch (t) {
    case ColumnType::boolean: return pq::kBoolean;
    case ColumnType::bigint:
    case ColumnType::timestamp_us: return pq::kInt64;
    case ColumnType::date: return pq::kInt32;
    case ColumnType::float64: return pq::kDouble;
    default: return pq::kByteArray; // varchar, blob
    }
}

ThriftValue schema_element(const Column& c, std::optional<int> field_id) {
    ThriftValue e;
    put(e, 1, ThriftValue::i32(physical_type(c.type)));
    put(e, 3, ThriftValue::i32(pq::kOptional));
    put(e, 4, ThriftValue::bytes(c.name));
    if (c.type == ColumnType::varchar) {
        put(e, 6, ThriftValue::i32(pq::kUtf8));
    } else if (c.type == ColumnType::date) {
        put(e, 6, ThriftValue::i32(pq::kDate));
    }
    if (field_id) {
        put(e, 9, ThriftValue::i32(*field_id));
    }
    if (c.type == ColumnType::varchar) {
        put(e, 10, t_union(1)); // LogicalType.STRING
    } else if (c.type == ColumnType::date) {
        put(e, 10, t_union(6)); // LogicalType.DATE
    } else if (c.type == ColumnType::timestamp_us) {
        // TIMESTAMP(isAdjustedToUTC = false, MICROS), as DuckDB writes its TIMESTAMP: the value is
        // UTC by ticklake's convention, not by the type's (docs/storage.md).
        ThriftValue ts;
        put(ts, 1, t_bool(false));
        put(ts, 2, t_union(2)); // TimeUnit.MICROS
        put(e, 10, t_union(8, std::move(ts)));
    }
    return e;
}

// --- The RLE / bit-packed hybrid of definition levels and dictionary indexes.

void put_rle_run(std::string& out, uint32_t value, size_t count, int bit_width) {
    varint::append(out, static_cast<uint64_t>(count) << 1);
    for (int b = 0; b < (bit_width + 7) / 8; ++b) {
        out.push_back(static_cast<char>(value >> (8 * b)));
    }
}

// Bit-packs v[0..n) as whole groups of eight, the last group padded with zeros (readers stop at
// the page's value count).
template <class T>
void put_bit_packed(std::string& out, const T* v, size_t n, int bit_width) {
    const size_t groups = (n + 7) / 8;
    varint::append(out, (static_cast<uint64_t>(groups) << 1) | 1);
    const size_t start = out.size();
    out.resize(start + groups * static_cast<size_t>(bit_width));
    auto* p = reinterpret_cast<uint8_t*>(out.data() + start);
    uint64_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < groups * 8; ++i) {
        acc |= static_cast<uint64_t>(i < n ? v[i] : 0) << bits;
        bits += bit_width;
        while (bits >= 8) {
            *p++ = static_cast<uint8_t>(acc);
            acc >>= 8;
            bits -= 8;
        }
    }
}

// Runs of eight or more equal values become RLE runs; the rest is bit-packed. A bit-packed run
// holds whole groups of eight, so it borrows the first values of the run that ends it.
template <class T>
void put_hybrid(std::string& out, const T* v, size_t n, int bit_width) {
    size_t literal = 0; // start of the values not yet written
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && v[j] == v[i]) {
            ++j;
        }
        if (j - i >= 8) {
            const size_t pad = (8 - (i - literal) % 8) % 8;
            if (j - i - pad >= 8) {
                if (i + pad > literal) {
                    put_bit_packed(out, v + literal, i + pad - literal, bit_width);
                }
                put_rle_run(out, static_cast<uint32_t>(v[i]), j - i - pad, bit_width);
                literal = j;
            }
        }
        i = j;
    }
    if (literal < n) {
        put_bit_packed(out, v + literal, n - literal, bit_width);
    }
}

// --- Values by physical type: what PLAIN writes, how statistics order them, how they hash.

template <class T>
void put_plain(std::string& out, const T* v, size_t n) {
    out.append(reinterpret_cast<const char*>(v), n * sizeof(T));
}
void put_plain(std::string& out, const std::string_view* v, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        const auto len = static_cast<uint32_t>(v[i].size());
        out.append(reinterpret_cast<const char*>(&len), 4);
        out.append(v[i]);
    }
}
// Booleans (held as 0/1 bytes): one bit each, the first in the lowest.
void put_plain(std::string& out, const uint8_t* v, size_t n) {
    const size_t start = out.size();
    out.resize(start + (n + 7) / 8, '\0');
    auto* p = reinterpret_cast<uint8_t*>(out.data() + start);
    for (size_t i = 0; i < n; ++i) {
        p[i / 8] |= static_cast<uint8_t>(v[i] << (i % 8));
    }
}

size_t plain_size(int64_t) { return 8; }
size_t plain_size(int32_t) { return 4; }
size_t plain_size(double) { return 8; }
size_t plain_size(std::string_view s) { return 4 + s.size(); }

uint64_t hash_of(int64_t v) { return static_cast<uint64_t>(v) * 0x9E3779B97F4A7C15ull; }
uint64_t hash_of(int32_t v) { return hash_of(static_cast<int64_t>(v)); }
uint64_t hash_of(double v) { return hash_of(std::bit_cast<int64_t>(v)); }
uint64_t hash_of(std::string_view s) { return std::hash<std::string_view>{}(s) * 0x9E3779B97F4A7C15ull; }

// Dictionary entries are equal by their bytes: -0.0 and 0.0 stay apart, a NaN finds itself.
bool same(int64_t a, int64_t b) { return a == b; }
bool same(int32_t a, int32_t b) { return a == b; }
bool same(double a, double b) { return std::bit_cast<int64_t>(a) == std::bit_cast<int64_t>(b); }
bool same(std::string_view a, std::string_view b) { return a == b; }

std::string stat_bytes(int64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); }
std::string stat_bytes(int32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }
std::string stat_bytes(double v) { return std::string(reinterpret_cast<const char*>(&v), 8); }
std::string stat_bytes(uint8_t v) { return std::string(1, static_cast<char>(v)); }

struct MinMax {
    bool present = false;
    std::string min, max;
};

template <class T>
MinMax min_max(const std::vector<T>& v) {
    MinMax m;
    if (v.empty()) {
        return m;
    }
    auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    m.present = true;
    m.min = stat_bytes(*lo);
    m.max = stat_bytes(*hi);
    return m;
}

MinMax min_max(const std::vector<std::string_view>& v) {
    if (v.empty()) {
        return {};
    }
    std::string_view lo = v[0], hi = v[0];
    for (std::string_view x : v) {
        lo = x < lo ? x : lo; // unsigned bytes: std::string_view's order, the format's for strings
        hi = hi < x ? x : hi;
    }
    if (lo.size() > kMaxStatBytes || hi.size() > kMaxStatBytes) {
        return {};
    }
    return MinMax{true, std::string(lo), std::string(hi)};
}

// NaN has no place in an order, so it is left out (as the format asks); a zero bound is
// written as -0.0 when it is the minimum and +0.0 when the maximum, so both zeros fall inside.
MinMax min_max(const std::vector<double>& v) {
    MinMax m;
    double lo = 0, hi = 0;
    for (double d : v) {
        if (std::isnan(d)) {
            continue;
        }
        if (!m.present) {
            lo = hi = d;
            m.present = true;
        }
        lo = std::min(lo, d);
        hi = std::max(hi, d);
    }
    if (m.present) {
        m.min = stat_bytes(lo == 0 ? -0.0 : lo);
        m.max = stat_bytes(hi == 0 ? 0.0 : hi);
    }
    return m;
}

MinMax min_max(const std::vector<uint8_t>& v) { // booleans, false < true
    MinMax m;
    if (!v.empty()) {
        const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
        m = MinMax{true, stat_bytes(*lo), stat_bytes(*hi)};
    }
    return m;
}

ThriftValue statistics(const MinMax& m, size_t nulls, bool signed_order) {
    ThriftValue s;
    if (m.present && signed_order) {
        // The deprecated pair, for readers older than min_value, defined in signed order: not
        // for byte strings, which order unsigned (an old reader would skip what it must read).
        put(s, 1, ThriftValue::bytes(m.max));
        put(s, 2, ThriftValue::bytes(m.min));
    }
    put(s, 3, ThriftValue::i64(static_cast<int64_t>(nulls)));
    if (m.present) {
        put(s, 5, ThriftValue::bytes(m.max));
        put(s, 6, ThriftValue::bytes(m.min));
    }
    return s;
}

// Open addressing over dictionary indexes (+1; 0 is an empty slot), grown at half full.
class DictionaryTable {
public:
    void reset() {
        slots_.assign(1024, 0);
        shift_ = 64 - 10;
    }
    template <class T>
    uint32_t find_or_add(const T& value, std::vector<T>& entries) {
        for (size_t s = hash_of(value) >> shift_;; s = (s + 1) & (slots_.size() - 1)) {
            const uint32_t slot = slots_[s];
            if (slot == 0) {
                entries.push_back(value);
                slots_[s] = static_cast<uint32_t>(entries.size());
                if (entries.size() * 2 > slots_.size()) {
                    grow(entries);
                }
                return static_cast<uint32_t>(entries.size() - 1);
            }
            if (same(entries[slot - 1], value)) {
                return slot - 1;
            }
        }
    }

private:
    template <class T>
    void grow(const std::vector<T>& entries) {
        slots_.assign(slots_.size() * 2, 0);
        --shift_;
        for (size_t k = 0; k < entries.size(); ++k) {
            size_t s = hash_of(entries[k]) >> shift_;
            while (slots_[s] != 0) {
                s = (s + 1) & (slots_.size() - 1);
            }
            slots_[s] = static_cast<uint32_t>(k + 1);
        }
    }

    std::vector<uint32_t> slots_;
    int shift_ = 54;
};

//! Where a column chunk's pages went and what they add up to.
struct ChunkPlacement {
    int64_t dictionary_offset = -1;
    int64_t data_offset = 0;
    int64_t compressed = 0;   //!< page headers and compressed bodies
    int64_t uncompressed = 0; //!< page headers and bodies before compression
};

} // namespace

struct ParquetEncoder::State {
    ZSTD_CCtx* zstd = nullptr;
    BufferedFile file;
    uint64_t offset = 0; //!< bytes of the file so far
    std::filesystem::path path;

    // Scratch of one column chunk, kept from chunk to chunk and file to file.
    std::vector<uint8_t> defined; //!< per row: 1 when the value is present
    std::vector<int64_t> i64;
    std::vector<int32_t> i32;
    std::vector<double> f64;
    std::vector<std::string_view> text;
    std::vector<uint8_t> bits; //!< booleans
    std::vector<int64_t> dict_i64;
    std::vector<int32_t> dict_i32;
    std::vector<double> dict_f64;
    std::vector<std::string_view> dict_text;
    std::vector<uint32_t> indexes;
    DictionaryTable table;
    std::string body, compressed;

    State() : zstd(ZSTD_createCCtx()) {}
    ~State() { ZSTD_freeCCtx(zstd); }

    Status emit(std::string_view bytes) {
        file.buffer().append(bytes);
        offset += bytes.size();
        return file.maybe_flush();
    }

    // Compresses `body` and writes it after its page header.
    Status write_page(int32_t page_type, size_t values, int32_t encoding, int level, ChunkPlacement& chunk) {
        if (body.size() > static_cast<size_t>(INT32_MAX)) { // page sizes are i32 in the format
            return fail(Error::invalid("cannot write '" + path.string() +
                                       "': a Parquet page would exceed 2 GiB (a value of that size?)"));
        }
        if (const size_t bound = ZSTD_compressBound(body.size()); compressed.size() < bound) {
            compressed.resize(bound); // grown, never shrunk: a resize zero-fills what it adds
        }
        const size_t n = ZSTD_compressCCtx(zstd, compressed.data(), compressed.size(), body.data(), body.size(), level);
        if (ZSTD_isError(n) || n > static_cast<size_t>(INT32_MAX)) {
            return fail(Error::fatal("cannot compress a Parquet page of '" + path.string() +
                                     "': " + (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "over 2 GiB")));
        }
        ThriftValue h;
        put(h, 1, ThriftValue::i32(page_type));
        put(h, 2, ThriftValue::i32(static_cast<int32_t>(body.size())));
        put(h, 3, ThriftValue::i32(static_cast<int32_t>(n)));
        ThriftValue detail;
        put(detail, 1, ThriftValue::i32(static_cast<int32_t>(values)));
        put(detail, 2, ThriftValue::i32(encoding));
        if (page_type == pq::kDataPage) {
            put(detail, 3, ThriftValue::i32(pq::kRle)); // definition levels
            put(detail, 4, ThriftValue::i32(pq::kRle)); // repetition levels (none: flat columns)
            put(h, 5, std::move(detail));
        } else {
            put(h, 7, std::move(detail));
        }
        const std::string header = parquet::encode_thrift_struct(h);
        chunk.compressed += static_cast<int64_t>(header.size() + n);
        chunk.uncompressed += static_cast<int64_t>(header.size() + body.size());
        if (auto s = emit(header); !s) {
            return s;
        }
        return emit(std::string_view(compressed.data(), n));
    }

    // Gathers column c's values of rows[0..n) (non-null ones, in order) and their presence.
    template <class T, class Get>
    size_t gather(const Column& c, const uint32_t* rows, size_t n, std::vector<T>& out, Get get) {
        out.resize(n);
        defined.resize(n);
        // Raw pointers: a store through uint8_t* may alias anything, so through the vectors the
        // compiler reloaded their bounds after every row (41.7 -> 33.4 ms for the quotes of
        // bench/parquet_write_bench).
        T* dst = out.data();
        uint8_t* def = defined.data();
        const uint8_t* valid = c.valid.data();
        size_t k = 0;
        for (size_t i = 0; i < n; ++i) {
            const uint32_t r = rows[i];
            const uint8_t present = valid[r] != 0 ? 1 : 0;
            def[i] = present;
            if (present != 0) {
                dst[k++] = get(r);
            }
        }
        out.resize(k);
        return n - k;
    }

    // Dictionary indexes for values, or false when a dictionary would not pay (see kDictionaryProbe).
    template <class T>
    bool build_dictionary(const std::vector<T>& values, std::vector<T>& entries) {
        entries.clear();
        if (values.empty()) { // all NULL: no values to index
            return false;
        }
        indexes.resize(values.size());
        table.reset();
        size_t bytes = 0;
        for (size_t i = 0; i < values.size(); ++i) {
            if (i == kDictionaryProbe && entries.size() * 2 > kDictionaryProbe) {
                return false;
            }
            if (i > 0 && same(values[i], values[i - 1])) { // sorted by symbol: runs are common
                indexes[i] = indexes[i - 1];
                continue;
            }
            const size_t before = entries.size();
            indexes[i] = table.find_or_add(values[i], entries);
            if (entries.size() != before) {
                bytes += plain_size(values[i]);
                if (bytes > kMaxDictionaryBytes) {
                    return false;
                }
            }
        }
        return entries.size() * 2 <= values.size();
    }

    // Definition levels of rows [begin, end) of the chunk, with their 4-byte length, onto body.
    void put_levels(size_t begin, size_t end, bool any_null) {
        const size_t at = body.size();
        body.append(4, '\0');
        if (any_null) {
            put_hybrid(body, defined.data() + begin, end - begin, 1);
        } else {
            put_rle_run(body, 1, end - begin, 1);
        }
        const auto len = static_cast<uint32_t>(body.size() - at - 4);
        std::memcpy(body.data() + at, &len, 4);
    }

    // Writes one column chunk of values (the non-null ones of `rows` rows) as pages; `stats`
    // gets their min and max.
    template <class T>
    Status write_chunk(const std::vector<T>& values, std::vector<T>* dictionary, size_t rows, size_t nulls,
                       int level, ChunkPlacement& chunk, bool& used_dictionary, MinMax& stats) {
        chunk = ChunkPlacement{};
        used_dictionary = false;
        int bit_width = 0;
        size_t value_bytes = 0;
        if constexpr (!std::is_same_v<T, uint8_t>) { // booleans: one bit each already
            used_dictionary = build_dictionary(values, *dictionary);
            if (used_dictionary) {
                body.clear();
                put_plain(body, dictionary->data(), dictionary->size());
                chunk.dictionary_offset = static_cast<int64_t>(offset);
                if (auto s = write_page(pq::kDictionaryPage, dictionary->size(), pq::kPlainDictionary, level, chunk);
                    !s) {
                    return s;
                }
                bit_width = std::max(1, static_cast<int>(std::bit_width(dictionary->size() - 1)));
                value_bytes = (values.size() * static_cast<size_t>(bit_width) + 7) / 8;
            }
        }
        // A dictionary holds each value once: its bounds are the values' bounds, found in fewer steps.
        if constexpr (!std::is_same_v<T, uint8_t>) {
            stats = min_max(used_dictionary ? *dictionary : values);
        } else {
            stats = min_max(values);
        }
        if (!used_dictionary) {
            if constexpr (std::is_same_v<T, std::string_view>) {
                for (const auto& v : values) {
                    value_bytes += plain_size(v);
                }
            } else {
                value_bytes = values.size() * sizeof(T);
            }
        }
        chunk.data_offset = static_cast<int64_t>(offset);
        // Rows per page, so each page's values come near kPageBytes: by the average for values of
        // one width, by the bytes themselves for PLAIN strings (a few long ones must not make
        // a page of gigabytes).
        const size_t per_row = std::max<size_t>(1, value_bytes / std::max<size_t>(1, rows));
        const size_t page_rows = std::max<size_t>(1, kPageBytes / per_row);
        size_t value = 0;
        for (size_t row = 0, end = 0; row < rows; row = end) {
            end = std::min(rows, row + page_rows);
            if constexpr (std::is_same_v<T, std::string_view>) {
                if (!used_dictionary) {
                    size_t bytes = 0;
                    size_t v = value;
                    for (end = row; end < rows && (end == row || bytes < kPageBytes); ++end) {
                        bytes += defined[end] != 0 ? plain_size(values[v++]) : 0;
                    }
                }
            }
            size_t present = end - row;
            if (nulls > 0) {
                present = static_cast<size_t>(std::count(defined.begin() + row, defined.begin() + end, 1));
            }
            body.clear();
            put_levels(row, end, nulls > 0);
            if (used_dictionary) {
                body.push_back(static_cast<char>(bit_width));
                put_hybrid(body, indexes.data() + value, present, bit_width);
            } else {
                put_plain(body, values.data() + value, present);
            }
            if (auto s = write_page(pq::kDataPage, end - row, used_dictionary ? pq::kPlainDictionary : pq::kPlain,
                                    level, chunk);
                !s) {
                return s;
            }
            value += present;
        }
        return {};
    }
    // Writes column c's chunk of rows[0..n) and returns its ColumnChunk for the footer.
    Result<ThriftValue> column_chunk(const Column& c, const uint32_t* rows, size_t n, int level,
                                     ChunkPlacement& chunk) {
        bool dictionary = false;
        size_t nulls = 0;
        MinMax stats;
        Status st;
        switch (c.type) {
        case ColumnType::bigint:
        case ColumnType::timestamp_us:
            nulls = gather(c, rows, n, i64, [&](uint32_t r) { return c.ints[r]; });
            st = write_chunk(i64, &dict_i64, n, nulls, level, chunk, dictionary, stats);
            break;
        case ColumnType::date:
            nulls = gather(c, rows, n, i32, [&](uint32_t r) { return static_cast<int32_t>(c.ints[r]); });
            st = write_chunk(i32, &dict_i32, n, nulls, level, chunk, dictionary, stats);
            break;
        case ColumnType::float64:
            nulls = gather(c, rows, n, f64, [&](uint32_t r) { return c.doubles[r]; });
            st = write_chunk(f64, &dict_f64, n, nulls, level, chunk, dictionary, stats);
            break;
        case ColumnType::boolean:
            nulls = gather(c, rows, n, bits, [&](uint32_t r) { return static_cast<uint8_t>(c.ints[r] != 0); });
            st = write_chunk(bits, static_cast<std::vector<uint8_t>*>(nullptr), n, nulls, level, chunk,
                             dictionary, stats);
            break;
        default: // varchar, blob (decimal and nested never come here: parquet_encoder_supports)
            nulls = gather(c, rows, n, text, [&](uint32_t r) { return c.strings[r]; });
            st = write_chunk(text, &dict_text, n, nulls, level, chunk, dictionary, stats);
            break;
        }
        if (!st) {
            return fail(st.error());
        }
        ThriftValue meta;
        put(meta, 1, ThriftValue::i32(physical_type(c.type)));
        const int32_t value_encoding = dictionary ? pq::kPlainDictionary : pq::kPlain;
        put(meta, 2, ThriftValue::list(ThriftType::i32, {ThriftValue::i32(value_encoding), ThriftValue::i32(pq::kRle)}));
        put(meta, 3, ThriftValue::list(ThriftType::binary, {ThriftValue::bytes(c.name)}));
        put(meta, 4, ThriftValue::i32(pq::kZstd));
        put(meta, 5, ThriftValue::i64(static_cast<int64_t>(n)));
        put(meta, 6, ThriftValue::i64(chunk.uncompressed));
        put(meta, 7, ThriftValue::i64(chunk.compressed));
        put(meta, 9, ThriftValue::i64(chunk.data_offset));
        if (dictionary) {
            put(meta, 11, ThriftValue::i64(chunk.dictionary_offset));
        }
        put(meta, 12, statistics(stats, nulls, physical_type(c.type) != pq::kByteArray));
        ThriftValue out; // ColumnChunk
        put(out, 2, ThriftValue::i64(0)); // deprecated: writers set 0, as DuckDB does
        put(out, 3, std::move(meta));
        return out;
    }
};

bool parquet_encoder_supports(const ColumnBatch& batch) {
    return std::none_of(batch.columns.begin(), batch.columns.end(), [](const Column& c) {
        return c.type == ColumnType::decimal || c.type == ColumnType::nested;
    });
}

// The file's FileMetaData: its schema (a root and the columns), the row groups, column orders.
std::string file_footer(const ColumnBatch& batch, size_t rows, std::vector<ThriftValue> row_groups, bool with_ids,
                        std::span<const int> field_ids) {
    std::vector<ThriftValue> schema;
    ThriftValue root;
    put(root, 3, ThriftValue::i32(pq::kRequired));
    put(root, 4, ThriftValue::bytes("schema"));
    put(root, 5, ThriftValue::i32(static_cast<int32_t>(batch.columns.size())));
    schema.push_back(std::move(root));
    std::vector<ThriftValue> column_orders;
    for (size_t i = 0; i < batch.columns.size(); ++i) {
        std::optional<int> id;
        if (with_ids) { // as DuckDB's FIELD_IDS: the id given, else the position from 1
            id = i < field_ids.size() ? field_ids[i] : static_cast<int>(i) + 1;
        }
        schema.push_back(schema_element(batch.columns[i], id));
        column_orders.push_back(t_union(1)); // TYPE_ORDER: min/max follow the logical type's order
    }
    ThriftValue footer;
    put(footer, 1, ThriftValue::i32(1));
    put(footer, 2, ThriftValue::list(ThriftType::structure, std::move(schema)));
    put(footer, 3, ThriftValue::i64(static_cast<int64_t>(rows)));
    put(footer, 4, ThriftValue::list(ThriftType::structure, std::move(row_groups)));
    // "<app> version <semver>", which parquet-mr parses before it trusts string statistics.
    put(footer, 6, ThriftValue::bytes("ticklake version " TICKLAKE_VERSION));
    put(footer, 7, ThriftValue::list(ThriftType::structure, std::move(column_orders)));
    return parquet::encode_thrift_struct(footer);
}

ParquetEncoder::ParquetEncoder(const WriterOptions& options) : options_(options), state_(std::make_unique<State>()) {}

ParquetEncoder::~ParquetEncoder() = default;

Status ParquetEncoder::write(const ColumnBatch& batch, std::span<const uint32_t> order,
                             const std::filesystem::path& path, std::span<const int> field_ids) {
    State& s = *state_;
    if (s.zstd == nullptr) {
        return fail(Error::fatal("cannot start zstd to write Parquet: out of memory"));
    }
    s.path = path;
    s.offset = 0;
    if (auto opened = s.file.open(path); !opened) {
        return opened;
    }
    if (auto st = s.emit("PAR1"); !st) {
        return st;
    }
    const int level = options_.zstd_level;
    const size_t group_rows = std::max<size_t>(1, options_.row_group_rows);
    std::vector<ThriftValue> row_groups;
    for (size_t first = 0; first < order.size(); first += group_rows) {
        const size_t n = std::min(group_rows, order.size() - first);
        const uint32_t* rows = order.data() + first;
        ThriftValue columns = ThriftValue::list(ThriftType::structure, {});
        int64_t group_compressed = 0;
        int64_t group_uncompressed = 0;
        int64_t group_start = static_cast<int64_t>(s.offset);
        for (const Column& c : batch.columns) {
            ChunkPlacement chunk;
            auto column_chunk = s.column_chunk(c, rows, n, level, chunk);
            if (!column_chunk) {
                return fail(column_chunk.error());
            }
            columns.elements.push_back(std::move(*column_chunk));
            group_compressed += chunk.compressed;
            group_uncompressed += chunk.uncompressed;
        }
        ThriftValue group;
        put(group, 1, std::move(columns));
        put(group, 2, ThriftValue::i64(group_uncompressed));
        put(group, 3, ThriftValue::i64(static_cast<int64_t>(n)));
        put(group, 5, ThriftValue::i64(group_start));
        put(group, 6, ThriftValue::i64(group_compressed));
        if (row_groups.size() <= INT16_MAX) { // an i16: beyond it, left out (only encryption needs it)
            put(group, 7, ThriftValue::scalar(ThriftType::i16, static_cast<int64_t>(row_groups.size())));
        }
        row_groups.push_back(std::move(group));
    }

    const std::string encoded = file_footer(batch, order.size(), std::move(row_groups), options_.field_ids, field_ids);
    const auto footer_len = static_cast<uint32_t>(encoded.size());
    if (auto st = s.emit(encoded); !st) {
        return st;
    }
    if (auto st = s.emit(std::string_view(reinterpret_cast<const char*>(&footer_len), 4)); !st) {
        return st;
    }
    if (auto st = s.emit("PAR1"); !st) {
        return st;
    }
    return s.file.close();
}

} // namespace ticklake
