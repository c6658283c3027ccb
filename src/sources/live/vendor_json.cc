#include "sources/live/vendor_json.h"

#include "common/event_json.h"

namespace ticklake::vendor_json {

std::string json_string(std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
}

std::string array_of(const std::vector<std::string>& items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        append_json_string(out, items[i]);
    }
    return out + "]";
}

std::optional<element> parse_or_skip(simdjson::dom::parser& parser, std::string_view text, StreamContext& ctx,
                                     std::string_view what) {
    element doc;
    if (parser.parse(text.data(), text.size()).get(doc) != simdjson::SUCCESS) {
        ctx.skip(std::string(what) + ": " + excerpt(text));
        return std::nullopt;
    }
    return doc;
}

std::string excerpt(std::string_view text) {
    return text.size() <= 120 ? std::string(text) : std::string(text.substr(0, 117)) + "...";
}

} // namespace ticklake::vendor_json
