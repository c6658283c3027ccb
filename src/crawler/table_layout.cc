#include "crawler/table_layout.h"

#include <fnmatch.h>

#include <algorithm>
#include <map>

#include "common/table_name.h"

namespace ticklake {

namespace {

std::vector<std::string_view> split_path(std::string_view key) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (true) {
        const size_t slash = key.find('/', start);
        if (slash == std::string_view::npos) {
            out.push_back(key.substr(start));
            return out;
        }
        out.push_back(key.substr(start, slash - start));
        start = slash + 1;
    }
}

bool is_hive_folder(std::string_view folder) {
    const size_t eq = folder.find('=');
    return eq != std::string_view::npos && eq > 0;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Hive escapes '/', '=', '%', ':' and others in partition values as %XX.
std::string percent_decode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            const int hi = hex_value(s[i + 1]);
            const int lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

bool hidden(const std::vector<std::string_view>& parts) {
    for (auto p : parts) {
        if (!p.empty() && (p[0] == '_' || p[0] == '.')) {
            return true;
        }
    }
    const auto name = parts.back();
    return name.ends_with(".tmp") || name.ends_with(".crc") || name.ends_with("_$folder$");
}

std::string stem_of(std::string_view name) {
    const size_t dot = name.find('.');
    return std::string(dot == std::string_view::npos || dot == 0 ? name : name.substr(0, dot));
}

} // namespace

std::string sanitize_name(std::string_view name) { return table_name(name, "t_"); }

bool matches_glob(std::string_view glob, std::string_view key) {
    const std::string g(glob);
    const std::string k(key);
    const int flags = g.find("**") != std::string::npos ? 0 : FNM_PATHNAME;
    return ::fnmatch(g.c_str(), k.c_str(), flags) == 0;
}

bool is_ignored(std::string_view key, const LayoutOptions& options) {
    if (hidden(split_path(key))) {
        return true;
    }
    for (const auto& g : options.excludes) {
        if (matches_glob(g, key)) {
            return true;
        }
    }
    return false;
}

namespace {

// Files that name the same table folder, before the table's partition layout is settled.
struct Candidate {
    TableGroup group;
    std::map<std::vector<std::string>, size_t> key_lists; //!< partition key lists seen, how often
    std::vector<std::pair<DataFile, std::vector<std::string>>> files;
};

// How many of a key's folders name its table: those before the first Hive folder, two at most.
size_t table_depth(const std::vector<std::string_view>& parts) {
    const size_t folders = parts.size() - 1;
    size_t root = folders;
    for (size_t i = 0; i < folders; ++i) {
        if (is_hive_folder(parts[i])) {
            root = i;
            break;
        }
    }
    return std::min<size_t>(root, 2);
}

// The table of `key`, named by its first `root` folders (or by the file, in the root).
TableGroup table_of(std::string_view key, const std::vector<std::string_view>& parts, size_t root,
                    const LayoutOptions& options) {
    TableGroup g;
    for (size_t i = 0; i < root; ++i) {
        g.prefix += std::string(parts[i]) + "/";
    }
    g.database = root == 2 ? sanitize_name(parts[0]) : options.default_database;
    if (root == 2) {
        g.name = sanitize_name(parts[1]);
    } else if (root == 1) {
        g.name = sanitize_name(parts[0]);
    } else if (parts.size() == 1) {
        g.name = sanitize_name(stem_of(parts[0]));
        g.prefix = key; // a table of one file
    } else {
        // Hive folders right at the root: the warehouse itself is the table.
        g.name = "root";
    }
    return g;
}

// `<partition>/compacted-<run>/`: the last folder of a key, right below a Hive folder.
bool is_compaction_folder(const std::vector<std::string_view>& parts, size_t i) {
    const auto folder = parts[i];
    if (i + 2 != parts.size() || i == 0 || !is_hive_folder(parts[i - 1]) || !folder.starts_with("compacted-") ||
        folder.size() == 10) {
        return false;
    }
    return std::all_of(folder.begin() + 10, folder.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The partition keys of the folders below the table, with their values put into `f`.
std::vector<std::string> partition_of(const std::vector<std::string_view>& parts, size_t root, DataFile& f) {
    std::vector<std::string> keys;
    for (size_t i = root; i + 1 < parts.size(); ++i) {
        const auto folder = parts[i];
        if (is_compaction_folder(parts, i)) {
            continue; // `ticklake compact` output: files of the Hive folder above it
        }
        if (is_hive_folder(folder)) {
            const size_t eq = folder.find('=');
            keys.push_back(percent_decode(folder.substr(0, eq)));
            f.partition_values.push_back(percent_decode(folder.substr(eq + 1)));
        } else {
            keys.push_back("partition_" + std::to_string(i - root));
            f.partition_values.emplace_back(folder);
        }
    }
    return keys;
}

// The partition layout most files share is the table's; files elsewhere are reported.
TableGroup settle(Candidate& c, std::vector<std::string>& skipped) {
    const std::vector<std::string>* best = nullptr;
    size_t best_n = 0;
    for (const auto& [keys, n] : c.key_lists) {
        if (n > best_n) {
            best = &keys;
            best_n = n;
        }
    }
    c.group.partition_keys = *best;
    for (auto& [f, keys] : c.files) {
        if (keys == c.group.partition_keys) {
            c.group.files.push_back(std::move(f));
            continue;
        }
        std::string want;
        for (const auto& k : c.group.partition_keys) {
            want += (want.empty() ? "" : "/") + k;
        }
        skipped.push_back(f.entry.key + ": its folders do not match the partitions of table " + c.group.database +
                          "." + c.group.name + " (" + (want.empty() ? "none" : want) + "); move it or --exclude it");
    }
    std::sort(c.group.files.begin(), c.group.files.end(),
              [](const DataFile& a, const DataFile& b) { return a.entry.key < b.entry.key; });
    return std::move(c.group);
}

} // namespace

Layout group_into_tables(const std::vector<ObjectEntry>& entries, const LayoutOptions& options) {
    Layout out;
    std::map<std::string, Candidate> by_prefix;
    for (const auto& e : entries) {
        const auto parts = split_path(e.key);
        if (is_ignored(e.key, options)) {
            ++out.excluded;
            continue;
        }
        const size_t root = table_depth(parts);
        TableGroup g = table_of(e.key, parts, root, options);
        DataFile f{e, {}};
        std::vector<std::string> keys = partition_of(parts, root, f);
        auto& c = by_prefix[g.prefix];
        if (c.group.name.empty()) {
            c.group = std::move(g);
        }
        ++c.key_lists[keys];
        c.files.emplace_back(std::move(f), std::move(keys));
    }
    for (auto& [prefix, c] : by_prefix) {
        out.tables.push_back(settle(c, out.skipped));
    }
    return out;
}

} // namespace ticklake
