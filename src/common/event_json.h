// The JSON wire format of events: one object per Kafka message (docs/events.md).
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "common/event.h"

namespace ticklake {

//! Appends the wire JSON of e to out (no trailing newline).
void append_event_json(std::string& out, const Event& e);

//! Appends a JSON string literal with the escapes JSON requires.
void append_json_string(std::string& out, std::string_view s);
//! Appends the shortest text that reads back as exactly the same double.
void append_json_double(std::string& out, double v);
//! Appends the decimal text of an integer: JSON's, and that of the text formats and varchar cells.
void append_json_int(std::string& out, int64_t v);

//! The members of a wire message in the writer's form (EventParser::parse_into's wire_form)
//! from "id" on, with its closing brace: the event's JSON Lines row (table columns in order:
//! id, symbol, ts, recv_ts, source, the body) after its opening brace. The envelope's "v" and
//! "type" are not columns, and come first.
std::string_view wire_row_members(std::string_view wire, EventType type);

//! A trade's, quote's or bar's JSON Lines row members (as wire_row_members gives them): from
//! `message` when it is in the writer's form (`wire_form`), else written from `e` into
//! `scratch` (the row is then valid until scratch changes). Empty for a record.
std::string_view json_row_members(std::string_view message, bool wire_form, const Event& e, std::string& scratch);

//! Parses one wire message. Errors are ErrorKind::poison with a reason fit for a dead letter.
//! Reuses internal buffers: keep one parser per thread.
class EventParser {
public:
    EventParser();
    ~EventParser();
    EventParser(const EventParser&) = delete;
    EventParser& operator=(const EventParser&) = delete;

    Result<Event> parse(std::string_view json);
    //! Parses into an existing event, reusing its string capacity (the sink's hot path). A
    //! flat object in plain ASCII (what ticklake writes) is read in one pass without simdjson;
    //! any other message, and every message that is not a valid event, goes through simdjson.
    Status parse_into(std::string_view json, Event& out);
    //! parse_into, also telling whether `json` is byte for byte what append_event_json writes
    //! for the event it holds (what ticklake's producers send). Then wire_row_members(json) is
    //! the event's row as JsonlWriter writes it, and the sink copies it instead of writing it
    //! again. False whenever that is not sure (any other form, a record, simdjson's path).
    Status parse_into(std::string_view json, Event& out, bool& wire_form);
    //! Tests and the fuzzer: parse every message with simdjson (both paths must agree).
    void set_simdjson_only(bool on);
    //! Reads only what routing needs (type, symbol, ts) and checks the line is a JSON object
    //! with a non-empty id: for forwarding wire messages unchanged (--source jsonl). The
    //! other fields are not checked here; the sink checks every field. Fills out.type,
    //! out.symbol, out.ts; leaves the rest of out alone.
    Status parse_envelope(std::string_view json, Event& out);

private:
    Status parse(std::string_view json, Event& out, bool* wire_form);

    struct Impl;
    Impl* impl_;
};

} // namespace ticklake
