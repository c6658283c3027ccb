// `ticklake crawl`: warehouse files -> tables, partitions and schema versions in the catalog.
// The work is crawler/crawler.h, the summary crawler/crawl_report.h; this file prints.
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "common/csv_dialect.h"
#include "crawler/crawl_report.h"
#include "crawler/crawler.h"
#include "storage/object_location.h"

namespace ticklake::cli {

namespace {

struct CrawlFlags {
    std::string warehouse;
    CatalogFlags catalog;
    CrawlOptions options;
    std::string on_change = "update";
    std::string s3_endpoint;
    std::optional<std::string> null_values;
    bool json = false;
    ProgressFlags progress;
};

int run_crawl(CrawlFlags& f) {
    f.options.on_change = f.on_change == "log" ? OnSchemaChange::log : OnSchemaChange::update;
    if (f.null_values) {
        f.options.classify.csv_nulls = CsvNullTokens::parse(*f.null_values);
    }
    if (f.options.batch_files < 1) {
        return report_error("crawl", Error::invalid("--batch-files must be at least 1"));
    }
    if (auto st = check_warehouse_folder(f.warehouse); !st) {
        return report_error("crawl", st.error());
    }
    ObjectStoreOptions so;
    so.s3_endpoint = f.s3_endpoint;
    auto store = open_object_store(f.warehouse, so);
    if (!store) {
        return report_error("crawl", store.error());
    }
    const auto path = f.catalog.file();
    auto catalog = Catalog::open(path);
    if (!catalog) {
        return report_error("crawl", catalog.error());
    }
    CrawlProgressLine status(CrawlProgressLine::Clock::now());
    if (f.progress.enabled()) {
        f.options.progress = [&status](const CrawlProgress& p) {
            std::fputs(status.on(p, CrawlProgressLine::Clock::now()).c_str(), stderr);
        };
    }
    std::fprintf(stderr, "crawl: %s -> catalog %s\n", (*store)->uri().c_str(), path.c_str());
    Crawler crawler(**store, *catalog, f.options);
    auto r = crawler.run();
    if (!r) {
        return report_error("crawl", Error{r.error().kind, r.error().message +
                                                               " (what was committed before stays; crawl again to go on)"});
    }
    for (const auto& line : crawl_summary_lines(*r)) {
        std::fprintf(stderr, "crawl: %s\n", line.c_str());
    }
    if (f.json) {
        std::fputs(crawl_summary_json(*r, (*store)->uri(), path.string()).c_str(), stdout);
    }
    return 0;
}

} // namespace

void add_crawl_command(CLI::App& app) {
    auto [cmd, f] = add_command<CrawlFlags>(
        app, "crawl",
        "Find the tables in a warehouse and record them in the catalog, as a Glue crawler does.\n"
        "Tables by path: WAREHOUSE/<database>/<table>/... (the sink's layout), or <table>/... in --database;\n"
        "folders below a table are partitions (key=value gives key, other folders partition_0, partition_1, ...);\n"
        "a file in the warehouse root is a table of its own. Names starting with _ or . are skipped.\n"
        "Schemas: Parquet exact from the footer (only the footer is fetched from S3); JSON Lines and CSV\n"
        "read whole (rows are counted exactly), types widening bool -> int -> bigint -> double -> string,\n"
        "dates and timestamps recognised. A repeat crawl reads only files that are new or changed (by size\n"
        "and mtime); every schema change is a new version (`ticklake catalog history TABLE`).",
        run_crawl);
    cmd->add_option("warehouse", f->warehouse,
                    "Warehouse to crawl: a folder, file:// URI or s3://bucket/prefix (AWS credentials and "
                    "AWS_ENDPOINT_URL_S3 from the environment)")
        ->required();
    f->catalog.add_to(*cmd);
    f->options.layout.default_database = "default";
    cmd->add_option("--database", f->options.layout.default_database,
                    "Database for tables that have no database folder (WAREHOUSE/<table>/... or root files)")
        ->capture_default_str();
    cmd->add_option("--exclude", f->options.layout.excludes,
                    "Glob over keys to leave out, repeatable: * stays within a folder, ** crosses folders "
                    "(e.g. --exclude '*/dead_letters/**')");
    cmd->add_flag("--full", f->options.full,
                  "Read every file again and rebuild each table's schema (also after a partition layout change)");
    cmd->add_option("--on-change", f->on_change,
                    "When files bring new columns or wider types: update the table (new schema version), or "
                    "log the change and keep the table as it is")
        ->check(CLI::IsMember({"update", "log"}))
        ->capture_default_str();
    cmd->add_option("--batch-files", f->options.batch_files,
                    "Files per catalog transaction: a crash loses at most this much work, never consistency")
        ->capture_default_str();
    cmd->add_option("--threads", f->options.threads,
                    "Files read at once; on S3 a file costs one GET (the last 64 KiB of a Parquet file, all of a "
                    "JSON/CSV file), so the crawl is bound by request latency and more threads help")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--s3-endpoint", f->s3_endpoint, "S3 endpoint override, e.g. http://127.0.0.1:9000 for MinIO");
    cmd->add_option("--null-values", f->null_values,
                    "CSV cells that mean null besides the empty one, comma-separated (default: " +
                        std::string(kDefaultCsvNullValues) + "); numeric columns holding them stay numeric");
    cmd->add_flag("--json", f->json, "Print the summary as JSON on stdout");
    f->progress.add_to(*cmd);
}

} // namespace ticklake::cli
