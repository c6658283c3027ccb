// JSON Lines: one object per row, keys in column order, timestamps as ISO 8601 text, NULL as null.
#pragma once

#include "format/buffered_file.h"
#include "format/record_writer.h"
#include "format/row_block.h"

namespace ticklake {

class JsonlWriter final : public RecordWriter {
public:
    std::string_view extension() const override { return "jsonl"; }
    Status write(const ColumnBatch& batch, std::span<const uint32_t> order, const std::filesystem::path& path) override;

private:
    BufferedFile file_; //!< reused across files for its buffer
    RowBlock block_;
};

} // namespace ticklake
