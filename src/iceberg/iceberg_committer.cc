#include "iceberg/iceberg_committer.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <random>

#include "common/json_writer.h"
#include "common/log.h"
#include "iceberg/manifest.h"
#include "iceberg/table_scan.h"

namespace ticklake::iceberg {

namespace {

constexpr int kCommitAttempts = 10;

constexpr int64_t kUsPerDay = 86'400'000'000;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Iceberg's single-value binary form of a long (timestamps): 8 bytes little-endian.
std::string long_bytes(int64_t v) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) {
        out[static_cast<size_t>(i)] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
    }
    return out;
}

// The table of a data file's key: "<database>/<table>/...".
std::optional<std::pair<std::string, std::string>> table_of_key(std::string_view key) {
    const size_t a = key.find('/');
    if (a == std::string_view::npos) {
        return std::nullopt;
    }
    const size_t b = key.find('/', a + 1);
    if (b == std::string_view::npos) {
        return std::nullopt;
    }
    return std::pair{std::string(key.substr(0, a)), std::string(key.substr(a + 1, b - a - 1))};
}

std::string name_mapping(const TableMetadata& m) {
    JsonWriter w(0);
    w.begin_array();
    for (const auto& f : m.fields) {
        w.begin_object().key("field-id").value(int64_t{f.id}).key("names").begin_array().value(f.name).end_array().end_object();
    }
    w.end_array();
    std::string out = w.str();
    out.pop_back();
    return out;
}

// A new table: no columns yet (evolve_schema gives it the batch's), Parquet with zstd, as the
// sink writes (other writers of the table then write the same).
TableMetadata new_table(const std::string& location) {
    TableMetadata m;
    m.uuid = random_uuid();
    m.location = location;
    m.properties["write.format.default"] = "parquet";
    m.properties["write.parquet.compression-codec"] = "zstd";
    return m;
}

// Iceberg's type promotions (spec "Schema Evolution"): int -> long, float -> double,
// decimal(P, S) -> decimal(P', S) with P' >= P.
bool promotes(const std::string& from, const std::string& to) {
    if (from == to) {
        return true;
    }
    if ((from == "int" && to == "long") || (from == "float" && to == "double")) {
        return true;
    }
    int p1 = 0, s1 = 0, p2 = 0, s2 = 0;
    if (std::sscanf(from.c_str(), "decimal(%d, %d)", &p1, &s1) == 2 && std::sscanf(to.c_str(), "decimal(%d, %d)", &p2, &s2) == 2) {
        return s1 == s2 && p2 >= p1;
    }
    return false;
}

// "qty" of type double, which the table's qty (long) cannot become: "qty__double".
std::string own_column_name(const std::string& name, const std::string& type) {
    std::string suffix;
    for (char c : type) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            suffix.push_back(c);
        } else if (!suffix.empty() && suffix.back() != '_') {
            suffix.push_back('_');
        }
    }
    while (!suffix.empty() && suffix.back() == '_') {
        suffix.pop_back();
    }
    return name + "__" + suffix;
}

Error schema_conflict(const std::string& table, const std::string& what) {
    return Error::fatal("Iceberg table " + table + ": " + what +
                        "; another writer changed its schema while this batch was written. The batch is not "
                        "committed; restart the sink to write it again with the table's new schema");
}

} // namespace

Result<std::unique_ptr<IcebergCommitter>> IcebergCommitter::open(ObjectStore& store,
                                                                  const std::filesystem::path& catalog_path,
                                                                  IcebergCommitterOptions options) {
    std::unique_ptr<Catalog> catalog;
    std::unique_ptr<MetadataPointers> pointers;
    if (!options.rest_uri.empty()) {
        auto rest = rest_pointers({options.rest_uri, options.rest_token});
        if (!rest) {
            return fail(rest.error());
        }
        pointers = std::move(*rest);
    } else {
        auto opened = Catalog::open(catalog_path);
        if (!opened) {
            return fail(opened.error());
        }
        catalog = std::make_unique<Catalog>(std::move(*opened));
        pointers = catalog_pointers(*catalog, options.catalog_name, store);
    }
    std::unique_ptr<IcebergCommitter> c(new IcebergCommitter(store, std::move(catalog), std::move(options)));
    c->pointers_ = std::move(pointers);
    return c;
}

