#include "storage/local_object_store.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
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

} // namespace

LocalObjectStore::LocalObjectStore(fs::path root) : root_(std::move(root)) {}

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
    const fs::path staged = staging_path(key);
    {
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
                return fail(io_error("cannot write", staged, err));
            }
            done += static_cast<size_t>(n);
        }
        ::close(fd);
    }
    return publish(key);
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

Result<std::vector<std::string>> LocalObjectStore::list(std::string_view prefix) {
    std::vector<std::string> keys;
    const fs::path base = path_of(prefix);
    std::error_code ec;
    if (!fs::exists(base, ec)) {
        return keys;
    }
    for (auto it = fs::recursive_directory_iterator(base, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (it->is_regular_file()) {
            keys.push_back(fs::relative(it->path(), root_).string());
        }
    }
    if (ec) {
        return fail(io_error("cannot list", base, ec.value()));
    }
    std::sort(keys.begin(), keys.end());
    return keys;
}

} // namespace ticklake
