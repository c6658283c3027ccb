#include "storage/object_location.h"

#include <algorithm>
#include <filesystem>

namespace ticklake {

namespace fs = std::filesystem;

std::pair<std::string, std::string> split_s3_uri(std::string_view uri) {
    const size_t slash = uri.find('/', 5);
    if (slash == std::string_view::npos) {
        return {std::string(uri), ""};
    }
    return {std::string(uri.substr(0, slash)), std::string(uri.substr(slash + 1))};
}

Result<ObjectLocation> open_location(std::string_view uri, const ObjectStoreOptions& options) {
    if (is_s3_uri(uri)) {
        auto [root, key] = split_s3_uri(uri);
        auto store = open_object_store(root, options);
        if (!store) {
            return fail(store.error());
        }
        return ObjectLocation{std::move(*store), std::move(key)};
    }
    if (uri.starts_with("file://")) {
        uri.remove_prefix(7);
    }
    std::error_code ec;
    const fs::path p = fs::absolute(uri.empty() ? fs::path(".") : fs::path(uri));
    const auto status = fs::status(p, ec);
    if (ec || !fs::exists(status)) {
        return fail(Error::not_found("no such file or folder: " + p.string()));
    }
    const bool folder = fs::is_directory(status);
    auto store = open_object_store((folder ? p : p.parent_path()).string(), options);
    if (!store) {
        return fail(store.error());
    }
    return ObjectLocation{std::move(*store), folder ? "" : p.filename().string()};
}

Status read_object(ObjectLocation& location, std::string_view uri, bool refuse_parquet,
                   const std::function<Status(std::string_view)>& write) {
    constexpr uint64_t kChunk = 8ull << 20;
    const std::string name(uri);
    if (location.key.empty() || location.key.back() == '/') {
        return fail(Error::invalid(name + " is a folder: name one object (see `ticklake ls " + name + "`)"));
    }
    auto info = location.store->stat(location.key);
    if (!info) {
        return fail(info.error());
    }
    if (!info->has_value()) {
        return fail(Error::not_found(name + " not found (see `ticklake ls` of its folder)"));
    }
    const uint64_t size = (*info)->size;
    for (uint64_t offset = 0; offset < size; offset += kChunk) {
        auto chunk = location.store->read_range(location.key, offset, std::min(kChunk, size - offset));
        if (!chunk) {
            return fail(chunk.error());
        }
        if (offset == 0 && refuse_parquet && chunk->starts_with("PAR1")) {
            return fail(Error::invalid(name + " is Parquet (binary): redirect it to a file, or pass --force to print "
                                              "it anyway"));
        }
        if (chunk->empty()) {
            break; // the object shrank while we read: give what there was
        }
        if (auto st = write(*chunk); !st) {
            return st;
        }
    }
    return {};
}

} // namespace ticklake
