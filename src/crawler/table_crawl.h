// One attempt at crawling one table (Crawler::crawl_table_once): what the catalog knows of it,
// what the listing says, and the TableChanges that bring the one to the other, a batch of
// files at a time. Internal to the crawler; Crawler retries an attempt the catalog refused.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "catalog/catalog.h"
#include "crawler/crawler.h"

namespace ticklake {

//! Reads the schemas of these files (all of the table's format), in their order.
using ClassifyFiles =
    std::function<std::vector<Result<FileSchema>>(const std::vector<const DataFile*>&, const std::string& format)>;

//! @locality the crawling thread; `classify` may fan out to its own workers.
class TableCrawl {
public:
    //! `done` counts files read across tables (for progress), out of `total`.
    TableCrawl(ObjectStore& store, Catalog& catalog, const CrawlOptions& options, const TableGroup& group,
               bool partial, CrawlSummary& summary, ClassifyFiles classify, size_t& done, size_t total);

    //! Brings the catalog up to the listing; adds what it did and found to the summary.
    Status run();

private:
    using Values = std::vector<std::string>; //!< a partition's values, one per key
    //! One catalog transaction's worth of files.
    struct Batch {
        TableChange change;
        std::set<Values> partitions; //!< whose location and schema the change sets
    };

    Result<bool> load_catalog();
    //! invalid_argument when the listed files are not under the existing table's location.
    Status check_location() const;
    void diff_with_listing();
    Status find_removed();
    void start_table();
    Status crawl_batches();
    std::vector<const DataFile*> readable_files(size_t start, size_t end);
    Status read_batch(size_t start, size_t end, Batch& batch);
    void absorb(const DataFile& f, FileSchema schema, Batch& batch);
    void add_removals(Batch& batch);
    void describe_table(TableChange& change, bool last_batch);
    Columns partition_keys_now() const;
    void add_partitions(Batch& batch);
    Status commit(TableChange& change);
    Status report();
    const Catalog::PartitionSet* only() const { return partial_ ? &named_ : nullptr; }

    ObjectStore& store_;
    Catalog& catalog_;
    const CrawlOptions& options_;
    const TableGroup& group_;
    const bool partial_; //!< registration of some files: the others are neither read nor removed
    CrawlSummary& summary_;
    ClassifyFiles classify_;
    size_t& done_;
    const size_t total_;
    const std::string qualified_;

    // What the catalog had, and how the listing differs.
    std::optional<TableDef> existing_;
    Catalog::PartitionSet named_; //!< partitions of the listed files
    std::unordered_map<std::string, FileDef> known_;
    std::set<Values> partitions_before_;
    std::vector<const DataFile*> to_read_; //!< new or changed
    std::set<std::string> listed_;         //!< keys that stay (listed, or found again)
    std::vector<std::string> removed_;     //!< sorted

    // The table as the batches change it.
    bool is_new_ = false;
    bool created_ = false;       //!< a change has been committed
    bool table_changed_ = false; //!< a committed change gave a new schema version
    int version_ = 0;            //!< what the next change is computed from
    TableDef table_;
    Columns merged_; //!< columns of every file read so far (and, unless --full, the table's)
    std::map<std::string, std::string> first_seen_; //!< column -> first file that had it
    std::map<Values, Columns> partition_columns_;
    std::map<Values, std::string> partition_location_;
    std::set<Values> all_values_;
    std::set<Values> touched_;           //!< partitions that got files
    std::vector<std::string> unapplied_; //!< --on-change log
};

} // namespace ticklake
