#include "iceberg/rest_catalog.h"

#include <simdjson.h>

#include <algorithm>
#include <map>
#include <vector>

#include "common/event_json.h"
#include "common/json_writer.h"
#include "common/log.h"
#include "iceberg/table_scan.h"

namespace ticklake::iceberg {

namespace {

using net::HttpServerRequest;
using net::HttpServerResponse;
using simdjson::dom::element;

// The spec's ErrorModel: {"error": {"message", "type", "code"}}.
HttpServerResponse error(int code, const std::string& type, const std::string& message) {
    JsonWriter w(0);
    w.begin_object().key("error").begin_object();
    w.field("message", message).field("type", type).key("code").value(int64_t{code});
    w.end_object().end_object();
    return HttpServerResponse::json(code, w.str());
}

HttpServerResponse bad_request(const std::string& message) { return error(400, "BadRequestException", message); }

std::string json_string(std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
}

// Path segments are percent-encoded (a multi-level namespace joins its levels with %1F).
std::string decode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::vector<std::string> segments(std::string_view path) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t slash = path.find('/', start);
        const std::string_view part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (!part.empty()) {
            out.push_back(decode(part));
        }
        if (slash == std::string_view::npos) {
            break;
        }
        start = slash + 1;
    }
    return out;
}

std::string identifiers_json(const std::string& ns, const std::vector<std::string>& tables) {
    JsonWriter w(0);
    w.begin_object().key("identifiers").begin_array();
    for (const auto& t : tables) {
        w.begin_object().key("namespace").begin_array().value(ns).end_array().field("name", t).end_object();
    }
    w.end_array().end_object();
    return w.str();
}

