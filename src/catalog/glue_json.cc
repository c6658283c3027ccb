#include "catalog/glue_json.h"

namespace ticklake {

namespace {

void write_columns(JsonWriter& w, const Columns& columns) {
    w.begin_array();
    for (const auto& c : columns) {
        w.begin_object().field("Name", c.name).field("Type", c.type).end_object();
    }
    w.end_array();
}

void write_parameters(JsonWriter& w, const GlueParameters& parameters) {
    w.begin_object();
    for (const auto& [k, v] : parameters) {
        w.field(k, v);
    }
    w.end_object();
}

GlueStorage storage_of(const HiveStorage& s, const Columns& columns, const std::string& location) {
    return GlueStorage{columns,   location, s.input_format, s.output_format, s.compressed, s.serde,
                       GlueParameters(s.serde_parameters.begin(), s.serde_parameters.end())};
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

GlueTable glue_table_of(const TableDef& table, const std::vector<PartitionDef>& partitions, const ExportOptions& options) {
    const HiveStorage s = hive_storage_of(table, partitions, options);
    GlueTable out;
    out.database = athena_name(table.database);
    out.table.name = athena_name(table.name);
    out.table.parameters.assign(s.table_parameters.begin(), s.table_parameters.end());
    out.table.partition_keys = s.partition_keys;
    out.table.storage = storage_of(s, s.columns, s.location);
    if (table.partition_keys.empty()) {
        return out;
    }
    for (const PartitionDef& p : partitions) {
        GluePartitionInput in;
        in.values = p.values;
        in.storage = storage_of(s, partition_columns(table, s, p), export_location(table, p.location, options));
        in.parameters = {{"recordCount", std::to_string(p.rows)},
                         {"objectCount", std::to_string(p.file_count)},
                         {"sizeKey", std::to_string(p.bytes)}};
        out.partitions.push_back(std::move(in));
    }
    return out;
}

void write_glue_storage(JsonWriter& w, const GlueStorage& s) {
    w.begin_object();
    w.key("Columns");
    write_columns(w, s.columns);
    w.field("Location", s.location);
    if (s.input_format.empty() && s.output_format.empty() && s.serde.empty()) {
        w.end_object(); // an Iceberg table: readers take everything else from its metadata
        return;
    }
    w.field("InputFormat", s.input_format);
    w.field("OutputFormat", s.output_format);
    w.key("Compressed").value(s.compressed);
    w.key("SerdeInfo").begin_object().field("SerializationLibrary", s.serde);
    w.key("Parameters");
    write_parameters(w, s.serde_parameters);
    w.end_object();
    w.end_object();
}

void write_glue_table_input(JsonWriter& w, const GlueTableInput& t) {
    w.begin_object();
    w.field("Name", t.name);
    w.field("TableType", t.table_type);
    w.key("Parameters");
    write_parameters(w, t.parameters);
    w.key("PartitionKeys");
    write_columns(w, t.partition_keys);
    w.key("StorageDescriptor");
    write_glue_storage(w, t.storage);
    w.end_object();
}

void write_glue_partition_input(JsonWriter& w, const GluePartitionInput& p) {
    w.begin_object();
    w.key("Values").begin_array();
    for (const auto& v : p.values) {
        w.value(v);
    }
    w.end_array();
    w.key("StorageDescriptor");
    write_glue_storage(w, p.storage);
    w.key("Parameters");
    write_parameters(w, p.parameters);
    w.end_object();
}

GlueTable glue_iceberg_table_of(const IcebergTableDef& table) {
    GlueTable out;
    out.database = athena_name(table.database);
    out.table.name = athena_name(table.name);
    out.table.parameters = {{"table_type", "ICEBERG"}, {"metadata_location", table.metadata_location}};
    if (!table.previous_metadata_location.empty()) {
        out.table.parameters.emplace_back("previous_metadata_location", table.previous_metadata_location);
    }
    out.table.storage.columns = glue_columns_of(table);
    out.table.storage.location = table.location;
    return out;
}

std::string glue_json(const TableDef& table, const std::vector<PartitionDef>& partitions, const ExportOptions& options) {
    return glue_json(glue_table_of(table, partitions, options));
}

std::string glue_json(const GlueTable& g) {
    JsonWriter w;
    w.begin_object();
    w.key("CreateTable").begin_object();
    w.field("DatabaseName", g.database);
    w.key("TableInput");
    write_glue_table_input(w, g.table);
    w.end_object();
    w.key("BatchCreatePartition").begin_array();
    for (size_t start = 0; start < g.partitions.size(); start += kGluePartitionsPerBatch) {
        w.begin_object().field("DatabaseName", g.database).field("TableName", g.table.name);
        w.key("PartitionInputList").begin_array();
        for (size_t i = start; i < g.partitions.size() && i < start + kGluePartitionsPerBatch; ++i) {
            write_glue_partition_input(w, g.partitions[i]);
        }
        w.end_array().end_object();
    }
    w.end_array();
    w.end_object();
    return w.str();
}

} // namespace ticklake
