// Shared by the vendor tests: where the recordings are, a source pulled until it delivered
// what a test expects, and a test-local decimal normaliser (independent of exact_decimal.cc).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "common/event.h"
#include "net/tests/replay_server.h"
#include "sources/live/stream_protocol.h"
#include "sources/market_data_source.h"

namespace ticklake::testing {

using net::testing::HttpReply;
using net::testing::HttpRoute;
using net::testing::ReplayServer;
using net::testing::ReplayServerOptions;
using net::testing::WsScript;
using net::testing::WsStep;

std::string data_path(const std::string& name);
std::vector<std::string> data_lines(const std::string& name);
inline std::string read_file_for_test(const std::string& path) { return net::testing::read_file(path); }

//! Options for tests: short backoff and timeouts so reconnects happen within milliseconds.
LiveSourceOptions test_options(const std::string& vendor, const std::string& url, std::vector<std::string> symbols);

struct Drained {
    std::vector<Event> events;
    std::vector<Error> errors; //!< errors returned by next_batch (a fatal one ends the loop)
    int calls = 0;
};

//! Pulls until `want` events arrived and `grace` passed after that without more (to catch
//! extras), the source is done or failed, or `limit` passed.
Drained drain(MarketDataSource& source, size_t want, std::chrono::milliseconds limit = std::chrono::seconds(8),
              std::chrono::milliseconds grace = std::chrono::milliseconds(300));

//! Plain decimal text without trailing zeros ("0.35280000" -> "0.3528", "1.3e-05" -> "0.000013").
std::string canon(std::string_view decimal);
//! The number as the wire JSON writes it (append_json_double), canonicalised.
std::string wire(double v);

//! One send step per line.
WsScript sends(const std::vector<std::string>& lines, size_t from, size_t to);

//! A trade as a test states it: time as format_iso8601 writes it, price and size as decimal
//! text compared on the wire's terms (wire()).
struct WantTrade {
    std::string id;
    std::string symbol;
    std::string time;
    std::string price;
    std::string size;
    std::string exchange;
    std::string side;
};

//! e is a trade with every field of `want`; the failure names each field that differs.
::testing::AssertionResult is_trade(const Event& e, const WantTrade& want);

template <class T>
const T& body(const Event& e) {
    return std::get<T>(e.body);
}

} // namespace ticklake::testing
