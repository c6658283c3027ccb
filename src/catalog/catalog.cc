#include "catalog/catalog.h"

#include <array>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include <simdjson.h>

#include "common/event_json.h"
#include "common/kafka_position.h"

namespace ticklake {

namespace {

// Each entry brings the catalog from version i to i + 1; PRAGMA user_version records where a
// file is. Append only: a released migration is never edited.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE databases (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE TABLE tables (
    id INTEGER PRIMARY KEY,
    database_id INTEGER NOT NULL REFERENCES databases(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    location TEXT NOT NULL,
    format TEXT NOT NULL,
    compression TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (database_id, name)
);
-- Current columns (is_partition_key = 0) and partition keys (1) of each table, in order.
CREATE TABLE columns (
    table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
    is_partition_key INTEGER NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    PRIMARY KEY (table_id, is_partition_key, position)
);
CREATE TABLE table_properties (
    table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (table_id, key)
);
-- Distinct column lists, shared by the files and partitions that have them (a thousand files
-- of one schema are one row here).
CREATE TABLE schemas (
    id INTEGER PRIMARY KEY,
    columns TEXT NOT NULL UNIQUE
);
CREATE TABLE schema_versions (
    table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    columns TEXT NOT NULL,
    partition_keys TEXT NOT NULL,
    PRIMARY KEY (table_id, version)
);
CREATE TABLE partitions (
    id INTEGER PRIMARY KEY,
    table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
    partition_values TEXT NOT NULL,
    location TEXT NOT NULL,
    schema_id INTEGER NOT NULL REFERENCES schemas(id),
    file_count INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    rows INTEGER NOT NULL DEFAULT 0,
    ts_min INTEGER,
    ts_max INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (table_id, partition_values)
);
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
    partition_id INTEGER NOT NULL REFERENCES partitions(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    size INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    ts_min INTEGER,
    ts_max INTEGER,
    schema_id INTEGER NOT NULL REFERENCES schemas(id),
    crawled_at INTEGER NOT NULL,
    UNIQUE (table_id, key)
);
CREATE INDEX files_by_partition ON files(partition_id);
)sql",
    // Per-file provenance (#17): the Kafka offsets each file holds and who wrote it. Rows of
    // an older catalog get topic, partition and first offset from their sink-made names
    // (backfill_file_names), last offset and writer stay unknown.
    R"sql(
ALTER TABLE files ADD COLUMN topic TEXT;
ALTER TABLE files ADD COLUMN kafka_partition INTEGER;
ALTER TABLE files ADD COLUMN first_offset INTEGER;
ALTER TABLE files ADD COLUMN last_offset INTEGER;
ALTER TABLE files ADD COLUMN writer TEXT;
)sql",
    // Compactions (catalog/compaction_log.h): runs, the files each wrote and replaced, and the
    // replaced files that wait out their grace period.
    R"sql(
CREATE TABLE compaction_runs (
    id INTEGER PRIMARY KEY,
    table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
    partition_values TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    folder TEXT NOT NULL,
    state TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    committed_at INTEGER
);
-- role 'output': a file the run wrote; 'replaced': a file its outputs took the place of.
CREATE TABLE compaction_files (
    run_id INTEGER NOT NULL REFERENCES compaction_runs(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    key TEXT NOT NULL,
    rows INTEGER NOT NULL,
    topic TEXT,
    kafka_partition INTEGER,
    first_offset INTEGER,
    PRIMARY KEY (run_id, role, key)
);
CREATE INDEX compaction_files_by_key ON compaction_files(key, role);
CREATE TABLE pending_deletions (
    run_id INTEGER NOT NULL REFERENCES compaction_runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    not_before INTEGER NOT NULL,
    PRIMARY KEY (run_id, key)
);
)sql",
    // issue #18: the tables of Iceberg's JDBC catalog (JdbcUtil's V1 schema, which PyIceberg's
    // SqlCatalog also creates), so both open this file as an Iceberg catalog as it is. IF NOT
    // EXISTS: the file may be one PyIceberg or Spark made first (same layout).
    R"sql(
CREATE TABLE IF NOT EXISTS iceberg_tables (
    catalog_name VARCHAR(255) NOT NULL,
    table_namespace VARCHAR(255) NOT NULL,
    table_name VARCHAR(255) NOT NULL,
    metadata_location VARCHAR(1000),
    previous_metadata_location VARCHAR(1000),
    iceberg_type VARCHAR(5),
    PRIMARY KEY (catalog_name, table_namespace, table_name)
);
CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
    catalog_name VARCHAR(255) NOT NULL,
    namespace VARCHAR(255) NOT NULL,
    property_key VARCHAR(255) NOT NULL,
    property_value VARCHAR(1000) NOT NULL,
    PRIMARY KEY (catalog_name, namespace, property_key)
);
)sql",
};

constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

