// `ticklake catalog`: what the catalog holds (databases, tables, partitions, schema history),
// as an aligned table or JSON, and exports for Athena (DDL) and Glue (API JSON).
#include <cstdio>
#include <type_traits>

#include "catalog/catalog_report.h"
#include "cli/cli_support.h"
#include "cli/commands.h"

namespace ticklake::cli {

namespace {

struct CatalogCommandFlags {
    CatalogFlags catalog;
    bool json = false;
    std::string table;
    ExportOptions export_options;
    bool no_projection = false;
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
    auto t = c ? c->resolve(f.table) : fail(c.error());
    f.export_options.projection = !f.no_projection;
    auto out = t ? export_table(*c, *t, glue, f.export_options) : fail(t.error());
    if (out) {
        std::fputs(out->text.c_str(), stdout);
    }
    if (out && !out->note.empty()) {
        std::fprintf(stderr, "catalog: note: %s\n", out->note.c_str());
    }
    return exit_status("catalog", out);
}

} // namespace

void add_catalog_command(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand(
        "catalog", "Show what the catalog holds and export it to Athena or Glue.\n"
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
    for (bool glue : {false, true}) {
        auto [s, f] = add_command<CatalogCommandFlags>(
            *cmd, glue ? "export-glue" : "export-ddl",
            glue ? "Print the input JSON of Glue's CreateTable and BatchCreatePartition (100 partitions per call):\n"
                   "  ticklake catalog export-glue T > t.json\n"
                   "  aws glue create-table --cli-input-json \"$(jq .CreateTable t.json)\"\n"
                   "  aws glue batch-create-partition --cli-input-json \"$(jq '.BatchCreatePartition[0]' t.json)\""
                 : "Print Athena CREATE EXTERNAL TABLE DDL: the SerDe of the file format, PARTITIONED BY, LOCATION,\n"
                   "and partition projection so Athena finds new partitions with no crawler or MSCK REPAIR",
            [glue](CatalogCommandFlags& f) { return run_export(f, glue); });
        s->add_option("table", f->table, "Table: DATABASE.TABLE, or TABLE when unambiguous")->required();
        f->catalog.add_to(*s, true);
        s->add_option("--location", f->export_options.location,
                      "Table location to print instead of the crawled one, e.g. s3://bucket/warehouse/market/trades/ "
                      "for a local warehouse uploaded to S3 (partition locations follow)");
        s->add_flag("--no-projection", f->no_projection, "Leave out the partition projection properties");
    }
}

} // namespace ticklake::cli
