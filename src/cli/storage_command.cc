// `ticklake ls` and `ticklake cat`: what landed in a warehouse, read through the same
// ObjectStore the sink writes with, so a folder and s3:// answer alike (like `aws s3 ls/cp -`).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <cstdio>
#include <filesystem>
#include <map>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "storage/object_store.h"

namespace ticklake::cli {

namespace {

namespace fs = std::filesystem;

//! An object store opened at a root, and the key or folder below it that a URI names.
struct Target {
    std::unique_ptr<ObjectStore> store;
    std::string key; //!< "" for the root itself
};

bool is_s3_uri(const std::string& uri) { return uri.rfind("s3://", 0) == 0 || uri.rfind("S3://", 0) == 0; }

// s3://bucket/some/key → store at s3://bucket, key "some/key". A local path → store at the
// folder itself or at a file's parent; never created (ls of a typo must not make a folder).
Result<Target> open_target(std::string uri, const ObjectStoreOptions& options) {
    if (is_s3_uri(uri)) {
        const size_t slash = uri.find('/', 5);
        const std::string root = slash == std::string::npos ? uri : uri.substr(0, slash);
        std::string key = slash == std::string::npos ? "" : uri.substr(slash + 1);
        ObjectStoreOptions o = options;
        auto store = open_object_store(root, o);
        if (!store) {
            return fail(store.error());
        }
        return Target{std::move(*store), std::move(key)};
    }
    if (uri.rfind("file://", 0) == 0) {
        uri = uri.substr(7);
    }
    std::error_code ec;
    const fs::path p = fs::absolute(uri.empty() ? "." : uri);
    const auto status = fs::status(p, ec);
    if (ec || !fs::exists(status)) {
        return fail(Error::not_found("no such file or folder: " + p.string()));
    }
    const bool folder = fs::is_directory(status);
    auto store = open_object_store((folder ? p : p.parent_path()).string(), options);
    if (!store) {
        return fail(store.error());
    }
    return Target{std::move(*store), folder ? "" : p.filename().string()};
}

std::string human_size(uint64_t bytes) {
    static constexpr const char* kUnits[] = {"Bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = static_cast<double>(bytes);
    int unit = 0;
    while (v >= 1024 && unit < 5) {
        v /= 1024;
        ++unit;
    }
    return unit == 0 ? fmt::format("{} Bytes", bytes) : fmt::format("{:.1f} {}", v, kUnits[unit]);
}

std::string json_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
            } else {
                out += c;
            }
        }
    }
    return out;
}

struct LsFlags {
    std::string uri = ".";
    bool recursive = false;
    bool human = false;
    bool summarize = false;
    bool json = false;
    StorageFlags storage;
};

