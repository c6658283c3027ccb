#include "query/iceberg_tables.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "common/json_writer.h"
#include "common/sql_quote.h"
#include "common/timestamp.h"
#include "common/warehouse_uri.h"
#include "iceberg/table_scan.h"

namespace ticklake::query {

namespace {

constexpr int64_t kUsPerDay = 86'400'000'000;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

int64_t long_of(const std::string& bytes) {
    uint64_t v = 0;
    for (size_t i = 0; i < 8 && i < bytes.size(); ++i) {
        v |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
    }
    return static_cast<int64_t>(v);
}

// The event-time range of a data file when the table's day(...) source is `ts`: its column
// bounds, else its day partition. The query's conditions on ts decide with it.
std::pair<std::optional<int64_t>, std::optional<int64_t>> ts_range(const iceberg::TableScan& scan,
                                                                   const iceberg::DataFile& f) {
    if (!scan.day_source_id) {
        return {};
    }
    const int id = *scan.day_source_id;
    auto field = std::find_if(scan.schema.begin(), scan.schema.end(), [&](const auto& c) { return c.id == id; });
    if (field == scan.schema.end() || field->name != "ts" || field->type != "timestamp") {
        return {};
    }
    auto lo = f.lower_bounds.find(id);
    auto hi = f.upper_bounds.find(id);
    if (lo != f.lower_bounds.end() && hi != f.upper_bounds.end() && lo->second.size() == 8 && hi->second.size() == 8) {
        return {long_of(lo->second), long_of(hi->second)};
    }
    if (f.day) {
        return {*f.day * kUsPerDay, (*f.day + 1) * kUsPerDay - 1};
    }
    return {};
}

// `<table>$snapshots`: one row per snapshot the metadata file still lists.
std::string snapshots_sql(const iceberg::TableMetadata& m) {
    std::string rows;
    for (const auto& s : m.snapshots) {
        auto get = [&](const char* k) {
            auto it = s.summary.find(k);
            return it == s.summary.end() ? std::string("NULL") : quote_literal(it->second);
        };
        JsonWriter w(0);
        w.begin_object();
        for (const auto& [k, v] : s.summary) {
            w.field(k, v);
        }
        w.end_object();
        std::string summary = w.str();
        summary.pop_back();
        rows += (rows.empty() ? "" : ", ");
        rows += "(make_timestamp(" + std::to_string(s.timestamp_ms * 1000) + "::BIGINT), " + std::to_string(s.id) + ", " +
                (s.parent_id ? std::to_string(*s.parent_id) : "NULL") + ", " + std::to_string(s.sequence_number) + ", " +
                std::to_string(s.schema_id) + ", " + get("operation") + ", " +
                (m.current_snapshot_id == s.id ? "true" : "false") + ", TRY_CAST(" + get("total-records") +
                " AS BIGINT), TRY_CAST(" + get("total-data-files") + " AS BIGINT), " + quote_literal(summary) + ")";
    }
    const std::string cols = "committed_at, snapshot_id, parent_id, sequence_number, schema_id, operation, is_current, "
                             "total_records, total_data_files, summary";
    if (rows.empty()) {
        return "SELECT NULL::TIMESTAMP AS committed_at, NULL::BIGINT AS snapshot_id, NULL::BIGINT AS parent_id, "
               "NULL::BIGINT AS sequence_number, NULL::INTEGER AS schema_id, NULL::VARCHAR AS operation, "
               "NULL::BOOLEAN AS is_current, NULL::BIGINT AS total_records, NULL::BIGINT AS total_data_files, "
               "NULL::VARCHAR AS summary WHERE false";
    }
    return "SELECT * FROM (VALUES " + rows + ") AS s(" + cols + ") ORDER BY committed_at, sequence_number";
}

struct IcebergTarget {
    std::string database;
    std::string view; //!< the table's name, or a snapshot's alias
    iceberg::SnapshotChoice choice;
    bool bypass_only_tables = false;
};

Status bind_one(ObjectStore& store, const IcebergTarget& target,
                const WarehouseScanOptions& options, WarehouseTables& out, const iceberg::TableScan& scan) {
    const std::string full = target.database + "." + target.view; // what the query's conditions are keyed by
    PlannedTable planned{target.database, target.view, "parquet", {}};
    for (const auto& f : scan.files) {
        auto key = iceberg::key_under(store.uri(), f.path);
        if (!key) {
            return fail(key.error());
        }
        if (options.time_filter) {
            const auto [lo, hi] = ts_range(scan, f);
            if (!options.time_filter(full, lo, hi)) {
                continue;
            }
        }
        planned.files.push_back({*key, static_cast<uint64_t>(f.file_size), 0});
    }
    // Unset (a nested column): read by name instead (no renames across files).
    const std::optional<std::string> schema = iceberg::field_id_schema(scan.schema);
    std::vector<FieldColumn> columns;
    for (const auto& c : scan.schema) {
        if (schema) {
            columns.push_back({c.name, *iceberg::duckdb_type_of(c.type)});
        }
    }
    WarehouseScanOptions o = options;
    if (target.bypass_only_tables) {
        o.only_tables.clear();
    }
    const size_t before = out.tables.size();
    if (auto st = bind_files(store, {std::move(planned)}, o, out); !st) {
        return st;
    }
    if (out.tables.size() == before) {
        if (columns.empty()) {
            return {}; // no column types to give an empty view: the table stays unbound
        }
        out.tables.push_back({target.database, target.view, "parquet"});
    }
    out.tables.back().field_columns = std::move(columns);
    out.tables.back().field_id_schema = schema.value_or("");
    return {};
}

} // namespace

Status bind_iceberg_tables(const std::vector<IcebergTableRef>& tables, const WarehouseScanOptions& options,
                           const ObjectStoreOptions& store_options, WarehouseTables& out, bool& local_tables,
                           std::vector<std::string>& unreadable) {
    for (const auto& ref : tables) {
        const std::string full = ref.ns + "." + ref.table;
        std::vector<IcebergTarget> targets;
        const bool wanted = options.only_tables.empty() ||
                            std::find(options.only_tables.begin(), options.only_tables.end(), full) != options.only_tables.end();
        if (wanted) {
            targets.push_back({ref.ns, ref.table, {}, false});
        }
        for (const auto& r : options.snapshots) {
            const std::string name = lower(r.table);
            if (name == full || (name.starts_with('.') && full.ends_with(name))) {
                targets.push_back({ref.ns, r.alias, {r.snapshot_id, r.as_of_ms}, true});
            }
        }
        if (targets.empty()) {
            continue;
        }
        const std::string root = iceberg::store_root_of(iceberg::table_location_of(ref.metadata_location));
        ObjectStoreOptions so = store_options;
        so.probe = false;
        auto store = open_object_store(root, so);
        if (!store) {
            return fail(store.error());
        }
        local_tables = local_tables || !is_s3_uri(root);
        for (const auto& target : targets) {
            auto scan = iceberg::plan_table_scan(**store, ref.metadata_location, target.choice);
            if (!scan) {
                Error e{scan.error().kind, "Iceberg table " + full + ": " + scan.error().message};
                if (!options.only_tables.empty() || target.bypass_only_tables) {
                    return fail(e); // the query names it
                }
                unreadable.push_back(e.message);
                break;
            }
            if (auto st = bind_one(**store, target, options, out, *scan); !st) {
                return st;
            }
            if (!target.bypass_only_tables) {
                TableBinding history{ref.ns, ref.table + "$snapshots", "parquet"};
                history.select_sql = snapshots_sql(scan->metadata);
                out.tables.push_back(std::move(history));
            }
        }
    }
    return {};
}

namespace {

enum class Tok { word, quoted, string, number, punct };

struct Token {
    Tok kind;
    size_t begin, end; //!< [begin, end) in the SQL text
    std::string text;  //!< words lower-cased, quoted names and strings unquoted
};

// Words, "names", 'strings', numbers and single punctuation; comments and spaces dropped.
Result<std::vector<Token>> tokenize(std::string_view sql) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < sql.size()) {
        const char c = sql[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
            while (i < sql.size() && sql[i] != '\n') {
                ++i;
            }
        } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
            const size_t end = sql.find("*/", i + 2);
            i = end == std::string_view::npos ? sql.size() : end + 2;
        } else if (c == '\'' || c == '"') {
            Token t{c == '\'' ? Tok::string : Tok::quoted, i, 0, {}};
            size_t j = i + 1;
            for (;; ++j) {
                if (j >= sql.size()) {
                    return out; // unterminated: DuckDB will say so
                }
                if (sql[j] == c) {
                    if (j + 1 < sql.size() && sql[j + 1] == c) {
                        t.text.push_back(c);
                        ++j;
                        continue;
                    }
                    break;
                }
                t.text.push_back(sql[j]);
            }
            t.end = j + 1;
            out.push_back(std::move(t));
            i = j + 1;
        } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80) {
            size_t j = i;
            while (j < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_' || sql[j] == '$' ||
                                      static_cast<unsigned char>(sql[j]) >= 0x80)) {
                ++j;
            }
            const bool digits = std::all_of(sql.begin() + i, sql.begin() + j, [](char d) { return d >= '0' && d <= '9'; });
            out.push_back({digits ? Tok::number : Tok::word, i, j, lower(sql.substr(i, j - i))});
            i = j;
        } else {
            out.push_back({Tok::punct, i, i + 1, std::string(1, c)});
            ++i;
        }
    }
    return out;
}

