// The warehouse as a set of objects addressed by key ("market/trades/dt=2025-01-06/x.parquet").
// Every stage that writes the warehouse goes through this seam; a local folder is the first
// implementation, S3 the next (issue #3).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace ticklake {

class ObjectStore {
public:
    virtual ~ObjectStore() = default;

    //! Local path where a writer should produce the content of `key` before publish().
    //! Readers of the warehouse never see it (".tmp" suffix, ignored by *.parquet globs).
    virtual std::filesystem::path staging_path(std::string_view key) = 0;
    //! Makes the staged content of `key` durable and visible under its final name,
    //! replacing any previous object atomically. Returns once it would survive a crash.
    virtual Status publish(std::string_view key) = 0;
    //! Removes `key` and any staged copy of it; absent is not an error. True when
    //! something was there to remove.
    virtual Result<bool> remove(std::string_view key) = 0;
    //! Durable, atomic write of a small object (journals, manifests).
    virtual Status put_small(std::string_view key, std::string_view content) = 0;
    //! Content of a small object, or nullopt when absent.
    virtual Result<std::optional<std::string>> get_small(std::string_view key) = 0;
    //! Keys under a prefix (recursive), sorted.
    virtual Result<std::vector<std::string>> list(std::string_view prefix) = 0;
    //! "file:///abs/path" or "s3://bucket/prefix", for messages.
    virtual std::string uri() const = 0;
};

//! Opens a warehouse URI: a plain path or file:// URI (created when missing), or
//! s3://bucket/prefix (credentials, region and endpoint from the AWS environment and profile;
//! TICKLAKE_SPOOL_DIR, when set, holds staged files instead of a private temp folder).
Result<std::unique_ptr<ObjectStore>> open_object_store(std::string_view uri);

} // namespace ticklake
