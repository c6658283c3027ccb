#include "glue/iceberg_source.h"

#include <map>
#include <utility>

#include "catalog/glue_json.h"
#include "common/warehouse_uri.h"
#include "iceberg/table_metadata.h"
#include "iceberg/table_scan.h"

namespace ticklake::glue {

namespace {

} // namespace

Result<IcebergTableDef> read_iceberg_table(const IcebergTableRef& ref, const ObjectStoreOptions& store) {
    const std::string& uri = ref.metadata_location;
    const std::string what = "Iceberg table " + ref.ns + "." + ref.table + ": metadata file " + uri;
    const size_t slash = uri.rfind('/');
    if (slash == std::string::npos) {
        return fail(Error::invalid(what + " is not a URI"));
    }
    // The store is opened at the metadata file's folder: the file is all this reads.
    ObjectStoreOptions options = store;
    options.probe = false;
    const std::string root = iceberg::store_root_of(uri.substr(0, slash));
    auto opened = open_object_store(root, options);
    if (!opened) {
        return fail(Error{opened.error().kind, what + ": " + opened.error().message});
    }
    auto key = iceberg::key_under((*opened)->uri(), uri);
    if (!key) {
        return fail(Error{key.error().kind, what + ": " + key.error().message});
    }
    auto bytes = (*opened)->get_small(*key);
    if (!bytes) {
        return fail(Error{bytes.error().kind, what + ": " + bytes.error().message});
    }
    if (!bytes->has_value()) {
        return fail(Error::fatal(what + " is missing"));
    }
    auto m = iceberg::TableMetadata::from_json(**bytes);
    if (!m) {
        return fail(Error{m.error().kind, what + ": " + m.error().message});
    }
    IcebergTableDef out;
    out.database = ref.ns;
    out.name = ref.table;
    out.location = m->location;
    out.metadata_location = uri;
    for (const auto& [ts, file] : m->metadata_log) {
        out.metadata_history.push_back(file);
    }
    if (!out.metadata_history.empty()) {
        out.previous_metadata_location = out.metadata_history.back();
    }
    for (const auto& f : m->fields) {
        out.columns.push_back({f.name, f.type});
        if (m->day_source_id && f.id == *m->day_source_id) {
            out.day_partition_column = f.name;
        }
    }
    return out;
}

Result<std::vector<IcebergTableDef>> read_iceberg_tables(Catalog& catalog, const ObjectStoreOptions& store) {
    auto refs = catalog.iceberg_tables_by_name();
    if (!refs) {
        return fail(refs.error());
    }
    std::vector<IcebergTableDef> out;
    for (const auto& r : *refs) {
        auto t = read_iceberg_table(r, store);
        if (!t) {
            return fail(t.error());
        }
        out.push_back(std::move(*t));
    }
    return out;
}

Result<std::optional<IcebergTableDef>> find_iceberg_table(Catalog& catalog, std::string_view name,
                                                          const ObjectStoreOptions& store) {
    auto refs = catalog.iceberg_tables_by_name();
    if (!refs) {
        return fail(refs.error());
    }
    std::vector<const IcebergTableRef*> found;
    for (const auto& r : *refs) {
        if (r.ns + "." + r.table == name || (name.find('.') == std::string_view::npos && r.table == name)) {
            found.push_back(&r);
        }
    }
    if (found.empty()) {
        return std::optional<IcebergTableDef>();
    }
    if (found.size() > 1) {
        std::string names;
        for (const auto* r : found) {
            names += (names.empty() ? "" : ", ") + r->ns + "." + r->table;
        }
        return fail(Error::invalid("Iceberg table name " + std::string(name) + " is in several namespaces (" + names +
                                   "): write DATABASE.TABLE"));
    }
    auto t = read_iceberg_table(*found.front(), store);
    if (!t) {
        return fail(t.error());
    }
    return std::optional<IcebergTableDef>(std::move(*t));
}

TableExport iceberg_table_export(const IcebergTableDef& table, bool glue, const ExportOptions& options) {
    TableExport out;
    out.text = glue ? glue_json(glue_iceberg_table_of(table)) : athena_iceberg_ddl(table);
    if (!options.location.empty()) {
        out.note = "--location does not apply to an Iceberg table (its metadata names every file's path); "
                   "printed its own location " + table.location;
    } else if (!glue && !is_s3_uri(table.location)) {
        out.note = "LOCATION is " + table.location + "; Athena reads Iceberg tables on s3:// only";
    }
    return out;
}

} // namespace ticklake::glue