bool is_name(const Token& t) { return t.kind == Tok::word || t.kind == Tok::quoted; }

} // namespace

Result<TimeTravelSql> rewrite_time_travel(std::string_view sql) {
    auto tokens = tokenize(sql);
    if (!tokens) {
        return fail(tokens.error());
    }
    const auto& tk = *tokens;
    TimeTravelSql out;
    size_t copied = 0;
    for (size_t i = 1; i + 3 < tk.size(); ++i) {
        // [FOR] VERSION|SYSTEM_VERSION|TIMESTAMP|SYSTEM_TIME AS OF <literal>, after a table name.
        size_t kw = i;
        const bool has_for = tk[i].kind == Tok::word && tk[i].text == "for";
        if (has_for) {
            kw = i + 1;
        }
        if (kw + 2 >= tk.size() || tk[kw].kind != Tok::word || tk[kw + 1].text != "as" || tk[kw + 2].text != "of" ||
            tk[kw + 1].kind != Tok::word || tk[kw + 2].kind != Tok::word) {
            continue;
        }
        const std::string& what = tk[kw].text;
        const bool version = what == "version" || what == "system_version";
        const bool time = what == "timestamp" || what == "system_time";
        if ((!version && !time) || (!has_for && what.starts_with("system_")) || !is_name(tk[i - 1])) {
            continue;
        }
        size_t lit = kw + 3;
        if (lit < tk.size() && tk[lit].kind == Tok::word && (tk[lit].text == "timestamp" || tk[lit].text == "timestamptz") &&
            lit + 1 < tk.size() && tk[lit + 1].kind == Tok::string) {
            ++lit; // TIMESTAMP '...'
        }
        if (lit >= tk.size() || (tk[lit].kind != Tok::number && tk[lit].kind != Tok::string)) {
            return fail(Error::invalid("time travel takes a literal: FOR VERSION AS OF <snapshot id>, or FOR TIMESTAMP "
                                       "AS OF '2026-01-02 10:00:00' (UTC unless it has an offset)"));
        }
        SnapshotRequest r;
        std::string suffix;
        if (version) {
            const std::string& v = tk[lit].text;
            if (v.empty() || !std::all_of(v.begin(), v.end(), [](char d) { return d >= '0' && d <= '9'; }) || v.size() > 19) {
                return fail(Error::invalid("FOR VERSION AS OF takes a snapshot id (a number), not '" + v + "'"));
            }
            r.snapshot_id = std::stoll(v);
            suffix = "@v" + v;
        } else {
            if (tk[lit].kind != Tok::string) {
                return fail(Error::invalid("FOR TIMESTAMP AS OF takes a time as text: '2026-01-02 10:00:00'"));
            }
            std::string text = tk[lit].text;
            if (text.ends_with(" UTC")) {
                text.resize(text.size() - 4);
            }
            auto us = parse_iso8601(text);
            if (!us) {
                return fail(Error::invalid("FOR TIMESTAMP AS OF '" + tk[lit].text + "': " + us.error().message));
            }
            r.as_of_ms = *us / 1000;
            suffix = "@t" + std::to_string(*r.as_of_ms);
        }
        // The table's name: the name before, and "database." before it if there is one.
        const size_t name = i - 1;
        std::string table = "." + tk[name].text;
        if (name >= 2 && tk[name - 1].kind == Tok::punct && tk[name - 1].text == "." && is_name(tk[name - 2])) {
            table = tk[name - 2].text + table;
        }
        r.table = table;
        r.alias = tk[name].text + suffix;
        out.sql.append(sql.substr(copied, tk[name].begin - copied));
        out.sql += quote_identifier(r.alias);
        copied = tk[lit].end;
        out.requests.push_back(std::move(r));
        i = lit;
    }
    out.sql.append(sql.substr(copied));
    return out;
}

} // namespace ticklake::query
