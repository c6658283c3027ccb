// What a URI on the command line names: an object store opened at a root, and the key or
// folder below it. `ticklake ls`, `cat` and `cp` read through the same ObjectStore the sink
// writes with, so a folder and s3:// answer alike.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/error.h"
#include "common/warehouse_uri.h"  // is_s3_uri: the one scheme test
#include "storage/object_store.h"

namespace ticklake {

//! "s3://bucket/some/key" -> {"s3://bucket", "some/key"}; the key is "" for the bucket itself.
std::pair<std::string, std::string> split_s3_uri(std::string_view uri);

struct ObjectLocation {
    std::unique_ptr<ObjectStore> store;
    std::string key; //!< "" for the store's root itself
};

//! s3://bucket/some/key -> a store at s3://bucket, key "some/key". A local path or file:// URI
//! -> a store at the folder itself, or at a file's parent with the file's name as key; never
//! created (an `ls` of a typo must not make a folder), not_found when missing.
Result<ObjectLocation> open_location(std::string_view uri, const ObjectStoreOptions& options);

//! Streams one object of `location` to `write` in chunks, in order. `uri` names it in errors:
//! invalid_argument for a folder, not_found when absent, and invalid_argument for Parquet
//! when refuse_parquet (binary to a terminal). Stops at the first error `write` returns.
Status read_object(ObjectLocation& location, std::string_view uri, bool refuse_parquet,
                   const std::function<Status(std::string_view)>& write);

} // namespace ticklake
