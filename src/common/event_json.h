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
    //! Tests and the fuzzer: parse every message with simdjson (both paths must agree).
    void set_simdjson_only(bool on);
    //! Reads only what routing needs (type, symbol, ts) and checks the line is a JSON object
    //! with a non-empty id: for forwarding wire messages unchanged (--source jsonl). The
    //! other fields are not checked here; the sink checks every field. Fills out.type,
    //! out.symbol, out.ts; leaves the rest of out alone.
    Status parse_envelope(std::string_view json, Event& out);

private:
    struct Impl;
    Impl* impl_;
};

} // namespace ticklake
