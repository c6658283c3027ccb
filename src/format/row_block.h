// A block of rows of a batch, copied column by column in the order a text writer emits them.
// Writers visit rows in sorted, not stored, order; reading a row's cells one after the other
// then costs a cache and TLB miss per cell in a long dependent chain. Gathering one column
// at a time keeps many independent loads in flight, and rendering reads the block from cache.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "format/column_batch.h"

namespace ticklake {

struct Cell {
    std::string_view text; //!< varchar value; points into the batch
    union {
        int64_t i; //!< boolean, bigint, timestamp_us
        double d;  //!< float64
    };
    bool valid;
};

//! The cell of `row` in `col`.
inline Cell cell_at(const Column& col, size_t row) {
    Cell c;
    c.valid = col.valid[row] != 0;
    if (col.type == ColumnType::float64) {
        c.d = col.doubles[row];
    } else if (stored_in_strings(col.type)) {
        c.text = col.strings[row];
    } else {
        c.i = col.ints[row];
    }
    return c;
}

class RowBlock {
public:
    //! Rows per block: 9 columns of 512 cells stay within a core's L2 cache.
    static constexpr size_t kRows = 512;

    //! Copies the cells of `rows` (at most kRows) of every column of batch.
    void gather(const ColumnBatch& batch, std::span<const uint32_t> rows);
    size_t rows() const { return rows_; }
    const Cell& at(size_t column, size_t row) const { return cells_[column * kRows + row]; }

private:
    std::vector<Cell> cells_;
    size_t rows_ = 0;
};

} // namespace ticklake
