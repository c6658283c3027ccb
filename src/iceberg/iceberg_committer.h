// `ticklake sink --table-format iceberg`: each committed batch of the sink becomes one append
// snapshot of an Iceberg v2 table per table it wrote (<database>.<table>, its location the
// table's folder in the warehouse). A commit writes the manifest, the manifest list and the next
// metadata file, then swaps the table's pointer in the catalog (compare-and-swap; on a conflict
// it reloads and tries again). The batch's next Kafka offset goes into the snapshot summary, and
// on assignment the sink resumes from there when the table is ahead of the group.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "iceberg/manifest.h"
#include "iceberg/table_metadata.h"
#include "sink/table_committer.h"
#include "storage/object_store.h"

namespace ticklake::iceberg {

struct IcebergCommitterOptions {
    std::string catalog_name = "ticklake"; //!< iceberg_tables.catalog_name (the name readers give the catalog)
    std::string group;                     //!< the sink's consumer group: part of the offsets' summary key
    std::string database = "market";       //!< the sink's --database: the tables' namespace
    //! Called between two tables' commits of one batch (not after the last): the chaos suite's
    //! crash point there (sink/crash_point.h, between_table_commits).
    std::function<void()> between_tables;
};

class IcebergCommitter final : public TableCommitter {
public:
    //! Opens (creating or migrating) the catalog file at catalog_path.
    static Result<std::unique_ptr<IcebergCommitter>> open(ObjectStore& store, const std::filesystem::path& catalog_path,
                                                          IcebergCommitterOptions options);

    Status commit(const CommittedBatch& batch) override;
    Result<std::map<std::string, Offset>> table_offsets(const TopicPartition& tp) override;

private:
    IcebergCommitter(ObjectStore& store, Catalog catalog, IcebergCommitterOptions options)
        : store_(store), catalog_(std::move(catalog)), options_(std::move(options)) {}

    //! One table's part of a batch: one snapshot.
    Status commit_table(const std::string& table, const std::vector<const CommittedFile*>& files,
                        const CommittedBatch& batch);
    Status try_commit(const std::string& table, const std::vector<const CommittedFile*>& files,
                      const CommittedBatch& batch, bool& conflict);
    Result<std::optional<TableMetadata>> load(const std::string& location);
    //! The manifests of the current snapshot (none for a table without one).
    Result<std::vector<ManifestFile>> current_manifests(const TableMetadata& m);
    //! The batch's files as Iceberg data files; refuses a schema the table cannot take.
    Result<std::vector<DataFile>> data_files(const TableMetadata& m, const std::vector<const CommittedFile*>& files);
    std::string uri_of(const std::string& key) const;
    Result<std::string> key_of(const std::string& uri) const;

    ObjectStore& store_;
    Catalog catalog_;
    IcebergCommitterOptions options_;
};

} // namespace ticklake::iceberg
