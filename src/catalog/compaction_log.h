// What the catalog keeps about compactions (`ticklake compact`, src/maintenance/): each run, the
// files it replaced with their Kafka offsets (its lineage), and the replaced files still in the
// warehouse until their grace period ends. The files table itself is not touched by this: a
// compaction is a TableChange (remove the replaced, add the compacted) plus these rows, in one
// transaction (Catalog::swap_compacted).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog_model.h"
#include "common/timestamp.h"

namespace ticklake {

//! One compaction of one partition. `writing` until its swap commits; a run left `writing` by a
//! process that is gone is an orphan: its folder is removed and the row forgotten.
struct CompactionRun {
    int64_t id = 0;
    std::string database;
    std::string table;
    std::vector<std::string> partition_values;
    std::string warehouse; //!< URI of the warehouse root the keys are relative to
    std::string folder;    //!< key prefix of the run's output folder, ending in '/'
    std::string state;     //!< writing | committed
    TimestampUs started_at = 0;
};

//! A file a run replaced, with the Kafka offsets it held when its name tells them (the sink's
//! `<topic>-p<partition>-o<first offset>` names; a compacted file passes on its own lineage).
struct ReplacedFile {
    std::string key;
    int64_t rows = 0;
    std::optional<std::string> topic;
    std::optional<int64_t> kafka_partition;
    std::optional<int64_t> first_offset;
};

//! One lineage row: `replaced` went into run `run_id` (directly, or through `via`, a compacted
//! file of an earlier run that this run compacted again).
struct LineageEntry {
    int64_t run_id = 0;
    ReplacedFile replaced;
    std::string via; //!< empty when `replaced` was read by this run itself
};

//! The swap of a run: in one transaction, `replaced` leave the table's files, `compacted` join
//! it, the lineage is recorded and the replaced keys wait for deletion until `delete_after`.
struct CompactionSwap {
    int64_t run_id = 0;
    TableDef table;            //!< as read when the run was planned (its schema_version is checked)
    PartitionDef partition;    //!< location and columns of the partition
    std::vector<FileDef> compacted;
    std::vector<ReplacedFile> replaced;
    TimestampUs delete_after = 0;
};

//! A replaced file still in the warehouse, deleted once `not_before` has passed.
struct PendingDeletion {
    int64_t run_id = 0;
    std::string warehouse;
    std::string key;
    TimestampUs not_before = 0;
};

//! Keys a crawl must not register: replaced files in their grace period and the folders of
//! runs that have not swapped (an orphan's files would otherwise count twice).
struct CompactionShadow {
    std::vector<std::string> keys;     //!< sorted
    std::vector<std::string> prefixes; //!< folders ending in '/'
    bool covers(std::string_view key) const;
};

} // namespace ticklake
