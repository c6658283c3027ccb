#include "glue/glue_push.h"

#include <map>
#include <set>

#include <simdjson.h>

#include "common/json_writer.h"
#include "common/text_type.h"

namespace ticklake::glue {

namespace {

using Element = simdjson::dom::element;

std::string text_of(Element e, const char* key) {
    std::string_view v;
    return e[key].get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
}

Columns columns_of(Element e, const char* key) {
    Columns out;
    simdjson::dom::array list;
    if (e[key].get(list) != simdjson::SUCCESS) {
        return out;
    }
    for (Element c : list) {
        out.push_back({text_of(c, "Name"), text_of(c, "Type")});
    }
    return out;
}

GlueParameters parameters_of(Element e, const char* key) {
    GlueParameters out;
    simdjson::dom::object object;
    if (e[key].get(object) != simdjson::SUCCESS) {
        return out;
    }
    for (auto [k, v] : object) {
        std::string_view value;
        if (v.get(value) == simdjson::SUCCESS) {
            out.emplace_back(std::string(k), std::string(value));
        }
    }
    return out;
}

GlueStorage storage_of(Element e) {
    GlueStorage s;
    Element sd;
    if (e["StorageDescriptor"].get(sd) != simdjson::SUCCESS) {
        return s;
    }
    s.columns = columns_of(sd, "Columns");
    s.location = text_of(sd, "Location");
    s.input_format = text_of(sd, "InputFormat");
    s.output_format = text_of(sd, "OutputFormat");
    bool compressed = false;
    s.compressed = sd["Compressed"].get(compressed) == simdjson::SUCCESS && compressed;
    Element serde;
    if (sd["SerdeInfo"].get(serde) == simdjson::SUCCESS) {
        s.serde = text_of(serde, "SerializationLibrary");
        s.serde_parameters = parameters_of(serde, "Parameters");
    }
    return s;
}

// Parameters compared as sets: Glue keeps no order.
std::map<std::string, std::string> as_map(const GlueParameters& p) { return {p.begin(), p.end()}; }

// SerDe, formats and compression: everything of a descriptor but its columns and location.
bool same_serde(const GlueStorage& a, const GlueStorage& b) {
    return a.serde == b.serde && as_map(a.serde_parameters) == as_map(b.serde_parameters) &&
           a.input_format == b.input_format && a.output_format == b.output_format && a.compressed == b.compressed;
}

// What differs between two storage descriptors, as field names.
void storage_changes(const GlueStorage& want, const GlueStorage& have, std::vector<std::string>& out) {
    if (want.columns != have.columns) {
        out.push_back("columns");
    }
    if (want.location != have.location) {
        out.push_back("location");
    }
    if (!same_serde(want, have)) {
        out.push_back("serde");
    }
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (const auto& s : items) {
        out += (out.empty() ? "" : std::string(sep)) + s;
    }
    return out;
}

Result<Element> parse_object(simdjson::dom::parser& parser, std::string_view body, std::string_view what) {
    Element doc;
    if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
        return fail(Error::fatal("Glue " + std::string(what) + ": the answer is not a JSON object"));
    }
    return doc;
}

// Errors a batch call reports per partition (the call itself answers 200).
Status batch_errors(std::string_view body, std::string_view action, bool ignore_not_found) {
    simdjson::dom::parser parser;
    auto doc = parse_object(parser, body, action);
    if (!doc) {
        return fail(doc.error());
    }
    simdjson::dom::array errors;
    if ((*doc)["Errors"].get(errors) != simdjson::SUCCESS) {
        return {};
    }
    for (Element e : errors) {
        Element detail;
        std::string code;
        std::string message;
        if (e["ErrorDetail"].get(detail) == simdjson::SUCCESS) {
            code = text_of(detail, "ErrorCode");
            message = text_of(detail, "ErrorMessage");
        }
        if (ignore_not_found && code == "EntityNotFoundException") {
            continue; // already gone: what a delete wants
        }
        return fail(Error::fatal("Glue " + std::string(action) + ": " + code + ": " + message));
    }
    return {};
}

std::string partition_name(const Columns& keys, const std::vector<std::string>& values) {
    std::string out;
    for (size_t i = 0; i < values.size(); ++i) {
        out += (i ? "/" : "") + (i < keys.size() ? keys[i].name : "?") + "=" + values[i];
    }
    return out;
}

template <class Item, class Write>
std::vector<std::string> batches(const std::string& database, const std::string& table, const std::vector<Item>& items,
                                 const char* list_key, Write write) {
    std::vector<std::string> out;
    for (size_t start = 0; start < items.size(); start += kGluePartitionsPerBatch) {
        JsonWriter w(0);
        w.begin_object().field("DatabaseName", database).field("TableName", table);
        w.key(list_key).begin_array();
        for (size_t i = start; i < items.size() && i < start + kGluePartitionsPerBatch; ++i) {
            write(w, items[i]);
        }
        w.end_array().end_object();
        out.push_back(w.str());
    }
    return out;
}

void write_values(JsonWriter& w, const std::vector<std::string>& values) {
    w.begin_array();
    for (const auto& v : values) {
        w.value(v);
    }
    w.end_array();
}

} // namespace

