// Iceberg v2 manifests and manifest lists (spec "Manifests", "Manifest Lists"): Avro container
// files whose schemas carry the spec's field ids (readers resolve fields by id, not by name).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "iceberg/table_metadata.h"

namespace ticklake::iceberg {

//! One Parquet data file of a manifest.
struct DataFile {
    //! The manifest entry's status: 0 EXISTING, 1 ADDED, 2 DELETED.
    int status = 1;
    //! The snapshot that added it (DELETED: that deleted it) and its data and file sequence
    //! numbers; unset: those of the snapshot writing the manifest (read: inherited as the spec says).
    std::optional<int64_t> snapshot_id;
    std::optional<int64_t> sequence_number;
    std::optional<int64_t> file_sequence_number;
    std::string path; //!< URI
    std::string format = "PARQUET"; //!< file_format as the manifest says
    int64_t record_count = 0;
    int64_t file_size = 0;
    std::optional<int32_t> day; //!< the day(ts) partition value (days since 1970-01-01), if partitioned
    //! Per field id, Iceberg's single-value binary form (e.g. a timestamp: 8 bytes little-endian).
    std::map<int, std::string> lower_bounds;
    std::map<int, std::string> upper_bounds;
};

//! A manifest of `files` (each with its status; ids and sequence numbers it leaves unset are
//! snapshot_id's and sequence_number's).
std::string write_manifest(const TableMetadata& table, int64_t snapshot_id, int64_t sequence_number,
                           const std::vector<DataFile>& files);

struct ManifestFile;
//! The data files a manifest lists as live (added or existing, not deleted). With `listed` (its
//! entry in the manifest list), ids and sequence numbers left null are inherited from it.
Result<std::vector<DataFile>> read_manifest(std::string_view bytes, const ManifestFile* listed = nullptr);

struct PartitionSummary {
    bool contains_null = false;
    std::optional<bool> contains_nan;
    std::optional<std::string> lower_bound;
    std::optional<std::string> upper_bound;
};

//! One entry of a manifest list.
struct ManifestFile {
    std::string path;
    int64_t length = 0;
    int32_t partition_spec_id = 0;
    int32_t content = 0; //!< 0 data, 1 deletes
    int64_t sequence_number = 0;
    int64_t min_sequence_number = 0;
    int64_t added_snapshot_id = 0;
    int32_t added_files = 0, existing_files = 0, deleted_files = 0;
    int64_t added_rows = 0, existing_rows = 0, deleted_rows = 0;
    std::optional<std::vector<PartitionSummary>> partitions;
};

//! The entry of a manifest just written with these files (counted by their status; the
//! manifest's sequence number is sequence_number, its minimum the files' least data one).
ManifestFile describe_manifest(std::string path, int64_t length, int64_t snapshot_id, int64_t sequence_number,
                               const std::vector<DataFile>& files, bool partitioned);

std::string write_manifest_list(const std::vector<ManifestFile>& manifests, int64_t snapshot_id,
                                std::optional<int64_t> parent_id, int64_t sequence_number);
Result<std::vector<ManifestFile>> read_manifest_list(std::string_view bytes);

} // namespace ticklake::iceberg