std::string strings_to_json(const std::vector<std::string>& values) {
    std::string out = "[";
    for (size_t i = 0; i < values.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        append_json_string(out, values[i]);
    }
    out += ']';
    return out;
}

Result<std::vector<std::string>> strings_from_json(std::string_view json) {
    // A parser allocates its buffers once; catalogs of thousands of rows parse through one.
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
        return fail(Error::fatal("catalog holds malformed partition values: " + std::string(json)));
    }
    std::vector<std::string> out;
    simdjson::dom::array arr;
    if (doc.get_array().get(arr) != simdjson::SUCCESS) {
        return fail(Error::fatal("catalog holds malformed partition values: " + std::string(json)));
    }
    for (auto v : arr) {
        std::string_view s;
        if (v.get_string().get(s) != simdjson::SUCCESS) {
            return fail(Error::fatal("catalog holds malformed partition values: " + std::string(json)));
        }
        out.emplace_back(s);
    }
    return out;
}

// Commits on success; rolls back when destroyed without commit (an error return).
class Transaction {
public:
    explicit Transaction(SqliteDb& db) : db_(db) {}
    ~Transaction() {
        if (open_) {
            (void)db_.exec("ROLLBACK");
        }
    }
    // IMMEDIATE takes the write lock now, so two writers wait for each other (busy timeout)
    // instead of failing with SQLITE_BUSY when a read transaction tries to upgrade.
    Status begin() {
        auto st = db_.exec("BEGIN IMMEDIATE");
        open_ = st.has_value();
        return st;
    }
    Status commit() {
        auto st = db_.exec("COMMIT");
        open_ = !st.has_value();
        return st;
    }

private:
    SqliteDb& db_;
    bool open_ = false;
};

} // namespace

std::string columns_to_json(const Columns& columns) {
    std::string out = "[";
    for (size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += "{\"name\":";
        append_json_string(out, columns[i].name);
        out += ",\"type\":";
        append_json_string(out, columns[i].type);
        out += '}';
    }
    out += ']';
    return out;
}

Result<Columns> columns_from_json(std::string_view json) {
    // A parser allocates its buffers once; catalogs of thousands of rows parse through one.
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::dom::array arr;
    if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS ||
        doc.get_array().get(arr) != simdjson::SUCCESS) {
        return fail(Error::fatal("catalog holds a malformed column list: " + std::string(json)));
    }
    Columns out;
    for (auto v : arr) {
        std::string_view name;
        std::string_view type;
        if (v["name"].get_string().get(name) != simdjson::SUCCESS ||
            v["type"].get_string().get(type) != simdjson::SUCCESS) {
            return fail(Error::fatal("catalog holds a malformed column list: " + std::string(json)));
        }
        out.push_back({std::string(name), std::string(type)});
    }
    return out;
}

std::string partition_values_to_json(const std::vector<std::string>& values) { return strings_to_json(values); }

Result<std::vector<std::string>> partition_values_from_json(std::string_view json) { return strings_from_json(json); }

std::filesystem::path default_catalog_path() {
    if (const char* env = std::getenv("TICKLAKE_CATALOG"); env != nullptr && *env != '\0') {
        return env;
    }
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
        return std::filesystem::path(xdg) / "ticklake" / "catalog.db";
    }
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home != nullptr ? home : ".") / ".local" / "share" / "ticklake" / "catalog.db";
}

int Catalog::current_schema_version() { return kSchemaVersion; }

Result<Catalog> Catalog::open(const std::filesystem::path& path) {
    std::error_code ec;
    if (path.has_parent_path()) {
        std::filesystem::create_directories(path.parent_path(), ec);
        if (ec) {
            return fail(Error::invalid("cannot create the catalog's folder " + path.parent_path().string() + ": " +
                                       ec.message() + " (pass --catalog or set TICKLAKE_CATALOG)"));
        }
    }
    auto db = SqliteDb::open(path);
    if (!db) {
        return fail(db.error());
    }
    Catalog catalog(std::move(*db));
    if (auto st = catalog.migrate(); !st) {
        return fail(st.error());
    }
    return catalog;
}

