// CSV (RFC 4180): header row, `,` between fields, CRLF after each row. A field holding `,` `"`
// CR or LF is quoted with its quotes doubled. NULL is an empty field and an empty string is `""`,
// which DuckDB's read_csv tells apart. Timestamps are ISO 8601 text.
#pragma once

#include "format/text_row_writer.h"

namespace ticklake {

class CsvWriter final : public TextRowWriter {
public:
    using TextRowWriter::TextRowWriter;
    std::string_view extension() const override { return "csv"; }

private:
    void begin_file(const ColumnBatch& batch, std::string& out) override;
    void append_row(const ColumnBatch& batch, const RowBlock& block, size_t row, std::string& out) override;
};

} // namespace ticklake
