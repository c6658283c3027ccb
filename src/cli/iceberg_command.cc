// `ticklake iceberg expire-snapshots | remove-orphan-files`: the upkeep of Iceberg tables
// (iceberg/table_maintenance.h). Dry runs unless --apply, as `ticklake expire`.
#include <cstdio>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "common/json_writer.h"
#include "common/quantity.h"
#include "iceberg/table_maintenance.h"

namespace ticklake::cli {

namespace {

struct IcebergFlags {
    CatalogFlags catalog;
    std::string table;
    std::string older_than;
    int retain_last = 1;
    std::string catalog_name = "ticklake";
    bool apply = false;
    bool json = false;
    std::string s3_endpoint;
};

Result<iceberg::TableMaintenanceOptions> options_of(const IcebergFlags& f) {
    auto us = parse_duration_us(f.older_than);
    if (!us) {
        return fail(us.error());
    }
    iceberg::TableMaintenanceOptions o;
    o.catalog_name = f.catalog_name;
    o.store.s3_endpoint = f.s3_endpoint;
    o.dry_run = !f.apply;
    o.older_than_us = *us;
    o.retain_last = f.retain_last;
    return o;
}

void print(const std::string& what, const std::vector<std::string>& files, bool dry_run, bool json,
           const std::function<void(JsonWriter&)>& more) {
    if (json) {
        JsonWriter w(0);
        w.begin_object();
        w.key("dry_run").value(dry_run);
        more(w);
        w.key("files").begin_array();
        for (const auto& f : files) {
            w.value(f);
        }
        w.end_array().end_object();
        std::fputs(w.str().c_str(), stdout);
        return;
    }
    for (const auto& f : files) {
        std::printf("%s %s\n", dry_run ? "would delete" : "deleted", f.c_str());
    }
    std::printf("%s%s\n", what.c_str(), dry_run ? " (dry run: pass --apply to delete)" : "");
}

int run_expire_snapshots(const IcebergFlags& f) {
    auto o = options_of(f);
    auto c = o ? (f.apply ? Catalog::open(f.catalog.file()) : Catalog::open_read_only(f.catalog.file()))
               : fail(o.error());
    if (!c) {
        return report_error("iceberg expire-snapshots", c.error());
    }
    auto r = iceberg::expire_snapshots(*c, f.table, *o);
    if (!r) {
        return report_error("iceberg expire-snapshots", r.error());
    }
    print(std::to_string(r->expired.size()) + " snapshot(s) expired, " + std::to_string(r->kept) + " kept, " +
              std::to_string(r->deleted.size()) + " file(s) only they reached",
          r->deleted, r->dry_run, f.json, [&](JsonWriter& w) {
              w.key("expired").begin_array();
              for (int64_t id : r->expired) {
                  w.value(id);
              }
              w.end_array();
              w.key("kept").value(static_cast<int64_t>(r->kept));
          });
    return 0;
}

int run_remove_orphans(const IcebergFlags& f) {
    auto o = options_of(f);
    auto c = o ? (f.apply ? Catalog::open(f.catalog.file()) : Catalog::open_read_only(f.catalog.file()))
               : fail(o.error());
    if (!c) {
        return report_error("iceberg remove-orphan-files", c.error());
    }
    auto r = iceberg::remove_orphan_files(*c, f.table, *o);
    if (!r) {
        return report_error("iceberg remove-orphan-files", r.error());
    }
    print(std::to_string(r->orphans.size()) + " orphan file(s) of " + std::to_string(r->listed) + " listed; " +
              std::to_string(r->too_new) + " unreferenced but newer than --older-than (maybe in flight), kept",
          r->orphans, r->dry_run, f.json, [&](JsonWriter& w) {
              w.key("listed").value(static_cast<int64_t>(r->listed));
              w.key("too_new").value(static_cast<int64_t>(r->too_new));
          });
    return 0;
}

void common_flags(CLI::App& cmd, IcebergFlags& f, const char* age_default) {
    f.older_than = age_default;
    cmd.add_option("table", f.table, "Table: DATABASE.TABLE")->required();
    cmd.add_option("--older-than", f.older_than, "Age cutoff, e.g. 5d, 12h")->type_name("DURATION")->capture_default_str();
    cmd.add_option("--iceberg-catalog-name", f.catalog_name, "The catalog name the table is recorded under")
        ->capture_default_str();
    cmd.add_flag("--apply", f.apply, "Delete (without it, only say what would go)");
    cmd.add_flag("--json", f.json, "JSON on stdout instead of lines");
    f.catalog.add_to(cmd, true);
    cmd.add_option("--s3-endpoint", f.s3_endpoint, "S3 endpoint override, e.g. http://127.0.0.1:9000 for MinIO");
}

} // namespace

void add_iceberg_command(CLI::App& app) {
    CLI::App* group = app.add_subcommand("iceberg", "Upkeep of Iceberg tables (sink --table-format iceberg): "
                                                    "expire-snapshots, remove-orphan-files");
    group->require_subcommand(1);
    auto [expire, ef] = add_command<IcebergFlags>(
        *group, "expire-snapshots",
        "Take snapshots older than --older-than out of an Iceberg table (the newest --retain-last and the current\n"
        "one always stay), then delete the data files, manifests and manifest lists only they reached. Time travel\n"
        "to an expired snapshot ends; files a kept snapshot reaches are never touched. A dry run unless --apply:\n"
        "  ticklake iceberg expire-snapshots market.trades --older-than 5d\n"
        "  ticklake iceberg expire-snapshots market.trades --older-than 5d --apply",
        run_expire_snapshots);
    common_flags(*expire, *ef, "5d");
    expire->add_option("--retain-last", ef->retain_last, "Snapshots kept whatever their age")->capture_default_str();
    auto [orphans, of] = add_command<IcebergFlags>(
        *group, "remove-orphan-files",
        "Delete files under an Iceberg table's location that no snapshot of its metadata reaches and the catalog\n"
        "does not list (writes that lost a commit, compactions that died), older than --older-than: younger ones may\n"
        "belong to a commit in flight. A dry run unless --apply:\n"
        "  ticklake iceberg remove-orphan-files market.trades --older-than 3d --apply",
        run_remove_orphans);
    common_flags(*orphans, *of, "3d");
}

} // namespace ticklake::cli