Result<Catalog> Catalog::open_read_only(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        return fail(Error::invalid("no catalog at " + path.string() +
                                     ": nothing has been registered there yet. Run `ticklake sink` (it registers "
                                     "what it writes) or `ticklake crawl WAREHOUSE` first, or pass --catalog with "
                                     "the file they wrote"));
    }
    if (std::filesystem::is_directory(path, ec)) {
        return fail(Error::invalid("catalog " + path.string() + " is a folder: pass --catalog with the catalog file"));
    }
    auto db = SqliteDb::open_read_only(path);
    if (!db) {
        return fail(db.error());
    }
    Catalog catalog(std::move(*db));
    auto version = catalog.schema_version();
    if (!version) {
        // SQLite says "file is not a database" for a file of another kind: say which file.
        return fail(Error::invalid("catalog " + path.string() + " is not a ticklake catalog: " + version.error().message));
    }
    if (*version == 0) {
        return fail(Error::invalid("catalog " + path.string() + " is not a ticklake catalog (it has no ticklake "
                                   "schema): pass --catalog with the file `ticklake sink` or `ticklake crawl` wrote"));
    }
    if (*version < kSchemaVersion) {
        return open(path);
    }
    if (*version > kSchemaVersion) {
        return fail(Error::fatal("catalog " + path.string() + " has schema version " + std::to_string(*version) +
                                 ", newer than this ticklake understands (" + std::to_string(kSchemaVersion) +
                                 "): upgrade ticklake, or use another --catalog"));
    }
    return catalog;
}

Result<int> Catalog::schema_version() {
    auto q = db_.prepare("PRAGMA user_version");
    if (!q) {
        return fail(q.error());
    }
    auto version = q->first_int();
    if (!version) {
        return fail(version.error());
    }
    return static_cast<int>(version->value_or(0));
}

Status Catalog::migrate() {
    // Under the write lock, so two processes opening a new catalog at once migrate it once.
    Transaction tx(db_);
    if (auto st = tx.begin(); !st) {
        return st;
    }
    auto version = schema_version();
    if (!version) {
        return fail(version.error());
    }
    const int have = *version;
    if (have > kSchemaVersion) {
        return fail(Error::fatal("catalog " + db_.path().string() + " has schema version " + std::to_string(have) +
                                 ", newer than this ticklake understands (" + std::to_string(kSchemaVersion) +
                                 "): upgrade ticklake, or use another --catalog"));
    }
    for (int v = have; v < kSchemaVersion; ++v) {
        if (auto st = db_.exec(kMigrations[v]); !st) {
            return st;
        }
    }
    if (have > 0 && have < 2) {
        if (auto st = backfill_file_origins(); !st) {
            return st;
        }
    }
    if (have != kSchemaVersion) {
        if (auto st = db_.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion)); !st) {
            return st;
        }
    }
    return tx.commit();
}

Status Catalog::backfill_file_origins() {
    auto statements = db_.prepare_all({"SELECT id, key FROM files WHERE topic IS NULL",
                                       "UPDATE files SET topic = ?, kafka_partition = ?, first_offset = ? WHERE id = ?"});
    if (!statements) {
        return fail(statements.error());
    }
    auto& [sel, up] = *statements;
    std::vector<std::pair<int64_t, KafkaOrigin>> found;
    for (auto row : sel.rows()) {
        if (!row) {
            return fail(row.error());
        }
        if (auto origin = kafka_origin_of_key(row->column_text(1))) {
            found.emplace_back(row->column_int(0), std::move(*origin));
        }
    }
    for (const auto& [id, o] : found) {
        if (auto st = up.bind_all(o.topic.str(), int64_t{o.partition.value()}, o.first_offset.value(), id).run(); !st) {
            return st;
        }
    }
    return {};
}

Result<bool> Catalog::drop_table(std::string_view database, std::string_view name) {
    auto id = table_id(database, name);
    if (!id) {
        return fail(id.error());
    }
    if (!*id) {
        return false;
    }
    // Partitions, files, columns and versions go with it (ON DELETE CASCADE).
    auto del = db_.prepare("DELETE FROM tables WHERE id = ?");
    if (!del) {
        return fail(del.error());
    }
    if (auto st = del->bind(1, **id).run(); !st) {
        return fail(st.error());
    }
    return true;
}

Result<std::optional<std::vector<std::string>>> Catalog::drop_database(std::string_view name) {
    Transaction tx(db_);
    if (auto st = tx.begin(); !st) {
        return fail(st.error());
    }
    auto found = db_.prepare("SELECT count(*) FROM databases WHERE name = ?");
    if (!found) {
        return fail(found.error());
    }
    auto n = found->bind(1, name).first_int();
    if (!n) {
        return fail(n.error());
    }
    if (n->value_or(0) == 0) {
        return std::optional<std::vector<std::string>>();
    }
    auto in_db = tables(name);
    if (!in_db) {
        return fail(in_db.error());
    }
    std::vector<std::string> names;
    for (const auto& t : *in_db) {
        names.push_back(t.qualified_name());
    }
    auto del = db_.prepare("DELETE FROM databases WHERE name = ?");
    if (!del) {
        return fail(del.error());
    }
    if (auto st = del->bind(1, name).run(); !st) {
        return fail(st.error());
    }
    if (auto st = tx.commit(); !st) {
        return fail(st.error());
    }
    return std::optional<std::vector<std::string>>(std::move(names));
}