std::string text_of(element e) {
    std::string_view s;
    return e.get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

// One requirement of a commit; an error message when the table does not meet it.
std::optional<std::string> unmet(element req, const TableMetadata& m) {
    const std::string type = text_of(req["type"]);
    int64_t n = 0;
    if (type == "assert-table-uuid") {
        return text_of(req["uuid"]) == m.uuid ? std::nullopt : std::optional<std::string>("the table's uuid differs");
    }
    if (type == "assert-ref-snapshot-id") {
        const std::string ref = text_of(req["ref"]);
        std::optional<int64_t> want;
        if (req["snapshot-id"].get(n) == simdjson::SUCCESS) {
            want = n;
        }
        const std::optional<int64_t> have = ref == "main" ? m.current_snapshot_id : std::nullopt;
        if (want != have) {
            return "branch " + ref + " is at " + (have ? std::to_string(*have) : std::string("no snapshot")) +
                   ", not " + (want ? std::to_string(*want) : std::string("none")) +
                   ": another writer committed first";
        }
        return std::nullopt;
    }
    if (type == "assert-current-schema-id") {
        return req["current-schema-id"].get(n) == simdjson::SUCCESS && n == m.current_schema_id
                   ? std::nullopt
                   : std::optional<std::string>("the current schema changed");
    }
    if (type == "assert-last-assigned-field-id") {
        return req["last-assigned-field-id"].get(n) == simdjson::SUCCESS && n == m.last_column_id
                   ? std::nullopt
                   : std::optional<std::string>("the last assigned field id changed");
    }
    if (type == "assert-last-assigned-partition-id") {
        return req["last-assigned-partition-id"].get(n) == simdjson::SUCCESS && n == (m.day_source_id ? 1000 : 999)
                   ? std::nullopt
                   : std::optional<std::string>("the last assigned partition id differs");
    }
    if (type == "assert-default-spec-id" || type == "assert-default-sort-order-id") {
        const char* key = type == "assert-default-spec-id" ? "default-spec-id" : "default-sort-order-id";
        return req[key].get(n) == simdjson::SUCCESS && n == 0 ? std::nullopt
                                                             : std::optional<std::string>(type + " does not hold");
    }
    if (type == "assert-create") {
        return "the table exists";
    }
    return "unknown requirement '" + type + "'";
}

// The state one commit's updates share: "set-current-schema -1" means the schema added last.
struct Applying {
    TableMetadata& m;
    std::optional<int> last_added_schema;
};

using UpdateFn = Status (*)(element u, Applying& a);

Status add_snapshot(element u, Applying& a) {
    element snap;
    if (u["snapshot"].get(snap) != simdjson::SUCCESS) {
        return fail(Error::invalid("add-snapshot without a snapshot"));
    }
    auto s = snapshot_from_json(simdjson::minify(snap));
    if (!s) {
        return fail(s.error());
    }
    if (a.m.snapshot(s->id) != nullptr) {
        return fail(Error::invalid("snapshot " + std::to_string(s->id) + " exists already"));
    }
    a.m.last_sequence_number = std::max(a.m.last_sequence_number, s->sequence_number);
    a.m.snapshots.push_back(std::move(*s));
    return {};
}

Status set_snapshot_ref(element u, Applying& a) {
    int64_t n = 0;
    if (text_of(u["ref-name"]) != "main" || text_of(u["type"]) != "branch" ||
        u["snapshot-id"].get(n) != simdjson::SUCCESS) {
        return fail(Error::invalid("ticklake's tables keep one branch, main: set-snapshot-ref of another ref"));
    }
    if (a.m.snapshot(n) == nullptr) {
        return fail(Error::invalid("set-snapshot-ref to unknown snapshot " + std::to_string(n)));
    }
    a.m.current_snapshot_id = n;
    a.m.snapshot_log.emplace_back(now_ms(), n);
    return {};
}

Status add_schema(element u, Applying& a) {
    element schema;
    if (u["schema"].get(schema) != simdjson::SUCCESS) {
        return fail(Error::invalid("add-schema without a schema"));
    }
    auto parsed = schema_from_json(simdjson::minify(schema));
    if (!parsed) {
        return fail(parsed.error());
    }
    TableMetadata& m = a.m;
    int id = parsed->first;
    if (id < 0 || m.schema(id) != nullptr) {
        id = m.current_schema_id;
        for (const auto& [past, unused] : m.past_schemas) {
            id = std::max(id, past);
        }
        ++id;
    }
    for (const auto& f : parsed->second) {
        m.last_column_id = std::max(m.last_column_id, f.id);
    }
    m.past_schemas[id] = std::move(parsed->second);
    int64_t n = 0;
    if (u["last-column-id"].get(n) == simdjson::SUCCESS) {
        m.last_column_id = std::max(m.last_column_id, static_cast<int>(n));
    }
    a.last_added_schema = id;
    return {};
}

Status set_current_schema(element u, Applying& a) {
    int64_t n = 0;
    if (u["schema-id"].get(n) != simdjson::SUCCESS) {
        return fail(Error::invalid("set-current-schema without a schema-id"));
    }
    TableMetadata& m = a.m;
    const int id = n == -1 && a.last_added_schema ? *a.last_added_schema : static_cast<int>(n);
    if (id == m.current_schema_id) {
        return {};
    }
    auto it = m.past_schemas.find(id);
    if (it == m.past_schemas.end()) {
        return fail(Error::invalid("set-current-schema to unknown schema " + std::to_string(id)));
    }
    std::vector<SchemaField> next = std::move(it->second);
    m.past_schemas.erase(it);
    m.past_schemas[m.current_schema_id] = std::move(m.fields);
    m.fields = std::move(next);
    m.current_schema_id = id;
    return {};
}

Status set_properties(element u, Applying& a) {
    simdjson::dom::object updates;
    if (u["updates"].get(updates) == simdjson::SUCCESS) {
        for (auto [k, v] : updates) {
            a.m.properties[std::string(k)] = text_of(v);
        }
    }
    return {};
}

Status remove_properties(element u, Applying& a) {
    simdjson::dom::array removals;
    if (u["removals"].get(removals) == simdjson::SUCCESS) {
        for (element k : removals) {
            a.m.properties.erase(text_of(k));
        }
    }
    return {};
}

Status remove_snapshots(element u, Applying& a) {
    simdjson::dom::array ids;
    if (u["snapshot-ids"].get(ids) != simdjson::SUCCESS) {
        return {};
    }
    for (element e : ids) {
        int64_t n = 0;
        if (e.get(n) != simdjson::SUCCESS) {
            continue;
        }
        if (a.m.current_snapshot_id == n) {
            return fail(Error::invalid("remove-snapshots of the current snapshot"));
        }
        std::erase_if(a.m.snapshots, [&](const Snapshot& s) { return s.id == n; });
        std::erase_if(a.m.snapshot_log, [&](const auto& l) { return l.second == n; });
    }
    return {};
}

Status assign_uuid(element u, Applying& a) {
    return text_of(u["uuid"]) == a.m.uuid ? Status{} : fail(Error::invalid("assign-uuid of an existing table"));
}

Status upgrade_format_version(element u, Applying&) {
    int64_t n = 0;
    return u["format-version"].get(n) == simdjson::SUCCESS && n == 2
               ? Status{}
               : fail(Error::invalid("ticklake keeps tables at format version 2"));
}

Status set_location(element u, Applying& a) {
    a.m.location = text_of(u["location"]);
    return {};
}

// Spec 0 and sort order 0 are a table's only ones here: "set the default" to them is a no-op.
Status keep_only_spec_or_order(element u, Applying&) {
    int64_t n = 0;
    const bool spec = text_of(u["action"]) == "set-default-spec";
    return u[spec ? "spec-id" : "sort-order-id"].get(n) == simdjson::SUCCESS && (n == 0 || n == -1)
               ? Status{}
               : fail(Error::invalid("another partition spec or sort order: ticklake's tables keep their one"));
}

// Applies one update to m; an error (400) for what the metadata model cannot keep.
Status apply(element u, Applying& a) {
    static const std::map<std::string, UpdateFn, std::less<>> kUpdates{
        {"add-snapshot", add_snapshot},
        {"set-snapshot-ref", set_snapshot_ref},
        {"add-schema", add_schema},
        {"set-current-schema", set_current_schema},
        {"set-properties", set_properties},
        {"remove-properties", remove_properties},
        {"remove-snapshots", remove_snapshots},
        {"assign-uuid", assign_uuid},
        {"upgrade-format-version", upgrade_format_version},
        {"set-location", set_location},
        {"set-default-spec", keep_only_spec_or_order},
        {"set-default-sort-order", keep_only_spec_or_order},
    };
    const std::string action = text_of(u["action"]);
    auto it = kUpdates.find(action);
    if (it == kUpdates.end()) {
        return fail(Error::invalid("update '" + action + "' is not supported by ticklake's REST catalog (docs/iceberg.md)"));
    }
    return it->second(u, a);
}

} // namespace

