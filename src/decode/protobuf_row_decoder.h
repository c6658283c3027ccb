// Confluent-framed Protobuf message values into the cells of a row (the sink's protobuf value
// format). After the frame (magic byte 0, schema id) comes the message index path (a zig-zag
// varint count, then that many zig-zag varints; a count of 0 stands for [0], the file's first
// message) and then the Protobuf binary message. The registry holds the schema as .proto text:
// it is parsed here at run time (protobuf's compiler::Parser, then a DescriptorPool in which
// its imports are the registry's references or protobuf's well-known types), and messages are
// read through DynamicMessageFactory and reflection. Each top-level field becomes one cell
// typed as protobuf_column_type() says. docs/storage.md ("Schema Registry topics") lists the
// mapping. libprotobuf is used in this file only (and its .cc).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "format/open_table.h"
#include "format/value_type.h"
#include "schema/schema_registry.h"

namespace ticklake {

//! Reuses its buffers and messages from message to message: keep one per thread.
class ProtobufRowDecoder {
public:
    explicit ProtobufRowDecoder(SchemaSource& schemas);
    ~ProtobufRowDecoder();
    ProtobufRowDecoder(const ProtobufRowDecoder&) = delete;
    ProtobufRowDecoder& operator=(const ProtobufRowDecoder&) = delete;

    //! Clears row, then adds one cell per field of the message in `value`. Views in the cells
    //! stay valid until the next decode(). A wrong frame, an unknown id, a schema that does not
    //! parse, a message index the schema lacks or a payload that does not parse is poison with
    //! the reason; a registry that does not answer is the registry client's retry error.
    Status decode(std::string_view value, RowCells& row);

    //! The schema of the last message decoded, and the columns of its message type (field
    //! name and type, in field order).
    const RegisteredSchema* last_schema() const;
    const std::vector<std::pair<std::string, ValueType>>& last_columns() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace ticklake