Result<std::vector<DatabaseInfo>> Catalog::databases() {
    auto q = db_.prepare("SELECT d.name, d.created_at, (SELECT count(*) FROM tables t WHERE t.database_id = d.id) "
                         "FROM databases d ORDER BY d.name");
    if (!q) {
        return fail(q.error());
    }
    std::vector<DatabaseInfo> out;
    for (auto row : q->rows()) {
        if (!row) {
            return fail(row.error());
        }
        out.push_back({row->column_text(0), row->column_int(2), row->column_int(1)});
    }
    return out;
}

namespace {

// A table row of load_tables' query, without its columns and properties.
TableDef table_of_row(const SqliteRow& row) {
    TableDef t;
    t.database = row.column_text(1);
    t.name = row.column_text(2);
    t.location = row.column_text(3);
    t.format = row.column_text(4);
    t.compression = row.column_text(5);
    t.schema_version = static_cast<int>(row.column_int(6));
    t.created_at = row.column_int(7);
    t.updated_at = row.column_int(8);
    return t;
}

// Adds the columns, partition keys and properties of table `id` to `t`.
Status load_table_details(SqliteStatement& cols, SqliteStatement& props, int64_t id, TableDef& t) {
    for (auto row : cols.bind(1, id).rows()) {
        if (!row) {
            return fail(row.error());
        }
        (row->column_int(0) != 0 ? t.partition_keys : t.columns).push_back({row->column_text(1), row->column_text(2)});
    }
    for (auto row : props.bind(1, id).rows()) {
        if (!row) {
            return fail(row.error());
        }
        t.properties[row->column_text(0)] = row->column_text(1);
    }
    return {};
}

Result<std::optional<int64_t>> find_table_id(SqliteDb& db, std::string_view database, std::string_view name) {
    auto q = db.prepare("SELECT t.id FROM tables t JOIN databases d ON d.id = t.database_id "
                        "WHERE d.name = ? AND t.name = ?");
    if (!q) {
        return fail(q.error());
    }
    return q->bind_all(database, name).first_int();
}

} // namespace

Result<std::vector<TableDef>> Catalog::load_tables(std::string_view where, std::string_view a, std::string_view b) {
    const std::string select = "SELECT t.id, d.name, t.name, t.location, t.format, t.compression, t.schema_version, "
                               "t.created_at, t.updated_at FROM tables t JOIN databases d ON d.id = t.database_id " +
                               std::string(where) + " ORDER BY d.name, t.name";
    auto statements = db_.prepare_all({select,
                                       "SELECT is_partition_key, name, type FROM columns WHERE table_id = ? "
                                       "ORDER BY is_partition_key, position",
                                       "SELECT key, value FROM table_properties WHERE table_id = ? ORDER BY key"});
    if (!statements) {
        return fail(statements.error());
    }
    auto& [q, cols, props] = *statements;
    int n = 1;
    if (!a.empty()) {
        q.bind(n++, a);
    }
    if (!b.empty()) {
        q.bind(n++, b);
    }
    std::vector<TableDef> out;
    for (auto row : q.rows()) {
        if (!row) {
            return fail(row.error());
        }
        TableDef t = table_of_row(*row);
        if (auto st = load_table_details(cols, props, row->column_int(0), t); !st) {
            return fail(st.error());
        }
        out.push_back(std::move(t));
    }
    return out;
}

Result<std::vector<TableDef>> Catalog::tables(std::string_view database) {
    if (database.empty()) {
        return load_tables("", {}, {});
    }
    return load_tables("WHERE d.name = ?", database, {});
}

Result<std::optional<TableDef>> Catalog::table(std::string_view database, std::string_view name) {
    auto t = load_tables("WHERE d.name = ? AND t.name = ?", database, name);
    if (!t) {
        return fail(t.error());
    }
    if (t->empty()) {
        return std::optional<TableDef>();
    }
    return std::optional<TableDef>(std::move(t->front()));
}

Result<TableDef> Catalog::resolve(std::string_view name) {
    if (auto dot = name.find('.'); dot != std::string_view::npos) {
        auto t = table(name.substr(0, dot), name.substr(dot + 1));
        if (!t) {
            return fail(t.error());
        }
        if (!*t) {
            return fail(Error::not_found("no table " + std::string(name) + " in catalog " + db_.path().string() +
                                         " (list them with `ticklake catalog tables`)"));
        }
        return std::move(**t);
    }
    auto all = load_tables("WHERE t.name = ?", name, {});
    if (!all) {
        return fail(all.error());
    }
    if (all->empty()) {
        return fail(Error::not_found("no table named " + std::string(name) + " in catalog " + db_.path().string() +
                                     " (list them with `ticklake catalog tables`, or crawl the warehouse first)"));
    }
    if (all->size() > 1) {
        std::string names;
        for (const auto& t : *all) {
            names += (names.empty() ? "" : ", ") + t.qualified_name();
        }
        return fail(Error::invalid("table name " + std::string(name) + " is in several databases (" + names +
                                   "): write DATABASE.TABLE"));
    }
    return std::move(all->front());
}

