#include "format/buffered_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace ticklake {

BufferedFile::~BufferedFile() {
    if (fd_ >= 0) {
        ::close(fd_); // only reached after an error already returned to the caller
    }
}

Error BufferedFile::io_error(const char* what, int err) const {
    std::string m = std::string("cannot ") + what + " file '" + path_.string() + "': " + std::strerror(err);
    // A full disk or an interrupted device may clear up; a missing folder or a permission does not.
    const bool transient = err == ENOSPC || err == EIO || err == EINTR || err == EAGAIN || err == EDQUOT;
    return transient ? Error::retry(std::move(m)) : Error::fatal(std::move(m));
}

namespace {
constexpr size_t kBlock = 4096; // O_DIRECT's alignment of memory, length and offset
} // namespace

// From now on the file is written through the page cache. 0, or the errno of fcntl.
int BufferedFile::clear_direct() {
    direct_ = false;
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0) {
        return errno;
    }
    return 0;
}

Status BufferedFile::open(const std::filesystem::path& path, bool direct) {
    if (fd_ >= 0) { // the previous file failed part way: its descriptor is not leaked
        ::close(fd_);
    }
    path_ = path;
    const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
    fd_ = direct ? ::open(path.c_str(), flags | O_DIRECT, 0644) : -1;
    direct_ = fd_ >= 0;
    if (fd_ < 0) { // not asked for, or a file system without O_DIRECT (EINVAL)
        fd_ = ::open(path.c_str(), flags, 0644);
    }
    if (fd_ < 0) {
        return fail(io_error("create", errno));
    }
    if (direct_ && !aligned_) {
        aligned_.reset(static_cast<char*>(std::aligned_alloc(kBlock, kFlushBytes + kBlock)));
        if (!aligned_) { // no aligned copy to write from: through the page cache
            if (const int err = clear_direct(); err != 0) {
                return fail(io_error("turn off O_DIRECT for", err));
            }
        }
    }
    buffer_.clear();
    buffer_.reserve(kFlushBytes + (kFlushBytes >> 2));
    return {};
}

Status BufferedFile::write_all(const char* p, size_t left) {
    while (left > 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EINVAL && direct_) {
                // The device wants another alignment: the rest goes through the page cache.
                if (const int err = clear_direct(); err != 0) {
                    return fail(io_error("turn off O_DIRECT for", err));
                }
                continue;
            }
            return fail(io_error("write", errno));
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    return {};
}

Status BufferedFile::flush(bool last) {
    if (direct_) {
        // Whole blocks from the aligned copy; a tail shorter than a block waits for more, and
        // the file's last one is written through the page cache.
        const size_t whole = buffer_.size() / kBlock * kBlock;
        for (size_t at = 0; at < whole; at += kFlushBytes) {
            const size_t n = std::min(kFlushBytes, whole - at);
            std::memcpy(aligned_.get(), buffer_.data() + at, n);
            if (auto st = write_all(aligned_.get(), n); !st) {
                return st;
            }
        }
        buffer_.erase(0, whole);
        if (!last || buffer_.empty()) {
            return {};
        }
        if (direct_) {
            if (const int err = clear_direct(); err != 0) {
                return fail(io_error("turn off O_DIRECT for", err));
            }
        }
    }
    if (auto st = write_all(buffer_.data(), buffer_.size()); !st) {
        return st;
    }
    buffer_.clear();
    return {};
}

Status BufferedFile::close() {
    const Status flushed = flush(true);
    const int fd = fd_;
    fd_ = -1;
    if (!flushed) {
        ::close(fd);
        return flushed;
    }
    if (::close(fd) != 0) {
        return fail(io_error("close", errno));
    }
    return {};
}

} // namespace ticklake
