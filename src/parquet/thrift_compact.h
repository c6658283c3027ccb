// Thrift's compact protocol as a tree: a Parquet footer decoded into fields it keeps whole
// (known or not), edited, and encoded again. parquet_slice.cc rewrites footers this way, so a
// field this code does not know survives the rewrite unchanged instead of being dropped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace ticklake::parquet {

//! Compact-protocol type codes (a field header's low nibble).
enum class ThriftType : uint8_t {
    bool_true = 1, bool_false = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6,
    dbl = 7, binary = 8, list = 9, set = 10, map = 11, structure = 12,
};

struct ThriftField;

//! One value of any type. Booleans keep their type code (bool_true / bool_false).
struct ThriftValue {
    ThriftType type = ThriftType::structure;
    int64_t integer = 0;        //!< byte, i16, i32, i64; a double's bits
    std::string binary;         //!< binary (strings too)
    ThriftType element = ThriftType::byte; //!< list/set element type; map key type
    ThriftType map_value = ThriftType::byte;
    std::vector<ThriftValue> elements;     //!< list/set elements; map keys and values alternating
    std::vector<ThriftField> fields;       //!< a struct's fields, in the order read

    //! The field `id` of a struct, or nullptr.
    const ThriftValue* field(int id) const;
    ThriftValue* field(int id);
    //! Sets (replacing or appending) field `id`.
    void set(int id, ThriftValue value);
    //! Removes field `id` when present.
    void erase(int id);

    // Defined below ThriftField: building a ThriftValue needs vector<ThriftField> complete
    // (clang with libstdc++ 12 refuses it inside this class body).
    static ThriftValue i64(int64_t v);
    static ThriftValue i32(int32_t v);
    static ThriftValue scalar(ThriftType t, int64_t v);
    static ThriftValue bytes(std::string_view b);
    static ThriftValue list(ThriftType element, std::vector<ThriftValue> elements);
};

struct ThriftField {
    int16_t id = 0;
    ThriftValue value;
};

inline ThriftValue ThriftValue::scalar(ThriftType t, int64_t v) {
    ThriftValue out;
    out.type = t;
    out.integer = v;
    return out;
}
inline ThriftValue ThriftValue::i64(int64_t v) { return scalar(ThriftType::i64, v); }
inline ThriftValue ThriftValue::i32(int32_t v) { return scalar(ThriftType::i32, v); }
inline ThriftValue ThriftValue::bytes(std::string_view b) {
    ThriftValue out;
    out.type = ThriftType::binary;
    out.binary.assign(b);
    return out;
}
inline ThriftValue ThriftValue::list(ThriftType element, std::vector<ThriftValue> elements) {
    ThriftValue out;
    out.type = ThriftType::list;
    out.element = element;
    out.elements = std::move(elements);
    return out;
}

//! Decodes one struct from the front of `bytes`; `consumed` gets its length. Poison on
//! malformed input (cut short, nesting deeper than 64, counts beyond the bytes left).
Result<ThriftValue> decode_thrift_struct(std::string_view bytes, size_t* consumed = nullptr);

//! Encodes a struct; decode(encode(v)) == v for any decoded v.
std::string encode_thrift_struct(const ThriftValue& value);

} // namespace ticklake::parquet
