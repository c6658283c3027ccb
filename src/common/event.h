// The canonical market-data events that travel through Kafka (see docs/events.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/timestamp.h"

namespace ticklake {

enum class EventType : uint8_t { trade, quote, bar, record };

const char* to_string(EventType type);
std::optional<EventType> parse_event_type(std::string_view text);

//! Version of the JSON wire schema, written as "v" in every message.
constexpr int kWireSchemaVersion = 1;

struct Trade {
    double price = 0;      //!< quote currency per unit
    double size = 0;       //!< units (shares, coins); fractional for crypto
    std::string exchange;  //!< venue code (MIC or vendor code); may be empty
    std::string side;      //!< aggressor side "buy" / "sell", or empty when unknown
};

struct Quote {
    double bid = 0;
    double bid_size = 0;
    double ask = 0;
    double ask_size = 0;
    std::string exchange;
};

struct Bar {
    std::string interval;  //!< "1m", "1h", "1d", ...: bar covers [ts, ts + interval)
    double open = 0;
    double high = 0;
    double low = 0;
    double close = 0;
    std::optional<double> adj_close;     //!< split/dividend-adjusted close (daily data)
    double volume = 0;
    std::optional<double> vwap;
    std::optional<int64_t> trade_count;
};

//! A value of a generic record: JSON's scalar types.
using FieldValue = std::variant<std::monostate, bool, int64_t, double, std::string>;

struct RecordField {
    std::string name;
    FieldValue value;
};

//! Any CSV/JSON row that is not a trade, quote or bar; lands in table `dataset`.
struct Record {
    std::string dataset;  //!< table name in the warehouse (e.g. the CSV file's stem)
    std::vector<RecordField> fields;
};

struct Event {
    EventType type = EventType::record;
    std::string id;        //!< unique per event; deterministic for simulated and replayed data
    std::string symbol;    //!< Kafka key; may be empty for records
    TimestampUs ts = 0;    //!< event time, UTC microseconds
    TimestampUs recv_ts = 0; //!< when ticklake received or generated it, UTC microseconds
    std::string source;    //!< "sim", "csv", vendor name...
    std::variant<Trade, Quote, Bar, Record> body;
};

} // namespace ticklake
