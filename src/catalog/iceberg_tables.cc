// The Catalog's Iceberg pointers: rows of iceberg_tables as Iceberg's JdbcCatalog and PyIceberg's
// SqlCatalog read and write them (iceberg_type 'TABLE' as JDBC's V1 schema marks tables).
#include "catalog/catalog.h"

#include <algorithm>
#include <map>

namespace ticklake {

Result<std::optional<std::string>> Catalog::iceberg_metadata_location(std::string_view catalog, std::string_view ns,
                                                                      std::string_view table) {
    auto q = db_.prepare(
        "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2 "
        "AND table_name = ?3 AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)");
    if (!q) {
        return fail(q.error());
    }
    for (auto row : q->bind_all(catalog, ns, table).rows()) {
        if (!row) {
            return fail(row.error());
        }
        return std::optional<std::string>(row->column_text(0));
    }
    return std::optional<std::string>();
}

Result<std::vector<std::string>> Catalog::iceberg_tables(std::string_view catalog, std::string_view ns) {
    auto q = db_.prepare(
        "SELECT table_name FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2 "
        "AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL) ORDER BY table_name");
    if (!q) {
        return fail(q.error());
    }
    std::vector<std::string> out;
    for (auto row : q->bind_all(catalog, ns).rows()) {
        if (!row) {
            return fail(row.error());
        }
        out.push_back(row->column_text(0));
    }
    return out;
}

Result<std::vector<std::string>> Catalog::iceberg_namespaces(std::string_view catalog) {
    auto q = db_.prepare(
        "SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = ?1 UNION "
        "SELECT table_namespace FROM iceberg_tables WHERE catalog_name = ?1 ORDER BY 1");
    if (!q) {
        return fail(q.error());
    }
    std::vector<std::string> out;
    for (auto row : q->bind_all(catalog).rows()) {
        if (!row) {
            return fail(row.error());
        }
        out.push_back(row->column_text(0));
    }
    return out;
}

Result<std::vector<IcebergTableRef>> Catalog::iceberg_all_tables() {
    auto exists = db_.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'iceberg_tables'");
    if (!exists) {
        return fail(exists.error());
    }
    bool any = false;
    for (auto row : exists->rows()) {
        if (!row) {
            return fail(row.error());
        }
        any = true;
    }
    std::vector<IcebergTableRef> out;
    if (!any) {
        return out;
    }
    auto q = db_.prepare(
        "SELECT catalog_name, table_namespace, table_name, metadata_location FROM iceberg_tables "
        "WHERE (iceberg_type = 'TABLE' OR iceberg_type IS NULL) AND metadata_location IS NOT NULL "
        "ORDER BY catalog_name, table_namespace, table_name");
    if (!q) {
        return fail(q.error());
    }
    for (auto row : q->rows()) {
        if (!row) {
            return fail(row.error());
        }
        out.push_back({row->column_text(0), row->column_text(1), row->column_text(2), row->column_text(3)});
    }
    return out;
}

Result<std::vector<IcebergTableRef>> Catalog::iceberg_tables_by_name() {
    auto all = iceberg_all_tables();
    if (!all) {
        return fail(all.error());
    }
    std::map<std::pair<std::string, std::string>, IcebergTableRef> by_name;
    for (auto& t : *all) {
        const auto key = std::make_pair(t.ns, t.table);
        if (auto it = by_name.find(key); it == by_name.end() || t.catalog == "ticklake") {
            by_name[key] = std::move(t);
        }
    }
    std::vector<IcebergTableRef> out;
    for (auto& [key, t] : by_name) {
        out.push_back(std::move(t));
    }
    return out;
}

Result<bool> Catalog::iceberg_create_namespace(std::string_view catalog, std::string_view ns) {
    auto all = iceberg_namespaces(catalog);
    if (!all) {
        return fail(all.error());
    }
    if (std::find(all->begin(), all->end(), ns) != all->end()) {
        return false;
    }
    auto q = db_.prepare(
        "INSERT OR IGNORE INTO iceberg_namespace_properties (catalog_name, namespace, property_key, "
        "property_value) VALUES (?1, ?2, 'exists', 'true')");
    if (!q) {
        return fail(q.error());
    }
    if (auto r = q->bind_all(catalog, ns).run(); !r) {
        return fail(r.error());
    }
    return db_.changes() == 1;
}

Result<bool> Catalog::iceberg_create_table(std::string_view catalog, std::string_view ns, std::string_view table,
                                           std::string_view metadata_location) {
    bool created = false;
    auto st = in_transaction([&]() -> Status {
        auto nsq = db_.prepare(
            "INSERT OR IGNORE INTO iceberg_namespace_properties (catalog_name, namespace, property_key, "
            "property_value) VALUES (?1, ?2, 'exists', 'true')");
        if (!nsq) {
            return fail(nsq.error());
        }
        if (auto r = nsq->bind_all(catalog, ns).run(); !r) {
            return r;
        }
        auto q = db_.prepare(
            "INSERT OR IGNORE INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, "
            "previous_metadata_location, iceberg_type) VALUES (?1, ?2, ?3, ?4, NULL, 'TABLE')");
        if (!q) {
            return fail(q.error());
        }
        if (auto r = q->bind_all(catalog, ns, table, metadata_location).run(); !r) {
            return r;
        }
        created = db_.changes() == 1;
        return {};
    });
    if (!st) {
        return fail(st.error());
    }
    return created;
}

Result<bool> Catalog::iceberg_swap_metadata(std::string_view catalog, std::string_view ns, std::string_view table,
                                            std::string_view expected, std::string_view next) {
    auto q = db_.prepare(
        "UPDATE iceberg_tables SET metadata_location = ?5, previous_metadata_location = ?4 "
        "WHERE catalog_name = ?1 AND table_namespace = ?2 AND table_name = ?3 AND metadata_location = ?4");
    if (!q) {
        return fail(q.error());
    }
    if (auto r = q->bind_all(catalog, ns, table, expected, next).run(); !r) {
        return fail(r.error());
    }
    return db_.changes() == 1;
}

} // namespace ticklake