GluePushPlan diff_glue_table(const GlueTable& desired, const GlueRemoteTable& remote) {
    GluePushPlan plan;
    plan.database = desired.database;
    plan.table = desired.table.name;
    plan.partition_keys = desired.table.partition_keys;
    plan.create_database = !remote.database_exists;
    plan.version_id = remote.version_id;
    if (!remote.table) {
        plan.table_action = GlueTableAction::create;
    } else {
        const GlueTableInput& have = *remote.table;
        storage_changes(desired.table.storage, have.storage, plan.table_changes);
        if (desired.table.partition_keys != have.partition_keys) {
            plan.table_changes.push_back("partition keys");
        }
        if (as_map(desired.table.parameters) != as_map(have.parameters)) {
            plan.table_changes.push_back("parameters");
        }
        if (desired.table.table_type != have.table_type) {
            plan.table_changes.push_back("table type");
        }
        if (!plan.table_changes.empty()) {
            plan.table_action = GlueTableAction::update;
        }
    }
    std::map<std::vector<std::string>, const GluePartitionInput*> existing;
    for (const auto& p : remote.partitions) {
        existing[p.values] = &p;
    }
    for (const auto& want : desired.partitions) {
        auto it = existing.find(want.values);
        if (it == existing.end()) {
            plan.create_partitions.push_back(want);
            continue;
        }
        const GluePartitionInput& have = *it->second;
        existing.erase(it);
        std::vector<std::string> changes;
        storage_changes(want.storage, have.storage, changes);
        if (as_map(want.parameters) != as_map(have.parameters)) {
            changes.push_back("parameters");
        }
        if (changes.empty()) {
            ++plan.unchanged_partitions;
        } else {
            plan.update_partitions.push_back(want);
            plan.update_reasons.push_back(join(changes, ", "));
        }
    }
    for (const auto& [values, p] : existing) {
        plan.delete_partitions.push_back(values);
    }
    return plan;
}

Result<GlueTableInput> parse_glue_table(std::string_view body, std::string* version_id) {
    simdjson::dom::parser parser;
    auto doc = parse_object(parser, body, "GetTable");
    if (!doc) {
        return fail(doc.error());
    }
    Element t;
    if ((*doc)["Table"].get(t) != simdjson::SUCCESS) {
        return fail(Error::fatal("Glue GetTable: the answer has no Table"));
    }
    GlueTableInput out;
    out.name = text_of(t, "Name");
    out.table_type = text_of(t, "TableType");
    out.parameters = parameters_of(t, "Parameters");
    out.partition_keys = columns_of(t, "PartitionKeys");
    out.storage = storage_of(t);
    if (version_id != nullptr) {
        *version_id = text_of(t, "VersionId");
    }
    return out;
}

Result<std::vector<GluePartitionInput>> parse_glue_partitions(std::string_view body, std::string* next_token) {
    simdjson::dom::parser parser;
    auto doc = parse_object(parser, body, "GetPartitions");
    if (!doc) {
        return fail(doc.error());
    }
    std::vector<GluePartitionInput> out;
    simdjson::dom::array list;
    if ((*doc)["Partitions"].get(list) == simdjson::SUCCESS) {
        for (Element p : list) {
            GluePartitionInput in;
            simdjson::dom::array values;
            if (p["Values"].get(values) == simdjson::SUCCESS) {
                for (Element v : values) {
                    std::string_view s;
                    in.values.emplace_back(v.get(s) == simdjson::SUCCESS ? std::string(s) : std::string());
                }
            }
            in.storage = storage_of(p);
            in.parameters = parameters_of(p, "Parameters");
            out.push_back(std::move(in));
        }
    }
    if (next_token != nullptr) {
        *next_token = text_of(*doc, "NextToken");
    }
    return out;
}

