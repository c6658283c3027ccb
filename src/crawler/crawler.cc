#include "crawler/crawler.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

#include "common/text_type.h"

namespace ticklake {

namespace {

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

} // namespace

class ScratchDir {
public:
    explicit ScratchDir(std::filesystem::path given) {
        if (!given.empty()) {
            path_ = std::move(given);
            return;
        }
        std::string pattern = (std::filesystem::temp_directory_path() / "ticklake-crawl-XXXXXX").string();
        if (::mkdtemp(pattern.data()) != nullptr) {
            path_ = pattern;
            owned_ = true;
        }
    }
    ~ScratchDir() {
        if (owned_) {
            std::error_code ec;
            std::filesystem::remove_all(path_, ec);
        }
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    bool owned_ = false;
};


Crawler::Crawler(ObjectStore& store, Catalog& catalog, CrawlOptions options)
    : store_(store), catalog_(catalog), options_(std::move(options)) {}

Crawler::~Crawler() = default;

Result<CrawlSummary> Crawler::run() {
    auto listing = store_.list_entries("");
    if (!listing) {
        return fail(listing.error());
    }
    return crawl_entries(*listing, false);
}

Result<CrawlSummary> Crawler::register_keys(const std::vector<std::string>& keys) {
    // Listed, not stat'ed: a later crawl compares with a listing, and on S3 a listing's
    // LastModified has milliseconds where HEAD has whole seconds. One listing per folder.
    std::map<std::string, std::set<std::string>> by_folder;
    for (const auto& key : keys) {
        const size_t slash = key.rfind('/');
        by_folder[slash == std::string::npos ? "" : key.substr(0, slash)].insert(key);
    }
    std::vector<ObjectEntry> entries;
    for (const auto& [folder, wanted] : by_folder) {
        auto listing = store_.list_entries(folder);
        if (!listing) {
            return fail(listing.error());
        }
        for (auto& e : *listing) {
            if (wanted.contains(e.key)) {
                entries.push_back(std::move(e));
            }
        }
    }
    return crawl_entries(entries, true);
}

Result<CrawlSummary> Crawler::register_files(const std::vector<KnownFile>& files) {
    std::vector<ObjectEntry> entries;
    for (const auto& f : files) {
        entries.push_back(f.entry);
        if (f.schema) {
            given_[f.entry.key] = *f.schema;
        }
    }
    auto summary = crawl_entries(entries, true);
    given_.clear();
    return summary;
}

Status Crawler::prepare() {
    if (!classifiers_.empty()) {
        return {};
    }
    scratch_ = std::make_unique<ScratchDir>(options_.scratch);
    if (scratch_->path().empty()) {
        return fail(Error::fatal("cannot create a scratch folder in " + std::filesystem::temp_directory_path().string()));
    }
    // One classifier and footer reader per reading thread.
    for (size_t i = 0; i < std::max<size_t>(1, options_.threads); ++i) {
        auto parquet = ParquetFooterReader::create(scratch_->path());
        if (!parquet) {
            return fail(parquet.error());
        }
        classifiers_.push_back(std::make_unique<FileClassifier>(**parquet, options_.classify));
        parquets_.push_back(std::move(*parquet));
    }
    return {};
}

Result<CrawlSummary> Crawler::crawl_entries(const std::vector<ObjectEntry>& entries, bool partial) {
    const auto t0 = std::chrono::steady_clock::now();
    CrawlSummary summary;
    summary.files_listed = entries.size();
    Layout layout = group_into_tables(entries, options_.layout);
    summary.files_ignored = layout.excluded;
    for (auto& s : layout.skipped) {
        summary.notes.push_back("skipped " + s);
        ++summary.files_skipped;
    }
    // Files of unknown formats are left out before counting the work.
    size_t total = 0;
    std::map<std::string, size_t> unknown_by_ext;
    for (auto& g : layout.tables) {
        std::vector<DataFile> kept;
        for (auto& f : g.files) {
            auto fmt = format_of_key(f.entry.key);
            if (!fmt) {
                ++summary.files_skipped;
                ++unknown_by_ext[std::filesystem::path(f.entry.key).extension().string()];
                continue;
            }
            if (*fmt == "compressed") {
                ++summary.files_skipped;
                summary.notes.push_back("skipped " + f.entry.key +
                                        ": only gzip (.jsonl.gz, .csv.gz) is read among compressed files");
                continue;
            }
            kept.push_back(std::move(f));
        }
        g.files = std::move(kept);
        total += g.files.size();
    }
    for (const auto& [ext, n] : unknown_by_ext) {
        summary.notes.push_back("skipped " + std::to_string(n) + " file(s) named *" + (ext.empty() ? "(no extension)" : ext) +
                                ": not Parquet (.parquet), JSON Lines (.jsonl, .ndjson, .json) or CSV (.csv, .tsv)");
    }

    if (auto st = prepare(); !st) {
        return fail(st.error());
    }
    size_t done = 0;
    for (const auto& g : layout.tables) {
        if (g.files.empty()) {
            continue;
        }
        if (auto st = crawl_table(g, partial, summary, done, total); !st) {
            return fail(st.error());
        }
    }
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return summary;
}

Status Crawler::crawl_table(const TableGroup& group, bool partial, CrawlSummary& summary, size_t& done, size_t total) {
    // Another writer (a sink registering files, another crawl) may change the table between
    // our reading it and our commit; the catalog then refuses the stale change and the table
    // is done again from what is committed (files committed meanwhile are known by then).
    Status st;
    for (int attempt = 0; attempt < 5; ++attempt) {
        st = crawl_table_once(group, partial, summary, done, total);
        if (st || st.error().kind != ErrorKind::retry) {
            return st;
        }
    }
    return st;
}

std::vector<Result<FileSchema>> Crawler::classify_all(const std::vector<const DataFile*>& files,
                                                      const std::string& format, bool partial) {
    std::vector<Result<FileSchema>> out(files.size(), fail(Error::fatal("not read")));
    // A sink registering a few files reads them on its own thread; a crawl spreads them over
    // the classifiers (S3 latency, not CPU, bounds a crawl of many remote files).
    const size_t workers = partial ? 1 : std::min(classifiers_.size(), files.size());
    if (workers <= 1) {
        for (size_t i = 0; i < files.size(); ++i) {
            auto given = given_.find(files[i]->entry.key);
            out[i] = given != given_.end() ? given->second : classifiers_[0]->classify(store_, files[i]->entry, format);
        }
        return out;
    }
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    for (size_t w = 0; w < workers; ++w) {
        threads.emplace_back([&, w] {
            for (size_t i = next++; i < files.size(); i = next++) {
                out[i] = classifiers_[w]->classify(store_, files[i]->entry, format);
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    return out;
}

Status Crawler::crawl_table_once(const TableGroup& group, bool partial, CrawlSummary& summary, size_t& done,
                                 size_t total) {
    const std::string qualified = group.database + "." + group.name;
    auto existing = catalog_.table(group.database, group.name);
    if (!existing) {
        return fail(existing.error());
    }
    std::unordered_map<std::string, FileDef> known;
    std::set<std::vector<std::string>> partitions_before;
    // A partial crawl needs only the partitions it touches: a sink registering one file into a
    // table of thousands reads a few catalog rows, not all of them.
    Catalog::PartitionSet named;
    for (const auto& f : group.files) {
        named.insert(f.partition_values);
    }
    const Catalog::PartitionSet* only = partial ? &named : nullptr;
    if (*existing) {
        auto files = catalog_.files(**existing, only);
        if (!files) {
            return fail(files.error());
        }
        for (auto& f : *files) {
            partitions_before.insert(f.partition_values);
            known.emplace(f.key, std::move(f));
        }
        std::vector<std::string> had;
        for (const auto& k : (*existing)->partition_keys) {
            had.push_back(k.name);
        }
        if (had != group.partition_keys && !options_.full) {
            summary.notes.push_back("table " + qualified + ": its folders now give partition keys different from "
                                    "the catalog's; not crawled (rerun with --full to rebuild it)");
            summary.files_skipped += group.files.size();
            return {};
        }
    }

    std::vector<const DataFile*> to_read;
    std::set<std::string> listed;
    for (const auto& f : group.files) {
        listed.insert(f.entry.key);
        auto it = known.find(f.entry.key);
        if (options_.full || it == known.end() || !same_version(it->second, f.entry)) {
            to_read.push_back(&f);
        } else {
            ++summary.files_unchanged;
        }
    }
    // A known file missing from the listing is gone, unless it appeared after the listing (the
    // sink registered it meanwhile): such a file is checked before it is dropped. Files now
    // excluded are dropped without a look. A partial listing (registration of files just
    // written) says nothing of the files it does not name: they stay as they are.
    std::vector<std::string> removed;
    for (const auto& [key, f] : known) {
        if (partial || listed.contains(key)) {
            continue;
        }
        if (!is_ignored(key, options_.layout)) {
            auto still = store_.stat(key);
            if (!still) {
                return fail(still.error());
            }
            if (*still) {
                listed.insert(key); // kept as the catalog has it
                continue;
            }
        }
        removed.push_back(key);
    }
    std::sort(removed.begin(), removed.end());
    if (*existing && to_read.empty() && removed.empty()) {
        ++summary.tables_unchanged;
        return {};
    }

    const bool is_new = !*existing;
    TableDef table;
    if (*existing) {
        table = **existing;
    } else {
        table.database = group.database;
        table.name = group.name;
        table.format = *format_of_key(to_read.front()->entry.key);
    }
    table.location = store_.uri() + "/" + group.prefix;

    // Partition schemas start from the files that stay as they are.
    std::set<std::string> rereading;
    for (const auto* f : to_read) {
        rereading.insert(f->entry.key);
    }
    std::map<std::vector<std::string>, Columns> partition_columns;
    std::map<std::vector<std::string>, std::string> partition_location;
    std::set<std::vector<std::string>> all_values;
    for (const auto& [key, f] : known) {
        if ((partial || listed.contains(key)) && !rereading.contains(key)) {
            merge_columns(partition_columns[f.partition_values], f.columns);
            all_values.insert(f.partition_values);
        }
    }
    for (const auto* f : to_read) {
        all_values.insert(f->partition_values);
    }

    Columns merged = options_.full ? Columns{} : table.columns;
    std::map<std::string, std::string> first_seen;
    std::set<std::vector<std::string>> touched;
    bool first_batch = true;
    bool created = false;
    int version = *existing ? (*existing)->schema_version : 0; // what each change is computed from
    std::vector<std::string> unapplied; // --on-change log
    bool table_changed = false;

    for (size_t start = 0; start < to_read.size() || first_batch; start += options_.batch_files) {
        const size_t end = std::min(to_read.size(), start + options_.batch_files);
        const bool last_batch = end >= to_read.size();
        TableChange change;
        std::set<std::vector<std::string>> batch_partitions;
        std::vector<const DataFile*> readable;
        for (size_t i = start; i < end; ++i) {
            const DataFile& f = *to_read[i];
            const std::string fmt = *format_of_key(f.entry.key);
            if (fmt != table.format) {
                summary.notes.push_back("skipped " + f.entry.key + ": a " + fmt + " file in " + table.format +
                                        " table " + qualified + " (one format per table; move or --exclude it)");
                ++summary.files_skipped;
                continue;
            }
            readable.push_back(&f);
        }
        std::vector<Result<FileSchema>> schemas = classify_all(readable, table.format, partial);
        for (size_t r = 0; r < readable.size(); ++r) {
            const DataFile& f = *readable[r];
            Result<FileSchema>& schema = schemas[r];
            ++done;
            if (options_.progress) {
                options_.progress({done, total, qualified});
            }
            if (!schema) {
                if (schema.error().kind == ErrorKind::poison) {
                    summary.notes.push_back("skipped " + f.entry.key + ": " + schema.error().message);
                    ++summary.files_skipped;
                    continue;
                }
                return fail(Error{schema.error().kind, "reading " + f.entry.key + ": " + schema.error().message});
            }
            ++summary.files_read;
            summary.bytes_read += schema->bytes_read;
            for (const auto& c : schema->columns) {
                first_seen.emplace(c.name, f.entry.key);
            }
            merge_columns(merged, schema->columns);
            merge_columns(partition_columns[f.partition_values], schema->columns);
            partition_location.emplace(f.partition_values, store_.uri() + "/" + folder_of(f.entry.key));
            batch_partitions.insert(f.partition_values);
            touched.insert(f.partition_values);
            if (table.compression.empty() || options_.full) {
                table.compression = schema->compression;
            }
            if (table.properties.empty() || options_.full) {
                table.properties = schema->properties;
                table.properties["classification"] = table.format == "jsonl" ? "json" : table.format;
            }
            FileDef def;
            def.key = f.entry.key;
            def.partition_values = f.partition_values;
            def.size = f.entry.size;
            def.modified = f.entry.modified;
            def.rows = schema->rows;
            def.ts_min = schema->ts_min;
            def.ts_max = schema->ts_max;
            def.columns = std::move(schema->columns);
            change.upsert_files.push_back(std::move(def));
        }
        if (first_batch) {
            change.remove_files = removed;
            // A partition that lost some of its files takes the schema of the files it keeps.
            for (const auto& key : removed) {
                const auto& values = known.at(key).partition_values;
                if (partition_columns.contains(values) && !batch_partitions.contains(values)) {
                    batch_partitions.insert(values);
                    partition_location.emplace(values, store_.uri() + "/" + folder_of(key));
                }
            }
        }
        first_batch = false;
        if (is_new && !created && change.upsert_files.empty()) {
            continue; // nothing readable yet: no table to create
        }

        // The table's columns after this batch. A full crawl rebuilds them; until its last
        // batch they keep what committed files may still have.
        Columns next = merged;
        if (options_.full && !last_batch) {
            next = table.columns;
            merge_columns(next, merged);
        }
        change.table = table;
        std::vector<std::string> reasons;
        if (is_new && !created) {
            change.table.columns = next;
            reasons.push_back("created by crawl of " + store_.uri());
        } else {
            auto diff = describe_change(table.columns, next, first_seen);
            if (!diff.empty() && options_.on_change == OnSchemaChange::log) {
                unapplied.insert(unapplied.end(), diff.begin(), diff.end());
            } else if (!diff.empty()) {
                change.table.columns = next;
                reasons = std::move(diff);
            }
        }
        change.table.partition_keys = partition_key_types(group.partition_keys, all_values);
        if (partial && !is_new) {
            // Only some partitions were seen: a key's type may widen, never narrow.
            for (size_t i = 0; i < change.table.partition_keys.size() && i < table.partition_keys.size(); ++i) {
                auto& k = change.table.partition_keys[i];
                const std::string& had = table.partition_keys[i].type;
                k.type = had == k.type ? had : (had == "string" || k.type == "string") ? "string" : "bigint";
            }
        }
        if (!is_new && change.table.partition_keys != table.partition_keys) {
            reasons.push_back("partition keys now (" + join([&] {
                                  std::vector<std::string> k;
                                  for (const auto& c : change.table.partition_keys) {
                                      k.push_back(c.name + " " + c.type);
                                  }
                                  return k;
                              }(), ", ") + ")");
        }
        if (!reasons.empty()) {
            change.new_version = join(reasons, "; ");
        }
        for (const auto& values : batch_partitions) {
            PartitionDef p;
            p.values = values;
            p.location = partition_location[values];
            p.columns = partition_columns[values];
            change.partitions.push_back(std::move(p));
        }
        if (change.upsert_files.empty() && change.remove_files.empty() && !change.new_version) {
            continue;
        }
        change.base_version = version;
        if (auto st = catalog_.apply(change); !st) {
            return fail(st.error());
        }
        version += change.new_version ? 1 : 0;
        created = true;
        if (change.new_version) {
            ++summary.schema_versions;
            table_changed = true;
        }
        table = change.table;
    }
    if (!created && is_new) {
        return {}; // no readable file: no table
    }

    if (!unapplied.empty()) {
        summary.notes.push_back("table " + qualified + ": schema change not applied (--on-change log): " +
                                join(unapplied, "; "));
    }
    auto after = catalog_.partitions(table, only);
    if (!after) {
        return fail(after.error());
    }
    // A partition is checked when it got files, or when the table's schema moved under it.
    std::set<std::vector<std::string>> partitions_after;
    for (const auto& p : *after) {
        partitions_after.insert(p.values);
        if (!table_changed && !touched.contains(p.values)) {
            continue;
        }
        auto diff = partition_differences(p.columns, table.columns);
        if (!diff.empty()) {
            summary.notes.push_back("partition " + partition_name(group.partition_keys, p.values) + " of " + qualified +
                                    " differs from the table (kept apart, not merged; Athena would fail with "
                                    "HIVE_PARTITION_SCHEMA_MISMATCH): " + join(diff, "; "));
        }
    }
    for (const auto& v : partitions_after) {
        summary.partitions_added += partitions_before.contains(v) ? 0 : 1;
    }
    for (const auto& v : partitions_before) {
        summary.partitions_removed += partitions_after.contains(v) ? 0 : 1;
    }
    summary.files_removed += removed.size();
    ++(is_new ? summary.tables_added : summary.tables_updated);
    return {};
}

} // namespace ticklake
