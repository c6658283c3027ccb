// Reads members of a .zip archive in place, through libzip (the only file that includes
// zip.h): no outside program, no shell, no extracted copy on disk. A member opens as a
// std::istream that inflates while it is read, so a member larger than memory streams too.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"

namespace ticklake {

struct ZipMember {
    uint64_t index = 0; //!< libzip's index of the entry
    std::string name;   //!< path inside the archive, '/'-separated
    uint64_t size = 0;  //!< uncompressed bytes
};

//! An open archive. Shared: every member stream keeps its archive open until it closes.
//! @locality one thread (libzip's archive handle is not thread-safe).
class ZipArchive : public std::enable_shared_from_this<ZipArchive> {
public:
    //! Fails with invalid_argument naming the path when it is missing, not a zip, or damaged.
    static Result<std::shared_ptr<ZipArchive>> open(const std::string& path);
    ~ZipArchive();
    ZipArchive(const ZipArchive&) = delete;
    ZipArchive& operator=(const ZipArchive&) = delete;

    //! The files of the archive in its order (folders left out).
    const std::vector<ZipMember>& members() const { return members_; }
    //! Streams one member; a read error (a damaged entry, a bad CRC) sets the stream's badbit.
    Result<std::unique_ptr<std::istream>> open_member(const ZipMember& member);
    const std::string& path() const { return path_; }

private:
    struct Handle;
    explicit ZipArchive(std::string path);

    std::string path_;
    std::unique_ptr<Handle> handle_;
    std::vector<ZipMember> members_;
};

} // namespace ticklake
