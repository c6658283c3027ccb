// Tables whose columns come from the data: topics ticklake did not write (schemaless JSON,
// CSV lines, raw bytes). A decoder turns one message into RowCells (typed views into the
// message, no copies); OpenTableBuffer checks the whole row against the table's OpenSchema,
// then appends it straight into columns, widening the schema where a value needs it.
// A row that fits nowhere (an object where the table has a number, one field too many) is
// refused whole with the reason, and nothing of it is kept. Rules: docs/storage.md.
//
// @locality one thread (the sink's) owns a schema and every buffer of its table.
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/timestamp.h"
#include "common/unaligned.h"
#include "format/column_batch.h"
#include "format/row_order.h"
#include "format/value_type.h"

namespace ticklake {

constexpr uint32_t kNoColumn = UINT32_MAX;

//! One value of a row being decoded. `text` views the message or RowCells' own storage.
struct CellValue {
    enum class Kind : uint8_t {
        null,
        boolean,   //!< b
        integer,   //!< i; text: the number as written
        real,      //!< d; text: the number as written
        string,    //!< text: a JSON string (a date or timestamp when it reads as one)
        text,      //!< text: a CSV field, typed as the crawler types CSV (number, boolean, date, ...)
        json,      //!< text: minified JSON of an object or array; nested: its type
        bytes,     //!< text: raw bytes
        timestamp, //!< i: UTC microseconds
    };
    Kind kind = Kind::null;
    bool b = false;
    int64_t i = 0;
    double d = 0;
    std::string_view text;
    const ValueType* nested = nullptr;
    // Whether text reads as a date or timestamp, worked out once (see OpenTableBuffer).
    static constexpr int8_t kTimeUnknown = -1, kNotATime = 0, kDate = 1, kTimestamp = 2;
    int8_t time_kind = kTimeUnknown;
    int64_t time_us = 0; //!< the time text reads as, when it does
};

//! A cell as the decoder gives it, and what OpenTableBuffer's check made of it.
struct RowCell {
    std::string_view field;      //!< message key; unused when column is preset
    uint32_t column = kNoColumn; //!< preset for columns the sink fills (Kafka metadata)
    CellValue value;
    // Filled by the check, read by the append.
    bool skip = false;       //!< a later cell of the same field wins
    ValueType::Kind kind = ValueType::Kind::null; //!< the column's kind once this value is in it
    const ValueType* type = nullptr; //!< ... and its whole type, for decimal and nested kinds
    bool is_null = false;
    int64_t as_int = 0;
    double as_double = 0;
    std::string_view as_text;
};

//! The cells of one row, reused message after message (no allocation once warm).
class RowCells {
public:
    void clear();
    CellValue& add(std::string_view field);
    CellValue& add_to_column(uint32_t column);
    //! A string that lives until clear(): for text that is not in the message as it must be
    //! stored (unescaped CSV fields, minified JSON, rendered numbers).
    std::string& new_string();
    ValueType& new_type();
    //! The last cell of `field`, or null.
    RowCell* find(std::string_view field);
    //! Drops every cell of `field` (not those of preset columns).
    void remove_field(std::string_view field);
    std::span<RowCell> cells() { return {cells_.data(), used_}; }
    std::span<const RowCell> cells() const { return {cells_.data(), used_}; }

private:
    RowCell& next_cell();

    //! cells_[0, used_) are this row's; the rest are kept from earlier rows, to be reset and
    //! reused (a fresh RowCell costs a 144-byte clear per field of every message).
    std::vector<RowCell> cells_;
    size_t used_ = 0;
    std::deque<std::string> strings_; //!< a deque: growing it never moves the strings views point into
    size_t strings_used_ = 0;
    std::deque<ValueType> types_;
    size_t types_used_ = 0;
};

namespace open_key {

// Field names are short (a message's keys are mostly under 16 bytes): compared with two
// overlapping loads from each end, never reading past either text, instead of a call to memcmp
// per key. A row of 12 keys made that call the largest part of OpenSchema::find.
inline bool same_key(std::string_view a, std::string_view b) {
    const size_t n = a.size();
    if (n != b.size()) {
        return false;
    }
    const char* x = a.data();
    const char* y = b.data();
    if (n >= 8) {
        if (n > 16) {
            return std::memcmp(x, y, n) == 0;
        }
        return ((load_u64(x) ^ load_u64(y)) | (load_u64(x + n - 8) ^ load_u64(y + n - 8))) == 0;
    }
    if (n >= 4) {
        return ((load_u32(x) ^ load_u32(y)) | (load_u32(x + n - 4) ^ load_u32(y + n - 4))) == 0;
    }
    for (size_t i = 0; i < n; ++i) {
        if (x[i] != y[i]) {
            return false;
        }
    }
    return true;
}

} // namespace open_key

struct OpenColumn {
    std::string name;   //!< in the files: the field name, made unique ignoring case ("x", "X_2")
    std::string field;  //!< message key it is filled from; empty for columns the sink fills
    ValueType type;     //!< null until a value with a type arrives (such a column is not written)
    bool fixed = false; //!< explicit (--column) or Kafka metadata: values convert to it, it never widens
    bool seeded = false; //!< known from the catalog before any message named it
};

//! The columns of one open table, shared by all its buffers (every partition and file).
class OpenSchema {
public:
    //! reserved: names no column may take, ignoring case (the table's partition keys).
    OpenSchema(std::vector<std::string> reserved, size_t max_columns);

