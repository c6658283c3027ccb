#include "catalog/athena_ddl.h"

#include <algorithm>
#include <set>

#include "common/text_type.h"
#include "common/table_name.h"

namespace ticklake {

namespace {

std::string quote_sql(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'' || c == '\\') {
            out.push_back('\\'); // Hive string literals escape with a backslash
        }
        out.push_back(c);
    }
    return out + "'";
}

// Athena-safe names, unique ignoring case; renames noted.
// `any_change` gets every rename, case-only ones too; `collided` says whether two names met.
Columns safe_columns(const Columns& in, std::map<std::string, std::string>& renamed, std::set<std::string>& taken,
                     std::map<std::string, std::string>* any_change = nullptr, bool* collided = nullptr) {
    Columns out;
    for (const auto& c : in) {
        std::string base = glue_column_name(c.name);
        std::string name = base;
        for (int n = 2; taken.contains(name); ++n) {
            name = base + "_" + std::to_string(n);
            if (collided != nullptr) {
                *collided = true;
            }
        }
        taken.insert(name);
        if (any_change != nullptr && name != c.name) {
            (*any_change)[name] = c.name;
        }
        // Engines fold case themselves; only other changes are worth a mapping or a note.
        if (name != ascii_lower(c.name) || name != base) {
            renamed[name] = c.name;
        }
        out.push_back({name, c.type});
    }
    return out;
}

bool all_match(const std::vector<PartitionDef>& parts, size_t i, bool (*pred)(std::string_view)) {
    if (parts.empty()) {
        return false;
    }
    return std::all_of(parts.begin(), parts.end(), [&](const PartitionDef& p) { return pred(p.values[i]); });
}