std::string IcebergCommitter::uri_of(const std::string& key) const { return store_.uri() + "/" + key; }

Status IcebergCommitter::load_column_ids(const std::string& table, ColumnIds& ids) {
    auto current = pointers_->current(options_.database, table);
    if (!current) {
        return fail(current.error());
    }
    ids = ColumnIds{};
    ids.loaded = true;
    if (!*current) {
        return {}; // a new table: ids from 1
    }
    const TableMetadata* m = &(*current)->metadata;
    ids.known = m->fields;
    ids.next_id = m->last_column_id + 1;
    for (const auto& f : ids.known) {
        ids.next_id = std::max(ids.next_id, f.id + 1);
    }
    return {};
}

const SchemaField* IcebergCommitter::known_column(const ColumnIds& ids, const std::string& name,
                                                 const std::string& type) {
    const std::string own = own_column_name(name, type);
    for (const std::string* candidate : {&name, &own}) {
        for (const auto& f : ids.known) {
            if (f.name == *candidate && (promotes(type, f.type) || promotes(f.type, type))) {
                return &f;
            }
        }
    }
    return nullptr;
}

const SchemaField& IcebergCommitter::column_for(ColumnIds& ids, const std::string& name, const std::string& type) {
    if (const SchemaField* f = known_column(ids, name, type)) {
        return *f;
    }
    const std::string own = own_column_name(name, type);
    const bool taken = std::any_of(ids.known.begin(), ids.known.end(), [&](const auto& f) { return f.name == name; });
    ids.known.push_back({ids.next_id++, taken ? own : name, type, false});
    if (taken) {
        log::warn("iceberg: column '{}' arrived as {}, which the table's '{}' cannot become under Iceberg's rules; "
                  "its values go to column '{}' (docs/iceberg.md)", name, type, name, own);
    }
    return ids.known.back();
}

Result<std::vector<int>> IcebergCommitter::field_ids(const std::string& table,
                                                     const std::vector<std::pair<std::string, std::string>>& columns) {
    std::lock_guard lock(ids_mu_);
    ColumnIds& ids = ids_[table];
    if (!ids.loaded) {
        if (auto st = load_column_ids(table, ids); !st) {
            return fail(st.error());
        }
    }
    std::vector<int> out;
    out.reserve(columns.size());
    for (const auto& [name, duck] : columns) {
        auto type = iceberg_type_of(duck);
        if (!type) {
            return fail(Error::fatal("column '" + name + "' of table " + table + " has type '" + duck +
                                     "', which Iceberg tables of ticklake do not take yet (--table-format iceberg)"));
        }
        out.push_back(column_for(ids, name, *type).id);
    }
    return out;
}

