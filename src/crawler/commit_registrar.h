// Registration on commit: the sink's CommitListener that records each committed batch's files in
// the catalog as a crawl would, from the sink's own description of them: one stat per file
// (size and time, as a later crawl compares them), no listing, and no read of a Parquet file.
// JSON Lines and CSV files are still read once each, because a crawl infers their column types
// from the text (int or bigint by magnitude), which the sink's types do not tell.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "crawler/crawler.h"
#include "sink/commit_listener.h"
#include "storage/object_store.h"

namespace ticklake {

//! The schema a crawl would read from the file `file` describes, when the description says it
//! exactly (Parquet with every column type known, and rows); nullopt otherwise.
std::optional<FileSchema> schema_of(const CommittedFile& file);

//! Topic, partition, offset range and writer of every file of a committed batch.
FileOrigin origin_of(const CommittedBatch& batch);

//! @locality the sink's thread (on_commit), like the catalog connection it holds.
class CommitRegistrar final : public CommitListener {
public:
    //! `report` hears what a person should see (failures, schema notes); may be empty.
    CommitRegistrar(ObjectStore& store, Catalog catalog, std::function<void(const std::string&)> report = {});
    //! Opens the catalog at `path` (the default one when empty) for registering into.
    static Result<std::unique_ptr<CommitRegistrar>> open(ObjectStore& store, const std::filesystem::path& path,
                                                         std::function<void(const std::string&)> report);

    //! Registers the batch; a failure is reported, never thrown: the data is committed and a
    //! later `ticklake crawl` registers what was missed.
    void on_commit(const CommittedBatch& batch) override;
    Result<CrawlSummary> register_batch(const CommittedBatch& batch);

    //! An open table's columns (name, Hive type) as the catalog has them, nullopt for a table it
    //! does not know: what SinkOptions::existing_columns asks.
    std::optional<std::vector<std::pair<std::string, std::string>>> existing_columns(const std::string& database,
                                                                                     const std::string& table);

    Catalog& catalog() { return catalog_; }

private:
    ObjectStore& store_;
    Catalog catalog_; //!< before crawler_, which holds a reference to it
    Crawler crawler_;
    std::function<void(const std::string&)> report_;
    std::set<std::string> refusals_; //!< reported already
};

} // namespace ticklake
