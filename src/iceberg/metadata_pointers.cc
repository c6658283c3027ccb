#include "iceberg/metadata_pointers.h"

#include <simdjson.h>

#include "common/event_json.h"
#include "common/log.h"
#include "iceberg/table_scan.h"
#include "net/http_transport.h"
#include "net/retry_policy.h"

namespace ticklake::iceberg {

namespace {

class CatalogPointers final : public MetadataPointers {
public:
    CatalogPointers(Catalog& catalog, std::string name, ObjectStore& store)
        : catalog_(catalog), name_(std::move(name)), store_(store) {}

    Result<std::vector<std::string>> tables(const std::string& ns) override { return catalog_.iceberg_tables(name_, ns); }

    Result<std::optional<CurrentMetadata>> current(const std::string& ns, const std::string& table) override {
        auto pointer = catalog_.iceberg_metadata_location(name_, ns, table);
        if (!pointer) {
            return fail(pointer.error());
        }
        if (!*pointer) {
            return std::optional<CurrentMetadata>();
        }
        auto text = read_table_file(store_, **pointer, "metadata file the catalog points at");
        if (!text) {
            return fail(Error{text.error().kind == ErrorKind::invalid_argument ? ErrorKind::fatal : text.error().kind,
                              text.error().message});
        }
        auto m = TableMetadata::from_json(*text);
        if (!m) {
            return fail(Error{m.error().kind, m.error().message + " (" + **pointer + ")"});
        }
        return std::optional<CurrentMetadata>(CurrentMetadata{**pointer, std::move(*m)});
    }

