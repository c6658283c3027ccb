#include "query/catalog_tables.h"
#include "common/warehouse_uri.h"
#include "query/iceberg_tables.h"

#include <filesystem>
#include <algorithm>
#include <map>
#include <set>

namespace ticklake::query {

namespace fs = std::filesystem;

std::string warehouse_root(const std::string& location, const std::string& key) {
    std::string loc = location;
    while (!loc.empty() && loc.back() == '/') {
        loc.pop_back();
    }
    // The longest leading folder path of the key that the location ends with.
    std::string best;
    for (size_t slash = key.find('/'); slash != std::string::npos; slash = key.find('/', slash + 1)) {
        const std::string prefix = key.substr(0, slash);
        if (loc.size() > prefix.size() && loc.ends_with("/" + prefix)) {
            best = prefix;
        }
    }
    if (best.empty()) {
        return loc; // the key is relative to the location itself
    }
    return loc.substr(0, loc.size() - best.size() - 1);
}

namespace {

// A file the catalog lists but the local folder no longer holds would fail the whole query:
// leave it out and count it. A table left with no file at all is named in gone_tables with
// the way out, instead of DuckDB's "does not exist".
void leave_out_missing_files(const std::string& path, std::vector<PlannedTable>& planned,
                             const std::map<std::string, std::pair<std::string, size_t>>& locations,
                             CatalogBinding& out) {
    for (auto& p : planned) {
        const size_t before = p.files.size();
        std::erase_if(p.files, [&](const ObjectEntry& e) {
            std::error_code ec;
            const bool gone = !fs::exists(fs::path(path) / e.key, ec);
            out.missing_files += gone ? 1 : 0;
            return gone;
        });
        if (before > 0 && p.files.empty()) {
            const std::string name = p.database + "." + p.table;
            const auto& [location, listed] = locations.at(name);
            out.missing_files -= before;
            out.gone_tables.push_back("table " + name + ": all " + std::to_string(listed) +
                                      " file(s) the catalog lists are gone from " + location +
                                      " (moved or deleted). Crawl the warehouse where they are now, or take the table "
                                      "out of the catalog: `ticklake catalog prune --apply` or `ticklake catalog drop " +
                                      name + "`");
        }
    }
}

} // namespace

Result<CatalogBinding> bind_catalog(Catalog& catalog, const WarehouseScanOptions& options,
                                    const ObjectStoreOptions& store_options) {
    auto tables = catalog.tables();
    if (!tables) {
        return fail(tables.error());
    }
    // An Iceberg table is read through its snapshot, not through the files registered for it.
    auto iceberg = catalog.iceberg_tables_by_name();
    if (!iceberg) {
        return fail(iceberg.error());
    }
    std::set<std::string> iceberg_names;
    for (const auto& t : *iceberg) {
        iceberg_names.insert(t.ns + "." + t.table);
    }
    CatalogBinding out;
    std::map<std::string, std::vector<PlannedTable>> by_root;
    std::map<std::string, std::pair<std::string, size_t>> locations; //!< table -> location, files listed
    for (const auto& t : *tables) {
        out.all_names.push_back(t.qualified_name());
        if (iceberg_names.erase(t.qualified_name()) > 0) {
            continue;
        }
        if (!options.only_tables.empty() && std::find(options.only_tables.begin(), options.only_tables.end(),
                                                      t.qualified_name()) == options.only_tables.end()) {
            continue;
        }
        auto files = catalog.files(t);
        if (!files) {
            return fail(files.error());
        }
        if (files->empty()) {
            continue;
        }
        PlannedTable p{t.database, t.name, t.format, {}};
        for (const auto& f : *files) {
            if (options.time_filter && !options.time_filter(t.qualified_name(), f.ts_min, f.ts_max)) {
                ++out.files_skipped_by_time;
                continue;
            }
            p.files.push_back({f.key, f.size, f.modified});
        }
        if (p.files.empty()) {
            // A table with no file is no table to DuckDB: one file keeps its columns (the
            // query's condition then finds no row in it).
            const FileDef& f = files->front();
            p.files.push_back({f.key, f.size, f.modified});
            --out.files_skipped_by_time;
        }
        locations[t.qualified_name()] = {t.location, files->size()};
        by_root[warehouse_root(t.location, files->front().key)].push_back(std::move(p));
    }
    for (auto& [root, planned] : by_root) {
        const bool local = !is_s3_uri(root);
        if (local) {
            const std::string path = root.rfind("file://", 0) == 0 ? root.substr(7) : root;
            leave_out_missing_files(path, planned, locations, out);
            if (!fs::is_directory(path)) {
                continue;
            }
            out.local_tables = true;
        }
        ObjectStoreOptions o = store_options;
        o.probe = false; // the catalog already says what is there; S3 answers on the first fetch
        auto store = open_object_store(root, o);
        if (!store) {
            return fail(store.error());
        }
        if (auto st = bind_files(**store, std::move(planned), options, out.tables); !st) {
            return fail(st.error());
        }
    }
    out.all_names.insert(out.all_names.end(), iceberg_names.begin(), iceberg_names.end()); // Iceberg-only tables
    std::sort(out.all_names.begin(), out.all_names.end());
    if (auto st = bind_iceberg_tables(*iceberg, options, store_options, out.tables, out.local_tables, out.gone_tables);
        !st) {
        return fail(st.error());
    }
    return out;
}

} // namespace ticklake::query
