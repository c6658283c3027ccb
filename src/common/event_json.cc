#include "common/event_json.h"

#include <charconv>
#include <cmath>
#include <simdjson.h>

namespace ticklake {

const char* to_string(EventType type) {
    switch (type) {
    case EventType::trade: return "trade";
    case EventType::quote: return "quote";
    case EventType::bar: return "bar";
    case EventType::record: return "record";
    }
    return "record";
}

std::optional<EventType> parse_event_type(std::string_view t) {
    if (t == "trade") return EventType::trade;
    if (t == "quote") return EventType::quote;
    if (t == "bar") return EventType::bar;
    if (t == "record") return EventType::record;
    return std::nullopt;
}

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    size_t run_start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        out.append(s.data() + run_start, i - run_start);
        run_start = i + 1;
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        default:
            out.append("\\u00");
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
        }
    }
    out.append(s.data() + run_start, s.size() - run_start);
    out.push_back('"');
}

void append_json_double(std::string& out, double v) {
    if (!std::isfinite(v)) {
        out.append("null"); // JSON has no NaN/Inf; the parser rejects null where a number is required
        return;
    }
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

namespace {

void append_int(std::string& out, int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void key(std::string& out, std::string_view k) {
    out.push_back(',');
    out.push_back('"');
    out.append(k);
    out.append("\":");
}

void append_optional(std::string& out, std::string_view k, const std::optional<double>& v) {
    key(out, k);
    if (v) {
        append_json_double(out, *v);
    } else {
        out.append("null");
    }
}

} // namespace

void append_event_json(std::string& out, const Event& e) {
    out.append("{\"v\":1,\"type\":\"");
    out.append(to_string(e.type));
    out.append("\",\"id\":");
    append_json_string(out, e.id);
    out.append(",\"symbol\":");
    append_json_string(out, e.symbol);
    out.append(",\"ts\":\"");
    append_iso8601(out, e.ts);
    out.append("\",\"recv_ts\":\"");
    append_iso8601(out, e.recv_ts);
    out.append("\",\"source\":");
    append_json_string(out, e.source);
    switch (e.type) {
    case EventType::trade: {
        const auto& t = std::get<Trade>(e.body);
        key(out, "price");
        append_json_double(out, t.price);
        key(out, "size");
        append_json_double(out, t.size);
        key(out, "exchange");
        append_json_string(out, t.exchange);
        key(out, "side");
        append_json_string(out, t.side);
        break;
    }
    case EventType::quote: {
        const auto& q = std::get<Quote>(e.body);
        key(out, "bid");
        append_json_double(out, q.bid);
        key(out, "bid_size");
        append_json_double(out, q.bid_size);
        key(out, "ask");
        append_json_double(out, q.ask);
        key(out, "ask_size");
        append_json_double(out, q.ask_size);
        key(out, "exchange");
        append_json_string(out, q.exchange);
        break;
    }
    case EventType::bar: {
        const auto& b = std::get<Bar>(e.body);
        key(out, "interval");
        append_json_string(out, b.interval);
        key(out, "open");
        append_json_double(out, b.open);
        key(out, "high");
        append_json_double(out, b.high);
        key(out, "low");
        append_json_double(out, b.low);
        key(out, "close");
        append_json_double(out, b.close);
        append_optional(out, "adj_close", b.adj_close);
        key(out, "volume");
        append_json_double(out, b.volume);
        append_optional(out, "vwap", b.vwap);
        key(out, "trade_count");
        if (b.trade_count) {
            append_int(out, *b.trade_count);
        } else {
            out.append("null");
        }
        break;
    }
    case EventType::record: {
        const auto& r = std::get<Record>(e.body);
        key(out, "dataset");
        append_json_string(out, r.dataset);
        key(out, "fields");
        out.push_back('{');
        bool first = true;
        for (const auto& f : r.fields) {
            if (!first) {
                out.push_back(',');
            }
            first = false;
            append_json_string(out, f.name);
            out.push_back(':');
            std::visit(
                [&](const auto& v) {
                    using V = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<V, std::monostate>) {
                        out.append("null");
                    } else if constexpr (std::is_same_v<V, bool>) {
                        out.append(v ? "true" : "false");
                    } else if constexpr (std::is_same_v<V, int64_t>) {
                        append_int(out, v);
                    } else if constexpr (std::is_same_v<V, double>) {
                        append_json_double(out, v);
                    } else {
                        append_json_string(out, v);
                    }
                },
                f.value);
        }
        out.push_back('}');
        break;
    }
    }
    out.push_back('}');
}

struct EventParser::Impl {
    simdjson::ondemand::parser parser;
    std::string padded; //!< message copy with simdjson's required tail padding
};

EventParser::EventParser() : impl_(new Impl) {}
EventParser::~EventParser() { delete impl_; }

Result<Event> EventParser::parse(std::string_view json) {
    Event e;
    auto st = parse_into(json, e);
    if (!st) {
        return fail(st.error());
    }
    return e;
}

namespace {

using simdjson::ondemand::json_type;

Status poison(std::string msg) { return fail(Error::poison(std::move(msg))); }

Status read_double(simdjson::ondemand::value v, std::string_view name, double& out) {
    double d;
    if (v.get_double().get(d) != simdjson::SUCCESS) {
        return poison("field '" + std::string(name) + "' must be a number");
    }
    if (!std::isfinite(d)) {
        return poison("field '" + std::string(name) + "' is not finite");
    }
    out = d;
    return {};
}

Status read_opt_double(simdjson::ondemand::value v, std::string_view name, std::optional<double>& out) {
    if (v.is_null()) {
        out.reset();
        return {};
    }
    double d = 0;
    auto st = read_double(v, name, d);
    if (st) {
        out = d;
    }
    return st;
}

Status read_string(simdjson::ondemand::value v, std::string_view name, std::string& out) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) {
        return poison("field '" + std::string(name) + "' must be a string");
    }
    out.assign(s);
    return {};
}