std::string create_table_body(const std::string& database, const GlueTableInput& table) {
    JsonWriter w(0);
    w.begin_object().field("DatabaseName", database).key("TableInput");
    write_glue_table_input(w, table);
    w.end_object();
    return w.str();
}

std::string update_table_body(const std::string& database, const GlueTableInput& table,
                              const std::string& version_id) {
    // SkipArchive false (the default, sent to say so): Glue keeps the old definition as a version.
    JsonWriter w(0);
    w.begin_object().field("DatabaseName", database).key("SkipArchive").value(false);
    if (!version_id.empty()) {
        w.field("VersionId", version_id); // optimistic concurrency, as Iceberg's GlueCatalog commits
    }
    w.key("TableInput");
    write_glue_table_input(w, table);
    w.end_object();
    return w.str();
}

std::vector<std::string> batch_create_partition_bodies(const std::string& database, const std::string& table,
                                                       const std::vector<GluePartitionInput>& partitions) {
    return batches(database, table, partitions, "PartitionInputList",
                   [](JsonWriter& w, const GluePartitionInput& p) { write_glue_partition_input(w, p); });
}

std::vector<std::string> batch_update_partition_bodies(const std::string& database, const std::string& table,
                                                       const std::vector<GluePartitionInput>& partitions) {
    return batches(database, table, partitions, "Entries", [](JsonWriter& w, const GluePartitionInput& p) {
        w.begin_object().key("PartitionValueList");
        write_values(w, p.values);
        w.key("PartitionInput");
        write_glue_partition_input(w, p);
        w.end_object();
    });
}

std::vector<std::string> batch_delete_partition_bodies(const std::string& database, const std::string& table,
                                                       const std::vector<std::vector<std::string>>& values) {
    return batches(database, table, values, "PartitionsToDelete", [](JsonWriter& w, const std::vector<std::string>& v) {
        w.begin_object().key("Values");
        write_values(w, v);
        w.end_object();
    });
}

GlueTable glue_table_to_push(const TableDef& table, const std::vector<PartitionDef>& partitions,
                             const GluePushOptions& options) {
    GlueTable out = glue_table_of(table, partitions, options.export_options);
    out.database = athena_name(options.database_prefix + table.database);
    // Which catalog schema version Glue holds, so a reader of Glue's table versions can tell.
    out.table.parameters.emplace_back("ticklake.schema_version", std::to_string(table.schema_version));
    return out;
}

GlueTable glue_table_to_push(const IcebergTableDef& table, const GluePushOptions& options) {
    GlueTable out = glue_iceberg_table_of(table);
    out.database = athena_name(options.database_prefix + table.database);
    return out;
}

Status check_iceberg_lineage(const IcebergTableDef& table, const GlueRemoteTable& remote) {
    if (!remote.table) {
        return {};
    }
    const auto params = as_map(remote.table->parameters);
    auto type = params.find("table_type");
    auto at = params.find("metadata_location");
    if (type == params.end() || ascii_lower(type->second) != "iceberg" || at == params.end() ||
        at->second == table.metadata_location) {
        return {};
    }
    for (const auto& file : table.metadata_history) {
        if (file == at->second) {
            return {}; // Glue is behind: the push moves it forward
        }
    }
    return fail(Error::invalid("Glue's Iceberg table points at " + at->second + ", which is not in the history of " +
                               table.database + "." + table.name + " (now " + table.metadata_location +
                               "): another engine committed to it through Glue, and a push would hide that commit. "
                               "Nothing was sent; to replace Glue's table anyway, delete it (aws glue delete-table) "
                               "and push again"));
}

Result<GlueRemoteTable> read_glue_table(GlueClient& client, const std::string& database, const std::string& table) {
    GlueRemoteTable remote;
    JsonWriter db(0);
    db.begin_object().field("Name", database).end_object();
    auto got_db = client.call("GetDatabase", db.str());
    if (!got_db && got_db.error().kind != ErrorKind::not_found) {
        return fail(got_db.error());
    }
    remote.database_exists = got_db.has_value();
    if (!remote.database_exists) {
        return remote;
    }
    JsonWriter t(0);
    t.begin_object().field("DatabaseName", database).field("Name", table).end_object();
    auto got_table = client.call("GetTable", t.str());
    if (!got_table) {
        if (got_table.error().kind == ErrorKind::not_found) {
            return remote;
        }
        return fail(got_table.error());
    }
    auto parsed = parse_glue_table(*got_table, &remote.version_id);
    if (!parsed) {
        return fail(parsed.error());
    }
    remote.table = std::move(*parsed);
    std::string token;
    do {
        JsonWriter w(0);
        w.begin_object().field("DatabaseName", database).field("TableName", table);
        if (!token.empty()) {
            w.field("NextToken", token);
        }
        w.end_object();
        auto page = client.call("GetPartitions", w.str());
        if (!page) {
            return fail(page.error());
        }
        auto partitions = parse_glue_partitions(*page, &token);
        if (!partitions) {
            return fail(partitions.error());
        }
        for (auto& p : *partitions) {
            remote.partitions.push_back(std::move(p));
        }
    } while (!token.empty());
    return remote;
}

