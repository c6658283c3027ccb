// `ticklake crawl`: lists a warehouse through the ObjectStore seam (local folder or S3), groups
// files into tables (table_layout.h), reads only files the catalog does not know at their
// size and mtime (file_classifier.h), and records tables, partitions, files and schema versions
// in the catalog, committing every `batch_files` files so a crash loses at most one batch and
// never leaves the catalog inconsistent.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "crawler/file_classifier.h"
#include "crawler/table_layout.h"
#include "storage/object_store.h"

namespace ticklake {

//! What a crawl does when files bring columns the table lacks or wider types.
enum class OnSchemaChange {
    update, //!< the table takes the new columns and types, with a new schema version
    log,    //!< the table stays as it is; the change is reported (files are still registered)
};

struct CrawlProgress {
    size_t files_done = 0;    //!< files read so far
    size_t files_to_read = 0; //!< new or changed files found by the listing
    std::string table;        //!< being crawled now
};

struct CrawlOptions {
    LayoutOptions layout;
    bool full = false; //!< read every file again and rebuild each table's schema
    OnSchemaChange on_change = OnSchemaChange::update;
    size_t batch_files = 500;     //!< files per catalog transaction
    size_t threads = 4;           //!< files read at once; S3 latency bound
    ClassifyOptions classify;
    std::filesystem::path scratch; //!< for Parquet footers of remote files; empty: a private temp folder
    std::function<void(const CrawlProgress&)> progress; //!< called after each file read
};

struct CrawlSummary {
    size_t tables_added = 0;
    size_t tables_updated = 0;
    size_t tables_unchanged = 0;
    size_t partitions_added = 0;
    size_t partitions_removed = 0;
    size_t schema_versions = 0;
    size_t files_listed = 0;
    size_t files_read = 0;
    size_t files_unchanged = 0; //!< known at the same size and mtime: not read
    size_t files_removed = 0;   //!< in the catalog, gone from the warehouse
    size_t files_skipped = 0;   //!< unreadable, unknown format or misplaced: see notes
    size_t files_ignored = 0;   //!< hidden or --exclude
    uint64_t bytes_read = 0;
    std::vector<std::string> notes; //!< what a person should look at: schema differences, skipped files
    double seconds = 0;
};

//! An object whose schema the caller already knows (the sink wrote it), or does not (nullopt:
//! it is read, as register_keys() would).
struct KnownFile {
    ObjectEntry entry;
    std::optional<FileSchema> schema;
    FileOrigin origin; //!< what the writer knows of the rows' Kafka offsets, taken as given
};

class ScratchDir;

//! @locality one caller thread at a time (it holds one catalog connection); files of a batch are
//! read on worker threads of its own, which touch only the ObjectStore (thread-safe) and their
//! own classifier.
class Crawler {
public:
    Crawler(ObjectStore& store, Catalog& catalog, CrawlOptions options);
    ~Crawler();

    //! Crawls the whole warehouse. A store failure stops the crawl with an error; what was
    //! committed before stays and the next crawl goes on from there.
    Result<CrawlSummary> run();

    //! Registers just these objects (files the sink has made durable), as a crawl that lists
    //! only them would: their tables and partitions are created or updated, other files of
    //! those tables are left as they are (never taken as removed). Absent keys are ignored.
    Result<CrawlSummary> register_keys(const std::vector<std::string>& keys);

    //! Registers these objects as register_keys() does, with nothing listed: each given schema
    //! is taken as read, so only files without one are read.
    Result<CrawlSummary> register_files(const std::vector<KnownFile>& files);

private:
    Status prepare();
    Result<CrawlSummary> crawl_entries(const std::vector<ObjectEntry>& entries, bool partial);
    Status crawl_table(const TableGroup& group, bool partial, CrawlSummary& summary, size_t& done, size_t total);
    //! The files' schemas in their order, read on up to options_.threads threads.
    std::vector<Result<FileSchema>> classify_all(const std::vector<const DataFile*>& files, const std::string& format,
                                                 bool partial);
    //! Sets the origins register_files() was given on the schemas read or given.
    void add_origins(const std::vector<const DataFile*>& files, std::vector<Result<FileSchema>>& schemas) const;
    Status crawl_table_once(const TableGroup& group, bool partial, CrawlSummary& summary, size_t& done,
                            size_t total);

    ObjectStore& store_;
    Catalog& catalog_;
    CrawlOptions options_;
    std::unique_ptr<ScratchDir> scratch_; //!< for Parquet footers of remote objects
    //! One footer reader per reading thread.
    std::vector<std::unique_ptr<ParquetFooterReader>> parquets_;
    std::vector<std::unique_ptr<FileClassifier>> classifiers_;
    //! Schemas given by register_files(), by key; consulted instead of reading while it runs.
    std::map<std::string, FileSchema> given_;
    //! Origins given by register_files(), by key; added to what is read or given.
    std::map<std::string, FileOrigin> origins_;
};

} // namespace ticklake