Status read_time(simdjson::ondemand::value v, std::string_view name, TimestampUs& out) {
    json_type t;
    if (v.type().get(t) != simdjson::SUCCESS) {
        return poison("field '" + std::string(name) + "' is not valid JSON");
    }
    if (t == json_type::number) { // accepted on input: integer microseconds since the epoch
        int64_t us;
        if (v.get_int64().get(us) != simdjson::SUCCESS) {
            return poison("field '" + std::string(name) + "' must be integer microseconds or ISO 8601 text");
        }
        out = us;
        return {};
    }
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) {
        return poison("field '" + std::string(name) + "' must be an ISO 8601 string");
    }
    auto r = parse_iso8601(s);
    if (!r) {
        return poison("field '" + std::string(name) + "': " + r.error().message);
    }
    out = *r;
    return {};
}

Status read_fields(simdjson::ondemand::value v, std::vector<RecordField>& fields) {
    simdjson::ondemand::object obj;
    if (v.get_object().get(obj) != simdjson::SUCCESS) {
        return poison("field 'fields' must be an object");
    }
    fields.clear();
    for (auto f : obj) {
        std::string_view k;
        if (f.unescaped_key().get(k) != simdjson::SUCCESS) {
            return poison("bad key in 'fields'");
        }
        RecordField rf;
        rf.name.assign(k);
        simdjson::ondemand::value fv;
        json_type t;
        if (f.value().get(fv) != simdjson::SUCCESS || fv.type().get(t) != simdjson::SUCCESS) {
            return poison("bad value for field '" + rf.name + "'");
        }
        switch (t) {
        case json_type::null: rf.value = std::monostate{}; break;
        case json_type::boolean: {
            bool b;
            if (fv.get_bool().get(b) != simdjson::SUCCESS) return poison("bad boolean in '" + rf.name + "'");
            rf.value = b;
            break;
        }
        case json_type::number: {
            simdjson::ondemand::number_type nt;
            if (fv.get_number_type().get(nt) != simdjson::SUCCESS) return poison("bad number in '" + rf.name + "'");
            if (nt == simdjson::ondemand::number_type::signed_integer) {
                int64_t i;
                if (fv.get_int64().get(i) != simdjson::SUCCESS) return poison("bad integer in '" + rf.name + "'");
                rf.value = i;
            } else {
                double d;
                if (fv.get_double().get(d) != simdjson::SUCCESS) return poison("bad number in '" + rf.name + "'");
                rf.value = d;
            }
            break;
        }
        case json_type::string: {
            std::string_view s;
            if (fv.get_string().get(s) != simdjson::SUCCESS) return poison("bad string in '" + rf.name + "'");
            rf.value = std::string(s);
            break;
        }
        default: {
            // Nested arrays/objects are kept as their raw JSON text.
            std::string_view raw;
            if (simdjson::to_json_string(fv).get(raw) != simdjson::SUCCESS) {
                return poison("bad value in '" + rf.name + "'");
            }
            rf.value = std::string(raw);
        }
        }
        fields.push_back(std::move(rf));
    }
    return {};
}

} // namespace

