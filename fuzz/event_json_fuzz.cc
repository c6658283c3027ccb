// Event JSON (common/event_json): what the sink reads from every Kafka message.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/event_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    static ticklake::EventParser parser; // reused as the sink reuses it
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
