#include "parquet/parquet_slice.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>

#include "common/timestamp.h"

namespace ticklake::parquet {

namespace {

// Field ids of parquet.thrift that the slicer reads or rewrites.
namespace fmd { constexpr int schema = 2, num_rows = 3, row_groups = 4, key_value = 5, column_orders = 7, encryption = 8; }
namespace se { constexpr int type = 1, repetition = 3, name = 4, num_children = 5, converted = 6, logical = 10; }
namespace rg { constexpr int columns = 1, total_byte_size = 2, num_rows = 3, sorting = 4, file_offset = 5,
                             total_compressed = 6, ordinal = 7; }
namespace cc { constexpr int file_path = 1, file_offset = 2, meta = 3, offset_index_offset = 4, offset_index_length = 5,
                             column_index_offset = 6, column_index_length = 7, crypto = 8, encrypted_meta = 9; }
namespace cmd { constexpr int path = 3, uncompressed = 6, compressed = 7, data_page = 9, index_page = 10,
                              dictionary_page = 11, statistics = 12, bloom_offset = 14, bloom_length = 15; }

int64_t int_of(const ThriftValue* v, int64_t fallback = 0) { return v != nullptr ? v->integer : fallback; }

// SQL names columns case-insensitively, as DuckDB does.
std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

// What a column's statistics can be compared with; `other` for anything not listed.
ColumnInfo column_info(const ThriftValue& element, bool type_ordered) {
    ColumnInfo c;
    c.name = element.field(se::name) ? element.field(se::name)->binary : "";
    const int64_t physical = int_of(element.field(se::type), -1);
    const int64_t converted = int_of(element.field(se::converted), -1);
    const ThriftValue* logical = element.field(se::logical);
    const int logical_id = logical != nullptr && !logical->fields.empty() ? logical->fields.front().id : 0;
    if (physical == 6 && (logical_id == 1 || (logical_id == 0 && converted == 0)) && type_ordered) {
        c.kind = StatsKind::text; // UTF-8 strings order as unsigned bytes under TYPE_ORDER
    } else if ((physical == 1 || physical == 2) && logical_id == 0 && (converted == -1 || (converted >= 15 && converted <= 18))) {
        c.kind = StatsKind::integer;
    } else if ((physical == 1 || physical == 2) && logical_id == 10) {
        const ThriftValue* is_signed = logical->fields.front().value.field(2);
        c.kind = is_signed != nullptr && is_signed->type == ThriftType::bool_true ? StatsKind::integer : StatsKind::other;
    } else if (physical == 1 && (logical_id == 6 || (logical_id == 0 && converted == 6))) {
        c.kind = StatsKind::time;
        c.micros_per_unit = kMicrosPerDay;
    } else if (physical == 2 && logical_id == 8) {
        const ThriftValue* unit = logical->fields.front().value.field(2);
        const int unit_id = unit != nullptr && !unit->fields.empty() ? unit->fields.front().id : 0;
        c.kind = unit_id == 0 ? StatsKind::other : StatsKind::time;
        c.micros_per_unit = unit_id == 1 ? 1000 : unit_id == 3 ? -1000 : 1;
    } else if (physical == 2 && logical_id == 0 && (converted == 9 || converted == 10)) {
        c.kind = StatsKind::time;
        c.micros_per_unit = converted == 9 ? 1000 : 1;
    }
    return c;
}

// Statistics usable for pruning: min_value/max_value; the deprecated min/max only for numbers,
// whose signed order those fields always had.
void read_stats(const ThriftValue* stats, StatsKind kind, ChunkInfo& chunk) {
    if (stats == nullptr || kind == StatsKind::other) {
        return;
    }
    const ThriftValue* max = stats->field(5);
    const ThriftValue* min = stats->field(6);
    if (kind != StatsKind::text) {
        max = max != nullptr ? max : stats->field(1);
        min = min != nullptr ? min : stats->field(2);
    }
    if (min != nullptr && max != nullptr && min->type == ThriftType::binary && max->type == ThriftType::binary) {
        chunk.min = min->binary;
        chunk.max = max->binary;
    }
}

// A chunk's first page: the dictionary page when there is one (some writers put 0 there for none).
Result<ByteRange> chunk_range(const ThriftValue& meta, uint64_t data_begin, uint64_t data_end) {
    const int64_t data = int_of(meta.field(cmd::data_page), -1);
    const int64_t dict = int_of(meta.field(cmd::dictionary_page), -1);
    const int64_t length = int_of(meta.field(cmd::compressed), -1);
    const int64_t start = dict > 0 && dict < data ? dict : data;
    if (start < static_cast<int64_t>(data_begin) || length < 0 ||
        static_cast<uint64_t>(start) + static_cast<uint64_t>(length) > data_end) {
        return fail(Error::poison("a column chunk lies outside the file's data"));
    }
    return ByteRange{static_cast<uint64_t>(start), static_cast<uint64_t>(length)};
}

// Whether the file's schema is flat: a root and primitive columns, none repeated.
std::string flat_schema_problem(const std::vector<ThriftValue>& schema) {
    if (schema.empty()) {
        return "no schema";
    }
    const int64_t n = int_of(schema[0].field(se::num_children), -1);
    if (n < 0 || static_cast<size_t>(n) + 1 != schema.size()) {
        return "nested columns";
    }
    for (size_t i = 1; i < schema.size(); ++i) {
        if (int_of(schema[i].field(se::num_children), 0) != 0 || int_of(schema[i].field(se::repetition), 0) == 2) {
            return "nested columns";
        }
    }
    return {};
}

Result<ChunkInfo> read_chunk(const ThriftValue& chunk, const ColumnInfo& column, uint64_t data_begin, uint64_t data_end,
                             std::string& unsupported) {
    if (chunk.field(cc::file_path) != nullptr) {
        unsupported = "column chunks in other files";
    }
    if (chunk.field(cc::crypto) != nullptr || chunk.field(cc::encrypted_meta) != nullptr) {
        unsupported = "encrypted columns";
    }
    const ThriftValue* meta = chunk.field(cc::meta);
    if (meta == nullptr) {
        unsupported = "a column chunk without metadata";
        return ChunkInfo{};
    }
    const ThriftValue* path = meta->field(cmd::path);
    if (path == nullptr || path->elements.size() != 1 || path->elements[0].binary != column.name) {
        unsupported = "column chunks out of schema order";
    }
    auto range = chunk_range(*meta, data_begin, data_end);
    if (!range) {
        return fail(range.error());
    }
    ChunkInfo out;
    out.range = *range;
    read_stats(meta->field(cmd::statistics), column.kind, out);
    return out;
}

// --- pruning -------------------------------------------------------------------------------

// A statistic or constant in one ordered domain: text as bytes, integers and times as int64.
struct Comparable {
    std::string text;
    int64_t number = 0;
};

std::optional<int64_t> little_endian(std::string_view bytes) {
    if (bytes.size() == 4) {
        int32_t v;
        std::memcpy(&v, bytes.data(), 4);
        return v;
    }
    if (bytes.size() == 8) {
        int64_t v;
        std::memcpy(&v, bytes.data(), 8);
        return v;
    }
    return std::nullopt;
}

// `round_up` for a maximum: nanoseconds truncated to microseconds must not shrink the range.
std::optional<Comparable> stat_value(const ColumnInfo& c, std::string_view raw, bool round_up) {
    if (c.kind == StatsKind::text) {
        return Comparable{std::string(raw), 0};
    }
    auto v = little_endian(raw);
    if (!v) {
        return std::nullopt;
    }
    if (c.kind == StatsKind::integer) {
        return Comparable{{}, *v};
    }
    if (c.micros_per_unit < 0) {
        const int64_t q = *v / 1000, r = *v % 1000;
        return Comparable{{}, q + (r > 0 && round_up ? 1 : 0) - (r < 0 && !round_up ? 1 : 0)};
    }
    int64_t us;
    if (__builtin_mul_overflow(*v, c.micros_per_unit, &us)) {
        return std::nullopt;
    }
    return Comparable{{}, us};
}

std::optional<Comparable> constant_value(const ColumnInfo& c, const ColumnCondition& cond, const std::string& text) {
    if (c.kind == StatsKind::text && cond.kind == StatsKind::text) {
        return Comparable{text, 0};
    }
    if (c.kind == StatsKind::integer && cond.kind == StatsKind::integer) {
        errno = 0;
        char* end = nullptr;
        const long long v = std::strtoll(text.c_str(), &end, 10);
        if (errno != 0 || end == text.c_str() || *end != '\0') {
            return std::nullopt;
        }
        return Comparable{{}, v};
    }
    if (c.kind == StatsKind::time && (cond.kind == StatsKind::time || cond.kind == StatsKind::text)) {
        // Only plain UTC text: an offset would be applied by some casts and ignored by others.
        if (text.size() < 10 || text.find_first_of("+Zz", 10) != std::string::npos ||
            text.find('-', 10) != std::string::npos) {
            return std::nullopt;
        }
        auto t = parse_iso8601(text);
        if (!t) {
            return std::nullopt;
        }
        return Comparable{{}, *t};
    }
    return std::nullopt;
}

int compare(const ColumnInfo& c, const Comparable& a, const Comparable& b) {
    if (c.kind == StatsKind::text) {
        return a.text.compare(b.text) < 0 ? -1 : (a.text == b.text ? 0 : 1);
    }
    return a.number < b.number ? -1 : (a.number == b.number ? 0 : 1);
}

// False only when [min, max] proves no value meets the condition.
bool may_match(const ColumnInfo& c, const ChunkInfo& chunk, const ColumnCondition& cond) {
    if (!chunk.min || !chunk.max) {
        return true;
    }
    auto lo = stat_value(c, *chunk.min, false);
    auto hi = stat_value(c, *chunk.max, true);
    if (!lo || !hi) {
        return true;
    }
    using Op = ColumnCondition::Op;
    auto one = [&](Op op, const std::string& text) {
        auto v = constant_value(c, cond, text);
        if (!v) {
            return true;
        }
        switch (op) {
        case Op::eq: return compare(c, *lo, *v) <= 0 && compare(c, *v, *hi) <= 0;
        case Op::lt: return compare(c, *lo, *v) < 0;
        case Op::le: return compare(c, *lo, *v) <= 0;
        case Op::gt: return compare(c, *hi, *v) > 0;
        case Op::ge: return compare(c, *hi, *v) >= 0;
        default: return true;
        }
    };
    if (cond.op == Op::in) {
        return std::any_of(cond.values.begin(), cond.values.end(), [&](const std::string& v) { return one(Op::eq, v); });
    }
    return cond.values.empty() || one(cond.op, cond.values[0]);
}

} // namespace

Result<uint32_t> metadata_length(std::string_view last8) {
    if (last8.size() != 8 || last8.substr(4) != "PAR1") {
        return fail(Error::poison("not a Parquet file (no PAR1 at its end)"));
    }
    uint32_t n;
    std::memcpy(&n, last8.data(), 4);
    return n;
}

Result<ParquetLayout> read_layout(std::string_view metadata, uint64_t file_size) {
    auto meta = decode_thrift_struct(metadata);
    if (!meta) {
        return fail(Error::poison("the Parquet footer cannot be decoded: " + meta.error().message));
    }
    if (file_size < 12 + metadata.size()) {
        return fail(Error::poison("the Parquet footer is longer than the file"));
    }
    ParquetLayout out;
    out.meta = std::move(*meta);
    const ThriftValue* schema = out.meta.field(fmd::schema);
    const ThriftValue* groups = out.meta.field(fmd::row_groups);
    if (schema == nullptr || schema->type != ThriftType::list) {
        return fail(Error::poison("the Parquet footer has no schema"));
    }
    if (out.meta.field(fmd::encryption) != nullptr) {
        out.unsupported = "an encrypted footer";
    }
    if (auto problem = flat_schema_problem(schema->elements); !problem.empty()) {
        out.unsupported = problem;
        return out;
    }
    // TYPE_ORDER (union member 1) per column: the order min_value/max_value follow. DuckDB (the
    // sink's writer) leaves column_orders out and writes byte-wise string statistics, which its
    // own reader prunes on; an order other than TYPE_ORDER is never trusted.
    const ThriftValue* orders = out.meta.field(fmd::column_orders);
    for (size_t i = 1; i < schema->elements.size(); ++i) {
        const bool ordered = orders == nullptr || (orders->elements.size() == schema->elements.size() - 1 &&
                                                   orders->elements[i - 1].field(1) != nullptr);
        out.columns.push_back(column_info(schema->elements[i], ordered));
    }
    const uint64_t data_end = file_size - 8 - metadata.size();
    for (const ThriftValue& group : groups != nullptr ? groups->elements : std::vector<ThriftValue>{}) {
        RowGroupInfo info;
        info.rows = int_of(group.field(rg::num_rows));
        const ThriftValue* chunks = group.field(rg::columns);
        if (chunks == nullptr || chunks->elements.size() != out.columns.size()) {
            return fail(Error::poison("a Parquet row group does not have one chunk per column"));
        }
        for (size_t c = 0; c < out.columns.size(); ++c) {
            auto chunk = read_chunk(chunks->elements[c], out.columns[c], 4, data_end, out.unsupported);
            if (!chunk) {
                return fail(chunk.error());
            }
            info.chunks.push_back(std::move(*chunk));
        }
        out.row_groups.push_back(std::move(info));
    }
    return out;
}

uint64_t SlicePlan::chunk_bytes() const {
    uint64_t n = 0;
    for (const auto& r : chunks) {
        n += r.length;
    }
    return n;
}

SlicePlan plan_slice(const ParquetLayout& layout, const std::optional<std::set<std::string>>& wanted,
                     const std::vector<ColumnCondition>& conditions) {
    SlicePlan plan;
    for (size_t c = 0; c < layout.columns.size(); ++c) {
        if (!wanted || wanted->contains(lower(layout.columns[c].name))) {
            plan.columns.push_back(c);
        }
    }
    for (size_t g = 0; g < layout.row_groups.size(); ++g) {
        bool keep = true;
        for (const auto& cond : conditions) {
            for (size_t c = 0; c < layout.columns.size() && keep; ++c) {
                if (lower(layout.columns[c].name) == lower(cond.column)) {
                    keep = may_match(layout.columns[c], layout.row_groups[g].chunks[c], cond);
                }
            }
        }
        if (keep) {
            plan.row_groups.push_back(g);
        }
    }
    if (plan.columns.empty() && !layout.columns.empty()) {
        // count(*) and the like read no column, but a file needs one: the smallest.
        size_t best = 0;
        uint64_t best_bytes = std::numeric_limits<uint64_t>::max();
        for (size_t c = 0; c < layout.columns.size(); ++c) {
            uint64_t bytes = 0;
            for (size_t g : plan.row_groups) {
                bytes += layout.row_groups[g].chunks[c].range.length;
            }
            if (bytes < best_bytes) {
                best = c;
                best_bytes = bytes;
            }
        }
        plan.columns.push_back(best);
    }
    for (size_t g : plan.row_groups) {
        for (size_t c : plan.columns) {
            plan.chunks.push_back(layout.row_groups[g].chunks[c].range);
        }
    }
    return plan;
}

std::vector<ByteRange> coalesce(std::vector<ByteRange> ranges, uint64_t max_gap) {
    std::sort(ranges.begin(), ranges.end(), [](const ByteRange& a, const ByteRange& b) { return a.offset < b.offset; });
    std::vector<ByteRange> out;
    uint64_t useful = 0; // bytes of the ranges merged into out.back()
    for (const ByteRange& r : ranges) {
        if (!out.empty()) {
            ByteRange& last = out.back();
            const uint64_t gap = r.offset > last.end() ? r.offset - last.end() : 0;
            if (gap <= max_gap && gap * 4 <= useful + r.length) {
                last.length = std::max(last.end(), r.end()) - last.offset;
                useful += r.length;
                continue;
            }
        }
        out.push_back(r);
        useful = r.length;
    }
    return out;
}

namespace {

ThriftValue rewrite_chunk(const ThriftValue& chunk, const ByteRange& old_range, uint64_t new_start) {
    ThriftValue out = chunk;
    const int64_t shift = static_cast<int64_t>(new_start) - static_cast<int64_t>(old_range.offset);
    for (int id : {cc::offset_index_offset, cc::offset_index_length, cc::column_index_offset, cc::column_index_length}) {
        out.erase(id); // page indexes stay behind in the object
    }
    out.set(cc::file_offset, ThriftValue::i64(static_cast<int64_t>(new_start)));
    ThriftValue* meta = out.field(cc::meta);
    const int64_t data = int_of(meta->field(cmd::data_page));
    meta->set(cmd::data_page, ThriftValue::i64(data + shift));
    const int64_t dict = int_of(meta->field(cmd::dictionary_page), -1);
    if (dict > 0 && dict < data) {
        meta->set(cmd::dictionary_page, ThriftValue::i64(dict + shift));
    } else {
        meta->erase(cmd::dictionary_page);
    }
    for (int id : {cmd::index_page, cmd::bloom_offset, cmd::bloom_length}) {
        meta->erase(id);
    }
    return out;
}

// The footer's schema, column orders and key-value metadata cut down to the planned columns
// (a flat schema: the root, then one element per column).
void keep_only_planned_columns(const ParquetLayout& layout, const SlicePlan& plan, ThriftValue& meta) {
    const ThriftValue& schema = *layout.meta.field(fmd::schema);
    std::vector<ThriftValue> kept_schema{schema.elements[0]};
    kept_schema[0].set(se::num_children, ThriftValue::i32(static_cast<int32_t>(plan.columns.size())));
    for (size_t c : plan.columns) {
        kept_schema.push_back(schema.elements[c + 1]);
    }
    meta.set(fmd::schema, ThriftValue::list(ThriftType::structure, std::move(kept_schema)));
    if (const ThriftValue* orders = layout.meta.field(fmd::column_orders);
        orders != nullptr && orders->elements.size() == layout.columns.size()) {
        std::vector<ThriftValue> kept;
        for (size_t c : plan.columns) {
            kept.push_back(orders->elements[c]);
        }
        meta.set(fmd::column_orders, ThriftValue::list(orders->element, std::move(kept)));
    }
    if (ThriftValue* kv = meta.field(fmd::key_value)) {
        // Arrow's copy of the schema would name the columns left out.
        std::erase_if(kv->elements, [](const ThriftValue& e) {
            return e.field(1) != nullptr && e.field(1)->binary == "ARROW:schema";
        });
    }
}

} // namespace

Status write_slice(const ParquetLayout& layout, const SlicePlan& plan,
                   const std::function<Result<std::string>(const ByteRange&)>& chunk_bytes,
                   const std::filesystem::path& path) {
    if (!layout.unsupported.empty()) {
        return fail(Error::invalid("this Parquet file cannot be sliced: " + layout.unsupported));
    }
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) {
        return fail(Error::fatal("cannot write " + path.string()));
    }
    file.write("PAR1", 4);
    uint64_t at = 4;
    ThriftValue meta = layout.meta;
    // A footer without row_groups (an empty file) has nothing to copy; plan.row_groups is empty.
    static const ThriftValue no_groups;
    const ThriftValue* groups_field = layout.meta.field(fmd::row_groups);
    const ThriftValue& old_groups = groups_field != nullptr ? *groups_field : no_groups;
    std::vector<ThriftValue> groups;
    int64_t rows = 0;
    for (size_t g : plan.row_groups) {
        ThriftValue group = old_groups.elements[g];
        const ThriftValue& old_chunks = *group.field(rg::columns);
        std::vector<ThriftValue> chunks;
        int64_t compressed = 0;
        int64_t uncompressed = 0;
        for (size_t c : plan.columns) {
            const ByteRange& range = layout.row_groups[g].chunks[c].range;
            auto bytes = chunk_bytes(range);
            if (!bytes) {
                return fail(bytes.error());
            }
            if (bytes->size() != range.length) {
                return fail(Error::retry("a column chunk arrived short (" + std::to_string(bytes->size()) + " of " +
                                         std::to_string(range.length) + " bytes)"));
            }
            file.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
            chunks.push_back(rewrite_chunk(old_chunks.elements[c], range, at));
            const ThriftValue* m = old_chunks.elements[c].field(cc::meta);
            compressed += int_of(m->field(cmd::compressed));
            uncompressed += int_of(m->field(cmd::uncompressed));
            at += range.length;
        }
        const int64_t first = chunks.empty() ? static_cast<int64_t>(at) : int_of(chunks.front().field(cc::file_offset));
        group.set(rg::columns, ThriftValue::list(ThriftType::structure, std::move(chunks)));
        group.set(rg::total_byte_size, ThriftValue::i64(uncompressed));
        group.set(rg::file_offset, ThriftValue::i64(first));
        group.set(rg::total_compressed, ThriftValue::i64(compressed));
        group.erase(rg::sorting); // names columns by index, which changed
        group.erase(rg::ordinal);
        rows += int_of(group.field(rg::num_rows));
        groups.push_back(std::move(group));
    }
    keep_only_planned_columns(layout, plan, meta);
    meta.set(fmd::num_rows, ThriftValue::i64(rows));
    meta.set(fmd::row_groups, ThriftValue::list(ThriftType::structure, std::move(groups)));
    const std::string footer = encode_thrift_struct(meta);
    const auto length = static_cast<uint32_t>(footer.size());
    char le[4];
    std::memcpy(le, &length, 4);
    file.write(footer.data(), static_cast<std::streamsize>(footer.size()));
    file.write(le, 4);
    file.write("PAR1", 4);
    file.close();
    if (!file) {
        return fail(Error::fatal("cannot write " + path.string() + " (disk full?)"));
    }
    return {};
}

} // namespace ticklake::parquet
