// Classifiers: what one data file holds. Parquet is exact from its footer; JSON Lines and CSV
// are read whole (the row count needs every line anyway), so their column types come from
// every value, not from a sample that may miss a wider one further down.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "catalog/catalog_model.h"
#include "common/csv_dialect.h"
#include "common/error.h"
#include "crawler/parquet_footer_reader.h"
#include "storage/object_store.h"

namespace ticklake {

//! The format a file name says ("parquet", "jsonl", "csv"), or nullopt for files the crawler
//! does not read (and "compressed" for .zst/.bz2/.xz/... and unknown .gz, which it reports).
std::optional<std::string> format_of_key(std::string_view key);
//! "gzip" for *.gz (a .jsonl.gz or .csv.gz is read through zlib), else "none".
std::string compression_of_key(std::string_view key);

struct FileSchema {
    std::string format; //!< parquet | jsonl | csv
    std::string compression;
    Columns columns;
    int64_t rows = 0;
    std::optional<TimestampUs> ts_min; //!< range of the `ts` column, when it holds times
    std::optional<TimestampUs> ts_max;
    std::map<std::string, std::string> properties; //!< csv: delimiter, quote, header, quotes_seen, decimal, encoding, bom
    uint64_t bytes_read = 0;                       //!< fetched from the store to classify it
    FileOrigin origin; //!< from the sink's commit; else what the file's name says
};

struct ClassifyOptions {
    uint64_t chunk_bytes = 4u << 20;   //!< read_range size while streaming text files
    uint64_t sniff_bytes = 64u << 10;  //!< head of a CSV that decides delimiter, quote and header
    CsvNullTokens csv_nulls;           //!< CSV cells that mean null (crawl --null-values)
};

class FileClassifier {
public:
    FileClassifier(ParquetFooterReader& parquet, ClassifyOptions options = {})
        : parquet_(parquet), options_(options) {}

    //! Reads one object. Errors: poison when the file is not what its name says (the crawler
    //! reports and skips it), retry/fatal when the store fails.
    Result<FileSchema> classify(ObjectStore& store, const ObjectEntry& entry, const std::string& format);

private:
    Result<FileSchema> classify_jsonl(ObjectStore& store, const ObjectEntry& entry);
    Result<FileSchema> classify_csv(ObjectStore& store, const ObjectEntry& entry);

    ParquetFooterReader& parquet_;
    ClassifyOptions options_;
};

} // namespace ticklake
