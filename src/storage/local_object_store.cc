#include "storage/local_object_store.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <fstream>
#include <sstream>
#include <unistd.h>


namespace ticklake {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kStagingSuffix = ".tmp";

Error io_error(const std::string& what, const fs::path& p, int err) {
    std::string msg = what + " " + p.string() + ": " + std::strerror(err);
    // A full or read-only disk needs an operator; anything else may pass.
    if (err == ENOSPC || err == EROFS || err == EACCES || err == EPERM || err == EDQUOT) {
        return Error::fatal(msg + " (check free space and permissions of the warehouse)");
    }
    return Error::retry(msg);
}

Status fsync_path(const fs::path& p, bool directory) {
    int fd = ::open(p.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
    if (fd < 0) {
        return fail(io_error("cannot open for fsync", p, errno));
    }
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) {
        return fail(io_error("fsync failed on", p, err));
    }
    return {};
}

// Creates missing directories and fsyncs each new one's parent, so the new entry survives a crash.
Status make_dirs_durable(const fs::path& dir) {
    if (fs::exists(dir)) {
        return {};
    }
    if (auto st = make_dirs_durable(dir.parent_path()); !st) {
        return st;
    }
    std::error_code ec;
    fs::create_directory(dir, ec);
    if (ec) {
        return fail(io_error("cannot create directory", dir, ec.value()));
    }
    return fsync_path(dir.parent_path(), true);
}

// Makes `staged` durable and renames it to final_path, durably.
Status publish_staged(const fs::path& staged, const fs::path& final_path) {
    if (auto st = make_dirs_durable(final_path.parent_path()); !st) {
        return st;
    }
    if (auto st = fsync_path(staged, false); !st) {
        return st;
    }
    if (::rename(staged.c_str(), final_path.c_str()) != 0) {
        return fail(io_error("cannot rename into place", final_path, errno));
    }
    return fsync_path(final_path.parent_path(), true);
}

// publish_staged for a private staging file, which nobody else would clean up on failure.
Status publish_private(const fs::path& staged, const fs::path& final_path) {
    auto st = publish_staged(staged, final_path);
    if (!st) {
        ::unlink(staged.c_str());
    }
    return st;
}

// This host's name as one word of a staging file's name: letters and digits only, so the tag
// `<pid>-<n>-<host>` splits back at its dashes.
const std::string& host_word() {
    static const std::string word = [] {
        char name[256] = {};
        if (::gethostname(name, sizeof name - 1) != 0) {
            return std::string("host");
        }
        std::string w;
        for (const char* c = name; *c != 0; ++c) {
            w += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
        }
        return w.empty() ? std::string("host") : w;
    }();
    return word;
}

// put_small and put_file stage into a file of their own, `<key>.<pid>-<n>-<host>.tmp`: two
// processes may write one small key at once (two sinks on one warehouse keep their topic's
// state there), and with a shared `<key>.tmp` one renamed the other's file away ("cannot rename
// into place ...: No such file or directory"). Still ends in ".tmp", so listings skip it.
fs::path private_staging_path(const fs::path& final_path) {
    static std::atomic<uint64_t> counter{0};
    fs::path p = final_path;
    p += std::string(".").append(std::to_string(::getpid())).append("-").append(std::to_string(counter.fetch_add(1)))
             .append("-").append(host_word());
    p += kStagingSuffix;
    return p;
}

// Whether `name` is a private staging file left by a process of this host that no longer runs
// (killed between write and rename). Another host's files are never judged: its pids mean
// nothing here, and the folder may be shared.
bool is_dead_private_staging(std::string_view name) {
    if (!name.ends_with(kStagingSuffix)) {
        return false;
    }
    name.remove_suffix(kStagingSuffix.size());
    const size_t dot = name.rfind('.');
    if (dot == std::string_view::npos) {
        return false;
    }
    const std::string_view tag = name.substr(dot + 1);
    const size_t d1 = tag.find('-');
    const size_t d2 = d1 == std::string_view::npos ? d1 : tag.find('-', d1 + 1);
    if (d2 == std::string_view::npos || tag.substr(d2 + 1) != host_word()) {
        return false;
    }
    const std::string_view pid_text = tag.substr(0, d1);
    const std::string_view n_text = tag.substr(d1 + 1, d2 - d1 - 1);
    const auto all_digits = [](std::string_view t) {
        return !t.empty() && t.size() <= 18 && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (!all_digits(pid_text) || !all_digits(n_text)) {
        return false;
    }
    const long long pid = std::stoll(std::string(pid_text));
    if (pid <= 0 || pid == ::getpid() || pid > INT32_MAX) {
        return false;
    }
    return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

} // namespace

LocalObjectStore::LocalObjectStore(fs::path root) : root_(std::move(root)) {}

void LocalObjectStore::sweep_dead_staging_once(const fs::path& dir) {
    {
        std::lock_guard lock(swept_mutex_);
        if (!swept_dirs_.insert(dir.string()).second) {
            return;
        }
    }
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        return; // a folder yet to be made holds no leftovers
    }
    while (const struct dirent* e = ::readdir(d)) {
        if (is_dead_private_staging(e->d_name)) {
            ::unlinkat(::dirfd(d), e->d_name, 0); // best effort: a leftover is never an object
        }
    }
    ::closedir(d);
}

fs::path LocalObjectStore::path_of(std::string_view key) const { return root_ / fs::path(key); }

std::string LocalObjectStore::uri() const { return "file://" + root_.string(); }

fs::path LocalObjectStore::staging_path(std::string_view key) {
    fs::path p = path_of(key);
    p += kStagingSuffix;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    return p;
}

Status LocalObjectStore::publish(std::string_view key) {
    const fs::path final_path = path_of(key);
    fs::path staged = final_path;
    staged += kStagingSuffix;
    return publish_staged(staged, final_path);
}


Status LocalObjectStore::put_file(std::string_view key, const fs::path& source) {
    const fs::path final_path = path_of(key);
    const fs::path staged = private_staging_path(final_path);
    std::error_code ec;
    fs::create_directories(staged.parent_path(), ec);
    sweep_dead_staging_once(final_path.parent_path());
    fs::copy_file(source, staged, fs::copy_options::overwrite_existing, ec);
    if (ec) {
        ::unlink(staged.c_str());
        if (!fs::is_regular_file(source)) {
            return fail(Error::invalid("cannot copy " + source.string() + ": not a readable file"));
        }
        return fail(io_error("cannot copy " + source.string() + " to", staged, ec.value()));
    }
    // This store's own rename step, not a derived store's publish(): put_file and put_small are
    // whole operations, and a store that wraps publish() (the sink tests' fault injection)
    // must not see them as publishes.
    return publish_private(staged, final_path);
}

Result<bool> LocalObjectStore::remove(std::string_view key) {
    const fs::path p = path_of(key);
    fs::path staged = p;
    staged += kStagingSuffix;
    bool removed = false;
    for (const auto& x : {p, staged}) {
        if (::unlink(x.c_str()) == 0) {
            removed = true;
        } else if (errno != ENOENT) {
            return fail(io_error("cannot remove", x, errno));
        }
    }
    if (removed) {
        if (auto st = fsync_path(p.parent_path(), true); !st) {
            return fail(st.error());
        }
    }
    return removed;
}

Status LocalObjectStore::put_small(std::string_view key, std::string_view content) {
    const fs::path final_path = path_of(key);
    const fs::path staged = private_staging_path(final_path);
    {
        std::error_code ec;
        fs::create_directories(staged.parent_path(), ec);
        sweep_dead_staging_once(final_path.parent_path());
        int fd = ::open(staged.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            return fail(io_error("cannot write", staged, errno));
        }
        size_t done = 0;
        while (done < content.size()) {
            ssize_t n = ::write(fd, content.data() + done, content.size() - done);
            if (n < 0) {
                int err = errno;
                ::close(fd);
                ::unlink(staged.c_str());
                return fail(io_error("cannot write", staged, err));
            }
            done += static_cast<size_t>(n);
        }
        if (::close(fd) != 0) {
            const int err = errno;
            ::unlink(staged.c_str());
            return fail(io_error("cannot write", staged, err));
        }
    }
    return publish_private(staged, final_path); // as in put_file
}

Result<std::optional<std::string>> LocalObjectStore::get_small(std::string_view key) {
    const fs::path p = path_of(key);
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        if (!fs::exists(p)) {
            return std::optional<std::string>();
        }
        return fail(io_error("cannot read", p, errno));
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return std::optional<std::string>(ss.str());
}

namespace {

TimestampUs mtime_us(const struct stat& st) {
    return static_cast<TimestampUs>(st.st_mtim.tv_sec) * kMicrosPerSecond + st.st_mtim.tv_nsec / 1000;
}

// One folder of a listing, walked with file descriptors: entries are stat'ed relative to their
// folder's descriptor (no path walk per file) and folders are recognised from d_type without a
// stat. recursive_directory_iterator stat'ed every entry through its full path, which was most
// of an incremental crawl (issue #4). Symbolic links are followed to files, not into folders,
// as the iterator did.
int list_folder(int dir_fd, std::string& key, std::vector<ObjectEntry>& out) {
    DIR* dir = ::fdopendir(dir_fd);
    if (dir == nullptr) {
        const int err = errno;
        ::close(dir_fd);
        return err;
    }
    const size_t key_len = key.size();
    int err = 0;
    while (true) {
        errno = 0; // readdir() tells the end from an error only by errno
        const struct dirent* e = ::readdir(dir);
        if (e == nullptr) {
            err = errno;
            break;
        }
        const std::string_view name(e->d_name);
        if (name == "." || name == "..") {
            continue;
        }
        bool is_dir = e->d_type == DT_DIR;
        bool is_file = false;
        struct stat st {};
        if (!is_dir) {
            if (::fstatat(dir_fd, e->d_name, &st, 0) != 0) {
                continue; // removed while we listed, or a dangling link: not an object
            }
            is_file = S_ISREG(st.st_mode);
            // A link to a folder is not descended into (as recursive_directory_iterator).
            is_dir = e->d_type == DT_UNKNOWN && S_ISDIR(st.st_mode);
        }
        key.resize(key_len);
        if (!key.empty()) {
            key += '/';
        }
        key += name;
        if (is_dir) {
            const int sub = ::openat(dir_fd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
            if (sub < 0) {
                // ENOENT: removed while we listed; ELOOP: a link to a folder that the file system
                // reported as DT_UNKNOWN, not walked.
                if (errno == ENOENT || errno == ELOOP) {
                    continue;
                }
                err = errno;
                break;
            }
            if ((err = list_folder(sub, key, out)) != 0) {
                break;
            }
        } else if (is_file && !name.ends_with(kStagingSuffix)) {
            out.push_back({key, static_cast<uint64_t>(st.st_size), mtime_us(st)});
        }
    }
    key.resize(key_len);
    ::closedir(dir);
    return err;
}

} // namespace

Result<std::vector<ObjectEntry>> LocalObjectStore::list_entries(std::string_view prefix) {
    std::vector<ObjectEntry> entries;
    const fs::path base = path_of(prefix);
    const int fd = ::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            return entries;
        }
        return fail(io_error("cannot list", base, errno));
    }
    // Keys are relative to the root: the prefix, normalised (no "./", no trailing "/").
    std::string key = base.lexically_relative(root_).lexically_normal().generic_string();
    while (!key.empty() && key.back() == '/') {
        key.pop_back();
    }
    if (key == ".") {
        key.clear();
    }
    if (const int err = list_folder(fd, key, entries); err != 0) {
        return fail(io_error("cannot list", base, err));
    }
    std::sort(entries.begin(), entries.end(), [](const ObjectEntry& a, const ObjectEntry& b) { return a.key < b.key; });
    return entries;
}

