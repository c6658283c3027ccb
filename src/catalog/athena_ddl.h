// A catalog table as Athena/Hive sees it: Athena-safe column names, the SerDe and input/output
// formats of its file type, partition projection, and the CREATE EXTERNAL TABLE statement.
// glue_json.h prints the same storage description in Glue's API shapes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog_model.h"

namespace ticklake {

struct ExportOptions {
    //! Table location to print instead of the crawled one (e.g. the s3:// URI a local warehouse
    //! is uploaded to); partition locations move with it. Empty: as crawled.
    std::string location;
    //! Partition projection TBLPROPERTIES, so Athena finds partitions without a crawler or
    //! MSCK REPAIR TABLE.
    bool projection = true;
};

//! Storage description shared by the DDL and the Glue export.
struct HiveStorage {
    std::string serde;         //!< SerDe class
    std::string input_format;  //!< InputFormat class
    std::string output_format; //!< OutputFormat class
    std::map<std::string, std::string> serde_parameters;
    std::map<std::string, std::string> table_parameters; //!< classification, header skip, projection, ...
    Columns columns;        //!< names as Glue catalogues them (glue_column_name), unique
    Columns partition_keys; //!< same
    std::string location;   //!< table location, ending in '/'
    bool compressed = false; //!< text files compressed (gzip): readers decompress by extension
    std::vector<std::string> notes; //!< renamed columns and what the reader does about them
};

//! Lower case with characters outside [a-z0-9_] as '_': Athena's rule for database and table names.
std::string athena_name(std::string_view name);

//! A column's name as Glue's crawler catalogues it: the name in the files in lower case
//! ("Adj Close" -> "adj close"), spaces and punctuation kept; control characters and backticks,
//! which no DDL can quote, become '_'. Parquet and JSON readers (Athena, Trino, Spark, DuckDB)
//! match columns to this name without regard to case, so nothing is renamed in the files.
std::string glue_column_name(std::string_view name);

HiveStorage hive_storage_of(const TableDef& table, const std::vector<PartitionDef>& partitions,
                            const ExportOptions& options);

//! Partition location after moving the table to options.location.
std::string export_location(const TableDef& table, const std::string& location, const ExportOptions& options);

//! CREATE EXTERNAL TABLE for Athena, with '-- ' comment lines for anything renamed.
std::string athena_ddl(const TableDef& table, const std::vector<PartitionDef>& partitions, const ExportOptions& options);

//! An Iceberg table as Glue and Athena register it: its current metadata file and what that
//! file says. glue/iceberg_source.h reads it; here it is only text.
struct IcebergTableDef {
    std::string database; //!< the table's namespace in the catalog file
    std::string name;
    std::string location;          //!< the metadata's `location` (the table root)
    std::string metadata_location; //!< the current metadata file (the catalog's pointer)
    std::string previous_metadata_location; //!< the metadata log's last file; empty for a new table
    std::vector<std::string> metadata_history; //!< every metadata file of the log, oldest first
    Columns columns; //!< the current schema, with Iceberg's type names (long, decimal(18, 8), ...)
    std::optional<std::string> day_partition_column; //!< the spec is day(this column); none: unpartitioned
};

//! The Hive/Glue type of an Iceberg primitive type, as Iceberg's own Glue catalog writes it:
//! long -> bigint, timestamptz -> timestamp, time and uuid -> string, fixed[n] -> binary,
//! decimal(18, 8) -> decimal(18,8); a type it does not know stays as it is.
std::string hive_type_of_iceberg(std::string_view iceberg_type);

//! The columns of `table` as Glue catalogues them (glue_column_name, Hive types).
Columns glue_columns_of(const IcebergTableDef& table);

//! Athena's CREATE TABLE of an Iceberg table, with '-- ' comment lines on how to register it.
std::string athena_iceberg_ddl(const IcebergTableDef& table);

} // namespace ticklake