    Result<bool> commit(const std::string& ns, const std::string& table, const std::optional<CurrentMetadata>& base,
                        const TableMetadata& next, const std::string& next_key) override {
        if (auto st = store_.put_small(next_key, next.to_json()); !st) {
            return fail(st.error());
        }
        const std::string location = store_.uri() + "/" + next_key;
        return base ? catalog_.iceberg_swap_metadata(name_, ns, table, base->location, location)
                    : catalog_.iceberg_create_table(name_, ns, table, location);
    }

private:
    Catalog& catalog_;
    std::string name_;
    ObjectStore& store_;
};

std::string json_quoted(std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
}

std::string url_segment(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// The requirements and updates that take a table from `base` to `next`: this writer's new
// snapshots (and schema, and properties) on top of the snapshot it read.
std::string commit_request(const CurrentMetadata& base, const TableMetadata& next) {
    const TableMetadata& b = base.metadata;
    std::string req = R"({"requirements":[{"type":"assert-table-uuid","uuid":)" + json_quoted(b.uuid) + "}," +
                      R"({"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":)" +
                      (b.current_snapshot_id ? std::to_string(*b.current_snapshot_id) : std::string("null")) + "}," +
                      R"({"type":"assert-current-schema-id","current-schema-id":)" + std::to_string(b.current_schema_id) +
                      "}],\"updates\":[";
    std::string updates;
    auto add = [&](const std::string& u) { updates += (updates.empty() ? "" : ",") + u; };
    if (next.current_schema_id != b.current_schema_id) {
        add(R"({"action":"add-schema","schema":)" + schema_json(next.current_schema_id, next.fields) +
            R"(,"last-column-id":)" + std::to_string(next.last_column_id) + "}");
        add(R"({"action":"set-current-schema","schema-id":-1})");
    }
    for (const auto& s : next.snapshots) {
        if (b.snapshot(s.id) == nullptr) {
            add(R"({"action":"add-snapshot","snapshot":)" + snapshot_json(s) + "}");
        }
    }
    if (next.current_snapshot_id && next.current_snapshot_id != b.current_snapshot_id) {
        add(R"({"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":)" +
            std::to_string(*next.current_snapshot_id) + "}");
    }
    std::string props;
    for (const auto& [k, v] : next.properties) {
        auto it = b.properties.find(k);
        if (it == b.properties.end() || it->second != v) {
            props += (props.empty() ? "" : ",") + json_quoted(k) + ":" + json_quoted(v);
        }
    }
    if (!props.empty()) {
        add(R"({"action":"set-properties","updates":{)" + props + "}}");
    }
    return req + updates + "]}";
}

class RestPointers final : public MetadataPointers {
public:
    explicit RestPointers(RestPointerOptions o) : options_(std::move(o)) {
        while (!options_.uri.empty() && options_.uri.back() == '/') {
            options_.uri.pop_back();
        }
    }

    Result<std::vector<std::string>> tables(const std::string& ns) override {
        auto r = send("GET", "/v1/namespaces/" + url_segment(ns) + "/tables", "");
        if (!r) {
            return fail(r.error());
        }
        std::vector<std::string> out;
        if (r->status == 404) {
            return out;
        }
        if (r->status != 200) {
            return fail(answer_error("listing the tables of " + ns, *r));
        }
        simdjson::dom::parser parser;
        simdjson::dom::array ids;
        if (parser.parse(r->body).get_object()["identifiers"].get(ids) != simdjson::SUCCESS) {
            return fail(Error::fatal("the REST catalog's table list is not the spec's ListTablesResponse"));
        }
        for (auto id : ids) {
            std::string_view name;
            if (id["name"].get(name) == simdjson::SUCCESS) {
                out.emplace_back(name);
            }
        }
        return out;
    }

    Result<std::optional<CurrentMetadata>> current(const std::string& ns, const std::string& table) override {
        auto r = send("GET", table_path(ns, table), "");
        if (!r) {
            return fail(r.error());
        }
        if (r->status == 404) {
            return std::optional<CurrentMetadata>();
        }
        if (r->status != 200) {
            return fail(answer_error("loading " + ns + "." + table, *r));
        }
        auto loaded = load_result(r->body);
        if (!loaded) {
            return fail(loaded.error());
        }
        return std::optional<CurrentMetadata>(std::move(*loaded));
    }

    Result<bool> commit(const std::string& ns, const std::string& table, const std::optional<CurrentMetadata>& base,
                        const TableMetadata& next, const std::string& /*next_key: the server writes it*/) override {
        std::optional<CurrentMetadata> from = base;
        if (!from) {
            // A new table: created empty (schema, spec, properties), then the snapshot on top.
            TableMetadata empty = next;
            empty.snapshots.clear();
            empty.current_snapshot_id.reset();
            const std::string body = R"({"name":)" + json_quoted(table) + R"(,"location":)" + json_quoted(next.location) +
                                     R"(,"schema":)" + schema_json(next.current_schema_id, next.fields) +
                                     R"(,"partition-spec":)" + partition_spec_json(next) + R"(,"properties":{)" +
                                     properties_json(next) + "}}";
            // Its namespace first (409: there already).
            auto made = send("POST", "/v1/namespaces", R"({"namespace":[)" + json_quoted(ns) + R"(],"properties":{}})");
            if (!made) {
                return fail(made.error());
            }
            if (made->status != 200 && made->status != 409) {
                return fail(answer_error("creating namespace " + ns, *made));
            }
            auto r = send("POST", "/v1/namespaces/" + url_segment(ns) + "/tables", body);
            if (!r) {
                return fail(r.error());
            }
            if (r->status == 409) {
                return false; // another writer created it: load it and commit on top
            }
            if (r->status != 200) {
                return fail(answer_error("creating " + ns + "." + table, *r));
            }
            auto created = load_result(r->body);
            if (!created) {
                return fail(created.error());
            }
            from = std::move(*created);
            TableMetadata on_top = next;
            on_top.uuid = from->metadata.uuid; // the server's table
            return post_commit(ns, table, *from, on_top);
        }
        return post_commit(ns, table, *from, next);
    }

private:
    Result<bool> post_commit(const std::string& ns, const std::string& table, const CurrentMetadata& base,
                             const TableMetadata& next) {
        auto r = send("POST", table_path(ns, table), commit_request(base, next));
        if (!r) {
            return fail(r.error());
        }
        if (r->status == 409) {
            return false;
        }
        if (r->status != 200) {
            return fail(answer_error("committing to " + ns + "." + table, *r));
        }
        return true;
    }

    std::string table_path(const std::string& ns, const std::string& table) const {
        return "/v1/namespaces/" + url_segment(ns) + "/tables/" + url_segment(table);
    }

    static std::string properties_json(const TableMetadata& m) {
        std::string out;
        for (const auto& [k, v] : m.properties) {
            out += (out.empty() ? "" : ",") + json_quoted(k) + ":" + json_quoted(v);
        }
        return out;
    }

    static Result<CurrentMetadata> load_result(const std::string& body) {
        simdjson::dom::parser parser;
        simdjson::dom::element root, metadata;
        std::string_view location;
        if (parser.parse(body).get(root) != simdjson::SUCCESS || root["metadata-location"].get(location) != simdjson::SUCCESS ||
            root["metadata"].get(metadata) != simdjson::SUCCESS) {
            return fail(Error::fatal("the REST catalog's answer is not the spec's LoadTableResult"));
        }
        auto m = TableMetadata::from_json(simdjson::minify(metadata));
        if (!m) {
            return fail(m.error());
        }
        return CurrentMetadata{std::string(location), std::move(*m)};
    }

    static Error answer_error(const std::string& what, const net::HttpResponse& r) {
        simdjson::dom::parser parser;
        std::string_view message;
        std::string text = r.body.substr(0, 300);
        if (parser.parse(r.body)["error"]["message"].get(message) == simdjson::SUCCESS) {
            text = std::string(message);
        }
        return Error::fatal("Iceberg REST catalog: " + what + ": HTTP " + std::to_string(r.status) + ": " + text);
    }

    // One request; connection failures and 5xx are retried for a while (the server restarting).
    Result<net::HttpResponse> send(const std::string& method, const std::string& path, const std::string& body) {
        net::HttpRequest req;
        req.method = method;
        req.url = options_.uri + path;
        req.body = body;
        req.headers.push_back({"Content-Type", "application/json"});
        if (!options_.token.empty()) {
            req.headers.push_back({"Authorization", "Bearer " + options_.token});
        }
        net::RetryPolicy policy;
        policy.max_attempts = 8;
        net::RetryLoop retry(policy);
        for (;;) {
            auto r = transport_.send(req);
            const bool transient = !r ? (r.error().kind == net::TransportErrorKind::timeout ||
                                         r.error().kind == net::TransportErrorKind::connection)
                                      : r->status >= 500;
            if (!transient || !retry.pause_before_retry([&](std::chrono::milliseconds delay) {
                    log::warn("iceberg rest: {} {} failed ({}); retry in {} ms", method, path,
                              r ? "HTTP " + std::to_string(r->status) : r.error().message, delay.count());
                })) {
                if (!r) {
                    return fail(Error::retry("Iceberg REST catalog " + options_.uri + ": " + r.error().message));
                }
                return std::move(*r);
            }
        }
    }

    RestPointerOptions options_;
    net::CurlHttpTransport transport_;
};

} // namespace

std::unique_ptr<MetadataPointers> catalog_pointers(Catalog& catalog, std::string catalog_name, ObjectStore& store) {
    return std::make_unique<CatalogPointers>(catalog, std::move(catalog_name), store);
}

Result<std::unique_ptr<MetadataPointers>> rest_pointers(RestPointerOptions options) {
    if (!options.uri.starts_with("http://") && !options.uri.starts_with("https://")) {
        return fail(Error::invalid("--iceberg-rest takes the REST catalog's URL, e.g. http://127.0.0.1:8787/iceberg"));
    }
    return std::unique_ptr<MetadataPointers>(new RestPointers(std::move(options)));
}

} // namespace ticklake::iceberg
