#include "retention/table_retention.h"

#include <charconv>
#include <filesystem>
#include <map>
#include <optional>

#include "common/json_writer.h"
#include "common/timestamp.h"
#include "common/warehouse_uri.h"

namespace ticklake {

namespace {

constexpr TimestampUs kHourUs = 3'600'000'000LL;
constexpr TimestampUs kDayUs = 24 * kHourUs;

std::optional<int64_t> number(std::string_view s) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
        return std::nullopt;
    }
    return v;
}

TimestampUs start_of(int64_t year, unsigned month, unsigned day) { return days_from_civil(year, month, day) * kDayUs; }

// The end of the period a partition's time keys name (exclusive), or nullopt when they name
// none. The folders' dates are read as UTC days: a table kept in another zone shifts by hours.
std::optional<TimestampUs> end_of_period(const std::map<std::string, std::string>& keys) {
    if (auto dt = keys.find("dt"); dt != keys.end()) {
        auto day = parse_iso8601(dt->second);
        if (!day || dt->second.size() != 10) {
            return std::nullopt;
        }
        if (auto hour = keys.find("hour"); hour != keys.end()) {
            auto h = number(hour->second);
            return h ? std::optional(*day + (*h + 1) * kHourUs) : std::nullopt;
        }
        return *day + kDayUs;
    }
    if (auto month = keys.find("month"); month != keys.end() && month->second.size() == 7) {
        auto y = number(std::string_view(month->second).substr(0, 4));
        auto m = number(std::string_view(month->second).substr(5, 2));
        if (!y || !m || *m < 1 || *m > 12) {
            return std::nullopt;
        }
        return *m == 12 ? start_of(*y + 1, 1, 1) : start_of(*y, static_cast<unsigned>(*m + 1), 1);
    }
    for (auto [key, span] : {std::pair{"year", 1}, std::pair{"decade", 10}}) {
        if (auto it = keys.find(key); it != keys.end()) {
            auto y = number(it->second);
            return y ? std::optional(start_of(*y + span, 1, 1)) : std::nullopt;
        }
    }
    return std::nullopt;
}

std::string name_of(const TableDef& t, const std::vector<std::string>& values) {
    std::string out;
    for (size_t i = 0; i < values.size() && i < t.partition_keys.size(); ++i) {
        out += (i > 0 ? "/" : "") + t.partition_keys[i].name + "=" + values[i];
    }
    return out.empty() ? "(unpartitioned)" : out;
}

std::string file_name(const std::string& key) {
    const size_t slash = key.rfind('/');
    return slash == std::string::npos ? key : key.substr(slash + 1);
}

// Deletes one partition's files through a store opened at the partition's folder (its files
// are named there by their last path segment).
Result<int64_t> delete_files(const ExpiredPartition& p, const std::vector<FileDef>& files, const ObjectStoreOptions& o) {
    ObjectStoreOptions options = o;
    options.probe = false;
    if (!is_s3_uri(p.location)) {
        std::error_code ec;
        if (!std::filesystem::is_directory(WarehouseUri::parse(p.location).text(), ec)) {
            return 0; // gone already
        }
    }
    auto store = open_object_store(p.location, options);
    if (!store) {
        return fail(store.error());
    }
    int64_t deleted = 0;
    for (const auto& f : files) {
        auto removed = (*store)->remove(file_name(f.key));
        if (!removed) {
            return fail(removed.error());
        }
        deleted += *removed ? 1 : 0;
    }
    if (!is_s3_uri(p.location)) {
        // An empty local folder would still show the partition to a directory listing.
        std::error_code ec;
        std::filesystem::remove(WarehouseUri::parse(p.location).text(), ec);
    }
    return deleted;
}

Result<bool> location_gone(const TableDef& t, const ObjectStoreOptions& o) {
    if (!is_s3_uri(t.location)) {
        std::error_code ec;
        return !std::filesystem::exists(WarehouseUri::parse(t.location).text(), ec);
    }
    ObjectStoreOptions options = o;
    options.probe = false;
    auto store = open_object_store(t.location, options);
    if (!store) {
        return fail(store.error());
    }
    auto listing = (*store)->list_entries("");
    if (!listing) {
        return fail(listing.error());
    }
    return listing->empty();
}

} // namespace

std::optional<TimestampUs> partition_end(const TableDef& table, const PartitionDef& partition) {
    std::map<std::string, std::string> keys;
    for (size_t i = 0; i < table.partition_keys.size() && i < partition.values.size(); ++i) {
        keys[table.partition_keys[i].name] = partition.values[i];
    }
    if (auto end = end_of_period(keys)) {
        return end;
    }
    if (partition.ts_max) {
        return *partition.ts_max + 1;
    }
    return std::nullopt;
}

