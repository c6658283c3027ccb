#include "format/text_row_writer.h"

#include <algorithm>

namespace ticklake {

Status TextRowWriter::write(const ColumnBatch& batch, std::span<const uint32_t> order,
                            const std::filesystem::path& path, std::span<const int> /*field_ids*/) {
    if (auto s = file_.open(path, direct_io_); !s) {
        return s;
    }
    std::string& out = file_.buffer();
    begin_file(batch, out);
    for (size_t at = 0; at < order.size(); at += RowBlock::kRows) {
        const auto rows = order.subspan(at, std::min(RowBlock::kRows, order.size() - at));
        if (!append_rows_as_is(batch, rows, out)) {
            if (batch.json_rows_only) {
                return fail(Error::invalid("this batch holds JSON Lines rows, not column values: only the JSON Lines writer writes it"));
            }
            block_.gather(batch, rows);
            for (size_t row = 0; row < block_.rows(); ++row) {
                append_row(batch, block_, row, out);
            }
        }
        if (auto s = file_.maybe_flush(); !s) {
            return s;
        }
    }
    return file_.close();
}

} // namespace ticklake
