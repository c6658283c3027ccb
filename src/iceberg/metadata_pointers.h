// Where an Iceberg table's current metadata is, and the commit point that moves it: the catalog
// file (compare-and-swap of iceberg_tables.metadata_location, for writers that share the file)
// or an Iceberg REST catalog (`ticklake serve` on one host, sinks on many: a commit is the
// spec's requirements and updates, and the server's swap is the one commit point). The sink's
// committer writes data files, manifests and manifest lists itself either way.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/error.h"
#include "iceberg/table_metadata.h"
#include "storage/object_store.h"

namespace ticklake::iceberg {

struct CurrentMetadata {
    std::string location; //!< of the metadata file
    TableMetadata metadata;
};

class MetadataPointers {
public:
    virtual ~MetadataPointers() = default;
    //! The Iceberg tables of a namespace.
    virtual Result<std::vector<std::string>> tables(const std::string& ns) = 0;
    //! The table's current metadata; nullopt when there is no such table.
    virtual Result<std::optional<CurrentMetadata>> current(const std::string& ns, const std::string& table) = 0;
    //! Makes `next` the table's metadata if the table is still at `base` (nullopt: creates the
    //! table). `next_key` is where a pointer that writes the metadata file itself puts it (a key
    //! of the warehouse store). False when another writer got there first: load and try again.
    virtual Result<bool> commit(const std::string& ns, const std::string& table,
                                const std::optional<CurrentMetadata>& base, const TableMetadata& next,
                                const std::string& next_key) = 0;
};

//! The catalog file's iceberg_tables rows of `catalog_name`; metadata files through `store`
//! (the warehouse).
std::unique_ptr<MetadataPointers> catalog_pointers(Catalog& catalog, std::string catalog_name, ObjectStore& store);

struct RestPointerOptions {
    std::string uri;   //!< the REST catalog's base, e.g. http://127.0.0.1:8787/iceberg
    std::string token; //!< sent as "Authorization: Bearer TOKEN" when set
};

//! An Iceberg REST catalog (Apache Iceberg's REST catalog API, v1) as the commit point.
Result<std::unique_ptr<MetadataPointers>> rest_pointers(RestPointerOptions options);

} // namespace ticklake::iceberg
