#include "iceberg/table_metadata.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <random>

#include "common/json_writer.h"

namespace ticklake::iceberg {

namespace {

using simdjson::dom::element;

Error bad(std::string_view what) { return Error::invalid("Iceberg metadata: " + std::string(what)); }

std::string text_of(element e) {
    std::string_view s;
    if (e.get(s) == simdjson::SUCCESS) {
        return std::string(s);
    }
    return simdjson::minify(e); // a JSON type (a nested one) kept as its text
}

Status read_schema(element schema, std::vector<SchemaField>& out) {
    simdjson::dom::array fields;
    if (schema["fields"].get(fields) != simdjson::SUCCESS) {
        return fail(bad("a schema without fields"));
    }
    for (element f : fields) {
        SchemaField field;
        int64_t id = 0;
        std::string_view name;
        if (f["id"].get(id) != simdjson::SUCCESS || f["name"].get(name) != simdjson::SUCCESS) {
            return fail(bad("a schema field without id or name"));
        }
        field.id = static_cast<int>(id);
        field.name = std::string(name);
        element type;
        if (f["type"].get(type) != simdjson::SUCCESS) {
            return fail(bad("field '" + field.name + "' without a type"));
        }
        field.type = text_of(type);
        bool required = false;
        if (f["required"].get(required) == simdjson::SUCCESS) {
            field.required = required;
        }
        out.push_back(std::move(field));
    }
    return {};
}

// Reads an optional number: left as it was when the key is missing or not a number.
void read_int(simdjson::simdjson_result<element> value, int64_t& out) {
    int64_t v = 0;
    if (value.get(v) == simdjson::SUCCESS) {
        out = v;
    }
}

} // namespace

const Snapshot* TableMetadata::current() const {
    if (!current_snapshot_id) {
        return nullptr;
    }
    for (const auto& s : snapshots) {
        if (s.id == *current_snapshot_id) {
            return &s;
        }
    }
    return nullptr;
}

const Snapshot* TableMetadata::snapshot(int64_t id) const {
    for (const auto& s : snapshots) {
        if (s.id == id) {
            return &s;
        }
    }
    return nullptr;
}

const Snapshot* TableMetadata::snapshot_as_of(int64_t timestamp_ms) const {
    std::optional<int64_t> id;
    int64_t at = 0;
    for (const auto& [ts, sid] : snapshot_log) {
        if (ts <= timestamp_ms && (!id || ts >= at)) {
            id = sid;
            at = ts;
        }
    }
    if (!id) {
        // No log (a table some writer kept none for): the newest snapshot made by then.
        for (const auto& s : snapshots) {
            if (s.timestamp_ms <= timestamp_ms && (!id || s.timestamp_ms >= at)) {
                id = s.id;
                at = s.timestamp_ms;
            }
        }
    }
    return id ? snapshot(*id) : nullptr;
}

const std::vector<SchemaField>* TableMetadata::schema(int id) const {
    if (id == current_schema_id) {
        return &fields;
    }
    auto it = past_schemas.find(id);
    return it == past_schemas.end() ? nullptr : &it->second;
}

void TableMetadata::evolve_schema(std::vector<SchemaField> next) {
    int id = current_schema_id;
    for (const auto& [past, unused] : past_schemas) {
        id = std::max(id, past);
    }
    past_schemas[current_schema_id] = std::move(fields);
    current_schema_id = id + 1;
    fields = std::move(next);
    for (const auto& f : fields) {
        last_column_id = std::max(last_column_id, f.id);
    }
}

const SchemaField* TableMetadata::field(std::string_view name) const {
    for (const auto& f : fields) {
        if (f.name == name) {
            return &f;
        }
    }
    return nullptr;
}

namespace {

void write_schema(JsonWriter& w, int id, const std::vector<SchemaField>& fields) {
    w.begin_object();
    w.field("type", "struct");
    w.key("schema-id").value(int64_t{id});
    w.key("fields").begin_array();
    for (const auto& f : fields) {
        w.begin_object();
        w.key("id").value(int64_t{f.id});
        w.field("name", f.name);
        w.key("required").value(f.required);
        w.field("type", f.type);
        w.end_object();
    }
    w.end_array().end_object();
}

// Every schema, by id: the current one and those old snapshots were written with.
void write_schemas(JsonWriter& w, const TableMetadata& m) {
    w.key("current-schema-id").value(int64_t{m.current_schema_id});
    w.key("schemas").begin_array();
    bool current_written = false;
    for (const auto& [id, fields] : m.past_schemas) {
        if (!current_written && id > m.current_schema_id) {
            write_schema(w, m.current_schema_id, m.fields);
            current_written = true;
        }
        write_schema(w, id, fields);
    }
    if (!current_written) {
        write_schema(w, m.current_schema_id, m.fields);
    }
    w.end_array();
}

// Spec 0: day(<ts field>) as partition field 1000, or unpartitioned.
void write_spec_object(JsonWriter& w, const TableMetadata& m) {
    w.begin_object();
    w.key("spec-id").value(int64_t{0});
    w.key("fields").begin_array();
    if (m.day_source_id) {
        std::string source_name;
        for (const auto& f : m.fields) {
            if (f.id == *m.day_source_id) {
                source_name = f.name;
            }
        }
        w.begin_object();
        w.field("name", source_name + "_day");
        w.field("transform", "day");
        w.key("source-id").value(int64_t{*m.day_source_id});
        w.key("field-id").value(int64_t{1000});
        w.end_object();
    }
    w.end_array().end_object();
}

void write_partition_spec(JsonWriter& w, const TableMetadata& m) {
    w.key("default-spec-id").value(int64_t{0});
    w.key("partition-specs").begin_array();
    write_spec_object(w, m);
    w.end_array();
    // 999 when there is no partition field: the next one gets 1000, as the spec numbers them.
    w.key("last-partition-id").value(int64_t{m.day_source_id ? 1000 : 999});
}

void write_snapshot(JsonWriter& w, const Snapshot& s) {
    w.begin_object();
    w.key("snapshot-id").value(s.id);
    if (s.parent_id) {
        w.key("parent-snapshot-id").value(*s.parent_id);
    }
    w.key("sequence-number").value(s.sequence_number);
    w.key("timestamp-ms").value(s.timestamp_ms);
    w.field("manifest-list", s.manifest_list);
    w.key("schema-id").value(int64_t{s.schema_id});
    w.key("summary").begin_object();
    for (const auto& [k, v] : s.summary) {
        w.field(k, v);
    }
    w.end_object();
    w.end_object();
}

void write_snapshots(JsonWriter& w, const TableMetadata& m) {
    if (m.current_snapshot_id) {
        w.key("current-snapshot-id").value(*m.current_snapshot_id);
        w.key("refs").begin_object().key("main").begin_object();
        w.key("snapshot-id").value(*m.current_snapshot_id);
        w.field("type", "branch");
        w.end_object().end_object();
    }
    w.key("snapshots").begin_array();
    for (const auto& s : m.snapshots) {
        write_snapshot(w, s);
    }
    w.end_array();
    w.key("snapshot-log").begin_array();
    for (const auto& [ts, id] : m.snapshot_log) {
        w.begin_object().key("timestamp-ms").value(ts).key("snapshot-id").value(id).end_object();
    }
    w.end_array();
    w.key("metadata-log").begin_array();
    for (const auto& [ts, file] : m.metadata_log) {
        w.begin_object().key("timestamp-ms").value(ts).field("metadata-file", file).end_object();
    }
    w.end_array();
}

} // namespace

std::string TableMetadata::to_json() const {
    JsonWriter w(2);
    w.begin_object();
    w.key("format-version").value(int64_t{2});
    w.field("table-uuid", uuid);
    w.field("location", location);
    w.key("last-sequence-number").value(last_sequence_number);
    w.key("last-updated-ms").value(last_updated_ms);
    w.key("last-column-id").value(int64_t{last_column_id});
    write_schemas(w, *this);
    write_partition_spec(w, *this);
    w.key("default-sort-order-id").value(int64_t{0});
    w.key("sort-orders").begin_array().begin_object();
    w.key("order-id").value(int64_t{0});
    w.key("fields").begin_array().end_array();
    w.end_object().end_array();
    w.key("properties").begin_object();
    for (const auto& [k, v] : properties) {
        w.field(k, v);
    }
    w.end_object();
    write_snapshots(w, *this);
    w.end_object();
    return w.str();
}

namespace {

Status read_schemas(element root, TableMetadata& m) {
    int64_t schema_id = 0;
    read_int(root["current-schema-id"], schema_id);
    m.current_schema_id = static_cast<int>(schema_id);
    simdjson::dom::array schemas;
    if (root["schemas"].get(schemas) != simdjson::SUCCESS) {
        return fail(bad("no schemas"));
    }
    bool current = false;
    for (element sc : schemas) {
        int64_t id = 0;
        if (sc["schema-id"].get(id) != simdjson::SUCCESS) {
            return fail(bad("a schema without schema-id"));
        }
        std::vector<SchemaField> fields;
        if (auto st = read_schema(sc, fields); !st) {
            return st;
        }
        if (id == schema_id) {
            m.fields = std::move(fields);
            current = true;
        } else {
            m.past_schemas[static_cast<int>(id)] = std::move(fields);
        }
    }
    if (!current) {
        return fail(bad("the current schema is not among the schemas"));
    }
    return {};
}

// The default partition spec: day(ts) or none, the two ticklake appends to.
Status read_default_spec(element root, TableMetadata& m) {
    int64_t spec_id = 0;
    read_int(root["default-spec-id"], spec_id);
    simdjson::dom::array specs;
    if (root["partition-specs"].get(specs) != simdjson::SUCCESS) {
        return {};
    }
    for (element sp : specs) {
        int64_t id = 0;
        simdjson::dom::array fields;
        if (sp["spec-id"].get(id) != simdjson::SUCCESS || id != spec_id || sp["fields"].get(fields) != simdjson::SUCCESS) {
            continue;
        }
        for (element f : fields) {
            std::string_view transform;
            int64_t source = 0;
            if (f["transform"].get(transform) == simdjson::SUCCESS && transform == "day" &&
                f["source-id"].get(source) == simdjson::SUCCESS && fields.size() == 1) {
                m.day_source_id = static_cast<int>(source);
            } else {
                return fail(bad("a partition spec other than day(ts) or none; ticklake cannot append to it yet"));
            }
        }
    }
    return {};
}

Status read_snapshot(element e, Snapshot& snap) {
    std::string_view s;
    int64_t n = 0;
    if (e["snapshot-id"].get(snap.id) != simdjson::SUCCESS || e["manifest-list"].get(s) != simdjson::SUCCESS) {
        return fail(bad("a snapshot without snapshot-id or manifest-list"));
    }
    snap.manifest_list = std::string(s);
    if (e["parent-snapshot-id"].get(n) == simdjson::SUCCESS) {
        snap.parent_id = n;
    }
    read_int(e["sequence-number"], snap.sequence_number);
    read_int(e["timestamp-ms"], snap.timestamp_ms);
    if (e["schema-id"].get(n) == simdjson::SUCCESS) {
        snap.schema_id = static_cast<int>(n);
    }
    simdjson::dom::object summary;
    if (e["summary"].get(summary) == simdjson::SUCCESS) {
        for (auto [k, v] : summary) {
            snap.summary[std::string(k)] = text_of(v);
        }
    }
    return {};
}

Status read_snapshots(element root, TableMetadata& m) {
    simdjson::dom::array snaps;
    if (root["snapshots"].get(snaps) != simdjson::SUCCESS) {
        return {};
    }
    for (element e : snaps) {
        Snapshot snap;
        if (auto st = read_snapshot(e, snap); !st) {
            return st;
        }
        m.snapshots.push_back(std::move(snap));
    }
    return {};
}

void read_logs(element root, TableMetadata& m) {
    simdjson::dom::array log;
    if (root["snapshot-log"].get(log) == simdjson::SUCCESS) {
        for (element e : log) {
            int64_t ts = 0, id = 0;
            read_int(e["timestamp-ms"], ts);
            read_int(e["snapshot-id"], id);
            m.snapshot_log.emplace_back(ts, id);
        }
    }
    if (root["metadata-log"].get(log) == simdjson::SUCCESS) {
        for (element e : log) {
            int64_t ts = 0;
            std::string_view s;
            read_int(e["timestamp-ms"], ts);
            if (e["metadata-file"].get(s) == simdjson::SUCCESS) {
                m.metadata_log.emplace_back(ts, std::string(s));
            }
        }
    }
}

} // namespace

Result<TableMetadata> TableMetadata::from_json(std::string_view json) {
    simdjson::dom::parser parser;
    element root;
    if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
        return fail(bad("not JSON"));
    }
    TableMetadata m;
    int64_t version = 0;
    if (root["format-version"].get(version) != simdjson::SUCCESS || version != 2) {
        return fail(bad("format-version is not 2 (ticklake writes and reads v2 tables)"));
    }
    std::string_view s;
    int64_t n = 0;
    if (root["table-uuid"].get(s) == simdjson::SUCCESS) {
        m.uuid = std::string(s);
    }
    if (root["location"].get(s) != simdjson::SUCCESS) {
        return fail(bad("no location"));
    }
    m.location = std::string(s);
    if (root["last-sequence-number"].get(n) == simdjson::SUCCESS) {
        m.last_sequence_number = n;
    }
    if (root["last-updated-ms"].get(n) == simdjson::SUCCESS) {
        m.last_updated_ms = n;
    }
    if (root["last-column-id"].get(n) == simdjson::SUCCESS) {
        m.last_column_id = static_cast<int>(n);
    }
    if (auto st = read_schemas(root, m); !st) {
        return fail(st.error());
    }
    if (auto st = read_default_spec(root, m); !st) {
        return fail(st.error());
    }
    simdjson::dom::object props;
    if (root["properties"].get(props) == simdjson::SUCCESS) {
        for (auto [k, v] : props) {
            m.properties[std::string(k)] = text_of(v);
        }
    }
    if (root["current-snapshot-id"].get(n) == simdjson::SUCCESS && n >= 0) {
        m.current_snapshot_id = n;
    }
    if (auto st = read_snapshots(root, m); !st) {
        return fail(st.error());
    }
    read_logs(root, m);
    return m;
}

