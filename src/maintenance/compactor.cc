#include "maintenance/compactor.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "common/log.h"
#include "crawler/parquet_footer_reader.h"
#include "maintenance/compaction_crash_point.h"
#include "maintenance/iceberg_compaction.h"
#include "maintenance/parquet_merge.h"

namespace ticklake {

namespace {

// One compactor per catalog: flock on a file beside it, released by the kernel when the process
// dies (also by kill -9), so a stale lock never blocks the next run.
class CompactionLock {
public:
    ~CompactionLock() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Status acquire(const std::filesystem::path& catalog) {
        const std::string path = catalog.string() + ".compact.lock";
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            return fail(Error::fatal("cannot open the compaction lock " + path + ": " + std::strerror(errno)));
        }
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            return fail(Error::retry("another `ticklake compact` is running on catalog " + catalog.string() +
                                     " (lock " + path + ")"));
        }
        return {};
    }

private:
    int fd_ = -1;
};

class ScratchFolder {
public:
    ~ScratchFolder() {
        if (!path_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(path_, ec);
        }
    }
    Status create() {
        std::string pattern = (std::filesystem::temp_directory_path() / "ticklake-compact-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            return fail(Error::fatal("cannot create a scratch folder in " +
                                     std::filesystem::temp_directory_path().string() + ": " + std::strerror(errno)));
        }
        path_ = pattern;
        return {};
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

bool is_hive_folder(std::string_view folder) {
    const size_t eq = folder.find('=');
    return eq != std::string_view::npos && eq > 0;
}

// The warehouse root of a table: its location minus the folders its keys start with before the
// first Hive folder ("file:///wh/market/trades/" and "market/trades/dt=../x" -> "file:///wh").
Result<std::string> warehouse_of(const TableDef& table, std::string_view key) {
    size_t start = 0;
    size_t table_end = 0;
    while (true) {
        const size_t slash = key.find('/', start);
        if (slash == std::string_view::npos || is_hive_folder(key.substr(start, slash - start))) {
            break;
        }
        table_end = slash + 1;
        start = slash + 1;
    }
    const std::string_view prefix = key.substr(0, table_end);
    std::string_view location = table.location;
    if (!location.ends_with(prefix)) {
        return fail(Error::invalid("table " + table.qualified_name() + ": file " + std::string(key) +
                                   " is not under its location " + table.location));
    }
    location.remove_suffix(prefix.size());
    while (location.ends_with('/') && !location.ends_with("://")) {
        location.remove_suffix(1);
    }
    return std::string(location);
}

std::vector<std::string> order_of(const TableDef& table) {
    std::vector<std::string> names;
    for (const auto& c : table.columns) {
        names.push_back(c.name);
    }
    return sort_columns_of(names);
}

class Compactor {
public:
    Compactor(Catalog& catalog, const CompactOptions& options) : catalog_(catalog), o_(options) {}

    Result<CompactReport> run();

private:
    Result<ObjectStore*> store_of(const std::string& warehouse);
    Status recover_orphans();
    Status collect_garbage(const std::string& warehouse);
    Status compact_table(const TableDef& table);
    Status compact_partition(const TableDef& table, const std::string& warehouse, PartitionPlan& plan);
    //! Writes and publishes the merged files of `plan` under `folder`; their catalog rows.
    Result<std::vector<FileDef>> write_outputs(ObjectStore& store, const PartitionPlan& plan, const TableDef& table,
                                               const std::string& folder);
    Result<size_t> remove_folder(ObjectStore& store, const std::string& folder);

    Catalog& catalog_;
    const CompactOptions& o_;
    CompactReport report_;
    std::map<std::string, std::unique_ptr<ObjectStore>> stores_;
    std::set<std::string> warehouses_; //!< of the tables this pass looked at
    ScratchFolder scratch_;
    std::unique_ptr<ParquetFooterReader> footers_;
};

Result<ObjectStore*> Compactor::store_of(const std::string& warehouse) {
    auto it = stores_.find(warehouse);
    if (it == stores_.end()) {
        auto store = open_object_store(warehouse, o_.store);
        if (!store) {
            return fail(store.error());
        }
        it = stores_.emplace(warehouse, std::move(*store)).first;
    }
    return it->second.get();
}

