// A catalog table as Athena/Hive sees it: Athena-safe column names, the SerDe and input/output
// formats of its file type, partition projection, and the CREATE EXTERNAL TABLE statement.
// glue_json.h prints the same storage description in Glue's API shapes.
#pragma once

#include <map>
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

} // namespace ticklake