std::optional<std::string> iceberg_type_of(std::string_view t) {
    if (t == "BIGINT") return "long";
    if (t == "INTEGER" || t == "SMALLINT" || t == "TINYINT") return "int";
    if (t == "DOUBLE") return "double";
    if (t == "FLOAT" || t == "REAL") return "float";
    if (t == "VARCHAR") return "string";
    if (t == "BOOLEAN") return "boolean";
    if (t == "DATE") return "date";
    if (t == "TIMESTAMP") return "timestamp";
    if (t == "TIMESTAMP WITH TIME ZONE" || t == "TIMESTAMPTZ") return "timestamptz";
    if (t == "BLOB") return "binary";
    if (t.starts_with("DECIMAL(")) {
        std::string out = "decimal" + std::string(t.substr(7));
        std::erase(out, ' ');
        for (auto& c : out) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        // Iceberg writes "decimal(18, 8)"; either spacing parses.
        if (auto comma = out.find(','); comma != std::string::npos) {
            out.insert(comma + 1, " ");
        }
        return out;
    }
    return std::nullopt;
}

std::string kafka_offsets_key(std::string_view topic, std::string_view group) {
    return "ticklake.kafka.offsets." + std::string(topic) + "." + std::string(group);
}

std::string offsets_to_json(const std::map<int32_t, int64_t>& offsets) {
    JsonWriter w(0);
    w.begin_object();
    for (const auto& [p, o] : offsets) {
        w.key(std::to_string(p)).value(o);
    }
    w.end_object();
    std::string out = w.str();
    out.pop_back(); // the writer's final newline
    return out;
}

