// An Avro schema (the JSON text a Schema Registry holds) parsed into a tree of nodes that the
// binary decoder walks. Only what decoding needs is kept: types, logical types, record fields,
// enum symbols, union branches, fixed sizes. Named types may be referenced by name after their
// definition (full names with namespaces, as the Avro specification resolves them).
//
// @locality immutable once parsed: shared between threads through shared_ptr<const AvroSchema>.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace ticklake {

struct AvroNode;

struct AvroField {
    std::string name;
    const AvroNode* type = nullptr;
};

struct AvroNode {
    enum class Type : uint8_t { null, boolean, int32, int64, float32, float64, bytes, string, record, enumeration, array, map, union_, fixed };
    enum class Logical : uint8_t {
        none,
        decimal,                //!< bytes or fixed: two's-complement big-endian unscaled value
        date,                   //!< int: days since 1970-01-01
        time_millis,            //!< int: milliseconds after midnight
        time_micros,            //!< long: microseconds after midnight
        timestamp_millis,       //!< long: UTC milliseconds
        timestamp_micros,       //!< long: UTC microseconds
        local_timestamp_millis, //!< long: milliseconds of a local wall clock (stored as given)
        local_timestamp_micros, //!< long
        uuid,                   //!< string
    };
    Type type = Type::null;
    Logical logical = Logical::none;
    int precision = 0;     //!< decimal
    int scale = 0;         //!< decimal
    size_t fixed_size = 0; //!< fixed
    std::string name;      //!< full name of a record, enum or fixed
    std::vector<AvroField> fields;          //!< record, in schema order
    std::vector<std::string> symbols;       //!< enumeration
    std::vector<const AvroNode*> branches;  //!< union
    const AvroNode* items = nullptr;        //!< array items, map values

    //! The non-null branch of a union of null and one other type, else null.
    const AvroNode* nullable_of() const;
};

class AvroSchema {
public:
    //! Parses the schema's JSON text. Anything the specification does not allow (an unknown
    //! type name, a record without fields, a decimal without precision) is invalid_argument.
    static Result<std::shared_ptr<const AvroSchema>> parse(std::string_view json);

    const AvroNode& root() const { return *root_; }

private:
    std::deque<AvroNode> nodes_; //!< a deque: growing it never moves the nodes pointers refer to
    const AvroNode* root_ = nullptr;
    friend class AvroSchemaParser;
};

} // namespace ticklake
