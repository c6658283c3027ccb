// Rows of one table held column by column, the unit every RecordWriter writes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ticklake {

enum class ColumnType : uint8_t {
    boolean,      //!< stored in ints as 0/1
    bigint,       //!< ints
    float64,      //!< doubles
    varchar,      //!< strings (UTF-8)
    timestamp_us, //!< ints: UTC microseconds since the epoch
    date,         //!< ints: days since 1970-01-01
    decimal,      //!< strings: the number as plain decimal text ("-12.5"); Column::type_text says DECIMAL(p,s)
    blob,         //!< strings: bytes, any value
    nested,       //!< strings: minified JSON of a STRUCT or LIST value; Column::type_text says which
};

//! SQL name of the type as DuckDB, Athena and the docs spell it: "BOOLEAN", "BIGINT",
//! "DOUBLE", "VARCHAR", "TIMESTAMP", "DATE", "DECIMAL", "BLOB", "NESTED" (see sql_type()).
const char* to_string(ColumnType type);

//! True when the type keeps its values in Column::ints.
constexpr bool stored_in_ints(ColumnType type) {
    return type == ColumnType::boolean || type == ColumnType::bigint || type == ColumnType::timestamp_us ||
           type == ColumnType::date;
}

//! True when the type keeps its values in Column::strings.
constexpr bool stored_in_strings(ColumnType type) {
    return type == ColumnType::varchar || type == ColumnType::decimal || type == ColumnType::blob ||
           type == ColumnType::nested;
}

//! The string values of one column end to end in one buffer, with the end offset of each
//! (Arrow's layout). A sink holds millions of short strings (ids, symbols, venues): one
//! allocation per column instead of one per value longer than std::string's inline buffer,
//! no 32-byte header per value, and nothing to free value by value on the writer's thread.
class StringColumn {
public:
    size_t size() const { return ends_.size(); }
    bool empty() const { return ends_.empty(); }
    std::string_view operator[](size_t i) const {
        const uint64_t begin = i == 0 ? 0 : ends_[i - 1];
        return {bytes_.data() + begin, static_cast<size_t>(ends_[i] - begin)};
    }
    std::string_view back() const { return (*this)[size() - 1]; }
    void push_back(std::string_view s) {
        bytes_.append(s);
        ends_.push_back(bytes_.size());
    }
    //! Appends an empty value (the slot of a NULL).
    void push_empty() { ends_.push_back(bytes_.size()); }
    //! Appends a value built in place: `fill` appends its bytes to the string it is given.
    template <class Fill>
    void push_built(Fill&& fill) {
        fill(bytes_);
        ends_.push_back(bytes_.size());
    }
    void pop_back() {
        ends_.pop_back();
        bytes_.resize(ends_.empty() ? 0 : ends_.back());
    }
    //! Adds empty values up to n (never shrinks).
    void pad_to(size_t n) { ends_.resize(std::max(n, ends_.size()), bytes_.size()); }
    void clear() {
        bytes_.clear();
        ends_.clear();
    }
    void reserve(size_t values, size_t bytes) {
        ends_.reserve(values);
        bytes_.reserve(bytes);
    }
    //! Bytes of all values together.
    size_t byte_size() const { return bytes_.size(); }
    std::vector<std::string> to_vector() const {
        std::vector<std::string> out;
        out.reserve(size());
        for (size_t i = 0; i < size(); ++i) {
            out.emplace_back((*this)[i]);
        }
        return out;
    }

private:
    std::string bytes_;
    std::vector<uint64_t> ends_;
};

struct Column {
    std::string name;
    ColumnType type = ColumnType::varchar;
    //! decimal: DuckDB's type (DECIMAL(18,8)); nested: the structure DuckDB's from_json() reads
    //! the JSON text with ({"a":"BIGINT","b":["DOUBLE"]}).
    std::string type_text;
    //! Exactly one of these holds the values (see ColumnType); all have `rows` entries
    //! (a null slot holds 0 / "" and valid = 0).
    std::vector<int64_t> ints;
    std::vector<double> doubles;
    StringColumn strings;
    std::vector<uint8_t> valid; //!< 1 = value present, 0 = NULL

    bool is_null(size_t row) const { return valid[row] == 0; }
};


//! How large a table's last file was: a new buffer reserves that much up front, so its columns
//! do not grow by doubling (a copy of every value so far and fresh pages at each step).
struct TableSizeHint {
    size_t rows = 0;
    std::vector<size_t> string_bytes; //!< per column; 0 for columns not held as strings
    size_t json_row_bytes = 0;        //!< ColumnBatch::json_rows

    //! Reserves room in c, column `index` of the table, for the rows of the hint.
    void reserve(Column& c, size_t index) const {
        if (rows == 0) {
            return;
        }
        c.valid.reserve(rows);
        if (c.type == ColumnType::float64) {
            c.doubles.reserve(rows);
        } else if (stored_in_strings(c.type)) {
            c.strings.reserve(rows, index < string_bytes.size() ? string_bytes[index] : 0);
        } else {
            c.ints.reserve(rows);
        }
    }
};

struct ColumnBatch {
    std::vector<Column> columns;
    size_t rows = 0;
    //! Each row as JsonlWriter writes its first `json_row_columns` columns, without the opening
    //! brace and line end (the members, then `}`): the JSON Lines sink's messages that are
    //! already in that form (common/event_json.h, wire_row_members), the others written once
    //! from their event. JsonlWriter copies it and adds any later column (a derived `dt`).
    //! Used only when it holds exactly `rows` values.
    StringColumn json_rows;
    size_t json_row_columns = 0;
    //! The rows are json_rows alone: of the first json_row_columns columns only `ts` holds
    //! values (TableBuffer's json_rows). A writer that needs the columns refuses the batch.
    bool json_rows_only = false;
};


} // namespace ticklake
