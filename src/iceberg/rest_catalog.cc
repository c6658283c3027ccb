#include "iceberg/rest_catalog.h"

#include <simdjson.h>

#include <algorithm>
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

// Applies one update to m; an error (400) for what the metadata model cannot keep.
Status apply(element u, TableMetadata& m, std::optional<int>& last_added_schema) {
    const std::string action = text_of(u["action"]);
    int64_t n = 0;
    if (action == "add-snapshot") {
        element snap;
        if (u["snapshot"].get(snap) != simdjson::SUCCESS) {
            return fail(Error::invalid("add-snapshot without a snapshot"));
        }
        auto s = snapshot_from_json(simdjson::minify(snap));
        if (!s) {
            return fail(s.error());
        }
        if (m.snapshot(s->id) != nullptr) {
            return fail(Error::invalid("snapshot " + std::to_string(s->id) + " exists already"));
        }
        m.last_sequence_number = std::max(m.last_sequence_number, s->sequence_number);
        m.snapshots.push_back(std::move(*s));
        return {};
    }
    if (action == "set-snapshot-ref") {
        if (text_of(u["ref-name"]) != "main" || text_of(u["type"]) != "branch" ||
            u["snapshot-id"].get(n) != simdjson::SUCCESS) {
            return fail(Error::invalid("ticklake's tables keep one branch, main: set-snapshot-ref of another ref"));
        }
        if (m.snapshot(n) == nullptr) {
            return fail(Error::invalid("set-snapshot-ref to unknown snapshot " + std::to_string(n)));
        }
        m.current_snapshot_id = n;
        m.snapshot_log.emplace_back(now_ms(), n);
        return {};
    }
    if (action == "add-schema") {
        element schema;
        if (u["schema"].get(schema) != simdjson::SUCCESS) {
            return fail(Error::invalid("add-schema without a schema"));
        }
        auto parsed = schema_from_json(simdjson::minify(schema));
        if (!parsed) {
            return fail(parsed.error());
        }
        int id = parsed->first;
        if (id < 0 || m.schema(id) != nullptr) {
            id = m.current_schema_id;
            for (const auto& [past, unused] : m.past_schemas) {
                id = std::max(id, past);
            }
            ++id;
        }
        m.past_schemas[id] = std::move(parsed->second);
        for (const auto& f : m.past_schemas[id]) {
            m.last_column_id = std::max(m.last_column_id, f.id);
        }
        if (u["last-column-id"].get(n) == simdjson::SUCCESS) {
            m.last_column_id = std::max(m.last_column_id, static_cast<int>(n));
        }
        last_added_schema = id;
        return {};
    }
    if (action == "set-current-schema") {
        if (u["schema-id"].get(n) != simdjson::SUCCESS) {
            return fail(Error::invalid("set-current-schema without a schema-id"));
        }
        const int id = n == -1 && last_added_schema ? *last_added_schema : static_cast<int>(n);
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
    if (action == "set-properties") {
        simdjson::dom::object updates;
        if (u["updates"].get(updates) == simdjson::SUCCESS) {
            for (auto [k, v] : updates) {
                m.properties[std::string(k)] = text_of(v);
            }
        }
        return {};
    }
    if (action == "remove-properties") {
        simdjson::dom::array removals;
        if (u["removals"].get(removals) == simdjson::SUCCESS) {
            for (element k : removals) {
                m.properties.erase(text_of(k));
            }
        }
        return {};
    }
    if (action == "remove-snapshots") {
        simdjson::dom::array ids;
        if (u["snapshot-ids"].get(ids) == simdjson::SUCCESS) {
            for (element e : ids) {
                if (e.get(n) == simdjson::SUCCESS) {
                    if (m.current_snapshot_id == n) {
                        return fail(Error::invalid("remove-snapshots of the current snapshot"));
                    }
                    std::erase_if(m.snapshots, [&](const Snapshot& s) { return s.id == n; });
                    std::erase_if(m.snapshot_log, [&](const auto& l) { return l.second == n; });
                }
            }
        }
        return {};
    }
    if (action == "assign-uuid") {
        const std::string uuid = text_of(u["uuid"]);
        return uuid == m.uuid ? Status{} : fail(Error::invalid("assign-uuid of an existing table"));
    }
    if (action == "upgrade-format-version") {
        return u["format-version"].get(n) == simdjson::SUCCESS && n == 2
                   ? Status{}
                   : fail(Error::invalid("ticklake keeps tables at format version 2"));
    }
    if (action == "set-location") {
        m.location = text_of(u["location"]);
        return {};
    }
    if (action == "set-default-spec" || action == "set-default-sort-order") {
        return u[action == "set-default-spec" ? "spec-id" : "sort-order-id"].get(n) == simdjson::SUCCESS &&
                       (n == 0 || n == -1)
                   ? Status{}
                   : fail(Error::invalid(action + " to another spec or order: ticklake's tables keep their one"));
    }
    return fail(Error::invalid("update '" + action + "' is not supported by ticklake's REST catalog (docs/iceberg.md)"));
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
    auto tables = catalog_.iceberg_tables(options_.catalog_name, ns);
    auto namespaces = catalog_.iceberg_namespaces(options_.catalog_name);
    if (!tables || !namespaces) {
        return error(500, "ServiceFailureException", !tables ? tables.error().message : namespaces.error().message);
    }
    if (std::find(namespaces->begin(), namespaces->end(), ns) == namespaces->end()) {
        return error(404, "NoSuchNamespaceException", "namespace does not exist: " + ns);
    }
    if (p.size() == 2 && get) {
        return HttpServerResponse::json(200, R"({"namespace":[)" + json_string(ns) + R"(],"properties":{}})");
    }
    if (p.size() == 3 && p[2] == "tables" && get) {
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
    auto key = store ? key_under((*store)->uri(), **pointer) : fail(store.error());
    auto text = key ? (*store)->get_small(*key) : fail(key.error());
    if (!text || !text->has_value()) {
        return error(500, "ServiceFailureException",
                     "cannot read " + **pointer + ": " + (!text ? text.error().message : std::string("missing")));
    }
    return HttpServerResponse::json(200, R"({"metadata-location":)" + json_string(**pointer) + R"(,"metadata":)" +
                                             **text + R"(,"config":{}})");
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
    auto key = key_under((*store)->uri(), **pointer);
    auto text = key ? (*store)->get_small(*key) : fail(key.error());
    if (!text || !text->has_value()) {
        return error(500, "ServiceFailureException", "cannot read " + **pointer);
    }
    auto m = TableMetadata::from_json(**text);
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
    std::optional<int> last_added_schema;
    if (request["updates"].get(updates) == simdjson::SUCCESS) {
        for (element u : updates) {
            if (auto st = apply(u, *m, last_added_schema); !st) {
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
