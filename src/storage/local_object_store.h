// ObjectStore on a local (POSIX) file system: write temp, fsync, rename, fsync directory.
#pragma once

#include <filesystem>

#include "storage/object_store.h"

namespace ticklake {

class LocalObjectStore final : public ObjectStore {
public:
    explicit LocalObjectStore(std::filesystem::path root);

    std::filesystem::path staging_path(std::string_view key) override;
    Status publish(std::string_view key) override;
    Result<bool> remove(std::string_view key) override;
    Status put_small(std::string_view key, std::string_view content) override;
    Result<std::optional<std::string>> get_small(std::string_view key) override;
    Result<std::vector<std::string>> list(std::string_view prefix) override;
    std::string uri() const override;

    const std::filesystem::path& root() const { return root_; }

private:
    std::filesystem::path path_of(std::string_view key) const;
    std::filesystem::path root_;
};

} // namespace ticklake