Status EventParser::parse_envelope(std::string_view json, Event& e) {
    auto& buf = impl_->padded;
    buf.assign(json);
    buf.resize(json.size() + simdjson::SIMDJSON_PADDING, '\0');
    simdjson::ondemand::document doc;
    simdjson::ondemand::object obj;
    if (impl_->parser.iterate(buf.data(), json.size(), buf.size()).get(doc) != simdjson::SUCCESS ||
        doc.get_object().get(obj) != simdjson::SUCCESS) {
        return poison("message is not a JSON object");
    }
    std::string_view type_text, id, symbol;
    if (obj.find_field_unordered("type").get_string().get(type_text) != simdjson::SUCCESS) {
        return poison("missing field 'type'");
    }
    auto type = parse_event_type(type_text);
    if (!type) {
        return poison("unknown type '" + std::string(type_text) + "' (expected trade, quote, bar or record)");
    }
    if (obj.find_field_unordered("id").get_string().get(id) != simdjson::SUCCESS || id.empty()) {
        return poison("missing field 'id'");
    }
    simdjson::ondemand::value ts;
    if (obj.find_field_unordered("ts").get(ts) != simdjson::SUCCESS) {
        return poison("missing field 'ts'");
    }
    if (auto st = read_time(ts, "ts", e.ts); !st) {
        return st;
    }
    simdjson::ondemand::value sym;
    if (obj.find_field_unordered("symbol").get(sym) == simdjson::SUCCESS && !sym.is_null()) {
        if (sym.get_string().get(symbol) != simdjson::SUCCESS) {
            return poison("field 'symbol' must be a string");
        }
    }
    if (*type != EventType::record && symbol.empty()) {
        return poison(std::string(to_string(*type)) + " needs a non-empty 'symbol'");
    }
    e.type = *type;
    e.symbol.assign(symbol);
    return {};
}

