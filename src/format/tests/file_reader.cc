#include "format/tests/file_reader.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <sstream>

#include <duckdb.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "common/file_text.h"
#include "common/timestamp.h"
#include "duckdb_loader/duck_string.h"

namespace ticklake::testing {

std::string read_file(const std::filesystem::path& path) { return read_file_text(path).value_or(""); }

namespace {

//! Runs sql in a fresh in-memory DuckDB and hands its result to `read`; ADD_FAILURE on an error.
void with_duckdb_result(const std::string& sql, const std::function<void(duckdb_result&)>& read) {
    duckdb_database db;
    duckdb_connection con;
    if (duckdb_open(nullptr, &db) == DuckDBError) {
        ADD_FAILURE() << "duckdb_open failed";
        return;
    }
    duckdb_connect(db, &con);
    duckdb_result res;
    if (duckdb_query(con, sql.c_str(), &res) == DuckDBError) {
        ADD_FAILURE() << sql << ": " << duckdb_result_error(&res);
    } else {
        read(res);
    }
    duckdb_destroy_result(&res);
    duckdb_disconnect(&con);
    duckdb_close(&db);
}

} // namespace

ReadTable query_duckdb(const std::string& sql) {
    ReadTable t;
    with_duckdb_result(sql, [&](duckdb_result& res) {
        const idx_t ncol = duckdb_column_count(&res);
        std::vector<duckdb_type> types;
        for (idx_t c = 0; c < ncol; ++c) {
            t.names.emplace_back(duckdb_column_name(&res, c));
            types.push_back(duckdb_column_type(&res, c));
        }
        for (duckdb_data_chunk chunk; (chunk = duckdb_fetch_chunk(res)) != nullptr; duckdb_destroy_data_chunk(&chunk)) {
            const idx_t n = duckdb_data_chunk_get_size(chunk);
            const size_t base = t.rows.size();
            t.rows.resize(base + n, std::vector<Cell>(ncol));
            for (idx_t c = 0; c < ncol; ++c) {
                duckdb_vector vec = duckdb_data_chunk_get_vector(chunk, c);
                uint64_t* validity = duckdb_vector_get_validity(vec);
                void* data = duckdb_vector_get_data(vec);
                for (idx_t r = 0; r < n; ++r) {
                    Cell& cell = t.rows[base + r][c];
                    if (validity != nullptr && !duckdb_validity_row_is_valid(validity, r)) {
                        continue;
                    }
                    switch (types[c]) {
                    case DUCKDB_TYPE_BOOLEAN: cell = static_cast<bool*>(data)[r]; break;
                    case DUCKDB_TYPE_BIGINT:
                    case DUCKDB_TYPE_TIMESTAMP: cell = static_cast<int64_t*>(data)[r]; break;
                    case DUCKDB_TYPE_INTEGER:
                    case DUCKDB_TYPE_DATE: cell = int64_t{static_cast<int32_t*>(data)[r]}; break; // days
                    case DUCKDB_TYPE_DOUBLE: cell = static_cast<double*>(data)[r]; break;
                    case DUCKDB_TYPE_VARCHAR:
                    case DUCKDB_TYPE_BLOB: {
                        auto* s = static_cast<duckdb_string_t*>(data) + r;
                        cell = std::string(duckdb_string_t_data(s), duckdb_string_t_length(*s));
                        break;
                    }
                    default: ADD_FAILURE() << "unexpected DuckDB type " << types[c] << " in " << sql; break;
                    }
                }
            }
        }
    });
    return t;
}

std::vector<std::vector<std::string>> duckdb_rows(const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    with_duckdb_result(sql, [&](duckdb_result& res) {
        const idx_t ncol = duckdb_column_count(&res);
        const idx_t nrow = duckdb_row_count(&res);
        for (idx_t r = 0; r < nrow; ++r) {
            std::vector<std::string> row;
            for (idx_t c = 0; c < ncol; ++c) {
                if (duckdb_value_is_null(&res, c, r)) {
                    row.emplace_back("<null>");
                    continue;
                }
                row.push_back(duckdb_loader::DuckString(duckdb_value_varchar(&res, c, r)).str());
            }
            rows.push_back(std::move(row));
        }
    });
    return rows;
}

void duckdb_exec(const std::string& sql) {
    with_duckdb_result(sql, [](duckdb_result&) {});
}

ReadTable read_parquet(const std::filesystem::path& path) {
    const std::string file = path.string(); // test paths hold no single quote
    ReadTable t = query_duckdb("SELECT * FROM read_parquet('" + file + "')");
    for (const auto& row : query_duckdb("DESCRIBE SELECT * FROM read_parquet('" + file + "')").rows) {
        t.types.push_back(std::get<std::string>(row[1]));
    }
    return t;
}

namespace {

Cell parse_text(const Column& c, std::string_view text) {
    switch (c.type) {
    case ColumnType::boolean:
        if (text == "true") return true;
        if (text == "false") return false;
        break;
    case ColumnType::bigint: {
        int64_t v = 0;
        auto r = std::from_chars(text.data(), text.data() + text.size(), v);
        if (r.ec == std::errc{} && r.ptr == text.data() + text.size()) return v;
        break;
    }
    case ColumnType::float64: {
        double v = 0;
        auto r = std::from_chars(text.data(), text.data() + text.size(), v);
        if (r.ec == std::errc{} && r.ptr == text.data() + text.size()) return v;
        break;
    }
    case ColumnType::timestamp_us: {
        auto ts = parse_iso8601(text);
        if (ts) return *ts;
        break;
    }
    case ColumnType::date: {
        auto ts = parse_iso8601(text);
        if (ts && text.size() == 10) return *ts / kMicrosPerDay;
        break;
    }
    case ColumnType::varchar:
    case ColumnType::decimal:
    case ColumnType::nested:
    case ColumnType::blob: return std::string(text); // blob: base64 in text formats
    }
    ADD_FAILURE() << "column " << c.name << ": cannot read '" << text << "' as " << to_string(c.type);
    return std::monostate{};
}

} // namespace

ReadTable read_jsonl(const std::filesystem::path& path, const std::vector<Column>& schema) {
    ReadTable t;
    for (const auto& c : schema) {
        t.names.push_back(c.name);
    }
    const std::string text = read_file(path);
    EXPECT_TRUE(text.empty() || text.back() == '\n') << "JSONL must end with a newline";
    simdjson::dom::parser parser;
    size_t from = 0;
    for (size_t nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1) {
        const std::string line = text.substr(from, nl - from);
        simdjson::dom::object obj;
        if (parser.parse(line).get(obj) != simdjson::SUCCESS) {
            ADD_FAILURE() << "not a JSON object: " << line;
            continue;
        }
        std::vector<Cell> row;
        size_t i = 0;
        for (auto field : obj) {
            if (i >= schema.size() || field.key != schema[i].name) {
                ADD_FAILURE() << "key " << field.key << " out of column order in " << line;
                break;
            }
            const Column& c = schema[i++];
            const auto v = field.value;
            if (v.is_null()) {
                row.emplace_back();
            } else if (c.type == ColumnType::boolean) {
                row.emplace_back(bool(v.get_bool().value()));
            } else if (c.type == ColumnType::bigint) {
                row.emplace_back(int64_t(v.get_int64().value()));
            } else if (c.type == ColumnType::float64) {
                row.emplace_back(double(v.get_double().value()));
            } else if (c.type == ColumnType::varchar) {
                row.emplace_back(std::string(v.get_string().value()));
            } else {
                row.push_back(parse_text(c, v.get_string().value()));
            }
        }
        EXPECT_EQ(i, schema.size()) << line;
        t.rows.push_back(std::move(row));
    }
    EXPECT_EQ(from, text.size()) << "trailing bytes after the last line";
    return t;
}

ReadTable read_csv(const std::filesystem::path& path, const std::vector<Column>& schema) {
    ReadTable t;
    const std::string text = read_file(path);
    // RFC 4180 records: fields separated by ',', records by CRLF; a quoted field may hold
    // anything, with "" for a quote. An unquoted empty field is NULL, a quoted one "".
    std::vector<std::vector<std::pair<bool, std::string>>> records; // (quoted, text)
    std::vector<std::pair<bool, std::string>> record;
    std::pair<bool, std::string> field;
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '"' && field.second.empty() && !field.first) {
            field.first = true;
            for (++i;; ++i) {
                if (i >= text.size()) {
                    ADD_FAILURE() << "unterminated quoted field";
                    return t;
                }
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        field.second.push_back('"');
                        ++i;
                    } else {
                        ++i;
                        break;
                    }
                } else {
                    field.second.push_back(text[i]);
                }
            }
            if (i < text.size() && text[i] != ',' && text[i] != '\r') {
                ADD_FAILURE() << "text after a closing quote at byte " << i;
            }
            continue;
        }
        if (text[i] == ',') {
            record.push_back(std::move(field));
            field = {};
            ++i;
        } else if (text[i] == '\r') {
            if (i + 1 >= text.size() || text[i + 1] != '\n') {
                ADD_FAILURE() << "bare CR at byte " << i;
            }
            record.push_back(std::move(field));
            field = {};
            records.push_back(std::move(record));
            record.clear();
            i += 2;
        } else if (text[i] == '\n') {
            ADD_FAILURE() << "bare LF outside quotes at byte " << i;
            ++i;
        } else {
            field.second.push_back(text[i++]);
        }
    }
    EXPECT_TRUE(record.empty() && field.second.empty()) << "last record not terminated by CRLF";
    if (records.empty()) {
        ADD_FAILURE() << "no header row";
        return t;
    }
    for (const auto& h : records[0]) {
        t.names.push_back(h.second);
    }
    for (size_t r = 1; r < records.size(); ++r) {
        std::vector<Cell> row;
        EXPECT_EQ(records[r].size(), schema.size()) << "row " << r;
        for (size_t c = 0; c < records[r].size() && c < schema.size(); ++c) {
            const auto& [quoted, value] = records[r][c];
            if (!quoted && value.empty()) {
                row.emplace_back();
            } else {
                row.push_back(parse_text(schema[c], value));
            }
        }
        t.rows.push_back(std::move(row));
    }
    return t;
}

Cell expected_cell(const Column& c, size_t row) {
    if (c.is_null(row)) {
        return std::monostate{};
    }
    switch (c.type) {
    case ColumnType::boolean: return c.ints[row] != 0;
    case ColumnType::bigint:
    case ColumnType::date:
    case ColumnType::timestamp_us: return c.ints[row];
    case ColumnType::float64: return c.doubles[row];
    case ColumnType::varchar:
    case ColumnType::decimal:
    case ColumnType::nested:
    case ColumnType::blob: return std::string(c.strings[row]);
    }
    return std::monostate{};
}

std::string describe(const Cell& cell) {
    switch (cell.index()) {
    case 0: return "NULL";
    case 1: return std::get<bool>(cell) ? "true" : "false";
    case 2: return std::to_string(std::get<int64_t>(cell)) + " (int)";
    case 3: {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, std::get<double>(cell));
        return std::string(buf, r.ptr) + " (double)";
    }
    default: return "'" + std::get<std::string>(cell) + "'";
    }
}

} // namespace ticklake::testing
