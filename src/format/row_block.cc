#include "format/row_block.h"

namespace ticklake {

void RowBlock::gather(const ColumnBatch& batch, std::span<const uint32_t> rows) {
    rows_ = rows.size();
    cells_.resize(batch.columns.size() * kRows);
    for (size_t c = 0; c < batch.columns.size(); ++c) {
        const Column& col = batch.columns[c];
        Cell* out = cells_.data() + c * kRows;
        for (size_t j = 0; j < rows.size(); ++j) {
            out[j] = cell_at(col, rows[j]);
        }
    }
}

} // namespace ticklake
