// Finnhub trades (wss://ws.finnhub.io?token=KEY): {"type":"trade","data":[{s,p,t,v,c}]}.
// The key travels in the URL, so a bad key is an HTTP 401 on the upgrade (fatal).
// Finnhub sends no trade id: the event id is built from symbol, time, price and size plus the
// position among identical trades of the same message, so a replayed frame gives the same ids.
#include <fmt/format.h>

#include "sources/live/vendor_protocol.h"
#include "sources/live/vendor_time.h"

namespace ticklake {

namespace {

using namespace vendor_json;

class FinnhubProtocol final : public VendorProtocol<StreamProtocol> {
public:
    explicit FinnhubProtocol(const LiveSourceOptions& o) : VendorProtocol(o) {}

    std::string connect_url() const override {
        const std::string base = url_or("wss://ws.finnhub.io");
        return base + (base.find('?') == std::string::npos ? "?" : "&") + "token=" + o_.key;
    }

    std::vector<std::string> on_open() override {
        std::vector<std::string> out;
        for (const auto& s : o_.symbols) {
            out.push_back(R"({"type":"subscribe","symbol":)" + json_string(s) + "}");
        }
        return out;
    }

    Status on_message(std::string_view text, StreamContext& ctx) override {
        const auto doc = parse(text, ctx);
        if (!doc) {
            return {};
        }
        const auto type = str(*doc, "type");
        if (type == "ping") {
            ++ctx.stats().ignored; // Finnhub's application-level keep-alive; nothing to answer
            return {};
        }
        if (type == "error") {
            return fail(Error::fatal(
                "finnhub says: " + std::string(str(*doc, "msg").value_or("(no message)")) +
                " (check --symbols against your plan's limits and FINNHUB_API_KEY)"));
        }
        if (type != "trade") {
            ++ctx.stats().ignored;
            return {};
        }
        simdjson::dom::array data;
        if ((*doc)["data"].get_array().get(data) != simdjson::SUCCESS) {
            ctx.skip("trade message without a data array: " + excerpt(text));
            return {};
        }
        std::vector<std::string> keys;
        for (element t : data) {
            const auto s = str(t, "s");
            const auto p = num(t, "p");
            const auto v = num(t, "v");
            const auto ms = i64(t, "t");
            if (!s || !p || !v || !ms) {
                ctx.skip("trade without s, p, v or t: " + excerpt(text));
                continue;
            }
            const auto ts = from_epoch_ms(*ms);
            if (!ts) {
                ctx.skip(time_out_of_range("t", *ms, "ms") + ": " + excerpt(text));
                continue;
            }
            std::string key = fmt::format("finnhub:{}:{}:{}x{}", *s, *ms, *p, *v);
            size_t same = 0;
            for (const auto& k : keys) {
                same += k == key;
            }
            keys.push_back(key);
            ctx.emit(vendor_event(fmt::format("{}:{}", key, same), *s, *ts, Trade{*p, *v, "", ""}));
        }
        return {};
    }

    std::string describe() const override {
        return "finnhub trades " + fmt::format("{}", fmt::join(o_.symbols, ","));
    }
};

} // namespace

std::unique_ptr<StreamProtocol> make_finnhub_protocol(const LiveSourceOptions& o) {
    return std::make_unique<FinnhubProtocol>(o);
}

} // namespace ticklake
