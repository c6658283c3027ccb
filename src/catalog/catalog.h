// The embedded catalog: databases -> tables -> partitions -> files, and each table's schema
// versions, in one SQLite file (WAL mode: the sink, the crawler and queries may use it from
// several processes at once). Every change to a table is one transaction (TableChange).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog_model.h"
#include "catalog/compaction_log.h"
#include "catalog/sqlite_db.h"
#include "common/error.h"

namespace ticklake {

struct DatabaseInfo {
    std::string name;
    int64_t tables = 0;
    TimestampUs created_at = 0;
};

//! The catalog file to use when no --catalog is given: $TICKLAKE_CATALOG, else
//! $XDG_DATA_HOME/ticklake/catalog.db, else ~/.local/share/ticklake/catalog.db (one per user,
//! as Glue has one catalog per account).
std::filesystem::path default_catalog_path();

class Catalog {
public:
    //! Opens or creates the catalog at `path` (creating its folder) and brings its schema up to
    //! the current version. Fails with a clear message when the file is from a newer ticklake.
    static Result<Catalog> open(const std::filesystem::path& path);
    //! Opens an existing catalog to read it (catalog, query and sql commands): SQLite read-only,
    //! so a mistyped --catalog never becomes a new empty catalog. invalid_argument naming the path
    //! and how to make one when there is no file (a usage error: exit 2), or it is not a catalog.
    //! A catalog of an older ticklake is migrated first (the one write a reader makes).
    static Result<Catalog> open_read_only(const std::filesystem::path& path);

    //! Version of the catalog's own schema (migrations applied).
    static int current_schema_version();

    Result<std::vector<DatabaseInfo>> databases();
    //! Tables of one database, or of all when `database` is empty; sorted by database, name.
    Result<std::vector<TableDef>> tables(std::string_view database = {});
    Result<std::optional<TableDef>> table(std::string_view database, std::string_view name);
    //! "db.table", or "table" when exactly one database has a table of that name.
    Result<TableDef> resolve(std::string_view name);
    //! Partition value lists, to read only some partitions of a large table.
    using PartitionSet = std::set<std::vector<std::string>>;

    //! Partitions of a table (only those in `only`, when given), sorted by values.
    Result<std::vector<PartitionDef>> partitions(const TableDef& table, const PartitionSet* only = nullptr);
    Result<std::vector<SchemaVersion>> history(const TableDef& table);
    //! Files of a table (only those of the partitions in `only`, when given), sorted by key
    //! within each partition.
    Result<std::vector<FileDef>> files(const TableDef& table, const PartitionSet* only = nullptr);

    //! Applies one change in one transaction (all or nothing).
    Status apply(const TableChange& change);

    //! Removes a table with its partitions, files and schema versions from the catalog (its
    //! files stay where they are); false when there is no such table.
    Result<bool> drop_table(std::string_view database, std::string_view name);
    //! Removes a database and all its tables; the "db.table" names dropped, nullopt when there
    //! is no such database.
    Result<std::optional<std::vector<std::string>>> drop_database(std::string_view name);
    // Compactions (catalog/compaction_log.h; defined in compaction_log.cc).
    //! Records a run in state `writing` and commits, before the run writes any file, so a crash
    //! leaves a row that names the folder to clean. Returns the run's id.
    Result<int64_t> begin_compaction(const CompactionRun& run);
    //! Runs still `writing`. Only while holding the compaction lock are these orphans.
    Result<std::vector<CompactionRun>> unfinished_compactions();
    //! Forgets a run that never swapped (its folder is already removed).
    Status forget_compaction(int64_t run_id);
    //! Swaps a run's files in one transaction. retry (nothing changed) when a replaced file has
    //! left the table or the table's schema version moved on since the run was planned.
    Status swap_compacted(const CompactionSwap& swap);
    //! Replaced files of `warehouse` waiting for deletion whose time is at or before `due_by`.
    Result<std::vector<PendingDeletion>> pending_deletions(std::string_view warehouse, TimestampUs due_by);
    //! Forgets a pending deletion once the file is gone.
    Status deletion_done(const PendingDeletion& d);
    //! Files that went into `key` (a compacted file), through every earlier compaction, sorted by key.
    Result<std::vector<LineageEntry>> lineage(std::string_view key);
    //! What a crawl of `warehouse` must not register (see CompactionShadow).
    Result<CompactionShadow> compaction_shadow(std::string_view warehouse);

