// An Iceberg table's metadata file (format v2, spec "Table Metadata"): the schemas with field
// ids (the current one and those old snapshots were written with), the partition spec, the
// snapshots with their summaries, and the logs. ticklake writes one spec per table (id 0);
// reading keeps what a v2 file written by another engine holds in those places, and the fields
// it does not know are dropped on the next write.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace ticklake::iceberg {

struct SchemaField {
    int id = 0;
    std::string name;
    std::string type; //!< Iceberg's primitive type name: long, double, string, timestamp, decimal(18,8)...
    bool required = false;
};

struct Snapshot {
    int64_t id = 0;
    std::optional<int64_t> parent_id;
    int64_t sequence_number = 0;
    int64_t timestamp_ms = 0;
    std::string manifest_list; //!< location (URI) of the manifest list
    int schema_id = 0;
    //! "operation" and the counters (added-data-files, total-records, ...), plus ticklake's
    //! Kafka offsets (kafka_offsets_key()).
    std::map<std::string, std::string> summary;
};

struct TableMetadata {
    std::string uuid;
    std::string location; //!< table root URI; data and metadata/ below it
    int64_t last_sequence_number = 0;
    int64_t last_updated_ms = 0;
    int last_column_id = 0;
    int current_schema_id = 0;
    std::vector<SchemaField> fields; //!< the current schema's
    //! The other schemas, by id: old snapshots name theirs (time travel reads with it).
    std::map<int, std::vector<SchemaField>> past_schemas;
    //! The partition spec: day(source) as field 1000 "<source>_day", or unpartitioned.
    std::optional<int> day_source_id;
    std::map<std::string, std::string> properties;
    std::optional<int64_t> current_snapshot_id;
    std::vector<Snapshot> snapshots;
    std::vector<std::pair<int64_t, int64_t>> snapshot_log;       //!< (timestamp-ms, snapshot-id)
    std::vector<std::pair<int64_t, std::string>> metadata_log;   //!< (timestamp-ms, metadata-file)

    const Snapshot* current() const;
    const Snapshot* snapshot(int64_t id) const;
    //! The snapshot that was current at `timestamp_ms` (the snapshot log's last entry at or
    //! before it); nullptr when the table had none yet.
    const Snapshot* snapshot_as_of(int64_t timestamp_ms) const;
    //! The fields of schema `id` (the current one or a past one); nullptr when unknown.
    const std::vector<SchemaField>* schema(int id) const;
    //! Makes `next` the current schema under a new id; the old one stays for old snapshots.
    void evolve_schema(std::vector<SchemaField> next);
    const SchemaField* field(std::string_view name) const;
    std::string to_json() const;
    static Result<TableMetadata> from_json(std::string_view json);
};

//! The spec's JSON of one snapshot, one schema, and the table's partition spec (REST commits).
std::string snapshot_json(const Snapshot& s);
std::string schema_json(int id, const std::vector<SchemaField>& fields);
std::string partition_spec_json(const TableMetadata& m);
//! One snapshot object of the spec's JSON (a metadata file's, or a REST commit's add-snapshot).
Result<Snapshot> snapshot_from_json(std::string_view json);
//! One schema object (its "schema-id", or -1 when it has none, and its fields).
Result<std::pair<int, std::vector<SchemaField>>> schema_from_json(std::string_view json);

//! The Iceberg type of a column the sink declared with DuckDB's type name; nullopt when Iceberg
//! has no primitive type for it (nested columns, unsigned integers).
std::optional<std::string> iceberg_type_of(std::string_view duckdb_type);

//! "ticklake.kafka.offsets.<topic>.<group>": a summary entry whose value is the JSON object of
//! partition -> next offset, as the Iceberg Kafka Connect sink keeps its own.
std::string kafka_offsets_key(std::string_view topic, std::string_view group);
std::string offsets_to_json(const std::map<int32_t, int64_t>& offsets);
Result<std::map<int32_t, int64_t>> offsets_from_json(std::string_view json);

//! A random version 4 UUID, as text.
std::string random_uuid();
//! A new snapshot id: random and positive, as Iceberg's are.
int64_t new_snapshot_id();
//! The wall clock in ms since the epoch (snapshot and log times).
int64_t now_ms();
//! The name of the metadata file that follows `current` (its location; nullopt for a new
//! table): "00003-<uuid>.metadata.json", numbered on from current's number.
std::string next_metadata_file_name(std::optional<std::string_view> current, const TableMetadata& m,
                                    std::string_view uuid);
//! Every summary entry whose key starts with `prefix`, from the current snapshot and its
//! ancestors, the nearest one of each key winning (ticklake's Kafka offsets stay known through
//! snapshots other writers made on top).
std::map<std::string, std::string> inherited_summary(const TableMetadata& m, std::string_view prefix);

} // namespace ticklake::iceberg