bool digits(std::string_view s, size_t from, size_t n) {
    for (size_t i = from; i < from + n; ++i) {
        if (i >= s.size() || s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

bool is_day(std::string_view v) { return v.size() == 10 && digits(v, 0, 4) && v[4] == '-' && digits(v, 5, 2) && v[7] == '-' && digits(v, 8, 2); }
bool is_month(std::string_view v) { return v.size() == 7 && digits(v, 0, 4) && v[4] == '-' && digits(v, 5, 2); }
bool is_integer(std::string_view v) { return !v.empty() && v.size() <= 18 && digits(v, 0, v.size()); }

// Key `i` as a date projection from its earliest value until now; `p` is "projection.<key>.".
void date_projection(const std::vector<PartitionDef>& parts, size_t i, const std::string& p, const char* format,
                     const char* unit, std::map<std::string, std::string>& params) {
    auto lo = std::min_element(parts.begin(), parts.end(),
                               [&](const auto& a, const auto& b) { return a.values[i] < b.values[i]; });
    params[p + "type"] = "date";
    params[p + "format"] = format;
    params[p + "range"] = lo->values[i] + ",NOW";
    params[p + "interval"] = "1";
    params[p + "interval.unit"] = unit;
}

void add_projection(const TableDef& table, const std::vector<PartitionDef>& parts, const std::string& location,
                    HiveStorage& out) {
    if (table.partition_keys.empty() || parts.empty()) {
        return;
    }
    out.table_parameters["projection.enabled"] = "true";
    std::string tmpl = location;
    // Hive-style folders (key=value) or plain ones (value): the first partition tells.
    const PartitionDef& first = parts.front();
    for (size_t i = 0; i < table.partition_keys.size(); ++i) {
        const std::string& key = out.partition_keys[i].name;
        const std::string p = "projection." + key + ".";
        if (all_match(parts, i, is_day)) {
            date_projection(parts, i, p, "yyyy-MM-dd", "DAYS", out.table_parameters);
        } else if (all_match(parts, i, is_month)) {
            date_projection(parts, i, p, "yyyy-MM", "MONTHS", out.table_parameters);
        } else if (all_match(parts, i, is_integer)) {
            auto [lo, hi] = std::minmax_element(parts.begin(), parts.end(), [&](const auto& a, const auto& b) {
                return std::stoll(a.values[i]) < std::stoll(b.values[i]);
            });
            out.table_parameters[p + "type"] = "integer";
            out.table_parameters[p + "range"] = lo->values[i] + "," + hi->values[i];
        } else {
            std::set<std::string> values;
            for (const auto& part : parts) {
                values.insert(part.values[i]);
            }
            std::string list;
            for (const auto& v : values) {
                list += (list.empty() ? "" : ",") + v;
            }
            out.table_parameters[p + "type"] = "enum";
            out.table_parameters[p + "values"] = list;
        }
        const std::string& raw_key = table.partition_keys[i].name;
        const bool hive = first.location.find("/" + raw_key + "=" + first.values[i] + "/") != std::string::npos;
        tmpl += (hive ? raw_key + "=" : "") + "${" + key + "}/";
    }
    out.table_parameters["storage.location.template"] = tmpl;
}

} // namespace

std::string athena_name(std::string_view name) {
    std::string out = identifier_text(name); // no "t_" before a digit: DDL quotes names in backticks
    return out.empty() ? "_" : out;
}

std::string glue_column_name(std::string_view name) {
    std::string out;
    for (unsigned char c : name) {
        if (c >= 'A' && c <= 'Z') {
            out.push_back(static_cast<char>(c - 'A' + 'a'));
        } else if (c < 0x20 || c == 0x7f || c == '`') {
            out.push_back('_');
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    return out.empty() ? "_" : out;
}

std::string export_location(const TableDef& table, const std::string& location, const ExportOptions& options) {
    if (options.location.empty()) {
        return location;
    }
    std::string base = options.location;
    if (!base.ends_with('/')) {
        base += '/';
    }
    if (location.starts_with(table.location)) {
        return base + location.substr(table.location.size());
    }
    return base;
}

namespace {

// Columns safe_columns renamed, which each format maps back to the files' names in its own way.
struct Renames {
    std::map<std::string, std::string> renamed;    //!< to -> from, beyond a change of case
    std::map<std::string, std::string> any_change; //!< to -> from, case-only ones too
    bool collided = false;                         //!< two names met ignoring case
};

void describe_parquet(const TableDef& table, const Renames& r, HiveStorage& s) {
    s.serde = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
    s.input_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
    s.output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
    if (!table.compression.empty() && table.compression != "none") {
        std::string codec = table.compression;
        std::transform(codec.begin(), codec.end(), codec.begin(), [](unsigned char c) { return std::toupper(c); });
        s.table_parameters["parquet.compression"] = codec;
    }
    if (!r.renamed.empty()) {
        // Parquet is read by column name; a renamed column would read as NULL. Reading by
        // position keeps it (new columns only ever come last).
        s.serde_parameters["parquet.column.index.access"] = "true";
        for (const auto& [to, from] : r.renamed) {
            s.notes.push_back("column '" + from + "' is '" + to + "' here; Parquet columns are read by position");
        }
    }
}

void describe_jsonl(const Renames& r, HiveStorage& s) {
    s.serde = "org.openx.data.jsonserde.JsonSerDe";
    s.input_format = "org.apache.hadoop.mapred.TextInputFormat";
    s.output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
    s.serde_parameters["ignore.malformed.json"] = "false";
    if (r.collided) {
        // Keys equal but for case ("Symbol", "symbol"): the SerDe must match keys exactly,
        // and then every key not already lower case needs its mapping (Athena's OpenX docs).
        s.serde_parameters["case.insensitive"] = "false";
    }
    for (const auto& [to, from] : r.collided ? r.any_change : r.renamed) {
        s.serde_parameters["mapping." + to] = from;
    }
    for (const auto& [to, from] : r.renamed) {
        s.notes.push_back("column '" + from + "' is '" + to + "' here (SerDe mapping." + to + ")");
    }
}

void describe_csv(const TableDef& table, const Renames& r, HiveStorage& s) {
    s.input_format = "org.apache.hadoop.mapred.TextInputFormat";
    s.output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
    auto prop = [&](const std::string& k, const std::string& d) {
        auto it = table.properties.find(k);
        return it == table.properties.end() ? d : it->second;
    };
    std::string delim = prop("csv.delimiter", ",");
    if (delim == "\\t") {
        delim = "\t";
    }
    if (prop("csv.quotes_seen", "true") == "true") {
        // Quoted fields need OpenCSVSerde (which reads every column as text and converts).
        s.serde = "org.apache.hadoop.hive.serde2.OpenCSVSerde";
        s.serde_parameters["separatorChar"] = delim;
        s.serde_parameters["quoteChar"] = prop("csv.quote", "\"");
        s.serde_parameters["escapeChar"] = "\\";
    } else {
        // No quotes: LazySimpleSerDe, which reads typed values (timestamps as yyyy-MM-dd HH:mm:ss).
        s.serde = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe";
        s.serde_parameters["field.delim"] = delim;
        s.serde_parameters["serialization.format"] = delim;
    }
    if (prop("csv.header", "false") == "true") {
        s.table_parameters["skip.header.line.count"] = "1";
    }
    for (const auto& [to, from] : r.renamed) {
        s.notes.push_back("column '" + from + "' is '" + to + "' here (CSV columns are read by position)");
    }
}

} // namespace

HiveStorage hive_storage_of(const TableDef& table, const std::vector<PartitionDef>& partitions,
                            const ExportOptions& options) {
    HiveStorage s;
    Renames renames;
    std::set<std::string> taken;
    s.columns = safe_columns(table.columns, renames.renamed, taken, &renames.any_change, &renames.collided);
    std::map<std::string, std::string> renamed_keys;
    s.partition_keys = safe_columns(table.partition_keys, renamed_keys, taken);
    s.location = export_location(table, table.location, options);
    if (!s.location.ends_with('/')) {
        // A table of one file in the warehouse root: Athena and Glue read whole folders.
        s.notes.push_back("the table is one file (" + s.location +
                          "); Athena reads every file under LOCATION, so move it into a folder of its own "
                          "and pass that folder with --location");
        s.location = s.location.substr(0, s.location.rfind('/') + 1);
    }
    s.table_parameters["classification"] = table.format == "jsonl" ? "json" : table.format;
    s.table_parameters["EXTERNAL"] = "TRUE";
    s.compressed = table.format != "parquet" && !table.compression.empty() && table.compression != "none";
    if (s.compressed) {
        s.table_parameters["compressionType"] = table.compression; // as Glue's crawler records it
    }
    if (table.format == "parquet") {
        describe_parquet(table, renames, s);
    } else if (table.format == "jsonl") {
        describe_jsonl(renames, s);
    } else {
        describe_csv(table, renames, s);
    }
    for (const auto& [to, from] : renamed_keys) {
        s.notes.push_back("partition key '" + from + "' is '" + to +
                          "' here; its folders keep the original name, so add partitions with explicit LOCATION");
    }
    if (options.projection) {
        add_projection(table, partitions, s.location, s);
    }
    return s;
}

std::string athena_ddl(const TableDef& table, const std::vector<PartitionDef>& partitions, const ExportOptions& options) {
    const HiveStorage s = hive_storage_of(table, partitions, options);
    std::string out;
    for (const auto& n : s.notes) {
        out += "-- " + n + "\n";
    }
    out += "CREATE EXTERNAL TABLE IF NOT EXISTS `" + athena_name(table.database) + "`.`" + athena_name(table.name) +
           "` (\n";
    for (size_t i = 0; i < s.columns.size(); ++i) {
        out += "  `" + s.columns[i].name + "` " + s.columns[i].type + (i + 1 < s.columns.size() ? ",\n" : "\n");
    }
    out += ")\n";
    if (!s.partition_keys.empty()) {
        out += "PARTITIONED BY (\n";
        for (size_t i = 0; i < s.partition_keys.size(); ++i) {
            out += "  `" + s.partition_keys[i].name + "` " + s.partition_keys[i].type +
                   (i + 1 < s.partition_keys.size() ? ",\n" : "\n");
        }
        out += ")\n";
    }
    out += "ROW FORMAT SERDE " + quote_sql(s.serde) + "\n";
    if (!s.serde_parameters.empty()) {
        out += "WITH SERDEPROPERTIES (\n";
        size_t i = 0;
        for (const auto& [k, v] : s.serde_parameters) {
            out += "  " + quote_sql(k) + "=" + quote_sql(v) + (++i < s.serde_parameters.size() ? ",\n" : "\n");
        }
        out += ")\n";
    }
    out += "STORED AS INPUTFORMAT " + quote_sql(s.input_format) + "\n";
    out += "OUTPUTFORMAT " + quote_sql(s.output_format) + "\n";
    out += "LOCATION " + quote_sql(s.location) + "\n";
    std::vector<std::string> props;
    for (const auto& [k, v] : s.table_parameters) {
        if (k != "EXTERNAL") { // implied by CREATE EXTERNAL TABLE
            props.push_back("  " + quote_sql(k) + "=" + quote_sql(v));
        }
    }
    out += "TBLPROPERTIES (\n";
    for (size_t i = 0; i < props.size(); ++i) {
        out += props[i] + (i + 1 < props.size() ? ",\n" : "\n");
    }
    out += ");\n";
    return out;
}

} // namespace ticklake

namespace ticklake {

std::string hive_type_of_iceberg(std::string_view t) {
    // Iceberg's GlueCatalog (PyIceberg's GLUE_PRIMITIVE_TYPES, Java's IcebergToGlueConverter).
    static const std::map<std::string_view, std::string_view> kTypes{
        {"boolean", "boolean"}, {"int", "int"},       {"long", "bigint"},        {"float", "float"},
        {"double", "double"},   {"date", "date"},     {"time", "string"},        {"timestamp", "timestamp"},
        {"timestamptz", "timestamp"},                 {"string", "string"},      {"uuid", "string"},
        {"binary", "binary"}};
    if (auto it = kTypes.find(t); it != kTypes.end()) {
        return std::string(it->second);
    }
    if (t.starts_with("fixed[")) {
        return "binary";
    }
    if (t.starts_with("decimal(")) {
        std::string out(t);
        std::erase(out, ' '); // Iceberg writes "decimal(18, 8)", Hive "decimal(18,8)"
        return out;
    }
    return std::string(t);
}

Columns glue_columns_of(const IcebergTableDef& table) {
    Columns out;
    for (const auto& c : table.columns) {
        out.push_back({glue_column_name(c.name), hive_type_of_iceberg(c.type)});
    }
    return out;
}

namespace {

// A string literal of Trino's and Spark's SQL: quotes doubled.
std::string quote_standard_sql(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        out += c == '\'' ? "''" : std::string(1, c);
    }
    return out + "'";
}

} // namespace

// What export-ddl prints for an Iceberg table, and why. Athena's documented form is
//   CREATE TABLE db.t (cols) [PARTITIONED BY (day(ts))] LOCATION '...' TBLPROPERTIES ('table_type'='ICEBERG')
// (no EXTERNAL: Athena refuses it for Iceberg). That statement makes a NEW, empty table at
// LOCATION with a metadata file of its own; Athena documents no DDL that adopts an existing
// metadata file. So the statement is printed as the table's description in Athena's syntax
// (columns in Hive types, the hidden day(ts) partitioning, the location) with 'metadata_location'
// added to say which metadata file it describes, and the comment lines above it say so and give
// the ways that do register the existing table with its snapshots: `catalog push-glue` (a Glue
// table with table_type=ICEBERG and metadata_location, as Iceberg's own GlueCatalog makes, which
// Athena reads), Trino's and Spark's register_table procedures.
std::string athena_iceberg_ddl(const IcebergTableDef& table) {
    const std::string db = athena_name(table.database);
    const std::string name = athena_name(table.name);
    const std::string file = table.metadata_location.substr(table.metadata_location.rfind('/') + 1);
    std::string out;
    out += "-- Iceberg table " + table.database + "." + table.name + ", metadata " + table.metadata_location + "\n";
    out += "-- Athena's CREATE TABLE ... 'table_type'='ICEBERG' creates a new, empty table: it does not adopt\n";
    out += "-- this one's metadata file ('metadata_location' below records which file this describes).\n";
    out += "-- To query this table with its snapshots, register it instead:\n";
    out += "--   Glue/Athena: ticklake catalog push-glue " + table.database + "." + table.name + "\n";
    out += "--   Trino: CALL iceberg.system.register_table(schema_name => " + quote_standard_sql(db) +
           ", table_name => " + quote_standard_sql(name) + ", table_location => " +
           quote_standard_sql(table.location) + ", metadata_file_name => " + quote_standard_sql(file) + ")\n";
    out += "--   Spark: CALL <catalog>.system.register_table(table => " + quote_standard_sql(db + "." + name) +
           ", metadata_file => " + quote_standard_sql(table.metadata_location) + ")\n";
    out += "CREATE TABLE `" + db + "`.`" + name + "` (\n";
    const Columns columns = glue_columns_of(table);
    for (size_t i = 0; i < columns.size(); ++i) {
        out += "  `" + columns[i].name + "` " + columns[i].type + (i + 1 < columns.size() ? ",\n" : "\n");
    }
    out += ")\n";
    if (table.day_partition_column) {
        out += "PARTITIONED BY (day(`" + glue_column_name(*table.day_partition_column) + "`))\n";
    }
    out += "LOCATION " + quote_sql(table.location) + "\n";
    out += "TBLPROPERTIES (\n";
    out += "  'table_type'='ICEBERG',\n";
    out += "  'metadata_location'=" + quote_sql(table.metadata_location) + "\n";
    out += ");\n";
    return out;
}

} // namespace ticklake
