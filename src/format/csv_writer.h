// CSV (RFC 4180): header row, `,` between fields, CRLF after each row. A field holding `,` `"`
// CR or LF is quoted with its quotes doubled. NULL is an empty field and an empty string is `""`,
// which DuckDB's read_csv tells apart. Timestamps are ISO 8601 text.
#pragma once

#include "format/buffered_file.h"
#include "format/record_writer.h"
#include "format/row_block.h"

namespace ticklake {

class CsvWriter final : public RecordWriter {
public:
    std::string_view extension() const override { return "csv"; }
    Status write(const ColumnBatch& batch, std::span<const uint32_t> order, const std::filesystem::path& path) override;

private:
    BufferedFile file_; //!< reused across files for its buffer
    RowBlock block_;
};

} // namespace ticklake