int run_ls(const LsFlags& f) {
    auto options = f.storage.options();
    if (!options) {
        return report_error("ls", options.error());
    }
    auto target = open_target(f.uri, *options);
    if (!target) {
        return report_error("ls", target.error());
    }
    ObjectStore& store = *target->store;
    std::string prefix = target->key;
    while (!prefix.empty() && prefix.back() == '/') {
        prefix.pop_back();
    }
    std::vector<ObjectEntry> entries;
    // A URI may name one object; otherwise it is a folder.
    if (!prefix.empty()) {
        auto one = store.stat(prefix);
        if (!one) {
            return report_error("ls", one.error());
        }
        if (one->has_value()) {
            entries.push_back(**one);
            entries.back().key = fs::path(prefix).filename().string();
        }
    }
    if (entries.empty()) {
        auto listed = store.list_entries(prefix);
        if (!listed) {
            return report_error("ls", listed.error());
        }
        entries = std::move(*listed);
        const size_t strip = prefix.empty() ? 0 : prefix.size() + 1;
        for (auto& e : entries) {
            e.key.erase(0, strip);
        }
    }

    // Non-recursive: objects directly below, and one "PRE name/" line per sub-folder.
    std::map<std::string, std::pair<uint64_t, uint64_t>> folders; // name -> objects, bytes
    std::vector<const ObjectEntry*> shown;
    uint64_t total_bytes = 0;
    for (const auto& e : entries) {
        total_bytes += e.size;
        const size_t slash = e.key.find('/');
        if (!f.recursive && slash != std::string::npos) {
            auto& agg = folders[e.key.substr(0, slash + 1)];
            agg.first += 1;
            agg.second += e.size;
        } else {
            shown.push_back(&e);
        }
    }
    std::string out;
    if (f.json) {
        for (const auto& [name, agg] : folders) {
            out += fmt::format("{{\"prefix\":\"{}\",\"objects\":{},\"bytes\":{}}}\n", json_escape(name), agg.first,
                               agg.second);
        }
        for (const ObjectEntry* e : shown) {
            out += fmt::format("{{\"key\":\"{}\",\"size\":{},\"modified\":\"{}\"}}\n", json_escape(e->key), e->size,
                               format_iso8601(e->modified));
        }
    } else {
        for (const auto& [name, agg] : folders) {
            out += fmt::format("{:>30} {}\n", "PRE", name);
        }
        for (const ObjectEntry* e : shown) {
            std::string when = format_iso8601(e->modified).substr(0, 19);
            when[10] = ' ';
            out += fmt::format("{} {:>10} {}\n", when, f.human ? human_size(e->size) : std::to_string(e->size), e->key);
        }
        if (f.summarize) {
            out += fmt::format("\nTotal Objects: {}\n   Total Size: {}\n", entries.size(),
                               f.human ? human_size(total_bytes) : std::to_string(total_bytes));
        }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (entries.empty() && !prefix.empty()) {
        // Like `aws s3 ls`: nothing there is an error a script can test.
        std::fprintf(stderr, "ticklake ls: nothing at %s\n", f.uri.c_str());
        return 1;
    }
    return 0;
}

struct CatFlags {
    std::vector<std::string> uris;
    bool force = false;
    StorageFlags storage;
};

int run_cat(const CatFlags& f) {
    auto options = f.storage.options();
    if (!options) {
        return report_error("cat", options.error());
    }
    constexpr uint64_t kChunk = 8ull << 20;
    const bool to_terminal = ::isatty(STDOUT_FILENO) == 1;
    for (const auto& uri : f.uris) {
        auto target = open_target(uri, *options);
        if (!target) {
            return report_error("cat", target.error());
        }
        if (target->key.empty() || target->key.back() == '/') {
            return report_error("cat", Error::invalid(uri + " is a folder: name one object (see `ticklake ls " + uri +
                                                      "`)"));
        }
        auto info = target->store->stat(target->key);
        if (!info) {
            return report_error("cat", info.error());
        }
        if (!info->has_value()) {
            return report_error("cat", Error::not_found(uri + " not found (see `ticklake ls` of its folder)"));
        }
        const uint64_t size = (*info)->size;
        for (uint64_t offset = 0; offset < size; offset += kChunk) {
            auto chunk = target->store->read_range(target->key, offset, std::min(kChunk, size - offset));
            if (!chunk) {
                return report_error("cat", chunk.error());
            }
            if (offset == 0 && to_terminal && !f.force && chunk->starts_with("PAR1")) {
                return report_error("cat", Error::invalid(uri + " is Parquet (binary): redirect it to a file, or "
                                                                "pass --force to print it anyway"));
            }
            if (chunk->empty()) {
                break; // the object shrank while we read: print what there was
            }
            if (std::fwrite(chunk->data(), 1, chunk->size(), stdout) != chunk->size()) {
                return report_error("cat", Error::fatal("cannot write to standard output"));
            }
        }
    }
    std::fflush(stdout);
    return 0;
}

struct CpFlags {
    std::vector<std::string> paths; //!< sources..., destination
    bool recursive = false;
    int jobs = 4;
    bool quiet = false;
    StorageFlags storage;
};

//! One side of a copy: an object in a store (S3, or a local folder for destinations), or a
//! plain local file for sources.
struct Endpoint {
    std::unique_ptr<ObjectStore> store; //!< unset: a local path
    std::string key;                    //!< key in `store`, or the local path
};

Result<Endpoint> open_endpoint(const std::string& uri, const ObjectStoreOptions& options, bool for_write) {
    if (is_s3_uri(uri)) {
        const size_t slash = uri.find('/', 5);
        auto store = open_object_store(slash == std::string::npos ? uri : uri.substr(0, slash), options);
        if (!store) {
            return fail(store.error());
        }
        return Endpoint{std::move(*store), slash == std::string::npos ? "" : uri.substr(slash + 1)};
    }
    std::string path = uri.rfind("file://", 0) == 0 ? uri.substr(7) : uri;
    if (for_write) {
        return Endpoint{nullptr, fs::absolute(path).string() + (path.ends_with('/') ? "/" : "")};
    }
    return Endpoint{nullptr, fs::absolute(path).string()};
}

struct CopyJob {
    std::string source; //!< key in the source store, or a local path
    std::string target; //!< key in the destination store, or a local path
    uint64_t size = 0;
};

// Local → store: put_file (one PUT or a parallel multipart upload). Store → local: download to
// a temp name, then rename, so a reader never sees half a file. Store → store: through a temp file.
Status copy_one(const Endpoint& from, const Endpoint& to, const CopyJob& job) {
    fs::path local_source = job.source;
    fs::path temp;
    if (from.store) {
        fs::path target = to.store ? fs::temp_directory_path() / ("ticklake-cp-" + std::to_string(::getpid()) + "-" +
                                                                  std::to_string(std::hash<std::string>{}(job.source)))
                                   : fs::path(job.target);
        std::error_code ec;
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
                return fail(Error::fatal("cannot rename " + temp.string() + " to " + target.string() + ": " + ec.message()));
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
        std::error_code ec;
        fs::create_directories(target.parent_path(), ec);
        auto folder = open_object_store(target.parent_path().string());
        st = folder ? (*folder)->put_file(target.filename().string(), local_source) : fail(folder.error());
    }
    if (!temp.empty()) {
        std::error_code ec;
        fs::remove(temp, ec);
    }
    return st;
}

std::string join_key(const std::string& prefix, const std::string& name) {
    if (prefix.empty()) {
        return name;
    }
    return prefix.back() == '/' ? prefix + name : prefix + "/" + name;
}

int run_cp(const CpFlags& f) {
    auto options = f.storage.options();
    if (!options) {
        return report_error("cp", options.error());
    }
    if (f.paths.size() < 2) {
        return report_error("cp", Error::invalid("give at least one source and a destination"));
    }
    if (f.jobs < 1 || f.jobs > 64) {
        return report_error("cp", Error::invalid("--jobs must be between 1 and 64"));
    }
    auto to = open_endpoint(f.paths.back(), *options, true);
    if (!to) {
        return report_error("cp", to.error());
    }
    // Several sources, or a folder: the destination is a folder (prefix).
    const bool many = f.paths.size() > 2 || f.recursive;
    const bool dest_is_folder = many || to->key.empty() || to->key.back() == '/' ||
                                (!to->store && fs::is_directory(to->key));
    std::vector<std::pair<std::shared_ptr<Endpoint>, std::vector<CopyJob>>> plan;
    uint64_t total_bytes = 0;
    size_t total_files = 0;
    for (size_t i = 0; i + 1 < f.paths.size(); ++i) {
        auto from = open_endpoint(f.paths[i], *options, false);
        if (!from) {
            return report_error("cp", from.error());
        }
        auto source = std::make_shared<Endpoint>(std::move(*from));
        std::vector<CopyJob> jobs;
        std::string base = source->key;
        while (base.size() > 1 && base.back() == '/') {
            base.pop_back();
        }
        if (f.recursive) {
            if (source->store) {
                auto listed = source->store->list_entries(base);
                if (!listed) {
                    return report_error("cp", listed.error());
                }
                for (const auto& e : *listed) {
                    jobs.push_back({e.key, join_key(to->key, e.key.substr(base.empty() ? 0 : base.size() + 1)), e.size});
                }
            } else {
                std::error_code ec;
                for (auto it = fs::recursive_directory_iterator(base, ec); !ec && it != fs::recursive_directory_iterator();
                     it.increment(ec)) {
                    if (it->is_regular_file()) {
                        jobs.push_back({it->path().string(), join_key(to->key, fs::relative(it->path(), base).string()),
                                        static_cast<uint64_t>(it->file_size())});
                    }
                }
                if (ec) {
                    return report_error("cp", Error::invalid("cannot read folder " + base + ": " + ec.message()));
                }
            }
            if (jobs.empty()) {
                return report_error("cp", Error::not_found("nothing to copy under " + f.paths[i]));
            }
        } else {
            uint64_t size = 0;
            if (source->store) {
                auto info = source->store->stat(base);
                if (!info) {
                    return report_error("cp", info.error());
                }
                if (!info->has_value()) {
                    return report_error("cp", Error::not_found(f.paths[i] + " not found (folders need --recursive)"));
                }
                size = (*info)->size;
            } else {
                std::error_code ec;
                if (!fs::is_regular_file(base, ec)) {
                    return report_error("cp", Error::not_found(f.paths[i] + " is not a file (folders need --recursive)"));
                }
                size = fs::file_size(base, ec);
            }
            const std::string name = fs::path(base).filename().string();
            jobs.push_back({base, dest_is_folder ? join_key(to->key, name) : to->key, size});
        }
        for (const auto& j : jobs) {
            total_bytes += j.size;
        }
        total_files += jobs.size();
        plan.emplace_back(source, std::move(jobs));
    }

    // Files in parallel (each large one also splits into parallel parts on S3).
    std::vector<std::pair<const Endpoint*, const CopyJob*>> queue;
    for (const auto& [source, jobs] : plan) {
        for (const auto& j : jobs) {
            queue.emplace_back(source.get(), &j);
        }
    }
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex mu;
    std::optional<Error> first_error;
    const auto t0 = std::chrono::steady_clock::now();
    auto worker = [&] {
        for (size_t i; !failed && (i = next.fetch_add(1)) < queue.size();) {
            if (auto st = copy_one(*queue[i].first, *to, *queue[i].second); !st) {
                std::lock_guard lock(mu);
                if (!first_error) {
                    first_error = Error{st.error().kind, queue[i].second->source + ": " + st.error().message};
                }
                failed = true;
            }
        }
    };
    std::vector<std::thread> threads;
    for (int i = 1; i < std::min<int>(f.jobs, static_cast<int>(queue.size())); ++i) {
        threads.emplace_back(worker);
    }
    worker();
    for (auto& t : threads) {
        t.join();
    }
    if (first_error) {
        return report_error("cp", *first_error);
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!f.quiet) {
        std::fprintf(stderr, "cp: %zu file%s, %s in %.2f s (%.1f MiB/s) -> %s\n", total_files,
                     total_files == 1 ? "" : "s", human_size(total_bytes).c_str(), secs,
                     static_cast<double>(total_bytes) / (1 << 20) / std::max(secs, 1e-6), f.paths.back().c_str());
    }
    return 0;
}

} // namespace

