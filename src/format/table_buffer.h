// Accumulates the events of one warehouse table (trades, quotes, bars, or a record dataset)
// as columns, ready for a RecordWriter. Schemas are in docs/storage.md.
// @locality one thread (the sink's writer for that table); not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/event.h"
#include "common/table_name.h"
#include "format/column_batch.h"
#include "format/row_order.h"

namespace ticklake {

//! Warehouse table of an event: "trades", "quotes", "bars", or the record's dataset
//! name made safe for paths and SQL ([a-z0-9_], lower case; "records" when empty).
std::string table_name_for(const Event& e);

//! The shared rule of common/table_name.h, under the name sink/ and cli/ call it by.
inline std::string safe_table_name(std::string_view name, std::string_view fallback) {
    return table_name(name, fallback);
}

//! Number of columns every table starts with: id, symbol, ts, recv_ts, source.
constexpr size_t kCommonColumnCount = 5;

class TableBuffer {
public:
    //! json_rows (the JSON Lines sink; not for records): keep each row as its JSON Lines text
    //! (ColumnBatch::json_rows) and, of the values, only ts; the columns keep their names and
    //! types. Only JsonlWriter writes such a batch (ColumnBatch::json_rows_only).
    explicit TableBuffer(EventType type, bool json_rows = false);

    //! Reserves room for rows like those of `hint` (a typed table's columns; records only
    //! reserve their common columns, their fields come and go).
    void reserve(const TableSizeHint& hint);
    TableSizeHint size_hint() const;

    //! e.type must equal the buffer's type. Records may add columns; a column whose values
    //! disagree in type widens (boolean -> bigint -> float64 -> varchar).
    void append(const Event& e) { append(e, {}); }
    //! With json_rows: `json_row` is the row as JsonlWriter would write it (see
    //! ColumnBatch::json_rows); empty when the caller has none, and then it is written from `e`.
    void append(const Event& e, std::string_view json_row);

    EventType type() const { return type_; }
    size_t rows() const { return batch_.rows; }
    //! Rough in-memory size, for byte-based rotation.
    size_t approx_bytes() const { return approx_bytes_; }
    const ColumnBatch& batch() const { return batch_; }
    //! Row indexes ordered by (symbol, ts), ties kept in arrival (offset) order.
    //! Symbols compare as bytes; a NULL symbol (records) sorts as "".
    std::vector<uint32_t> sorted_order() const;
    //! The event time of each row (the ts column), in arrival order.
    const std::vector<int64_t>& event_times() const;
    //! Adds a column derived from the rows (e.g. their event date) after the last append; the
    //! buffer then takes no more rows until clear(). Kept row texts stay: JsonlWriter adds the
    //! column's value to each.
    void add_derived_column(Column c);
    //! Drops all rows, keeping allocations. A record table also forgets its field columns:
    //! the next file's schema comes from the next file's rows.
    void clear();

private:
    struct StringHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    using StringIndex = std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>>;

    void reset_schema();
    void add_column(std::string name, ColumnType type);
    void append_record_fields(const Record& r);
    size_t column_for_field(size_t position, const std::string& field);
    void set_field(size_t col, const FieldValue& value);
    void retype(Column& c, ColumnType to);

    EventType type_;
    ColumnBatch batch_;
    size_t approx_bytes_ = 0;
    bool derived_columns_ = false; //!< add_derived_column() was called since the last clear()
    std::string render_scratch_; //!< json_rows: the text of a row appended without one

    RowOrder order_;

    //! Records only. Field name -> column index; names of columns in lower case (DuckDB and
    //! Athena compare identifiers case-insensitively); the field each column came from; whether a
    //! column has seen a non-null value (its type is then fixed up to widening).
    StringIndex field_columns_;
    std::unordered_set<std::string> lower_names_;
    std::vector<std::string> column_field_;
    std::vector<uint8_t> typed_;
    //! Column of each field position in the previous record: rows of one dataset nearly always
    //! repeat the same fields in the same order, so this skips the hash lookup.
    std::vector<uint32_t> previous_fields_;
};

} // namespace ticklake
