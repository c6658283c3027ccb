// `ticklake catalog push-glue`: makes Glue hold what the catalog holds, as export-glue prints it.
// It reads first (GetDatabase, GetTable, GetPartitions), compares, and sends only the
// difference: CreateDatabase, CreateTable or UpdateTable (Glue keeps the replaced definition as a
// table version), and BatchCreatePartition / BatchUpdatePartition / BatchDeletePartition, 100
// partitions per call. A second push with nothing changed sends no write at all. An Iceberg table
// of the catalog file is pushed in Iceberg's Glue form (glue_iceberg_table_of) instead of the Hive
// form of the same Glue table; UpdateTable carries the VersionId GetTable gave, so Glue refuses it
// when another writer changed the table in between.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/catalog_report.h"
#include "catalog/glue_json.h"
#include "common/error.h"
#include "glue/glue_client.h"

namespace ticklake::glue {

//! What Glue holds of one table now.
struct GlueRemoteTable {
    bool database_exists = false;
    std::optional<GlueTableInput> table;
    std::string version_id; //!< GetTable's VersionId: UpdateTable sends it back
    std::vector<GluePartitionInput> partitions;
};

enum class GlueTableAction { none, create, update };

//! The difference between the catalog's table and Glue's: what a push sends.
struct GluePushPlan {
    std::string source;   //!< the catalog's DATABASE.TABLE
    bool iceberg = false; //!< pushed in Iceberg's form (the table's metadata file, no partitions)
    std::string database; //!< Glue database (prefix + Athena-safe name)
    std::string table;    //!< Glue table
    Columns partition_keys; //!< to name partitions in the report
    bool create_database = false;
    GlueTableAction table_action = GlueTableAction::none;
    std::vector<std::string> table_changes; //!< fields that differ: "columns", "location", ...
    std::vector<GluePartitionInput> create_partitions;
    std::vector<GluePartitionInput> update_partitions;
    std::vector<std::string> update_reasons; //!< one per update_partitions entry
    std::vector<std::vector<std::string>> delete_partitions;
    size_t unchanged_partitions = 0;
    std::string version_id; //!< the table version read, which UpdateTable must still find

    bool empty() const {
        return !create_database && table_action == GlueTableAction::none && create_partitions.empty() &&
               update_partitions.empty() && delete_partitions.empty();
    }
};

//! Pure: the plan that turns `remote` into `desired`.
GluePushPlan diff_glue_table(const GlueTable& desired, const GlueRemoteTable& remote);

//! The table input and partitions in Glue's answers (GetTable's "Table", GetPartitions'
//! "Partitions"), the fields ticklake sets; errors name what did not parse.
Result<GlueTableInput> parse_glue_table(std::string_view get_table_response, std::string* version_id = nullptr);
Result<std::vector<GluePartitionInput>> parse_glue_partitions(std::string_view get_partitions_response,
                                                               std::string* next_token);

//! JSON bodies of the write calls, one per 100 partitions for the batch ones.
std::string create_table_body(const std::string& database, const GlueTableInput& table);
//! `version_id`, when not empty, makes Glue refuse the update (ConcurrentModificationException)
//! once the table is no longer at that version.
std::string update_table_body(const std::string& database, const GlueTableInput& table,
                              const std::string& version_id = {});
std::vector<std::string> batch_create_partition_bodies(const std::string& database, const std::string& table,
                                                       const std::vector<GluePartitionInput>& partitions);
std::vector<std::string> batch_update_partition_bodies(const std::string& database, const std::string& table,
                                                       const std::vector<GluePartitionInput>& partitions);
std::vector<std::string> batch_delete_partition_bodies(const std::string& database, const std::string& table,
                                                       const std::vector<std::vector<std::string>>& values);

struct GluePushOptions {
    std::string database_prefix; //!< prepended to each Glue database name ("prod_" -> prod_market)
    ExportOptions export_options;
    bool dry_run = false;
};

//! The table as push-glue sends it: export-glue's shapes, in the prefixed database, with the
//! catalog's schema version as the table parameter ticklake.schema_version.
GlueTable glue_table_to_push(const TableDef& table, const std::vector<PartitionDef>& partitions,
                             const GluePushOptions& options);
//! An Iceberg table as push-glue sends it: glue_iceberg_table_of in the prefixed database.
GlueTable glue_table_to_push(const IcebergTableDef& table, const GluePushOptions& options);

//! invalid_argument when Glue's table is an Iceberg table whose metadata_location is neither
//! `table`'s current metadata file nor one of its history: another engine committed to the
//! table through Glue, and a push would hide that commit from Glue's readers.
Status check_iceberg_lineage(const IcebergTableDef& table, const GlueRemoteTable& remote);

Result<GlueRemoteTable> read_glue_table(GlueClient& client, const std::string& database, const std::string& table);
//! Sends the plan: database, table, then deletes, updates and creates of partitions.
Status apply_glue_plan(GlueClient& client, const GluePushPlan& plan, const GlueTable& desired);

struct GluePushReport {
    bool dry_run = false;
    std::vector<GluePushPlan> plans;
    int requests = 0; //!< calls made to Glue, reads included
    int writes = 0;   //!< of which write calls
};

//! Pushes each table (or, with dry_run, only plans it): the Hive `tables`, and the `iceberg`
//! ones, each of which takes the place of a Hive table of the same Glue name.
Result<GluePushReport> push_to_glue(Catalog& catalog, const std::vector<TableDef>& tables,
                                    const std::vector<IcebergTableDef>& iceberg, GlueClient& client,
                                    const GluePushOptions& options);

//! The plans as lines (+ database, ~ table: columns, - partition dt=...) or JSON.
CatalogReport glue_push_report(const GluePushReport& report);

} // namespace ticklake::glue
