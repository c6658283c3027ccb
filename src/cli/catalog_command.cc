// `ticklake catalog`: what the catalog holds (databases, tables, partitions, schema history),
// as an aligned table or JSON, and exports for Athena (DDL) and Glue (API JSON).
#include <cstdio>

#include <fmt/format.h>

#include "catalog/athena_ddl.h"
#include "catalog/catalog.h"
#include "catalog/glue_json.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/text_table.h"
#include "common/json_writer.h"

namespace ticklake::cli {

namespace {

struct CatalogCommandFlags {
    CatalogFlags catalog;
    bool json = false;
    std::string database;
    std::string table;
    ExportOptions export_options;
    bool no_projection = false;
};

std::string when(std::optional<TimestampUs> t) { return t ? format_iso8601(*t) : ""; }

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
};

TableTotals totals(const std::vector<PartitionDef>& parts) {
    TableTotals t;
    for (const auto& p : parts) {
        ++t.partitions;
        t.files += p.file_count;
        t.rows += p.rows;
        t.bytes += p.bytes;
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

Result<Catalog> open(const CatalogCommandFlags& f) {
    return Catalog::open(f.catalog.path.empty() ? default_catalog_path() : std::filesystem::path(f.catalog.path));
}

struct OpenedTable {
    Catalog catalog;
    TableDef table;
};

//! The catalog and the table the command names (TABLE or db.table).
Result<OpenedTable> open_table(const CatalogCommandFlags& f) {
    auto c = open(f);
    if (!c) {
        return fail(c.error());
    }
    auto t = c->resolve(f.table);
    if (!t) {
        return fail(t.error());
    }
    return OpenedTable{std::move(*c), std::move(*t)};
}

int run_databases(const CatalogCommandFlags& f) {
    auto c = open(f);
    if (!c) {
        return report_error("catalog", c.error());
    }
    auto dbs = c->databases();
    if (!dbs) {
        return report_error("catalog", dbs.error());
    }
    if (f.json) {
        JsonWriter w;
        w.begin_array();
        for (const auto& d : *dbs) {
            w.begin_object().field("name", d.name).key("tables").value(d.tables);
            w.field("created_at", format_iso8601(d.created_at)).end_object();
        }
        w.end_array();
        std::fputs(w.str().c_str(), stdout);
        return 0;
    }
    TextTable t({"database", "tables", "created"}, {false, true, false});
    for (const auto& d : *dbs) {
        t.add({d.name, std::to_string(d.tables), format_iso8601(d.created_at)});
    }
    t.print();
    return 0;
}

int run_tables(const CatalogCommandFlags& f) {
    auto c = open(f);
    if (!c) {
        return report_error("catalog", c.error());
    }
    auto tables = c->tables(f.database);
    if (!tables) {
        return report_error("catalog", tables.error());
    }
    JsonWriter w;
    w.begin_array();
    TextTable text({"table", "format", "columns", "partitions", "files", "rows", "bytes", "version", "location"},
                   {false, false, true, true, true, true, true, true, false});
    for (const auto& t : *tables) {
        auto parts = c->partitions(t);
        if (!parts) {
            return report_error("catalog", parts.error());
        }
        const TableTotals n = totals(*parts);
        w.begin_object().field("database", t.database).field("name", t.name).field("format", t.format);
        w.key("columns").value(static_cast<int64_t>(t.columns.size()));
        w.key("partitions").value(n.partitions).key("files").value(n.files).key("rows").value(n.rows);
        w.key("bytes").value(n.bytes).key("version").value(static_cast<int64_t>(t.schema_version));
        w.field("location", t.location).end_object();
        text.add({t.qualified_name(), t.format, std::to_string(t.columns.size()), std::to_string(n.partitions),
                  std::to_string(n.files), std::to_string(n.rows), std::to_string(n.bytes),
                  std::to_string(t.schema_version), t.location});
    }
    w.end_array();
    if (f.json) {
        std::fputs(w.str().c_str(), stdout);
    } else {
        text.print();
    }
    return 0;
}

int run_describe(const CatalogCommandFlags& f) {
    auto opened = open_table(f);
    if (!opened) {
        return report_error("catalog", opened.error());
    }
    Catalog& c = opened->catalog;
    const TableDef& t = opened->table;
    auto parts = c.partitions(t);
    auto hist = c.history(t);
    if (!parts || !hist) {
        return report_error("catalog", !parts ? parts.error() : hist.error());
    }
    const TableTotals n = totals(*parts);
    std::optional<TimestampUs> lo;
    std::optional<TimestampUs> hi;
    for (const auto& p : *parts) {
        if (p.ts_min) {
            lo = lo ? std::min(*lo, *p.ts_min) : *p.ts_min;
        }
        if (p.ts_max) {
            hi = hi ? std::max(*hi, *p.ts_max) : *p.ts_max;
        }
    }
    if (f.json) {
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
        w.key("ts_min");
        lo ? (void)w.value(format_iso8601(*lo)) : (void)w.null();
        w.key("ts_max");
        hi ? (void)w.value(format_iso8601(*hi)) : (void)w.null();
        w.key("schema_version").value(static_cast<int64_t>(t.schema_version));
        w.field("created_at", format_iso8601(t.created_at)).field("updated_at", format_iso8601(t.updated_at));
        w.end_object();
        std::fputs(w.str().c_str(), stdout);
        return 0;
    }
    std::printf("table        %s\nlocation     %s\nformat       %s (%s)\n", t.qualified_name().c_str(),
                t.location.c_str(), t.format.c_str(), t.compression.c_str());
    std::printf("data         %lld partitions, %lld files, %lld rows, %lld bytes\n",
                static_cast<long long>(n.partitions), static_cast<long long>(n.files), static_cast<long long>(n.rows),
                static_cast<long long>(n.bytes));
    if (lo) {
        std::printf("event time   %s .. %s\n", format_iso8601(*lo).c_str(), format_iso8601(*hi).c_str());
    }
    std::printf("version      %d (created %s, updated %s)\n\n", t.schema_version,
                format_iso8601(t.created_at).c_str(), format_iso8601(t.updated_at).c_str());
    // Names as Glue catalogues them (lower case), with the files' own spelling where it differs.
    const HiveStorage hive = hive_storage_of(t, {}, ExportOptions{.location = {}, .projection = false});
    TextTable cols({"column", "type", "kind", "in files"});
    for (size_t i = 0; i < t.columns.size(); ++i) {
        const auto& col = t.columns[i];
        const std::string& name = hive.columns[i].name;
        cols.add({name, col.type, "", name != col.name ? col.name : ""});
    }
    for (size_t i = 0; i < t.partition_keys.size(); ++i) {
        const auto& k = t.partition_keys[i];
        const std::string& name = hive.partition_keys[i].name;
        cols.add({name, k.type, "partition key", name != k.name ? k.name : ""});
    }
    cols.print();
    if (!t.properties.empty()) {
        std::puts("");
        TextTable props({"property", "value"});
        for (const auto& [k, v] : t.properties) {
            props.add({k, v});
        }
        props.print();
    }
    std::puts("");
    TextTable versions({"version", "when", "columns", "why"}, {true, false, true, false});
    for (const auto& v : *hist) {
        versions.add({std::to_string(v.version), format_iso8601(v.created_at), std::to_string(v.columns.size()),
                      v.reason});
    }
    versions.print();
    return 0;
}

int run_partitions(const CatalogCommandFlags& f) {
    auto opened = open_table(f);
    if (!opened) {
        return report_error("catalog", opened.error());
    }
    Catalog& c = opened->catalog;
    const TableDef& t = opened->table;
    auto parts = c.partitions(t);
    if (!parts) {
        return report_error("catalog", parts.error());
    }
    JsonWriter w;
    w.begin_array();
    TextTable text({"partition", "files", "rows", "bytes", "ts_min", "ts_max", "schema"},
                   {false, true, true, true, false, false, false});
    for (const auto& p : *parts) {
        // A partition's schema "differs" when a column has another type or is not in the table.
        bool differs = false;
        for (const auto& col : p.columns) {
            auto it = std::find_if(t.columns.begin(), t.columns.end(),
                                   [&](const ColumnDef& x) { return x.name == col.name; });
            differs = differs || it == t.columns.end() || it->type != col.type;
        }
        w.begin_object().key("values").begin_array();
        for (const auto& v : p.values) {
            w.value(v);
        }
        w.end_array().field("location", p.location);
        w.key("files").value(p.file_count).key("rows").value(p.rows).key("bytes").value(p.bytes);
        w.key("ts_min");
        p.ts_min ? (void)w.value(format_iso8601(*p.ts_min)) : (void)w.null();
        w.key("ts_max");
        p.ts_max ? (void)w.value(format_iso8601(*p.ts_max)) : (void)w.null();
        w.key("schema_differs").value(differs);
        w.key("columns");
        write_columns(w, p.columns);
        w.end_object();
        text.add({values_text(t, p.values), std::to_string(p.file_count), std::to_string(p.rows),
                  std::to_string(p.bytes), when(p.ts_min), when(p.ts_max), differs ? "differs" : "same"});
    }
    w.end_array();
    if (f.json) {
        std::fputs(w.str().c_str(), stdout);
    } else {
        text.print();
    }
    return 0;
}

int run_history(const CatalogCommandFlags& f) {
    auto opened = open_table(f);
    if (!opened) {
        return report_error("catalog", opened.error());
    }
    Catalog& c = opened->catalog;
    const TableDef& t = opened->table;
    auto hist = c.history(t);
    if (!hist) {
        return report_error("catalog", hist.error());
    }
    if (f.json) {
        JsonWriter w;
        w.begin_array();
        for (const auto& v : *hist) {
            w.begin_object().key("version").value(static_cast<int64_t>(v.version));
            w.field("created_at", format_iso8601(v.created_at)).field("reason", v.reason);
            w.key("columns");
            write_columns(w, v.columns);
            w.key("partition_keys");
            write_columns(w, v.partition_keys);
            w.end_object();
        }
        w.end_array();
        std::fputs(w.str().c_str(), stdout);
        return 0;
    }
    TextTable text({"version", "when", "columns", "why"}, {true, false, false, false});
    for (const auto& v : *hist) {
        std::string cols;
        for (const auto& c2 : v.columns) {
            cols += (cols.empty() ? "" : ", ") + c2.name + " " + c2.type;
        }
        text.add({std::to_string(v.version), format_iso8601(v.created_at), cols, v.reason});
    }
    text.print();
    return 0;
}

int run_export(CatalogCommandFlags& f, bool glue) {
    auto opened = open_table(f);
    if (!opened) {
        return report_error("catalog", opened.error());
    }
    Catalog& c = opened->catalog;
    const TableDef& t = opened->table;
    auto parts = c.partitions(t);
    if (!parts) {
        return report_error("catalog", parts.error());
    }
    if (t.columns.empty()) {
        // Athena and Glue need at least one column; an empty first file gives none yet.
        return report_error("catalog", Error::invalid("table " + t.qualified_name() +
                                                      " has no columns yet (its files hold no rows): crawl again "
                                                      "once data has landed"));
    }
    f.export_options.projection = !f.no_projection;
    const std::string out = glue ? glue_json(t, *parts, f.export_options) : athena_ddl(t, *parts, f.export_options);
    std::fputs(out.c_str(), stdout);
    if (!glue && !t.location.starts_with("s3://") && f.export_options.location.empty()) {
        std::fprintf(stderr, "catalog: note: LOCATION is %s; Athena needs s3:// (pass --location s3://...)\n",
                     t.location.c_str());
    }
    return 0;
}

} // namespace

void add_catalog_command(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand(
        "catalog", "Show what the catalog holds and export it to Athena or Glue.\n"
                   "Tables are named DATABASE.TABLE, or TABLE when only one database has it.");
    cmd->require_subcommand(1);
    auto sub = [&](const char* name, const char* help, int (*run)(const CatalogCommandFlags&), bool table,
                   bool json = true) {
        auto f = std::make_shared<CatalogCommandFlags>();
        CLI::App* s = cmd->add_subcommand(name, help);
        if (table) {
            s->add_option("table", f->table, "Table: DATABASE.TABLE, or TABLE when unambiguous")->required();
        }
        f->catalog.add_to(*s);
        if (json) {
            s->add_flag("--json", f->json, "JSON on stdout instead of an aligned table");
        }
        s->callback([f, run] { exit_code = run(*f); });
        return std::make_pair(s, f);
    };
    sub("databases", "Databases and how many tables each holds", run_databases, false);
    auto [tables, tf] = sub("tables", "Tables with format, partitions, files, rows, bytes and schema version",
                            run_tables, false);
    tables->add_option("--database", tf->database, "Only the tables of this database");
    sub("describe", "One table: location, format, columns, partition keys, properties, totals, schema versions",
        run_describe, true);
    sub("partitions", "Partitions of a table: values, files, rows, bytes, event-time range, and whether "
                      "their schema differs from the table's",
        run_partitions, true);
    sub("history", "Schema versions of a table: when, why, and the columns of each", run_history, true);
    for (bool glue : {false, true}) {
        auto f = std::make_shared<CatalogCommandFlags>();
        CLI::App* s = cmd->add_subcommand(
            glue ? "export-glue" : "export-ddl",
            glue ? "Print the input JSON of Glue's CreateTable and BatchCreatePartition (100 partitions per call):\n"
                   "  ticklake catalog export-glue T > t.json\n"
                   "  aws glue create-table --cli-input-json \"$(jq .CreateTable t.json)\"\n"
                   "  aws glue batch-create-partition --cli-input-json \"$(jq '.BatchCreatePartition[0]' t.json)\""
                 : "Print Athena CREATE EXTERNAL TABLE DDL: the SerDe of the file format, PARTITIONED BY, LOCATION,\n"
                   "and partition projection so Athena finds new partitions with no crawler or MSCK REPAIR");
        s->add_option("table", f->table, "Table: DATABASE.TABLE, or TABLE when unambiguous")->required();
        f->catalog.add_to(*s);
        s->add_option("--location", f->export_options.location,
                      "Table location to print instead of the crawled one, e.g. s3://bucket/warehouse/market/trades/ "
                      "for a local warehouse uploaded to S3 (partition locations follow)");
        s->add_flag("--no-projection", f->no_projection, "Leave out the partition projection properties");
        s->callback([f, glue] { exit_code = run_export(*f, glue); });
    }
}

} // namespace ticklake::cli
