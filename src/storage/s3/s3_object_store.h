// ObjectStore on S3 (`s3://bucket/prefix`). Writers produce a file in a local spool folder;
// publish() PUTs it in one request and deletes the spool copy. The PUT answering 200 is the
// durability point, and S3 makes an object visible all at once, so readers never see a part.
// Multipart upload for large files is the next step (README).
#pragma once

#include <filesystem>
#include <memory>

#include "storage/object_store.h"
#include "storage/s3/s3_client.h"
#include "storage/s3/s3_uri.h"

namespace ticklake::s3 {

class S3ObjectStore final : public ObjectStore {
public:
    //! `spool_dir` empty: a private temp folder, removed with the store. Otherwise staged files
    //! go under spool_dir/bucket/prefix/ and the folder is left in place.
    S3ObjectStore(std::shared_ptr<S3Client> client, S3Location root, std::filesystem::path spool_dir = {});
    ~S3ObjectStore() override;
    S3ObjectStore(const S3ObjectStore&) = delete;
    S3ObjectStore& operator=(const S3ObjectStore&) = delete;

    std::filesystem::path staging_path(std::string_view key) override;
    Status publish(std::string_view key) override;
    //! HEAD first, so the answer says whether the object was there (S3's DELETE answers 204
    //! either way), then DELETE; the spool copy counts as "something there" too.
    Result<bool> remove(std::string_view key) override;
    Status put_small(std::string_view key, std::string_view content) override;
    Result<std::optional<std::string>> get_small(std::string_view key) override;
    Result<std::vector<std::string>> list(std::string_view prefix) override;
    std::string uri() const override;

    const std::filesystem::path& spool_dir() const { return spool_dir_; }

private:
    std::string object_key(std::string_view key) const { return key_prefix_ + std::string(key); }
    std::filesystem::path spool_path(std::string_view key) const;

    std::shared_ptr<S3Client> client_;
    std::string bucket_;
    std::string key_prefix_; //!< "" or "prefix/"
    std::filesystem::path spool_dir_;
    bool owns_spool_dir_ = false;
};

} // namespace ticklake::s3
