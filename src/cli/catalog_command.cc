// `ticklake catalog`: what the catalog holds (databases, tables, partitions, schema history),
// as an aligned table or JSON, and exports for Athena (DDL) and Glue (API JSON); `drop` and
// `prune` take tables out of it; `push-glue` makes AWS Glue hold it.
#include <cstdio>
#include <type_traits>

#include "catalog/catalog_report.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "glue/glue_push.h"
#include "glue/iceberg_source.h"
#include "retention/table_retention.h"

namespace ticklake::cli {

namespace {

struct CatalogCommandFlags {
    CatalogFlags catalog;
    bool json = false;
    std::string table;
    ExportOptions export_options;
    bool no_projection = false;
    std::string s3_endpoint; //!< exports: where an Iceberg table's metadata file is read
};

//! Opens the catalog, finds the table the command names (TABLE or db.table) when it names one,
//! and prints what `make` reports.
template <class Make>
int run_report(const CatalogCommandFlags& f, Make make) {
    auto c = Catalog::open_read_only(f.catalog.file());
    Result<CatalogReport> report = c ? fail(Error::fatal("no report")) : fail(c.error());
    if constexpr (std::is_invocable_v<Make, Catalog&>) {
        report = c ? make(*c) : report;
    } else {
        auto t = c ? c->resolve(f.table) : fail(c.error());
        report = t ? make(*c, *t) : fail(t.error());
    }
    if (report) {
        std::fputs(render(*report, f.json).c_str(), stdout);
    }
    return exit_status("catalog", report);
}

int run_export(CatalogCommandFlags& f, bool glue) {
    auto c = Catalog::open_read_only(f.catalog.file());
    f.export_options.projection = !f.no_projection;
    ObjectStoreOptions store;
    store.s3_endpoint = f.s3_endpoint;
    // An Iceberg table of that name is exported in Iceberg's form, else the Hive registration.
    auto iceberg = c ? glue::find_iceberg_table(*c, f.table, store) : fail(c.error());
    Result<TableExport> out = iceberg ? fail(Error::fatal("no export")) : fail(iceberg.error());
    if (iceberg && *iceberg) {
        out = glue::iceberg_table_export(**iceberg, glue, f.export_options);
    } else if (iceberg) {
        auto t = c->resolve(f.table);
        out = t ? export_table(*c, *t, glue, f.export_options) : fail(t.error());
    }
    if (out) {
        std::fputs(out->text.c_str(), stdout);
    }
    if (out && !out->note.empty()) {
        std::fprintf(stderr, "catalog: note: %s\n", out->note.c_str());
    }
    return exit_status("catalog", out);
}

struct CatalogChangeFlags {
    CatalogFlags catalog;
    std::string name;
    bool apply = false;
    bool json = false;
    std::string s3_endpoint;
};

int run_drop(const CatalogChangeFlags& f) {
    // Read-only first, so a mistyped --catalog is an error, never a new empty catalog.
    auto c = Catalog::open_read_only(f.catalog.file());
    if (c) {
        c = Catalog::open(f.catalog.file());
    }
    auto out = c ? drop_by_name(*c, f.name) : fail(c.error());
    if (out) {
        std::fputs(out->c_str(), stdout);
    }
    return exit_status("catalog drop", out);
}

int run_prune(const CatalogChangeFlags& f) {
    auto c = Catalog::open_read_only(f.catalog.file());
    if (c && f.apply) {
        c = Catalog::open(f.catalog.file());
    }
    ObjectStoreOptions store;
    store.s3_endpoint = f.s3_endpoint;
    auto report = c ? prune_tables(*c, f.apply, store) : fail(c.error());
    if (report) {
        std::fputs(render(*report, f.json).c_str(), stdout);
    }
    return exit_status("catalog prune", report);
}

struct PushGlueFlags {
    CatalogFlags catalog;
    std::string table;
    bool all = false;
    bool json = false;
    bool no_projection = false;
    std::string glue_endpoint;
    std::string s3_endpoint;
    glue::GluePushOptions options;
};

int run_push_glue(PushGlueFlags& f) {
    if (f.all == !f.table.empty()) {
        return report_error("catalog push-glue", Error::invalid("name one TABLE, or pass --all (not both)"));
    }
    f.options.export_options.projection = !f.no_projection;
    auto c = Catalog::open_read_only(f.catalog.file());
    ObjectStoreOptions store;
    store.s3_endpoint = f.s3_endpoint;
    Result<std::vector<TableDef>> tables = c ? fail(Error::fatal("no tables")) : fail(c.error());
    std::vector<IcebergTableDef> iceberg;
    if (c && f.all) {
        tables = c->tables();
        auto all = tables ? glue::read_iceberg_tables(*c, store) : fail(tables.error());
        if (all) {
            iceberg = std::move(*all);
        } else {
            tables = fail(all.error());
        }
    } else if (c) {
        auto one = glue::find_iceberg_table(*c, f.table, store);
        auto t = c->resolve(f.table);
        if (!one) {
            tables = fail(one.error());
        } else if (*one) {
            // Pushed in the Hive table's place; also when the Hive registration is missing.
            iceberg.push_back(std::move(**one));
            tables = t ? std::vector<TableDef>{*t} : std::vector<TableDef>{};
        } else {
            tables = t ? Result<std::vector<TableDef>>(std::vector<TableDef>{*t}) : fail(t.error());
        }
    }
    auto client = tables ? glue::open_glue_client(f.glue_endpoint) : fail(tables.error());
    auto pushed = client ? glue::push_to_glue(*c, *tables, iceberg, **client, f.options) : fail(client.error());
    if (pushed) {
        std::fputs(render(glue::glue_push_report(*pushed), f.json).c_str(), stdout);
    }
    return exit_status("catalog push-glue", pushed);
}

void add_push_glue(CLI::App& cmd) {
    auto [s, f] = add_command<PushGlueFlags>(
        cmd, "push-glue",
        "Make AWS Glue hold a table (or every table) as export-glue prints it: CreateDatabase, CreateTable or "
        "UpdateTable, and partitions created, updated and deleted 100 per call. Reads Glue first and sends only "
        "what differs, so a second run sends no write. An Iceberg table (sink --table-format iceberg) is "
        "registered as Athena reads it: table_type=ICEBERG and its current metadata_location, its schema's "
        "columns, no partitions. Credentials and region from the AWS default chain",
        run_push_glue);
    s->add_option("table", f->table, "Table: DATABASE.TABLE, or TABLE when unambiguous");
    s->add_flag("--all", f->all, "Every table of the catalog");
    f->catalog.add_to(*s, true);
    s->add_option("--database-prefix", f->options.database_prefix,
                  "Prefix of the Glue database names, e.g. prod_ puts market.trades into prod_market.trades");
    s->add_flag("--dry-run", f->options.dry_run, "Read Glue and print what would change; send no write");
    s->add_option("--glue-endpoint", f->glue_endpoint,
                  "Glue endpoint URL (default: AWS_ENDPOINT_URL_GLUE, AWS_ENDPOINT_URL, else "
                  "https://glue.<region>.amazonaws.com)");
    s->add_option("--location", f->options.export_options.location,
                  "Table location to register instead of the crawled one, e.g. s3://bucket/warehouse/market/trades/ "
                  "for a local warehouse uploaded to S3 (partition locations follow; not for Iceberg tables, "
                  "whose metadata names every path)");
    s->add_flag("--no-projection", f->no_projection, "Leave out the partition projection properties");
    s->add_option("--s3-endpoint", f->s3_endpoint,
                  "S3 endpoint override for reading Iceberg metadata files, e.g. http://127.0.0.1:9000 for MinIO");
    s->add_flag("--json", f->json, "JSON on stdout instead of a diff");
}

void add_drop_and_prune(CLI::App& cmd) {
    auto [drop, df] = add_command<CatalogChangeFlags>(
        cmd, "drop", "Remove a table (DATABASE.TABLE, or TABLE when unambiguous) or a whole DATABASE from the "
                     "catalog, with its partitions, files and schema versions. The data files stay where they are",
        run_drop);
    drop->add_option("name", df->name, "DATABASE.TABLE, TABLE or DATABASE")->required();
    df->catalog.add_to(*drop, true);
    auto [prune, pf] = add_command<CatalogChangeFlags>(
        cmd, "prune", "Drop the tables whose location is gone (a deleted folder, an S3 prefix with no object). "
                      "A dry run unless --apply",
        run_prune);
    pf->catalog.add_to(*prune, true);
    prune->add_flag("--apply", pf->apply, "Drop them (without it, only say which would go)");
    prune->add_flag("--json", pf->json, "JSON on stdout instead of lines");
    prune->add_option("--s3-endpoint", pf->s3_endpoint, "S3 endpoint override, e.g. http://127.0.0.1:9000 for MinIO");
}

} // namespace

void add_catalog_command(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand(
        "catalog", "Show what the catalog holds and export it to Athena or Glue (or push it to Glue).\n"
                   "Tables are named DATABASE.TABLE, or TABLE when only one database has it.");
    cmd->require_subcommand(1);
    auto sub = [&](const char* name, const char* help, auto make, bool table) {
        auto [s, f] = add_command<CatalogCommandFlags>(
            *cmd, name, help, [make](const CatalogCommandFlags& f) { return run_report(f, make); });
        if (table) {
            s->add_option("table", f->table, "Table: DATABASE.TABLE, or TABLE when unambiguous")->required();
        }
        f->catalog.add_to(*s, true);
        s->add_flag("--json", f->json, "JSON on stdout instead of an aligned table");
        return s;
    };
    sub("databases", "Databases and how many tables each holds", databases_report, false);
    auto tf = std::make_shared<std::string>();
    CLI::App* tables = sub("tables", "Tables with format, partitions, files, rows, bytes and schema version",
                           [tf](Catalog& c) { return tables_report(c, *tf); }, false);
    tables->add_option("--database", *tf, "Only the tables of this database");
    sub("describe", "One table: location, format, columns, partition keys, properties, totals, schema versions",
        describe_report, true);
    sub("partitions", "Partitions of a table: values, files, rows, bytes, event-time range, and whether "
                      "their schema differs from the table's",
        partitions_report, true);
    sub("history", "Schema versions of a table: when, why, and the columns of each", history_report, true);
    auto partition = std::make_shared<std::string>();
    CLI::App* files = sub("files", "Files of a table: rows, bytes, event-time range, and the Kafka topic, partition "
                                   "and offsets each holds",
                          [partition](Catalog& c, const TableDef& t) { return files_report(c, t, *partition); }, true);
    files->add_option("--partition", *partition, "Only this partition, e.g. dt=2025-01-06 (KEY=VALUE/...)");
    add_drop_and_prune(*cmd);
    add_push_glue(*cmd);
    for (bool glue : {false, true}) {
        auto [s, f] = add_command<CatalogCommandFlags>(
            *cmd, glue ? "export-glue" : "export-ddl",
            glue ? "Print the input JSON of Glue's CreateTable and BatchCreatePartition (100 partitions per call):\n"
                   "  ticklake catalog export-glue T > t.json\n"
                   "  aws glue create-table --cli-input-json \"$(jq .CreateTable t.json)\"\n"
                   "  aws glue batch-create-partition --cli-input-json \"$(jq '.BatchCreatePartition[0]' t.json)\"\n"
                   "An Iceberg table's: table_type=ICEBERG and its metadata_location, no partitions"
                 : "Print Athena CREATE EXTERNAL TABLE DDL: the SerDe of the file format, PARTITIONED BY, LOCATION,\n"
                   "and partition projection so Athena finds new partitions with no crawler or MSCK REPAIR.\n"
                   "An Iceberg table's: CREATE TABLE ... PARTITIONED BY (day(ts)) TBLPROPERTIES ('table_type'='ICEBERG',\n"
                   "'metadata_location'=...), with comments on registering it (push-glue, Trino, Spark)",
            [glue](CatalogCommandFlags& f) { return run_export(f, glue); });
        s->add_option("table", f->table, "Table: DATABASE.TABLE, or TABLE when unambiguous")->required();
        f->catalog.add_to(*s, true);
        s->add_option("--location", f->export_options.location,
                      "Table location to print instead of the crawled one, e.g. s3://bucket/warehouse/market/trades/ "
                      "for a local warehouse uploaded to S3 (partition locations follow; not for Iceberg tables)");
        s->add_flag("--no-projection", f->no_projection, "Leave out the partition projection properties");
        s->add_option("--s3-endpoint", f->s3_endpoint,
                      "S3 endpoint override for reading Iceberg metadata files, e.g. http://127.0.0.1:9000 for MinIO");
    }
}

} // namespace ticklake::cli
