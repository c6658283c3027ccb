#include "format/jsonl_writer.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "common/event_json.h"
#include "common/binary_text.h"
#include "common/timestamp.h"
#include "format/row_block.h"

namespace ticklake {

namespace {

void append_value(std::string& out, ColumnType type, const Cell& cell) {
    if (!cell.valid) {
        out.append("null");
        return;
    }
    switch (type) {
    case ColumnType::boolean: out.append(cell.i ? "true" : "false"); break;
    case ColumnType::bigint: {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, cell.i);
        out.append(buf, r.ptr);
        break;
    }
    case ColumnType::float64: append_json_double(out, cell.d); break; // NaN/Inf: null
    case ColumnType::varchar: append_json_string(out, cell.text); break;
    case ColumnType::timestamp_us:
        out.push_back('"');
        append_iso8601(out, cell.i);
        out.push_back('"');
        break;
    case ColumnType::date:
        out.push_back('"');
        out.append(format_date(cell.i * kMicrosPerDay));
        out.push_back('"');
        break;
    case ColumnType::decimal: // plain decimal text is a JSON number, kept digit for digit
    case ColumnType::nested: out.append(cell.text); break; // minified JSON already
    case ColumnType::blob:
        out.push_back('"');
        append_base64(out, cell.text);
        out.push_back('"');
        break;
    }
}

} // namespace

Status JsonlWriter::write(const ColumnBatch& batch, std::span<const uint32_t> order, const std::filesystem::path& path) {
    // `{"id":` then `,"symbol":` ...: each key rendered once per file.
    std::vector<std::string> keys;
    keys.reserve(batch.columns.size());
    for (const auto& c : batch.columns) {
        std::string k(keys.empty() ? "{" : ",");
        append_json_string(k, c.name);
        k.push_back(':');
        keys.push_back(std::move(k));
    }
    if (auto s = file_.open(path); !s) {
        return s;
    }
    std::string& out = file_.buffer();
    for (size_t at = 0; at < order.size(); at += RowBlock::kRows) {
        block_.gather(batch, order.subspan(at, std::min(RowBlock::kRows, order.size() - at)));
        for (size_t row = 0; row < block_.rows(); ++row) {
            for (size_t i = 0; i < batch.columns.size(); ++i) {
                out.append(keys[i]);
                append_value(out, batch.columns[i].type, block_.at(i, row));
            }
            out.append(batch.columns.empty() ? "{}\n" : "}\n");
        }
        if (auto s = file_.maybe_flush(); !s) {
            return s;
        }
    }
    return file_.close();
}

} // namespace ticklake
