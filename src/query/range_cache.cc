#include "query/range_cache.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <sys/file.h>
#include <unistd.h>

namespace ticklake::query {

namespace fs = std::filesystem;

namespace {

// FNV-1a: a stable name for a key or an ETag, whatever characters they hold.
std::string fnv_hex(std::string_view s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h = (h ^ c) * 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

//! flock held for the object's lifetime.
class DirLock {
public:
    explicit DirLock(const fs::path& file) {
        fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~DirLock() {
        if (fd_ >= 0) {
            ::close(fd_); // releases the lock
        }
    }
    bool held() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

struct Entry {
    fs::path path;
    uint64_t size;
    fs::file_time_type used;
};

// Every entry file (not the lock, not a temp file being written).
std::vector<Entry> entries_of(const fs::path& dir) {
    std::vector<Entry> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        std::error_code e2;
        if (!it->is_regular_file(e2) || it->path().filename() == ".lock" || it->path().extension() == ".part") {
            continue;
        }
        const uint64_t size = it->file_size(e2);
        const auto used = it->last_write_time(e2);
        if (!e2) {
            out.push_back({it->path(), size, used});
        }
    }
    return out;
}

void mark_used(const fs::path& p) {
    std::error_code ec;
    fs::last_write_time(p, fs::file_time_type::clock::now(), ec);
}

} // namespace

RangeCache::RangeCache(fs::path dir, uint64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {}

fs::path RangeCache::entry_path(std::string_view object, const ObjectVersion& version, std::string_view part) const {
    return dir_ / fnv_hex(object) / (fnv_hex(version.etag) + "-" + std::to_string(version.size)) / std::string(part);
}

std::optional<std::string> RangeCache::get(const fs::path& entry) {
    std::ifstream in(entry, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    if (in.bad()) {
        return std::nullopt;
    }
    mark_used(entry);
    return bytes;
}

bool RangeCache::touch(const fs::path& entry) {
    std::error_code ec;
    if (!fs::is_regular_file(entry, ec)) {
        return false;
    }
    mark_used(entry);
    return true;
}

Status RangeCache::put(std::vector<Put> puts) {
    if (puts.empty() || max_bytes_ == 0) {
        return {};
    }
    std::error_code ec;
    fs::create_directories(dir_, ec);
    DirLock lock(dir_ / ".lock");
    if (!lock.held()) {
        return {}; // no lock, no cache: the query goes on without it
    }
    uint64_t incoming = 0;
    std::erase_if(puts, [&](const Put& p) { return (p.file.empty() ? p.bytes.size() : p.size) > max_bytes_; });
    for (const auto& p : puts) {
        incoming += p.file.empty() ? p.bytes.size() : p.size;
    }
    std::vector<Entry> entries = entries_of(dir_);
    uint64_t total = 0;
    for (const auto& e : entries) {
        total += e.size;
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
    size_t next = 0;
    while (total + incoming > max_bytes_ && next < entries.size()) {
        if (fs::remove(entries[next].path, ec)) {
            total -= entries[next].size;
        }
        ++next;
    }
    for (const auto& p : puts) {
        const uint64_t size = p.file.empty() ? p.bytes.size() : p.size;
        if (total + size > max_bytes_ || fs::exists(p.entry, ec)) {
            continue;
        }
        fs::create_directories(p.entry.parent_path(), ec);
        fs::path temp = p.entry;
        temp += "." + std::to_string(::getpid()) + ".part";
        if (p.file.empty()) {
            std::ofstream out(temp, std::ios::binary | std::ios::trunc);
            out.write(p.bytes.data(), static_cast<std::streamsize>(p.bytes.size()));
            out.close();
            if (!out) {
                fs::remove(temp, ec);
                continue;
            }
        } else if (::link(p.file.c_str(), temp.c_str()) != 0 && !fs::copy_file(p.file, temp, ec)) {
            fs::remove(temp, ec);
            continue;
        }
        fs::rename(temp, p.entry, ec);
        if (ec) {
            fs::remove(temp, ec);
            continue;
        }
        total += size;
    }
    return {};
}

CacheUsage RangeCache::usage() const {
    CacheUsage u;
    for (const auto& e : entries_of(dir_)) {
        ++u.entries;
        u.bytes += e.size;
    }
    return u;
}

Status RangeCache::clear() {
    std::error_code ec;
    if (!fs::exists(dir_, ec)) {
        return {};
    }
    DirLock lock(dir_ / ".lock");
    if (!lock.held()) {
        return fail(Error::fatal("cannot lock the query cache at " + dir_.string()));
    }
    for (const auto& child : fs::directory_iterator(dir_, ec)) {
        if (child.path().filename() != ".lock") {
            fs::remove_all(child.path(), ec);
            if (ec) {
                return fail(Error::fatal("cannot clear " + child.path().string() + ": " + ec.message()));
            }
        }
    }
    return {};
}

void remove_stale_session_dirs(const fs::path& parent) {
    std::error_code ec;
    for (const auto& child : fs::directory_iterator(parent, ec)) {
        const std::string name = child.path().filename().string();
        const long pid = std::strtol(name.c_str(), nullptr, 10);
        if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
            std::error_code e2;
            fs::remove_all(child.path(), e2);
        }
    }
}

} // namespace ticklake::query
