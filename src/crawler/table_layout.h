// How a warehouse listing becomes tables, as a Glue crawler groups files by path.
//
// A key's folders up to the first Hive folder (`key=value`), at most two of them, name the
// table: `<database>/<table>/...` (the sink's layout), or `<table>/...` in the default
// database. Folders below the table are its partitions: `key=value` gives key `key` (value
// %-decoded as Hive writes it), any other folder `partition_0`, `partition_1`, ... by depth.
// A folder `compacted-<run>` right below a Hive folder holds that partition's compacted files
// (`ticklake compact`, docs/maintenance.md): it is no partition of its own.
// A file directly in the warehouse root is a table of its own, named after the file.
// Skipped: names starting with `_` or `.` at any level (`_ticklake/`, `_SUCCESS`, `.hidden`),
// `*.tmp`, `*.crc`, and keys matching an --exclude glob (`*` stays within a folder, `**`
// crosses folders).
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog_model.h"
#include "storage/object_store.h"

namespace ticklake {

struct DataFile {
    ObjectEntry entry;
    std::vector<std::string> partition_values; //!< one per partition key of its table
};

struct TableGroup {
    std::string database;
    std::string name;
    std::string prefix; //!< key prefix of the table's folder ("market/trades/"), or the file's key
    std::vector<std::string> partition_keys;
    std::vector<DataFile> files; //!< sorted by key
};

struct LayoutOptions {
    std::string default_database = "default"; //!< for tables with no database folder
    std::vector<std::string> excludes;        //!< globs over keys
};

struct Layout {
    std::vector<TableGroup> tables;
    std::vector<std::string> skipped; //!< "key: reason" for files left out (depth mismatch, ...)
    size_t excluded = 0;              //!< keys matched by an exclude glob or hidden
};

Layout group_into_tables(const std::vector<ObjectEntry>& entries, const LayoutOptions& options);

//! Lower case, characters outside [a-z0-9_] as '_', a leading digit prefixed with "t_": the
//! sink's table-name rule, so the crawler and the sink agree on names.
std::string sanitize_name(std::string_view name);

//! True when the crawler leaves `key` out: hidden (a name starting with _ or .), *.tmp, *.crc,
//! or matching an exclude glob.
bool is_ignored(std::string_view key, const LayoutOptions& options);

//! True when `key` matches the glob (`*` within a folder, `**` across, `?`, `[...]`).
bool matches_glob(std::string_view glob, std::string_view key);

} // namespace ticklake
