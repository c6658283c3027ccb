// What `ticklake catalog` shows, as values: JSON for scripts, and for people blocks of lines and
// aligned tables that the command prints. Kept here, beside the catalog, so the command only
// chooses and prints.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/athena_ddl.h"
#include "catalog/catalog.h"
#include "common/error.h"

namespace ticklake {

//! Rows of an aligned text table; `right` marks the columns of numbers (aligned right).
struct ReportTable {
    std::vector<std::string> headers;
    std::vector<bool> right;
    std::vector<std::vector<std::string>> rows;
};

//! Lines, then a table (either may be empty); blocks are printed with a blank line between.
struct ReportBlock {
    std::vector<std::string> lines;
    std::optional<ReportTable> table;
};

struct CatalogReport {
    std::string json; //!< ends with a newline
    std::vector<ReportBlock> text;
};

//! What the command prints on stdout: the JSON, or the blocks with a blank line between and
//! each table aligned.
std::string render(const CatalogReport& report, bool json);

Result<CatalogReport> databases_report(Catalog& catalog);
//! Tables of one database, or of all when `database` is empty, with their totals.
Result<CatalogReport> tables_report(Catalog& catalog, std::string_view database);
//! Location, format, columns, partition keys, properties, totals and schema versions.
Result<CatalogReport> describe_report(Catalog& catalog, const TableDef& table);
//! Partitions with their totals, event-time range and whether their schema differs.
Result<CatalogReport> partitions_report(Catalog& catalog, const TableDef& table);
Result<CatalogReport> history_report(Catalog& catalog, const TableDef& table);
//! Files of a table (of one partition, "dt=2025-01-06" or "k1=a/k2=b", when given): rows,
//! bytes, event-time range, and the Kafka topic, partition and offsets they hold.
Result<CatalogReport> files_report(Catalog& catalog, const TableDef& table, const std::string& partition);
//! `catalog drop NAME`: a database when NAME has no dot and is one, else the table NAME resolves
//! to, with everything the catalog holds of it (never its files); what was dropped, as text.
//! invalid_argument when nothing has that name.
Result<std::string> drop_by_name(Catalog& catalog, std::string_view name);
//! A partition's values in key order from "k1=a/k2=b"; invalid_argument unless it names every key.
Result<std::vector<std::string>> partition_values_of(const TableDef& table, std::string_view spec);

struct TableExport {
    std::string text; //!< Athena DDL or Glue's API JSON
    std::string note; //!< for stderr, when the export needs a change before use; may be empty
};

//! Athena DDL (glue = false) or Glue's CreateTable/BatchCreatePartition JSON of one table;
//! invalid_argument for a table without columns (Athena and Glue need one).
Result<TableExport> export_table(Catalog& catalog, const TableDef& table, bool glue, const ExportOptions& options);

} // namespace ticklake
