// How a vendor's message becomes an Event. Every protocol builds its events here, so an event
// always gets its type from its body, and a time that does not parse is skipped the same way
// for every vendor. What stays in each protocol is the vendor's own facts: which fields, the
// event id's layout, and the event time's clock.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/event.h"
#include "sources/live/stream_protocol.h"

namespace ticklake {

//! An event of `symbol` at `ts` with the vendor's event id; its type is the body's. The
//! emitter stamps the receive time and the source when it is emitted.
Event vendor_event(std::string id, std::string_view symbol, TimestampUs ts, Trade body);
Event vendor_event(std::string id, std::string_view symbol, TimestampUs ts, Quote body);
Event vendor_event(std::string id, std::string_view symbol, TimestampUs ts, Bar body);

//! A bar of the five values every vendor sends; vwap and trade_count are the caller's.
Bar ohlcv_bar(std::string interval, double open, double high, double low, double close, double volume);

//! The UTC time of an RFC 3339 text (Alpaca, Coinbase), or nothing when it does not parse:
//! the message is then skipped with the reason.
std::optional<TimestampUs> rfc3339_or_skip(std::string_view text, StreamContext& ctx);

} // namespace ticklake