Result<size_t> Compactor::remove_folder(ObjectStore& store, const std::string& folder) {
    auto listing = store.list(folder);
    if (!listing) {
        return fail(listing.error());
    }
    for (const auto& key : *listing) {
        if (auto r = store.remove(key); !r) {
            return fail(r.error());
        }
    }
    return listing->size();
}

// Under the lock, a run still `writing` is from a process that died: its files go, then its row.
Status Compactor::recover_orphans() {
    auto runs = catalog_.unfinished_compactions();
    if (!runs) {
        return fail(runs.error());
    }
    for (const auto& run : *runs) {
        auto store = store_of(run.warehouse);
        if (!store) {
            return fail(store.error());
        }
        auto removed = remove_folder(**store, run.folder);
        if (!removed) {
            return fail(removed.error());
        }
        if (auto st = catalog_.forget_compaction(run.id); !st) {
            return st;
        }
        log::info("compact: removed {} file(s) of unfinished run {} ({}{})", *removed, run.id, run.warehouse + "/",
                  run.folder);
        ++report_.orphan_runs;
        report_.orphan_files += *removed;
    }
    return {};
}

Status Compactor::collect_garbage(const std::string& warehouse) {
    auto due = catalog_.pending_deletions(warehouse, now_us());
    if (!due) {
        return fail(due.error());
    }
    auto store = store_of(warehouse);
    if (!store) {
        return fail(store.error());
    }
    for (const auto& d : *due) {
        if (auto r = (*store)->remove(d.key); !r) {
            return fail(r.error());
        }
        crash_point(CompactionCrashPoint::during_gc);
        if (auto st = catalog_.deletion_done(d); !st) {
            return st;
        }
        ++report_.replaced_deleted;
    }
    return {};
}

Result<std::vector<FileDef>> Compactor::write_outputs(ObjectStore& store, const PartitionPlan& plan,
                                                      const TableDef& table, const std::string& folder) {
    const auto work = scratch_.path() / std::to_string(now_us());
    MergeRequest merge{.order_by = order_of(table), .output_dir = work / "out",
                       .target_file_bytes = o_.policy.target_file_bytes, .threads = o_.threads};
    std::filesystem::create_directories(work / "in");
    for (size_t i = 0; i < plan.inputs.size(); ++i) {
        const auto& key = plan.inputs[i].key;
        if (auto local = store.local_path(key)) {
            merge.inputs.push_back(*local);
            continue;
        }
        auto copy = work / "in" / (std::to_string(i) + ".parquet");
        if (auto st = store.download(key, copy); !st) {
            return fail(st.error());
        }
        merge.inputs.push_back(copy);
    }
    auto written = merge_parquet(merge);
    if (!written) {
        return fail(written.error());
    }
    std::vector<FileDef> out;
    for (const auto& path : *written) {
        const std::string key = folder + path.filename().string();
        if (auto st = store.put_file(key, path); !st) {
            return fail(st.error());
        }
        auto entry = store.stat(key);
        if (!entry || !*entry) {
            return fail(!entry ? entry.error() : Error::retry("compacted file " + key + " vanished after publishing"));
        }
        auto footer = footers_->read(store, **entry);
        if (!footer) {
            return fail(footer.error());
        }
        out.push_back({.key = key, .partition_values = plan.values, .size = (*entry)->size,
                       .modified = (*entry)->modified, .rows = footer->rows, .ts_min = footer->ts_min,
                       .ts_max = footer->ts_max, .columns = footer->columns});
    }
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
    return out;
}

