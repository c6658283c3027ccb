// Rows of one table held column by column, the unit every RecordWriter writes.
#pragma once

#include <cstdint>
#include <string>
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
    std::vector<std::string> strings;
    std::vector<uint8_t> valid; //!< 1 = value present, 0 = NULL

    bool is_null(size_t row) const { return valid[row] == 0; }
};


struct ColumnBatch {
    std::vector<Column> columns;
    size_t rows = 0;
};


} // namespace ticklake
