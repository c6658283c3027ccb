// `ticklake serve`: the web console (console/) on 127.0.0.1:8787: the lake's tables, SQL, charts
// and the pipeline, in a browser, with the process's /metrics on the same server.
#include <cstdio>
#include <cstdlib>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "common/quantity.h"
#include "console/access_token.h"
#include "console/console_server.h"
#include "query/query_engine.h"

namespace ticklake::cli {

namespace {

struct ServeFlags {
    console::ConsoleOptions options;
    std::string token_file;
    std::string max_bytes = "10GB";
    std::string timeout = "30s";
    std::string cache_dir;
    StorageFlags storage;
    CatalogFlags catalog;
};

Result<console::ConsoleOptions> options_of(ServeFlags& f) {
    console::ConsoleOptions o = f.options;
    auto token = console::load_token(f.token_file, std::getenv("TICKLAKE_TOKEN"));
    auto store = token ? f.storage.options() : fail(token.error());
    auto timeout = store ? parse_duration_us(f.timeout) : fail(store.error());
    auto limits = timeout ? query::query_limits(f.max_bytes, *timeout) : fail(timeout.error());
    if (!limits) {
        return fail(limits.error());
    }
    o.token = *token;
    o.api.limits = *limits;
    auto& e = o.api.engine;
    if (const char* env = std::getenv("TICKLAKE_WAREHOUSE"); e.warehouse.empty() && env != nullptr) {
        e.warehouse = env;
    }
    e.catalog = f.catalog.path;
    e.store = *store;
    e.cache_dir = f.cache_dir;
    e.note = [](const std::string& note) { std::fprintf(stderr, "serve: %s\n", note.c_str()); };
    return o;
}

int run_serve(ServeFlags& f) {
    auto options = options_of(f);
    if (!options) {
        return report_error("serve", options.error());
    }
    install_stop_signals();
    const bool token = !options->token.empty();
    auto st = console::serve_console(std::move(*options), stop_requested, [token](const std::string& url) {
        std::fprintf(stderr, "serve: the console is at %s%s (Ctrl-C stops it)\n", url.c_str(),
                     token ? " (open it as URL#token=TOKEN, or paste the token when asked)" : "");
        std::printf("%s\n", url.c_str());
        std::fflush(stdout);
    });
    return exit_status("serve", st);
}

} // namespace

void add_serve_command(CLI::App& app) {
    auto [cmd, f] = add_command<ServeFlags>(
        app, "serve",
        "Web console: browse the catalog's tables, run SQL, see candlesticks with volume and VWAP, and watch\n"
        "the pipeline, in a browser. One HTTP server for the page, its JSON API (/api/...) and /metrics.\n"
        "Binds 127.0.0.1:8787; another address only with a token (--token-file or $TICKLAKE_TOKEN), which\n"
        "every API request must then send as \"Authorization: Bearer TOKEN\".\n"
        "Queries have the guardrails of `ticklake query` (read-only, warehouse files only), a scan cutoff\n"
        "and a timeout. Prints the console's URL on stdout once it serves.\n"
        "Example: ticklake serve --catalog .state/catalog.db",
        run_serve);
    cmd->add_option("--listen", f->options.listen,
                    "HOST:PORT to serve on (default 127.0.0.1:8787; off the loopback only with a token)");
    cmd->add_option("--token-file", f->token_file,
                    "File whose first line is the token API requests must send (else $TICKLAKE_TOKEN; never on the "
                    "command line, where ps shows it)");
    cmd->add_option("--watch", f->options.api.watch,
                    "/metrics URL of a running sink (its --metrics-addr), for the pipeline view; repeatable");
    f->catalog.add_to(*cmd, true);
    cmd->add_option("--warehouse,-w", f->options.api.engine.warehouse,
                    "Serve a warehouse's folders directly instead of the catalog's tables (also $TICKLAKE_WAREHOUSE)");
    cmd->add_option("--max-bytes-scanned", f->max_bytes, "Cancel a query that reads more than this")->capture_default_str();
    cmd->add_option("--timeout", f->timeout, "Interrupt a query running longer than this")->capture_default_str()->type_name("DURATION");
    cmd->add_option("--max-rows", f->options.api.max_rows, "Rows a query's answer carries at most")->capture_default_str();
    cmd->add_option("--memory-limit", f->options.api.engine.memory_limit, "DuckDB memory limit (e.g. 2GB)");
    cmd->add_option("--threads", f->options.api.engine.threads, "DuckDB threads (default: all cores)");
    cmd->add_option("--cache-dir", f->cache_dir, "Where S3 files are cached for queries");
    f->storage.add_to(*cmd);
}

} // namespace ticklake::cli
