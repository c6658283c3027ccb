// Prices and sizes sent as decimal text ("0.35280000"). Events hold doubles and the wire
// writes the shortest text that reads back as the same double, so any decimal of at most 15
// significant digits survives exactly (same value, trailing zeros aside). Longer ones may
// not: parse_decimal says so, and the source counts them instead of hiding the loss.
#pragma once

#include <string_view>

namespace ticklake {

struct DecimalValue {
    double value = 0;
    bool ok = false;    //!< the text was a decimal number
    bool exact = false; //!< value prints back as the same decimal number
};

DecimalValue parse_decimal(std::string_view text);

//! True when both texts denote the same decimal number ("0.3528" and "0.35280000", "1e2" and "100").
bool same_decimal(std::string_view a, std::string_view b);

} // namespace ticklake
