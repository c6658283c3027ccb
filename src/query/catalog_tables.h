// The catalog's tables as the query engine binds them: Glue's role for Athena. The files of
// each table come from the catalog (what the crawler and the sink registered), so a query
// lists nothing; tables in local folders are read in place, tables on S3 through the
// read-through cache. Several warehouses may share one catalog, as buckets share Glue.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/error.h"
#include "query/warehouse_tables.h"
#include "storage/object_store.h"

namespace ticklake::query {

struct CatalogBinding {
    WarehouseTables tables;
    std::vector<std::string> all_names;  //!< every "database.table" in the catalog
    uint64_t missing_files = 0;          //!< local files the catalog lists that are gone (re-crawl)
    //! Tables whose files are all gone, each as the message that says so and what to do.
    std::vector<std::string> gone_tables;
    uint64_t files_skipped_by_time = 0; //!< left out by WarehouseScanOptions::time_filter
    bool local_tables = false;           //!< some table is in a local folder
};

//! The warehouse root of a table: its location minus the folder its file keys start with
//! ("file:///wh/market/trades/" + key "market/trades/dt=.../x" -> "file:///wh").
std::string warehouse_root(const std::string& location, const std::string& key);

Result<CatalogBinding> bind_catalog(Catalog& catalog, const WarehouseScanOptions& options,
                                    const ObjectStoreOptions& store_options);

} // namespace ticklake::query
