// A new local file written through one large in-memory buffer, for the text writers.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
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
    //! direct: write past the page cache (O_DIRECT) where the file system allows it.
    Status open(const std::filesystem::path& path, bool direct = false);
    //! The buffer to append to; call maybe_flush() after each row.
    std::string& buffer() { return buffer_; }
    //! Whether the open file is being written past the page cache (O_DIRECT).
    bool direct() const { return direct_; }
    Status maybe_flush() { return buffer_.size() >= kFlushBytes ? flush(false) : Status{}; }
    //! Writes what is buffered and closes the file (no fsync: the caller makes it durable).
    Status close();

private:
    Status flush(bool last);
    int clear_direct();
    Status write_all(const char* p, size_t n);
    Error io_error(const char* what, int err) const;

    struct FreeAligned {
        void operator()(char* p) const { std::free(p); }
    };

    int fd_ = -1;
    bool direct_ = false; //!< fd_ has O_DIRECT: whole blocks from aligned_, the tail through the cache
    std::filesystem::path path_;
    std::string buffer_;
    std::unique_ptr<char, FreeAligned> aligned_; //!< kFlushBytes + one block, block-aligned
};

} // namespace ticklake
