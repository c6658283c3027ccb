#include "query/s3_scan.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <unistd.h>

#include "common/parallel_jobs.h"

namespace ticklake::query {

namespace fs = std::filesystem;
using parquet::ByteRange;

namespace {

// One GET of the last 32 KiB holds the whole footer of most files (DuckDB's footers of sink files are
// a few KiB); a longer footer costs a second GET of exactly the rest.
constexpr uint64_t kTail = 32 * 1024;

struct FileWork {
    ScanFile* file = nullptr;
    ObjectVersion version;
    bool whole = true;
    parquet::ParquetLayout layout;
    parquet::SlicePlan plan;
    std::vector<ByteRange> missing; //!< chunks not in the cache
    std::vector<ByteRange> fetch;   //!< `missing` less what the footer's GET brought, coalesced
    uint64_t tail_offset = 0;       //!< where `tail` starts in the object
    std::string tail;               //!< the footer's GET, when it was fetched: chunks in it are not fetched again
    std::optional<std::string> meta; //!< FileMetaData, once known (cache or tail)
    //! `fetch`'s bytes, fetched in parallel before the slice is written (same order as `fetch`).
    std::vector<std::string> fetched;
    bool whole_cached = false;       //!< a whole object served from the cache
    bool whole_unchanged = false;    //!< the version after the download is the one planned
};

//! One ranged GET of a parallel batch: `out` receives exactly `length` bytes.
struct RangeJob {
    FileWork* work = nullptr;
    uint64_t offset = 0;
    uint64_t length = 0;
    std::string* out = nullptr;
};

// Bytes [offset, offset + length) from fetched buffers (ranges and the tail); nullopt when
// some byte was not fetched.
std::optional<std::string> extract(const std::vector<std::pair<uint64_t, std::string>>& buffers, uint64_t offset,
                                   uint64_t length) {
    std::string out;
    uint64_t at = offset;
    const uint64_t end = offset + length;
    for (const auto& [start, bytes] : buffers) { // sorted by start
        if (at >= end) {
            break;
        }
        if (start <= at && at < start + bytes.size()) {
            const uint64_t n = std::min<uint64_t>(end, start + bytes.size()) - at;
            out.append(bytes, at - start, n);
            at += n;
        }
    }
    if (at != end) {
        return std::nullopt;
    }
    return out;
}

std::string object_id(ObjectStore& store, const std::string& key) { return store.uri() + "/" + key; }

std::string range_part(const ByteRange& r) { return "r" + std::to_string(r.offset) + "-" + std::to_string(r.length); }

Status within_budget(const S3ScanOptions& o, const ScanStats& s, uint64_t more, const std::string& what) {
    if (o.max_bytes == 0 || s.s3_bytes + more <= o.max_bytes) {
        return {};
    }
    return fail(Error::retry("query refused before fetching " + what + ": it would read " +
                             std::to_string(s.s3_bytes + more) + " bytes from S3, more than --max-bytes-scanned " +
                             std::to_string(o.max_bytes) +
                             " (filter on partition columns such as dt, or on symbol and ts, to read less)"));
}

Result<std::string> read_counted(ObjectStore& store, const FileWork& w, uint64_t offset, uint64_t length,
                                 ScanStats& stats) {
    auto bytes = store.read_version_range(w.file->entry.key, w.version, offset, length);
    ++stats.requests;
    if (!bytes) {
        return fail(bytes.error());
    }
    stats.s3_bytes += bytes->size();
    if (bytes->size() != length) {
        return fail(Error::retry(object_id(store, w.file->entry.key) + ": a ranged read arrived short (" +
                                 std::to_string(bytes->size()) + " of " + std::to_string(length) + " bytes)"));
    }
    return bytes;
}

// The GETs of `jobs`, up to `concurrency` at a time (S3 answers each after a round trip: one
// after another, a query of 70 chunks waits 70 round trips). Bytes and requests are counted
// in `stats` afterwards; the budget was checked for all of them before.
Status read_parallel(ObjectStore& store, const std::vector<RangeJob>& jobs, int concurrency, ScanStats& stats) {
    std::atomic<uint64_t> bytes{0}, requests{0};
    auto st = run_parallel(jobs.size(), concurrency, [&](size_t i) -> Status {
        const RangeJob& j = jobs[i];
        ScanStats one;
        auto got = read_counted(store, *j.work, j.offset, j.length, one);
        bytes += one.s3_bytes;
        requests += one.requests;
        if (!got) {
            return fail(got.error());
        }
        *j.out = std::move(*got);
        return {};
    });
    stats.s3_bytes += bytes;
    stats.requests += requests;
    return st;
}

// How much of a file's footer its tail (`w.tail`, the object's last bytes) holds: the metadata
// length from the last 8 bytes, checked against the object's size.
Result<uint32_t> footer_length(ObjectStore& store, const FileWork& w) {
    auto len = parquet::metadata_length(std::string_view(w.tail).substr(w.tail.size() - 8));
    if (!len) {
        return fail(Error::poison(object_id(store, w.file->entry.key) + ": " + len.error().message));
    }
    if (uint64_t{*len} + 12 > w.version.size) {
        return fail(Error::poison(object_id(store, w.file->entry.key) +
                                  ": its Parquet footer claims more bytes than the object has"));
    }
    return *len;
}

// The footers of the ranged files: from the cache, else the last 32 KiB of every file in one
// parallel batch, then the rest of every footer longer than that in a second one (the sink's
// files of 62 row groups have ~50 KB footers). Each batch is held to the budget before it goes.
Status read_footers(ObjectStore& store, RangeCache& cache, const S3ScanOptions& o, std::vector<FileWork>& work,
                    ScanStats& stats) {
    std::vector<RangeJob> tails;
    uint64_t pending = 0; // the batch's bytes so far: a footer evicted since step 1 counts too
    for (FileWork& w : work) {
        if (w.whole) {
            continue;
        }
        const std::string id = object_id(store, w.file->entry.key);
        if (auto hit = cache.get(cache.entry_path(id, w.version, "footer"))) {
            stats.cache_bytes += hit->size();
            w.meta = std::move(*hit);
            continue;
        }
        if (w.version.size < 12) {
            return fail(Error::poison(id + " is too short to be Parquet"));
        }
        const uint64_t tail_len = std::min(kTail, w.version.size);
        if (auto st = within_budget(o, stats, pending + tail_len, "the footer of " + id); !st) {
            return st;
        }
        pending += tail_len;
        w.tail_offset = w.version.size - tail_len;
        tails.push_back({&w, w.tail_offset, tail_len, &w.tail}); // small files are mostly in it
    }
    if (auto st = read_parallel(store, tails, o.concurrency, stats); !st) {
        return st;
    }
    std::vector<RangeJob> rests;
    std::vector<std::string> rest_bytes(tails.size());
    pending = 0;
    for (size_t i = 0; i < tails.size(); ++i) {
        FileWork& w = *tails[i].work;
        auto len = footer_length(store, w);
        if (!len) {
            return fail(len.error());
        }
        if (uint64_t{*len} + 8 <= w.tail.size()) {
            w.meta = w.tail.substr(w.tail.size() - 8 - *len, *len);
            continue;
        }
        const uint64_t rest = *len + 8 - w.tail.size();
        if (auto st = within_budget(o, stats, pending + rest,
                                    "the rest of the footer of " + object_id(store, w.file->entry.key));
            !st) {
            return st;
        }
        pending += rest;
        rests.push_back({&w, w.version.size - 8 - *len, rest, &rest_bytes[i]});
    }
    if (auto st = read_parallel(store, rests, o.concurrency, stats); !st) {
        return st;
    }
    for (const RangeJob& j : rests) {
        FileWork& w = *j.work;
        w.meta = *j.out + w.tail.substr(0, w.tail.size() - 8);
    }
    for (const RangeJob& j : tails) {
        FileWork& w = *j.work;
        (void)cache.put({{cache.entry_path(object_id(store, w.file->entry.key), w.version, "footer"), *w.meta, {}, 0}});
    }
    return {};
}

// Decides what of one file is read: a slice plan, or the whole object (with the reason).
Status plan_file(ObjectStore& store, RangeCache& cache, const S3ScanOptions& o, FileWork& w, ScanStats& stats) {
    if (w.whole) {
        return {};
    }
    auto layout = parquet::read_layout(*w.meta, w.version.size);
    if (!layout) {
        return fail(Error::poison(object_id(store, w.file->entry.key) + ": " + layout.error().message));
    }
    if (!layout->unsupported.empty()) {
        w.whole = true;
        if (stats.whole_reason.empty()) {
            stats.whole_reason = w.file->entry.key + " has " + layout->unsupported;
        }
        return {};
    }
    w.layout = std::move(*layout);
    static const TableReadPlan kAll;
    auto it = o.tables.find(w.file->table);
    const TableReadPlan& tp = it != o.tables.end() ? it->second : kAll;
    w.plan = parquet::plan_slice(w.layout, tp.columns, tp.conditions);
    const std::string id = object_id(store, w.file->entry.key);
    std::vector<ByteRange> to_fetch;
    const uint64_t tail_start = w.tail.empty() ? w.version.size : w.tail_offset;
    for (const ByteRange& r : w.plan.chunks) {
        if (!cache.touch(cache.entry_path(id, w.version, range_part(r)))) {
            w.missing.push_back(r);
            if (r.offset < tail_start) {
                to_fetch.push_back({r.offset, std::min(r.end(), tail_start) - r.offset});
            }
        }
    }
    w.fetch = parquet::coalesce(std::move(to_fetch), o.coalesce_gap);
    return {};
}

uint64_t planned_bytes(RangeCache& cache, ObjectStore& store, const FileWork& w) {
    if (w.whole) {
        return cache.touch(cache.entry_path(object_id(store, w.file->entry.key), w.version, "whole")) ? 0
                                                                                                       : w.version.size;
    }
    uint64_t n = 0;
    for (const ByteRange& r : w.fetch) {
        n += r.length;
    }
    return n;
}

Status link_or_copy(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::remove(to, ec);
    if (::link(from.c_str(), to.c_str()) == 0) {
        return {};
    }
    if (!fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec)) {
        return fail(Error::not_found("cannot copy " + from.string() + ": " + ec.message()));
    }
    return {};
}

// Whole objects not in the cache, downloaded up to `concurrency` at a time, each to
// `local`.part. A plain GET has no If-Match: the version is asked again after it, and a
// replaced object is not cached under the old one's name.
Status download_whole(ObjectStore& store, RangeCache& cache, const S3ScanOptions& o, std::vector<FileWork>& work,
                      ScanStats& stats) {
    std::vector<FileWork*> todo;
    uint64_t planned = 0;
    for (FileWork& w : work) {
        if (!w.whole) {
            continue;
        }
        const fs::path entry = cache.entry_path(object_id(store, w.file->entry.key), w.version, "whole");
        if (cache.touch(entry) && link_or_copy(entry, w.file->local)) {
            stats.cache_bytes += w.version.size;
            w.whole_cached = true;
            continue;
        }
        todo.push_back(&w);
        planned += w.version.size;
    }
    if (auto st = within_budget(o, stats, planned, std::to_string(todo.size()) + " whole object(s)"); !st) {
        return st;
    }
    std::atomic<uint64_t> bytes{0}, requests{0};
    auto st = run_parallel(todo.size(), o.concurrency, [&](size_t i) -> Status {
        FileWork& w = *todo[i];
        fs::path temp = w.file->local;
        temp += ".part";
        ++requests;
        if (auto got = store.download(w.file->entry.key, temp); !got) {
            std::error_code ec;
            fs::remove(temp, ec);
            return got;
        }
        std::error_code ec;
        const uint64_t got = fs::file_size(temp, ec);
        bytes += got;
        auto after = store.version(w.file->entry.key);
        ++requests;
        w.whole_unchanged = after && *after == w.version && got == w.version.size;
        return {};
    });
    stats.s3_bytes += bytes;
    stats.requests += requests;
    return st;
}

Status finish_whole(ObjectStore& store, RangeCache& cache, FileWork& w) {
    if (w.whole_cached) {
        return {};
    }
    const fs::path& local = w.file->local;
    fs::path temp = local;
    temp += ".part";
    std::error_code ec;
    fs::rename(temp, local, ec);
    if (ec) {
        return fail(Error::fatal("cannot write " + local.string() + ": " + ec.message()));
    }
    if (w.whole_unchanged) {
        const fs::path entry = cache.entry_path(object_id(store, w.file->entry.key), w.version, "whole");
        (void)cache.put({{entry, {}, local, w.version.size}});
    }
    return {};
}

// The planned ranges of every sliced file in one parallel batch, into each file's `fetched`.
Status fetch_ranges(ObjectStore& store, const S3ScanOptions& o, std::vector<FileWork>& work, ScanStats& stats) {
    std::vector<RangeJob> jobs;
    for (FileWork& w : work) {
        if (w.whole) {
            continue;
        }
        w.fetched.resize(w.fetch.size());
        for (size_t i = 0; i < w.fetch.size(); ++i) {
            jobs.push_back({&w, w.fetch[i].offset, w.fetch[i].length, &w.fetched[i]});
        }
    }
    return read_parallel(store, jobs, o.concurrency, stats);
}

Status write_slice_file(ObjectStore& store, RangeCache& cache, const S3ScanOptions& o, FileWork& w, ScanStats& stats) {
    const std::string id = object_id(store, w.file->entry.key);
    std::map<uint64_t, std::string> fetched; // chunk offset -> bytes
    std::vector<RangeCache::Put> puts;
    std::vector<std::pair<uint64_t, std::string>> buffers;
    for (size_t i = 0; i < w.fetch.size(); ++i) {
        buffers.emplace_back(w.fetch[i].offset, std::move(w.fetched[i]));
    }
    w.fetched.clear();
    if (!w.tail.empty()) {
        buffers.emplace_back(w.tail_offset, std::move(w.tail));
    }
    std::sort(buffers.begin(), buffers.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const ByteRange& chunk : w.missing) {
        if (auto part = extract(buffers, chunk.offset, chunk.length)) {
            puts.push_back({cache.entry_path(id, w.version, range_part(chunk)), *part, {}, 0});
            fetched.emplace(chunk.offset, std::move(*part));
        }
    }
    buffers.clear();
    auto chunk_bytes = [&](const ByteRange& r) -> Result<std::string> {
        if (auto it = fetched.find(r.offset); it != fetched.end()) {
            return it->second;
        }
        if (auto hit = cache.get(cache.entry_path(id, w.version, range_part(r))); hit && hit->size() == r.length) {
            stats.cache_bytes += hit->size();
            return *hit;
        }
        // Evicted by another query since it was planned: fetched now, within the budget.
        if (auto st = within_budget(o, stats, r.length, "ranges of " + id); !st) {
            return fail(st.error());
        }
        return read_counted(store, w, r.offset, r.length, stats);
    };
    fs::path temp = w.file->local;
    temp += ".part";
    if (auto st = parquet::write_slice(w.layout, w.plan, chunk_bytes, temp); !st) {
        std::error_code ec;
        fs::remove(temp, ec);
        return st;
    }
    std::error_code ec;
    fs::rename(temp, w.file->local, ec);
    if (ec) {
        return fail(Error::fatal("cannot write " + w.file->local.string() + ": " + ec.message()));
    }
    (void)cache.put(std::move(puts));
    return {};
}

} // namespace

