#include "format/jsonl_writer.h"

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
    case ColumnType::bigint: append_json_int(out, cell.i); break;
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

void JsonlWriter::begin_file(const ColumnBatch& batch, std::string&) {
    keys_.clear();
    for (const auto& c : batch.columns) {
        std::string k(keys_.empty() ? "{" : ",");
        append_json_string(k, c.name);
        k.push_back(':');
        keys_.push_back(std::move(k));
    }
}

void JsonlWriter::append_row(const ColumnBatch& batch, const RowBlock& block, size_t row, std::string& out) {
    for (size_t i = 0; i < batch.columns.size(); ++i) {
        out.append(keys_[i]);
        append_value(out, batch.columns[i].type, block.at(i, row));
    }
    out.append(batch.columns.empty() ? "{}\n" : "}\n");
}

bool JsonlWriter::append_rows_as_is(const ColumnBatch& batch, std::span<const uint32_t> rows, std::string& out) {
    const size_t own = batch.json_row_columns;
    if (batch.rows == 0 || batch.json_rows.size() != batch.rows || own == 0 || own > batch.columns.size()) {
        return false;
    }
    for (const uint32_t row : rows) {
        const std::string_view text = batch.json_rows[row];
        out.push_back('{');
        if (own == batch.columns.size()) {
            out.append(text);
        } else { // columns added after the rows (a derived dt): before the closing brace
            out.append(text.substr(0, text.size() - 1));
            for (size_t c = own; c < batch.columns.size(); ++c) {
                out.append(keys_[c]);
                append_value(out, batch.columns[c].type, cell_at(batch.columns[c], row));
            }
            out.push_back('}');
        }
        out.push_back('\n');
    }
    return true;
}

} // namespace ticklake
