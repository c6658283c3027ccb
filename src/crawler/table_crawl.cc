#include "crawler/table_crawl.h"

#include <algorithm>
#include <filesystem>

#include "common/kafka_position.h"
#include "common/text_type.h"

namespace ticklake {

namespace {

// The sink's event-time grain as the table's layout shows it (sink/time_partition.h): the
// finest time key among the partition keys, or none when the files carry `dt` as a date
// column instead; empty for a table that shows neither.
std::string time_partition_of(const TableDef& t) {
    auto has_key = [&](std::string_view name) {
        return std::any_of(t.partition_keys.begin(), t.partition_keys.end(),
                           [&](const ColumnDef& k) { return k.name == name; });
    };
    for (const char* grain : {"hour", "month", "year", "decade"}) {
        if (has_key(grain)) {
            return grain;
        }
    }
    if (has_key("dt")) {
        return "day";
    }
    const bool dt_column = std::any_of(t.columns.begin(), t.columns.end(),
                                       [](const ColumnDef& c) { return c.name == "dt" && c.type == "date"; });
    return dt_column ? "none" : "";
}

// Adds `more` into `into` by name: new columns at the end, shared ones widened.
void merge_columns(Columns& into, const Columns& more) {
    for (const auto& c : more) {
        auto it = std::find_if(into.begin(), into.end(), [&](const ColumnDef& x) { return x.name == c.name; });
        if (it == into.end()) {
            into.push_back(c);
        } else {
            it->type = widen_hive_type(it->type, c.type);
        }
    }
}

// Why `after` differs from `before`, in words; empty when they are the same.
std::vector<std::string> describe_change(const Columns& before, const Columns& after,
                                         const std::map<std::string, std::string>& first_seen) {
    std::vector<std::string> out;
    for (const auto& c : after) {
        auto it = std::find_if(before.begin(), before.end(), [&](const ColumnDef& x) { return x.name == c.name; });
        auto where = first_seen.find(c.name);
        const std::string in = where != first_seen.end() ? " in " + where->second : "";
        if (it == before.end()) {
            out.push_back("column '" + c.name + "' " + c.type + " added (first" + in + ")");
        } else if (it->type != c.type) {
            out.push_back("column '" + c.name + "' changed from " + it->type + " to " + c.type + in);
        }
    }
    for (const auto& c : before) {
        if (std::none_of(after.begin(), after.end(), [&](const ColumnDef& x) { return x.name == c.name; })) {
            out.push_back("column '" + c.name + "' dropped (no file has it)");
        }
    }
    return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep, size_t limit = 8) {
    std::string out;
    for (size_t i = 0; i < parts.size() && i < limit; ++i) {
        out += (i > 0 ? std::string(sep) : "") + parts[i];
    }
    if (parts.size() > limit) {
        out += std::string(sep) + "and " + std::to_string(parts.size() - limit) + " more";
    }
    return out;
}

// Partition keys take int or bigint when every value is an integer, else string (dates stay
// strings: Hive paths compare as text, and ISO dates sort correctly as text).
Columns partition_key_types(const std::vector<std::string>& keys, const std::set<std::vector<std::string>>& values) {
    Columns out;
    for (size_t i = 0; i < keys.size(); ++i) {
        TextType t = TextType::null;
        for (const auto& v : values) {
            TextType vt = classify_text(v[i]);
            t = widen(t, vt == TextType::int32 || vt == TextType::int64 ? vt : TextType::string);
        }
        out.push_back({keys[i], t == TextType::int32 || t == TextType::int64 ? hive_type_name(t) : "string"});
    }
    return out;
}

// Columns of a partition that disagree with its table: a type that differs, or a column the
// table lacks. A partition missing some of the table's columns is ordinary schema evolution
// (engines read NULL there) and is not reported.
std::vector<std::string> partition_differences(const Columns& part, const Columns& table) {
    std::vector<std::string> out;
    for (const auto& c : part) {
        auto it = std::find_if(table.begin(), table.end(), [&](const ColumnDef& x) { return x.name == c.name; });
        if (it == table.end()) {
            out.push_back("'" + c.name + "' " + c.type + " is not in the table");
        } else if (it->type != c.type) {
            out.push_back("'" + c.name + "' is " + c.type + " here, " + it->type + " in the table");
        }
    }
    return out;
}

std::string partition_name(const std::vector<std::string>& keys, const std::vector<std::string>& values) {
    std::string out;
    for (size_t i = 0; i < keys.size(); ++i) {
        out += (i > 0 ? "/" : "") + keys[i] + "=" + values[i];
    }
    return out.empty() ? "(unpartitioned)" : out;
}

// Whether a listed object is the version the catalog knows. A registration on commit takes
// size and time from a stat, and on S3 HEAD gives whole seconds where a listing gives
// milliseconds: the same second is the same version.
bool same_version(const FileDef& known, const ObjectEntry& listed) {
    constexpr TimestampUs kSecond = 1'000'000;
    return known.size == listed.size &&
           (known.modified == listed.modified ||
            (known.modified % kSecond == 0 && listed.modified - listed.modified % kSecond == known.modified));
}

std::string folder_of(const std::string& key) {
    const size_t slash = key.rfind('/');
    return slash == std::string::npos ? "" : key.substr(0, slash + 1);
}

std::vector<std::string> names_and_types(const Columns& columns) {
    std::vector<std::string> out;
    for (const auto& c : columns) {
        out.push_back(c.name + " " + c.type);
    }
    return out;
}

} // namespace

TableCrawl::TableCrawl(ObjectStore& store, Catalog& catalog, const CrawlOptions& options, const TableGroup& group,
                       bool partial, CrawlSummary& summary, ClassifyFiles classify, size_t& done, size_t total)
    : store_(store), catalog_(catalog), options_(options), group_(group), partial_(partial), summary_(summary),
      classify_(std::move(classify)), done_(done), total_(total), qualified_(group.database + "." + group.name) {}

Status TableCrawl::run() {
    auto go_on = load_catalog();
    if (!go_on) {
        return fail(go_on.error());
    }
    if (!*go_on) {
        return {};
    }
    diff_with_listing();
    if (auto st = find_removed(); !st) {
        return st;
    }
    if (existing_ && to_read_.empty() && removed_.empty()) {
        ++summary_.tables_unchanged;
        return {};
    }
    start_table();
    if (auto st = crawl_batches(); !st) {
        return st;
    }
    if (!created_ && is_new_) {
        return {}; // no readable file: no table
    }
    return report();
}

// The table and its known files; false when the table is left alone (its folders changed shape).
Result<bool> TableCrawl::load_catalog() {
    auto existing = catalog_.table(group_.database, group_.name);
    if (!existing) {
        return fail(existing.error());
    }
    existing_ = std::move(*existing);
    // A partial crawl needs only the partitions it touches: a sink registering one file into a
    // table of thousands reads a few catalog rows, not all of them.
    for (const auto& f : group_.files) {
        named_.insert(f.partition_values);
    }
    if (!existing_) {
        return true;
    }
    if (auto st = check_location(); !st) {
        return fail(st.error());
    }
    auto files = catalog_.files(*existing_, only());
    if (!files) {
        return fail(files.error());
    }
    for (auto& f : *files) {
        partitions_before_.insert(f.partition_values);
        known_.emplace(f.key, std::move(f));
    }
    std::vector<std::string> had;
    for (const auto& k : existing_->partition_keys) {
        had.push_back(k.name);
    }
    if (had != group_.partition_keys && !options_.full) {
        summary_.notes.push_back("table " + qualified_ + ": its folders now give partition keys different from "
                                 "the catalog's; not crawled (rerun with --full to rebuild it)");
        summary_.files_skipped += group_.files.size();
        return false;
    }
    return true;
}

// One table, one location: files of another warehouse (a dev and a prod sink sharing the
// per-user default catalog) would merge two data sets into one table whose counts are the sum
// of both and whose location is only one of them.
Status TableCrawl::check_location() const {
    // The same folder written as ./wh, wh/ or /abs/wh is one location.
    auto trimmed = [](std::string s) {
        if (s.rfind("file://", 0) == 0) {
            s = "file://" + std::filesystem::path(s.substr(7)).lexically_normal().string();
        } else if (const size_t scheme = s.find("://"); scheme != std::string::npos) {
            for (size_t i = s.find("//", scheme + 3); i != std::string::npos; i = s.find("//", i)) {
                s.erase(i, 1);
            }
        }
        while (!s.empty() && s.back() == '/') {
            s.pop_back();
        }
        return s;
    };
    const std::string here = trimmed(store_.uri() + "/" + group_.prefix);
    const std::string there = trimmed(existing_->location);
    if (here == there) {
        return {};
    }
    return fail(Error::invalid("files under " + here + "/ cannot join table " + qualified_ + ", which is at " + there +
                               "/ (one table has one location; two warehouses are never merged). Register them "
                               "under another database (`ticklake sink --database NAME`), into another catalog "
                               "(--catalog FILE), or drop the table first (`ticklake catalog drop " + qualified_ +
                               "`)"));
}

void TableCrawl::diff_with_listing() {
    for (const auto& f : group_.files) {
        listed_.insert(f.entry.key);
        auto it = known_.find(f.entry.key);
        if (options_.full || it == known_.end() || !same_version(it->second, f.entry)) {
            to_read_.push_back(&f);
        } else {
            ++summary_.files_unchanged;
        }
    }
}

// A known file missing from the listing is gone, unless it appeared after the listing (the
// sink registered it meanwhile): such a file is checked before it is dropped. Files now
// excluded are dropped without a look. A partial listing (registration of files just
// written) says nothing of the files it does not name: they stay as they are.
Status TableCrawl::find_removed() {
    for (const auto& [key, f] : known_) {
        if (partial_ || listed_.contains(key)) {
            continue;
        }
        if (!is_ignored(key, options_.layout)) {
            auto still = store_.stat(key);
            if (!still) {
                return fail(still.error());
            }
            if (*still) {
                listed_.insert(key); // kept as the catalog has it
                continue;
            }
        }
        removed_.push_back(key);
    }
    std::sort(removed_.begin(), removed_.end());
    return {};
}

void TableCrawl::start_table() {
    is_new_ = !existing_;
    version_ = existing_ ? existing_->schema_version : 0;
    if (existing_) {
        table_ = std::move(*existing_);
    } else {
        table_.database = group_.database;
        table_.name = group_.name;
        table_.format = *format_of_key(to_read_.front()->entry.key);
    }
    table_.location = store_.uri() + "/" + group_.prefix;
    merged_ = options_.full ? Columns{} : table_.columns;

    // Partition schemas start from the files that stay as they are.
    std::set<std::string> rereading;
    for (const auto* f : to_read_) {
        rereading.insert(f->entry.key);
    }
    for (const auto& [key, f] : known_) {
        if ((partial_ || listed_.contains(key)) && !rereading.contains(key)) {
            merge_columns(partition_columns_[f.partition_values], f.columns);
            all_values_.insert(f.partition_values);
        }
    }
    for (const auto* f : to_read_) {
        all_values_.insert(f->partition_values);
    }
}

Status TableCrawl::crawl_batches() {
    bool first_batch = true;
    for (size_t start = 0; start < to_read_.size() || first_batch; start += options_.batch_files) {
        const size_t end = std::min(to_read_.size(), start + options_.batch_files);
        Batch batch;
        if (auto st = read_batch(start, end, batch); !st) {
            return st;
        }
        if (first_batch) {
            add_removals(batch);
        }
        first_batch = false;
        if (is_new_ && !created_ && batch.change.upsert_files.empty()) {
            continue; // nothing readable yet: no table to create
        }
        describe_table(batch.change, end >= to_read_.size());
        add_partitions(batch);
        const TableChange& c = batch.change;
        if (c.upsert_files.empty() && c.remove_files.empty() && !c.new_version) {
            continue;
        }
        if (auto st = commit(batch.change); !st) {
            return st;
        }
    }
    return {};
}

std::vector<const DataFile*> TableCrawl::readable_files(size_t start, size_t end) {
    std::vector<const DataFile*> readable;
    for (size_t i = start; i < end; ++i) {
        const DataFile& f = *to_read_[i];
        const std::string fmt = *format_of_key(f.entry.key);
        if (fmt != table_.format) {
            summary_.notes.push_back("skipped " + f.entry.key + ": a " + fmt + " file in " + table_.format +
                                     " table " + qualified_ + " (one format per table; move or --exclude it)");
            ++summary_.files_skipped;
            continue;
        }
        readable.push_back(&f);
    }
    return readable;
}

Status TableCrawl::read_batch(size_t start, size_t end, Batch& batch) {
    const std::vector<const DataFile*> readable = readable_files(start, end);
    std::vector<Result<FileSchema>> schemas = classify_(readable, table_.format);
    for (size_t r = 0; r < readable.size(); ++r) {
        const DataFile& f = *readable[r];
        Result<FileSchema>& schema = schemas[r];
        ++done_;
        if (options_.progress) {
            options_.progress({done_, total_, qualified_});
        }
        if (!schema) {
            if (schema.error().kind == ErrorKind::poison) {
                summary_.notes.push_back("skipped " + f.entry.key + ": " + schema.error().message);
                ++summary_.files_skipped;
                continue;
            }
            return fail(Error{schema.error().kind, "reading " + f.entry.key + ": " + schema.error().message});
        }
        absorb(f, std::move(*schema), batch);
    }
    return {};
}

// Takes one file just read into the table's and its partition's columns, and into the batch.
void TableCrawl::absorb(const DataFile& f, FileSchema schema, Batch& batch) {
    ++summary_.files_read;
    summary_.bytes_read += schema.bytes_read;
    for (const auto& c : schema.columns) {
        first_seen_.emplace(c.name, f.entry.key);
    }
    merge_columns(merged_, schema.columns);
    merge_columns(partition_columns_[f.partition_values], schema.columns);
    partition_location_.emplace(f.partition_values, store_.uri() + "/" + folder_of(f.entry.key));
    batch.partitions.insert(f.partition_values);
    touched_.insert(f.partition_values);
    if (table_.compression.empty() || options_.full) {
        table_.compression = schema.compression;
    }
    if (table_.properties.empty() || options_.full) {
        table_.properties = schema.properties;
        table_.properties["classification"] = table_.format == "jsonl" ? "json" : table_.format;
    }
    FileDef def;
    def.key = f.entry.key;
    def.partition_values = f.partition_values;
    def.size = f.entry.size;
    def.modified = f.entry.modified;
    def.rows = schema.rows;
    def.ts_min = schema.ts_min;
    def.ts_max = schema.ts_max;
    def.columns = std::move(schema.columns);
    def.origin = std::move(schema.origin);
    if (def.origin.topic.empty()) {
        if (auto o = kafka_origin_of_key(f.entry.key)) {
            def.origin.topic = o->topic.str();
            def.origin.kafka_partition = o->partition.value();
            def.origin.first_offset = o->first_offset.value();
        }
    }
    batch.change.upsert_files.push_back(std::move(def));
}

void TableCrawl::add_removals(Batch& batch) {
    batch.change.remove_files = removed_;
    // A partition that lost some of its files takes the schema of the files it keeps.
    for (const auto& key : removed_) {
        const auto& values = known_.at(key).partition_values;
        if (partition_columns_.contains(values) && !batch.partitions.contains(values)) {
            batch.partitions.insert(values);
            partition_location_.emplace(values, store_.uri() + "/" + folder_of(key));
        }
    }
}

// The table as the change leaves it, and why its schema version moves (if it does).
void TableCrawl::describe_table(TableChange& change, bool last_batch) {
    // A full crawl rebuilds the columns; until its last batch they keep what committed files
    // may still have.
    Columns next = merged_;
    if (options_.full && !last_batch) {
        next = table_.columns;
        merge_columns(next, merged_);
    }
    change.table = table_;
    std::vector<std::string> reasons;
    if (is_new_ && !created_) {
        change.table.columns = next;
        reasons.push_back("created by crawl of " + store_.uri());
    } else {
        auto diff = describe_change(table_.columns, next, first_seen_);
        if (!diff.empty() && options_.on_change == OnSchemaChange::log) {
            unapplied_.insert(unapplied_.end(), diff.begin(), diff.end());
        } else if (!diff.empty()) {
            change.table.columns = next;
            reasons = std::move(diff);
        }
    }
    change.table.partition_keys = partition_keys_now();
    if (auto grain = time_partition_of(change.table); !grain.empty()) {
        change.table.properties["time_partition"] = grain;
    }
    if (!is_new_ && change.table.partition_keys != table_.partition_keys) {
        reasons.push_back("partition keys now (" + join(names_and_types(change.table.partition_keys), ", ") + ")");
    }
    if (!reasons.empty()) {
        change.new_version = join(reasons, "; ");
    }
}

Columns TableCrawl::partition_keys_now() const {
    Columns keys = partition_key_types(group_.partition_keys, all_values_);
    if (partial_ && !is_new_) {
        // Only some partitions were seen: a key's type may widen, never narrow.
        for (size_t i = 0; i < keys.size() && i < table_.partition_keys.size(); ++i) {
            auto& k = keys[i];
            const std::string& had = table_.partition_keys[i].type;
            k.type = had == k.type ? had : (had == "string" || k.type == "string") ? "string" : "bigint";
        }
    }
    return keys;
}

void TableCrawl::add_partitions(Batch& batch) {
    for (const auto& values : batch.partitions) {
        PartitionDef p;
        p.values = values;
        p.location = partition_location_[values];
        p.columns = partition_columns_[values];
        batch.change.partitions.push_back(std::move(p));
    }
}

Status TableCrawl::commit(TableChange& change) {
    change.base_version = version_;
    if (auto st = catalog_.apply(change); !st) {
        return fail(st.error());
    }
    version_ += change.new_version ? 1 : 0;
    created_ = true;
    if (change.new_version) {
        ++summary_.schema_versions;
        table_changed_ = true;
    }
    table_ = std::move(change.table);
    return {};
}

// Notes what a person should look at, and counts what changed.
Status TableCrawl::report() {
    if (!unapplied_.empty()) {
        summary_.notes.push_back("table " + qualified_ + ": schema change not applied (--on-change log): " +
                                 join(unapplied_, "; "));
    }
    auto after = catalog_.partitions(table_, only());
    if (!after) {
        return fail(after.error());
    }
    // A partition is checked when it got files, or when the table's schema moved under it.
    std::set<Values> partitions_after;
    for (const auto& p : *after) {
        partitions_after.insert(p.values);
        if (!table_changed_ && !touched_.contains(p.values)) {
            continue;
        }
        auto diff = partition_differences(p.columns, table_.columns);
        if (!diff.empty()) {
            summary_.notes.push_back("partition " + partition_name(group_.partition_keys, p.values) + " of " +
                                     qualified_ + " differs from the table (kept apart, not merged; Athena would "
                                     "fail with HIVE_PARTITION_SCHEMA_MISMATCH): " + join(diff, "; "));
        }
    }
    for (const auto& v : partitions_after) {
        summary_.partitions_added += partitions_before_.contains(v) ? 0 : 1;
    }
    for (const auto& v : partitions_before_) {
        summary_.partitions_removed += partitions_after.contains(v) ? 0 : 1;
    }
    summary_.files_removed += removed_.size();
    ++(is_new_ ? summary_.tables_added : summary_.tables_updated);
    return {};
}

} // namespace ticklake