Result<ExpireReport> expire_table(Catalog& catalog, const TableDef& table, const ExpireOptions& options) {
    ExpireReport report;
    report.table = table.qualified_name();
    report.cutoff = (options.now != 0 ? options.now : now_us()) - options.older_than_us;
    report.applied = options.apply;
    auto parts = catalog.partitions(table);
    if (!parts) {
        return fail(parts.error());
    }
    Catalog::PartitionSet expired;
    for (const auto& p : *parts) {
        const auto end = partition_end(table, p);
        report.undated_partitions += end ? 0 : 1;
        if (!end || *end > report.cutoff) {
            continue;
        }
        expired.insert(p.values);
        report.partitions.push_back({name_of(table, p.values), p.values, p.location, p.file_count, p.rows, p.bytes});
    }
    if (!options.apply || expired.empty()) {
        return report;
    }
    auto files = catalog.files(table, &expired);
    if (!files) {
        return fail(files.error());
    }
    std::map<std::vector<std::string>, std::vector<FileDef>> by_partition;
    for (auto& f : *files) {
        by_partition[f.partition_values].push_back(std::move(f));
    }
    TableChange change;
    change.table = table;
    change.base_version = table.schema_version;
    for (const auto& p : report.partitions) {
        const auto& in_p = by_partition[p.values];
        auto deleted = delete_files(p, in_p, options.store);
        if (!deleted) {
            return fail(deleted.error());
        }
        report.files_deleted += *deleted;
        for (const auto& f : in_p) {
            change.remove_files.push_back(f.key);
        }
    }
    // The partitions leave with their last file (the catalog drops a partition without files).
    if (auto st = catalog.apply(change); !st) {
        return fail(st.error());
    }
    return report;
}

Result<PruneReport> prune_tables(Catalog& catalog, bool apply, const ObjectStoreOptions& store) {
    auto all = catalog.tables();
    if (!all) {
        return fail(all.error());
    }
    PruneReport report;
    report.applied = apply;
    for (auto& t : *all) {
        auto gone = location_gone(t, store);
        if (!gone) {
            return fail(gone.error());
        }
        if (*gone) {
            report.gone.push_back(std::move(t));
        }
    }
    if (!apply) {
        return report;
    }
    for (const auto& t : report.gone) {
        if (auto dropped = catalog.drop_table(t.database, t.name); !dropped) {
            return fail(dropped.error());
        }
    }
    return report;
}

std::string render(const ExpireReport& r, bool json) {
    if (json) {
        JsonWriter w;
        w.begin_object().field("table", r.table).field("cutoff", format_iso8601(r.cutoff));
        w.key("applied").value(r.applied).key("files_deleted").value(r.files_deleted).key("partitions").begin_array();
        for (const auto& p : r.partitions) {
            w.begin_object().field("partition", p.name).field("location", p.location);
            w.key("files").value(p.files).key("rows").value(p.rows).key("bytes").value(p.bytes).end_object();
        }
        w.end_array().end_object();
        return w.str() + "\n";
    }
    int64_t files = 0;
    int64_t rows = 0;
    std::string out;
    for (const auto& p : r.partitions) {
        files += p.files;
        rows += p.rows;
        out += (r.applied ? "expired " : "would expire ") + r.table + " " + p.name + ": " + std::to_string(p.files) +
               " file(s), " + std::to_string(p.rows) + " row(s)\n";
    }
    const std::string cutoff = format_iso8601(r.cutoff);
    if (r.undated_partitions > 0) {
        out += std::to_string(r.undated_partitions) + " partition(s) of " + r.table + " have neither time keys nor "
               "event times, and are kept\n";
    }
    if (r.partitions.empty()) {
        return out + r.table + ": no partition is wholly older than " + cutoff + "; nothing to expire\n";
    }
    if (!r.applied) {
        return out + std::to_string(r.partitions.size()) + " partition(s), " + std::to_string(files) + " file(s), " +
               std::to_string(rows) + " row(s) of " + r.table + " are older than " + cutoff +
               ". Dry run: nothing was deleted; rerun with --apply to delete them\n";
    }
    return out + std::to_string(r.partitions.size()) + " partition(s) of " + r.table + " expired: " +
           std::to_string(r.files_deleted) + " file(s) deleted, " + std::to_string(rows) + " row(s) gone\n";
}

std::string render(const PruneReport& r, bool json) {
    if (json) {
        JsonWriter w;
        w.begin_object().key("applied").value(r.applied).key("tables").begin_array();
        for (const auto& t : r.gone) {
            w.begin_object().field("table", t.qualified_name()).field("location", t.location).end_object();
        }
        w.end_array().end_object();
        return w.str() + "\n";
    }
    std::string out;
    for (const auto& t : r.gone) {
        out += (r.applied ? "dropped " : "would drop ") + t.qualified_name() + ": " + t.location + " is gone\n";
    }
    if (r.gone.empty()) {
        return "every table's location is there; nothing to prune\n";
    }
    if (!r.applied) {
        out += "Dry run: the catalog is unchanged; rerun with --apply to drop these " + std::to_string(r.gone.size()) +
               " table(s)\n";
    }
    return out;
}

} // namespace ticklake
