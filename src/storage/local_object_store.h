// ObjectStore on a local (POSIX) file system: write temp, fsync, rename, fsync directory.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <unordered_set>

#include "storage/object_store.h"

namespace ticklake {

//! Not final: the sink's tests derive a fault-injecting store from it.
class LocalObjectStore : public ObjectStore {
public:
    explicit LocalObjectStore(std::filesystem::path root);

    std::filesystem::path staging_path(std::string_view key) override;
    bool stages_in_place() const override { return true; }
    Status publish(std::string_view key) override;
    Status put_file(std::string_view key, const std::filesystem::path& source) override;
    Result<bool> remove(std::string_view key) override;
    Status put_small(std::string_view key, std::string_view content) override;
    Result<std::optional<std::string>> get_small(std::string_view key) override;
    Result<std::vector<ObjectEntry>> list_entries(std::string_view prefix) override;
    Result<std::optional<ObjectEntry>> stat(std::string_view key) override;
    Result<std::string> read_range(std::string_view key, uint64_t offset, uint64_t length) override;
    Status download(std::string_view key, const std::filesystem::path& destination) override;
    std::optional<std::filesystem::path> local_path(std::string_view key) const override { return path_of(key); }
    std::string uri() const override;

    const std::filesystem::path& root() const { return root_; }

private:
    std::filesystem::path path_of(std::string_view key) const;
    // Removes, once per folder and process, the private staging files (see put_small) of this
    // host's processes that no longer run: a kill -9 between write and rename leaves one.
    void sweep_dead_staging_once(const std::filesystem::path& dir);

    std::filesystem::path root_;
    std::mutex swept_mutex_;
    std::unordered_set<std::string> swept_dirs_;
};

} // namespace ticklake
