// `ticklake ls`, `cat` and `cp`: what landed in a warehouse, and copies in and out (like
// `aws s3 ls/cp`). The work is in storage/ (object_listing.h, object_location.h, copy_tree.h);
// this file turns flags into calls and prints.
#include <cstdio>
#include <unistd.h>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "storage/copy_tree.h"
#include "storage/object_listing.h"
#include "storage/object_location.h"

namespace ticklake::cli {

namespace {

struct LsFlags {
    std::string uri = ".";
    ListingFormat format;
    StorageFlags storage;
};

int run_ls(const LsFlags& f) {
    auto options = f.storage.options();
    auto location = options ? open_location(f.uri, *options) : fail(options.error());
    auto entries = location ? list_below(*location->store, location->key) : fail(location.error());
    if (!entries) {
        return report_error("ls", entries.error());
    }
    const std::string out = render_listing(*entries, f.format);
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (entries->empty() && location->key.find_first_not_of('/') != std::string::npos) {
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
    const bool refuse_parquet = !f.force && ::isatty(STDOUT_FILENO) == 1;
    auto to_stdout = [](std::string_view chunk) -> Status {
        if (std::fwrite(chunk.data(), 1, chunk.size(), stdout) != chunk.size()) {
            return fail(Error::fatal("cannot write to standard output"));
        }
        return {};
    };
    for (const auto& uri : f.uris) {
        auto location = open_location(uri, *options);
        auto st = location ? read_object(*location, uri, refuse_parquet, to_stdout) : fail(location.error());
        if (!st) {
            return report_error("cat", st.error());
        }
    }
    std::fflush(stdout);
    return 0;
}

struct CpFlags {
    std::vector<std::string> paths; //!< sources..., destination
    CopyOptions copy;
    bool quiet = false;
    StorageFlags storage;
};

int run_cp(CpFlags& f) {
    auto options = f.storage.options();
    f.copy.store = options.value_or(ObjectStoreOptions{});
    f.copy.destination = f.paths.empty() ? "" : f.paths.back();
    f.copy.sources.assign(f.paths.begin(), f.paths.empty() ? f.paths.end() : f.paths.end() - 1);
    auto copied = options ? copy_tree(f.copy) : fail(options.error());
    if (copied && !f.quiet) {
        std::fprintf(stderr, "cp: %s -> %s\n", copied->line().c_str(), f.copy.destination.c_str());
    }
    return exit_status("cp", copied);
}

} // namespace

void add_storage_commands(CLI::App& app) {
    auto [ls_cmd, ls] = add_command<LsFlags>(
        app, "ls",
        "List a warehouse folder or object, like `aws s3 ls`: a local folder, file:// or s3://bucket/prefix.\n"
        "Sub-folders show as PRE lines unless --recursive; times are UTC.\n"
        "Example: ticklake ls -r --summarize s3://lake/market/trades/dt=2025-01-06",
        run_ls);
    ls_cmd->add_option("uri", ls->uri, "Folder or object to list")->capture_default_str();
    ls_cmd->add_flag("--recursive,-r", ls->format.recursive, "Every object below, with its path");
    ls_cmd->add_flag("--human-readable,-H", ls->format.human, "Sizes in KiB, MiB, GiB");
    ls_cmd->add_flag("--summarize", ls->format.summarize, "Print the number of objects and their total size");
    ls_cmd->add_flag("--json", ls->format.json, "One JSON object per line (key, size, modified; or prefix, objects, bytes)");
    ls->storage.add_to(*ls_cmd);

    auto [cat_cmd, cat] = add_command<CatFlags>(
        app, "cat",
        "Print objects to standard output, like `aws s3 cp URI -`: a local file or s3://bucket/key.\n"
        "Example: ticklake cat s3://lake/market/trades/dt=2025-01-06/ticks-p0-o0.jsonl | head",
        run_cat);
    cat_cmd->add_option("uri", cat->uris, "Objects to print, in order")->required();
    cat_cmd->add_flag("--force", cat->force, "Print binary (Parquet) content to a terminal too");
    cat->storage.add_to(*cat_cmd);

    auto [cp_cmd, cp] = add_command<CpFlags>(
        app, "cp",
        "Copy files to, from or between warehouses, like `aws s3 cp`: local paths and s3:// URIs.\n"
        "Large files go to S3 as parallel multipart uploads; several files are copied in parallel.\n"
        "A destination ending in '/' (or an existing folder) receives files under their own names.\n"
        "Examples: ticklake cp trades.parquet s3://lake/import/\n"
        "          ticklake cp -r ./warehouse s3://lake/wh      ticklake cp s3://lake/wh/a.parquet .",
        run_cp);
    cp_cmd->add_option("paths", cp->paths, "SOURCE... DESTINATION")->required()->expected(2, -1);
    cp_cmd->add_flag("--recursive,-r", cp->copy.recursive, "Copy every file below a folder or prefix, keeping paths");
    cp_cmd->add_option("--jobs,-j", cp->copy.jobs, "Files copied in parallel")->capture_default_str();
    cp_cmd->add_flag("--quiet,-q", cp->quiet, "No summary line");
    cp->storage.add_to(*cp_cmd, /*writes=*/true);
}

} // namespace ticklake::cli
