// One CSV line per Kafka message into the cells of a row (the sink's csv value format).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/csv_dialect.h"
#include "common/error.h"
#include "format/open_table.h"

namespace ticklake {

class CsvRowDecoder {
public:
    //! A ';' delimiter reads decimal commas (csv_dialect's rule).
    explicit CsvRowDecoder(char delimiter = ',') : delimiter_(delimiter) {
        style_.decimal = delimiter == ';' ? ',' : '.';
    }

    //! Column names, from --columns or the topic's header message, made column names by
    //! csv_dialect (byte-order mark, trimming, empty and repeated names).
    void set_columns(std::vector<std::string> columns);
    //! Cells that mean null (sink --null-values); default: csv_dialect's list.
    void set_null_tokens(CsvNullTokens nulls) { nulls_ = std::move(nulls); }
    const std::vector<std::string>& columns() const { return columns_; }
    //! The fields of one line, unquoted (RFC 4180: "" inside quotes is one "); a trailing
    //! CR/LF is ignored. Poison when a quote is not closed.
    Result<std::vector<std::string>> split(std::string_view line) const;

    //! Clears row, then adds one cell per field, named by the columns: a null token (an empty
    //! bare field, "null", "NA", ...) is NULL, "" an empty string, a number with thousands
    //! separators or a decimal comma the plain number, anything else text typed as the crawler
    //! types CSV (numbers, booleans, dates, timestamps, else string). A line with more fields than columns is
    //! poison; missing trailing fields are NULL.
    Status decode(std::string_view line, RowCells& row);

private:
    char delimiter_;
    CsvNumberStyle style_;
    CsvNullTokens nulls_;
    std::vector<std::string> columns_;
};

} // namespace ticklake
