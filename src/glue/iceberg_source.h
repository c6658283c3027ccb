// The Iceberg tables of a catalog file (its `iceberg_tables` pointers), each read from its
// current metadata file through the storage layer (a local folder or S3), in the shape
// catalog/athena_ddl.h's IcebergTableDef gives the Glue push and the exports. Which form of a
// table push-glue and export-ddl use: the Iceberg one when the catalog file holds an Iceberg
// table of that DATABASE.TABLE, the Hive one (the sink's registration) otherwise.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/catalog_report.h"
#include "common/error.h"
#include "storage/object_store.h"

namespace ticklake::glue {

//! Every Iceberg table of the catalog file, by namespace and name; when several catalog names
//! hold one (`--iceberg-catalog-name`), the `ticklake` one's (as `ticklake query` picks).
Result<std::vector<IcebergTableDef>> read_iceberg_tables(Catalog& catalog, const ObjectStoreOptions& store);

//! The Iceberg table `name` names (DATABASE.TABLE, or TABLE when only one namespace has it);
//! nullopt when the catalog file has none of that name.
Result<std::optional<IcebergTableDef>> find_iceberg_table(Catalog& catalog, std::string_view name,
                                                          const ObjectStoreOptions& store);

//! One table, from its current metadata file.
Result<IcebergTableDef> read_iceberg_table(const IcebergTableRef& ref, const ObjectStoreOptions& store);

//! export-ddl's (glue = false) or export-glue's text of an Iceberg table. `options.location` does
//! not apply (an Iceberg table's metadata and manifests name every file's path): a note says so.
TableExport iceberg_table_export(const IcebergTableDef& table, bool glue, const ExportOptions& options);

} // namespace ticklake::glue
