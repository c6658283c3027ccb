#include "query/warehouse_tables.h"

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cstdlib>
#include <map>

namespace ticklake::query {

namespace fs = std::filesystem;

namespace {

std::string format_of(const std::string& key) {
    auto ends = [&](std::string_view s) { return key.size() >= s.size() && key.ends_with(s); };
    if (ends(".parquet")) {
        return "parquet";
    }
    if (ends(".jsonl") || ends(".ndjson")) {
        return "jsonl";
    }
    if (ends(".csv")) {
        return "csv";
    }
    return {};
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

} // namespace

fs::path default_cache_dir() {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
        return fs::path(xdg) / "ticklake" / "s3";
    }
    const char* home = std::getenv("HOME");
    return fs::path(home != nullptr ? home : "/tmp") / ".cache" / "ticklake" / "s3";
}

std::vector<std::string> tables_mentioned(std::string_view sql, const std::vector<std::string>& known) {
    // Conservative: a name counts when its text appears at all (quoted or not); fetching a
    // table the query does not read only costs time, missing one would fail the query.
    const std::string text = lower(sql);
    std::vector<std::string> out;
    for (const auto& name : known) {
        const std::string table = lower(name.substr(name.find('.') + 1));
        if (text.find(table) != std::string::npos) {
            out.push_back(name);
        }
    }
    return out;
}

Status bind_files(ObjectStore& store, std::vector<PlannedTable> planned, const WarehouseScanOptions& options,
                  WarehouseTables& out) {
    const bool local = store.local_path("").has_value();
    const fs::path folder = local ? *store.local_path("") : options.session_dir;
    if (std::find(out.folders.begin(), out.folders.end(), folder) == out.folders.end()) {
        out.folders.push_back(folder);
    }
    std::vector<ScanFile> remote;
    for (auto& p : planned) {
        const std::string full = p.database + "." + p.table;
        if (!options.only_tables.empty() &&
            std::find(options.only_tables.begin(), options.only_tables.end(), full) == options.only_tables.end()) {
            continue;
        }
        TableBinding t;
        t.database = p.database;
        t.table = p.table;
        t.format = p.format;
        for (const ObjectEntry& e : p.files) {
            if (options.file_filter && !options.file_filter(full, e.key)) {
                continue;
            }
            if (local) {
                t.files.push_back(store.local_path(e.key)->string());
                continue;
            }
            // The key's folders are kept: DuckDB reads Hive partition values from them.
            const fs::path copy = options.session_dir / store.uri().substr(5) / e.key;
            remote.push_back({full, p.format, e, copy});
            t.files.push_back(copy.string());
        }
        if (!t.files.empty()) {
            out.tables.push_back(std::move(t));
        }
    }
    if (!options.fetch || remote.empty()) {
        return {};
    }
    RangeCache no_cache(options.session_dir / ".no-cache", 0);
    const uint64_t before = out.scan.files;
    auto st = fetch_s3_files(store, options.cache != nullptr ? *options.cache : no_cache, options.s3, remote, out.scan);
    if (st && options.progress) {
        options.progress(out.scan.files - before, remote.size());
    }
    return st;
}

Result<WarehouseTables> scan_warehouse(ObjectStore& store, const WarehouseScanOptions& options) {
    auto entries = store.list_entries("");
    if (!entries) {
        return fail(entries.error());
    }
    // (database, table) -> format -> entries
    std::map<std::pair<std::string, std::string>, std::map<std::string, std::vector<ObjectEntry>>> grouped;
    for (const auto& e : *entries) {
        if (e.key.starts_with("_ticklake/")) {
            continue;
        }
        const size_t a = e.key.find('/');
        const size_t b = a == std::string::npos ? a : e.key.find('/', a + 1);
        if (b == std::string::npos) {
            continue; // not <database>/<table>/...
        }
        const std::string format = format_of(e.key);
        if (format.empty()) {
            continue;
        }
        grouped[{e.key.substr(0, a), e.key.substr(a + 1, b - a - 1)}][format].push_back(e);
    }
    std::vector<PlannedTable> planned;
    for (auto& [name, by_format] : grouped) {
        auto majority = std::max_element(by_format.begin(), by_format.end(), [](const auto& x, const auto& y) {
            return x.second.size() < y.second.size();
        });
        planned.push_back({name.first, name.second, majority->first, std::move(majority->second)});
    }
    WarehouseTables out;
    if (auto st = bind_files(store, std::move(planned), options, out); !st) {
        return fail(st.error());
    }
    return out;
}

} // namespace ticklake::query
