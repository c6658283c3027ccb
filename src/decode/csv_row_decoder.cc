#include "decode/csv_row_decoder.h"

#include <fmt/format.h>

namespace ticklake {

namespace {

std::string_view strip_line_end(std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
        line.remove_suffix(1);
    }
    return line;
}

// Calls emit(text, quoted, needs_unescape) per field; false when a quote is left open.
template <class Emit>
bool for_each_field(std::string_view line, char delim, Emit&& emit) {
    size_t i = 0;
    for (;;) {
        if (i < line.size() && line[i] == '"') {
            const size_t start = ++i;
            bool doubled = false;
            for (;;) {
                if (i >= line.size()) {
                    return false;
                }
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        doubled = true;
                        i += 2;
                        continue;
                    }
                    break;
                }
                ++i;
            }
            emit(line.substr(start, i - start), true, doubled);
            ++i; // closing quote; text up to the delimiter after it is kept as RFC 4180 readers do not
            while (i < line.size() && line[i] != delim) {
                ++i;
            }
        } else {
            const size_t start = i;
            while (i < line.size() && line[i] != delim) {
                ++i;
            }
            emit(line.substr(start, i - start), false, false);
        }
        if (i >= line.size()) {
            return true;
        }
        ++i; // the delimiter
    }
}

void unescape_quotes(std::string_view in, std::string& out) {
    for (size_t i = 0; i < in.size(); ++i) {
        out.push_back(in[i]);
        if (in[i] == '"' && i + 1 < in.size() && in[i + 1] == '"') {
            ++i;
        }
    }
}

} // namespace

void CsvRowDecoder::set_columns(std::vector<std::string> columns) {
    columns_ = columns.empty() ? std::move(columns) : csv_column_names(columns);
}

Result<std::vector<std::string>> CsvRowDecoder::split(std::string_view line) const {
    std::vector<std::string> out;
    const bool closed = for_each_field(strip_line_end(line), delimiter_, [&](std::string_view text, bool, bool doubled) {
        std::string& s = out.emplace_back();
        if (doubled) {
            unescape_quotes(text, s);
        } else {
            s.assign(text);
        }
    });
    if (!closed) {
        return fail(Error::poison("CSV line has a quote that is not closed"));
    }
    return out;
}

Status CsvRowDecoder::decode(std::string_view line, RowCells& row) {
    row.clear();
    size_t n = 0;
    bool too_many = false;
    const bool closed =
        for_each_field(strip_line_end(line), delimiter_, [&](std::string_view text, bool quoted, bool doubled) {
            if (n >= columns_.size()) {
                too_many = true;
                ++n;
                return;
            }
            CellValue& c = row.add(columns_[n++]);
            if (!(quoted && text.empty()) && nulls_.is_null(text)) {
                c.kind = CellValue::Kind::null;
                return;
            }
            c.kind = quoted && text.empty() ? CellValue::Kind::string : CellValue::Kind::text;
            // "1,234.5" (quoted) or "3,5" (';' files): the plain number, typed as numbers are.
            if (text.find(',') != std::string_view::npos ||
                (style_.decimal == ',' && text.find('.') != std::string_view::npos)) {
                if (const auto num = parse_csv_number(text, style_)) {
                    std::string& s = row.new_string();
                    s = num->integral ? fmt::format("{}", num->integer) : fmt::format("{}", num->value);
                    if (!num->integral && s.find_first_of(".eE") == std::string::npos) {
                        s += ".0"; // 1234.0 prints as 1234: keep it a double
                    }
                    c.text = s;
                    return;
                }
            }
            if (doubled) {
                std::string& s = row.new_string();
                unescape_quotes(text, s);
                c.text = s;
            } else {
                c.text = text;
            }
        });
    if (!closed) {
        return fail(Error::poison("CSV line has a quote that is not closed"));
    }
    if (too_many) {
        return fail(Error::poison(fmt::format("CSV line has {} fields, but the topic has {} columns", n, columns_.size())));
    }
    return {};
}

} // namespace ticklake
