#include "maintenance/compaction_plan.h"

#include <charconv>
#include <map>

namespace ticklake {

namespace {

// The folder of a key, with its trailing '/'.
std::string folder_of(std::string_view key) {
    const size_t slash = key.rfind('/');
    return slash == std::string_view::npos ? std::string() : std::string(key.substr(0, slash + 1));
}

bool is_parquet(std::string_view key) { return key.ends_with(".parquet"); }

std::optional<int64_t> parse_int(std::string_view digits) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
        return std::nullopt;
    }
    return v;
}

} // namespace

std::string partition_spec(const Columns& keys, const std::vector<std::string>& values) {
    std::string out;
    for (size_t i = 0; i < values.size(); ++i) {
        out += (i > 0 ? "/" : "") + (i < keys.size() ? keys[i].name : "partition_" + std::to_string(i)) + "=" +
               values[i];
    }
    return out;
}

std::vector<PartitionPlan> plan_compaction(const std::vector<FileDef>& files, const Columns& keys,
                                           const CompactionPolicy& policy, TimestampUs now) {
    const TimestampUs quiet_before = now - policy.older_than_seconds * 1'000'000;
    std::map<std::vector<std::string>, PartitionPlan> by_partition;
    for (const auto& f : files) {
        if (!is_parquet(f.key) || f.size >= policy.target_file_bytes || f.modified > quiet_before) {
            continue;
        }
        if (!policy.partition.empty() && partition_spec(keys, f.partition_values) != policy.partition) {
            continue;
        }
        auto& p = by_partition[f.partition_values];
        p.values = f.partition_values;
        p.inputs.push_back(f);
        p.rows += f.rows;
        p.bytes += f.size;
    }
    std::vector<PartitionPlan> out;
    for (auto& [values, p] : by_partition) {
        if (p.inputs.size() < 2) {
            continue;
        }
        // The partition's own folder: a compacted input sits one folder deeper (compacted-<run>/).
        std::string folder = folder_of(p.inputs.front().key);
        for (const auto& f : p.inputs) {
            std::string own = folder_of(f.key);
            if (own.size() < folder.size()) {
                folder = own;
            }
        }
        if (const size_t at = folder.find("/compacted-"); at != std::string::npos) {
            folder.resize(at + 1);
        }
        p.folder = std::move(folder);
        out.push_back(std::move(p));
    }
    return out;
}

ReplacedFile replaced_file_of(const FileDef& file) {
    ReplacedFile r{.key = file.key, .rows = file.rows};
    std::string_view name(file.key);
    name.remove_prefix(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1);
    name = name.substr(0, name.rfind('.'));
    const size_t o = name.rfind("-o");
    const size_t p = o == std::string_view::npos ? std::string_view::npos : name.rfind("-p", o);
    if (p == std::string_view::npos || p == 0) {
        return r;
    }
    auto partition = parse_int(name.substr(p + 2, o - p - 2));
    auto offset = parse_int(name.substr(o + 2));
    if (partition && offset) {
        r.topic = std::string(name.substr(0, p));
        r.kafka_partition = partition;
        r.first_offset = offset;
    }
    return r;
}

} // namespace ticklake