Result<std::unique_ptr<RestCatalog>> RestCatalog::open(RestCatalogOptions options) {
    auto catalog = Catalog::open(options.catalog);
    if (!catalog) {
        return fail(catalog.error());
    }
    return std::unique_ptr<RestCatalog>(new RestCatalog(std::move(options), std::move(*catalog)));
}

HttpServerResponse RestCatalog::handle(const HttpServerRequest& r) {
    if (!r.path.starts_with(options_.prefix + "/v1/")) {
        return error(404, "NoSuchResourceException", "no route " + r.path + " (the API is under " + options_.prefix +
                                                         "/v1/)");
    }
    const std::vector<std::string> p = segments(std::string_view(r.path).substr(options_.prefix.size() + 4));
    const bool get = r.method == "GET" || r.method == "HEAD";
    std::lock_guard lock(mu_);
    if (p.size() == 1 && p[0] == "config" && get) {
        return HttpServerResponse::json(200, R"({"defaults":{},"overrides":{}})");
    }
    if (p.empty() || p[0] != "namespaces") {
        return error(404, "NoSuchResourceException", "no route " + r.path);
    }
    if (p.size() == 1 && get) {
        auto all = catalog_.iceberg_namespaces(options_.catalog_name);
        if (!all) {
            return error(500, "ServiceFailureException", all.error().message);
        }
        JsonWriter w(0);
        w.begin_object().key("namespaces").begin_array();
        for (const auto& ns : *all) {
            w.begin_array().value(ns).end_array();
        }
        w.end_array().end_object();
        return HttpServerResponse::json(200, w.str());
    }
    if (p.size() == 1 && r.method == "POST") {
        simdjson::dom::parser parser;
        simdjson::dom::array ns;
        element body;
        if (parser.parse(r.body).get(body) != simdjson::SUCCESS || body["namespace"].get(ns) != simdjson::SUCCESS ||
            ns.size() != 1) {
            return bad_request("a namespace of one level, as {\"namespace\": [\"market\"]}");
        }
        const std::string name = text_of(ns.at(0));
        auto made = catalog_.iceberg_create_namespace(options_.catalog_name, name);
        if (!made) {
            return error(500, "ServiceFailureException", made.error().message);
        }
        if (!*made) {
            return error(409, "AlreadyExistsException", "namespace " + name + " exists");
        }
        return HttpServerResponse::json(200, R"({"namespace":[)" + json_string(name) + R"(],"properties":{}})");
    }
    const std::string ns = p.size() > 1 ? p[1] : std::string();
    auto namespaces = catalog_.iceberg_namespaces(options_.catalog_name);
    if (!namespaces) {
        return error(500, "ServiceFailureException", namespaces.error().message);
    }
    if (std::find(namespaces->begin(), namespaces->end(), ns) == namespaces->end()) {
        return error(404, "NoSuchNamespaceException", "namespace does not exist: " + ns);
    }
    if (p.size() == 2 && get) {
        return HttpServerResponse::json(200, R"({"namespace":[)" + json_string(ns) + R"(],"properties":{}})");
    }
    if (p.size() == 3 && p[2] == "tables" && get) {
        auto tables = catalog_.iceberg_tables(options_.catalog_name, ns);
        if (!tables) {
            return error(500, "ServiceFailureException", tables.error().message);
        }
        return HttpServerResponse::json(200, identifiers_json(ns, *tables));
    }
    if (p.size() == 3 && p[2] == "tables" && r.method == "POST") {
        return create_table(ns, r.body);
    }
    if (p.size() == 4 && p[2] == "tables") {
        if (get) {
            return load_table(ns, p[3], r.method == "HEAD");
        }
        if (r.method == "POST") {
            return commit(ns, p[3], r.body);
        }
    }
    return error(405, "MethodNotAllowedException", r.method + " " + r.path + " is not served");
}

