// `ticklake ls`: the objects below a key, shown like `aws s3 ls` (sub-folders as PRE lines
// unless recursive) or as JSON lines for scripts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "storage/object_store.h"

namespace ticklake {

//! The object a key names (its key then the file name), or else every object below it as a
//! folder (keys relative to it); empty when nothing is there.
Result<std::vector<ObjectEntry>> list_below(ObjectStore& store, std::string key);

struct ListingFormat {
    bool recursive = false; //!< every object with its path; else one PRE line per sub-folder
    bool human = false;     //!< sizes in KiB, MiB, GiB
    bool summarize = false; //!< a total of objects and bytes (text only)
    bool json = false;      //!< one object per line: key, size, modified; or prefix, objects, bytes
};

//! The listing's text, each line ending in a newline.
std::string render_listing(const std::vector<ObjectEntry>& entries, const ListingFormat& format);

//! "512 Bytes", "1.5 KiB", ... "2.0 PiB".
std::string human_size(uint64_t bytes);

} // namespace ticklake
