// A new local file written through one large in-memory buffer, for the text writers.
#pragma once

#include <filesystem>
#include <string>

#include "common/error.h"

namespace ticklake {

class BufferedFile {
public:
    //! Bytes collected before one write(2); big enough that system calls cost nothing.
    static constexpr size_t kFlushBytes = 1 << 20;

    BufferedFile() = default;
    ~BufferedFile();
    BufferedFile(const BufferedFile&) = delete;
    BufferedFile& operator=(const BufferedFile&) = delete;

    //! Creates or truncates the file at path (closing a file left open by a failed write).
    Status open(const std::filesystem::path& path);
    //! The buffer to append to; call maybe_flush() after each row.
    std::string& buffer() { return buffer_; }
    Status maybe_flush() { return buffer_.size() >= kFlushBytes ? flush() : Status{}; }
    //! Writes what is buffered and closes the file (no fsync: the caller makes it durable).
    Status close();

private:
    Status flush();
    Error io_error(const char* what, int err) const;

    int fd_ = -1;
    std::filesystem::path path_;
    std::string buffer_;
};

} // namespace ticklake
