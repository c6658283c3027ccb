#include "storage/object_listing.h"

#include <filesystem>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "common/event_json.h"

namespace ticklake {

namespace {

//! What one listing shows: objects directly below, and sub-folders with their totals.
struct Grouped {
    std::map<std::string, std::pair<uint64_t, uint64_t>> folders; //!< "name/" -> objects, bytes
    std::vector<const ObjectEntry*> shown;
    uint64_t total_bytes = 0;
};

Grouped group(const std::vector<ObjectEntry>& entries, bool recursive) {
    Grouped g;
    for (const auto& e : entries) {
        g.total_bytes += e.size;
        const size_t slash = e.key.find('/');
        if (!recursive && slash != std::string::npos) {
            auto& agg = g.folders[e.key.substr(0, slash + 1)];
            agg.first += 1;
            agg.second += e.size;
        } else {
            g.shown.push_back(&e);
        }
    }
    return g;
}

std::string json_string(std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
}

std::string render_json(const Grouped& g) {
    std::string out;
    for (const auto& [name, agg] : g.folders) {
        out += fmt::format("{{\"prefix\":{},\"objects\":{},\"bytes\":{}}}\n", json_string(name), agg.first, agg.second);
    }
    for (const ObjectEntry* e : g.shown) {
        out += fmt::format("{{\"key\":{},\"size\":{},\"modified\":\"{}\"}}\n", json_string(e->key), e->size,
                           format_iso8601(e->modified));
    }
    return out;
}

std::string render_text(const Grouped& g, size_t objects, const ListingFormat& format) {
    auto size = [&format](uint64_t bytes) { return format.human ? human_size(bytes) : std::to_string(bytes); };
    std::string out;
    for (const auto& [name, agg] : g.folders) {
        out += fmt::format("{:>30} {}\n", "PRE", name);
    }
    for (const ObjectEntry* e : g.shown) {
        std::string when = format_iso8601(e->modified).substr(0, 19);
        when[10] = ' ';
        out += fmt::format("{} {:>10} {}\n", when, size(e->size), e->key);
    }
    if (format.summarize) {
        out += fmt::format("\nTotal Objects: {}\n   Total Size: {}\n", objects, size(g.total_bytes));
    }
    return out;
}

} // namespace

Result<std::vector<ObjectEntry>> list_below(ObjectStore& store, std::string key) {
    while (!key.empty() && key.back() == '/') {
        key.pop_back();
    }
    if (!key.empty()) {
        auto one = store.stat(key);
        if (!one) {
            return fail(one.error());
        }
        if (one->has_value()) {
            ObjectEntry e = **one;
            e.key = std::filesystem::path(key).filename().string();
            return std::vector<ObjectEntry>{std::move(e)};
        }
    }
    auto listed = store.list_entries(key);
    if (!listed) {
        return fail(listed.error());
    }
    const size_t strip = key.empty() ? 0 : key.size() + 1;
    for (auto& e : *listed) {
        e.key.erase(0, strip);
    }
    return listed;
}

std::string render_listing(const std::vector<ObjectEntry>& entries, const ListingFormat& format) {
    const Grouped g = group(entries, format.recursive);
    return format.json ? render_json(g) : render_text(g, entries.size(), format);
}

std::string human_size(uint64_t bytes) {
    static constexpr const char* kUnits[] = {"Bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = static_cast<double>(bytes);
    int unit = 0;
    while (v >= 1024 && unit < 5) {
        v /= 1024;
        ++unit;
    }
    return unit == 0 ? fmt::format("{} Bytes", bytes) : fmt::format("{:.1f} {}", v, kUnits[unit]);
}

} // namespace ticklake
