// What differs between WebSocket vendors: the URL, what to send on connect, how to read a
// message. LiveStreamSource does the rest (connection, keep-alive, reconnect, dedup, gaps).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/event.h"
#include "sources/live/live_stats.h"

namespace ticklake {

//! What the settings of a live source are, whatever the vendor.
struct LiveSourceOptions {
    std::string vendor;               //!< finnhub, coinbase, binance, alpaca, polygon, yahoo, alphavantage
    std::vector<std::string> symbols; //!< in the vendor's notation
    std::vector<std::string> channels;//!< vendor channels; empty = the vendor's defaults
    std::string url;                  //!< endpoint override (tests, proxies); empty = the vendor's
    std::string key;                  //!< API key from the environment; never logged
    std::string secret;               //!< API secret (Alpaca); never logged
    std::string feed;                 //!< Alpaca feed "iex"/"sip"; Polygon cluster "stocks"
    std::string interval;             //!< bar interval of REST sources ("1m", "1d")
    std::string range;                //!< Yahoo range ("1d", "5d", "1mo")
    double duration_s = 0;            //!< stop after this many seconds; 0 = until stopped
    size_t dedup_window = 100'000;    //!< ids remembered to drop replays after reconnects
    double poll_interval_s = 60;      //!< REST: seconds between polls of one symbol
    double rate_limit_wait_s = 60;    //!< REST: pause after a rate-limit answer without Retry-After
    double idle_timeout_s = 30;       //!< WebSocket: ping after half, dead after all of it
    double max_connection_age_s = 0;  //!< reconnect before the vendor cuts (Binance: 24 h); 0 = never
    double backoff_initial_s = 0.5;   //!< first reconnect delay (doubles, with jitter)
    double backoff_max_s = 60;        //!< longest reconnect delay
    std::string ca_file;              //!< extra CA bundle for TLS
};

//! The source's side of a protocol: emits events (dedup, gaps, counters) and sends replies.
class StreamContext {
public:
    virtual ~StreamContext() = default;
    //! Drops e when its id was seen within the dedup window; stamps recv_ts and source.
    //! False when e was a duplicate.
    virtual bool emit(Event&& e) = 0;
    //! Like emit, for ids that the vendor numbers contiguously per key (Binance trade ids,
    //! Coinbase trade_id per product): a jump counts as a gap of the ids skipped.
    virtual bool emit_sequenced(std::string_view key, int64_t seq, Event&& e) = 0;
    //! Sends a text message on the connection (subscribe after auth, ...).
    virtual void send(std::string text) = 0;
    //! A malformed message: counted, and the first reasons kept for the summary.
    virtual void skip(std::string reason) = 0;
    //! A decimal text that a double cannot hold exactly (see exact_decimal.h).
    virtual void inexact_decimal(std::string_view text) = 0;
    virtual LiveStats& stats() = 0;
    //! When the message being handled arrived (UTC µs): the event time of feeds that send none.
    virtual TimestampUs received_at() const = 0;
};

class StreamProtocol {
public:
    virtual ~StreamProtocol() = default;
    //! The URL to connect to: the override or the vendor's, with streams/token as it needs.
    virtual std::string connect_url() const = 0;
    //! Messages to send as soon as a connection opens (subscriptions that need no auth).
    virtual std::vector<std::string> on_open() = 0;
    //! Handles one message. A fatal error stops the source (bad credentials, plan too small:
    //! retrying cannot help); a retry error closes this connection and reconnects later.
    virtual Status on_message(std::string_view text, StreamContext& ctx) = 0;
    //! "finnhub trades AAPL,MSFT" for logs; never the key.
    virtual std::string describe() const = 0;
};

std::unique_ptr<StreamProtocol> make_finnhub_protocol(const LiveSourceOptions& o);
std::unique_ptr<StreamProtocol> make_coinbase_protocol(const LiveSourceOptions& o);
std::unique_ptr<StreamProtocol> make_binance_protocol(const LiveSourceOptions& o);
std::unique_ptr<StreamProtocol> make_alpaca_protocol(const LiveSourceOptions& o);
std::unique_ptr<StreamProtocol> make_polygon_protocol(const LiveSourceOptions& o);

} // namespace ticklake