Status IcebergCommitter::evolve_schema(const std::string& short_name, TableMetadata& m,
                                       const std::vector<const CommittedFile*>& files) {
    const std::string table = options_.database + "." + short_name; // for messages
    std::vector<SchemaField> next = m.fields;
    bool changed = false;
    std::lock_guard lock(ids_mu_);
    ColumnIds& ids = ids_[short_name];
    for (const CommittedFile* f : files) {
        for (const auto& [name, duck] : f->columns) {
            auto type = iceberg_type_of(duck);
            const SchemaField* known = type && ids.loaded ? known_column(ids, name, *type) : nullptr;
            if (known == nullptr) {
                ids.loaded = false;
                return fail(Error::fatal("Iceberg table " + table + ": file " + f->key + " was not written with the "
                                         "table's field ids (column '" + name + "'); restart the sink to write it again"));
            }
            const SchemaField col = *known;
            auto same_id = std::find_if(next.begin(), next.end(), [&](const auto& x) { return x.id == col.id; });
            if (same_id != next.end()) {
                if (same_id->name != col.name) {
                    ids.loaded = false;
                    return fail(schema_conflict(table, "its column " + std::to_string(col.id) + " is '" + same_id->name +
                                                       "', not '" + col.name + "'"));
                }
                if (promotes(*type, same_id->type)) {
                    continue;
                }
                if (!promotes(same_id->type, *type)) {
                    ids.loaded = false;
                    return fail(schema_conflict(table, "its column '" + col.name + "' is " + same_id->type +
                                                       ", which cannot become " + *type));
                }
                same_id->type = *type; // widened: int -> long, float -> double, a wider decimal
                changed = true;
                continue;
            }
            if (col.id <= m.last_column_id ||
                std::any_of(next.begin(), next.end(), [&](const auto& x) { return x.name == col.name; })) {
                ids.loaded = false;
                return fail(schema_conflict(table, "column '" + col.name + "' (id " + std::to_string(col.id) +
                                                   ") is taken"));
            }
            next.push_back({col.id, col.name, *type, false});
            changed = true;
        }
    }
    if (!changed) {
        return {};
    }
    if (m.snapshots.empty() && m.fields.empty()) {
        m.fields = std::move(next); // a new table's first schema
        for (const auto& f : m.fields) {
            m.last_column_id = std::max(m.last_column_id, f.id);
            if (options_.day_partitions && f.name == "ts" && (f.type == "timestamp" || f.type == "timestamptz")) {
                m.day_source_id = f.id;
            }
        }
    } else {
        log::info("iceberg: table {} takes a new schema ({} columns)", table, next.size());
        m.evolve_schema(std::move(next));
    }
    // Readers that meet a file without field ids map its columns by these names.
    m.properties["schema.name-mapping.default"] = name_mapping(m);
    return {};
}

Result<std::string> IcebergCommitter::key_of(const std::string& uri) const {
    auto key = key_under(store_.uri(), uri);
    if (!key) {
        return fail(Error::fatal("Iceberg file " + uri + " is outside the warehouse " + store_.uri()));
    }
    return key;
}


Status IcebergCommitter::commit(const CommittedBatch& batch) {
    std::map<std::string, std::vector<const CommittedFile*>> by_table;
    for (const auto& f : batch.files) {
        auto t = table_of_key(f.key);
        if (!t || f.format != "parquet" || f.rows == 0 || t->first != options_.database) {
            continue; // dead letters stay files beside the tables
        }
        by_table[t->second].push_back(&f);
    }
    size_t committed = 0;
    for (const auto& [table, files] : by_table) {
        if (auto st = commit_table(table, files, batch); !st) {
            return st;
        }
        if (++committed < by_table.size() && options_.between_tables) {
            options_.between_tables();
        }
    }
    return {};
}

Status IcebergCommitter::commit_table(const std::string& table, const std::vector<const CommittedFile*>& files,
                                      const CommittedBatch& batch) {
    for (int attempt = 1; attempt <= kCommitAttempts; ++attempt) {
        bool conflict = false;
        if (auto st = try_commit(table, files, batch, conflict); !st || !conflict) {
            return st;
        }
        log::info("sink: Iceberg table {}.{} changed while committing (attempt {}): reloading", options_.database,
                  table, attempt);
    }
    return fail(Error::retry("Iceberg table " + options_.database + "." + table + ": " +
                             std::to_string(kCommitAttempts) + " commits in a row lost to other writers"));
}

