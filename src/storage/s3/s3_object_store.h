// ObjectStore on S3 (`s3://bucket/prefix`). Writers produce a file in a local spool folder;
// publish() uploads it and deletes the spool copy: one PUT below the multipart threshold,
// else a multipart upload with parts in parallel. The PUT or CompleteMultipartUpload
// answering 200 is the durability point, and S3 makes an object visible all at once, so
// readers never see a part. A failed multipart upload is aborted; when S3 cannot be reached
// to abort it, the abort is retried before the next upload and when the store closes, and
// one left behind by a crash is aborted by remove() of its key, which the sink's recovery calls.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/object_store.h"
#include "storage/s3/s3_client.h"
#include "storage/s3/s3_uri.h"

namespace ticklake::s3 {

class S3ObjectStore final : public ObjectStore {
public:
    //! `spool_dir` empty: a private temp folder, removed with the store. Otherwise staged files
    //! go under spool_dir/bucket/prefix/ and the folder is left in place.
    S3ObjectStore(std::shared_ptr<S3Client> client, S3Location root, std::filesystem::path spool_dir = {},
                  ObjectStoreOptions options = {});
    ~S3ObjectStore() override;
    S3ObjectStore(const S3ObjectStore&) = delete;
    S3ObjectStore& operator=(const S3ObjectStore&) = delete;

    std::filesystem::path staging_path(std::string_view key) override;
    Status publish(std::string_view key) override;
    //! One PUT below the multipart threshold, else a parallel multipart upload, straight from `source`.
    Status put_file(std::string_view key, const std::filesystem::path& source) override;
    //! HEAD first, so the answer says whether the object was there (S3's DELETE answers 204
    //! either way), then DELETE; the spool copy counts as "something there" too. When there is
    //! no object, unfinished multipart uploads of exactly this key are aborted (a crash mid-upload).
    Result<bool> remove(std::string_view key) override;
    Status put_small(std::string_view key, std::string_view content) override;
    Result<std::optional<std::string>> get_small(std::string_view key) override;
    Result<std::vector<ObjectEntry>> list_entries(std::string_view prefix) override;
    Result<std::optional<ObjectEntry>> stat(std::string_view key) override;
    Result<std::string> read_range(std::string_view key, uint64_t offset, uint64_t length) override;
    //! One HEAD: the size and ETag.
    Result<ObjectVersion> version(std::string_view key) override;
    //! One ranged GET with If-Match on the ETag; a different size is a replaced object too.
    Result<std::string> read_version_range(std::string_view key, const ObjectVersion& version, uint64_t offset,
                                           uint64_t length) override;
    Status download(std::string_view key, const std::filesystem::path& destination) override;
    std::string uri() const override;

    const std::filesystem::path& spool_dir() const { return spool_dir_; }

private:
    //! Aborts uploads whose abort failed earlier (S3 was unreachable); keeps those that fail again.
    void retry_pending_aborts();
    Status upload_multipart(const std::string& object, const std::filesystem::path& file, uint64_t size);
    std::string object_key(std::string_view key) const { return key_prefix_ + std::string(key); }
    std::filesystem::path spool_path(std::string_view key) const;

    std::shared_ptr<S3Client> client_;
    std::string bucket_;
    std::string key_prefix_; //!< "" or "prefix/"
    std::filesystem::path spool_dir_;
    bool owns_spool_dir_ = false;
    ObjectStoreOptions options_;
    std::mutex pending_mutex_;
    std::vector<MultipartUpload> pending_aborts_; //!< failed uploads not yet aborted
};

} // namespace ticklake::s3
