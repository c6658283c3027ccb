// `ticklake compact` on an Iceberg table: per day(ts) partition (the whole table when it is
// unpartitioned), the small data files of the current snapshot merged into a few sorted ones,
// read and written by field id (files of older schemas read under the current one), and
// swapped in by one `replace` snapshot: readers see the old files or the new, never both. The
// replaced files stay, reachable from older snapshots, until `ticklake iceberg expire-snapshots`.
#pragma once

#include <filesystem>

#include "catalog/catalog.h"
#include "common/error.h"
#include "crawler/parquet_footer_reader.h"
#include "maintenance/compactor.h"

namespace ticklake {

Status compact_iceberg_table(Catalog& catalog, const IcebergTableRef& ref, const TableDef& table,
                             const CompactOptions& options, ParquetFooterReader& footers,
                             const std::filesystem::path& scratch, CompactReport& report);

} // namespace ticklake