Status EventParser::parse_into(std::string_view json, Event& e) {
    auto& buf = impl_->padded;
    buf.assign(json);
    buf.resize(json.size() + simdjson::SIMDJSON_PADDING, '\0');
    simdjson::ondemand::document doc;
    if (impl_->parser.iterate(buf.data(), json.size(), buf.size()).get(doc) != simdjson::SUCCESS) {
        return poison("not JSON");
    }
    simdjson::ondemand::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) {
        return poison("message is not a JSON object");
    }

    // Fields may come in any order: collect everything, then check what the type needs.
    bool has_type = false, has_id = false, has_ts = false;
    std::string type_text;
    Trade trade;
    Quote quote;
    Bar bar;
    Record record;
    unsigned seen = 0; // bit per required body field, checked per type below
    enum : unsigned { kPrice = 1, kSize = 2, kBid = 4, kAsk = 8, kOpen = 16, kHigh = 32, kLow = 64, kClose = 128, kFields = 256 };
    e.symbol.clear();
    e.source.clear();
    e.recv_ts = 0;

    for (auto field : obj) {
        std::string_view k;
        if (field.unescaped_key().get(k) != simdjson::SUCCESS) {
            return poison("malformed key");
        }
        simdjson::ondemand::value v;
        if (field.value().get(v) != simdjson::SUCCESS) {
            return poison("malformed value for '" + std::string(k) + "'");
        }
        Status st;
        if (k == "type") {
            st = read_string(v, k, type_text);
            has_type = true;
        } else if (k == "id") {
            st = read_string(v, k, e.id);
            has_id = true;
        } else if (k == "symbol") {
            if (!v.is_null()) st = read_string(v, k, e.symbol);
        } else if (k == "ts") {
            st = read_time(v, k, e.ts);
            has_ts = true;
        } else if (k == "recv_ts") {
            st = read_time(v, k, e.recv_ts);
        } else if (k == "source") {
            if (!v.is_null()) st = read_string(v, k, e.source);
        } else if (k == "v") {
            int64_t ver;
            if (v.get_int64().get(ver) != simdjson::SUCCESS || ver != kWireSchemaVersion) {
                return poison("unsupported wire schema version (expected \"v\":1)");
            }
        } else if (k == "price") {
            st = read_double(v, k, trade.price);
            seen |= kPrice;
        } else if (k == "size") {
            st = read_double(v, k, trade.size);
            seen |= kSize;
        } else if (k == "exchange") {
            if (!v.is_null()) {
                st = read_string(v, k, trade.exchange);
                quote.exchange = trade.exchange;
            }
        } else if (k == "side") {
            if (!v.is_null()) st = read_string(v, k, trade.side);
        } else if (k == "bid") {
            st = read_double(v, k, quote.bid);
            seen |= kBid;
        } else if (k == "ask") {
            st = read_double(v, k, quote.ask);
            seen |= kAsk;
        } else if (k == "bid_size") {
            st = read_double(v, k, quote.bid_size);
        } else if (k == "ask_size") {
            st = read_double(v, k, quote.ask_size);
        } else if (k == "interval") {
            st = read_string(v, k, bar.interval);
        } else if (k == "open") {
            st = read_double(v, k, bar.open);
            seen |= kOpen;
        } else if (k == "high") {
            st = read_double(v, k, bar.high);
            seen |= kHigh;
        } else if (k == "low") {
            st = read_double(v, k, bar.low);
            seen |= kLow;
        } else if (k == "close") {
            st = read_double(v, k, bar.close);
            seen |= kClose;
        } else if (k == "adj_close") {
            st = read_opt_double(v, k, bar.adj_close);
        } else if (k == "volume") {
            st = read_double(v, k, bar.volume);
        } else if (k == "vwap") {
            st = read_opt_double(v, k, bar.vwap);
        } else if (k == "trade_count") {
            if (v.is_null()) {
                bar.trade_count.reset();
            } else {
                int64_t n;
                if (v.get_int64().get(n) != simdjson::SUCCESS) return poison("field 'trade_count' must be an integer");
                bar.trade_count = n;
            }
        } else if (k == "dataset") {
            st = read_string(v, k, record.dataset);
        } else if (k == "fields") {
            st = read_fields(v, record.fields);
            seen |= kFields;
        }
        // Unknown keys are ignored: newer producers may add fields (schema evolution).
        if (!st) {
            return st;
        }
    }
    if (!has_type) return poison("missing field 'type'");
    auto type = parse_event_type(type_text);
    if (!type) return poison("unknown type '" + type_text + "' (expected trade, quote, bar or record)");
    if (!has_id || e.id.empty()) return poison("missing field 'id'");
    if (!has_ts) return poison("missing field 'ts'");
    e.type = *type;
    auto need = [&](unsigned bits, const char* names) -> Status {
        if ((seen & bits) != bits) {
            return poison(std::string(to_string(e.type)) + " needs fields " + names);
        }
        return {};
    };
    Status st;
    switch (e.type) {
    case EventType::trade:
        st = need(kPrice | kSize, "price, size");
        e.body = std::move(trade);
        break;
    case EventType::quote:
        st = need(kBid | kAsk, "bid, ask");
        e.body = std::move(quote);
        break;
    case EventType::bar:
        st = need(kOpen | kHigh | kLow | kClose, "open, high, low, close");
        e.body = std::move(bar);
        break;
    case EventType::record:
        st = need(kFields, "fields");
        e.body = std::move(record);
        break;
    }
    if (!st) return st;
    if (e.type != EventType::record && e.symbol.empty()) {
        return poison(std::string(to_string(e.type)) + " needs a non-empty 'symbol'");
    }
    return {};
}

} // namespace ticklake
