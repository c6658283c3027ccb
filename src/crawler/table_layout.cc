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

Layout group_into_tables(const std::vector<ObjectEntry>& entries, const LayoutOptions& options) {
    Layout out;
    struct Candidate {
        TableGroup group;
        std::map<std::vector<std::string>, size_t> key_lists; //!< partition key lists seen, how often
        std::vector<std::pair<DataFile, std::vector<std::string>>> files;
    };
    std::map<std::string, Candidate> by_prefix;
    for (const auto& e : entries) {
        const auto parts = split_path(e.key);
        if (is_ignored(e.key, options)) {
            ++out.excluded;
            continue;
        }
        const size_t folders = parts.size() - 1;
        size_t root = folders;
        for (size_t i = 0; i < folders; ++i) {
            if (is_hive_folder(parts[i])) {
                root = i;
                break;
            }
        }
        root = std::min<size_t>(root, 2);
        std::string prefix;
        for (size_t i = 0; i < root; ++i) {
            prefix += std::string(parts[i]) + "/";
        }
        TableGroup g;
        if (root == 2) {
            g.database = sanitize_name(parts[0]);
            g.name = sanitize_name(parts[1]);
        } else if (root == 1) {
            g.database = options.default_database;
            g.name = sanitize_name(parts[0]);
        } else if (folders == 0) {
            g.database = options.default_database;
            g.name = sanitize_name(stem_of(parts[0]));
            prefix = e.key; // a table of one file
        } else {
            // Hive folders right at the root: the warehouse itself is the table.
            g.database = options.default_database;
            g.name = "root";
        }
        g.prefix = prefix;
        DataFile f{e, {}};
        std::vector<std::string> keys;
        for (size_t i = root; i < folders; ++i) {
            const auto folder = parts[i];
            if (is_hive_folder(folder)) {
                const size_t eq = folder.find('=');
                keys.push_back(percent_decode(folder.substr(0, eq)));
                f.partition_values.push_back(percent_decode(folder.substr(eq + 1)));
            } else {
                keys.push_back("partition_" + std::to_string(i - root));
                f.partition_values.emplace_back(folder);
            }
        }
        auto& c = by_prefix[prefix];
        if (c.group.name.empty()) {
            c.group = std::move(g);
        }
        ++c.key_lists[keys];
        c.files.emplace_back(std::move(f), std::move(keys));
    }
    for (auto& [prefix, c] : by_prefix) {
        // The partition layout most files share is the table's; files elsewhere are reported.
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
            } else {
                std::string want;
                for (const auto& k : c.group.partition_keys) {
                    want += (want.empty() ? "" : "/") + k;
                }
                out.skipped.push_back(f.entry.key + ": its folders do not match the partitions of table " +
                                      c.group.database + "." + c.group.name + " (" +
                                      (want.empty() ? "none" : want) + "); move it or --exclude it");
            }
        }
        std::sort(c.group.files.begin(), c.group.files.end(),
                  [](const DataFile& a, const DataFile& b) { return a.entry.key < b.entry.key; });
        out.tables.push_back(std::move(c.group));
    }
    return out;
}

} // namespace ticklake