Status Compactor::compact_partition(const TableDef& table, const std::string& warehouse, PartitionPlan& plan) {
    PartitionCompaction r{.table = table.qualified_name(), .partition = partition_spec(table.partition_keys, plan.values),
                          .files_in = plan.inputs.size(), .bytes_in = plan.bytes, .rows = plan.rows};
    auto store = store_of(warehouse);
    if (!store) {
        return fail(store.error());
    }
    const TimestampUs started = now_us();
    r.folder = plan.folder + "compacted-" + std::to_string(started) + "/";
    if (o_.dry_run) {
        report_.partitions.push_back(std::move(r));
        return {};
    }
    auto run = catalog_.begin_compaction({.database = table.database, .table = table.name,
                                          .partition_values = plan.values, .warehouse = warehouse,
                                          .folder = r.folder, .started_at = started});
    if (!run) {
        return fail(run.error());
    }
    crash_point(CompactionCrashPoint::after_begin);
    // Until the swap commits, any failure leaves an orphan: cleaned now when possible, else by
    // the next run (the row names the folder).
    auto abandon = [&](const Error& why) -> Status {
        if (auto removed = remove_folder(**store, r.folder); removed) {
            (void)catalog_.forget_compaction(*run);
        }
        if (why.kind != ErrorKind::retry) {
            return fail(why);
        }
        r.skipped = why.message;
        log::warn("compact: {} {}: {}; left as it was", r.table, r.partition, why.message);
        report_.partitions.push_back(r);
        return {};
    };
    auto outputs = write_outputs(**store, plan, table, r.folder);
    if (!outputs) {
        return abandon(outputs.error());
    }
    int64_t rows_out = 0;
    for (const auto& f : *outputs) {
        rows_out += f.rows;
        r.bytes_out += f.size;
    }
    if (rows_out != plan.rows) {
        return abandon(Error::fatal("compaction of " + r.table + " " + r.partition + " wrote " +
                                    std::to_string(rows_out) + " rows, its files hold " + std::to_string(plan.rows) +
                                    " by the catalog: nothing was swapped (re-crawl the table, then compact again)"));
    }
    crash_point(CompactionCrashPoint::after_publish);
    // The table as it is now: the sink may have added a column since the plan (then the swap's
    // version check fails and the partition waits for the next run).
    auto current = catalog_.resolve(table.qualified_name());
    if (!current) {
        return abandon(current.error());
    }
    Catalog::PartitionSet only{plan.values};
    auto partition = catalog_.partitions(*current, &only);
    if (!partition || partition->empty()) {
        return abandon(!partition ? partition.error() : Error::retry("partition left the catalog"));
    }
    CompactionSwap swap{.run_id = *run, .table = *current, .partition = partition->front(), .compacted = *outputs,
                        .delete_after = now_us() + o_.retain_replaced_seconds * 1'000'000};
    for (const auto& f : plan.inputs) {
        swap.replaced.push_back(replaced_file_of(f));
    }
    if (auto st = catalog_.swap_compacted(swap); !st) {
        return abandon(st.error());
    }
    crash_point(CompactionCrashPoint::after_swap);
    r.files_out = outputs->size();
    log::info("compact: {} {}: {} files -> {} ({} rows)", r.table, r.partition, r.files_in, r.files_out, r.rows);
    report_.partitions.push_back(std::move(r));
    return {};
}

Status Compactor::compact_table(const TableDef& table) {
    auto files = catalog_.files(table);
    if (!files) {
        return fail(files.error());
    }
    if (files->empty()) {
        return {};
    }
    auto warehouse_uri = warehouse_of(table, files->front().key);
    if (!warehouse_uri) {
        return fail(warehouse_uri.error());
    }
    auto store = store_of(*warehouse_uri);
    if (!store) {
        return fail(store.error());
    }
    // The name the catalog's rows use, and a crawl compares with: the store's own spelling.
    const std::string warehouse = (*store)->uri();
    if (warehouse != *warehouse_uri) {
        stores_.emplace(warehouse, std::move(stores_.at(*warehouse_uri)));
        stores_.erase(*warehouse_uri);
    }
    warehouses_.insert(warehouse);
    if (o_.gc_only) {
        return {};
    }
    // An Iceberg table changes by snapshots only: its own compaction, never the catalog swap
    // (whose deletions would take files older snapshots still reach).
    auto iceberg = catalog_.iceberg_tables_by_name();
    if (!iceberg) {
        return fail(iceberg.error());
    }
    for (const auto& ref : *iceberg) {
        if (ref.ns == table.database && ref.table == table.name) {
            return compact_iceberg_table(catalog_, ref, table, o_, *footers_, scratch_.path(), report_);
        }
    }
    if (table.partition_keys.empty() || table.format != "parquet") {
        if (!o_.table.empty()) {
            return fail(Error::invalid("table " + table.qualified_name() + " is " +
                                       (table.partition_keys.empty() ? "not partitioned" : table.format) +
                                       ": compact merges the files of partitioned Parquet tables"));
        }
        return {};
    }
    auto plans = plan_compaction(*files, table.partition_keys, o_.policy, now_us());
    for (auto& plan : plans) {
        if (auto st = compact_partition(table, warehouse, plan); !st) {
            return st;
        }
    }
    return {};
}

