#include "iceberg/table_scan.h"

#include "common/sql_quote.h"

#include <map>
#include <string>

namespace ticklake::iceberg {

namespace {

// "file:/x", "file:///x" and "/x" name the same local file; s3:// and others stay as they are.
std::string normalize(std::string_view uri) {
    std::string u(uri);
    while (u.size() > 1 && u.back() == '/') {
        u.pop_back();
    }
    if (u.starts_with("file:") && !u.starts_with("file://")) {
        return "file://" + u.substr(5); // Java's file:/path
    }
    if (u.starts_with("/")) {
        return "file://" + u;
    }
    return u;
}

} // namespace

std::optional<std::string> duckdb_type_of(std::string_view t) {
    static const std::map<std::string_view, std::string_view> kTypes{
        {"boolean", "BOOLEAN"}, {"int", "INTEGER"},     {"long", "BIGINT"},       {"float", "FLOAT"},
        {"double", "DOUBLE"},   {"date", "DATE"},       {"time", "TIME"},         {"timestamp", "TIMESTAMP"},
        {"timestamptz", "TIMESTAMP WITH TIME ZONE"},   {"timestamp_ns", "TIMESTAMP_NS"},
        {"string", "VARCHAR"},  {"uuid", "UUID"},       {"binary", "BLOB"}};
    if (auto it = kTypes.find(t); it != kTypes.end()) {
        return std::string(it->second);
    }
    if (t.starts_with("decimal(")) {
        std::string out = "DECIMAL" + std::string(t.substr(7));
        std::erase(out, ' ');
        return out;
    }
    if (t.starts_with("fixed[")) {
        return std::string("BLOB");
    }
    return std::nullopt;
}

std::optional<std::string> field_id_schema(const std::vector<SchemaField>& fields) {
    std::string out;
    for (const auto& f : fields) {
        auto type = duckdb_type_of(f.type);
        if (!type) {
            return std::nullopt;
        }
        out += (out.empty() ? "" : ", ") + std::to_string(f.id) + ": {name: " + quote_literal(f.name) +
               ", type: " + quote_literal(*type) + ", default_value: NULL}";
    }
    return "MAP {" + out + "}";
}

std::string store_root_of(std::string_view location) { return normalize(location); }

Result<std::string> read_table_file(ObjectStore& store, std::string_view uri, std::string_view what) {
    auto key = key_under(store.uri(), uri);
    if (!key) {
        return fail(key.error());
    }
    auto bytes = store.get_small(*key);
    if (!bytes) {
        return fail(bytes.error());
    }
    if (!bytes->has_value()) {
        return fail(Error::fatal("Iceberg " + std::string(what) + " " + std::string(uri) + " is missing"));
    }
    return std::move(**bytes);
}

std::string table_location_of(std::string_view metadata_location) {
    const size_t at = metadata_location.rfind("/metadata/");
    if (at != std::string_view::npos) {
        return std::string(metadata_location.substr(0, at));
    }
    const size_t slash = metadata_location.rfind('/');
    return std::string(metadata_location.substr(0, slash == std::string_view::npos ? 0 : slash));
}

Result<std::string> key_under(std::string_view root_uri, std::string_view uri) {
    const std::string root = normalize(root_uri) + "/";
    const std::string u = normalize(uri);
    if (u.size() > root.size() && u.starts_with(root)) {
        return u.substr(root.size());
    }
    return fail(Error::invalid("Iceberg file " + std::string(uri) + " is outside " + root.substr(0, root.size() - 1) +
                               "; ticklake reads tables whose files are all under the table's location"));
}

Result<TableScan> plan_table_scan(ObjectStore& store, std::string_view metadata_location, const SnapshotChoice& choice) {
    auto text = read_table_file(store, metadata_location, "metadata file");
    if (!text) {
        return fail(text.error());
    }
    auto m = TableMetadata::from_json(*text);
    if (!m) {
        return fail(Error{m.error().kind, m.error().message + " (" + std::string(metadata_location) + ")"});
    }
    const Snapshot* snap = m->current();
    if (choice.snapshot_id) {
        snap = m->snapshot(*choice.snapshot_id);
        if (snap == nullptr) {
            return fail(Error::invalid("the table has no snapshot " + std::to_string(*choice.snapshot_id) +
                                       " (expired, or never made; SELECT * FROM \"<table>$snapshots\" lists them)"));
        }
    } else if (choice.as_of_ms) {
        snap = m->snapshot_as_of(*choice.as_of_ms);
        if (snap == nullptr) {
            return fail(Error::invalid("the table had no snapshot yet at " + std::to_string(*choice.as_of_ms) +
                                       " ms since the epoch (its first is later, or was expired)"));
        }
    }
    TableScan out;
    out.day_source_id = m->day_source_id;
    if (snap == nullptr) {
        out.schema = m->fields;
        out.metadata = std::move(*m);
        return out;
    }
    out.snapshot_id = snap->id;
    const std::vector<SchemaField>* schema = m->schema(snap->schema_id);
    out.schema = schema != nullptr ? *schema : m->fields;
    auto list_bytes = read_table_file(store, snap->manifest_list, "manifest list");
    if (!list_bytes) {
        return fail(list_bytes.error());
    }
    auto manifests = read_manifest_list(*list_bytes);
    if (!manifests) {
        return fail(manifests.error());
    }
    for (const ManifestFile& mf : *manifests) {
        if (mf.content != 0) {
            return fail(Error::invalid("snapshot " + std::to_string(snap->id) +
                                       " has delete files (row-level deletes, as Spark's or Trino's DELETE and MERGE "
                                       "write); ticklake does not apply them yet: compact the table with that "
                                       "engine first"));
        }
        auto bytes = read_table_file(store, mf.path, "manifest");
        if (!bytes) {
            return fail(bytes.error());
        }
        auto files = read_manifest(*bytes, &mf);
        if (!files) {
            return fail(files.error());
        }
        for (DataFile& f : *files) {
            if (f.format != "PARQUET" && f.format != "parquet") {
                return fail(Error::invalid("data file " + f.path + " is " + f.format +
                                           "; ticklake reads Iceberg tables of Parquet files"));
            }
            out.files.push_back(std::move(f));
        }
    }
    out.metadata = std::move(*m);
    return out;
}

} // namespace ticklake::iceberg