Result<std::optional<ObjectEntry>> LocalObjectStore::stat(std::string_view key) {
    const fs::path p = path_of(key);
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return std::optional<ObjectEntry>();
        }
        return fail(io_error("cannot stat", p, errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return std::optional<ObjectEntry>();
    }
    return std::optional<ObjectEntry>(ObjectEntry{std::string(key), static_cast<uint64_t>(st.st_size), mtime_us(st)});
}

Result<std::string> LocalObjectStore::read_range(std::string_view key, uint64_t offset, uint64_t length) {
    const fs::path p = path_of(key);
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return fail(Error::not_found(uri() + "/" + std::string(key) + " not found"));
        }
        return fail(io_error("cannot read", p, errno));
    }
    std::string out;
    out.resize(length);
    size_t done = 0;
    while (done < length) {
        ssize_t n = ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            int err = errno;
            ::close(fd);
            return fail(io_error("cannot read", p, err));
        }
        if (n == 0) {
            break;
        }
        done += static_cast<size_t>(n);
    }
    ::close(fd);
    out.resize(done);
    return out;
}

Status LocalObjectStore::download(std::string_view key, const fs::path& destination) {
    const fs::path p = path_of(key);
    if (!fs::is_regular_file(p)) {
        return fail(Error::not_found(uri() + "/" + std::string(key) + " not found"));
    }
    std::error_code ec;
    fs::copy_file(p, destination, fs::copy_options::overwrite_existing, ec);
    if (ec) {
        return fail(io_error("cannot copy to " + destination.string() + " from", p, ec.value()));
    }
    return {};
}

} // namespace ticklake