Result<std::vector<ManifestFile>> IcebergCommitter::current_manifests(const TableMetadata& m) {
    const Snapshot* cur = m.current();
    if (cur == nullptr) {
        return std::vector<ManifestFile>{};
    }
    auto list_key = key_of(cur->manifest_list);
    if (!list_key) {
        return fail(list_key.error());
    }
    auto bytes = store_.get_small(*list_key);
    if (!bytes) {
        return fail(bytes.error());
    }
    if (!bytes->has_value()) {
        return fail(Error::fatal("Iceberg manifest list " + cur->manifest_list + " is missing"));
    }
    return read_manifest_list(**bytes);
}

Result<ManifestFile> IcebergCommitter::merge_manifests(const TableMetadata& m, const std::vector<ManifestFile>& manifests,
                                                       const std::string& key, int64_t snapshot_id, int64_t sequence) {
    std::vector<DataFile> files;
    for (const ManifestFile& mf : manifests) {
        if (mf.content != 0) {
            return fail(Error::fatal("Iceberg table has delete manifests (" + mf.path + "); ticklake appends to "
                                     "tables without row-level deletes"));
        }
        auto mkey = key_of(mf.path);
        if (!mkey) {
            return fail(mkey.error());
        }
        auto bytes = store_.get_small(*mkey);
        if (!bytes) {
            return fail(bytes.error());
        }
        if (!bytes->has_value()) {
            return fail(Error::fatal("Iceberg manifest " + mf.path + " is missing"));
        }
        auto live = read_manifest(**bytes, &mf);
        if (!live) {
            return fail(live.error());
        }
        for (DataFile& f : *live) {
            f.status = 0; // EXISTING, with the snapshot and sequence numbers that added it
            files.push_back(std::move(f));
        }
    }
    const std::string bytes = write_manifest(m, snapshot_id, sequence, files);
    if (auto st = store_.put_small(key, bytes); !st) {
        return fail(st.error());
    }
    return describe_manifest(uri_of(key), static_cast<int64_t>(bytes.size()), snapshot_id, sequence, files,
                             m.day_source_id.has_value());
}

Result<std::vector<DataFile>> IcebergCommitter::data_files(const TableMetadata& m,
                                                           const std::vector<const CommittedFile*>& files) {
    std::vector<DataFile> data;
    for (const CommittedFile* f : files) {
        auto entry = store_.stat(f->key);
        if (!entry) {
            return fail(entry.error());
        }
        if (!entry->has_value()) {
            return fail(Error::fatal("data file " + f->key + " vanished before its Iceberg commit"));
        }
        DataFile d;
        d.path = uri_of(f->key);
        d.record_count = f->rows;
        d.file_size = static_cast<int64_t>((*entry)->size);
        if (m.day_source_id && f->ts_min && f->ts_max) {
            const int64_t day = floor_div(*f->ts_min, kUsPerDay);
            if (floor_div(*f->ts_max, kUsPerDay) != day) {
                return fail(Error::fatal("data file " + f->key + " spans more than one UTC day; Iceberg tables need "
                                         "--time-partition day or hour with --partition-tz UTC"));
            }
            d.day = static_cast<int32_t>(day);
            d.lower_bounds[*m.day_source_id] = long_bytes(*f->ts_min);
            d.upper_bounds[*m.day_source_id] = long_bytes(*f->ts_max);
        }
        data.push_back(std::move(d));
    }
    return data;
}