Status apply_glue_plan(GlueClient& client, const GluePushPlan& plan, const GlueTable& desired) {
    auto send = [&](std::string_view action, const std::string& body) -> Status {
        auto r = client.call(action, body);
        if (!r) {
            return fail(r.error());
        }
        if (action.starts_with("Batch")) {
            return batch_errors(*r, action, action == "BatchDeletePartition");
        }
        return {};
    };
    if (plan.create_database) {
        JsonWriter w(0);
        w.begin_object().key("DatabaseInput").begin_object().field("Name", plan.database).end_object().end_object();
        if (auto s = send("CreateDatabase", w.str()); !s) {
            return s;
        }
    }
    if (plan.table_action == GlueTableAction::create) {
        if (auto s = send("CreateTable", create_table_body(plan.database, desired.table)); !s) {
            return s;
        }
    } else if (plan.table_action == GlueTableAction::update) {
        if (auto s = send("UpdateTable", update_table_body(plan.database, desired.table, plan.version_id)); !s) {
            return s;
        }
    }
    // Deletes first: a reader between calls then misses a partition that is gone anyway rather
    // than seeing one that should be.
    for (const auto& body : batch_delete_partition_bodies(plan.database, plan.table, plan.delete_partitions)) {
        if (auto s = send("BatchDeletePartition", body); !s) {
            return s;
        }
    }
    for (const auto& body : batch_update_partition_bodies(plan.database, plan.table, plan.update_partitions)) {
        if (auto s = send("BatchUpdatePartition", body); !s) {
            return s;
        }
    }
    for (const auto& body : batch_create_partition_bodies(plan.database, plan.table, plan.create_partitions)) {
        if (auto s = send("BatchCreatePartition", body); !s) {
            return s;
        }
    }
    return {};
}

namespace {

// Reads Glue's table, plans, and (unless a dry run) sends the plan.
Status push_one(GlueClient& client, const GlueTable& desired, const IcebergTableDef* iceberg, std::string source,
                const GluePushOptions& options, GluePushReport& report) {
    auto remote = read_glue_table(client, desired.database, desired.table.name);
    if (!remote) {
        return fail(remote.error());
    }
    if (iceberg != nullptr) {
        if (auto s = check_iceberg_lineage(*iceberg, *remote); !s) {
            return fail(Error{s.error().kind, source + " -> Glue " + desired.database + "." + desired.table.name + ": " +
                                                  s.error().message});
        }
    }
    GluePushPlan plan = diff_glue_table(desired, *remote);
    plan.source = std::move(source);
    plan.iceberg = iceberg != nullptr;
    if (!options.dry_run && !plan.empty()) {
        const int before = client.requests();
        if (auto s = apply_glue_plan(client, plan, desired); !s) {
            return fail(Error{s.error().kind, plan.source + " -> Glue " + plan.database + "." + plan.table + ": " +
                                                  s.error().message});
        }
        report.writes += client.requests() - before;
    }
    report.plans.push_back(std::move(plan));
    return {};
}

} // namespace

