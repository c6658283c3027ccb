// A catalog table in the input shapes of Glue's CreateTable and BatchCreatePartition calls
// (TableInput, PartitionInputList), ready for `aws glue create-table --cli-input-json`.
#pragma once

#include <string>
#include <vector>

#include "catalog/athena_ddl.h"
#include "catalog/catalog_model.h"

namespace ticklake {

//! Glue accepts at most this many partitions per BatchCreatePartition call.
constexpr size_t kGluePartitionsPerBatch = 100;

//! {"CreateTable": {DatabaseName, TableInput}, "BatchCreatePartition": [{DatabaseName,
//! TableName, PartitionInputList}, ...]} with one BatchCreatePartition request per 100 partitions.
std::string glue_json(const TableDef& table, const std::vector<PartitionDef>& partitions, const ExportOptions& options);

} // namespace ticklake
