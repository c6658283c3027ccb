#include "format/buffered_file.h"

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

Status BufferedFile::open(const std::filesystem::path& path) {
    if (fd_ >= 0) { // the previous file failed part way: its descriptor is not leaked
        ::close(fd_);
    }
    path_ = path;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) {
        return fail(io_error("create", errno));
    }
    buffer_.clear();
    buffer_.reserve(kFlushBytes + (kFlushBytes >> 2));
    return {};
}

Status BufferedFile::flush() {
    const char* p = buffer_.data();
    size_t left = buffer_.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail(io_error("write", errno));
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    buffer_.clear();
    return {};
}

Status BufferedFile::close() {
    const Status flushed = flush();
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
