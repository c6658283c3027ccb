#include "decode/schema_row_decoder.h"

namespace ticklake {

Result<ValueFormat> SchemaRowDecoder::format_of(std::string_view value) {
    auto frame = read_wire_frame(value);
    if (!frame) {
        return fail(frame.error());
    }
    auto s = schemas_->schema_by_id(frame->schema_id);
    if (!s) {
        return fail(s.error());
    }
    switch ((*s)->type) {
    case SchemaType::avro: return ValueFormat::avro;
    case SchemaType::protobuf: return ValueFormat::protobuf;
    case SchemaType::json: return ValueFormat::jsonschema;
    }
    return ValueFormat::avro;
}

Status SchemaRowDecoder::decode(std::string_view value, ValueFormat format, RowCells& row) {
    if (format == ValueFormat::automatic) {
        auto f = format_of(value);
        if (!f) {
            row.clear();
            return fail(f.error());
        }
        format = *f;
    }
    last_ = format;
    switch (format) {
    case ValueFormat::protobuf: return protobuf_.decode(value, row);
    case ValueFormat::jsonschema: return json_.decode(value, row);
    default: return avro_.decode(value, row);
    }
}

const RegisteredSchema* SchemaRowDecoder::last_schema() const {
    switch (last_) {
    case ValueFormat::avro: return avro_.last_schema();
    case ValueFormat::protobuf: return protobuf_.last_schema();
    case ValueFormat::jsonschema: return json_.last_schema();
    default: return nullptr;
    }
}

std::vector<std::pair<std::string, ValueType>> SchemaRowDecoder::last_columns() const {
    switch (last_) {
    case ValueFormat::avro: {
        const RegisteredSchema* s = avro_.last_schema();
        return s != nullptr && s->avro ? avro_columns(*s->avro) : std::vector<std::pair<std::string, ValueType>>{};
    }
    case ValueFormat::protobuf: return protobuf_.last_columns();
    case ValueFormat::jsonschema: return json_.last_columns();
    default: return {};
    }
}

} // namespace ticklake