Result<std::optional<int64_t>> Catalog::table_id(std::string_view database, std::string_view name) {
    return find_table_id(db_, database, name);
}

namespace {

// Rows share few schemas (a table has a handful of versions): each distinct one is parsed once.
class ParsedColumns {
public:
    Result<const Columns*> get(std::string json) {
        auto it = parsed_.find(json);
        if (it == parsed_.end()) {
            auto c = columns_from_json(json);
            if (!c) {
                return fail(c.error());
            }
            it = parsed_.emplace(std::move(json), std::move(*c)).first;
        }
        return &it->second;
    }

private:
    std::map<std::string, Columns> parsed_;
};

// Rows for rows_of_table, and what makes each a PartitionDef.
constexpr const char* kPartitionRows =
    "SELECT p.partition_values, s.columns, p.location, p.file_count, p.bytes, p.rows, p.ts_min, p.ts_max, p.created_at "
    "FROM partitions p JOIN schemas s ON s.id = p.schema_id WHERE p.table_id = ?1";

PartitionDef partition_of_row(const SqliteRow& row, std::vector<std::string> values, const Columns& columns) {
    return {.values = std::move(values),
            .location = row.column_text(2),
            .file_count = row.column_int(3),
            .bytes = row.column_int(4),
            .rows = row.column_int(5),
            .ts_min = row.column_optional_int(6),
            .ts_max = row.column_optional_int(7),
            .columns = columns,
            .created_at = row.column_int(8)};
}

// Rows for rows_of_table, and what makes each a FileDef.
constexpr const char* kFileRows =
    "SELECT p.partition_values, s.columns, f.key, f.size, f.modified, f.rows, f.ts_min, f.ts_max, "
    "coalesce(f.topic, ''), f.kafka_partition, f.first_offset, f.last_offset, coalesce(f.writer, '') FROM files f "
    "JOIN partitions p ON p.id = f.partition_id JOIN schemas s ON s.id = f.schema_id WHERE f.table_id = ?1";

FileDef file_of_row(const SqliteRow& row, std::vector<std::string> values, const Columns& columns) {
    return {.key = row.column_text(2),
            .partition_values = std::move(values),
            .size = static_cast<uint64_t>(row.column_int(3)),
            .modified = row.column_int(4),
            .rows = row.column_int(5),
            .ts_min = row.column_optional_int(6),
            .ts_max = row.column_optional_int(7),
            .columns = columns,
            .origin = {.topic = row.column_text(8),
                       .kafka_partition = row.column_optional_int(9),
                       .first_offset = row.column_optional_int(10),
                       .last_offset = row.column_optional_int(11),
                       .writer = row.column_text(12)}};
}

} // namespace

template <class Def>
Result<std::vector<Def>> Catalog::rows_of_table(const TableDef& table, const PartitionSet* only,
                                                const std::string& select, std::string_view order_by,
                                                Def (*of_row)(const SqliteRow&, std::vector<std::string>,
                                                              const Columns&)) {
    auto id = table_id(table.database, table.name);
    if (!id) {
        return fail(id.error());
    }
    std::vector<Def> out;
    if (!*id) {
        return out;
    }
    // One statement per partition rather than "?2 IS NULL OR ...", which would keep SQLite off
    // the index.
    auto q = db_.prepare(select + (only != nullptr ? " AND p.partition_values = ?2" : "") + " ORDER BY " +
                         std::string(order_by));
    if (!q) {
        return fail(q.error());
    }
    std::vector<std::optional<std::string>> filters;
    if (only != nullptr) {
        for (const auto& v : *only) {
            filters.emplace_back(strings_to_json(v));
        }
    } else {
        filters.emplace_back();
    }
    ParsedColumns parsed;
    for (const auto& filter : filters) {
        q->bind(1, **id);
        if (filter) {
            q->bind(2, *filter);
        }
        for (auto row : q->rows()) {
            if (!row) {
                return fail(row.error());
            }
            auto values = strings_from_json(row->column_text(0));
            auto columns = parsed.get(row->column_text(1));
            if (!values || !columns) {
                return fail(!values ? values.error() : columns.error());
            }
            out.push_back(of_row(*row, std::move(*values), **columns));
        }
    }
    return out;
}

Result<std::vector<PartitionDef>> Catalog::partitions(const TableDef& table, const PartitionSet* only) {
    return rows_of_table(table, only, kPartitionRows, "p.partition_values", partition_of_row);
}