HttpServerResponse RestCatalog::load_table(const std::string& ns, const std::string& table, bool head) {
    auto pointer = catalog_.iceberg_metadata_location(options_.catalog_name, ns, table);
    if (!pointer) {
        return error(500, "ServiceFailureException", pointer.error().message);
    }
    if (!*pointer) {
        return error(404, "NoSuchTableException", "table does not exist: " + ns + "." + table);
    }
    if (head) {
        return HttpServerResponse{204, "application/json", ""};
    }
    auto store = open_object_store(store_root_of(table_location_of(**pointer)), options_.store);
    auto text = store ? read_table_file(**store, **pointer, "metadata file") : fail(store.error());
    if (!text) {
        return error(500, "ServiceFailureException", text.error().message);
    }
    return HttpServerResponse::json(200, R"({"metadata-location":)" + json_string(**pointer) + R"(,"metadata":)" +
                                             *text + R"(,"config":{}})");
}

HttpServerResponse RestCatalog::create_table(const std::string& ns, const std::string& body) {
    simdjson::dom::parser parser;
    element request, schema;
    if (parser.parse(body).get(request) != simdjson::SUCCESS || request["schema"].get(schema) != simdjson::SUCCESS) {
        return bad_request("a CreateTableRequest with a name and a schema");
    }
    const std::string name = text_of(request["name"]);
    const std::string location = text_of(request["location"]);
    if (name.empty() || location.empty()) {
        return bad_request("a CreateTableRequest with a name and a location (ticklake's REST catalog has no "
                           "warehouse of its own to place tables in)");
    }
    auto fields = schema_from_json(simdjson::minify(schema));
    if (!fields) {
        return bad_request(fields.error().message);
    }
    TableMetadata m;
    m.uuid = random_uuid();
    m.location = location;
    m.current_schema_id = std::max(fields->first, 0);
    m.fields = std::move(fields->second);
    for (const auto& f : m.fields) {
        m.last_column_id = std::max(m.last_column_id, f.id);
    }
    simdjson::dom::array spec_fields;
    if (request["partition-spec"]["fields"].get(spec_fields) == simdjson::SUCCESS) {
        for (element f : spec_fields) {
            int64_t source = 0;
            if (text_of(f["transform"]) != "day" || f["source-id"].get(source) != simdjson::SUCCESS ||
                spec_fields.size() != 1) {
                return bad_request("ticklake's tables are partitioned by day(ts) or not at all");
            }
            m.day_source_id = static_cast<int>(source);
        }
    }
    simdjson::dom::object props;
    if (request["properties"].get(props) == simdjson::SUCCESS) {
        for (auto [k, v] : props) {
            m.properties[std::string(k)] = text_of(v);
        }
    }
    m.last_updated_ms = now_ms();
    auto store = open_object_store(store_root_of(location), options_.store);
    if (!store) {
        return error(500, "ServiceFailureException", store.error().message);
    }
    const std::string file = "metadata/" + next_metadata_file_name(std::nullopt, m, random_uuid());
    const std::string json = m.to_json();
    if (auto st = (*store)->put_small(file, json); !st) {
        return error(500, "ServiceFailureException", st.error().message);
    }
    const std::string pointer = (*store)->uri() + "/" + file;
    auto created = catalog_.iceberg_create_table(options_.catalog_name, ns, name, pointer);
    if (!created) {
        return error(500, "ServiceFailureException", created.error().message);
    }
    if (!*created) {
        return error(409, "AlreadyExistsException", "table already exists: " + ns + "." + name);
    }
    log::info("iceberg rest: {}.{} created at {}", ns, name, location);
    return HttpServerResponse::json(200, R"({"metadata-location":)" + json_string(pointer) + R"(,"metadata":)" + json +
                                             R"(,"config":{}})");
}

