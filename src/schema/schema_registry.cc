#include "schema/schema_registry.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/binary_text.h"
#include "common/json_writer.h"
#include "common/log.h"
#include "net/url.h"

namespace ticklake {

namespace {

constexpr char kFileScheme[] = "file://";
constexpr char kContentType[] = "application/vnd.schemaregistry.v1+json";

// The registry's error body: {"error_code": 40403, "message": "Schema 7 not found"}.
std::string registry_message(std::string_view body) {
    simdjson::dom::parser p;
    simdjson::dom::element e;
    std::string_view m;
    if (p.parse(body.data(), body.size()).get(e) == simdjson::SUCCESS &&
        e["message"].get_string().get(m) == simdjson::SUCCESS) {
        return std::string(m);
    }
    return std::string(body.substr(0, 200));
}

Result<SchemaType> schema_type_of(std::string_view name) {
    if (name.empty() || name == "AVRO") {
        return SchemaType::avro; // the registry leaves schemaType out for Avro
    }
    if (name == "PROTOBUF") {
        return SchemaType::protobuf;
    }
    if (name == "JSON") {
        return SchemaType::json;
    }
    return fail(Error::poison("schema type '" + std::string(name) + "' is not one ticklake reads"));
}

const char* registry_name(SchemaType t) {
    switch (t) {
    case SchemaType::avro: return "AVRO";
    case SchemaType::protobuf: return "PROTOBUF";
    case SchemaType::json: return "JSON";
    }
    return "AVRO";
}

// A subject in a URL path: TopicNameStrategy subjects are topic names plus "-value", which may
// hold characters a path must escape.
std::string path_escape(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

} // namespace

Result<std::shared_ptr<const RegisteredSchema>> SchemaSource::schema_by_reference(const SchemaReference& ref) {
    return fail(Error::poison(fmt::format("reference {} (subject {} version {}) is unknown", ref.name, ref.subject,
                                          ref.version)));
}

const char* to_string(SchemaType t) {
    switch (t) {
    case SchemaType::avro: return "avro";
    case SchemaType::protobuf: return "protobuf";
    case SchemaType::json: return "json";
    }
    return "avro";
}

SchemaRegistryClient::SchemaRegistryClient(SchemaRegistryOptions options) : options_(std::move(options)) {
    base_ = options_.url;
    while (!base_.empty() && base_.back() == '/') {
        base_.pop_back();
    }
    if (base_.starts_with(kFileScheme)) {
        folder_ = base_.substr(sizeof(kFileScheme) - 1);
        return;
    }
    net::HttpTransportOptions t;
    t.connect_timeout = options_.timeout;
    t.total_timeout = options_.timeout;
    t.user_agent = "ticklake";
    t.ca_file = options_.ca_file;
    t.accept_compressed = true;
    transport_ = std::make_unique<net::CurlHttpTransport>(std::move(t));
}

SchemaRegistryClient::~SchemaRegistryClient() = default;

Result<std::string> SchemaRegistryClient::answer_of(const net::HttpResult& sent, const std::string& what) {
    if (!sent) {
        return fail(Error::retry(fmt::format("schema registry: {}: {}", what, sent.error().message)));
    }
    const long status = sent->status;
    if (status >= 200 && status < 300) {
        return sent->body;
    }
    const std::string message = fmt::format("schema registry: {}: HTTP {}: {}", what, status, registry_message(sent->body));
    if (status == 404) {
        return fail(Error::not_found(message));
    }
    if (status == 429 || status >= 500) {
        return fail(Error::retry(message));
    }
    if (status == 401 || status == 403) {
        return fail(Error::fatal(message + " (check the registry's credentials)"));
    }
    return fail(Error::invalid(message));
}

Result<std::string> SchemaRegistryClient::send_json(const std::string& method, const std::string& path, std::string body) {
    const std::string what = method + " " + path;
    auto build = [&]() -> Result<net::HttpRequest> {
        net::HttpRequest r;
        r.method = method;
        r.url = base_ + path;
        r.headers.push_back({"Accept", kContentType});
        if (!body.empty()) {
            r.headers.push_back({"Content-Type", kContentType});
            r.body = body;
        }
        if (!options_.basic_auth.empty()) {
            std::string auth = "Basic ";
            append_base64(auth, options_.basic_auth);
            r.headers.push_back({"Authorization", std::move(auth)});
        }
        return r;
    };
    auto outcome = net::send_with_retries(*transport_, build, options_.retry);
    if (!outcome) {
        return fail(outcome.error());
    }
    return answer_of(outcome->result, what);
}

Result<std::string> SchemaRegistryClient::get_json(const std::string& path) {
    if (transport_) {
        return send_json("GET", path, {});
    }
    std::ifstream in(folder_ + path, std::ios::binary);
    if (!in) {
        return fail(Error::not_found(fmt::format("schema registry: no file {}{}", folder_, path)));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Result<std::shared_ptr<RegisteredSchema>> SchemaRegistryClient::schema_of_answer(const std::string& body,
                                                                                const std::string& what) {
    simdjson::dom::parser p;
    simdjson::dom::element e;
    std::string_view text;
    if (p.parse(body.data(), body.size()).get(e) != simdjson::SUCCESS ||
        e["schema"].get_string().get(text) != simdjson::SUCCESS) {
        return fail(Error::retry(fmt::format("schema registry: the answer for {} has no schema", what)));
    }
    std::string_view type_name;
    if (e["schemaType"].get_string().get(type_name) != simdjson::SUCCESS) {
        type_name = {}; // Avro: the registry leaves the field out
    }
    auto type = schema_type_of(type_name);
    if (!type) {
        return fail(type.error());
    }
    auto s = std::make_shared<RegisteredSchema>();
    s->type = *type;
    s->text = std::string(text);
    simdjson::dom::array refs;
    if (e["references"].get_array().get(refs) == simdjson::SUCCESS) {
        for (simdjson::dom::element r : refs) {
            SchemaReference ref;
            std::string_view name, subject;
            int64_t version = 0;
            if (r["name"].get_string().get(name) != simdjson::SUCCESS ||
                r["subject"].get_string().get(subject) != simdjson::SUCCESS ||
                r["version"].get_int64().get(version) != simdjson::SUCCESS) {
                return fail(Error::poison(fmt::format("{}: a reference lacks its name, subject or version", what)));
            }
            ref.name = std::string(name);
            ref.subject = std::string(subject);
            ref.version = static_cast<int32_t>(version);
            s->references.push_back(std::move(ref));
        }
    }
    if (s->type == SchemaType::avro) {
        auto avro = AvroSchema::parse(s->text);
        if (!avro) {
            // Kept as poison: every message of this id fails the same way, none blocks the rest.
            return fail(Error::poison(fmt::format("{}: {}", what, avro.error().message)));
        }
        s->avro = std::move(*avro);
    }
    return s;
}

Result<std::shared_ptr<const RegisteredSchema>> SchemaRegistryClient::schema_by_id(int32_t id) {
    if (auto it = by_id_.find(id); it != by_id_.end()) {
        return it->second;
    }
    ++fetches_;
    auto body = get_json(fmt::format("/schemas/ids/{}", id));
    if (!body) {
        if (body.error().kind == ErrorKind::not_found) {
            return fail(Error::poison(fmt::format("schema id {} is unknown to the registry ({})", id, body.error().message)));
        }
        return fail(body.error());
    }
    auto s = schema_of_answer(*body, fmt::format("schema id {}", id));
    if (!s) {
        return fail(s.error());
    }
    (*s)->id = id;
    log::info("schema registry: schema id {} ({}) fetched", id, to_string((*s)->type));
    by_id_.emplace(id, *s);
    return std::shared_ptr<const RegisteredSchema>(std::move(*s));
}

Result<std::shared_ptr<const RegisteredSchema>> SchemaRegistryClient::schema_by_reference(const SchemaReference& ref) {
    const std::string key = fmt::format("{}/{}", ref.subject, ref.version);
    if (auto it = by_reference_.find(key); it != by_reference_.end()) {
        return it->second;
    }
    ++fetches_;
    const std::string what = fmt::format("reference {} (subject {} version {})", ref.name, ref.subject, ref.version);
    auto body = get_json(fmt::format("/subjects/{}/versions/{}", path_escape(ref.subject), ref.version));
    if (!body) {
        if (body.error().kind == ErrorKind::not_found) {
            return fail(Error::poison(fmt::format("{} is unknown to the registry ({})", what, body.error().message)));
        }
        return fail(body.error());
    }
    auto s = schema_of_answer(*body, what);
    if (!s) {
        return fail(s.error());
    }
    by_reference_.emplace(key, *s);
    return std::shared_ptr<const RegisteredSchema>(std::move(*s));
}

Result<int32_t> SchemaRegistryClient::register_schema(const std::string& subject, const std::string& schema_text,
                                                      SchemaType type) {
    if (!transport_) {
        return fail(Error::invalid("registering a schema needs an http(s):// registry, not " + options_.url));
    }
    JsonWriter w(0);
    w.begin_object().field("schema", schema_text);
    if (type != SchemaType::avro) {
        w.field("schemaType", registry_name(type));
    }
    w.end_object();
    std::string body = w.str();
    body.pop_back();
    auto answer = send_json("POST", "/subjects/" + path_escape(subject) + "/versions", std::move(body));
    if (!answer) {
        return fail(answer.error());
    }
    simdjson::dom::parser p;
    simdjson::dom::element e;
    int64_t id = 0;
    if (p.parse(answer->data(), answer->size()).get(e) != simdjson::SUCCESS || e["id"].get_int64().get(id) != simdjson::SUCCESS) {
        return fail(Error::retry("schema registry: the registration of " + subject + " answered no id"));
    }
    return static_cast<int32_t>(id);
}

Status SchemaRegistryClient::set_compatibility(const std::string& subject, const std::string& level) {
    if (!transport_) {
        return fail(Error::invalid("setting compatibility needs an http(s):// registry, not " + options_.url));
    }
    JsonWriter w(0);
    w.begin_object().field("compatibility", level).end_object();
    std::string body = w.str();
    body.pop_back();
    auto answer = send_json("PUT", "/config/" + path_escape(subject), std::move(body));
    if (!answer) {
        return fail(answer.error());
    }
    return {};
}

Result<WireFrame> read_wire_frame(std::string_view value) {
    if (value.empty()) {
        return fail(Error::poison("an empty value has no schema registry frame"));
    }
    if (value[0] != 0) {
        return fail(Error::poison(fmt::format("magic byte {} is not the schema registry's 0", static_cast<unsigned>(static_cast<unsigned char>(value[0])))));
    }
    if (value.size() < 5) {
        return fail(Error::poison(fmt::format("a value of {} bytes is shorter than the 5-byte schema registry frame", value.size())));
    }
    const auto* b = reinterpret_cast<const unsigned char*>(value.data());
    WireFrame f;
    f.schema_id = static_cast<int32_t>((uint32_t(b[1]) << 24) | (uint32_t(b[2]) << 16) | (uint32_t(b[3]) << 8) | uint32_t(b[4]));
    f.payload = value.substr(5);
    return f;
}

void append_wire_header(std::string& out, int32_t schema_id) {
    const auto u = static_cast<uint32_t>(schema_id);
    out.push_back('\0');
    out.push_back(static_cast<char>(u >> 24));
    out.push_back(static_cast<char>(u >> 16));
    out.push_back(static_cast<char>(u >> 8));
    out.push_back(static_cast<char>(u));
}

} // namespace ticklake
