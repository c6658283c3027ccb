// Confluent-framed JSON values whose schema is a JSON Schema (the sink's jsonschema value
// format). The frame is stripped and the JSON object is decoded as the json format decodes it
// (json_row_decoder); the schema only types the columns, so they do not depend on the first
// values seen: integer is BIGINT, number DOUBLE, boolean BOOLEAN, string VARCHAR (format
// date-time TIMESTAMP, format date DATE), object with properties STRUCT, array with items LIST,
// a type list of one type and "null" a nullable column. A property with any other schema ($ref,
// oneOf, no type) is left to the json format's inference. Values are not validated against the
// schema beyond that: a value that does not fit its column is a dead letter with the reason.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/error.h"
#include "decode/json_row_decoder.h"
#include "format/open_table.h"
#include "format/value_type.h"
#include "schema/schema_registry.h"

namespace ticklake {

//! The columns a JSON Schema object declares (property name and type, in schema order); a
//! schema that is not valid JSON is invalid_argument.
Result<std::vector<std::pair<std::string, ValueType>>> json_schema_columns(std::string_view schema_text);

//! Reuses its buffers from message to message: keep one per thread.
class JsonSchemaRowDecoder {
public:
    explicit JsonSchemaRowDecoder(SchemaSource& schemas) : schemas_(&schemas) {}

    //! Clears row, then adds one cell per field of the JSON object after the frame. A wrong
    //! frame, an unknown id, a schema of another type or a payload that is not one JSON object
    //! is poison with the reason; a registry that does not answer is the client's retry error.
    Status decode(std::string_view value, RowCells& row);

    const RegisteredSchema* last_schema() const { return last_ != nullptr ? last_->schema.get() : nullptr; }
    const std::vector<std::pair<std::string, ValueType>>& last_columns() const;

private:
    struct Known {
        std::shared_ptr<const RegisteredSchema> schema;
        std::vector<std::pair<std::string, ValueType>> columns;
    };
    Result<const Known*> known(int32_t id);

    SchemaSource* schemas_;
    JsonRowDecoder json_;
    std::unordered_map<int32_t, std::unique_ptr<Known>> known_;
    const Known* last_ = nullptr;
};

} // namespace ticklake
