// Changes to an Iceberg table other than the sink's appends, each one atomic snapshot or
// metadata swap through the catalog (compare-and-swap of its pointer, retried when another
// writer moved it): compaction's `replace` snapshot (readers see the old files or the new,
// never both), expire-snapshots (old snapshots leave the metadata, then the files only they
// reached are deleted), and remove-orphan-files (files under the table's location that no
// snapshot reaches: attempts that lost the swap, runs that died). Expiry and orphan removal
// have dry runs. Spec: "Maintenance" in docs/iceberg.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/error.h"
#include "iceberg/manifest.h"
#include "iceberg/table_scan.h"
#include "storage/object_store.h"

namespace ticklake::iceberg {

struct ExpireReport {
    std::vector<int64_t> expired;       //!< snapshot ids taken out of the metadata
    size_t kept = 0;                     //!< snapshots left
    std::vector<std::string> deleted;    //!< files deleted (or, dry run, to delete): data, manifests, lists
    bool dry_run = false;
};

struct OrphanReport {
    size_t listed = 0;                   //!< files under the table's location
    std::vector<std::string> orphans;    //!< removed (or, dry run, to remove): keys under the location
    size_t too_new = 0;                  //!< unreferenced but younger than the cutoff (maybe in flight)
    bool dry_run = false;
};

class IcebergTable {
public:
    //! The table the catalog's pointer names; its files through a store at the table's location.
    static Result<IcebergTable> open(Catalog& catalog, const IcebergTableRef& ref, const ObjectStoreOptions& store);

    ObjectStore& store() { return *store_; }
    const IcebergTableRef& ref() const { return ref_; }
    //! The current snapshot's files and schema (reloaded from the catalog's pointer).
    Result<TableScan> current();
    //! A `replace` snapshot: `removed` (paths as the manifests give them) leave the table and
    //! `added` join it, in one commit. When another writer committed first it is tried again on
    //! top, as long as every removed file is still in the table (else: retry error, nothing
    //! committed). Returns the new snapshot's id.
    Result<int64_t> commit_replace(const std::vector<std::string>& removed, const std::vector<DataFile>& added);
    //! Takes out snapshots older than `older_than_ms` beyond the newest `retain_last` (the
    //! current one always stays), then deletes the files only they reached.
    Result<ExpireReport> expire_snapshots(int64_t older_than_ms, int retain_last, bool dry_run);
    //! Deletes files under the location that no snapshot in the metadata reaches, that the
    //! ticklake catalog does not list either, and that are older than `older_than_us`.
    Result<OrphanReport> remove_orphan_files(int64_t older_than_us, bool dry_run);

private:
    IcebergTable(Catalog& catalog, IcebergTableRef ref, std::unique_ptr<ObjectStore> store)
        : catalog_(&catalog), ref_(std::move(ref)), store_(std::move(store)) {}
    Result<std::pair<std::string, TableMetadata>> load();
    //! Writes `m` as the next metadata file after `pointer` and swaps the catalog to it; false
    //! when another writer moved the pointer first.
    Result<bool> swap(const std::string& pointer, TableMetadata& m);

    Catalog* catalog_;
    IcebergTableRef ref_;
    std::unique_ptr<ObjectStore> store_;
};

struct TableMaintenanceOptions {
    std::string catalog_name = "ticklake"; //!< iceberg_tables.catalog_name
    ObjectStoreOptions store;
    bool dry_run = true;       //!< say what would go; change nothing
    int64_t older_than_us = 0; //!< age of the snapshots to expire / the orphans to remove
    int retain_last = 1;       //!< expire: snapshots kept whatever their age (the newest)
};

//! `ticklake iceberg expire-snapshots DATABASE.TABLE`.
Result<ExpireReport> expire_snapshots(Catalog& catalog, std::string_view table, const TableMaintenanceOptions& options);
//! `ticklake iceberg remove-orphan-files DATABASE.TABLE`.
Result<OrphanReport> remove_orphan_files(Catalog& catalog, std::string_view table,
                                         const TableMaintenanceOptions& options);

} // namespace ticklake::iceberg
