#include "iceberg/table_maintenance.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/log.h"
#include "common/timestamp.h"

namespace ticklake::iceberg {

namespace {

constexpr int kCommitAttempts = 10;

// What one snapshot reaches: its manifest list, its manifests, and its live data files (paths
// normalized as keys under the table's location).
struct Reach {
    std::set<std::string> lists, manifests, data;
};

Status add_reach(ObjectStore& store, const Snapshot& snap, Reach& out) {
    auto key = key_under(store.uri(), snap.manifest_list);
    if (!key) {
        return fail(key.error());
    }
    out.lists.insert(*key);
    auto bytes = read_table_file(store, snap.manifest_list, "manifest list");
    if (!bytes) {
        return fail(bytes.error());
    }
    auto manifests = read_manifest_list(*bytes);
    if (!manifests) {
        return fail(manifests.error());
    }
    for (const auto& mf : *manifests) {
        auto mkey = key_under(store.uri(), mf.path);
        if (!mkey) {
            return fail(mkey.error());
        }
        if (!out.manifests.insert(*mkey).second) {
            continue; // shared with a snapshot seen already: its files are in `data` already
        }
        auto mbytes = read_table_file(store, mf.path, "manifest");
        if (!mbytes) {
            return fail(mbytes.error());
        }
        auto files = read_manifest(*mbytes, &mf);
        if (!files) {
            return fail(files.error());
        }
        for (const auto& f : *files) {
            auto fkey = key_under(store.uri(), f.path);
            if (!fkey) {
                return fail(fkey.error());
            }
            out.data.insert(*fkey);
        }
    }
    return {};
}

std::string count_of(const Snapshot* s, const char* key) {
    if (s == nullptr) {
        return "0";
    }
    auto it = s->summary.find(key);
    return it == s->summary.end() ? "0" : it->second;
}

} // namespace

Result<IcebergTable> IcebergTable::open(Catalog& catalog, const IcebergTableRef& ref, const ObjectStoreOptions& options) {
    ObjectStoreOptions o = options;
    o.probe = false;
    auto store = open_object_store(store_root_of(table_location_of(ref.metadata_location)), o);
    if (!store) {
        return fail(store.error());
    }
    return IcebergTable(catalog, ref, std::move(*store));
}

Result<std::pair<std::string, TableMetadata>> IcebergTable::load() {
    auto pointer = catalog_->iceberg_metadata_location(ref_.catalog, ref_.ns, ref_.table);
    if (!pointer) {
        return fail(pointer.error());
    }
    if (!*pointer) {
        return fail(Error::invalid("Iceberg table " + ref_.ns + "." + ref_.table + " is no longer in the catalog"));
    }
    auto text = read_table_file(*store_, **pointer, "metadata file");
    if (!text) {
        return fail(text.error());
    }
    auto m = TableMetadata::from_json(*text);
    if (!m) {
        return fail(Error{m.error().kind, m.error().message + " (" + **pointer + ")"});
    }
    ref_.metadata_location = **pointer;
    return std::pair{**pointer, std::move(*m)};
}

Result<TableScan> IcebergTable::current() {
    auto loaded = load();
    if (!loaded) {
        return fail(loaded.error());
    }
    return plan_table_scan(*store_, loaded->first);
}

Result<bool> IcebergTable::swap(const std::string& pointer, TableMetadata& m) {
    const std::string uuid = random_uuid();
    const std::string name = next_metadata_file_name(std::optional<std::string_view>(pointer), m, uuid);
    m.metadata_log.emplace_back(now_ms(), pointer);
    const std::string key = "metadata/" + name;
    if (auto st = store_->put_small(key, m.to_json()); !st) {
        return fail(st.error());
    }
    const std::string next = store_->uri() + "/" + key;
    auto swapped = catalog_->iceberg_swap_metadata(ref_.catalog, ref_.ns, ref_.table, pointer, next);
    if (swapped && *swapped) {
        ref_.metadata_location = next;
    }
    return swapped;
}

namespace {

// A replace's manifest entries: every live file of the snapshot, those being replaced marked
// DELETED by the new snapshot, the rest EXISTING with the ids and sequence numbers they had.
struct ReplaceEntries {
    std::vector<DataFile> entries;
    int64_t deleted_records = 0;
    size_t deleted = 0;
};

Result<ReplaceEntries> replace_entries(ObjectStore& store, const TableScan& scan, const std::set<std::string>& removing,
                                       int64_t snapshot_id) {
    ReplaceEntries out;
    for (DataFile f : scan.files) {
        auto key = key_under(store.uri(), f.path);
        if (!key) {
            return fail(key.error());
        }
        if (removing.count(*key) > 0) {
            f.status = 2;
            f.snapshot_id = snapshot_id; // the snapshot that deletes it
            out.deleted_records += f.record_count;
            ++out.deleted;
        } else {
            f.status = 0;
        }
        out.entries.push_back(std::move(f));
    }
    if (out.deleted != removing.size()) {
        return fail(Error::retry("some of the files to replace are no longer in the table (another compaction "
                                 "took them); nothing was committed"));
    }
    return out;
}

// Writes the two manifests (added; existing and deleted) and the manifest list of a replace
// snapshot, and returns the snapshot (its summary's counts, ticklake's Kafka offsets carried).
Result<Snapshot> write_replace_snapshot(ObjectStore& store, const TableMetadata& m, const ReplaceEntries& r,
                                        const std::vector<DataFile>& adding, int64_t snapshot_id) {
    const int64_t sequence = m.last_sequence_number + 1;
    const std::string uuid = random_uuid();
    std::vector<ManifestFile> manifests;
    for (const auto& [suffix, files] : {std::pair{"-m0.avro", &adding}, std::pair{"-m1.avro", &r.entries}}) {
        if (files->empty()) {
            continue;
        }
        const std::string key = std::string("metadata/") + uuid + suffix;
        const std::string bytes = write_manifest(m, snapshot_id, sequence, *files);
        if (auto st = store.put_small(key, bytes); !st) {
            return fail(st.error());
        }
        manifests.push_back(describe_manifest(store.uri() + "/" + key, static_cast<int64_t>(bytes.size()), snapshot_id,
                                              sequence, *files, m.day_source_id.has_value()));
    }
    const Snapshot* parent = m.current();
    const std::string list_key = "metadata/snap-" + std::to_string(snapshot_id) + "-1-" + uuid + ".avro";
    const std::optional<int64_t> parent_id = parent ? std::optional<int64_t>(parent->id) : std::nullopt;
    if (auto st = store.put_small(list_key, write_manifest_list(manifests, snapshot_id, parent_id, sequence)); !st) {
        return fail(st.error());
    }
    Snapshot snap;
    snap.id = snapshot_id;
    snap.parent_id = parent_id;
    snap.sequence_number = sequence;
    snap.timestamp_ms = now_ms();
    snap.manifest_list = store.uri() + "/" + list_key;
    snap.schema_id = m.current_schema_id;
    snap.summary = inherited_summary(m, "ticklake.kafka.offsets.");
    auto& sum = snap.summary;
    sum["operation"] = "replace";
    sum["added-data-files"] = std::to_string(adding.size());
    sum["deleted-data-files"] = std::to_string(r.deleted);
    sum["added-records"] = std::to_string(r.deleted_records); // a replace keeps every row
    sum["deleted-records"] = std::to_string(r.deleted_records);
    sum["total-records"] = count_of(parent, "total-records");
    sum["total-data-files"] = std::to_string(r.entries.size() - r.deleted + adding.size());
    sum["total-delete-files"] = sum["total-position-deletes"] = sum["total-equality-deletes"] = "0";
    return snap;
}

} // namespace

Result<int64_t> IcebergTable::commit_replace(const std::vector<std::string>& removed, const std::vector<DataFile>& added) {
    std::set<std::string> removing;
    for (const auto& p : removed) {
        auto key = key_under(store_->uri(), p);
        if (!key) {
            return fail(key.error());
        }
        removing.insert(*key);
    }
    std::vector<DataFile> adding = added;
    int64_t added_records = 0;
    for (auto& f : adding) {
        f.status = 1; // ids and sequence numbers: the new snapshot's
        f.snapshot_id.reset();
        f.sequence_number.reset();
        f.file_sequence_number.reset();
        added_records += f.record_count;
    }
    for (int attempt = 0; attempt < kCommitAttempts; ++attempt) {
        auto loaded = load();
        if (!loaded) {
            return fail(loaded.error());
        }
        auto& [pointer, m] = *loaded;
        auto scan = plan_table_scan(*store_, pointer);
        if (!scan) {
            return fail(scan.error());
        }
        const int64_t snapshot_id = new_snapshot_id();
        auto entries = replace_entries(*store_, *scan, removing, snapshot_id);
        if (!entries) {
            return fail(entries.error());
        }
        if (added_records != entries->deleted_records) {
            return fail(Error::fatal("a replace must keep every row: the new files hold " + std::to_string(added_records) +
                                     " rows, the files they replace " + std::to_string(entries->deleted_records)));
        }
        auto snap = write_replace_snapshot(*store_, m, *entries, adding, snapshot_id);
        if (!snap) {
            return fail(snap.error());
        }
        m.last_sequence_number = snap->sequence_number;
        m.last_updated_ms = snap->timestamp_ms;
        m.current_snapshot_id = snapshot_id;
        m.snapshot_log.emplace_back(snap->timestamp_ms, snapshot_id);
        m.snapshots.push_back(std::move(*snap));
        auto swapped = swap(pointer, m);
        if (!swapped) {
            return fail(swapped.error());
        }
        if (*swapped) {
            return snapshot_id;
        }
        log::info("iceberg: {}.{}: another writer committed first; replacing on top of its snapshot", ref_.ns, ref_.table);
    }
    return fail(Error::retry("the table's pointer kept moving: " + std::to_string(kCommitAttempts) +
                             " attempts lost to other writers; nothing was committed"));
}

Result<ExpireReport> IcebergTable::expire_snapshots(int64_t older_than_ms, int retain_last, bool dry_run) {
    ExpireReport report;
    report.dry_run = dry_run;
    for (int attempt = 0; attempt < kCommitAttempts; ++attempt) {
        auto loaded = load();
        if (!loaded) {
            return fail(loaded.error());
        }
        auto& [pointer, m] = *loaded;
        std::vector<const Snapshot*> by_time;
        for (const auto& s : m.snapshots) {
            by_time.push_back(&s);
        }
        std::sort(by_time.begin(), by_time.end(), [](auto* a, auto* b) { return a->timestamp_ms > b->timestamp_ms; });
        std::set<int64_t> keep;
        for (size_t i = 0; i < by_time.size(); ++i) {
            const Snapshot* s = by_time[i];
            if (static_cast<int>(i) < std::max(retain_last, 1) || s->timestamp_ms >= older_than_ms ||
                (m.current_snapshot_id && s->id == *m.current_snapshot_id)) {
                keep.insert(s->id);
            }
        }
        Reach kept, gone;
        report.expired.clear();
        for (const auto& s : m.snapshots) {
            if (keep.count(s.id) == 0) {
                report.expired.push_back(s.id);
            }
        }
        report.kept = keep.size();
        report.deleted.clear();
        if (report.expired.empty()) {
            return report;
        }
        for (const auto& s : m.snapshots) {
            if (auto st = add_reach(*store_, s, keep.count(s.id) ? kept : gone); !st) {
                return fail(st.error());
            }
        }
        for (const auto* set : {&gone.data, &gone.manifests, &gone.lists}) {
            for (const auto& key : *set) {
                if (kept.data.count(key) == 0 && kept.manifests.count(key) == 0 && kept.lists.count(key) == 0) {
                    report.deleted.push_back(key);
                }
            }
        }
        if (dry_run) {
            return report;
        }
        std::erase_if(m.snapshots, [&](const Snapshot& s) { return keep.count(s.id) == 0; });
        std::erase_if(m.snapshot_log, [&](const auto& e) { return keep.count(e.second) == 0; });
        m.last_updated_ms = now_ms();
        auto swapped = swap(pointer, m);
        if (!swapped) {
            return fail(swapped.error());
        }
        if (!*swapped) {
            continue; // another writer committed: plan again on its metadata
        }
        // Only now, with no snapshot in the table reaching them, are the files deleted.
        for (const auto& key : report.deleted) {
            if (auto r = store_->remove(key); !r) {
                return fail(r.error());
            }
        }
        return report;
    }
    return fail(Error::retry("the table's pointer kept moving; no snapshot was expired"));
}

Result<OrphanReport> IcebergTable::remove_orphan_files(int64_t older_than_us, bool dry_run) {
    OrphanReport report;
    report.dry_run = dry_run;
    auto loaded = load();
    if (!loaded) {
        return fail(loaded.error());
    }
    auto& [pointer, m] = *loaded;
    Reach reach;
    for (const auto& s : m.snapshots) {
        if (auto st = add_reach(*store_, s, reach); !st) {
            return fail(st.error());
        }
    }
    std::set<std::string> metadata_files;
    for (const auto& uri : [&] {
             std::vector<std::string> all{pointer};
             for (const auto& [ts, file] : m.metadata_log) {
                 all.push_back(file);
             }
             return all;
         }()) {
        if (auto key = key_under(store_->uri(), uri)) {
            metadata_files.insert(*key);
        }
    }
    // Files the ticklake catalog lists (the sink registers every file it writes) stay too: a
    // table whose folder also holds files of its Hive days loses none of them here.
    std::set<std::string> listed;
    if (auto def = catalog_->resolve(ref_.ns + "." + ref_.table)) {
        if (auto files = catalog_->files(*def)) {
            const std::string folder = ref_.ns + "/" + ref_.table + "/";
            for (const auto& f : *files) {
                listed.insert(f.key.starts_with(folder) ? f.key.substr(folder.size()) : f.key);
            }
        }
    }
    auto entries = store_->list_entries("");
    if (!entries) {
        return fail(entries.error());
    }
    report.listed = entries->size();
    for (const auto& e : *entries) {
        if (reach.data.count(e.key) || reach.manifests.count(e.key) || reach.lists.count(e.key) ||
            metadata_files.count(e.key) || listed.count(e.key)) {
            continue;
        }
        if (e.modified >= older_than_us) {
            ++report.too_new;
            continue;
        }
        report.orphans.push_back(e.key);
    }
    if (!dry_run) {
        for (const auto& key : report.orphans) {
            if (auto r = store_->remove(key); !r) {
                return fail(r.error());
            }
        }
    }
    return report;
}

namespace {

Result<IcebergTable> open_named(Catalog& catalog, std::string_view name, const TableMaintenanceOptions& o) {
    const size_t dot = name.find('.');
    if (dot == std::string_view::npos) {
        return fail(Error::invalid("name the table as DATABASE.TABLE (e.g. market.trades), not '" + std::string(name) + "'"));
    }
    IcebergTableRef ref{o.catalog_name, std::string(name.substr(0, dot)), std::string(name.substr(dot + 1)), {}};
    auto pointer = catalog.iceberg_metadata_location(ref.catalog, ref.ns, ref.table);
    if (!pointer) {
        return fail(pointer.error());
    }
    if (!*pointer) {
        return fail(Error::invalid("no Iceberg table " + std::string(name) + " under the catalog name '" + ref.catalog +
                                   "' in " + catalog.path().string() +
                                   " (sink it with --table-format iceberg, or pass --iceberg-catalog-name)"));
    }
    ref.metadata_location = **pointer;
    return IcebergTable::open(catalog, ref, o.store);
}

} // namespace

Result<ExpireReport> expire_snapshots(Catalog& catalog, std::string_view table, const TableMaintenanceOptions& o) {
    auto t = open_named(catalog, table, o);
    if (!t) {
        return fail(t.error());
    }
    return t->expire_snapshots((now_us() - o.older_than_us) / 1000, o.retain_last, o.dry_run);
}

Result<OrphanReport> remove_orphan_files(Catalog& catalog, std::string_view table, const TableMaintenanceOptions& o) {
    auto t = open_named(catalog, table, o);
    if (!t) {
        return fail(t.error());
    }
    return t->remove_orphan_files(now_us() - o.older_than_us, o.dry_run);
}

} // namespace ticklake::iceberg