HttpServerResponse RestCatalog::commit(const std::string& ns, const std::string& table, const std::string& body) {
    simdjson::dom::parser parser;
    element request;
    if (parser.parse(body).get(request) != simdjson::SUCCESS) {
        return bad_request("the commit is not JSON");
    }
    auto pointer = catalog_.iceberg_metadata_location(options_.catalog_name, ns, table);
    if (!pointer) {
        return error(500, "ServiceFailureException", pointer.error().message);
    }
    if (!*pointer) {
        return error(404, "NoSuchTableException", "table does not exist: " + ns + "." + table);
    }
    auto store = open_object_store(store_root_of(table_location_of(**pointer)), options_.store);
    if (!store) {
        return error(500, "ServiceFailureException", store.error().message);
    }
    auto text = read_table_file(**store, **pointer, "metadata file");
    if (!text) {
        return error(500, "ServiceFailureException", text.error().message);
    }
    auto m = TableMetadata::from_json(*text);
    if (!m) {
        return error(500, "ServiceFailureException", m.error().message);
    }
    simdjson::dom::array requirements, updates;
    if (request["requirements"].get(requirements) == simdjson::SUCCESS) {
        for (element req : requirements) {
            if (auto why = unmet(req, *m)) {
                return error(409, "CommitFailedException", "requirement failed: " + *why);
            }
        }
    }
    Applying applying{*m, std::nullopt};
    if (request["updates"].get(updates) == simdjson::SUCCESS) {
        for (element u : updates) {
            if (auto st = apply(u, applying); !st) {
                return bad_request(st.error().message);
            }
        }
    }
    m->last_updated_ms = now_ms();
    const std::string uuid = random_uuid();
    const std::string name = next_metadata_file_name(std::optional<std::string_view>(**pointer), *m, uuid);
    m->metadata_log.emplace_back(m->last_updated_ms, **pointer);
    const std::string json = m->to_json();
    if (auto st = (*store)->put_small("metadata/" + name, json); !st) {
        return error(500, "ServiceFailureException", st.error().message);
    }
    const std::string next = (*store)->uri() + "/metadata/" + name;
    auto swapped = catalog_.iceberg_swap_metadata(options_.catalog_name, ns, table, **pointer, next);
    if (!swapped) {
        return error(500, "ServiceFailureException", swapped.error().message);
    }
    if (!*swapped) {
        return error(409, "CommitFailedException", "another writer committed first");
    }
    log::info("iceberg rest: {}.{} committed (metadata {})", ns, table, name);
    return HttpServerResponse::json(200, R"({"metadata-location":)" + json_string(next) + R"(,"metadata":)" + json + "}");
}

} // namespace ticklake::iceberg
