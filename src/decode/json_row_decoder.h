// One JSON object per Kafka message into the cells of a row (the sink's json value format).
#pragma once

#include <memory>
#include <string_view>

#include "common/error.h"
#include "format/open_table.h"

namespace ticklake {

//! Reuses its buffers from message to message: keep one per thread.
class JsonRowDecoder {
public:
    JsonRowDecoder();
    ~JsonRowDecoder();
    JsonRowDecoder(const JsonRowDecoder&) = delete;
    JsonRowDecoder& operator=(const JsonRowDecoder&) = delete;

    //! Clears row, then adds one cell per field of the object in `value`, in message order.
    //! Views in the cells stay valid until the next decode(). Bare NaN, Infinity and -Infinity
    //! (Python's json.dumps writes them for missing floats) read as null. Anything that is not
    //! one JSON object in UTF-8 is a poison error with the reason.
    Status decode(std::string_view value, RowCells& row);
    //! As decode(), but cells may view `value` itself instead of a copy, so they are valid only
    //! while `value` is too. For a caller that uses the row before it lets go of the message
    //! (the sink): the copy was a sixth of the schemaless sink's memmove time.
    Status decode_viewing(std::string_view value, RowCells& row);
    //! Tests and the fuzzer: decode every message with simdjson, not first on the flat path
    //! (common/flat_json.h) a flat object of scalars in plain ASCII takes; both must agree.
    void set_simdjson_only(bool on);

private:
    Status decode_as(std::string_view value, RowCells& row, bool copy);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

//! value with every bare NaN, Infinity and -Infinity outside strings replaced by null; empty
//! when there is none.
std::string replace_non_finite_literals(std::string_view value);

} // namespace ticklake
