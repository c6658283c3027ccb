// Which files of a table `ticklake compact` merges: per partition, the small Parquet files that
// have been quiet for a while. Pure (no store, no catalog): the planner sees the catalog's file
// list as it was when the run started, so files the sink registers meanwhile are never taken.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog_model.h"
#include "catalog/compaction_log.h"
#include "common/timestamp.h"

namespace ticklake {

struct CompactionPolicy {
    int64_t older_than_seconds = 3600;        //!< a file is quiet once its last write is this old
    uint64_t target_file_bytes = 128ull << 20; //!< files this large are done; outputs are cut near it
    //! Only this partition ("dt=2025-01-06", or "symbol=A/dt=2025-01-06" for several keys); empty: all.
    std::string partition;
};

struct PartitionPlan {
    std::vector<std::string> values;
    std::string folder;           //!< key prefix of the partition's folder, ending in '/'
    std::vector<FileDef> inputs;  //!< sorted by key
    int64_t rows = 0;
    uint64_t bytes = 0;
};

//! Partitions with at least two quiet small Parquet files, sorted by values. `keys` are the
//! table's partition keys (for matching `policy.partition`).
std::vector<PartitionPlan> plan_compaction(const std::vector<FileDef>& files, const Columns& keys,
                                           const CompactionPolicy& policy, TimestampUs now);

//! "dt=2025-01-06" (several keys joined by '/'), as `--partition` takes it.
std::string partition_spec(const Columns& keys, const std::vector<std::string>& values);

//! A replaced file's lineage fields from its name: the sink's `<topic>-p<n>-o<first offset>.<ext>`
//! tells topic, partition and first offset; other names leave them empty.
ReplacedFile replaced_file_of(const FileDef& file);

} // namespace ticklake
