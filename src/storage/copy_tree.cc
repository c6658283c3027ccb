#include "storage/copy_tree.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <unistd.h>

#include <fmt/format.h>

#include "common/parallel_jobs.h"
#include "storage/object_listing.h"
#include "storage/object_location.h"

namespace ticklake {

namespace {

namespace fs = std::filesystem;

struct CopyJob {
    const CopyEndpoint* from = nullptr;
    std::string source; //!< key in the source store, or a local path
    std::string target; //!< key in the destination store, or a local path
    uint64_t size = 0;
};

Result<CopyEndpoint> open_endpoint(const std::string& uri, const ObjectStoreOptions& options, bool for_write) {
    if (is_s3_uri(uri)) {
        auto [root, key] = split_s3_uri(uri);
        auto store = open_object_store(root, options);
        if (!store) {
            return fail(store.error());
        }
        return CopyEndpoint{std::move(*store), std::move(key), uri};
    }
    const std::string path = uri.starts_with("file://") ? uri.substr(7) : uri;
    const bool folder_hint = for_write && path.ends_with('/');
    return CopyEndpoint{nullptr, fs::absolute(path).string() + (folder_hint ? "/" : ""), uri};
}

std::string join_key(const std::string& prefix, const std::string& name) {
    if (prefix.empty()) {
        return name;
    }
    return prefix.back() == '/' ? prefix + name : prefix + "/" + name;
}

// Local -> store: put_file (one PUT or a parallel multipart upload). Store -> local: download
// to a temp name, then rename. Store -> store: through a temp file.
Status copy_one(const CopyJob& job, const CopyEndpoint& to) {
    const CopyEndpoint& from = *job.from;
    fs::path local_source = job.source;
    fs::path temp;
    std::error_code ec;
    if (from.store) {
        const fs::path target = to.store ? fs::temp_directory_path() /
                                               fmt::format("ticklake-cp-{}-{}", ::getpid(),
                                                           std::hash<std::string>{}(job.source))
                                         : fs::path(job.target);
        if (!to.store) {
            fs::create_directories(target.parent_path(), ec);
        }
        temp = target;
        temp += ".tmp";
        if (auto st = from.store->download(job.source, temp); !st) {
            fs::remove(temp, ec);
            return st;
        }
        if (!to.store) {
            fs::rename(temp, target, ec);
            if (ec) {
                return fail(Error::fatal("cannot rename " + temp.string() + " to " + target.string() + ": " +
                                         ec.message()));
            }
            return {};
        }
        local_source = temp;
    }
    Status st;
    if (to.store) {
        st = to.store->put_file(job.target, local_source);
    } else {
        const fs::path target(job.target);
        fs::create_directories(target.parent_path(), ec);
        auto folder = open_object_store(target.parent_path().string());
        st = folder ? (*folder)->put_file(target.filename().string(), local_source) : fail(folder.error());
    }
    if (!temp.empty()) {
        fs::remove(temp, ec);
    }
    return st;
}

Result<std::vector<CopyJob>> plan_folder(const CopyEndpoint& from, const std::string& base, const std::string& to_key) {
    std::vector<CopyJob> jobs;
    if (from.store) {
        auto listed = from.store->list_entries(base);
        if (!listed) {
            return fail(listed.error());
        }
        for (const auto& e : *listed) {
            jobs.push_back({&from, e.key, join_key(to_key, e.key.substr(base.empty() ? 0 : base.size() + 1)), e.size});
        }
    } else {
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(base, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec)) {
            if (it->is_regular_file()) {
                jobs.push_back({&from, it->path().string(), join_key(to_key, fs::relative(it->path(), base).string()),
                                static_cast<uint64_t>(it->file_size())});
            }
        }
        if (ec) {
            return fail(Error::invalid("cannot read folder " + base + ": " + ec.message()));
        }
    }
    if (jobs.empty()) {
        return fail(Error::not_found("nothing to copy under " + from.uri));
    }
    return jobs;
}

Result<CopyJob> plan_file(const CopyEndpoint& from, const std::string& base, const std::string& target) {
    uint64_t size = 0;
    if (from.store) {
        auto info = from.store->stat(base);
        if (!info) {
            return fail(info.error());
        }
        if (!info->has_value()) {
            return fail(Error::not_found(from.uri + " not found (folders need --recursive)"));
        }
        size = (*info)->size;
    } else {
        std::error_code ec;
        if (!fs::is_regular_file(base, ec)) {
            return fail(Error::not_found(from.uri + " is not a file (folders need --recursive)"));
        }
        size = fs::file_size(base, ec);
    }
    return CopyJob{&from, base, target, size};
}

//! Every file to copy, in the order of the sources.
Result<std::vector<CopyJob>> plan(const std::vector<CopyEndpoint>& sources, const CopyEndpoint& to, bool recursive) {
    // Several sources, or a folder: the destination is a folder (prefix).
    const bool many = sources.size() > 1 || recursive;
    const bool dest_is_folder =
        many || to.key.empty() || to.key.back() == '/' || (!to.store && fs::is_directory(to.key));
    std::vector<CopyJob> jobs;
    for (const CopyEndpoint& from : sources) {
        std::string base = from.key;
        while (base.size() > 1 && base.back() == '/') {
            base.pop_back();
        }
        if (recursive) {
            auto folder = plan_folder(from, base, to.key);
            if (!folder) {
                return fail(folder.error());
            }
            jobs.insert(jobs.end(), folder->begin(), folder->end());
            continue;
        }
        const std::string name = fs::path(base).filename().string();
        auto file = plan_file(from, base, dest_is_folder ? join_key(to.key, name) : to.key);
        if (!file) {
            return fail(file.error());
        }
        jobs.push_back(std::move(*file));
    }
    return jobs;
}

//! Runs the jobs on up to `threads` threads (this one included); stops at the first failure.
Status run_jobs(const std::vector<CopyJob>& jobs, const CopyEndpoint& to, int threads) {
    return run_parallel(jobs.size(), threads, [&](size_t i) -> Status {
        if (auto st = copy_one(jobs[i], to); !st) {
            return fail(Error{st.error().kind, jobs[i].source + ": " + st.error().message});
        }
        return {};
    });
}

} // namespace

