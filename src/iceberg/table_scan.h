// What a reader of an Iceberg table reads (spec "Scan Planning"): one snapshot (the current
// one, one by id, or the one current at a time), the schema it was written with, and the live
// data files its manifest list reaches, with their partition values and column bounds so a
// query can leave files out. The catalog says where the table's metadata file is; every other
// file is found from there, whichever engine wrote it (ticklake, PyIceberg, Spark).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "iceberg/manifest.h"
#include "iceberg/table_metadata.h"
#include "storage/object_store.h"

namespace ticklake::iceberg {

//! Which snapshot to read: the current one (neither set), `FOR VERSION AS OF id`, or
//! `FOR TIMESTAMP AS OF t` (the snapshot that was current at t, in ms since the epoch).
struct SnapshotChoice {
    std::optional<int64_t> snapshot_id;
    std::optional<int64_t> as_of_ms;
};

struct TableScan {
    std::optional<int64_t> snapshot_id;   //!< none: the table has no snapshot yet (no rows)
    std::vector<SchemaField> schema;      //!< the snapshot's schema (the current one without a snapshot)
    std::optional<int> day_source_id;     //!< the field day(...) partitions by, if any
    std::vector<DataFile> files;          //!< live data files; paths as the manifests give them
    TableMetadata metadata;               //!< the metadata file read (snapshots, logs)
};

//! The key of `uri` under the store root `root_uri` ("file:///wh" and "file:/wh/x" -> "x": Java
//! writers spell local files file:/path). invalid_argument when it is outside.
Result<std::string> key_under(std::string_view root_uri, std::string_view uri);

//! The bytes of a small file of the table (metadata, manifest list, manifest) at `uri`, which
//! must lie under the store's root; `what` names it in the error when it is missing.
Result<std::string> read_table_file(ObjectStore& store, std::string_view uri, std::string_view what);

//! Plans a scan of the table whose current metadata file is `metadata_location`. `store` is
//! rooted at the table's location (or above it): every file the table names must be under its
//! root. Tables with delete files (row-level deletes from Spark or Trino) are refused, as are
//! data files not in Parquet.
Result<TableScan> plan_table_scan(ObjectStore& store, std::string_view metadata_location,
                                  const SnapshotChoice& choice = {});

//! Iceberg's type name as DuckDB's ("long" -> BIGINT, "decimal(18, 8)" -> DECIMAL(18,8));
//! nullopt for nested types.
std::optional<std::string> duckdb_type_of(std::string_view iceberg_type);

//! DuckDB's read_parquet `schema` argument reading files by field id as `fields` say (names,
//! types; absent from a file: NULL): "MAP {1: {name: 'id', type: 'BIGINT', default_value: NULL}, ...}";
//! nullopt when a field has a nested type.
std::optional<std::string> field_id_schema(const std::vector<SchemaField>& fields);

//! The location of a table from its metadata file's ("<location>/metadata/<file>").
std::string table_location_of(std::string_view metadata_location);

//! The store root to open for a table at `location`: the location itself, spelled as ticklake
//! opens stores ("file:/wh/t" -> "file:///wh/t").
std::string store_root_of(std::string_view location);

} // namespace ticklake::iceberg
