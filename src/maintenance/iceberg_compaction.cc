#include "maintenance/iceberg_compaction.h"

#include <map>

#include "common/log.h"
#include "common/sql_quote.h"
#include "common/timestamp.h"
#include "iceberg/table_maintenance.h"
#include "maintenance/parquet_merge.h"

namespace ticklake {

namespace {

constexpr int64_t kUsPerDay = 86'400'000'000;

std::string long_bytes(int64_t v) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) {
        out[static_cast<size_t>(i)] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
    }
    return out;
}

std::string folder_of(const std::string& key) {
    const size_t slash = key.rfind('/');
    return slash == std::string::npos ? std::string() : key.substr(0, slash + 1);
}

// "ts_day=2025-01-06" (the partition as --partition names it), or "" unpartitioned.
std::string partition_name(const iceberg::TableScan& scan, const iceberg::DataFile& f) {
    if (!scan.day_source_id || !f.day) {
        return {};
    }
    std::string source;
    for (const auto& c : scan.schema) {
        if (c.id == *scan.day_source_id) {
            source = c.name;
        }
    }
    return source + "_day=" + format_date(*f.day * kUsPerDay);
}

struct Group {
    std::vector<const iceberg::DataFile*> files;
    int64_t rows = 0;
    uint64_t bytes = 0;
};

std::vector<std::string> sort_columns(const iceberg::TableScan& scan) {
    std::vector<std::string> names;
    for (const auto& c : scan.schema) {
        names.push_back(c.name);
    }
    return sort_columns_of(names);
}

// Per partition, the files small enough to merge (those of options.policy.partition only).
std::map<std::string, Group> small_files(const iceberg::TableScan& scan, const CompactOptions& options) {
    std::map<std::string, Group> groups;
    for (const auto& f : scan.files) {
        if (static_cast<uint64_t>(f.file_size) >= options.policy.target_file_bytes) {
            continue; // large enough already
        }
        const std::string p = partition_name(scan, f);
        if (!options.policy.partition.empty() && p != options.policy.partition) {
            continue;
        }
        Group& g = groups[p];
        g.files.push_back(&f);
        g.rows += f.record_count;
        g.bytes += static_cast<uint64_t>(f.file_size);
    }
    return groups;
}

struct GroupJob {
    iceberg::IcebergTable& table;
    const iceberg::TableScan& scan;
    const CompactOptions& options;
    ParquetFooterReader& footers;
    std::filesystem::path work;
    std::string field_id_schema;
    std::string field_ids;
};

// The merged files of a group, published under r.folder, as Iceberg data files.
Result<std::vector<iceberg::DataFile>> write_merged(GroupJob& job, const Group& g, PartitionCompaction& r,
                                                    std::vector<std::string>& published) {
    ObjectStore& store = job.table.store();
    std::filesystem::create_directories(job.work / "in");
    MergeRequest merge{.order_by = sort_columns(job.scan), .output_dir = job.work / "out",
                       .target_file_bytes = job.options.policy.target_file_bytes, .threads = job.options.threads};
    merge.field_id_schema = job.field_id_schema;
    merge.field_ids = job.field_ids;
    for (size_t i = 0; i < g.files.size(); ++i) {
        auto key = iceberg::key_under(store.uri(), g.files[i]->path);
        if (!key) {
            return fail(key.error());
        }
        if (auto local = store.local_path(*key)) {
            merge.inputs.push_back(*local);
            continue;
        }
        auto copy = job.work / "in" / (std::to_string(i) + ".parquet");
        if (auto st = store.download(*key, copy); !st) {
            return fail(st.error());
        }
        merge.inputs.push_back(copy);
    }
    auto written = merge_parquet(merge);
    if (!written) {
        return fail(written.error());
    }
    std::vector<iceberg::DataFile> added;
    for (const auto& path : *written) {
        const std::string key = r.folder + path.filename().string();
        if (auto st = store.put_file(key, path); !st) {
            return fail(st.error());
        }
        published.push_back(key);
        auto entry = store.stat(key);
        if (!entry || !*entry) {
            return fail(!entry ? entry.error() : Error::retry("compacted file " + key + " vanished"));
        }
        auto footer = job.footers.read(store, **entry);
        if (!footer) {
            return fail(footer.error());
        }
        iceberg::DataFile d;
        d.path = store.uri() + "/" + key;
        d.record_count = footer->rows;
        d.file_size = static_cast<int64_t>((*entry)->size);
        d.day = g.files.front()->day;
        if (job.scan.day_source_id && footer->ts_min && footer->ts_max) {
            d.lower_bounds[*job.scan.day_source_id] = long_bytes(*footer->ts_min);
            d.upper_bounds[*job.scan.day_source_id] = long_bytes(*footer->ts_max);
        }
        r.bytes_out += (*entry)->size;
        added.push_back(std::move(d));
    }
    return added;
}

