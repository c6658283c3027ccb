// The query's S3 cache: byte ranges of objects (footers, column chunks, whole objects) on local
// disk, bounded in size, least recently used first out. An entry is named by the object's
// key, ETag and size, so a replaced object is never served from the cache: its new version
// has other names, and the old entries age out. Several query processes may share one cache:
// entries appear by rename (whole or not at all), and the trimming that keeps the bound runs
// under an exclusive flock on `<dir>/.lock`, evicting before it adds, so the folder never holds
// more than the bound. A reader that loses an entry to another process's eviction treats it as
// a miss. Queries never read entries in place: a slice or a hard link in the session's own
// folder keeps what a running query uses, whatever is evicted meanwhile.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "storage/object_store.h"

namespace ticklake::query {

struct CacheUsage {
    uint64_t entries = 0;
    uint64_t bytes = 0;
};

//! @locality one query thread; other processes share the folder through the lock.
class RangeCache {
public:
    //! `max_bytes` 0: cache nothing (every read goes to S3).
    RangeCache(std::filesystem::path dir, uint64_t max_bytes);

    const std::filesystem::path& dir() const { return dir_; }
    uint64_t max_bytes() const { return max_bytes_; }

    //! The entry's path for (object, version, part); `object` is "bucket/key", `part` names a
    //! range ("footer", "whole", "r<offset>-<length>").
    std::filesystem::path entry_path(std::string_view object, const ObjectVersion& version, std::string_view part) const;

    //! The entry's bytes when cached (and marks it used), else nullopt.
    std::optional<std::string> get(const std::filesystem::path& entry);
    //! Whether the entry exists (marks it used); for whole objects, which are linked, not read.
    bool touch(const std::filesystem::path& entry);

    //! Adds entries: each is (entry path, bytes) or (entry path, a local file to hard-link or
    //! copy). Makes room first (oldest used first out); entries that cannot fit are left out.
    struct Put {
        std::filesystem::path entry;
        std::string bytes;
        std::filesystem::path file; //!< set: link this file instead of writing `bytes`
        uint64_t size = 0;          //!< with `file`: its size
    };
    Status put(std::vector<Put> puts);

    CacheUsage usage() const;
    //! Removes every entry (under the lock).
    Status clear();

private:
    std::filesystem::path dir_;
    uint64_t max_bytes_;
};

//! Every session folder under `parent` whose process is gone is removed (a crash left it).
void remove_stale_session_dirs(const std::filesystem::path& parent);

} // namespace ticklake::query
