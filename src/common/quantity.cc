#include "common/quantity.h"

#include <algorithm>

#include "common/text_type.h"

namespace ticklake {

Result<double> parse_quantity(const std::string& text, const QuantityKind& kind) {
    const std::string quoted = "'" + text + "'";
    size_t pos = 0;
    double value = 0;
    try {
        value = std::stod(text, &pos);
    } catch (...) {
        return fail(Error::invalid("not a " + std::string(kind.what) + ": " + quoted + " (examples: " +
                                   std::string(kind.examples) + ")"));
    }
    const std::string_view unit = std::string_view(text).substr(pos);
    const auto found = std::find_if(kind.table.begin(), kind.table.end(), [&](const QuantityUnit& u) {
        return kind.ignore_case ? iequals(unit, u.name) : unit == u.name;
    });
    if (found == kind.table.end()) {
        return fail(Error::invalid("unknown " + std::string(kind.what) + " unit in " + quoted + " (use " +
                                   std::string(kind.units) + ")"));
    }
    if (value < 0) {
        return fail(Error::invalid(std::string(kind.what) + " must not be negative: " + quoted));
    }
    return value * found->scale;
}

} // namespace ticklake
