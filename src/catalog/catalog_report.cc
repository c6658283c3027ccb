#include "catalog/catalog_report.h"

#include <algorithm>
#include <map>

#include "catalog/glue_json.h"
#include "common/json_writer.h"
#include "common/text_table.h"
#include "common/warehouse_uri.h"

namespace ticklake {

namespace {

std::string when(std::optional<TimestampUs> t) { return t ? format_iso8601(*t) : ""; }

void write_time(JsonWriter& w, std::string_view key, std::optional<TimestampUs> t) {
    w.key(key);
    t ? (void)w.value(format_iso8601(*t)) : (void)w.null();
}

std::string values_text(const TableDef& t, const std::vector<std::string>& values) {
    std::string out;
    for (size_t i = 0; i < values.size() && i < t.partition_keys.size(); ++i) {
        out += (i > 0 ? "/" : "") + t.partition_keys[i].name + "=" + values[i];
    }
    return out.empty() ? "(unpartitioned)" : out;
}

struct TableTotals {
    int64_t partitions = 0;
    int64_t files = 0;
    int64_t rows = 0;
    int64_t bytes = 0;
    std::optional<TimestampUs> ts_min;
    std::optional<TimestampUs> ts_max;
};

TableTotals totals(const std::vector<PartitionDef>& parts) {
    TableTotals t;
    for (const auto& p : parts) {
        ++t.partitions;
        t.files += p.file_count;
        t.rows += p.rows;
        t.bytes += p.bytes;
        if (p.ts_min) {
            t.ts_min = t.ts_min ? std::min(*t.ts_min, *p.ts_min) : *p.ts_min;
        }
        if (p.ts_max) {
            t.ts_max = t.ts_max ? std::max(*t.ts_max, *p.ts_max) : *p.ts_max;
        }
    }
    return t;
}

// name: as Glue catalogues it (what Athena, Trino and Spark DDL use); file_name: as in the
// files, when that differs (ticklake query answers to both).
void write_columns(JsonWriter& w, const Columns& cols) {
    w.begin_array();
    for (const auto& c : cols) {
        const std::string glue = glue_column_name(c.name);
        w.begin_object().field("name", glue).field("type", c.type);
        if (glue != c.name) {
            w.field("file_name", c.name);
        }
        w.end_object();
    }
    w.end_array();
}

ReportBlock table_block(ReportTable t) { return ReportBlock{{}, std::move(t)}; }

std::string describe_json(const TableDef& t, const TableTotals& n) {
    JsonWriter w;
    w.begin_object().field("database", t.database).field("name", t.name).field("location", t.location);
    w.field("format", t.format).field("compression", t.compression);
    w.key("columns");
    write_columns(w, t.columns);
    w.key("partition_keys");
    write_columns(w, t.partition_keys);
    w.key("properties").begin_object();
    for (const auto& [k, v] : t.properties) {
        w.field(k, v);
    }
    w.end_object();
    w.key("partitions").value(n.partitions).key("files").value(n.files).key("rows").value(n.rows);
    w.key("bytes").value(n.bytes);
    write_time(w, "ts_min", n.ts_min);
    write_time(w, "ts_max", n.ts_max);
    w.key("schema_version").value(static_cast<int64_t>(t.schema_version));
    w.field("created_at", format_iso8601(t.created_at)).field("updated_at", format_iso8601(t.updated_at));
    w.end_object();
    return w.str();
}

std::vector<std::string> describe_lines(const TableDef& t, const TableTotals& n) {
    std::vector<std::string> lines = {
        "table        " + t.qualified_name(),
        "location     " + t.location,
        "format       " + t.format + " (" + t.compression + ")",
        "data         " + std::to_string(n.partitions) + " partitions, " + std::to_string(n.files) + " files, " +
            std::to_string(n.rows) + " rows, " + std::to_string(n.bytes) + " bytes",
    };
    if (n.ts_min) {
        lines.push_back("event time   " + format_iso8601(*n.ts_min) + " .. " + when(n.ts_max));
    }
    lines.push_back("version      " + std::to_string(t.schema_version) + " (created " + format_iso8601(t.created_at) +
                    ", updated " + format_iso8601(t.updated_at) + ")");
    return lines;
}

// Names as Glue catalogues them (lower case), with the files' own spelling where it differs.
ReportTable describe_columns(const TableDef& t) {
    const HiveStorage hive = hive_storage_of(t, {}, ExportOptions{.location = {}, .projection = false});
    ReportTable cols{{"column", "type", "kind", "in files"}, {}, {}};
    for (size_t i = 0; i < t.columns.size(); ++i) {
        const std::string& name = hive.columns[i].name;
        cols.rows.push_back({name, t.columns[i].type, "", name != t.columns[i].name ? t.columns[i].name : ""});
    }
    for (size_t i = 0; i < t.partition_keys.size(); ++i) {
        const auto& k = t.partition_keys[i];
        const std::string& name = hive.partition_keys[i].name;
        cols.rows.push_back({name, k.type, "partition key", name != k.name ? k.name : ""});
    }
    return cols;
}

// A partition's schema "differs" when a column has another type or is not in the table.
bool schema_differs(const TableDef& t, const PartitionDef& p) {
    return std::any_of(p.columns.begin(), p.columns.end(), [&](const ColumnDef& col) {
        auto it = std::find_if(t.columns.begin(), t.columns.end(), [&](const ColumnDef& x) { return x.name == col.name; });
        return it == t.columns.end() || it->type != col.type;
    });
}

void write_partition(JsonWriter& w, const PartitionDef& p, bool differs) {
    w.begin_object().key("values").begin_array();
    for (const auto& v : p.values) {
        w.value(v);
    }
    w.end_array().field("location", p.location);
    w.key("files").value(p.file_count).key("rows").value(p.rows).key("bytes").value(p.bytes);
    write_time(w, "ts_min", p.ts_min);
    write_time(w, "ts_max", p.ts_max);
    w.key("schema_differs").value(differs);
    w.key("columns");
    write_columns(w, p.columns);
    w.end_object();
}

} // namespace

Result<CatalogReport> databases_report(Catalog& catalog) {
    auto dbs = catalog.databases();
    if (!dbs) {
        return fail(dbs.error());
    }
    JsonWriter w;
    w.begin_array();
    ReportTable t{{"database", "tables", "created"}, {false, true, false}, {}};
    for (const auto& d : *dbs) {
        w.begin_object().field("name", d.name).key("tables").value(d.tables);
        w.field("created_at", format_iso8601(d.created_at)).end_object();
        t.rows.push_back({d.name, std::to_string(d.tables), format_iso8601(d.created_at)});
    }
    w.end_array();
    return CatalogReport{w.str(), {table_block(std::move(t))}};
}

Result<CatalogReport> tables_report(Catalog& catalog, std::string_view database) {
    auto tables = catalog.tables(database);
    if (!tables) {
        return fail(tables.error());
    }
    JsonWriter w;
    w.begin_array();
    ReportTable text{{"table", "format", "columns", "partitions", "files", "rows", "bytes", "version", "location"},
                     {false, false, true, true, true, true, true, true, false},
                     {}};
    for (const auto& t : *tables) {
        auto parts = catalog.partitions(t);
        if (!parts) {
            return fail(parts.error());
        }
        const TableTotals n = totals(*parts);
        w.begin_object().field("database", t.database).field("name", t.name).field("format", t.format);
        w.key("columns").value(static_cast<int64_t>(t.columns.size()));
        w.key("partitions").value(n.partitions).key("files").value(n.files).key("rows").value(n.rows);
        w.key("bytes").value(n.bytes).key("version").value(static_cast<int64_t>(t.schema_version));
        w.field("location", t.location).end_object();
        text.rows.push_back({t.qualified_name(), t.format, std::to_string(t.columns.size()),
                             std::to_string(n.partitions), std::to_string(n.files), std::to_string(n.rows),
                             std::to_string(n.bytes), std::to_string(t.schema_version), t.location});
    }
    w.end_array();
    return CatalogReport{w.str(), {table_block(std::move(text))}};
}

Result<CatalogReport> describe_report(Catalog& catalog, const TableDef& t) {
    auto parts = catalog.partitions(t);
    auto hist = catalog.history(t);
    if (!parts || !hist) {
        return fail(!parts ? parts.error() : hist.error());
    }
    const TableTotals n = totals(*parts);
    CatalogReport out{describe_json(t, n), {}};
    out.text.push_back(ReportBlock{describe_lines(t, n), std::nullopt});
    out.text.push_back(table_block(describe_columns(t)));
    if (!t.properties.empty()) {
        ReportTable props{{"property", "value"}, {}, {}};
        for (const auto& [k, v] : t.properties) {
            props.rows.push_back({k, v});
        }
        out.text.push_back(table_block(std::move(props)));
    }
    ReportTable versions{{"version", "when", "columns", "why"}, {true, false, true, false}, {}};
    for (const auto& v : *hist) {
        versions.rows.push_back(
            {std::to_string(v.version), format_iso8601(v.created_at), std::to_string(v.columns.size()), v.reason});
    }
    out.text.push_back(table_block(std::move(versions)));
    return out;
}

Result<CatalogReport> partitions_report(Catalog& catalog, const TableDef& t) {
    auto parts = catalog.partitions(t);
    if (!parts) {
        return fail(parts.error());
    }
    JsonWriter w;
    w.begin_array();
    ReportTable text{{"partition", "files", "rows", "bytes", "ts_min", "ts_max", "schema"},
                     {false, true, true, true, false, false, false},
                     {}};
    for (const auto& p : *parts) {
        const bool differs = schema_differs(t, p);
        write_partition(w, p, differs);
        text.rows.push_back({values_text(t, p.values), std::to_string(p.file_count), std::to_string(p.rows),
                             std::to_string(p.bytes), when(p.ts_min), when(p.ts_max), differs ? "differs" : "same"});
    }
    w.end_array();
    return CatalogReport{w.str(), {table_block(std::move(text))}};
}

Result<std::vector<std::string>> partition_values_of(const TableDef& t, std::string_view spec) {
    std::map<std::string, std::string> given;
    for (size_t start = 0; start <= spec.size();) {
        size_t end = spec.find('/', start);
        end = end == std::string_view::npos ? spec.size() : end;
        const std::string_view part = spec.substr(start, end - start);
        const size_t eq = part.find('=');
        if (eq == std::string_view::npos || eq == 0) {
            return fail(Error::invalid("partition '" + std::string(spec) + "' is not KEY=VALUE[/KEY=VALUE...] (e.g. " +
                                       values_text(t, std::vector<std::string>(t.partition_keys.size(), "...")) + ")"));
        }
        given[std::string(part.substr(0, eq))] = std::string(part.substr(eq + 1));
        start = end + 1;
    }
    std::vector<std::string> values;
    for (const auto& k : t.partition_keys) {
        auto it = given.find(k.name);
        if (it == given.end()) {
            break;
        }
        values.push_back(it->second);
        given.erase(it);
    }
    if (!given.empty() || values.size() != t.partition_keys.size()) {
        std::string keys;
        for (const auto& k : t.partition_keys) {
            keys += (keys.empty() ? "" : ", ") + k.name;
        }
        return fail(Error::invalid("partition '" + std::string(spec) + "' does not name every partition key of " +
                                   t.qualified_name() + " (" + (keys.empty() ? "it has none" : keys) + ")"));
    }
    return values;
}

Result<CatalogReport> files_report(Catalog& catalog, const TableDef& t, const std::string& partition) {
    Catalog::PartitionSet only;
    if (!partition.empty()) {
        auto values = partition_values_of(t, partition);
        if (!values) {
            return fail(values.error());
        }
        only.insert(std::move(*values));
    }
    auto files = catalog.files(t, partition.empty() ? nullptr : &only);
    if (!files) {
        return fail(files.error());
    }
    JsonWriter w;
    w.begin_array();
    ReportTable text{{"partition", "file", "rows", "bytes", "ts_min", "ts_max", "topic", "kafka partition",
                      "first offset", "last offset", "writer"},
                     {false, false, true, true, false, false, false, true, true, true, false},
                     {}};
    auto number = [](std::optional<int64_t> v) { return v ? std::to_string(*v) : ""; };
    auto json_number = [&w](std::string_view key, std::optional<int64_t> v) {
        w.key(key);
        v ? (void)w.value(*v) : (void)w.null();
    };
    for (const auto& f : *files) {
        const FileOrigin& o = f.origin;
        w.begin_object().field("key", f.key).key("partition").begin_array();
        for (const auto& v : f.partition_values) {
            w.value(v);
        }
        w.end_array();
        w.key("rows").value(f.rows).key("bytes").value(static_cast<int64_t>(f.size));
        write_time(w, "ts_min", f.ts_min);
        write_time(w, "ts_max", f.ts_max);
        w.key("topic");
        o.topic.empty() ? (void)w.null() : (void)w.value(o.topic);
        json_number("kafka_partition", o.kafka_partition);
        json_number("first_offset", o.first_offset);
        json_number("last_offset", o.last_offset);
        w.key("writer");
        o.writer.empty() ? (void)w.null() : (void)w.value(o.writer);
        w.end_object();
        const size_t slash = f.key.rfind('/');
        text.rows.push_back({values_text(t, f.partition_values), slash == std::string::npos ? f.key : f.key.substr(slash + 1),
                             std::to_string(f.rows), std::to_string(f.size), when(f.ts_min), when(f.ts_max), o.topic,
                             number(o.kafka_partition), number(o.first_offset), number(o.last_offset), o.writer});
    }
    w.end_array();
    return CatalogReport{w.str(), {table_block(std::move(text))}};
}

Result<std::string> drop_by_name(Catalog& catalog, std::string_view name) {
    const std::string note = " (its files are untouched)\n";
    if (name.find('.') == std::string_view::npos) {
        auto db = catalog.drop_database(name);
        if (!db) {
            return fail(db.error());
        }
        if (*db) {
            std::string out = "dropped database " + std::string(name) + " with " + std::to_string((*db)->size()) +
                              " table(s)" + note;
            for (const auto& t : **db) {
                out += "  " + t + "\n";
            }
            return out;
        }
    }
    auto t = catalog.resolve(name);
    if (!t) {
        return fail(Error::invalid("no database or table named " + std::string(name) + " in catalog " +
                                   catalog.path().string() + " (list them with `ticklake catalog tables`)"));
    }
    auto dropped = catalog.drop_table(t->database, t->name);
    if (!dropped) {
        return fail(dropped.error());
    }
    return "dropped table " + t->qualified_name() + " at " + t->location + note;
}

Result<CatalogReport> history_report(Catalog& catalog, const TableDef& t) {
    auto hist = catalog.history(t);
    if (!hist) {
        return fail(hist.error());
    }
    JsonWriter w;
    w.begin_array();
    ReportTable text{{"version", "when", "columns", "why"}, {true, false, false, false}, {}};
    for (const auto& v : *hist) {
        w.begin_object().key("version").value(static_cast<int64_t>(v.version));
        w.field("created_at", format_iso8601(v.created_at)).field("reason", v.reason);
        w.key("columns");
        write_columns(w, v.columns);
        w.key("partition_keys");
        write_columns(w, v.partition_keys);
        w.end_object();
        std::string cols;
        for (const auto& c : v.columns) {
            cols += (cols.empty() ? "" : ", ") + c.name + " " + c.type;
        }
        text.rows.push_back({std::to_string(v.version), format_iso8601(v.created_at), cols, v.reason});
    }
    w.end_array();
    return CatalogReport{w.str(), {table_block(std::move(text))}};
}

std::string render(const CatalogReport& report, bool json) {
    if (json) {
        return report.json;
    }
    std::string out;
    for (size_t i = 0; i < report.text.size(); ++i) {
        out += i > 0 ? "\n" : "";
        for (const auto& line : report.text[i].lines) {
            out += line + "\n";
        }
        if (const auto& t = report.text[i].table) {
            TextTable table(t->headers, t->right);
            for (const auto& row : t->rows) {
                table.add(row);
            }
            out += table.render();
        }
    }
    return out;
}

Result<TableExport> export_table(Catalog& catalog, const TableDef& t, bool glue, const ExportOptions& options) {
    auto parts = catalog.partitions(t);
    if (!parts) {
        return fail(parts.error());
    }
    if (t.columns.empty()) {
        // Athena and Glue need at least one column; an empty first file gives none yet.
        return fail(Error::invalid("table " + t.qualified_name() +
                                   " has no columns yet (its files hold no rows): crawl again once data has landed"));
    }
    TableExport out;
    out.text = glue ? glue_json(t, *parts, options) : athena_ddl(t, *parts, options);
    if (!glue && !is_s3_uri(t.location) && options.location.empty()) {
        out.note = "LOCATION is " + t.location + "; Athena needs s3:// (pass --location s3://...)";
    }
    return out;
}

} // namespace ticklake
