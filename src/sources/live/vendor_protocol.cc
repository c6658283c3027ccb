#include "sources/live/vendor_protocol.h"

namespace ticklake {

LiveSourceOptions with_defaults(LiveSourceOptions o, const VendorDefaults& defaults) {
    if (o.channels.empty()) {
        o.channels = defaults.channels;
    }
    if (o.feed.empty()) {
        o.feed = defaults.feed;
    }
    if (o.interval.empty()) {
        o.interval = defaults.interval;
    }
    if (o.range.empty()) {
        o.range = defaults.range;
    }
    return o;
}

std::string without_trailing_slashes(std::string url) {
    while (!url.empty() && url.back() == '/') {
        url.pop_back();
    }
    return url;
}

Status ArrayFrameProtocol::on_message(std::string_view text, StreamContext& ctx) {
    const auto doc = parse(text, ctx);
    if (!doc) {
        return {};
    }
    simdjson::dom::array items;
    if (doc->get_array().get(items) != simdjson::SUCCESS) {
        ctx.skip("not a JSON array: " + vendor_json::excerpt(text));
        return {};
    }
    for (simdjson::dom::element m : items) {
        const auto kind = vendor_json::str(m, kind_field_);
        if (!kind) {
            ctx.skip("message without " + kind_field_);
            continue;
        }
        if (auto st = on_item(m, *kind, ctx); !st) {
            return st;
        }
    }
    return {};
}

Error connection_limit(const std::string& what, bool reconnected) {
    if (reconnected) {
        return Error::retry(what + " (our previous connection may still be counted)");
    }
    return Error::fatal(what + ": another connection with this key is open; close it first");
}

} // namespace ticklake
