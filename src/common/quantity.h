#pragma once
// A number with a unit, as flags take them: `500MB`, `30s`, `1.5h`. One parser for every kind
// of quantity; each kind brings its unit table and the words of its errors.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/error.h"

namespace ticklake {

struct QuantityUnit {
    std::string_view name; //!< "" is the unit of a bare number
    double scale;
};

struct QuantityKind {
    std::string_view what;     //!< "size", "duration"
    std::string_view examples; //!< shown when the number cannot be read
    std::string_view units;    //!< shown when the unit is unknown
    std::span<const QuantityUnit> table;
    bool ignore_case = false;
};

//! The value times its unit's scale; invalid_argument for no number, an unknown unit, or a
//! negative value.
Result<double> parse_quantity(const std::string& text, const QuantityKind& kind);

//! The one reading of a duration flag: "250ms", "30s", "5m", "1h", "1d", "7us", or a plain
//! number of seconds ("30", "1.5") -> microseconds. invalid_argument otherwise.
Result<int64_t> parse_duration_us(const std::string& text);

} // namespace ticklake