Result<std::vector<SchemaVersion>> Catalog::history(const TableDef& table) {
    // By name: a table not in the catalog has no versions.
    auto q = db_.prepare("SELECT v.version, v.created_at, v.reason, v.columns, v.partition_keys FROM schema_versions v "
                         "JOIN tables t ON t.id = v.table_id JOIN databases d ON d.id = t.database_id "
                         "WHERE d.name = ? AND t.name = ? ORDER BY v.version");
    if (!q) {
        return fail(q.error());
    }
    std::vector<SchemaVersion> out;
    for (auto row : q->bind_all(table.database, table.name).rows()) {
        if (!row) {
            return fail(row.error());
        }
        auto c = columns_from_json(row->column_text(3));
        auto k = columns_from_json(row->column_text(4));
        if (!c || !k) {
            return fail(!c ? c.error() : k.error());
        }
        out.push_back({static_cast<int>(row->column_int(0)), row->column_int(1), row->column_text(2), std::move(*c),
                       std::move(*k)});
    }
    return out;
}

Result<std::vector<FileDef>> Catalog::files(const TableDef& table, const PartitionSet* only) {
    return rows_of_table(table, only, kFileRows, "f.key", file_of_row);
}

namespace {

// Schema ids for one transaction. Every partition and file of a change names its schema, and
// nearly all name the same one: preparing two statements per call was half of a full
// crawl's catalog time. Ids are remembered only within the transaction (a rollback forgets
// the rows, and this with them).
class SchemaIds {
public:
    explicit SchemaIds(SqliteDb& db) : db_(db) {}

    Result<int64_t> id_of(const Columns& columns) {
        std::string json = columns_to_json(columns);
        if (auto it = known_.find(json); it != known_.end()) {
            return it->second;
        }
        if (!statements_) {
            auto statements =
                db_.prepare_all({"INSERT INTO schemas(columns) VALUES (?) ON CONFLICT(columns) DO NOTHING",
                                 "SELECT id FROM schemas WHERE columns = ?"});
            if (!statements) {
                return fail(statements.error());
            }
            statements_.emplace(std::move(*statements));
        }
        auto& [ins, sel] = *statements_;
        if (auto st = ins.bind(1, json).run(); !st) {
            return fail(st.error());
        }
        auto id = sel.bind(1, json).first_int();
        if (!id) {
            return fail(id.error());
        }
        known_.emplace(std::move(json), id->value_or(0));
        return id->value_or(0);
    }

private:
    SqliteDb& db_;
    std::optional<std::array<SqliteStatement, 2>> statements_; //!< insert, select
    std::unordered_map<std::string, int64_t> known_;
};

// Writes one TableChange, step by step, inside the transaction Catalog::apply holds. Each
// step records the partitions it touches; the last one recounts just those.
class ChangeWriter {
public:
    ChangeWriter(SqliteDb& db, const TableChange& change) : db_(db), c_(change), schema_ids_(db) {}

    //! The database and table rows: the version moves on only with a schema change.
    Status upsert_table();
    //! Columns, partition keys and properties: replaced as a whole.
    Status replace_columns();
    Status add_schema_version();
    //! Partitions named by the change: location and schema; counts come from recount_partitions.
    Status upsert_partitions();
    Status remove_files();
    Status upsert_files();
    Status recount_partitions();

private:
    Status check_base_version(std::optional<int64_t> existing);
    Status insert_table();
    Status update_table(int64_t id);
    //! Adds the partition id `lookup` finds (bound to the table id and `key`) to touched_.
    Status touch(SqliteStatement& lookup, std::string_view key);