Result<S3ReadMode> parse_s3_read_mode(std::string_view text) {
    if (text.empty() || text == "ranged") {
        return S3ReadMode::ranged;
    }
    if (text == "whole") {
        return S3ReadMode::whole;
    }
    return fail(Error::invalid("--s3-read '" + std::string(text) + "': use ranged or whole"));
}

Status fetch_s3_files(ObjectStore& store, RangeCache& cache, const S3ScanOptions& options, std::vector<ScanFile>& files,
                      ScanStats& stats) {
    std::vector<FileWork> work(files.size());
    // 1. Versions (HEADs, in parallel), then what the plan cannot do without: every footer not
    // cached (at least its tail) and every whole object, against the budget before any footer
    // is fetched. Without this a scan of thousands of files would fetch footers up to the limit
    // before refusing.
    for (size_t i = 0; i < files.size(); ++i) {
        work[i].file = &files[i];
        work[i].whole = options.mode == S3ReadMode::whole || files[i].format != "parquet";
    }
    std::atomic<uint64_t> heads{0};
    auto versions = run_parallel(files.size(), options.concurrency, [&](size_t i) -> Status {
        auto version = store.version(files[i].entry.key);
        ++heads;
        if (!version) {
            return fail(version.error());
        }
        work[i].version = *version;
        return {};
    });
    stats.requests += heads;
    if (!versions) {
        return versions;
    }
    uint64_t least = 0;
    for (const FileWork& w : work) {
        const std::string id = object_id(store, w.file->entry.key);
        if (w.whole) {
            least += cache.touch(cache.entry_path(id, w.version, "whole")) ? 0 : w.version.size;
        } else if (!cache.touch(cache.entry_path(id, w.version, "footer"))) {
            least += std::min(kTail, w.version.size);
        }
    }
    if (auto st = within_budget(options, stats, least, "the footers of " + std::to_string(files.size()) + " file(s)");
        !st) {
        return st;
    }
    // 2. The footers (in parallel, each within the budget too) and the plan of each file.
    if (auto st = read_footers(store, cache, options, work, stats); !st) {
        return st;
    }
    for (FileWork& w : work) {
        if (auto st = plan_file(store, cache, options, w, stats); !st) {
            return st;
        }
        ++stats.files;
        ++(w.whole ? stats.whole_files : stats.ranged_files);
    }
    // 3. The plan's bytes against the budget, before any is transferred.
    uint64_t planned = 0;
    for (const FileWork& w : work) {
        planned += planned_bytes(cache, store, w);
    }
    if (auto st = within_budget(options, stats, planned, std::to_string(files.size()) + " file(s)"); !st) {
        return st;
    }
    // 4. The transfers, in parallel, each into the session's own folder; then the slices are
    // written and the cache updated on this thread (the cache is one thread's).
    for (const FileWork& w : work) {
        std::error_code ec;
        fs::create_directories(w.file->local.parent_path(), ec);
    }
    if (auto st = download_whole(store, cache, options, work, stats); !st) {
        return st;
    }
    if (auto st = fetch_ranges(store, options, work, stats); !st) {
        return st;
    }
    for (FileWork& w : work) {
        auto st = w.whole ? finish_whole(store, cache, w) : write_slice_file(store, cache, options, w, stats);
        if (!st) {
            return st;
        }
    }
    return {};
}

} // namespace ticklake::query
