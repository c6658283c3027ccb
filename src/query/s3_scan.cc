#include "query/s3_scan.h"

#include <algorithm>
#include <optional>
#include <unistd.h>

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

// FileMetaData's bytes: from the cache, else one or two ranged GETs from the end.
Result<std::string> footer_of(ObjectStore& store, RangeCache& cache, const S3ScanOptions& o, FileWork& w,
                              ScanStats& stats) {
    const std::string id = object_id(store, w.file->entry.key);
    const fs::path entry = cache.entry_path(id, w.version, "footer");
    if (auto hit = cache.get(entry)) {
        stats.cache_bytes += hit->size();
        return *hit;
    }
    const uint64_t size = w.version.size;
    if (size < 12) {
        return fail(Error::poison(id + " is too short to be Parquet"));
    }
    const uint64_t tail_len = std::min(kTail, size);
    if (auto st = within_budget(o, stats, tail_len, "the footer of " + id); !st) {
        return fail(st.error());
    }
    auto tail = read_counted(store, w, size - tail_len, tail_len, stats);
    if (!tail) {
        return fail(tail.error());
    }
    w.tail_offset = size - tail_len;
    w.tail = *tail; // small files are mostly in it: their chunks are not fetched twice
    auto len = parquet::metadata_length(std::string_view(*tail).substr(tail_len - 8));
    if (!len) {
        return fail(Error::poison(id + ": " + len.error().message));
    }
    if (uint64_t{*len} + 12 > size) {
        return fail(Error::poison(id + ": its Parquet footer claims more bytes than the object has"));
    }
    std::string meta;
    if (uint64_t{*len} + 8 <= tail_len) {
        meta = tail->substr(tail_len - 8 - *len, *len);
    } else {
        const uint64_t rest = *len + 8 - tail_len;
        if (auto st = within_budget(o, stats, rest, "the rest of the footer of " + id); !st) {
            return fail(st.error());
        }
        auto head = read_counted(store, w, size - 8 - *len, rest, stats);
        if (!head) {
            return fail(head.error());
        }
        meta = *head + tail->substr(0, tail_len - 8);
    }
    (void)cache.put({{entry, meta, {}, 0}});
    return meta;
}

// Decides what of one file is read: a slice plan, or the whole object (with the reason).
Status plan_file(ObjectStore& store, RangeCache& cache, const S3ScanOptions& o, FileWork& w, ScanStats& stats) {
    w.whole = o.mode == S3ReadMode::whole || w.file->format != "parquet";
    if (w.whole) {
        return {};
    }
    auto meta = footer_of(store, cache, o, w, stats);
    if (!meta) {
        return fail(meta.error());
    }
    auto layout = parquet::read_layout(*meta, w.version.size);
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

Status fetch_whole(ObjectStore& store, RangeCache& cache, const S3ScanOptions& o, FileWork& w, ScanStats& stats) {
    const fs::path entry = cache.entry_path(object_id(store, w.file->entry.key), w.version, "whole");
    const fs::path& local = w.file->local;
    if (cache.touch(entry) && link_or_copy(entry, local)) {
        stats.cache_bytes += w.version.size;
        return {};
    }
    if (auto st = within_budget(o, stats, w.version.size, object_id(store, w.file->entry.key)); !st) {
        return st;
    }
    fs::path temp = local;
    temp += ".part";
    ++stats.requests;
    if (auto st = store.download(w.file->entry.key, temp); !st) {
        std::error_code ec;
        fs::remove(temp, ec);
        return st;
    }
    std::error_code ec;
    const uint64_t got = fs::file_size(temp, ec);
    stats.s3_bytes += got;
    // A plain GET has no If-Match: the version is asked again, and a replaced object is not
    // cached under the old one's name.
    auto after = store.version(w.file->entry.key);
    ++stats.requests;
    fs::rename(temp, local, ec);
    if (ec) {
        return fail(Error::fatal("cannot write " + local.string() + ": " + ec.message()));
    }
    if (after && *after == w.version && got == w.version.size) {
        (void)cache.put({{entry, {}, local, got}});
    }
    return {};
}

Status fetch_slice(ObjectStore& store, RangeCache& cache, const S3ScanOptions& o, FileWork& w, ScanStats& stats) {
    const std::string id = object_id(store, w.file->entry.key);
    std::map<uint64_t, std::string> fetched; // chunk offset -> bytes
    std::vector<RangeCache::Put> puts;
    std::vector<std::pair<uint64_t, std::string>> buffers;
    for (const ByteRange& range : w.fetch) {
        if (auto st = within_budget(o, stats, range.length, "ranges of " + id); !st) {
            return st;
        }
        auto bytes = read_counted(store, w, range.offset, range.length, stats);
        if (!bytes) {
            return fail(bytes.error());
        }
        buffers.emplace_back(range.offset, std::move(*bytes));
    }
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
    // 1. Versions, then what the plan cannot do without: every footer not cached (at least its
    // tail) and every whole object, against the budget before any footer is fetched. Without
    // this a scan of thousands of files would fetch footers up to the limit before refusing.
    uint64_t least = 0;
    for (size_t i = 0; i < files.size(); ++i) {
        FileWork& w = work[i];
        w.file = &files[i];
        auto version = store.version(files[i].entry.key);
        ++stats.requests;
        if (!version) {
            return fail(version.error());
        }
        w.version = *version;
        const std::string id = object_id(store, files[i].entry.key);
        if (options.mode == S3ReadMode::whole || files[i].format != "parquet") {
            least += cache.touch(cache.entry_path(id, w.version, "whole")) ? 0 : w.version.size;
        } else if (!cache.touch(cache.entry_path(id, w.version, "footer"))) {
            least += std::min(kTail, w.version.size);
        }
    }
    if (auto st = within_budget(options, stats, least, "the footers of " + std::to_string(files.size()) + " file(s)");
        !st) {
        return st;
    }
    // 2. The footers (each within the budget too) and the plan of each file.
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
    // 4. The transfers, each into the session's own folder.
    for (FileWork& w : work) {
        std::error_code ec;
        fs::create_directories(w.file->local.parent_path(), ec);
        auto st = w.whole ? fetch_whole(store, cache, options, w, stats) : fetch_slice(store, cache, options, w, stats);
        if (!st) {
            return st;
        }
    }
    return {};
}

} // namespace ticklake::query
