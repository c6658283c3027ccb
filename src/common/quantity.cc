#include "common/quantity.h"

#include <algorithm>
#include <cmath>

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

Result<int64_t> parse_duration_us(const std::string& text) {
    static constexpr QuantityUnit kUnits[] = {{"", 1e6}, {"s", 1e6},    {"ms", 1e3},
                                              {"us", 1}, {"m", 60e6}, {"h", 3600e6}, {"d", 86400e6}};
    static constexpr QuantityKind kDuration{"duration", "250ms, 30s, 5m, 1h, 1d or plain seconds",
                                            "us, ms, s, m, h or d; a plain number is seconds", kUnits};
    auto v = parse_quantity(text, kDuration);
    if (!v) {
        return fail(v.error());
    }
    // stod reads "nan" and "inf" too; ~3,000 years is far beyond any timeout and fits int64.
    if (!std::isfinite(*v) || *v > 1e17) {
        return fail(Error::invalid("not a duration: '" + text + "' (examples: 250ms, 30s, 5m, 1h, 1d)"));
    }
    return static_cast<int64_t>(std::llround(*v));
}

} // namespace ticklake