Result<std::map<int32_t, int64_t>> offsets_from_json(std::string_view json) {
    simdjson::dom::parser parser;
    simdjson::dom::object obj;
    if (parser.parse(json.data(), json.size()).get(obj) != simdjson::SUCCESS) {
        return fail(bad("Kafka offsets in a snapshot summary are not a JSON object"));
    }
    std::map<int32_t, int64_t> out;
    for (auto [k, v] : obj) {
        int64_t o = 0;
        if (v.get(o) != simdjson::SUCCESS || o < 0) {
            return fail(bad("a Kafka offset in a snapshot summary is not a number of 0 or more"));
        }
        // Keys are partition numbers: digits only, an int32 of 0 or more, each once.
        int32_t partition = -1;
        const auto [end, ec] = std::from_chars(k.data(), k.data() + k.size(), partition);
        if (ec != std::errc() || end != k.data() + k.size() || k.empty() || partition < 0 || k.front() == '+') {
            return fail(bad("a key of the Kafka offsets in a snapshot summary is not a partition number: '" +
                            std::string(k) + "'"));
        }
        if (!out.emplace(partition, o).second) {
            return fail(bad("the Kafka offsets in a snapshot summary name partition " + std::to_string(partition) +
                            " twice"));
        }
    }
    return out;
}

