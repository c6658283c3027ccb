#include "crawler/commit_registrar.h"

#include <algorithm>

#include "common/version.h"
#include "crawler/parquet_footer_reader.h"

namespace ticklake {

std::optional<FileSchema> schema_of(const CommittedFile& file) {
    // An empty Parquet file has no row group, so no codec a footer would show.
    if (file.format != "parquet" || file.rows <= 0) {
        return std::nullopt;
    }
    FileSchema s;
    s.format = file.format;
    s.compression = file.compression;
    s.rows = file.rows;
    s.ts_min = file.ts_min;
    s.ts_max = file.ts_max;
    for (const auto& [name, type] : file.columns) {
        if (type.empty()) {
            return std::nullopt;
        }
        // The same translation a footer's types go through (parquet_footer_reader.h).
        s.columns.push_back({name, hive_type_of_duckdb(type)});
    }
    return s;
}

FileOrigin origin_of(const CommittedBatch& batch) {
    FileOrigin o;
    o.topic = batch.topic.str();
    o.kafka_partition = batch.partition.value();
    if (batch.first_offset.valid()) {
        o.first_offset = batch.first_offset.value();
    }
    if (batch.last_offset.valid()) {
        o.last_offset = batch.last_offset.value();
    }
    o.writer = std::string(kTicklakeVersion);
    return o;
}

CommitRegistrar::CommitRegistrar(ObjectStore& store, Catalog catalog, std::function<void(const std::string&)> report)
    : store_(store), catalog_(std::move(catalog)), crawler_(store, catalog_, CrawlOptions{}), report_(std::move(report)) {}

Result<std::unique_ptr<CommitRegistrar>> CommitRegistrar::open(ObjectStore& store, const std::filesystem::path& path,
                                                               std::function<void(const std::string&)> report) {
    auto catalog = Catalog::open(path.empty() ? default_catalog_path() : path);
    if (!catalog) {
        return fail(catalog.error());
    }
    return std::make_unique<CommitRegistrar>(store, std::move(*catalog), std::move(report));
}

Result<CrawlSummary> CommitRegistrar::register_batch(const CommittedBatch& batch) {
    std::vector<KnownFile> files;
    for (const auto& f : batch.files) {
        // Size and time as the store keeps them: a later crawl finds the file unchanged.
        auto entry = store_.stat(f.key);
        if (!entry) {
            return fail(entry.error());
        }
        if (*entry) {
            files.push_back({std::move(**entry), schema_of(f), origin_of(batch)});
        }
    }
    return crawler_.register_files(files);
}

void CommitRegistrar::on_commit(const CommittedBatch& batch) {
    auto r = register_batch(batch);
    if (!report_) {
        return;
    }
    if (!r && r.error().kind == ErrorKind::invalid_argument) {
        // A refusal (files outside the table's location) holds for every batch: each table's
        // (one line of the message) is said once.
        const std::string& all = r.error().message;
        for (size_t start = 0; start < all.size();) {
            const size_t end = std::min(all.find('\n', start), all.size());
            std::string line = all.substr(start, end - start);
            start = end + 1;
            if (refusals_.insert(line).second) {
                report_("catalog registration refused: " + line + "; the data is committed");
            }
        }
        return;
    }
    if (!r) {
        report_("catalog registration failed (" + r.error().message +
                "); the data is committed: `ticklake crawl` registers it");
        return;
    }
    for (const auto& note : r->notes) {
        report_("catalog: " + note);
    }
}

std::optional<std::vector<std::pair<std::string, std::string>>>
CommitRegistrar::existing_columns(const std::string& database, const std::string& table) {
    auto t = catalog_.table(database, table);
    if (!t || !t->has_value()) {
        return std::nullopt;
    }
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& c : (*t)->columns) {
        out.emplace_back(c.name, c.type);
    }
    return out;
}

} // namespace ticklake
