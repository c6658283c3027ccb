// The body fields of trades, quotes and bars, listed once. The JSON writer, the JSON parser
// (common/event_json.cc) and the warehouse schema (format/table_buffer.cc) all walk these
// tables, so a field is added or renamed in one place and the three cannot drift apart.
// Order matters: it is the order of the wire JSON and of the table columns (docs/events.md,
// docs/storage.md).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/event.h"

namespace ticklake {

enum class FieldKind : uint8_t {
    number,           //!< double; a JSON number, never null
    optional_number,  //!< std::optional<double>; a JSON number or null
    text,             //!< std::string; a JSON string, never null
    nullable_text,    //!< std::string; a JSON string, null on input reads as ""
    optional_integer, //!< std::optional<int64_t>; a JSON integer or null
};

//! One field of an event body: its wire and column name, how it is typed, whether a message
//! without it is rejected, and the member it lives in (only the one of its kind is set).
template <class Body>
struct BodyField {
    std::string_view name;
    FieldKind kind;
    bool required = false;
    double Body::*number = nullptr;
    std::optional<double> Body::*optional_number = nullptr;
    std::string Body::*text = nullptr;
    std::optional<int64_t> Body::*optional_integer = nullptr;
};

inline constexpr std::array<BodyField<Trade>, 4> kTradeFields{{
    {.name = "price", .kind = FieldKind::number, .required = true, .number = &Trade::price},
    {.name = "size", .kind = FieldKind::number, .required = true, .number = &Trade::size},
    {.name = "exchange", .kind = FieldKind::nullable_text, .text = &Trade::exchange},
    {.name = "side", .kind = FieldKind::nullable_text, .text = &Trade::side},
}};

inline constexpr std::array<BodyField<Quote>, 5> kQuoteFields{{
    {.name = "bid", .kind = FieldKind::number, .required = true, .number = &Quote::bid},
    {.name = "bid_size", .kind = FieldKind::number, .number = &Quote::bid_size},
    {.name = "ask", .kind = FieldKind::number, .required = true, .number = &Quote::ask},
    {.name = "ask_size", .kind = FieldKind::number, .number = &Quote::ask_size},
    {.name = "exchange", .kind = FieldKind::nullable_text, .text = &Quote::exchange},
}};

inline constexpr std::array<BodyField<Bar>, 9> kBarFields{{
    {.name = "interval", .kind = FieldKind::text, .text = &Bar::interval},
    {.name = "open", .kind = FieldKind::number, .required = true, .number = &Bar::open},
    {.name = "high", .kind = FieldKind::number, .required = true, .number = &Bar::high},
    {.name = "low", .kind = FieldKind::number, .required = true, .number = &Bar::low},
    {.name = "close", .kind = FieldKind::number, .required = true, .number = &Bar::close},
    {.name = "adj_close", .kind = FieldKind::optional_number, .optional_number = &Bar::adj_close},
    {.name = "volume", .kind = FieldKind::number, .number = &Bar::volume},
    {.name = "vwap", .kind = FieldKind::optional_number, .optional_number = &Bar::vwap},
    {.name = "trade_count", .kind = FieldKind::optional_integer, .optional_integer = &Bar::trade_count},
}};

template <class Body>
constexpr const auto& body_fields();
template <>
constexpr const auto& body_fields<Trade>() { return kTradeFields; }
template <>
constexpr const auto& body_fields<Quote>() { return kQuoteFields; }
template <>
constexpr const auto& body_fields<Bar>() { return kBarFields; }

//! Field I of Body as a compile-time constant: `decltype(c)::field`.
template <class Body, size_t I>
struct FieldConstant {
    static constexpr const BodyField<Body>& field = body_fields<Body>()[I];
};

//! Calls fn(FieldConstant<Body, I>{}) for every field in order. The field is a constant, so
//! `if constexpr` on its kind compiles to the same straight-line code as hand-written per-field
//! code: the writer and the column buffer are hot paths.
template <class Body, class Fn>
void for_each_body_field(Fn&& fn) {
    [&]<size_t... I>(std::index_sequence<I...>) {
        (fn(FieldConstant<Body, I>{}), ...);
    }(std::make_index_sequence<body_fields<Body>().size()>{});
}

//! Calls fn with the field table of `type`; records have no fixed fields and call nothing.
template <class Fn>
void visit_body_fields(EventType type, Fn&& fn) {
    switch (type) {
    case EventType::trade: fn(kTradeFields); break;
    case EventType::quote: fn(kQuoteFields); break;
    case EventType::bar: fn(kBarFields); break;
    case EventType::record: break;
    }
}

} // namespace ticklake
