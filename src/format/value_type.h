// Types of the columns of open tables (topics whose values ticklake did not write: schemaless
// JSON, CSV lines, raw bytes), inferred from the values and widened as new values arrive.
// docs/storage.md ("Open tables") states the rules; this file is their one implementation.
//
// The lattice of scalars, narrowest first (null is "no type seen yet"):
//   null -> boolean -> bigint -> double -> varchar
//   null -> date -> timestamp -> varchar
// Any other pair of scalars meets at varchar. A struct widens field by field (the union of
// their fields), a list by its element type. A nested type beside a scalar, or a struct beside
// a list, has no common type: such a value cannot join the column (it goes to dead letters).
// decimal and blob only come from an explicit type (--column) or the raw format; they never widen.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace ticklake {

struct ValueType {
    enum class Kind : uint8_t { null, boolean, bigint, float64, date, timestamp, varchar, decimal, blob, list, structure };

    Kind kind = Kind::null;
    uint8_t precision = 0; //!< decimal
    uint8_t scale = 0;     //!< decimal
    std::vector<std::pair<std::string, ValueType>> fields; //!< structure, in first-seen order
    std::vector<ValueType> element;                         //!< list: exactly one

    ValueType() = default;
    explicit ValueType(Kind k) : kind(k) {}
    static ValueType list_of(ValueType e);
    static ValueType decimal_of(uint8_t precision, uint8_t scale);

    bool is_nested() const { return kind == Kind::list || kind == Kind::structure; }
    bool operator==(const ValueType&) const = default;
};

const char* to_string(ValueType::Kind kind);

//! The narrowest type holding values of both, or nullopt when none does (see the lattice).
std::optional<ValueType> widen(const ValueType& a, const ValueType& b);

//! DuckDB's spelling: BIGINT, DECIMAL(18,8), STRUCT("a" BIGINT, "b" VARCHAR[]), DOUBLE[].
//! A type never seen with a value (null) is VARCHAR; inside a nested type it, and an empty
//! struct, is JSON.
std::string duckdb_type_text(const ValueType& t);

//! The structure DuckDB's from_json() takes to read JSON text as this type:
//! {"a":"BIGINT","b":["VARCHAR"]}. Types no value has fixed yet, and empty structs, are "JSON"
//! (the text is kept as it is).
std::string json_structure(const ValueType& t);

//! Hive's spelling (Glue, Athena, Spark DDL): bigint, decimal(18,8), struct<a:bigint,b:array<string>>.
std::string hive_type_text(const ValueType& t);

//! Reads a Hive type name (as the catalog stores it) or a DuckDB one, case-insensitively:
//! boolean, tinyint..bigint, int, integer, float, double, real, string, varchar, char(n),
//! date, timestamp, decimal(p,s), binary, blob, array<T>, struct<a:T,...>, T[], STRUCT(a T, ...).
Result<ValueType> parse_type_text(std::string_view text);

} // namespace ticklake