// One partition: merge, publish, commit the replace snapshot. A retry error (another
// compaction took the files) leaves the partition as it was, reported as skipped.
Status compact_group(GroupJob& job, const Group& g, PartitionCompaction r, CompactReport& report) {
    ObjectStore& store = job.table.store();
    std::vector<std::string> published;
    auto abandon = [&](const Error& why) -> Status {
        for (const auto& key : published) {
            (void)store.remove(key);
        }
        std::error_code ec;
        std::filesystem::remove_all(job.work, ec);
        if (why.kind != ErrorKind::retry) {
            return fail(why);
        }
        r.skipped = why.message;
        log::warn("compact: {} {}: {}; left as it was", r.table, r.partition, why.message);
        report.partitions.push_back(r);
        return {};
    };
    auto added = write_merged(job, g, r, published);
    if (!added) {
        return abandon(added.error());
    }
    std::vector<std::string> removed;
    for (const auto* f : g.files) {
        removed.push_back(f->path);
    }
    auto committed = job.table.commit_replace(removed, *added);
    if (!committed) {
        return abandon(committed.error());
    }
    std::error_code ec;
    std::filesystem::remove_all(job.work, ec);
    r.files_out = added->size();
    log::info("compact: {} {}: {} files -> {} ({} rows), Iceberg snapshot {}", r.table, r.partition, r.files_in,
              r.files_out, r.rows, *committed);
    report.partitions.push_back(std::move(r));
    return {};
}

} // namespace

Status compact_iceberg_table(Catalog& catalog, const IcebergTableRef& ref, const TableDef& table,
                             const CompactOptions& options, ParquetFooterReader& footers,
                             const std::filesystem::path& scratch, CompactReport& report) {
    auto opened = iceberg::IcebergTable::open(catalog, ref, options.store);
    if (!opened) {
        return fail(opened.error());
    }
    auto scan = opened->current();
    if (!scan) {
        return fail(scan.error());
    }
    auto schema = iceberg::field_id_schema(scan->schema);
    if (!schema) {
        return fail(Error::invalid("Iceberg table " + table.qualified_name() +
                                   " has nested columns; ticklake compacts Iceberg tables of flat columns"));
    }
    GroupJob job{*opened, *scan, options, footers, {}, *schema, {}};
    for (const auto& c : scan->schema) {
        job.field_ids += (job.field_ids.empty() ? "" : ", ") + quote_literal(c.name) + ": " + std::to_string(c.id);
    }
    for (const auto& [partition, g] : small_files(*scan, options)) {
        if (g.files.size() < 2) {
            continue;
        }
        PartitionCompaction r{.table = table.qualified_name(), .partition = partition.empty() ? "(all)" : partition,
                              .files_in = g.files.size(), .bytes_in = g.bytes, .rows = g.rows};
        auto first_key = iceberg::key_under(opened->store().uri(), g.files.front()->path);
        if (!first_key) {
            return fail(first_key.error());
        }
        r.folder = folder_of(*first_key) + "compacted-" + std::to_string(now_us()) + "/";
        if (options.dry_run) {
            report.partitions.push_back(std::move(r));
            continue;
        }
        job.work = scratch / ("iceberg-" + std::to_string(now_us()));
        if (auto st = compact_group(job, g, std::move(r), report); !st) {
            return st;
        }
    }
    return {};
}

} // namespace ticklake
