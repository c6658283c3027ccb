// JSON Lines: one object per row, keys in column order, timestamps as ISO 8601 text, NULL as null.
#pragma once

#include <string>
#include <vector>

#include "format/text_row_writer.h"

namespace ticklake {

class JsonlWriter final : public TextRowWriter {
public:
    using TextRowWriter::TextRowWriter;
    std::string_view extension() const override { return "jsonl"; }

private:
    void begin_file(const ColumnBatch& batch, std::string& out) override;
    void append_row(const ColumnBatch& batch, const RowBlock& block, size_t row, std::string& out) override;
    bool append_rows_as_is(const ColumnBatch& batch, std::span<const uint32_t> rows, std::string& out) override;

    //! `{"id":` then `,"symbol":` ...: each key rendered once per file.
    std::vector<std::string> keys_;
};

} // namespace ticklake