    //! A column the table already has (from the catalog), before any message.
    void seed(std::string name, ValueType type);
    //! A column of fixed type: filled from `field`, or by the sink when field is empty.
    uint32_t declare(std::string field, std::string_view name, ValueType type);

    //! The column filled from `field`, or kNoColumn. `previous`: the column of the row's field
    //! before it (kNoColumn for the first, or a new field), which predicts this one. Not an
    //! optional: its two parts written apart and read back as one word stalled every call.
    uint32_t find(std::string_view field, uint32_t previous) {
        const size_t slot = previous == kNoColumn ? 0 : size_t{previous} + 1;
        if (slot < next_after_.size()) { // inline: it runs for every field of every message
            auto& [a, b] = next_after_[slot];
            if (a != kNoColumn && open_key::same_key(columns_[a].field, field)) {
                return a;
            }
            if (b != kNoColumn && open_key::same_key(columns_[b].field, field)) {
                std::swap(a, b);
                return a;
            }
        }
        return find_slow(field, slot);
    }
    //! A new column for field (see docs/storage.md for the naming rule).
    uint32_t add(std::string_view field, ValueType type);
    void set_type(uint32_t column, ValueType type);

    const std::vector<OpenColumn>& columns() const { return columns_; }
    size_t max_columns() const { return max_columns_; }
    //! Incremented by every new column and every widening: buffers compare it to catch up.
    uint64_t generation() const { return generation_; }
    //! The size of the table's last finished buffer, by column (OpenTableBuffer reserves it).
    const TableSizeHint& size_hint() const { return size_hint_; }
    void set_size_hint(TableSizeHint hint) { size_hint_ = std::move(hint); }

private:
    struct StringHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    uint32_t find_slow(std::string_view field, size_t slot);
    uint32_t push(OpenColumn c);
    std::string unique_name(std::string_view wanted) const;

    std::vector<OpenColumn> columns_;
    std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> by_field_;
    std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> by_lower_name_;
    std::vector<std::string> reserved_; //!< lower case
    //! The last two columns that followed each column in a row (index: column + 1, 0 for a
    //! row's start). Messages of one topic repeat a few shapes (trades and quotes), so this
    //! skips most hash lookups. Keyed by position instead, a topic mixing two shapes at random
    //! guessed wrong at every position after they part; keyed by the field before, only there.
    std::vector<std::pair<uint32_t, uint32_t>> next_after_;
    size_t max_columns_;
    uint64_t generation_ = 0;
    TableSizeHint size_hint_;
};

class OpenTableBuffer {
public:
    explicit OpenTableBuffer(OpenSchema& schema) : schema_(&schema) {}

    //! Adds the row, or refuses it (ErrorKind::poison, with the reason) and changes nothing.
    //! symbol orders rows in the file (the Kafka key); ts is the row's event time.
    Status append(RowCells& row, std::string_view symbol, TimestampUs ts);

    size_t rows() const { return batch_.rows; }
    size_t approx_bytes() const { return approx_bytes_; }
    //! Brings every column to the schema's current type and adds columns this buffer has not
    //! seen as NULL; drops columns without a type yet. The batch is then ready to write, and
    //! nothing more may be appended.
    const ColumnBatch& finish();
    const ColumnBatch& batch() const { return batch_; }
    std::vector<uint32_t> sorted_order() const { return order_.sorted(ts_); }
    //! The event time of each row, in arrival order.
    const std::vector<int64_t>& event_times() const { return ts_; }
    //! Adds a column derived from the rows (e.g. their event date) after finish().
    void add_derived_column(Column c) { batch_.columns.push_back(std::move(c)); }

private:
    Status check(RowCells& row, size_t& new_columns);
    static std::string misfit(const RowCell& cell, const OpenColumn& col);
    void ensure_column(uint32_t col);
    void sync_columns();
    void retype(uint32_t col, const ValueType& to);
    void push(uint32_t col, const RowCell& cell);
    void push_null(uint32_t col);

    OpenSchema* schema_;
    ColumnBatch batch_;
    std::vector<ValueType> types_; //!< type each column of batch_ holds now
    std::vector<int64_t> ts_;
    RowOrder order_;
    size_t approx_bytes_ = 0;
    uint64_t generation_ = UINT64_MAX; //!< schema generation the columns were last brought to
    std::vector<uint32_t> seen_in_row_; //!< per column: 1 + index of the row's cell that sets it
    std::vector<uint32_t> touched_;     //!< columns whose seen_in_row_ the current check set
};

//! Plain decimal text of `text` (a JSON number or numeric string) with exactly `scale`
//! fractional digits (rounded half away from zero), or nullopt when it is not a number or
//! does not fit decimal(precision, scale).
std::optional<std::string> normalize_decimal(std::string_view text, int precision, int scale);

} // namespace ticklake