std::string CopySummary::line() const {
    return fmt::format("{} file{}, {} in {:.2f} s ({:.1f} MiB/s)", files, files == 1 ? "" : "s", human_size(bytes),
                       seconds, static_cast<double>(bytes) / (1 << 20) / std::max(seconds, 1e-6));
}

Result<CopySummary> copy_between(const std::vector<CopyEndpoint>& sources, const CopyEndpoint& destination,
                                 bool recursive, int jobs) {
    auto planned = plan(sources, destination, recursive);
    if (!planned) {
        return fail(planned.error());
    }
    CopySummary summary;
    summary.files = planned->size();
    for (const auto& j : *planned) {
        summary.bytes += j.size;
    }
    const auto t0 = std::chrono::steady_clock::now();
    if (auto st = run_jobs(*planned, destination, jobs); !st) {
        return fail(st.error());
    }
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return summary;
}

Result<CopySummary> copy_tree(const CopyOptions& options) {
    if (options.sources.empty() || options.destination.empty()) {
        return fail(Error::invalid("give at least one source and a destination"));
    }
    if (options.jobs < 1 || options.jobs > 64) {
        return fail(Error::invalid("--jobs must be between 1 and 64"));
    }
    auto to = open_endpoint(options.destination, options.store, true);
    if (!to) {
        return fail(to.error());
    }
    std::vector<CopyEndpoint> sources;
    for (const auto& uri : options.sources) {
        auto from = open_endpoint(uri, options.store, false);
        if (!from) {
            return fail(from.error());
        }
        sources.push_back(std::move(*from));
    }
    return copy_between(sources, *to, options.recursive, options.jobs);
}

} // namespace ticklake