    // Iceberg tables, in the layout of Iceberg's JDBC catalog (iceberg_tables.cc): the catalog
    // holds each table's pointer to its current metadata file; a commit swaps it.
    //! The current metadata location of an Iceberg table; nullopt when there is no such table.
    Result<std::optional<std::string>> iceberg_metadata_location(std::string_view catalog, std::string_view ns,
                                                                 std::string_view table);
    //! The Iceberg tables of a namespace, by name.
    Result<std::vector<std::string>> iceberg_tables(std::string_view catalog, std::string_view ns);
    //! Records a namespace (its 'exists' property, as PyIceberg's create_namespace); false when
    //! it is there already.
    Result<bool> iceberg_create_namespace(std::string_view catalog, std::string_view ns);
    //! The namespaces of a catalog name: those with properties and those with tables.
    Result<std::vector<std::string>> iceberg_namespaces(std::string_view catalog);
    //! One row per namespace.table: the catalog name "ticklake" (the sink's default) wins when
    //! several hold the table. For readers that do not say which catalog name they want.
    Result<std::vector<IcebergTableRef>> iceberg_tables_by_name();
    //! Every Iceberg table of every catalog name the file holds (none when it has no
    //! iceberg_tables, as catalogs from before the fourth migration opened read-only).
    Result<std::vector<IcebergTableRef>> iceberg_all_tables();
    //! Records a new Iceberg table (and its namespace); false when the table exists already.
    Result<bool> iceberg_create_table(std::string_view catalog, std::string_view ns, std::string_view table,
                                      std::string_view metadata_location);
    //! The commit point: points the table at `next` if it still points at `expected` (the old
    //! location becomes previous_metadata_location); false when another writer got there first.
    Result<bool> iceberg_swap_metadata(std::string_view catalog, std::string_view ns, std::string_view table,
                                       std::string_view expected, std::string_view next);

    const std::filesystem::path& path() const { return db_.path(); }

private:
    explicit Catalog(SqliteDb db) : db_(std::move(db)) {}
    Status migrate();
    //! Topic, partition and first offset of the files an older catalog holds, from their names.
    Status backfill_file_origins();
    Result<int> schema_version();
    Result<std::optional<int64_t>> table_id(std::string_view database, std::string_view name);
    Status apply_in_transaction(const TableChange& change);
    //! Runs `body` inside one write transaction: committed when it succeeds, else rolled back.
    Status in_transaction(const std::function<Status()>& body);
    Result<std::vector<TableDef>> load_tables(std::string_view where, std::string_view a, std::string_view b);
    //! Runs `select` for `table` (its first two columns the partition values and the schema's
    //! columns; ending in "WHERE <x>.table_id = ?1", with partitions as `p`), once, or once per
    //! partition in `only`, ordered by `order_by`; `of_row` makes each row a Def. A table not in
    //! the catalog has no rows. Defined and used in catalog.cc only.
    template <class Def>
    Result<std::vector<Def>> rows_of_table(const TableDef& table, const PartitionSet* only, const std::string& select,
                                           std::string_view order_by,
                                           Def (*of_row)(const SqliteRow&, std::vector<std::string>, const Columns&));

    SqliteDb db_;
};

//! Columns as compact JSON ([{"name":..,"type":..}, ...]) and back; also used by the exporters.
std::string columns_to_json(const Columns& columns);
Result<Columns> columns_from_json(std::string_view json);
//! Partition values as the catalog stores them (a JSON array of strings) and back.
std::string partition_values_to_json(const std::vector<std::string>& values);
Result<std::vector<std::string>> partition_values_from_json(std::string_view json);

} // namespace ticklake
