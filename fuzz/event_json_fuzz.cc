// Event JSON (common/event_json): what the sink reads from every Kafka message.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/event_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    static ticklake::EventParser parser; // reused as the sink reuses it
    // The flat path and the simdjson path must agree on every input: verdict, event, error.
    static ticklake::EventParser simdjson_only;
    static const bool once = (simdjson_only.set_simdjson_only(true), true);
    (void)once;
    ticklake::Event a, b;
    const auto sa = parser.parse_into(text, a);
    const auto sb = simdjson_only.parse_into(text, b);
    if (static_cast<bool>(sa) != static_cast<bool>(sb)) {
        __builtin_trap();
    }
    if (sa) {
        std::string ja, jb;
        ticklake::append_event_json(ja, a);
        ticklake::append_event_json(jb, b);
        if (ja != jb) {
            __builtin_trap();
        }
    } else if (sa.error().message != sb.error().message) {
        __builtin_trap();
    }
    if (auto e = parser.parse(text)) {
        // A parsed event must serialise again, and the result must parse back.
        std::string out;
        ticklake::append_event_json(out, *e);
        (void)parser.parse(out);
    }
    ticklake::Event env;
    (void)parser.parse_envelope(text, env);
    return 0;
}
