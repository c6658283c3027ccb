// The warehouse as a set of objects addressed by key ("market/trades/dt=2025-01-06/x.parquet").
// Every stage that writes the warehouse goes through this seam; a local folder is the first
// implementation, S3 the next (issue #3).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/timestamp.h"

namespace ticklake {

//! One object as a listing sees it.
struct ObjectEntry {
    std::string key;       //!< relative to the store's root
    uint64_t size = 0;     //!< bytes
    TimestampUs modified = 0; //!< last modification (S3: LastModified), UTC µs
};

//! Which content an object holds: a cache keyed by it never serves a replaced object's bytes.
struct ObjectVersion {
    uint64_t size = 0;
    std::string etag; //!< S3's ETag; a local file: "<size>-<modified µs>"
    bool operator==(const ObjectVersion&) const = default;
};

//! How a warehouse is opened; the defaults suit a laptop talking to local MinIO or AWS.
struct ObjectStoreOptions {
    //! S3 endpoint override ("http://127.0.0.1:9000"); empty: AWS_ENDPOINT_URL_S3,
    //! AWS_ENDPOINT_URL, the profile's endpoint_url, else AWS itself.
    std::string s3_endpoint;
    //! Server-side encryption of every S3 object written: empty (the bucket's default),
    //! "AES256" (SSE-S3) or "aws:kms" (SSE-KMS, with `s3_sse_kms_key_id` or the aws/s3 key).
    std::string s3_sse;
    std::string s3_sse_kms_key_id;
    //! Files at or above this size are sent as a multipart upload.
    uint64_t multipart_threshold = 16ull << 20;
    //! Size of each part but the last (S3 requires >= 5 MiB).
    uint64_t part_size = 8ull << 20;
    //! Parts in flight at once per upload; also the number of pooled connections per store.
    int upload_concurrency = 8;
    //! Check credentials and the bucket with one listing when opening (fail fast).
    bool probe = true;
    //! The process's stop request, polled by the store's retries (S3's): once true, a failed
    //! request is not retried, so a stopping process does not ride out an outage. Empty: never.
    std::function<bool()> stop_requested;
};

class ObjectStore {
public:
    virtual ~ObjectStore() = default;

    //! Local path where a writer should produce the content of `key` before publish().
    //! Readers of the warehouse never see it (".tmp" suffix, ignored by *.parquet globs).
    virtual std::filesystem::path staging_path(std::string_view key) = 0;
    //! True when publish() only renames the staged file into place (a local folder): nothing
    //! reads it back, so a writer may bypass the page cache (WriterOptions::direct_io). An
    //! upload reads it again right after it is written: false.
    virtual bool stages_in_place() const { return false; }
    //! Makes the staged content of `key` durable and visible under its final name,
    //! replacing any previous object atomically. Returns once it would survive a crash.
    virtual Status publish(std::string_view key) = 0;
    //! Makes a copy of the local file `source` durable and visible as `key` (atomic replace,
    //! like publish()); `source` is left in place. Uploads of existing files (`ticklake cp`).
    virtual Status put_file(std::string_view key, const std::filesystem::path& source) = 0;
    //! Removes `key` and any staged copy of it; absent is not an error. True when
    //! something was there to remove.
    virtual Result<bool> remove(std::string_view key) = 0;
    //! Durable, atomic write of a small object (journals, manifests).
    virtual Status put_small(std::string_view key, std::string_view content) = 0;
    //! Content of a small object, or nullopt when absent.
    virtual Result<std::optional<std::string>> get_small(std::string_view key) = 0;
    //! Objects under a prefix (recursive; a prefix names a folder: "a" lists "a/x", never
    //! "ab/x"), sorted by key. Staged files are not objects and are not listed.
    virtual Result<std::vector<ObjectEntry>> list_entries(std::string_view prefix) = 0;
    //! Keys of list_entries().
    Result<std::vector<std::string>> list(std::string_view prefix);
    //! Size and modification time of one object, or nullopt when absent.
    virtual Result<std::optional<ObjectEntry>> stat(std::string_view key) = 0;
    //! Bytes [offset, offset + length) of an object, fewer at its end (Parquet footers,
    //! sampling the head of a CSV). not_found when the object is absent.
    virtual Result<std::string> read_range(std::string_view key, uint64_t offset, uint64_t length) = 0;
    //! The object's current version (S3: one HEAD, no body), or not_found when absent.
    virtual Result<ObjectVersion> version(std::string_view key);
    //! Bytes [offset, offset + length) of exactly `version` of the object (fewer at its end):
    //! not_found when the object is absent or no longer that version (S3: If-Match).
    virtual Result<std::string> read_version_range(std::string_view key, const ObjectVersion& version, uint64_t offset,
                                                   uint64_t length);
    //! Copies a whole object to a local file (created or replaced), streaming.
    virtual Status download(std::string_view key, const std::filesystem::path& destination) = 0;
    //! Where a reader can open the object in place, when the store is a local folder.
    virtual std::optional<std::filesystem::path> local_path(std::string_view key) const {
        (void)key;
        return std::nullopt;
    }
    //! "file:///abs/path" or "s3://bucket/prefix", for messages.
    virtual std::string uri() const = 0;
};

inline Result<ObjectVersion> ObjectStore::version(std::string_view key) {
    auto entry = stat(key);
    if (!entry) {
        return fail(entry.error());
    }
    if (!*entry) {
        return fail(Error::not_found(uri() + "/" + std::string(key) + " does not exist"));
    }
    return ObjectVersion{(*entry)->size, std::to_string((*entry)->size) + "-" + std::to_string((*entry)->modified)};
}

// Defined here, not in object_store.cc: storage/s3 implements this interface without linking
// ticklake_storage. A folder has no conditional read: the version is checked before and after the read, which
// catches a replacement unless it happens twice within the clock's resolution.
inline Result<std::string> ObjectStore::read_version_range(std::string_view key, const ObjectVersion& expected,
                                                    uint64_t offset, uint64_t length) {
    auto changed = [&]() -> Status {
        auto now = version(key);
        if (!now) {
            return fail(now.error());
        }
        if (*now != expected) {
            return fail(Error::not_found(uri() + "/" + std::string(key) + " was replaced while it was being read"));
        }
        return {};
    };
    if (auto st = changed(); !st) {
        return fail(st.error());
    }
    auto bytes = read_range(key, offset, length);
    if (!bytes) {
        return fail(bytes.error());
    }
    if (auto st = changed(); !st) {
        return fail(st.error());
    }
    return bytes;
}

//! Opens a warehouse URI: a plain path or file:// URI (created when missing), or
//! s3://bucket/prefix (credentials, region and endpoint from the AWS environment and profile;
//! TICKLAKE_SPOOL_DIR, when set, holds staged files instead of a private temp folder).
Result<std::unique_ptr<ObjectStore>> open_object_store(std::string_view uri, const ObjectStoreOptions& options = {});

} // namespace ticklake
