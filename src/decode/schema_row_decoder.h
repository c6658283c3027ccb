// Message values in the Schema Registry's wire format, whichever kind of schema their id names:
// Avro, Protobuf or JSON Schema. The sink keeps one of these per thread and tells it the topic's
// value format; with `auto`, the type of the id's schema (the registry's schemaType) decides.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "decode/avro_row_decoder.h"
#include "decode/json_schema_row_decoder.h"
#include "decode/protobuf_row_decoder.h"
#include "decode/value_format.h"
#include "format/open_table.h"

namespace ticklake {

class SchemaRowDecoder {
public:
    explicit SchemaRowDecoder(SchemaSource& schemas) : schemas_(&schemas), avro_(schemas), protobuf_(schemas), json_(schemas) {}

    //! The value format of a framed value: avro, protobuf or jsonschema, as its schema's type
    //! says. Errors are the registry client's (an unknown id is poison, an outage retry).
    Result<ValueFormat> format_of(std::string_view value);

    //! Decodes value as `format` (avro, protobuf, jsonschema; automatic: as format_of() says).
    //! A schema of another type than the format is poison with the reason.
    Status decode(std::string_view value, ValueFormat format, RowCells& row);

    //! The schema of the last value decoded, and the columns it declares (name and type).
    const RegisteredSchema* last_schema() const;
    std::vector<std::pair<std::string, ValueType>> last_columns() const;

private:
    SchemaSource* schemas_;
    AvroRowDecoder avro_;
    ProtobufRowDecoder protobuf_;
    JsonSchemaRowDecoder json_;
    ValueFormat last_ = ValueFormat::automatic; //!< which decoder decoded last
};

} // namespace ticklake
