// Avro object container files, the form of Iceberg's manifests and manifest lists: the header
// (magic "Obj\x01", a metadata map with avro.schema and avro.codec, a 16-byte sync marker), then
// blocks of records, each followed by the marker. Written with the null codec (the spec allows it,
// and manifests are small); read with null or deflate. The record bytes are Avro's binary encoding
// (AvroEncoder writes them, AvroDatum reads them back against the schema in the header, parsed by
// schema/'s AvroSchema).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "schema/avro_schema.h"

namespace ticklake::iceberg {

//! Avro's binary encoding, appended to a string: longs and ints as zig-zag varints, strings and
//! bytes with their length, a union as its branch index then the value.
class AvroEncoder {
public:
    AvroEncoder& long_(int64_t v);
    AvroEncoder& int_(int32_t v) { return long_(v); }
    AvroEncoder& bool_(bool v);
    AvroEncoder& string(std::string_view s);
    AvroEncoder& bytes(std::string_view s) { return string(s); }
    AvroEncoder& branch(int index) { return long_(index); } //!< a union's branch, before its value
    AvroEncoder& null_() { return branch(0); }              //!< a ["null", T] union's null
    //! An array or map: one block of `count` items (written next by the caller), then the end
    //! marker once with end_blocks(). An empty one is end_blocks() alone.
    AvroEncoder& block(int64_t count) { return count > 0 ? long_(count) : *this; }
    AvroEncoder& end_blocks() { return long_(0); }
    std::string take() { return std::move(out_); }
    const std::string& str() const { return out_; }

private:
    std::string out_;
};

//! A whole container file: header with schema_json and metadata, one block of `records` (each
//! already encoded), and a random sync marker.
std::string write_avro_file(std::string_view schema_json, const std::map<std::string, std::string>& metadata,
                            const std::vector<std::string>& records);

//! One decoded value, shaped by its schema node: records hold their fields in schema order in
//! `items`, arrays their elements, maps their values (with `keys`); a union holds the chosen
//! branch's value (a null branch is kind null).
struct AvroDatum {
    const AvroNode* node = nullptr; //!< the node of the value (a union's chosen branch)
    int64_t number = 0;             //!< int, long, boolean, enum index
    double real = 0;
    std::string text;               //!< string, bytes, fixed
    std::vector<AvroDatum> items;
    std::vector<std::string> keys;

    bool is_null() const { return node == nullptr || node->type == AvroNode::Type::null; }
    //! A record's field by name; nullptr when absent or null.
    const AvroDatum* field(std::string_view name) const;
};

struct AvroFileContent {
    std::shared_ptr<const AvroSchema> schema;
    std::map<std::string, std::string> metadata; //!< avro.schema, avro.codec and the writer's own
    std::vector<AvroDatum> records;
};

//! Reads a container file (codec null or deflate); a malformed file is invalid_argument.
Result<AvroFileContent> read_avro_file(std::string_view bytes);

} // namespace ticklake::iceberg