std::string random_uuid() {
    std::random_device rd;
    std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
    uint64_t hi = gen(), lo = gen();
    hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL; // version 4
    lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; // variant 10
    char buf[37];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                  static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    return buf;
}

int64_t new_snapshot_id() {
    std::random_device rd;
    std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
    return static_cast<int64_t>(gen() >> 1);
}

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

namespace {

// "00012-<uuid>.metadata.json" -> 12 (Iceberg's numbering of metadata files); nullopt otherwise.
std::optional<int> metadata_version(std::string_view location) {
    const size_t slash = location.rfind('/');
    std::string_view name = slash == std::string_view::npos ? location : location.substr(slash + 1);
    const size_t dash = name.find('-');
    if (dash == 0 || dash == std::string_view::npos || dash > 9) {
        return std::nullopt;
    }
    int v = 0;
    for (char c : name.substr(0, dash)) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        v = v * 10 + (c - '0');
    }
    return v;
}

} // namespace

std::string next_metadata_file_name(std::optional<std::string_view> current, const TableMetadata& m,
                                    std::string_view uuid) {
    int version = 0;
    if (current) {
        version = metadata_version(*current).value_or(static_cast<int>(m.metadata_log.size())) + 1;
    }
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%05d-", version);
    return prefix + std::string(uuid) + ".metadata.json";
}

