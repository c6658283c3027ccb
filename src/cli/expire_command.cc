// `ticklake expire`: drops whole partitions older than a cutoff from a catalogued table (files
// and catalog rows), and the dead letters of its database; a dry run unless --apply.
#include <cstdio>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "common/quantity.h"
#include "retention/table_retention.h"

namespace ticklake::cli {

namespace {

struct ExpireFlags {
    CatalogFlags catalog;
    std::string table;
    std::string older_than;
    std::string dead_letters_older_than;
    bool apply = false;
    bool json = false;
    std::string s3_endpoint;
};

//! Expires `name` by `age` (a duration flag's text) and prints what went or would go.
Status expire_one(Catalog& catalog, const std::string& name, const std::string& age, const ExpireFlags& f) {
    auto table = catalog.resolve(name);
    if (!table) {
        return fail(table.error());
    }
    auto us = parse_duration_us(age);
    if (!us) {
        return fail(us.error());
    }
    ExpireOptions o;
    o.older_than_us = *us;
    o.apply = f.apply;
    o.store.s3_endpoint = f.s3_endpoint;
    auto report = expire_table(catalog, *table, o);
    if (!report) {
        return fail(report.error());
    }
    std::fputs(render(*report, f.json).c_str(), stdout);
    return {};
}

int run_expire(const ExpireFlags& f) {
    if (f.older_than.empty() && f.dead_letters_older_than.empty()) {
        return report_error("expire", Error::invalid("say how old: --older-than 400d and/or "
                                                     "--dead-letters-older-than 30d"));
    }
    // Read-only first, so a mistyped --catalog is an error, never a new empty catalog.
    auto c = Catalog::open_read_only(f.catalog.file());
    if (c && f.apply) {
        c = Catalog::open(f.catalog.file());
    }
    if (!c) {
        return report_error("expire", c.error());
    }
    auto table = c->resolve(f.table);
    if (!table) {
        return report_error("expire", table.error());
    }
    if (!f.older_than.empty()) {
        if (auto st = expire_one(*c, table->qualified_name(), f.older_than, f); !st) {
            return report_error("expire", st.error());
        }
    }
    if (!f.dead_letters_older_than.empty()) {
        // The sink writes a database's dead letters to its table `dead_letters`.
        const std::string dead = table->database + ".dead_letters";
        auto known = c->table(table->database, "dead_letters");
        if (known && !*known) {
            std::fputs((dead + ": not in the catalog; no dead letters to expire\n").c_str(), stdout);
            return 0;
        }
        if (auto st = expire_one(*c, dead, f.dead_letters_older_than, f); !st) {
            return report_error("expire", st.error());
        }
    }
    return 0;
}

} // namespace

void add_expire_command(CLI::App& app) {
    auto [cmd, f] = add_command<ExpireFlags>(
        app, "expire",
        "Drop the partitions of a catalogued table that are wholly older than a cutoff: their files from the\n"
        "warehouse, then their rows from the catalog. A dry run unless --apply:\n"
        "  ticklake expire market.trades --older-than 400d            # what would go\n"
        "  ticklake expire market.trades --older-than 400d --apply    # delete it\n"
        "A partition's age comes from its time folders (dt=, hour=, month=, year=, decade=, UTC), else from its\n"
        "newest event time.",
        run_expire);
    cmd->add_option("table", f->table, "Table: DATABASE.TABLE, or TABLE when unambiguous")->required();
    cmd->add_option("--older-than", f->older_than, "Age of the partitions to drop, e.g. 400d, 12h")
        ->type_name("DURATION");
    cmd->add_option("--dead-letters-older-than", f->dead_letters_older_than,
                    "Also drop the partitions of the database's dead_letters table older than this")
        ->type_name("DURATION");
    cmd->add_flag("--apply", f->apply, "Delete (without it, only say what would go)");
    cmd->add_flag("--json", f->json, "JSON on stdout instead of lines");
    f->catalog.add_to(*cmd, true);
    cmd->add_option("--s3-endpoint", f->s3_endpoint, "S3 endpoint override, e.g. http://127.0.0.1:9000 for MinIO");
}

} // namespace ticklake::cli
