// Retention and hygiene of catalogued tables: `ticklake expire` drops whole partitions older
// than a cutoff (their files from the store, then their rows from the catalog), and
// `ticklake catalog prune` drops the tables whose location is gone. Both plan first and change
// nothing unless asked to apply (a dry run is the default).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/error.h"
#include "storage/object_store.h"

namespace ticklake {

struct ExpireOptions {
    int64_t older_than_us = 0; //!< a partition goes when all of it is older than now minus this
    bool apply = false;        //!< false: say what would go, change nothing
    TimestampUs now = 0;       //!< 0: the clock
    ObjectStoreOptions store;
};

struct ExpiredPartition {
    std::string name; //!< "dt=2024-01-02"
    std::vector<std::string> values;
    std::string location;
    int64_t files = 0;
    int64_t rows = 0;
    int64_t bytes = 0;
};

struct ExpireReport {
    std::string table; //!< "db.table"
    TimestampUs cutoff = 0;
    bool applied = false;
    std::vector<ExpiredPartition> partitions;
    int64_t files_deleted = 0; //!< from the store (applied only; a file already gone is not counted)
    //! Partitions kept because neither their values nor their event times date them.
    int64_t undated_partitions = 0;
};

//! The end (exclusive) of the time a partition holds: from its time keys (dt, hour, month,
//! year, decade, as the sink names them, read as UTC), else just after its newest event time;
//! nullopt when nothing dates it. A partition expires when this is at or before the cutoff.
std::optional<TimestampUs> partition_end(const TableDef& table, const PartitionDef& partition);

//! Expires the partitions of `table` older than the cutoff. Applied, each partition's files
//! are deleted from the store first, then the partition leaves the catalog in one transaction:
//! a crash between leaves catalogued files that are gone (a query leaves them out and says so),
//! and the next run finishes the job. Never the other way round, which would leave files a
//! crawl would bring back.
Result<ExpireReport> expire_table(Catalog& catalog, const TableDef& table, const ExpireOptions& options);

struct PruneReport {
    bool applied = false;
    std::vector<TableDef> gone; //!< tables whose location holds no object any more
};

//! Finds (and with `apply` drops from the catalog) the tables whose location is gone: a local
//! folder that does not exist, or an S3 prefix with no object. Files are never touched.
Result<PruneReport> prune_tables(Catalog& catalog, bool apply, const ObjectStoreOptions& store);

std::string render(const ExpireReport& report, bool json);
std::string render(const PruneReport& report, bool json);

} // namespace ticklake
