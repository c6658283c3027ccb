#include "catalog/glue_json.h"

#include "common/json_writer.h"

namespace ticklake {

namespace {

void write_columns(JsonWriter& w, const Columns& columns) {
    w.begin_array();
    for (const auto& c : columns) {
        w.begin_object().field("Name", c.name).field("Type", c.type).end_object();
    }
    w.end_array();
}

void write_storage(JsonWriter& w, const HiveStorage& s, const Columns& columns, const std::string& location) {
    w.begin_object();
    w.key("Columns");
    write_columns(w, columns);
    w.field("Location", location);
    w.field("InputFormat", s.input_format);
    w.field("OutputFormat", s.output_format);
    w.key("Compressed").value(s.compressed);
    w.key("SerdeInfo").begin_object().field("SerializationLibrary", s.serde);
    w.key("Parameters").begin_object();
    for (const auto& [k, v] : s.serde_parameters) {
        w.field(k, v);
    }
    w.end_object().end_object();
    w.end_object();
}

// A partition's own columns under the table's Athena-safe names (Glue matches them by name).
Columns partition_columns(const TableDef& table, const HiveStorage& s, const PartitionDef& p) {
    if (p.columns.empty()) {
        return s.columns;
    }
    Columns out;
    for (const auto& c : p.columns) {
        std::string name = glue_column_name(c.name);
        for (size_t i = 0; i < table.columns.size(); ++i) {
            if (table.columns[i].name == c.name) {
                name = s.columns[i].name;
            }
        }
        out.push_back({name, c.type});
    }
    return out;
}

} // namespace

std::string glue_json(const TableDef& table, const std::vector<PartitionDef>& partitions, const ExportOptions& options) {
    const HiveStorage s = hive_storage_of(table, partitions, options);
    const std::string database = athena_name(table.database);
    const std::string name = athena_name(table.name);
    JsonWriter w;
    w.begin_object();
    w.key("CreateTable").begin_object();
    w.field("DatabaseName", database);
    w.key("TableInput").begin_object();
    w.field("Name", name);
    w.field("TableType", "EXTERNAL_TABLE");
    w.key("Parameters").begin_object();
    for (const auto& [k, v] : s.table_parameters) {
        w.field(k, v);
    }
    w.end_object();
    w.key("PartitionKeys");
    write_columns(w, s.partition_keys);
    w.key("StorageDescriptor");
    write_storage(w, s, s.columns, s.location);
    w.end_object(); // TableInput
    w.end_object(); // CreateTable
    w.key("BatchCreatePartition").begin_array();
    if (!table.partition_keys.empty()) {
        for (size_t start = 0; start < partitions.size(); start += kGluePartitionsPerBatch) {
            w.begin_object().field("DatabaseName", database).field("TableName", name);
            w.key("PartitionInputList").begin_array();
            for (size_t i = start; i < partitions.size() && i < start + kGluePartitionsPerBatch; ++i) {
                const PartitionDef& p = partitions[i];
                w.begin_object();
                w.key("Values").begin_array();
                for (const auto& v : p.values) {
                    w.value(v);
                }
                w.end_array();
                w.key("StorageDescriptor");
                write_storage(w, s, partition_columns(table, s, p), export_location(table, p.location, options));
                w.key("Parameters").begin_object();
                w.field("recordCount", std::to_string(p.rows));
                w.field("objectCount", std::to_string(p.file_count));
                w.field("sizeKey", std::to_string(p.bytes));
                w.end_object();
                w.end_object();
            }
            w.end_array().end_object();
        }
    }
    w.end_array();
    w.end_object();
    return w.str();
}

} // namespace ticklake