void add_storage_commands(CLI::App& app) {
    auto ls = std::make_shared<LsFlags>();
    CLI::App* ls_cmd = app.add_subcommand(
        "ls", "List a warehouse folder or object, like `aws s3 ls`: a local folder, file:// or s3://bucket/prefix.\n"
              "Sub-folders show as PRE lines unless --recursive; times are UTC.\n"
              "Example: ticklake ls -r --summarize s3://lake/market/trades/dt=2025-01-06");
    ls_cmd->add_option("uri", ls->uri, "Folder or object to list")->capture_default_str();
    ls_cmd->add_flag("--recursive,-r", ls->recursive, "Every object below, with its path");
    ls_cmd->add_flag("--human-readable,-H", ls->human, "Sizes in KiB, MiB, GiB");
    ls_cmd->add_flag("--summarize", ls->summarize, "Print the number of objects and their total size");
    ls_cmd->add_flag("--json", ls->json, "One JSON object per line (key, size, modified; or prefix, objects, bytes)");
    ls->storage.add_to(*ls_cmd);
    ls_cmd->callback([ls] { exit_code = run_ls(*ls); });

    auto cat = std::make_shared<CatFlags>();
    CLI::App* cat_cmd = app.add_subcommand(
        "cat", "Print objects to standard output, like `aws s3 cp URI -`: a local file or s3://bucket/key.\n"
               "Example: ticklake cat s3://lake/market/trades/dt=2025-01-06/ticks-p0-o0.jsonl | head");
    cat_cmd->add_option("uri", cat->uris, "Objects to print, in order")->required();
    cat_cmd->add_flag("--force", cat->force, "Print binary (Parquet) content to a terminal too");
    cat->storage.add_to(*cat_cmd);
    cat_cmd->callback([cat] { exit_code = run_cat(*cat); });

    auto cp = std::make_shared<CpFlags>();
    CLI::App* cp_cmd = app.add_subcommand(
        "cp", "Copy files to, from or between warehouses, like `aws s3 cp`: local paths and s3:// URIs.\n"
              "Large files go to S3 as parallel multipart uploads; several files are copied in parallel.\n"
              "A destination ending in '/' (or an existing folder) receives files under their own names.\n"
              "Examples: ticklake cp trades.parquet s3://lake/import/\n"
              "          ticklake cp -r ./warehouse s3://lake/wh      ticklake cp s3://lake/wh/a.parquet .");
    cp_cmd->add_option("paths", cp->paths, "SOURCE... DESTINATION")->required()->expected(2, -1);
    cp_cmd->add_flag("--recursive,-r", cp->recursive, "Copy every file below a folder or prefix, keeping paths");
    cp_cmd->add_option("--jobs,-j", cp->jobs, "Files copied in parallel")->capture_default_str();
    cp_cmd->add_flag("--quiet,-q", cp->quiet, "No summary line");
    cp->storage.add_to(*cp_cmd);
    cp_cmd->callback([cp] { exit_code = run_cp(*cp); });
}

} // namespace ticklake::cli
