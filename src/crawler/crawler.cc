#include "crawler/crawler.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "crawler/table_crawl.h"

namespace ticklake {

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
        if (!f.origin.topic.empty()) {
            origins_[f.entry.key] = f.origin;
        }
    }
    auto summary = crawl_entries(entries, true);
    given_.clear();
    origins_.clear();
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

// Leaves out of each table the files of formats the crawler cannot read, with one note per
// unknown extension and one per compressed file that is not gzip; returns the files left.
static size_t leave_out_unreadable_formats(Layout& layout, CrawlSummary& summary) {
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
    return total;
}

Result<CrawlSummary> Crawler::crawl_entries(const std::vector<ObjectEntry>& listed, bool partial) {
    const auto t0 = std::chrono::steady_clock::now();
    CrawlSummary summary;
    summary.files_listed = listed.size();
    // Files a compaction replaced (kept for their grace period) and the output of a compaction
    // that has not swapped are in the warehouse but not in the table: registering them would
    // count their rows twice.
    auto shadow = catalog_.compaction_shadow(store_.uri());
    if (!shadow) {
        return fail(shadow.error());
    }
    std::vector<ObjectEntry> entries;
    entries.reserve(listed.size());
    for (const auto& e : listed) {
        if (shadow->covers(e.key)) {
            ++summary.files_ignored;
        } else {
            entries.push_back(e);
        }
    }
    Layout layout = group_into_tables(entries, options_.layout);
    summary.files_ignored += layout.excluded;
    for (auto& s : layout.skipped) {
        summary.notes.push_back("skipped " + s);
        ++summary.files_skipped;
    }
    // Files of unknown formats are left out before counting the work.
    const size_t total = leave_out_unreadable_formats(layout, summary);

    if (auto st = prepare(); !st) {
        return fail(st.error());
    }
    size_t done = 0;
    // A table refused (its files are outside its location) does not hold up the others; the
    // refusals, one line each, are the crawl's answer once they are done.
    std::optional<Error> refused;
    for (const auto& g : layout.tables) {
        if (g.files.empty()) {
            continue;
        }
        if (auto st = crawl_table(g, partial, summary, done, total); !st) {
            if (st.error().kind != ErrorKind::invalid_argument) {
                return fail(st.error());
            }
            if (refused) {
                refused->message += "\n" + st.error().message;
            } else {
                refused = st.error();
            }
        }
    }
    if (refused) {
        return fail(*refused);
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
        add_origins(files, out);
        return out;
    }
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    for (size_t w = 0; w < workers; ++w) {
        threads.emplace_back([&, w] {
            for (size_t i = next++; i < files.size(); i = next++) {
                auto given = given_.find(files[i]->entry.key);
                out[i] = given != given_.end() ? given->second : classifiers_[w]->classify(store_, files[i]->entry, format);
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    add_origins(files, out);
    return out;
}

void Crawler::add_origins(const std::vector<const DataFile*>& files, std::vector<Result<FileSchema>>& schemas) const {
    for (size_t i = 0; i < files.size() && !origins_.empty(); ++i) {
        auto it = origins_.find(files[i]->entry.key);
        if (it != origins_.end() && schemas[i]) {
            schemas[i]->origin = it->second;
        }
    }
}

Status Crawler::crawl_table_once(const TableGroup& group, bool partial, CrawlSummary& summary, size_t& done,
                                 size_t total) {
    auto classify = [this, partial](const std::vector<const DataFile*>& files, const std::string& format) {
        return classify_all(files, format, partial);
    };
    return TableCrawl(store_, catalog_, options_, group, partial, summary, classify, done, total).run();
}

} // namespace ticklake