std::map<std::string, std::string> inherited_summary(const TableMetadata& m, std::string_view prefix) {
    std::map<std::string, std::string> out;
    const Snapshot* s = m.current();
    for (size_t hops = 0; s != nullptr && hops <= m.snapshots.size(); ++hops) {
        for (const auto& [k, v] : s->summary) {
            if (k.starts_with(prefix)) {
                out.emplace(k, v);
            }
        }
        s = s->parent_id ? m.snapshot(*s->parent_id) : nullptr;
    }
    return out;
}

Result<Snapshot> snapshot_from_json(std::string_view json) {
    simdjson::dom::parser parser;
    element e;
    if (parser.parse(json.data(), json.size()).get(e) != simdjson::SUCCESS) {
        return fail(bad("a snapshot that is not JSON"));
    }
    Snapshot snap;
    if (auto st = read_snapshot(e, snap); !st) {
        return fail(st.error());
    }
    return snap;
}

Result<std::pair<int, std::vector<SchemaField>>> schema_from_json(std::string_view json) {
    simdjson::dom::parser parser;
    element e;
    if (parser.parse(json.data(), json.size()).get(e) != simdjson::SUCCESS) {
        return fail(bad("a schema that is not JSON"));
    }
    int64_t id = -1;
    read_int(e["schema-id"], id);
    std::vector<SchemaField> fields;
    if (auto st = read_schema(e, fields); !st) {
        return fail(st.error());
    }
    return std::pair{static_cast<int>(id), std::move(fields)};
}

namespace {

std::string finished(JsonWriter& w) {
    std::string out = w.str();
    while (!out.empty() && out.back() == '\n') {
        out.pop_back();
    }
    return out;
}

} // namespace

std::string snapshot_json(const Snapshot& s) {
    JsonWriter w(0);
    write_snapshot(w, s);
    return finished(w);
}

std::string schema_json(int id, const std::vector<SchemaField>& fields) {
    JsonWriter w(0);
    write_schema(w, id, fields);
    return finished(w);
}

std::string partition_spec_json(const TableMetadata& m) {
    JsonWriter w(0);
    write_spec_object(w, m);
    return finished(w);
}

} // namespace ticklake::iceberg
