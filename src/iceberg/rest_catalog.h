// The Iceberg REST catalog (Apache Iceberg's REST catalog OpenAPI, v1) over ticklake's catalog
// file, served by `ticklake serve` under /iceberg: engines that speak it (PyIceberg's
// RestCatalog, Spark's and Trino's REST catalogs) list, load and commit to the Iceberg tables the
// sink writes, from any host that reaches the server, with no access to the SQLite file. A
// commit is the spec's requirements and updates: checked against the table's current metadata,
// applied, written as the next metadata file, and swapped in the catalog file (compare-and-swap,
// as the sink's own commits): writers on several hosts share one commit point, and the loser of
// a race gets 409 CommitFailedException and retries on the new metadata, as the spec says.
//
// Served: GET config; GET/HEAD namespaces, one namespace, its tables, one table (LoadTable);
// POST a namespace, a table (with its location: the server has no warehouse of its own), a
// table's commit. Not yet: renaming or dropping tables, views, multi-table transactions,
// credentials vending.
// Updates ticklake's metadata model cannot keep (other partition specs, sort orders with
// fields, tags and branches other than main) are refused with 400 and the reason.
//
// @locality handlers run on the HTTP server's threads; one mutex serializes the catalog file.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "catalog/catalog.h"
#include "net/http_server.h"
#include "storage/object_store.h"

namespace ticklake::iceberg {

struct RestCatalogOptions {
    std::filesystem::path catalog;         //!< the catalog file (SQLite), opened read-write
    std::string catalog_name = "ticklake"; //!< iceberg_tables.catalog_name of the tables served
    std::string prefix = "/iceberg";       //!< where the API's /v1/... paths start
    ObjectStoreOptions store;              //!< how metadata files are read and written (S3)
};

class RestCatalog {
public:
    static Result<std::unique_ptr<RestCatalog>> open(RestCatalogOptions options);
    //! Answers one request under options.prefix (errors as the spec's ErrorModel JSON).
    net::HttpServerResponse handle(const net::HttpServerRequest& request);

private:
    RestCatalog(RestCatalogOptions options, Catalog catalog) : options_(std::move(options)), catalog_(std::move(catalog)) {}
    net::HttpServerResponse load_table(const std::string& ns, const std::string& table, bool head);
    net::HttpServerResponse commit(const std::string& ns, const std::string& table, const std::string& body);
    net::HttpServerResponse create_table(const std::string& ns, const std::string& body);

    RestCatalogOptions options_;
    std::mutex mu_;
    Catalog catalog_;
};

} // namespace ticklake::iceberg
