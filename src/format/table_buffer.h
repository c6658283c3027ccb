// Accumulates the events of one warehouse table (trades, quotes, bars, or a record dataset)
// as columns, ready for a RecordWriter. Schemas are in docs/storage.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/event.h"
#include "format/column_batch.h"

namespace ticklake {

//! Warehouse table of an event: "trades", "quotes", "bars", or the record's dataset
//! name made safe for paths and SQL ([a-z0-9_], lower case; "records" when empty).
std::string table_name_for(const Event& e);

class TableBuffer {
public:
    explicit TableBuffer(EventType type);

    //! e.type must equal the buffer's type. Records may add columns; a column whose values
    //! disagree in type widens (boolean -> bigint -> float64 -> varchar).
    void append(const Event& e);

    size_t rows() const { return batch_.rows; }
    //! Rough in-memory size, for byte-based rotation.
    size_t approx_bytes() const { return approx_bytes_; }
    const ColumnBatch& batch() const { return batch_; }
    //! Row indexes ordered by (symbol, ts), ties kept in arrival (offset) order.
    std::vector<uint32_t> sorted_order() const;
    void clear();

private:
    EventType type_;
    ColumnBatch batch_;
    size_t approx_bytes_ = 0;
};

} // namespace ticklake
