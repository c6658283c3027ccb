// A catalog table in the input shapes of Glue's CreateTable and BatchCreatePartition calls
// (TableInput, PartitionInputList), ready for `aws glue create-table --cli-input-json`; and the
// same shapes as values, so `catalog push-glue` (glue/) sends and compares exactly what the
// export prints.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "catalog/athena_ddl.h"
#include "catalog/catalog_model.h"
#include "common/json_writer.h"

namespace ticklake {

//! Glue accepts at most this many partitions per BatchCreatePartition call.
constexpr size_t kGluePartitionsPerBatch = 100;

//! Name/value parameters in the order they are written (Glue itself keeps no order).
using GlueParameters = std::vector<std::pair<std::string, std::string>>;

//! Glue's StorageDescriptor, the fields ticklake sets. An Iceberg table's has no formats and no
//! SerDe: those fields are then left out of the JSON.
struct GlueStorage {
    Columns columns;
    std::string location;
    std::string input_format;
    std::string output_format;
    bool compressed = false;
    std::string serde;
    GlueParameters serde_parameters;
    bool operator==(const GlueStorage&) const = default;
};

//! Glue's TableInput, the fields ticklake sets.
struct GlueTableInput {
    std::string name;
    std::string table_type = "EXTERNAL_TABLE";
    GlueParameters parameters;
    Columns partition_keys;
    GlueStorage storage;
};

//! Glue's PartitionInput.
struct GluePartitionInput {
    std::vector<std::string> values;
    GlueStorage storage;
    GlueParameters parameters; //!< recordCount, objectCount, sizeKey
};

//! A whole catalog table as Glue holds it: database, table and partitions.
struct GlueTable {
    std::string database; //!< Athena-safe name
    GlueTableInput table;
    std::vector<GluePartitionInput> partitions; //!< empty for an unpartitioned table
};

GlueTable glue_table_of(const TableDef& table, const std::vector<PartitionDef>& partitions, const ExportOptions& options);

//! An Iceberg table as Iceberg's own GlueCatalog registers it, which is what Athena reads:
//! TableType EXTERNAL_TABLE, Parameters table_type=ICEBERG, metadata_location and (when there is
//! one) previous_metadata_location, a StorageDescriptor of the current schema's columns and the
//! table location only (no SerDe, no formats), no partition keys (Iceberg's partitioning is
//! hidden) and no partitions.
GlueTable glue_iceberg_table_of(const IcebergTableDef& table);

//! The JSON objects of Glue's API: StorageDescriptor, TableInput, PartitionInput.
void write_glue_storage(JsonWriter& w, const GlueStorage& s);
void write_glue_table_input(JsonWriter& w, const GlueTableInput& t);
void write_glue_partition_input(JsonWriter& w, const GluePartitionInput& p);

//! {"CreateTable": {DatabaseName, TableInput}, "BatchCreatePartition": [{DatabaseName,
//! TableName, PartitionInputList}, ...]} with one BatchCreatePartition request per 100 partitions.
std::string glue_json(const TableDef& table, const std::vector<PartitionDef>& partitions, const ExportOptions& options);
std::string glue_json(const GlueTable& table);

} // namespace ticklake