namespace {

int64_t summary_count(const Snapshot* parent, const std::string& key) {
    if (parent == nullptr) {
        return 0;
    }
    auto it = parent->summary.find(key);
    return it != parent->summary.end() ? std::stoll(it->second) : 0;
}

// ticklake's Kafka offsets as the table holds them: a snapshot other writers made on top (a
// Spark INSERT, a compaction) may carry none, and the last ones ticklake recorded still hold.
std::map<std::string, std::string> carried_offsets(const TableMetadata& m) {
    return inherited_summary(m, "ticklake.kafka.offsets.");
}

// The table's Kafka offsets after this batch: the carried ones, with the batch's partition
// moved past its last offset. Rows the table already holds are refused: the table's files in
// this batch start at first_row (the earliest first offset among them).
Result<std::map<int32_t, int64_t>> offsets_after(const std::map<std::string, std::string>& carried,
                                                 const std::string& offsets_key, const CommittedBatch& batch,
                                                 Offset first_row, const std::string& table_name) {
    std::map<int32_t, int64_t> offsets;
    {
        if (auto it = carried.find(offsets_key); it != carried.end()) {
            auto parsed = offsets_from_json(it->second);
            if (!parsed) {
                return fail(parsed.error());
            }
            offsets = std::move(*parsed);
        }
    }
    if (auto it = offsets.find(batch.partition.value()); it != offsets.end() && it->second > first_row.value()) {
        // Already in the table (cannot happen: after a crash the sink resumes from the tables'
        // offsets and skips, table by table, what each holds). Refuse rather than duplicate.
        return fail(Error::fatal("Iceberg table " + table_name + " already holds offsets of " + batch.topic.str() +
                                 " partition " + std::to_string(batch.partition.value()) + " up to " +
                                 std::to_string(it->second) + "; the batch's rows for it start at " +
                                 std::to_string(first_row.value())));
    }
    offsets[batch.partition.value()] = batch.last_offset.next().value();
    return offsets;
}

// The table's earliest row in this batch: the lowest first offset of its files (a file that
// does not say is taken to start with the batch).
Offset first_row(const std::vector<const CommittedFile*>& files, const CommittedBatch& batch) {
    std::optional<Offset> first;
    for (const CommittedFile* f : files) {
        const Offset start = f->first_offset.valid() ? f->first_offset : batch.first_offset;
        first = first ? std::min(*first, start) : start;
    }
    return first.value_or(batch.first_offset);
}

// The summary of an append snapshot: every topic's and group's offsets carried forward,
// this batch's counts added to the parent's totals.
std::map<std::string, std::string> append_summary(const Snapshot* parent, std::map<std::string, std::string> carried,
                                                  const std::vector<DataFile>& data, const std::string& offsets_key,
                                                  const std::string& offsets_json) {
    std::map<std::string, std::string> summary = std::move(carried);
    int64_t added_records = 0;
    for (const DataFile& d : data) {
        added_records += d.record_count;
    }
    summary["operation"] = "append";
    summary["added-data-files"] = std::to_string(data.size());
    summary["added-records"] = std::to_string(added_records);
    summary["total-data-files"] =
        std::to_string(summary_count(parent, "total-data-files") + static_cast<int64_t>(data.size()));
    summary["total-records"] = std::to_string(summary_count(parent, "total-records") + added_records);
    summary["total-delete-files"] = "0";
    summary["total-position-deletes"] = "0";
    summary["total-equality-deletes"] = "0";
    summary[offsets_key] = offsets_json;
    return summary;
}

} // namespace

