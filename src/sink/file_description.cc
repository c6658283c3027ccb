#include "sink/file_description.h"

#include <algorithm>

#include <simdjson.h>

namespace ticklake {

namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000;

// The range of a `ts` column of timestamps or dates, as a Parquet footer's statistics give it:
// over the values that are not NULL; none when every value is NULL.
void ts_range(const ColumnBatch& batch, std::span<const uint32_t> rows, CommittedFile& out) {
    auto ts = std::find_if(batch.columns.begin(), batch.columns.end(), [](const Column& c) { return c.name == "ts"; });
    if (ts == batch.columns.end() || (ts->type != ColumnType::timestamp_us && ts->type != ColumnType::date)) {
        return;
    }
    const int64_t scale = ts->type == ColumnType::date ? kMicrosPerDay : 1;
    auto take = [&](size_t row) {
        if (ts->is_null(row)) {
            return;
        }
        const TimestampUs v = ts->ints[row] * scale;
        out.ts_min = out.ts_min ? std::min(*out.ts_min, v) : v;
        out.ts_max = out.ts_max ? std::max(*out.ts_max, v) : v;
    };
    if (rows.empty()) {
        for (size_t row = 0; row < batch.rows; ++row) {
            take(row);
        }
    } else {
        for (uint32_t row : rows) {
            take(row);
        }
    }
}

// DuckDB's name of the type from_json() reads a nested column as, from the column's JSON
// structure ({"a":"BIGINT","b":["DOUBLE"]} -> STRUCT("a" BIGINT, "b" DOUBLE[])). JSON kept as
// text is VARCHAR in a Parquet file. Empty when the structure does not read as a type.
std::string type_of_structure(simdjson::dom::element e) {
    using simdjson::dom::element_type;
    if (e.type() == element_type::STRING) {
        const std::string t(e.get_string().value());
        return t == "JSON" ? "VARCHAR" : t;
    }
    if (e.type() == element_type::ARRAY) {
        auto list = e.get_array().value();
        const std::string element = list.size() == 1 ? type_of_structure(list.at(0).value()) : "";
        return element.empty() ? "" : element + "[]";
    }
    if (e.type() != element_type::OBJECT) {
        return "";
    }
    std::string out = "STRUCT(";
    const simdjson::dom::object fields = e.get_object().value();
    for (auto field : fields) {
        const std::string type = type_of_structure(field.value);
        if (type.empty()) {
            return "";
        }
        std::string name(field.key);
        for (size_t q = name.find('"'); q != std::string::npos; q = name.find('"', q + 2)) {
            name.insert(q, 1, '"');
        }
        out += (out.size() > 7 ? ", \"" : "\"") + name + "\" " + type;
    }
    return out + ")";
}

} // namespace

std::string declared_type(const Column& column) {
    switch (column.type) {
    case ColumnType::decimal: return column.type_text; // DECIMAL(p,s)
    case ColumnType::nested: {
        simdjson::dom::parser parser;
        simdjson::dom::element structure;
        if (parser.parse(column.type_text).get(structure) != simdjson::SUCCESS) {
            return "";
        }
        return type_of_structure(structure);
    }
    default: return to_string(column.type);
    }
}

CommittedFile describe_file(std::string key, std::string format, const ColumnBatch& batch,
                            std::span<const uint32_t> rows) {
    CommittedFile out;
    out.key = std::move(key);
    // The sink's Parquet writer compresses every column with zstd; text files are written plain.
    out.compression = format == "parquet" ? "zstd" : "none";
    out.format = std::move(format);
    out.rows = static_cast<int64_t>(rows.empty() ? batch.rows : rows.size());
    for (const auto& c : batch.columns) {
        out.columns.emplace_back(c.name, declared_type(c));
    }
    ts_range(batch, rows, out);
    return out;
}

CommittedFile describe_dead_letters(std::string key) {
    CommittedFile out;
    out.key = std::move(key);
    out.format = "jsonl";
    out.compression = "none";
    return out;
}

} // namespace ticklake