Result<GluePushReport> push_to_glue(Catalog& catalog, const std::vector<TableDef>& tables,
                                    const std::vector<IcebergTableDef>& iceberg, GlueClient& client,
                                    const GluePushOptions& options) {
    GluePushReport report;
    report.dry_run = options.dry_run;
    // The Iceberg tables by Glue name: each replaces the Hive table (the sink's registration of
    // the same files) that would land on that name.
    std::map<std::pair<std::string, std::string>, size_t> iceberg_by_name;
    std::vector<GlueTable> iceberg_desired;
    for (size_t i = 0; i < iceberg.size(); ++i) {
        iceberg_desired.push_back(glue_table_to_push(iceberg[i], options));
        iceberg_by_name[{iceberg_desired[i].database, iceberg_desired[i].table.name}] = i;
    }
    std::set<size_t> pushed;
    auto push_iceberg = [&](size_t i) -> Status {
        pushed.insert(i);
        return push_one(client, iceberg_desired[i], &iceberg[i], iceberg[i].database + "." + iceberg[i].name, options,
                        report);
    };
    for (const TableDef& t : tables) {
        const std::pair<std::string, std::string> name{athena_name(options.database_prefix + t.database),
                                                       athena_name(t.name)};
        if (auto it = iceberg_by_name.find(name); it != iceberg_by_name.end()) {
            if (!pushed.contains(it->second)) {
                if (auto s = push_iceberg(it->second); !s) {
                    return fail(s.error());
                }
            }
            continue;
        }
        if (t.columns.empty()) {
            return fail(Error::invalid("table " + t.qualified_name() +
                                       " has no columns yet (its files hold no rows): crawl again once data has landed"));
        }
        auto parts = catalog.partitions(t);
        if (!parts) {
            return fail(parts.error());
        }
        if (auto s = push_one(client, glue_table_to_push(t, *parts, options), nullptr, t.qualified_name(), options,
                              report);
            !s) {
            return fail(s.error());
        }
    }
    for (size_t i = 0; i < iceberg.size(); ++i) {
        if (!pushed.contains(i)) {
            if (auto s = push_iceberg(i); !s) {
                return fail(s.error());
            }
        }
    }
    report.requests = client.requests();
    return report;
}

CatalogReport glue_push_report(const GluePushReport& report) {
    CatalogReport out;
    JsonWriter w;
    w.begin_object();
    w.key("dry_run").value(report.dry_run);
    w.key("requests").value(static_cast<int64_t>(report.requests));
    w.key("writes").value(static_cast<int64_t>(report.writes));
    w.key("tables").begin_array();
    for (const auto& p : report.plans) {
        const char* action = p.table_action == GlueTableAction::create   ? "create"
                             : p.table_action == GlueTableAction::update ? "update"
                                                                         : "none";
        w.begin_object().field("source", p.source).field("database", p.database).field("table", p.table);
        w.field("format", p.iceberg ? "iceberg" : "hive");
        w.key("create_database").value(p.create_database);
        w.field("table_action", action);
        w.key("table_changes").begin_array();
        for (const auto& c : p.table_changes) {
            w.value(c);
        }
        w.end_array();
        w.key("create_partitions").begin_array();
        for (const auto& c : p.create_partitions) {
            write_values(w, c.values);
        }
        w.end_array();
        w.key("update_partitions").begin_array();
        for (const auto& c : p.update_partitions) {
            write_values(w, c.values);
        }
        w.end_array();
        w.key("delete_partitions").begin_array();
        for (const auto& c : p.delete_partitions) {
            write_values(w, c);
        }
        w.end_array();
        w.key("unchanged_partitions").value(static_cast<int64_t>(p.unchanged_partitions));
        w.end_object();

        // Text: a diff, + to create, ~ to update, - to delete.
        ReportBlock block;
        block.lines.push_back(p.source + (p.iceberg ? " (Iceberg)" : "") + " -> Glue " + p.database + "." + p.table +
                              (p.empty() ? ": up to date" : (report.dry_run ? ": would change (dry run)" : ": changed")));
        if (p.create_database) {
            block.lines.push_back("  + database " + p.database);
        }
        if (p.table_action == GlueTableAction::create) {
            block.lines.push_back("  + table " + p.table);
        } else if (p.table_action == GlueTableAction::update) {
            block.lines.push_back("  ~ table " + p.table + ": " + join(p.table_changes, ", "));
        }
        for (const auto& c : p.create_partitions) {
            block.lines.push_back("  + partition " + partition_name(p.partition_keys, c.values));
        }
        for (size_t i = 0; i < p.update_partitions.size(); ++i) {
            block.lines.push_back("  ~ partition " + partition_name(p.partition_keys, p.update_partitions[i].values) + ": " + p.update_reasons[i]);
        }
        for (const auto& c : p.delete_partitions) {
            block.lines.push_back("  - partition " + partition_name(p.partition_keys, c));
        }
        if (p.unchanged_partitions > 0) {
            block.lines.push_back("  = " + std::to_string(p.unchanged_partitions) + " partitions unchanged");
        }
        out.text.push_back(std::move(block));
    }
    w.end_array();
    w.end_object();
    out.json = w.str();
    out.text.push_back(ReportBlock{{std::to_string(report.requests) + " Glue requests, " +
                                    std::to_string(report.writes) + " of them writes" +
                                    (report.dry_run ? " (dry run: nothing sent but reads)" : "")},
                                   std::nullopt});
    return out;
}

} // namespace ticklake::glue
