#include "sources/live/vendor_event.h"

#include <utility>

#include "sources/live/vendor_time.h"

namespace ticklake {

namespace {

template <class Body>
Event event_of(EventType type, std::string id, std::string_view symbol, TimestampUs ts, Body body) {
    Event e;
    e.type = type;
    e.id = std::move(id);
    e.symbol = std::string(symbol);
    e.ts = ts;
    e.body = std::move(body);
    return e;
}

} // namespace

Event vendor_event(std::string id, std::string_view symbol, TimestampUs ts, Trade body) {
    return event_of(EventType::trade, std::move(id), symbol, ts, std::move(body));
}

Event vendor_event(std::string id, std::string_view symbol, TimestampUs ts, Quote body) {
    return event_of(EventType::quote, std::move(id), symbol, ts, std::move(body));
}

Event vendor_event(std::string id, std::string_view symbol, TimestampUs ts, Bar body) {
    return event_of(EventType::bar, std::move(id), symbol, ts, std::move(body));
}

Bar ohlcv_bar(std::string interval, double open, double high, double low, double close, double volume) {
    Bar b;
    b.interval = std::move(interval);
    b.open = open;
    b.high = high;
    b.low = low;
    b.close = close;
    b.volume = volume;
    return b;
}

std::optional<TimestampUs> rfc3339_or_skip(std::string_view text, StreamContext& ctx) {
    auto ts = parse_rfc3339(text);
    if (!ts) {
        ctx.skip(ts.error().message);
        return std::nullopt;
    }
    return *ts;
}

} // namespace ticklake
