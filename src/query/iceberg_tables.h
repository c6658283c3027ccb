// Iceberg tables as the query engine binds them: the catalog's iceberg_tables rows point at
// metadata files; a table's files are those of one snapshot (the current one, or the one a
// `FOR VERSION AS OF` / `FOR TIMESTAMP AS OF` names), read by field id with the snapshot's
// schema, and left out by their partition values and ts bounds where the query's conditions on
// ts allow. Each table also gets `<table>$snapshots`, its history as rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/error.h"
#include "query/warehouse_tables.h"
#include "storage/object_store.h"

namespace ticklake::query {

//! Binds `tables` (those options.only_tables allows), their `$snapshots`, and the snapshots
//! options.snapshots asks for, into `out`; local_tables is set when one is in a local folder.
//! A table that cannot be read (its metadata gone, delete files) fails the binding when the
//! query names it (options.only_tables or a snapshot asked for), else it is left out with the
//! reason in `unreadable`: one broken table must not take the shell's other tables with it.
Status bind_iceberg_tables(const std::vector<IcebergTableRef>& tables, const WarehouseScanOptions& options,
                           const ObjectStoreOptions& store_options, WarehouseTables& out, bool& local_tables,
                           std::vector<std::string>& unreadable);

//! `FROM t FOR VERSION AS OF 42` / `FOR TIMESTAMP AS OF '2026-01-02 10:00:00'` (also Spark's
//! `VERSION AS OF`, `TIMESTAMP AS OF`, and FOR SYSTEM_VERSION / SYSTEM_TIME) rewritten to
//! views of their own, `t@v42` / `t@t<ms>`, with what each must bind. Strings, quoted names
//! and comments are left alone. A time without an offset is UTC.
struct TimeTravelSql {
    std::string sql;
    std::vector<SnapshotRequest> requests;
};
Result<TimeTravelSql> rewrite_time_travel(std::string_view sql);

} // namespace ticklake::query
