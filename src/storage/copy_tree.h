// `ticklake cp`: files to, from or between warehouses, like `aws s3 cp`. Several files go in
// parallel; a large one to S3 also splits into parallel parts (put_file's multipart upload).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "storage/object_store.h"

namespace ticklake {

//! One side of a copy: a key (or prefix) in a store, or a local path when there is no store.
struct CopyEndpoint {
    std::shared_ptr<ObjectStore> store; //!< unset: `key` is a local path
    std::string key;
    std::string uri; //!< as the user wrote it, for messages
};

struct CopyOptions {
    std::vector<std::string> sources; //!< local paths, file:// or s3:// URIs
    std::string destination;
    bool recursive = false; //!< every file below a folder or prefix, keeping paths
    int jobs = 4;           //!< files copied at once, 1..64
    ObjectStoreOptions store;
};

struct CopySummary {
    size_t files = 0;
    uint64_t bytes = 0;
    double seconds = 0;
    //! "3 files, 1.5 MiB in 0.20 s (7.5 MiB/s)"
    std::string line() const;
};

//! Opens the endpoints the options name (s3:// as a store, anything else as a local path)
//! and copies. The destination is a folder when it ends in '/', exists as a folder, or
//! receives several files; files keep their names (and paths below a recursive source) there.
Result<CopySummary> copy_tree(const CopyOptions& options);

//! The copy itself, over endpoints made by the caller (tests use local stores for both sides).
//! Store -> local goes through a temp name then a rename, so no reader sees half a file.
Result<CopySummary> copy_between(const std::vector<CopyEndpoint>& sources, const CopyEndpoint& destination,
                                 bool recursive, int jobs);

} // namespace ticklake
