#include "sources/live/tests/vendor_test_support.h"

#include <charconv>
#include <tuple>

#include "common/event_json.h"

namespace ticklake::testing {

std::string data_path(const std::string& name) { return std::string(TICKLAKE_TEST_DATA_DIR) + "/" + name; }

std::vector<std::string> data_lines(const std::string& name) { return net::testing::read_lines(data_path(name)); }

LiveSourceOptions test_options(const std::string& vendor, const std::string& url, std::vector<std::string> symbols) {
    LiveSourceOptions o;
    o.vendor = vendor;
    o.url = url;
    o.symbols = std::move(symbols);
    o.backoff_initial_s = 0.02;
    o.backoff_max_s = 0.2;
    o.idle_timeout_s = 5;
    o.poll_interval_s = 0.05;
    o.rate_limit_wait_s = 0.1;
    return o;
}

Drained drain(MarketDataSource& source, size_t want, std::chrono::milliseconds limit, std::chrono::milliseconds grace) {
    Drained d;
    const auto start = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> reached;
    while (!source.done()) {
        const auto now = std::chrono::steady_clock::now();
        if (now - start > limit || (reached && now - *reached > grace)) {
            break;
        }
        ++d.calls;
        auto n = source.next_batch(d.events, 1000);
        if (!n) {
            d.errors.push_back(n.error());
            if (n.error().kind != ErrorKind::retry) {
                break;
            }
        }
        if (!reached && d.events.size() >= want) {
            reached = std::chrono::steady_clock::now();
        }
    }
    return d;
}

std::string canon(std::string_view s) {
    // Plain decimal text of s, which may be in exponent form ("1.303e-05" -> "0.00001303").
    std::string mantissa(s.substr(0, s.find_first_of("eE")));
    int exp = s.find_first_of("eE") == std::string_view::npos ? 0 : std::stoi(std::string(s.substr(s.find_first_of("eE") + 1)));
    std::string sign;
    if (!mantissa.empty() && mantissa[0] == '-') {
        sign = "-";
        mantissa.erase(0, 1);
    }
    auto dot = mantissa.find('.');
    std::string digits = mantissa;
    int int_len = static_cast<int>(mantissa.size());
    if (dot != std::string::npos) {
        digits.erase(dot, 1);
        int_len = static_cast<int>(dot);
    }
    int_len += exp;
    std::string t;
    if (int_len <= 0) {
        t = "0." + std::string(static_cast<size_t>(-int_len), '0') + digits;
    } else if (int_len >= static_cast<int>(digits.size())) {
        t = digits + std::string(static_cast<size_t>(int_len) - digits.size(), '0');
    } else {
        t = digits.substr(0, static_cast<size_t>(int_len)) + "." + digits.substr(static_cast<size_t>(int_len));
    }
    if (t.find('.') != std::string::npos) {
        while (!t.empty() && t.back() == '0') {
            t.pop_back();
        }
        if (!t.empty() && t.back() == '.') {
            t.pop_back();
        }
    }
    while (t.size() > 1 && t[0] == '0' && t[1] != '.') {
        t.erase(0, 1);
    }
    return sign + t;
}

std::string wire(double v) {
    std::string out;
    append_json_double(out, v); // exactly what goes to Kafka
    return canon(out);
}

::testing::AssertionResult is_trade(const Event& e, const WantTrade& want) {
    if (e.type != EventType::trade) {
        return ::testing::AssertionFailure() << e.id << " is a " << to_string(e.type) << ", not a trade";
    }
    const Trade& t = std::get<Trade>(e.body);
    const std::tuple<const char*, std::string, std::string> fields[] = {
        {"id", e.id, want.id},
        {"symbol", e.symbol, want.symbol},
        {"time", format_iso8601(e.ts), want.time},
        {"price", wire(t.price), canon(want.price)},
        {"size", wire(t.size), canon(want.size)},
        {"exchange", t.exchange, want.exchange},
        {"side", t.side, want.side},
    };
    std::string differ;
    for (const auto& [name, got, wanted] : fields) {
        if (got != wanted) {
            differ += std::string(" ") + name + " is \"" + got + "\", want \"" + wanted + "\";";
        }
    }
    if (differ.empty()) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "trade " << e.id << ":" << differ;
}

WsScript sends(const std::vector<std::string>& lines, size_t from, size_t to) {
    WsScript s;
    for (size_t i = from; i < to && i < lines.size(); ++i) {
        s.push_back(WsStep::send(lines[i]));
    }
    return s;
}

} // namespace ticklake::testing
