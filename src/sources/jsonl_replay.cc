#include "sources/jsonl_replay.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace ticklake {

namespace {
constexpr size_t kBlock = 1u << 20;
}

Result<std::unique_ptr<JsonlReplay>> JsonlReplay::open(const std::string& path) {
    std::unique_ptr<JsonlReplay> r(new JsonlReplay());
    r->path_ = path;
    r->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (r->fd_ < 0) {
        return fail(Error::invalid("cannot open " + path + ": " + std::strerror(errno)));
    }
    r->buf_.resize(kBlock);
    return r;
}

JsonlReplay::~JsonlReplay() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

Result<bool> JsonlReplay::next_line(std::string_view& line) {
    for (;;) {
        const char* start = buf_.data() + pos_;
        if (const void* nl = std::memchr(start, '\n', end_ - pos_)) {
            const auto n = static_cast<size_t>(static_cast<const char*>(nl) - start);
            line = std::string_view(start, n);
            pos_ += n + 1;
            return true;
        }
        if (eof_) {
            if (pos_ == end_) {
                return false;
            }
            line = std::string_view(start, end_ - pos_); // a last line without a newline
            pos_ = end_;
            return true;
        }
        // Keep the partial line, then read behind it; a line longer than the buffer grows it.
        std::memmove(buf_.data(), start, end_ - pos_);
        end_ -= pos_;
        pos_ = 0;
        if (buf_.size() - end_ < kBlock / 2) {
            buf_.resize(buf_.size() * 2);
        }
        const ssize_t got = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail(Error::retry("read error in " + path_ + ": " + std::strerror(errno)));
        }
        end_ += static_cast<size_t>(got);
        eof_ = got == 0;
    }
}

Result<bool> JsonlReplay::next(std::string_view& line, Event& event) {
    for (;;) {
        auto more = next_line(line);
        if (!more || !*more) {
            return more;
        }
        ++line_no_;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line.empty()) {
            continue;
        }
        if (auto st = parser_.parse_envelope(line, event); !st) {
            ++skipped_;
            if (first_errors_.size() < 10) {
                first_errors_.push_back("line " + std::to_string(line_no_) + ": " + st.error().message);
            }
            continue;
        }
        return true;
    }
}

} // namespace ticklake
