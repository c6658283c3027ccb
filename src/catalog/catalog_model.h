// What the catalog holds, as plain values: the crawler builds them, the catalog stores them,
// the exporters and `ticklake catalog` print them. Types are Hive/Athena type names
// (boolean, int, bigint, double, string, date, timestamp, ...), the common language of Glue,
// Athena, Trino and Spark.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/timestamp.h"

namespace ticklake {

struct ColumnDef {
    std::string name; //!< as in the files (may hold spaces or capitals)
    std::string type; //!< Hive type name
    bool operator==(const ColumnDef&) const = default;
};

using Columns = std::vector<ColumnDef>;

struct TableDef {
    std::string database;
    std::string name;
    std::string location;    //!< URI of the table's folder, ending in '/'
    std::string format;      //!< parquet | jsonl | csv
    std::string compression; //!< zstd, snappy, gzip, none, ... (Parquet: the codec of the first column chunk)
    Columns columns;
    Columns partition_keys;
    std::map<std::string, std::string> properties; //!< classifier details (csv delimiter, header, ...)
    int schema_version = 0;                        //!< latest entry of history()
    TimestampUs created_at = 0;
    TimestampUs updated_at = 0;

    std::string qualified_name() const { return database + "." + name; }
};

struct PartitionDef {
    std::vector<std::string> values; //!< one per partition key, in key order
    std::string location;            //!< URI of the partition's folder, ending in '/'
    int64_t file_count = 0;
    int64_t bytes = 0;
    int64_t rows = 0;
    std::optional<TimestampUs> ts_min; //!< event time (`ts` column) range, when the files have one
    std::optional<TimestampUs> ts_max;
    Columns columns; //!< schema of this partition's files; differs from the table's when reported
    TimestampUs created_at = 0;
};

//! Where a file's rows came from, when a sink wrote it (its commit says, or its name
//! <topic>-p<partition>-o<first offset>.<ext> does); empty for files of other writers.
struct FileOrigin {
    std::string topic;
    std::optional<int64_t> kafka_partition;
    //! Offsets of the batch the file was cut from: every row of the file is in this range
    //! (a batch spread over several tables or days holds the range's other rows elsewhere).
    std::optional<int64_t> first_offset;
    std::optional<int64_t> last_offset; //!< known from the sink's commit only
    std::string writer;                 //!< "ticklake 0.1.0" when the sink registered it
};

//! One data file as the crawler last read it; size and mtime tell whether it changed.
struct FileDef {
    std::string key; //!< object key relative to the warehouse root
    std::vector<std::string> partition_values;
    uint64_t size = 0;
    TimestampUs modified = 0;
    int64_t rows = 0;
    std::optional<TimestampUs> ts_min;
    std::optional<TimestampUs> ts_max;
    Columns columns; //!< this file's own schema
    FileOrigin origin;
};

struct SchemaVersion {
    int version = 0;
    TimestampUs created_at = 0;
    std::string reason; //!< why: "created by crawl", "column 'x' added (first in key ...)", ...
    Columns columns;
    Columns partition_keys;
};

//! One atomic change to a table: applied in one transaction, so a crash leaves either all of
//! it or none of it in the catalog.
struct TableChange {
    TableDef table;                         //!< new state of the table (columns, format, properties)
    std::optional<std::string> new_version; //!< reason, when the schema changed (or the table is new)
    std::vector<PartitionDef> partitions;   //!< partitions touched: location and columns (counts are derived)
    std::vector<FileDef> upsert_files;
    std::vector<std::string> remove_files; //!< keys no longer in the warehouse
    //! Schema version the change was computed from (0: the table must not exist yet; -1: do not
    //! check). When another writer changed the table since, apply() fails with a retry error and
    //! changes nothing, so two writers never overwrite each other's columns.
    int base_version = -1;
};

//! A row of iceberg_tables: which catalog name (readers give it), namespace, table, and where
//! its current metadata file is.
struct IcebergTableRef {
    std::string catalog;
    std::string ns;
    std::string table;
    std::string metadata_location;
};

} // namespace ticklake
