#include "query/result_format.h"

#include <algorithm>
#include <cstdio>

namespace ticklake::query {

namespace {

bool is_json_number_type(const std::string& t) {
    static const char* const kNumeric[] = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT",
                                           "UINTEGER", "UBIGINT", "HUGEINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL"};
    return std::find(std::begin(kNumeric), std::end(kNumeric), t) != std::end(kNumeric);
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

// An empty string is quoted ("") so that it differs from NULL (an empty field).
std::string csv_field(std::string_view s) {
    if (!s.empty() && s.find_first_of(",\"\r\n") == std::string_view::npos) {
        return std::string(s);
    }
    std::string out = "\"";
    for (char c : s) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + "\"";
}

// Display width of UTF-8 text: code points (wide characters are rare in market data).
size_t width(std::string_view s) {
    return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string human_bytes(uint64_t b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(b);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

} // namespace

Result<ResultFormat> parse_result_format(std::string_view name) {
    if (name == "table") {
        return ResultFormat::table;
    }
    if (name == "csv") {
        return ResultFormat::csv;
    }
    if (name == "jsonl" || name == "json") {
        return ResultFormat::jsonl;
    }
    return fail(Error::invalid("unknown format '" + std::string(name) + "': use table, csv or jsonl"));
}

Result<ResultFormat> result_format_for_path(std::string_view path) {
    if (path.ends_with(".csv")) {
        return ResultFormat::csv;
    }
    if (path.ends_with(".jsonl") || path.ends_with(".ndjson") || path.ends_with(".json")) {
        return ResultFormat::jsonl;
    }
    return fail(Error::invalid("--output " + std::string(path) +
                               ": name a .csv, .jsonl or .parquet file (the extension picks the format)"));
}

namespace {

std::string render_csv(const QueryResult& r) {
    std::string out;
    const size_t n = r.column_names.size();
    for (size_t c = 0; c < n; ++c) {
        if (c) {
            out += ',';
        }
        out += csv_field(r.column_names[c]);
    }
    out += '\n';
    for (const auto& row : r.rows) {
        for (size_t c = 0; c < n; ++c) {
            if (c) {
                out += ',';
            }
            if (row[c]) {
                out += csv_field(*row[c]);
            }
        }
        out += '\n';
    }
    return out;
}

std::string json_value(const std::optional<std::string>& cell, const std::string& type) {
    if (!cell) {
        return "null";
    }
    if (type == "BOOLEAN") {
        return *cell == "true" ? "true" : "false";
    }
    if (is_json_number_type(type) && *cell != "nan" && *cell != "inf" && *cell != "-inf") {
        return *cell;
    }
    return json_string(*cell);
}

std::string render_jsonl(const QueryResult& r) {
    std::string out;
    const size_t n = r.column_names.size();
    for (const auto& row : r.rows) {
        out += '{';
        for (size_t c = 0; c < n; ++c) {
            if (c) {
                out += ',';
            }
            out += json_string(r.column_names[c]);
            out += ':';
            out += json_value(row[c], r.column_types[c]);
        }
        out += "}\n";
    }
    return out;
}

void trim_right(std::string& line) {
    while (!line.empty() && line.back() == ' ') {
        line.pop_back();
    }
}

// Aligned table: numbers right-aligned, text left; NULL shown as NULL.
std::string render_table(const QueryResult& r) {
    const size_t n = r.column_names.size();
    std::vector<size_t> widths(n);
    for (size_t c = 0; c < n; ++c) {
        widths[c] = width(r.column_names[c]);
        for (const auto& row : r.rows) {
            widths[c] = std::max(widths[c], row[c] ? width(*row[c]) : 4);
        }
    }
    auto line_of = [&](auto cell_text) {
        std::string line;
        for (size_t c = 0; c < n; ++c) {
            const std::string text = cell_text(c);
            const std::string pad(widths[c] - std::min(widths[c], width(text)), ' ');
            line += (c ? "  " : "") + (is_json_number_type(r.column_types[c]) ? pad + text : text + pad);
        }
        trim_right(line);
        return line + '\n';
    };
    std::string out = line_of([&](size_t c) { return r.column_names[c]; });
    for (size_t c = 0; c < n; ++c) {
        out += (c ? "  " : "") + std::string(widths[c], '-');
    }
    out += '\n';
    for (const auto& row : r.rows) {
        out += line_of([&](size_t c) { return row[c] ? *row[c] : std::string("NULL"); });
    }
    return out;
}

} // namespace

std::string render(const QueryResult& r, ResultFormat format) {
    switch (format) {
    case ResultFormat::csv: return render_csv(r);
    case ResultFormat::jsonl: return render_jsonl(r);
    case ResultFormat::table: return render_table(r);
    }
    return render_table(r);
}

std::string describe_stats(const QueryResult& r) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%zu row%s in %.3f s, %llu file%s read, %s scanned", r.rows.size(),
                  r.rows.size() == 1 ? "" : "s", r.stats.elapsed_s, static_cast<unsigned long long>(r.stats.files_read),
                  r.stats.files_read == 1 ? "" : "s", human_bytes(r.stats.bytes_scanned).c_str());
    std::string line = buf;
    const ScanStats& s3 = r.stats.s3;
    if (s3.any()) {
        // What S3 sent is what Athena bills as data scanned; the local figure above is DuckDB
        // reading the slices and copies.
        line += "; S3: " + human_bytes(s3.s3_bytes) + " fetched in " + std::to_string(s3.requests) + " request" +
                (s3.requests == 1 ? "" : "s") + ", " + human_bytes(s3.cache_bytes) + " from cache, " +
                std::to_string(s3.files) + " file" + (s3.files == 1 ? "" : "s") + " (" +
                std::to_string(s3.ranged_files) + " ranged, " + std::to_string(s3.whole_files) + " whole)";
        if (!s3.whole_reason.empty()) {
            line += "; read whole because " + s3.whole_reason;
        }
    }
    return line;
}

std::string json_cell(const std::optional<std::string>& cell, const std::string& type) { return json_value(cell, type); }

} // namespace ticklake::query
