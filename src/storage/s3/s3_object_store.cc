#include "storage/s3/s3_object_store.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

#include "common/parallel_jobs.h"

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

S3ObjectStore::S3ObjectStore(std::shared_ptr<S3Client> client, S3Location root, fs::path spool_dir,
                             ObjectStoreOptions options)
    : client_(std::move(client)), bucket_(std::move(root.bucket)), key_prefix_(std::move(root.key)),
      options_(options) {
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
    retry_pending_aborts();
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

Status S3ObjectStore::upload_multipart(const std::string& object, const fs::path& file, uint64_t size) {
    // S3 allows 10,000 parts of at least 5 MiB: grow the part size for very large files.
    constexpr uint64_t kMinPart = 5ull << 20;
    constexpr uint64_t kMaxParts = 10'000;
    uint64_t part_size = std::max(options_.part_size, kMinPart);
    part_size = std::max(part_size, (size + kMaxParts - 1) / kMaxParts);
    const int parts = static_cast<int>((size + part_size - 1) / part_size);

    auto upload_id = client_->create_multipart_upload(bucket_, object);
    if (!upload_id) {
        return fail(upload_id.error());
    }
    std::vector<CompletedPart> completed(static_cast<size_t>(parts));
    Status result = run_parallel(static_cast<size_t>(parts), options_.upload_concurrency, [&](size_t index) -> Status {
        const uint64_t offset = static_cast<uint64_t>(index) * part_size;
        const uint64_t length = std::min(part_size, size - offset);
        auto part = client_->upload_part(bucket_, object, *upload_id, static_cast<int>(index) + 1, file, offset, length);
        if (!part) {
            return fail(part.error());
        }
        completed[index] = std::move(*part);
        return {};
    });
    if (result) {
        result = client_->complete_multipart_upload(bucket_, object, *upload_id, completed);
        if (result) {
            return {};
        }
    }
    // Nothing may be left behind: the parts of an unfinished upload cost storage forever.
    // When the abort fails too (S3 unreachable), remove() of this key finds the upload later.
    if (auto aborted = client_->abort_multipart_upload(bucket_, object, *upload_id); !aborted) {
        {
            std::lock_guard lock(pending_mutex_);
            pending_aborts_.push_back({object, *upload_id});
        }
        return fail(Error{result.error().kind, result.error().message + "; the upload could not be aborted yet (" +
                                                   aborted.error().message + ")"});
    }
    return result;
}

void S3ObjectStore::retry_pending_aborts() {
    std::vector<MultipartUpload> pending;
    {
        std::lock_guard lock(pending_mutex_);
        pending.swap(pending_aborts_);
    }
    std::vector<MultipartUpload> still;
    for (auto& u : pending) {
        if (!client_->abort_multipart_upload(bucket_, u.key, u.upload_id)) {
            still.push_back(std::move(u));
        }
    }
    if (!still.empty()) {
        std::lock_guard lock(pending_mutex_);
        pending_aborts_.insert(pending_aborts_.end(), still.begin(), still.end());
    }
}

Status S3ObjectStore::put_file(std::string_view key, const fs::path& source) {
    retry_pending_aborts();
    std::error_code ec;
    const uint64_t size = fs::file_size(source, ec);
    if (ec) {
        return fail(Error::invalid("cannot upload " + source.string() + ": " + ec.message()));
    }
    const std::string object = object_key(key);
    return size >= options_.multipart_threshold ? upload_multipart(object, source, size)
                                                : client_->put_object_from_file(bucket_, object, source);
}

Status S3ObjectStore::publish(std::string_view key) {
    const fs::path staged = spool_path(key);
    std::error_code ec;
    if (!fs::is_regular_file(staged, ec)) {
        return fail(Error::invalid("cannot publish " + std::string(key) + ": nothing staged at " + staged.string()));
    }
    if (auto st = put_file(key, staged); !st) {
        return st; // the spool copy stays, so a retry of publish() can send it again
    }
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
    } else {
        // No object: perhaps an upload that a crash or an outage cut short. Listing uploads
        // costs a LIST request, so it is done only here, not for every journal the sink
        // removes after a commit (those exist, and are never multipart).
        auto uploads = client_->list_multipart_uploads(bucket_, object_key(key));
        if (!uploads) {
            return fail(uploads.error());
        }
        for (const auto& u : *uploads) {
            if (u.key != object_key(key)) {
                continue; // a longer key that shares the prefix
            }
            if (auto st = client_->abort_multipart_upload(bucket_, u.key, u.upload_id); !st) {
                return fail(st.error());
            }
            existed = true;
        }
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

Result<std::vector<ObjectEntry>> S3ObjectStore::list_entries(std::string_view prefix) {
    // A prefix names a folder, as on a local disk: "a" lists "a/x", never "ab/x".
    std::string scoped = object_key(prefix);
    if (!prefix.empty() && scoped.back() != '/') {
        scoped += '/';
    }
    std::vector<ObjectEntry> entries;
    std::string token;
    do {
        auto page = client_->list_objects_v2(bucket_, scoped, token);
        if (!page) {
            return fail(page.error());
        }
        for (auto& o : page->objects) {
            entries.push_back({o.key.substr(key_prefix_.size()), o.size, o.last_modified});
        }
        token = page->truncated ? page->next_continuation_token : std::string();
    } while (!token.empty());
    std::sort(entries.begin(), entries.end(), [](const ObjectEntry& a, const ObjectEntry& b) { return a.key < b.key; });
    return entries;
}

Result<std::optional<ObjectEntry>> S3ObjectStore::stat(std::string_view key) {
    auto head = client_->head_object(bucket_, object_key(key));
    if (!head) {
        if (head.error().kind == ErrorKind::not_found) {
            return std::optional<ObjectEntry>();
        }
        return fail(head.error());
    }
    return std::optional<ObjectEntry>(ObjectEntry{std::string(key), head->size, head->last_modified});
}

Result<std::string> S3ObjectStore::read_range(std::string_view key, uint64_t offset, uint64_t length) {
    return client_->get_object_range(bucket_, object_key(key), offset, length);
}

Result<ObjectVersion> S3ObjectStore::version(std::string_view key) {
    auto head = client_->head_object(bucket_, object_key(key));
    if (!head) {
        return fail(head.error());
    }
    return ObjectVersion{head->size, head->etag};
}

Result<std::string> S3ObjectStore::read_version_range(std::string_view key, const ObjectVersion& version,
                                                      uint64_t offset, uint64_t length) {
    auto range = client_->get_range(bucket_, object_key(key), offset, length, version.etag);
    if (!range) {
        return fail(range.error());
    }
    if (range->object_size != 0 && range->object_size != version.size) {
        return fail(Error::not_found(uri() + "/" + std::string(key) + " changed size while it was being read"));
    }
    return std::move(range->bytes);
}

Status S3ObjectStore::download(std::string_view key, const fs::path& destination) {
    return client_->download_object(bucket_, object_key(key), destination);
}

} // namespace ticklake::s3
