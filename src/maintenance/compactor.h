// `ticklake compact`: merges each partition's small files into a few sorted Parquet files, in a
// new folder of the partition (`<partition>/compacted-<run>/part-N.parquet`), and swaps them into
// the catalog in one transaction. The steps, each safe to die after (docs/maintenance.md):
//   1. record the run (`writing`)          -> a crash leaves an orphan folder, removed next run
//   2. write and publish the outputs       -> the catalog still lists the inputs; crawls skip the folder
//   3. swap in the catalog (one transaction): outputs listed, inputs pending deletion
//   4. delete the inputs once --retain-replaced has passed (this run or a later one, or --gc)
// One compaction at a time per catalog (a lock file beside it): with the lock held, a run still
// `writing` belongs to a process that is gone.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/error.h"
#include "maintenance/compaction_plan.h"
#include "storage/object_store.h"

namespace ticklake {

struct CompactOptions {
    std::string table; //!< "db.table" or a unique table name; empty: every table of the catalog
    CompactionPolicy policy;
    int64_t retain_replaced_seconds = 3600; //!< grace period of replaced files (readers mid-query keep them)
    bool dry_run = false;                   //!< plan and report; change nothing
    bool gc_only = false;                   //!< only clean orphans and delete replaced files that are due
    ObjectStoreOptions store;
    int threads = 1; //!< DuckDB threads of a merge
};

struct PartitionCompaction {
    std::string table; //!< database.table
    std::string partition;
    size_t files_in = 0;
    uint64_t bytes_in = 0;
    int64_t rows = 0;
    size_t files_out = 0;
    uint64_t bytes_out = 0;
    std::string folder;  //!< where the outputs went
    std::string skipped; //!< why nothing was swapped (another writer won, ...); empty when done
};

struct CompactReport {
    std::vector<PartitionCompaction> partitions;
    size_t orphan_runs = 0;       //!< unfinished runs of dead processes cleaned up
    size_t orphan_files = 0;      //!< their files removed
    size_t replaced_deleted = 0;  //!< replaced files whose grace period had passed
    bool dry_run = false;
};

//! One pass over the table (or all tables): recover, collect garbage, plan, compact.
Result<CompactReport> compact(Catalog& catalog, const CompactOptions& options);

//! Lines for the terminal.
std::vector<std::string> compact_report_lines(const CompactReport& report);

struct WatchOptions {
    int64_t interval_seconds = 60;
    std::function<bool()> stop;                        //!< polled between passes and while waiting
    std::function<void(const CompactReport&)> on_pass; //!< after each pass that did something
};

//! `compact --watch`: a pass every interval until stop() says so. A pass that fails with a
//! retry error (a busy catalog, a store outage) is logged and tried again next interval.
Status watch_compactions(Catalog& catalog, const CompactOptions& options, const WatchOptions& watch);

} // namespace ticklake
