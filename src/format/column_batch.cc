#include "format/column_batch.h"

namespace ticklake {

const char* to_string(ColumnType type) {
    switch (type) {
    case ColumnType::boolean: return "BOOLEAN";
    case ColumnType::bigint: return "BIGINT";
    case ColumnType::float64: return "DOUBLE";
    case ColumnType::varchar: return "VARCHAR";
    case ColumnType::timestamp_us: return "TIMESTAMP";
    case ColumnType::date: return "DATE";
    case ColumnType::decimal: return "DECIMAL";
    case ColumnType::blob: return "BLOB";
    case ColumnType::nested: return "NESTED";
    }
    return "VARCHAR";
}



} // namespace ticklake
