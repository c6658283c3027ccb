// One CSV line per Kafka message into the cells of a row (the sink's csv value format).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "format/open_table.h"

namespace ticklake {

class CsvRowDecoder {
public:
    explicit CsvRowDecoder(char delimiter = ',') : delimiter_(delimiter) {}

    //! Column names, from --columns or the topic's header message.
    void set_columns(std::vector<std::string> columns);
    const std::vector<std::string>& columns() const { return columns_; }
    //! The fields of one line, unquoted (RFC 4180: "" inside quotes is one "); a trailing
    //! CR/LF is ignored. Poison when a quote is not closed.
    Result<std::vector<std::string>> split(std::string_view line) const;

    //! Clears row, then adds one cell per field, named by the columns: an empty bare field is
    //! NULL, "" an empty string, anything else text typed as the crawler types CSV (numbers,
    //! booleans, dates, timestamps, else string). A line with more fields than columns is
    //! poison; missing trailing fields are NULL.
    Status decode(std::string_view line, RowCells& row);

private:
    char delimiter_;
    std::vector<std::string> columns_;
};

} // namespace ticklake
