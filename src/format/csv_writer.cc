#include "format/csv_writer.h"

#include <cmath>

#include "common/event_json.h"
#include "common/binary_text.h"
#include "common/timestamp.h"
#include "format/row_block.h"

namespace ticklake {

namespace {

void append_field(std::string& out, std::string_view s) {
    if (s.empty()) {
        out.append("\"\""); // an empty string, not NULL
        return;
    }
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
        out.append(s);
        return;
    }
    out.push_back('"');
    size_t from = 0;
    for (size_t q = s.find('"'); q != std::string_view::npos; q = s.find('"', q + 1)) {
        out.append(s.data() + from, q + 1 - from);
        out.push_back('"');
        from = q + 1;
    }
    out.append(s.data() + from, s.size() - from);
    out.push_back('"');
}

void append_value(std::string& out, ColumnType type, const Cell& cell) {
    if (!cell.valid) {
        return;
    }
    switch (type) {
    case ColumnType::boolean: out.append(cell.i ? "true" : "false"); break;
    case ColumnType::bigint: append_json_int(out, cell.i); break;
    case ColumnType::float64: {
        const double v = cell.d;
        if (std::isfinite(v)) {
            append_json_double(out, v);
        } else {
            out.append(std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
        }
        break;
    }
    case ColumnType::varchar: append_field(out, cell.text); break;
    case ColumnType::timestamp_us: append_iso8601(out, cell.i); break;
    case ColumnType::date: out.append(format_date(cell.i * kMicrosPerDay)); break;
    case ColumnType::decimal: out.append(cell.text); break;
    case ColumnType::nested: append_field(out, cell.text); break; // JSON text, quoted as needed
    case ColumnType::blob: {
        std::string b64;
        append_base64(b64, cell.text);
        out.append(b64.empty() ? "\"\"" : b64);
        break;
    }
    }
}

} // namespace

void CsvWriter::begin_file(const ColumnBatch& batch, std::string& out) {
    for (size_t i = 0; i < batch.columns.size(); ++i) {
        if (i > 0) {
            out.push_back(',');
        }
        append_field(out, batch.columns[i].name);
    }
    out.append("\r\n");
}

void CsvWriter::append_row(const ColumnBatch& batch, const RowBlock& block, size_t row, std::string& out) {
    for (size_t i = 0; i < batch.columns.size(); ++i) {
        if (i > 0) {
            out.push_back(',');
        }
        append_value(out, batch.columns[i].type, block.at(i, row));
    }
    out.append("\r\n");
}

} // namespace ticklake