Status IcebergCommitter::try_commit(const std::string& table, const std::vector<const CommittedFile*>& files,
                                    const CommittedBatch& batch, bool& conflict) {
    const std::string& ns = options_.database;
    auto base = pointers_->current(ns, table);
    if (!base) {
        return fail(base.error());
    }
    const std::string table_key = ns + "/" + table;
    TableMetadata m;
    std::vector<ManifestFile> manifests;
    std::optional<std::string> pointer; // the metadata file this commit builds on
    if (*base) {
        pointer = (*base)->location;
        m = (*base)->metadata;
        auto list = current_manifests(m);
        if (!list) {
            return fail(list.error());
        }
        manifests = std::move(*list);
    } else {
        m = new_table(uri_of(table_key));
    }
    const std::string uuid = random_uuid();
    const std::string metadata_name =
        next_metadata_file_name(pointer ? std::optional<std::string_view>(*pointer) : std::nullopt, m, uuid);
    if (auto st = evolve_schema(table, m, files); !st) {
        return st;
    }
    const Snapshot* parent = m.current();
    const std::string offsets_key = kafka_offsets_key(batch.topic.view(), options_.group);
    auto carried = carried_offsets(m);
    auto offsets = offsets_after(carried, offsets_key, batch, first_row(files, batch), ns + "." + table);
    if (!offsets) {
        return fail(offsets.error());
    }
    auto data = data_files(m, files);
    if (!data) {
        return fail(data.error());
    }

    const int64_t snapshot_id = new_snapshot_id();
    const int64_t sequence = m.last_sequence_number + 1;
    // A snapshot's manifest list grows by one manifest per commit, and a reader opens every one:
    // at merge_manifests_at (100, as Iceberg's merge-append by default) the commit merges them
    // into one, so a table of a year of one-minute batches plans from a few manifests, not 500,000.
    if (manifests.size() >= options_.merge_manifests_at) {
        auto merged = merge_manifests(m, manifests, table_key + "/metadata/" + uuid + "-m1.avro", snapshot_id, sequence);
        if (!merged) {
            return fail(merged.error());
        }
        manifests = {*merged};
    }
    const std::string manifest_key = table_key + "/metadata/" + uuid + "-m0.avro";
    const std::string manifest = write_manifest(m, snapshot_id, sequence, *data);
    if (auto st = store_.put_small(manifest_key, manifest); !st) {
        return st;
    }
    manifests.insert(manifests.begin(), describe_manifest(uri_of(manifest_key), static_cast<int64_t>(manifest.size()),
                                                          snapshot_id, sequence, *data, m.day_source_id.has_value()));
    const std::string list_key = table_key + "/metadata/snap-" + std::to_string(snapshot_id) + "-1-" + uuid + ".avro";
    const std::optional<int64_t> parent_id = parent ? std::optional<int64_t>(parent->id) : std::nullopt;
    if (auto st = store_.put_small(list_key, write_manifest_list(manifests, snapshot_id, parent_id, sequence)); !st) {
        return st;
    }

    const int64_t now = now_ms();
    Snapshot snap;
    snap.id = snapshot_id;
    snap.parent_id = parent_id;
    snap.sequence_number = sequence;
    snap.timestamp_ms = now;
    snap.manifest_list = uri_of(list_key);
    snap.schema_id = m.current_schema_id;
    snap.summary = append_summary(parent, std::move(carried), *data, offsets_key, offsets_to_json(*offsets));
    m.snapshots.push_back(std::move(snap));
    m.current_snapshot_id = snapshot_id;
    m.last_sequence_number = sequence;
    m.last_updated_ms = now;
    m.snapshot_log.emplace_back(now, snapshot_id);
    if (pointer) {
        m.metadata_log.emplace_back(now, *pointer);
    }
    const std::string metadata_key = table_key + "/metadata/" + metadata_name;
    Result<bool> swapped = pointers_->commit(ns, table, *base, m, metadata_key);
    if (!swapped) {
        return fail(swapped.error());
    }
    conflict = !*swapped;
    return {};
}

Result<std::map<std::string, Offset>> IcebergCommitter::table_offsets(const TopicPartition& tp) {
    auto tables = pointers_->tables(options_.database);
    if (!tables) {
        return fail(tables.error());
    }
    const std::string key = kafka_offsets_key(tp.topic.view(), options_.group);
    std::map<std::string, Offset> held;
    for (const auto& table : *tables) {
        auto current = pointers_->current(options_.database, table);
        if (!current) {
            return fail(current.error());
        }
        if (!*current) {
            continue;
        }
        const auto carried = carried_offsets((*current)->metadata);
        auto it = carried.find(key);
        if (it == carried.end()) {
            continue;
        }
        auto offsets = offsets_from_json(it->second);
        if (!offsets) {
            return fail(offsets.error());
        }
        if (auto o = offsets->find(tp.partition.value()); o != offsets->end()) {
            held.emplace(table, Offset(o->second));
        }
    }
    return held;
}

} // namespace ticklake::iceberg
