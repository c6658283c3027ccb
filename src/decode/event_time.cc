#include "decode/event_time.h"

#include <charconv>
#include <cmath>
#include <string>

#include "common/text_type.h"

namespace ticklake {

namespace {

Error unreadable(const CellValue& v) {
    std::string shown(v.text.substr(0, 40));
    return Error::poison("event time '" + shown + (v.text.size() > 40 ? "...'" : "'") +
                         " is not ISO 8601, a date or an epoch number");
}

} // namespace

Result<TimestampUs> event_time_of(CellValue& v) {
    switch (v.kind) {
    case CellValue::Kind::timestamp: return v.i;
    case CellValue::Kind::integer: return epoch_to_micros(static_cast<double>(v.i));
    case CellValue::Kind::real:
        if (!std::isfinite(v.d)) {
            return fail(Error::poison("event time is not a finite number"));
        }
        return epoch_to_micros(v.d);
    case CellValue::Kind::string:
    case CellValue::Kind::text: {
        if (const TextType t = classify_text(v.text); t == TextType::int32 || t == TextType::int64) {
            double d = 0;
            auto [p, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), d);
            if (ec == std::errc() && p == v.text.data() + v.text.size()) {
                return epoch_to_micros(d);
            }
        }
        if (v.time_kind == CellValue::kTimeUnknown) {
            auto t = parse_event_time(v.text);
            v.time_kind = !t ? CellValue::kNotATime : v.text.size() == 10 ? CellValue::kDate : CellValue::kTimestamp;
            v.time_us = t ? *t : 0;
        }
        if (v.time_kind != CellValue::kNotATime) {
            return v.time_us;
        }
        return fail(unreadable(v));
    }
    case CellValue::Kind::null: return fail(Error::poison("event time is null"));
    default: return fail(Error::poison("event time is an object, an array or bytes, not a time"));
    }
}

} // namespace ticklake
