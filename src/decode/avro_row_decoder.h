// Confluent-framed Avro message values into the cells of a row (the sink's avro value format).
// The frame names the schema id; the schema comes from a SchemaSource (the registry client,
// which caches it) and the Avro binary payload is walked against it. Each field of the top-level
// record becomes one cell, typed as avro_column_type() says, so the sink declares the table's
// columns from the schema instead of guessing them from values: decimals stay exact, timestamps
// keep their microseconds. docs/storage.md ("Schema Registry topics") lists the mapping.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/error.h"
#include "format/open_table.h"
#include "format/value_type.h"
#include "schema/schema_registry.h"

namespace ticklake {

//! The column type of values of Avro type n: records are STRUCT, arrays LIST, maps a LIST of
//! STRUCT(key, value) (Parquet's own layout of a map), a union of null and T is a nullable T,
//! any other union VARCHAR (its value as JSON text). decimal(p,s) is DECIMAL(p,s) up to p = 38
//! (VARCHAR above: DuckDB's limit), timestamp-millis/micros and their local forms TIMESTAMP,
//! date DATE, time-millis/micros BIGINT microseconds of the day, uuid and enum VARCHAR,
//! bytes and fixed BLOB.
ValueType avro_column_type(const AvroNode& n);

//! The columns of a record schema: (field name, type) in schema order. A root that is a union
//! of records (several event types on one topic, as `ticklake produce --value-format avro`
//! sends them) has the fields of all its records, each name once (its first record's type). A
//! schema whose root is anything else has one column, `value`.
std::vector<std::pair<std::string, ValueType>> avro_columns(const AvroSchema& schema);

//! Reuses its buffers from message to message: keep one per thread.
class AvroRowDecoder {
public:
    explicit AvroRowDecoder(SchemaSource& schemas) : schemas_(&schemas) {}

    //! Clears row, then adds one cell per field of the record in `value`. Views in the cells
    //! stay valid until the next decode(). A wrong frame, an unknown id, or a payload that does
    //! not decode against its schema is poison with the reason; a registry that does not
    //! answer is the registry client's retry error.
    Status decode(std::string_view value, RowCells& row);

    //! The schema of the last message whose schema was found.
    const RegisteredSchema* last_schema() const { return last_.get(); }

private:
    struct Known {
        std::shared_ptr<const RegisteredSchema> schema;
        //! per record the root may be (one; or each branch of a root union of records), the
        //! type of each of its fields (nested cells point here)
        std::vector<std::vector<ValueType>> field_types;
    };
    Result<const Known*> known(int32_t id);

    SchemaSource* schemas_;
    std::unordered_map<int32_t, std::unique_ptr<Known>> known_;
    std::shared_ptr<const RegisteredSchema> last_;
};

} // namespace ticklake
