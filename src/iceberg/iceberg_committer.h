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
#include <mutex>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "iceberg/manifest.h"
#include "iceberg/metadata_pointers.h"
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
    //! New tables are partitioned by day(ts) when they have a timestamp ts; false: unpartitioned
    //! (the sink's --time-partition none, whose files may span days).
    bool day_partitions = true;
    //! At this many manifests in the current snapshot, a commit merges them into one.
    size_t merge_manifests_at = 100;
    //! Commit through this Iceberg REST catalog (e.g. `ticklake serve`'s
    //! http://HOST:8787/iceberg) instead of the catalog file: sinks on several hosts then share
    //! one commit point. Empty: the catalog file's compare-and-swap.
    std::string rest_uri;
    std::string rest_token; //!< its bearer token, if it wants one
};

class IcebergCommitter final : public TableCommitter {
public:
    //! Opens (creating or migrating) the catalog file at catalog_path, unless options.rest_uri
    //! names a REST catalog to commit through.
    static Result<std::unique_ptr<IcebergCommitter>> open(ObjectStore& store, const std::filesystem::path& catalog_path,
                                                          IcebergCommitterOptions options);

    Status commit(const CommittedBatch& batch) override;
    Result<std::map<std::string, Offset>> table_offsets(const TopicPartition& tp) override;
    //! By name and type against the table's schema: a column the table has (same type, or one
    //! of Iceberg's promotions either way) keeps its id; a new name gets the next id; a type
    //! the column cannot become (long -> double, anything -> string) goes to a column of its
    //! own, "<name>__<type>" (docs/iceberg.md). Thread-safe.
    Result<std::vector<int>> field_ids(const std::string& table,
                                       const std::vector<std::pair<std::string, std::string>>& columns) override;

private:
    IcebergCommitter(ObjectStore& store, std::unique_ptr<Catalog> catalog, IcebergCommitterOptions options)
        : store_(store), catalog_(std::move(catalog)), options_(std::move(options)) {}

    //! One table's part of a batch: one snapshot.
    Status commit_table(const std::string& table, const std::vector<const CommittedFile*>& files,
                        const CommittedBatch& batch);
    Status try_commit(const std::string& table, const std::vector<const CommittedFile*>& files,
                      const CommittedBatch& batch, bool& conflict);
    //! The manifests of the current snapshot (none for a table without one).
    Result<std::vector<ManifestFile>> current_manifests(const TableMetadata& m);
    //! The live files of `manifests` as one manifest (entries EXISTING) at `key`.
    Result<ManifestFile> merge_manifests(const TableMetadata& m, const std::vector<ManifestFile>& manifests,
                                         const std::string& key, int64_t snapshot_id, int64_t sequence);
    //! The batch's files as Iceberg data files; refuses a schema the table cannot take.
    Result<std::vector<DataFile>> data_files(const TableMetadata& m, const std::vector<const CommittedFile*>& files);
    //! `table` (in options.database) after taking the files' columns (added, widened), as field_ids()
    //! numbered them; a schema another writer changed meanwhile is a conflict (fatal).
    Status evolve_schema(const std::string& table, TableMetadata& m, const std::vector<const CommittedFile*>& files);

    //! Per table, the columns as field_ids() knows them: the current schema's when first
    //! asked, plus the columns given new ids since.
    struct ColumnIds {
        bool loaded = false;
        int next_id = 1;
        std::vector<SchemaField> known;
    };
    Status load_column_ids(const std::string& table, ColumnIds& ids);
    //! The known column a file's (name, Iceberg type) goes to, given a new id when none fits.
    const SchemaField& column_for(ColumnIds& ids, const std::string& name, const std::string& type);
    static const SchemaField* known_column(const ColumnIds& ids, const std::string& name, const std::string& type);
    std::string uri_of(const std::string& key) const;
    Result<std::string> key_of(const std::string& uri) const;

    ObjectStore& store_;
    std::unique_ptr<Catalog> catalog_; //!< none when committing through a REST catalog
    IcebergCommitterOptions options_;
    std::unique_ptr<MetadataPointers> pointers_;
    std::mutex ids_mu_; //!< field_ids() runs on the writer threads, commits on the sink's
    std::map<std::string, ColumnIds> ids_;
};

} // namespace ticklake::iceberg