Result<CompactReport> Compactor::run() {
    report_.dry_run = o_.dry_run;
    CompactionLock lock;
    if (!o_.dry_run) {
        if (auto st = lock.acquire(catalog_.path()); !st) {
            return fail(st.error());
        }
        if (auto st = recover_orphans(); !st) {
            return fail(st.error());
        }
    }
    std::vector<TableDef> tables;
    if (o_.table.empty()) {
        auto all = catalog_.tables();
        if (!all) {
            return fail(all.error());
        }
        tables = std::move(*all);
    } else {
        auto one = catalog_.resolve(o_.table);
        if (!one) {
            return fail(one.error());
        }
        tables.push_back(std::move(*one));
    }
    if (auto st = scratch_.create(); !st) {
        return fail(st.error());
    }
    auto footers = ParquetFooterReader::create(scratch_.path());
    if (!footers) {
        return fail(footers.error());
    }
    footers_ = std::move(*footers);
    for (const auto& t : tables) {
        if (auto st = compact_table(t); !st) {
            // Over every table (--watch), one table's trouble (a warehouse that cannot be opened,
            // a store outage) must not stop the others.
            if (!o_.table.empty()) {
                return fail(st.error());
            }
            log::warn("compact: {}: {}", t.qualified_name(), st.error().message);
        }
    }
    if (!o_.dry_run) {
        for (const auto& w : warehouses_) {
            if (auto st = collect_garbage(w); !st) {
                return fail(st.error());
            }
        }
    }
    return std::move(report_);
}

} // namespace

Result<CompactReport> compact(Catalog& catalog, const CompactOptions& options) {
    return Compactor(catalog, options).run();
}

std::vector<std::string> compact_report_lines(const CompactReport& report) {
    std::vector<std::string> out;
    size_t done = 0;
    for (const auto& p : report.partitions) {
        std::string line = p.table + " " + p.partition + ": " + std::to_string(p.files_in) + " files, " +
                           std::to_string(p.rows) + " rows, " + std::to_string(p.bytes_in) + " bytes";
        if (report.dry_run) {
            line += " would be merged into " + p.folder;
        } else if (!p.skipped.empty()) {
            line += " left as they were: " + p.skipped;
        } else {
            line += " -> " + std::to_string(p.files_out) + " files, " + std::to_string(p.bytes_out) + " bytes in " +
                    p.folder;
            ++done;
        }
        out.push_back(std::move(line));
    }
    if (report.partitions.empty()) {
        out.push_back("nothing to compact (no partition has two small files quiet for --older-than)");
    } else if (!report.dry_run) {
        out.push_back(std::to_string(done) + " partition(s) compacted");
    }
    if (report.orphan_runs > 0) {
        out.push_back("removed " + std::to_string(report.orphan_files) + " file(s) of " +
                      std::to_string(report.orphan_runs) + " unfinished run(s)");
    }
    if (report.replaced_deleted > 0) {
        out.push_back("deleted " + std::to_string(report.replaced_deleted) + " replaced file(s) past --retain-replaced");
    }
    return out;
}

Status watch_compactions(Catalog& catalog, const CompactOptions& options, const WatchOptions& watch) {
    const auto stopped = [&] { return watch.stop && watch.stop(); };
    while (!stopped()) {
        auto report = compact(catalog, options);
        if (!report) {
            if (report.error().kind != ErrorKind::retry) {
                return fail(report.error());
            }
            log::warn("compact: {}; trying again in {}s", report.error().message, watch.interval_seconds);
        } else if (watch.on_pass &&
                   (!report->partitions.empty() || report->orphan_runs > 0 || report->replaced_deleted > 0)) {
            watch.on_pass(*report);
        }
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(watch.interval_seconds);
        while (!stopped() && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    return {};
}

} // namespace ticklake
