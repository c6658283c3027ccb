#include "storage/s3/s3_object_store.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace ticklake::s3 {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kStagingSuffix = ".tmp";

// Spool folders live under <tmp>/ticklake-spool/p<pid>-XXXXXX. A process killed with
// SIGKILL cannot remove its own: the next store removes those whose process is gone, so a
// crash-looping sink does not fill the disk. (A reused pid only delays that clean-up.)
void remove_spools_of_dead_processes(const fs::path& parent) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(parent, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() < 2 || name[0] != 'p') {
            continue;
        }
        const long pid = std::strtol(name.c_str() + 1, nullptr, 10);
        if (pid <= 0 || pid == ::getpid()) {
            continue;
        }
        if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
            std::error_code ignored;
            fs::remove_all(entry.path(), ignored);
        }
    }
}

fs::path make_private_spool_dir() {
    const fs::path parent = fs::temp_directory_path() / "ticklake-spool";
    std::error_code ec;
    fs::create_directories(parent, ec);
    remove_spools_of_dead_processes(parent);
    std::string leaf = "p";
    leaf.append(std::to_string(::getpid()));
    leaf.append("-XXXXXX");
    std::string pattern = (parent / leaf).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        return {};
    }
    return pattern;
}

} // namespace

S3ObjectStore::S3ObjectStore(std::shared_ptr<S3Client> client, S3Location root, fs::path spool_dir)
    : client_(std::move(client)), bucket_(std::move(root.bucket)), key_prefix_(std::move(root.key)) {
    while (!key_prefix_.empty() && key_prefix_.back() == '/') {
        key_prefix_.pop_back();
    }
    if (!key_prefix_.empty()) {
        key_prefix_ += '/';
    }
    if (spool_dir.empty()) {
        spool_dir_ = make_private_spool_dir();
        owns_spool_dir_ = !spool_dir_.empty();
    } else {
        spool_dir_ = spool_dir / bucket_ / key_prefix_;
    }
}

S3ObjectStore::~S3ObjectStore() {
    if (owns_spool_dir_) {
        std::error_code ec;
        fs::remove_all(spool_dir_, ec);
    }
}

std::string S3ObjectStore::uri() const {
    std::string prefix = key_prefix_;
    if (!prefix.empty()) {
        prefix.pop_back();
    }
    return S3Location{bucket_, prefix}.uri();
}

fs::path S3ObjectStore::spool_path(std::string_view key) const {
    fs::path p = spool_dir_ / fs::path(key);
    p += kStagingSuffix;
    return p;
}

fs::path S3ObjectStore::staging_path(std::string_view key) {
    fs::path p = spool_path(key);
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    return p;
}

Status S3ObjectStore::publish(std::string_view key) {
    const fs::path staged = spool_path(key);
    if (auto st = client_->put_object_from_file(bucket_, object_key(key), staged); !st) {
        return st; // the spool copy stays, so a retry of publish() can send it again
    }
    std::error_code ec;
    fs::remove(staged, ec); // the object is durable; a left-over spool file only costs space
    return {};
}

Result<bool> S3ObjectStore::remove(std::string_view key) {
    bool existed = false;
    auto head = client_->head_object(bucket_, object_key(key));
    if (head) {
        existed = true;
        if (auto st = client_->delete_object(bucket_, object_key(key)); !st) {
            return fail(st.error());
        }
    } else if (head.error().kind != ErrorKind::not_found) {
        return fail(head.error());
    }
    const fs::path staged = spool_path(key);
    if (::unlink(staged.c_str()) == 0) {
        existed = true;
    } else if (errno != ENOENT) {
        return fail(Error::retry("cannot remove spool file " + staged.string() + ": " + std::strerror(errno)));
    }
    return existed;
}

Status S3ObjectStore::put_small(std::string_view key, std::string_view content) {
    return client_->put_object(bucket_, object_key(key), content);
}

Result<std::optional<std::string>> S3ObjectStore::get_small(std::string_view key) {
    auto got = client_->get_object(bucket_, object_key(key));
    if (!got) {
        if (got.error().kind == ErrorKind::not_found) {
            return std::optional<std::string>();
        }
        return fail(got.error());
    }
    return std::optional<std::string>(std::move(*got));
}

Result<std::vector<std::string>> S3ObjectStore::list(std::string_view prefix) {
    // A prefix names a folder, as on a local disk: "a" lists "a/x", never "ab/x".
    std::string scoped = object_key(prefix);
    if (!prefix.empty() && scoped.back() != '/') {
        scoped += '/';
    }
    auto keys = client_->list_all(bucket_, scoped);
    if (!keys) {
        return fail(keys.error());
    }
    for (auto& k : *keys) {
        k.erase(0, key_prefix_.size());
    }
    std::sort(keys->begin(), keys->end());
    return keys;
}

} // namespace ticklake::s3