    SqliteDb& db_;
    const TableChange& c_;
    const TimestampUs now_ = now_us();
    int64_t id_ = 0; //!< the table's row, once upsert_table has run
    SchemaIds schema_ids_;
    std::set<int64_t> touched_;
};

Status ChangeWriter::upsert_table() {
    const TableDef& t = c_.table;
    auto db_ins = db_.prepare("INSERT INTO databases(name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING");
    if (!db_ins) {
        return fail(db_ins.error());
    }
    if (auto st = db_ins->bind_all(t.database, now_).run(); !st) {
        return st;
    }
    auto existing = find_table_id(db_, t.database, t.name);
    if (!existing) {
        return fail(existing.error());
    }
    if (auto st = check_base_version(*existing); !st) {
        return st;
    }
    return *existing ? update_table(**existing) : insert_table();
}

Status ChangeWriter::check_base_version(std::optional<int64_t> existing) {
    if (c_.base_version < 0) {
        return {};
    }
    int64_t current = 0;
    if (existing) {
        auto q = db_.prepare("SELECT schema_version FROM tables WHERE id = ?");
        if (!q) {
            return fail(q.error());
        }
        auto version = q->bind(1, *existing).first_int();
        if (!version) {
            return fail(version.error());
        }
        current = version->value_or(0);
    }
    if (current != c_.base_version) {
        return fail(Error::retry("table " + c_.table.qualified_name() +
                                 " was changed by another writer (schema version " + std::to_string(current) +
                                 ", expected " + std::to_string(c_.base_version) + ")"));
    }
    return {};
}

Status ChangeWriter::insert_table() {
    const TableDef& t = c_.table;
    if (!c_.new_version) {
        return fail(Error::fatal("internal: a new table " + t.qualified_name() + " needs a first schema version"));
    }
    auto ins = db_.prepare("INSERT INTO tables(database_id, name, location, format, compression, schema_version, "
                           "created_at, updated_at) SELECT id, ?, ?, ?, ?, 1, ?, ? FROM databases WHERE name = ?");
    if (!ins) {
        return fail(ins.error());
    }
    if (auto st = ins->bind_all(t.name, t.location, t.format, t.compression, now_, now_, t.database).run(); !st) {
        return st;
    }
    id_ = db_.last_insert_rowid();
    return {};
}

Status ChangeWriter::update_table(int64_t id) {
    const TableDef& t = c_.table;
    id_ = id;
    auto up = db_.prepare("UPDATE tables SET location = ?, format = ?, compression = ?, updated_at = ?, "
                          "schema_version = schema_version + ? WHERE id = ?");
    if (!up) {
        return fail(up.error());
    }
    return up->bind_all(t.location, t.format, t.compression, now_, int64_t{c_.new_version ? 1 : 0}, id_).run();
}

Status ChangeWriter::replace_columns() {
    const TableDef& t = c_.table;
    auto statements = db_.prepare_all({"DELETE FROM columns WHERE table_id = ?",
                                       "DELETE FROM table_properties WHERE table_id = ?",
                                       "INSERT INTO columns(table_id, is_partition_key, position, name, type) "
                                       "VALUES (?, ?, ?, ?, ?)",
                                       "INSERT INTO table_properties(table_id, key, value) VALUES (?, ?, ?)"});
    if (!statements) {
        return fail(statements.error());
    }
    auto& [del_cols, del_props, ins_col, ins_prop] = *statements;
    if (auto st = del_cols.bind(1, id_).run(); !st) {
        return st;
    }
    if (auto st = del_props.bind(1, id_).run(); !st) {
        return st;
    }
    for (int64_t key = 0; key < 2; ++key) {
        const Columns& list = key != 0 ? t.partition_keys : t.columns;
        for (size_t i = 0; i < list.size(); ++i) {
            if (auto st = ins_col.bind_all(id_, key, static_cast<int64_t>(i), list[i].name, list[i].type).run(); !st) {
                return st;
            }
        }
    }
    for (const auto& [k, v] : t.properties) {
        if (auto st = ins_prop.bind_all(id_, k, v).run(); !st) {
            return st;
        }
    }
    return {};
}

Status ChangeWriter::add_schema_version() {
    if (!c_.new_version) {
        return {};
    }
    auto ins = db_.prepare("INSERT INTO schema_versions(table_id, version, created_at, reason, columns, "
                           "partition_keys) SELECT id, schema_version, ?, ?, ?, ? FROM tables WHERE id = ?");
    if (!ins) {
        return fail(ins.error());
    }
    return ins
        ->bind_all(now_, *c_.new_version, columns_to_json(c_.table.columns), columns_to_json(c_.table.partition_keys),
                   id_)
        .run();
}

Status ChangeWriter::touch(SqliteStatement& lookup, std::string_view key) {
    auto partition = lookup.bind_all(id_, key).first_int();
    if (!partition) {
        return fail(partition.error());
    }
    if (*partition) {
        touched_.insert(**partition);
    }
    return {};
}

Status ChangeWriter::upsert_partitions() {
    auto statements = db_.prepare_all(
        {"INSERT INTO partitions(table_id, partition_values, location, schema_id, created_at) VALUES (?, ?, ?, ?, ?) "
         "ON CONFLICT(table_id, partition_values) DO UPDATE SET location = excluded.location, "
         "schema_id = excluded.schema_id",
         "SELECT id FROM partitions WHERE table_id = ? AND partition_values = ?"});
    if (!statements) {
        return fail(statements.error());
    }
    auto& [part_up, part_id] = *statements;
    for (const auto& p : c_.partitions) {
        const std::string values = strings_to_json(p.values);
        auto sid = schema_ids_.id_of(p.columns);
        if (!sid) {
            return fail(sid.error());
        }
        if (auto st = part_up.bind_all(id_, values, p.location, *sid, now_).run(); !st) {
            return st;
        }
        if (auto st = touch(part_id, values); !st) {
            return st;
        }
    }
    return {};
}

Status ChangeWriter::remove_files() {
    auto statements = db_.prepare_all({"SELECT partition_id FROM files WHERE table_id = ? AND key = ?",
                                       "DELETE FROM files WHERE table_id = ? AND key = ?"});
    if (!statements) {
        return fail(statements.error());
    }
    auto& [file_part, del_file] = *statements;
    for (const auto& key : c_.remove_files) {
        if (auto st = touch(file_part, key); !st) {
            return st;
        }
        if (auto st = del_file.bind_all(id_, key).run(); !st) {
            return st;
        }
    }
    return {};
}

Status ChangeWriter::upsert_files() {
    auto file_up = db_.prepare(
        "INSERT INTO files(table_id, partition_id, key, size, modified, rows, ts_min, ts_max, schema_id, crawled_at, "
        "topic, kafka_partition, first_offset, last_offset, writer) "
        "SELECT ?, p.id, ?, ?, ?, ?, ?, ?, ?, ?, nullif(?, ''), ?, ?, ?, nullif(?, '') FROM partitions p "
        "WHERE p.table_id = ? AND p.partition_values = ? "
        "ON CONFLICT(table_id, key) DO UPDATE SET partition_id = excluded.partition_id, size = excluded.size, "
        "modified = excluded.modified, rows = excluded.rows, ts_min = excluded.ts_min, ts_max = excluded.ts_max, "
        "schema_id = excluded.schema_id, crawled_at = excluded.crawled_at, "
        // A crawl re-reading a file the sink registered knows less of it (no last offset, no
        // writer): what is known stays.
        "topic = coalesce(excluded.topic, topic), kafka_partition = coalesce(excluded.kafka_partition, "
        "kafka_partition), first_offset = coalesce(excluded.first_offset, first_offset), "
        "last_offset = coalesce(excluded.last_offset, last_offset), writer = coalesce(excluded.writer, writer)");
    if (!file_up) {
        return fail(file_up.error());
    }
    for (const auto& f : c_.upsert_files) {
        auto sid = schema_ids_.id_of(f.columns);
        if (!sid) {
            return fail(sid.error());
        }
        const std::string values = strings_to_json(f.partition_values);
        file_up->bind_all(id_, f.key, static_cast<int64_t>(f.size), f.modified, f.rows, f.ts_min, f.ts_max, *sid, now_,
                          f.origin.topic, f.origin.kafka_partition, f.origin.first_offset, f.origin.last_offset,
                          f.origin.writer, id_, values);
        if (auto st = file_up->run(); !st) {
            return st;
        }
        // No row when the file names a partition that is not there (the SELECT finds none).
        if (db_.changes() != 1) {
            return fail(Error::fatal("internal: file " + f.key + " names partition " + values +
                                     " that the change does not create"));
        }
    }
    return {};
}

// Partition figures are always those of their files.
constexpr std::string_view kRecountPartition =
    "UPDATE partitions SET "
    "file_count = (SELECT count(*) FROM files f WHERE f.partition_id = partitions.id), "
    "bytes = (SELECT coalesce(sum(size), 0) FROM files f WHERE f.partition_id = partitions.id), "
    "rows = (SELECT coalesce(sum(rows), 0) FROM files f WHERE f.partition_id = partitions.id), "
    "ts_min = (SELECT min(ts_min) FROM files f WHERE f.partition_id = partitions.id), "
    "ts_max = (SELECT max(ts_max) FROM files f WHERE f.partition_id = partitions.id) WHERE id = ?";

// A partition without files goes. Only the partitions this change touched are recomputed: a
// crawl adding one partition to a table of thousands costs the same as to a table of one.
Status ChangeWriter::recount_partitions() {
    auto statements =
        db_.prepare_all({kRecountPartition, "DELETE FROM partitions WHERE id = ? AND file_count = 0"});
    if (!statements) {
        return fail(statements.error());
    }
    auto& [recount, drop_empty] = *statements;
    for (int64_t pid : touched_) {
        if (auto st = recount.bind(1, pid).run(); !st) {
            return st;
        }
        if (auto st = drop_empty.bind(1, pid).run(); !st) {
            return st;
        }
    }
    return {};
}

} // namespace

Status Catalog::apply(const TableChange& change) {
    Transaction tx(db_);
    if (auto st = tx.begin(); !st) {
        return st;
    }
    if (auto st = apply_in_transaction(change); !st) {
        return st;
    }
    return tx.commit();
}

Status Catalog::in_transaction(const std::function<Status()>& body) {
    Transaction tx(db_);
    if (auto st = tx.begin(); !st) {
        return st;
    }
    if (auto st = body(); !st) {
        return st;
    }
    return tx.commit();
}

Status Catalog::apply_in_transaction(const TableChange& change) {
    ChangeWriter writer(db_, change);
    using Step = Status (ChangeWriter::*)();
    // In this order: files name their partitions, and the recount must see every file.
    for (Step step : {&ChangeWriter::upsert_table, &ChangeWriter::replace_columns, &ChangeWriter::add_schema_version,
                      &ChangeWriter::upsert_partitions, &ChangeWriter::remove_files, &ChangeWriter::upsert_files,
                      &ChangeWriter::recount_partitions}) {
        if (auto st = (writer.*step)(); !st) {
            return st;
        }
    }
    return {};
}

} // namespace ticklake
