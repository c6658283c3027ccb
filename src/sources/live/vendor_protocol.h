// What every vendor protocol keeps beside its own format: the user's options with the
// vendor's defaults filled in, and one JSON parser reused for every message (simdjson keeps
// its buffers between parses). WebSocket protocols derive from VendorProtocol<StreamProtocol>,
// REST ones from VendorProtocol<PollProtocol>; the vendor's facts (URLs, defaults, fields,
// ids) stay in its own file.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "sources/live/poll_protocol.h"
#include "sources/live/stream_protocol.h"
#include "sources/live/vendor_event.h"
#include "sources/live/vendor_json.h"

namespace ticklake {

//! The vendor's values for options a user may leave empty; empty here: no default.
struct VendorDefaults {
    std::vector<std::string> channels;
    std::string feed;
    std::string interval;
    std::string range;
};

//! o with every empty option that `defaults` has a value for set to that value.
LiveSourceOptions with_defaults(LiveSourceOptions o, const VendorDefaults& defaults);

//! url without the slashes it ends with, so that a path can be appended to a user's --url.
std::string without_trailing_slashes(std::string url);

template <class Protocol>
class VendorProtocol : public Protocol {
protected:
    explicit VendorProtocol(const LiveSourceOptions& o, const VendorDefaults& defaults = {})
        : o_(with_defaults(o, defaults)) {}

    //! The user's --url (tests, proxies) or else the vendor's.
    std::string url_or(std::string vendor_url) const { return o_.url.empty() ? std::move(vendor_url) : o_.url; }

    //! One message as JSON, valid until the next parse; nothing when it is not JSON (then
    //! skipped as "<what>: <excerpt>").
    std::optional<simdjson::dom::element> parse(std::string_view text, StreamContext& ctx,
                                                std::string_view what = "not JSON") {
        return vendor_json::parse_or_skip(parser_, text, ctx, what);
    }

    LiveSourceOptions o_; //!< the user's options, the vendor's defaults filled in

private:
    simdjson::dom::parser parser_;
};

//! A WebSocket vendor whose server speaks first and whose every frame is a JSON array of
//! messages, each naming its kind in one field (Alpaca "T", Polygon "ev"): nothing is sent on
//! open, the handshake (key, then subscription) answers the server's status messages, and
//! each message of a frame goes to on_item with its kind.
class ArrayFrameProtocol : public VendorProtocol<StreamProtocol> {
public:
    std::vector<std::string> on_open() final { return {}; }
    //! A frame that is not JSON or not an array, and a message without its kind, are skipped
    //! with the reason.
    Status on_message(std::string_view text, StreamContext& ctx) final;

protected:
    ArrayFrameProtocol(const LiveSourceOptions& o, const VendorDefaults& defaults, std::string kind_field)
        : VendorProtocol(o, defaults), kind_field_(std::move(kind_field)) {}
    //! One message of a frame; an error ends the frame (and the connection or the source).
    virtual Status on_item(simdjson::dom::element m, std::string_view kind, StreamContext& ctx) = 0;

private:
    std::string kind_field_;
};

//! The vendor allows one connection per key and refused this one (`what` says so). Just
//! after a reconnect of ours the connection still counted is probably our previous one, gone
//! in a moment: retry. Otherwise another program holds it: stop.
Error connection_limit(const std::string& what, bool reconnected);

} // namespace ticklake
