// Every live vendor decoder (sources/live/*_protocol.cc): the first byte picks the vendor, the
// rest is one WebSocket frame (Finnhub, Coinbase, Binance, Alpaca, Polygon) or one REST body
// (Yahoo chart, Alpha Vantage). Events go nowhere: only the decoding is under test.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sources/live/poll_protocol.h"
#include "sources/live/stream_protocol.h"

using namespace ticklake;

namespace {

class NullContext final : public StreamContext {
public:
    bool emit(Event&&) override { return true; }
    bool emit_sequenced(std::string_view, int64_t, Event&&) override { return true; }
    void send(std::string) override {}
    void skip(std::string) override {}
    void inexact_decimal(std::string_view) override {}
    LiveStats& stats() override { return stats_; }
    TimestampUs received_at() const override { return TimestampUs{1'700'000'000'000'000}; }

private:
    LiveStats stats_;
};

LiveSourceOptions options(const char* vendor) {
    LiveSourceOptions o;
    o.vendor = vendor;
    o.symbols = {"AAPL", "BTC-USD", "btcusdt"};
    o.key = "k";
    o.secret = "s";
    return o;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    NullContext ctx;
    std::unique_ptr<StreamProtocol> stream;
    std::unique_ptr<PollProtocol> poll;
    switch (data[0] % 7) {
    case 0: stream = make_finnhub_protocol(options("finnhub")); break;
    case 1: stream = make_coinbase_protocol(options("coinbase")); break;
    case 2: stream = make_binance_protocol(options("binance")); break;
    case 3: stream = make_alpaca_protocol(options("alpaca")); break;
    case 4: stream = make_polygon_protocol(options("polygon")); break;
    case 5: poll = make_yahoo_chart_protocol(options("yahoo")); break;
    default: poll = make_alphavantage_protocol(options("alphavantage")); break;
    }
    if (stream) {
        (void)stream->on_open();
        (void)stream->on_message(text, ctx);
    } else {
        (void)poll->on_response("AAPL", (data[0] & 0x80) ? 429 : 200, text, ctx);
    }
    return 0;
}
