#include "common/event_json.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>
#include <simdjson.h>

#include "common/event_fields.h"
#include "common/flat_json.h"
#include "common/simdjson_number.h"

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

namespace {

// Length of the leading bytes of s that JSON takes as they are (no control byte, quote or
// backslash), eight at a time: most text the writers emit (ids, symbols, venues) has none.
size_t plain_prefix(std::string_view s) {
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        if (flat_json::string_stops(w) != 0) {
            break;
        }
    }
    for (; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == '"' || c == '\\') {
            break;
        }
    }
    return i;
}

} // namespace

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    const size_t plain = plain_prefix(s);
    out.push_back('"');
    out.append(s.data(), plain);
    if (plain == s.size()) {
        out.push_back('"');
        return;
    }
    size_t run_start = plain;
    for (size_t i = plain; i < s.size(); ++i) {
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

namespace {

// The text std::to_chars gives v (shortest that reads back exactly; fixed notation on a tie
// with scientific), for the values market data is made of: a few decimals, well inside
// 2^50. Finds the fewest decimals k that read back as v and prints the integer v * 10^k with a
// point, instead of the general shortest-digits search. Returns false to leave the rest to
// to_chars. Why this is the same text:
//  - n / 10^k with n < 2^50 and 10^k exact is one correctly rounded division: what reading
//    "n e-k" gives (Clinger's fast path). So the check below is a read-back.
//  - digits grow with k, so the first k that reads back has the fewest digits; below 2^50 the
//    doubles are closer than 10^-k, so no other k-decimal number reads back as v;
//  - from 0.001 up, fixed notation is never longer than scientific (to_chars' choice), except
//    for integers of six digits or more ("1e+06").
bool append_short_decimal(std::string& out, double v) {
    static constexpr double kPow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
    const double a = std::fabs(v);
    if (!(a >= 0.001 && a < 1e9)) {
        return false;
    }
    for (int k = 0; k <= 8; ++k) {
        const double scaled = a * kPow10[k];
        if (scaled >= 1125899906842624.0) { // 2^50
            return false;
        }
        const auto n = static_cast<uint64_t>(scaled + 0.5);
        if (static_cast<double>(n) / kPow10[k] != a) {
            continue;
        }
        if (k == 0 && n >= 100000) { // 1000000 is "1e+06": integers with zeros go to to_chars
            return false;
        }
        char buf[32];
        char* end = buf + sizeof buf;
        char* p = end;
        uint64_t rest = n;
        for (int d = 0; d < k; ++d) {
            *--p = static_cast<char>('0' + rest % 10);
            rest /= 10;
        }
        if (k > 0) {
            *--p = '.';
        }
        do {
            *--p = static_cast<char>('0' + rest % 10);
            rest /= 10;
        } while (rest != 0);
        if (v < 0) {
            *--p = '-';
        }
        out.append(p, static_cast<size_t>(end - p));
        return true;
    }
    return false;
}

} // namespace

void append_json_double(std::string& out, double v) {
    if (!std::isfinite(v)) {
        out.append("null"); // JSON has no NaN/Inf; the parser rejects null where a number is required
        return;
    }
    if (append_short_decimal(out, v)) {
        return;
    }
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void append_json_int(std::string& out, int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

namespace {

void key(std::string& out, std::string_view k) {
    out.push_back(',');
    out.push_back('"');
    out.append(k);
    out.append("\":");
}

void append_int_or_null(std::string& out, const std::optional<int64_t>& v) {
    if (v) {
        append_json_int(out, *v);
    } else {
        out.append(std::string_view("null"));
    }
}

void append_double_or_null(std::string& out, const std::optional<double>& v) {
    if (v) {
        append_json_double(out, *v);
    } else {
        out.append(std::string_view("null"));
    }
}

template <class Body>
void append_body(std::string& out, const Body& body) {
    for_each_body_field<Body>([&](auto c) {
        constexpr const auto& f = decltype(c)::field;
        key(out, f.name);
        if constexpr (f.kind == FieldKind::number) {
            append_json_double(out, body.*f.number);
        } else if constexpr (f.kind == FieldKind::optional_number) {
            append_double_or_null(out, body.*f.optional_number);
        } else if constexpr (f.kind == FieldKind::optional_integer) {
            append_int_or_null(out, body.*f.optional_integer);
        } else {
            append_json_string(out, body.*f.text);
        }
    });
}

void append_field_value(std::string& out, const FieldValue& value) {
    std::visit(
        [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::monostate>) {
                out.append("null");
            } else if constexpr (std::is_same_v<V, bool>) {
                out.append(v ? "true" : "false");
            } else if constexpr (std::is_same_v<V, int64_t>) {
                append_json_int(out, v);
            } else if constexpr (std::is_same_v<V, double>) {
                append_json_double(out, v);
            } else {
                append_json_string(out, v);
            }
        },
        value);
}

void append_record_body(std::string& out, const Record& r) {
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
        append_field_value(out, f.value);
    }
    out.push_back('}');
}

} // namespace

void append_event_json(std::string& out, const Event& e) {
    out.append(std::string_view("{\"v\":1,\"type\":\""));
    out.append(to_string(e.type));
    out.append(std::string_view("\",\"id\":"));
    append_json_string(out, e.id);
    out.append(std::string_view(",\"symbol\":"));
    append_json_string(out, e.symbol);
    out.append(std::string_view(",\"ts\":\""));
    append_iso8601(out, e.ts);
    out.append(std::string_view("\",\"recv_ts\":\""));
    append_iso8601(out, e.recv_ts);
    out.append(std::string_view("\",\"source\":"));
    append_json_string(out, e.source);
    switch (e.type) {
    case EventType::trade: append_body(out, std::get<Trade>(e.body)); break;
    case EventType::quote: append_body(out, std::get<Quote>(e.body)); break;
    case EventType::bar: append_body(out, std::get<Bar>(e.body)); break;
    case EventType::record: append_record_body(out, std::get<Record>(e.body)); break;
    }
    out.push_back('}');
}

struct EventParser::Impl {
    simdjson::ondemand::parser parser;
    std::string padded; //!< message copy with simdjson's required tail padding
    bool simdjson_only = false;
};

void EventParser::set_simdjson_only(bool on) { impl_->simdjson_only = on; }

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
    if (get_exact_double(v, d) != simdjson::SUCCESS) {
        return poison("field '" + std::string(name) + "' must be a number");
    }
    if (!std::isfinite(d)) {
        return poison("field '" + std::string(name) + "' is not finite");
    }
    out = d;
    return {};
}

// On demand, a value's type is known only when it is read: an invalid literal ("nnn") makes
// is_null() an error, which the conversion to bool would throw (found by event_json_fuzz).
// Here it is "not null", and the read that follows reports the bad value as poison.
bool is_json_null(simdjson::ondemand::value& v) {
    bool null = false;
    return v.is_null().get(null) == simdjson::SUCCESS && null;
}

Status read_opt_double(simdjson::ondemand::value v, std::string_view name, std::optional<double>& out) {
    if (is_json_null(v)) {
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
                if (get_exact_double(fv, d) != simdjson::SUCCESS) return poison("bad number in '" + rf.name + "'");
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


// What parse_into collects before it knows the type: "type" may come after the body fields,
// so each body key is read into every body that has it. When "type" comes before every body
// key (as ticklake's producers write it), the body is read straight into the event instead
// (`direct`), and the draft bodies only see keys of the other types, to check them.
struct Draft {
    bool has_type = false, has_id = false, has_ts = false;
    std::string type_text;
    Trade trade;
    Quote quote;
    Bar bar;
    Record record;
    unsigned trade_seen = 0, quote_seen = 0, bar_seen = 0; //!< bit per field index, required ones checked
    bool has_fields = false;
    bool body_key_seen = false;       //!< a key of any body (or dataset, fields) was read
    std::optional<EventType> direct;  //!< trade, quote or bar: e.body holds it, read in place
    unsigned direct_seen = 0;
};

Status read_optional_int(simdjson::ondemand::value v, std::string_view name, std::optional<int64_t>& out) {
    if (is_json_null(v)) {
        out.reset();
        return {};
    }
    int64_t n;
    if (v.get_int64().get(n) != simdjson::SUCCESS) {
        return poison("field '" + std::string(name) + "' must be an integer");
    }
    out = n;
    return {};
}

template <class Body>
Status read_body_field(const BodyField<Body>& f, simdjson::ondemand::value v, Body& body) {
    switch (f.kind) {
    case FieldKind::number: return read_double(v, f.name, body.*f.number);
    case FieldKind::optional_number: return read_opt_double(v, f.name, body.*f.optional_number);
    case FieldKind::text: return read_string(v, f.name, body.*f.text);
    case FieldKind::nullable_text: return is_json_null(v) ? Status{} : read_string(v, f.name, body.*f.text);
    case FieldKind::optional_integer: return read_optional_int(v, f.name, body.*f.optional_integer);
    }
    return {};
}

// A key two bodies share (a trade's and a quote's "exchange") is read once, then copied: an
// On-Demand value can be consumed only once.
template <class From, class To>
void copy_field(const BodyField<From>& from_field, const From& from, const BodyField<To>& to_field, To& to) {
    switch (to_field.kind) {
    case FieldKind::number: to.*to_field.number = from.*from_field.number; break;
    case FieldKind::optional_number: to.*to_field.optional_number = from.*from_field.optional_number; break;
    case FieldKind::text:
    case FieldKind::nullable_text: to.*to_field.text = from.*from_field.text; break;
    case FieldKind::optional_integer: to.*to_field.optional_integer = from.*from_field.optional_integer; break;
    }
}

constexpr bool shared_names_agree() {
    for (const auto& t : kTradeFields) {
        for (const auto& q : kQuoteFields) {
            if (t.name == q.name && t.kind != q.kind) return false;
        }
        for (const auto& b : kBarFields) {
            if (t.name == b.name && t.kind != b.kind) return false;
        }
    }
    for (const auto& q : kQuoteFields) {
        for (const auto& b : kBarFields) {
            if (q.name == b.name && q.kind != b.kind) return false;
        }
    }
    return true;
}
static_assert(shared_names_agree(), "a field name shared by two event types needs one kind for copy_field");

// Reads field `i` of the body from `v`, then copies it into the quote and bar bodies when
// they have a field of that name too (pass -1 when not).
template <class Body>
void copy_to_others(const BodyField<Body>& f, const Body& body, Draft& d, int quote_i, int bar_i) {
    if (quote_i >= 0) {
        d.quote_seen |= 1u << quote_i;
        copy_field(f, body, kQuoteFields[quote_i], d.quote);
    }
    if (bar_i >= 0) {
        d.bar_seen |= 1u << bar_i;
        copy_field(f, body, kBarFields[bar_i], d.bar);
    }
}

// Reads field `i` of the body with `read(field, body)` (a simdjson or a flat value), marking
// it seen, then copies it to the other draft bodies that have a field of that name.
template <class Body, class Read>
auto read_then_copy(int i, Body& body, unsigned& seen, Draft& d, int quote_i, int bar_i, Read& read) {
    const auto& f = body_fields<Body>()[i];
    seen |= 1u << i;
    auto result = read(f, body);
    copy_to_others(f, body, d, quote_i, bar_i);
    return result;
}

// Sets every field of a body to its default, keeping the capacity of its strings.
template <class Body>
void reset_body(Body& body) {
    for (const auto& f : body_fields<Body>()) {
        switch (f.kind) {
        case FieldKind::number: body.*f.number = 0; break;
        case FieldKind::optional_number: (body.*f.optional_number).reset(); break;
        case FieldKind::text:
        case FieldKind::nullable_text: (body.*f.text).clear(); break;
        case FieldKind::optional_integer: (body.*f.optional_integer).reset(); break;
        }
    }
}

template <class Body>
void start_direct(Event& e) {
    if (Body* b = std::get_if<Body>(&e.body)) {
        reset_body(*b);
    } else {
        e.body.emplace<Body>();
    }
}

// Takes the value of "type"; when it comes before every body key, the rest of the body is read
// in place. Returns false when the message had a "type" already with another value
// (whatever the order of the keys: the body may already be read as the first one).
bool took_type(std::string_view text, Event& e, Draft& d) {
    if (d.has_type) {
        return text == d.type_text;
    }
    d.has_type = true;
    d.type_text.assign(text);
    const auto type = parse_event_type(text);
    if (d.body_key_seen || !type) {
        return true;
    }
    switch (*type) {
    case EventType::trade: start_direct<Trade>(e); break;
    case EventType::quote: start_direct<Quote>(e); break;
    case EventType::bar: start_direct<Bar>(e); break;
    case EventType::record: return true;
    }
    d.direct = type;
    return true;
}

Status read_type(simdjson::ondemand::value v, Event& e, Draft& d) {
    std::string_view text;
    if (v.get_string().get(text) != simdjson::SUCCESS) {
        return poison("field 'type' must be a string");
    }
    return took_type(text, e, d) ? Status{} : poison("field 'type' appears twice with different values");
}

// What a message key means: an envelope field, or the index of the field of that name in each
// body (-1 where the body has none).
enum class EnvelopeKey : uint8_t { none, type, id, symbol, ts, recv_ts, source, v, dataset, fields };
struct KeyMeaning {
    EnvelopeKey envelope = EnvelopeKey::none;
    int8_t trade = -1, quote = -1, bar = -1;
};

// Every key parse_into knows, in an open-addressing hash table on the key's bytes read as two
// words: a lookup runs for every key of every message the sink reads, and comparing a key
// byte by byte with each known key of its length cost the sink 5 % in mispredicted branches.
class KeyTable {
public:
    KeyTable() {
        const std::pair<std::string_view, EnvelopeKey> envelope[] = {
            {"type", EnvelopeKey::type},       {"id", EnvelopeKey::id},     {"symbol", EnvelopeKey::symbol},
            {"ts", EnvelopeKey::ts},           {"recv_ts", EnvelopeKey::recv_ts},
            {"source", EnvelopeKey::source},   {"v", EnvelopeKey::v},       {"dataset", EnvelopeKey::dataset},
            {"fields", EnvelopeKey::fields}};
        for (const auto& [name, key] : envelope) {
            entry(name).envelope = key;
        }
        for (size_t i = 0; i < kTradeFields.size(); ++i) entry(kTradeFields[i].name).trade = static_cast<int8_t>(i);
        for (size_t i = 0; i < kQuoteFields.size(); ++i) entry(kQuoteFields[i].name).quote = static_cast<int8_t>(i);
        for (size_t i = 0; i < kBarFields.size(); ++i) entry(kBarFields[i].name).bar = static_cast<int8_t>(i);
    }

    const KeyMeaning* find(std::string_view k) const {
        if (k.empty() || k.size() > kMaxKey) {
            return nullptr;
        }
        const Words w = words(k);
        for (size_t i = slot(w);; i = (i + 1) & (kSlots - 1)) {
            const Slot& s = slots_[i];
            if (s.size == 0) {
                return nullptr;
            }
            if (s.words.lo == w.lo && s.words.hi == w.hi && s.size == k.size()) {
                return &s.meaning;
            }
        }
    }

private:
    static constexpr size_t kMaxKey = 16;
    static constexpr size_t kSlots = 128; // a power of two, over three times the known keys

    // The bytes of a key of 1..16 bytes as two words, read with overlapping loads (no loop,
    // nothing read outside the key). For one length the mapping is one-to-one: every byte
    // lands in a word.
    struct Words {
        uint64_t lo = 0, hi = 0;
    };
    static Words words(std::string_view k) {
        const char* p = k.data();
        const size_t n = k.size();
        Words w;
        if (n >= 8) {
            std::memcpy(&w.lo, p, 8);
            std::memcpy(&w.hi, p + n - 8, 8);
        } else if (n >= 4) {
            uint32_t a, b;
            std::memcpy(&a, p, 4);
            std::memcpy(&b, p + n - 4, 4);
            w.lo = a | (static_cast<uint64_t>(b) << 32);
        } else {
            const auto byte = [p](size_t i) { return static_cast<uint64_t>(static_cast<unsigned char>(p[i])); };
            w.lo = byte(0) | (byte(n / 2) << 8) | (byte(n - 1) << 16);
        }
        return w;
    }
    static size_t slot(const Words& w) {
        const uint64_t h = (w.lo * 0x9E3779B97F4A7C15ULL) ^ (w.hi * 0xC2B2AE3D27D4EB4FULL);
        return static_cast<size_t>(h >> 57) & (kSlots - 1);
    }

    struct Slot {
        Words words;
        size_t size = 0; //!< 0: empty
        KeyMeaning meaning;
    };

    KeyMeaning& entry(std::string_view name) {
        if (name.empty() || name.size() > kMaxKey) {
            throw std::logic_error("event key of an unexpected length: " + std::string(name));
        }
        if (KeyMeaning* known = const_cast<KeyMeaning*>(find(name))) {
            return *known;
        }
        const Words w = words(name);
        size_t i = slot(w);
        while (slots_[i].size != 0) {
            i = (i + 1) & (kSlots - 1);
        }
        slots_[i].words = w;
        slots_[i].size = name.size();
        return slots_[i].meaning;
    }

    std::array<Slot, kSlots> slots_{};
};

// Built before main (its keys are constants): a function-local static cost a guard check and
// a call per key.
const KeyTable kKeyTable;

const KeyTable& key_table() { return kKeyTable; }

// A key of a trade, quote or bar body, read with `read(field, body)`: in place when the body is
// read directly (and has the key), else into the first draft body that has it, copied to the
// others. Nothing when no body has the key.
template <class Read>
auto read_body_key(const KeyMeaning& m, Event& e, Draft& d, Read&& read)
    -> std::optional<decltype(read(kTradeFields[0], d.trade))> {
    if (d.direct) {
        switch (*d.direct) {
        case EventType::trade:
            if (m.trade >= 0) return read_then_copy(m.trade, std::get<Trade>(e.body), d.direct_seen, d, -1, -1, read);
            break;
        case EventType::quote:
            if (m.quote >= 0) return read_then_copy(m.quote, std::get<Quote>(e.body), d.direct_seen, d, -1, -1, read);
            break;
        case EventType::bar:
            if (m.bar >= 0) return read_then_copy(m.bar, std::get<Bar>(e.body), d.direct_seen, d, -1, -1, read);
            break;
        case EventType::record: break;
        }
    }
    d.body_key_seen = true;
    if (m.trade >= 0) return read_then_copy(m.trade, d.trade, d.trade_seen, d, m.quote, m.bar, read);
    if (m.quote >= 0) return read_then_copy(m.quote, d.quote, d.quote_seen, d, -1, m.bar, read);
    if (m.bar >= 0) return read_then_copy(m.bar, d.bar, d.bar_seen, d, -1, -1, read);
    return std::nullopt;
}

// Reads one key of a message into the event's envelope or the draft bodies. Unknown keys
// are ignored: newer producers may add fields (schema evolution). A key two bodies share is
// read into the first and copied to the others.
Status read_key(std::string_view k, simdjson::ondemand::value v, Event& e, Draft& d) {
    const KeyMeaning* m = key_table().find(k);
    if (m == nullptr) {
        return {};
    }
    switch (m->envelope) {
    case EnvelopeKey::none: break;
    case EnvelopeKey::type: return read_type(v, e, d);
    case EnvelopeKey::id: d.has_id = true; return read_string(v, k, e.id);
    case EnvelopeKey::symbol: return is_json_null(v) ? Status{} : read_string(v, k, e.symbol);
    case EnvelopeKey::ts: d.has_ts = true; return read_time(v, k, e.ts);
    case EnvelopeKey::recv_ts: return read_time(v, k, e.recv_ts);
    case EnvelopeKey::source: return is_json_null(v) ? Status{} : read_string(v, k, e.source);
    case EnvelopeKey::v: {
        int64_t ver;
        if (v.get_int64().get(ver) != simdjson::SUCCESS || ver != kWireSchemaVersion) {
            return poison("unsupported wire schema version (expected \"v\":1)");
        }
        return {};
    }
    case EnvelopeKey::dataset: d.body_key_seen = true; return read_string(v, k, d.record.dataset);
    case EnvelopeKey::fields:
        d.body_key_seen = true;
        d.has_fields = true;
        return read_fields(v, d.record.fields);
    }
    auto read = [&](const auto& f, auto& body) { return read_body_field(f, v, body); };
    return read_body_key(*m, e, d, read).value_or(Status{});
}

// "trade needs fields price, size" when a required field of the body was not in the message.
template <class Body>
constexpr unsigned required_mask() {
    unsigned need = 0;
    for (size_t i = 0; i < body_fields<Body>().size(); ++i) {
        need |= body_fields<Body>()[i].required ? 1u << i : 0u;
    }
    return need;
}

template <class Body>
Status check_required(unsigned seen, EventType type) {
    constexpr unsigned need = required_mask<Body>();
    if ((seen & need) == need) {
        return {};
    }
    std::string names;
    for (const auto& f : body_fields<Body>()) {
        if (f.required) {
            names += (names.empty() ? "" : ", ") + std::string(f.name);
        }
    }
    return poison(std::string(to_string(type)) + " needs fields " + names);
}

Status move_body(Draft& d, Event& e) {
    if (d.direct) {
        switch (e.type) {
        case EventType::trade: return check_required<Trade>(d.direct_seen, e.type);
        case EventType::quote: return check_required<Quote>(d.direct_seen, e.type);
        case EventType::bar: return check_required<Bar>(d.direct_seen, e.type);
        case EventType::record: break;
        }
    }
    switch (e.type) {
    case EventType::trade:
        e.body = std::move(d.trade);
        return check_required<Trade>(d.trade_seen, e.type);
    case EventType::quote:
        e.body = std::move(d.quote);
        return check_required<Quote>(d.quote_seen, e.type);
    case EventType::bar:
        e.body = std::move(d.bar);
        return check_required<Bar>(d.bar_seen, e.type);
    case EventType::record:
        e.body = std::move(d.record);
        return d.has_fields ? Status{} : poison("record needs fields fields");
    }
    return {};
}

// Checks what every event needs and what its type needs, and moves the body in.
Status finish(Draft& d, Event& e) {
    if (!d.has_type) return poison("missing field 'type'");
    auto type = parse_event_type(d.type_text);
    if (!type) return poison("unknown type '" + d.type_text + "' (expected trade, quote, bar or record)");
    if (!d.has_id || e.id.empty()) return poison("missing field 'id'");
    if (!d.has_ts) return poison("missing field 'ts'");
    e.type = *type;
    if (auto st = move_body(d, e); !st) return st;
    if (e.type != EventType::record && e.symbol.empty()) {
        return poison(std::string(to_string(e.type)) + " needs a non-empty 'symbol'");
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// The flat path (common/flat_json.h): the same keys, draft and checks as the simdjson path
// above, over values the scanner has already checked. Each reader returns false to give up:
// the simdjson path then parses the message again and says what is wrong, so this path never
// words an error of its own and accepts nothing the simdjson path would refuse.

using FlatValue = flat_json::Value;

bool flat_string(const FlatValue& v, std::string& out) {
    if (v.kind != FlatValue::Kind::string) return false;
    out.assign(v.text);
    return true;
}

bool flat_double(const FlatValue& v, double& out) {
    return v.kind == FlatValue::Kind::number && flat_json::to_double(v, out);
}

bool flat_int(const FlatValue& v, int64_t& out) {
    return v.kind == FlatValue::Kind::number && v.integer && flat_json::to_int64(v, out);
}

bool flat_time(const FlatValue& v, TimestampUs& out) {
    if (v.kind == FlatValue::Kind::number) return flat_int(v, out);
    if (v.kind != FlatValue::Kind::string) return false;
    // ticklake's own form without building a Result; any other text (rare) pays the 27-byte
    // check once more inside parse_iso8601.
    if (read_canonical_iso8601(v.text, out)) return true;
    auto r = parse_iso8601(v.text);
    if (!r) return false;
    out = *r;
    return true;
}

template <class Body>
bool flat_body_field(const BodyField<Body>& f, const FlatValue& v, Body& body) {
    const bool null = v.kind == FlatValue::Kind::null;
    switch (f.kind) {
    case FieldKind::number: return flat_double(v, body.*f.number);
    case FieldKind::optional_number: {
        auto& out = body.*f.optional_number;
        double d = 0;
        if (null) out.reset();
        else if (flat_double(v, d)) out = d;
        else return false;
        return true;
    }
    case FieldKind::text: return flat_string(v, body.*f.text);
    case FieldKind::nullable_text: return null || flat_string(v, body.*f.text);
    case FieldKind::optional_integer: {
        auto& out = body.*f.optional_integer;
        int64_t n = 0;
        if (null) out.reset();
        else if (flat_int(v, n)) out = n;
        else return false;
        return true;
    }
    }
    return false;
}

// read_key's twin for a flat value.
bool flat_key(std::string_view k, const FlatValue& v, Event& e, Draft& d) {
    const KeyMeaning* m = key_table().find(k);
    if (m == nullptr) {
        return true;
    }
    const bool null = v.kind == FlatValue::Kind::null;
    switch (m->envelope) {
    case EnvelopeKey::none: break;
    case EnvelopeKey::type: return v.kind == FlatValue::Kind::string && took_type(v.text, e, d);
    case EnvelopeKey::id: d.has_id = true; return flat_string(v, e.id);
    case EnvelopeKey::symbol: return null || flat_string(v, e.symbol);
    case EnvelopeKey::ts: d.has_ts = true; return flat_time(v, e.ts);
    case EnvelopeKey::recv_ts: return flat_time(v, e.recv_ts);
    case EnvelopeKey::source: return null || flat_string(v, e.source);
    case EnvelopeKey::v: {
        int64_t ver = 0;
        return flat_int(v, ver) && ver == kWireSchemaVersion;
    }
    case EnvelopeKey::dataset: d.body_key_seen = true; return flat_string(v, d.record.dataset);
    case EnvelopeKey::fields: return false; // an object: never flat
    }
    auto read = [&](const auto& f, auto& body) { return flat_body_field(f, v, body); };
    return read_body_key(*m, e, d, read).value_or(true);
}

// True when the message was read on the flat path and is a valid event.
bool parse_flat(std::string_view json, Event& e) {
    Draft d;
    e.symbol.clear();
    e.source.clear();
    e.recv_ts = 0;
    return flat_json::scan_object(json, [&](std::string_view k, const FlatValue& v) { return flat_key(k, v, e, d); }) &&
           finish(d, e);
}

// ---------------------------------------------------------------------------------------------
// The writer's layout: what append_event_json writes for a trade, quote or bar, which is what
// nearly every message the sink reads is. Read by matching the expected bytes of each key in
// turn (no key lookup, no draft), each value with the flat path's scanners. Any difference
// (another order, a space, an unknown key, a null, an escape, an offset in a time) gives up,
// and the message is read again by the flat path above, which takes every form. So this path
// never accepts what the others refuse, and reads what it accepts as they do.

// True when append_json_double writes `value` as exactly `literal`, the text it was read from.
// Sure of it only when: no exponent; at most 15 digits, so no other decimal of at most 15 digits
// reads as the same double and the literal's digits are the shortest; no trailing zero in a
// fraction ("1.50" is written "1.5"); and a magnitude where std::to_chars picks fixed notation:
// from 0.001 up, and no trailing zero in an integer of six digits or more ("100000" is "1e+05").
// Anything else answers false, which only costs the sink writing that row itself.
bool writes_as(std::string_view literal, double value, const flat_json::NumberShape& shape) {
    if (!shape.short_form || literal == "-0") {
        return false;
    }
    if (shape.dot) {
        return literal.back() != '0' && std::fabs(value) >= 0.001;
    }
    return shape.digits <= 5 || literal.back() != '0';
}

// A day and second as append_iso8601 writes them, in text read_canonical_iso8601 took: it also
// takes a day past its month's end ("02-30") and a leap second (":60"), carried into the next
// month or minute, which append_iso8601 then writes otherwise.
bool canonical_day_and_second(std::string_view s, TimestampUs ts) {
    if (s[17] == '6') {
        return false;
    }
    if (s[8] < '2' || (s[8] == '2' && s[9] <= '8')) { // every month has days 1 to 28
        return true;
    }
    std::string text;
    append_iso8601(text, ts);
    return text == s;
}

// The expected bytes of a member's key, `,"name":`. Keys of up to 16 bytes are also held as two
// words and masks: comparing them with the message's next 16 bytes takes two loads, where
// memcmp of a length known only at run time was a call per key (4 % of a JSON Lines sink).
struct LayoutKey {
    std::string text;
    uint64_t word[2] = {0, 0};
    uint64_t mask[2] = {0, 0};

    explicit LayoutKey(std::string t) : text(std::move(t)) {
        if (text.size() > 16) return;
        unsigned char bytes[16] = {}, ones[16] = {};
        std::memcpy(bytes, text.data(), text.size());
        std::memset(ones, 0xff, text.size());
        std::memcpy(word, bytes, 16);
        std::memcpy(mask, ones, 16);
    }
};

// The keys of each member after "v" and "type", by event type.
struct LayoutKeys {
    std::vector<LayoutKey> body[3]; // trade, quote, bar
    LayoutKeys() {
        auto add = [](std::vector<LayoutKey>& to, const auto& fields) {
            for (const auto& f : fields) to.emplace_back(std::string(",\"").append(f.name).append("\":"));
        };
        add(body[0], kTradeFields);
        add(body[1], kQuoteFields);
        add(body[2], kBarFields);
    }
};
const LayoutKeys kLayoutKeys;

class LayoutReader {
public:
    explicit LayoutReader(std::string_view json) : p_(json.data()), end_(json.data() + json.size()) {}

    bool expect(std::string_view bytes) {
        if (static_cast<size_t>(end_ - p_) < bytes.size() || std::memcmp(p_, bytes.data(), bytes.size()) != 0) {
            return false;
        }
        p_ += bytes.size();
        return true;
    }
    bool expect(const LayoutKey& key) {
        if (key.text.size() > 16 || end_ - p_ < 16) {
            return expect(key.text);
        }
        uint64_t in[2];
        std::memcpy(in, p_, 16);
        if ((((in[0] ^ key.word[0]) & key.mask[0]) | ((in[1] ^ key.word[1]) & key.mask[1])) != 0) {
            return false;
        }
        p_ += key.text.size();
        return true;
    }
    // p_ at the opening quote.
    bool string(std::string& out) {
        std::string_view text;
        if (p_ == end_ || *p_ != '"' || !flat_json::detail::scan_string(p_, end_, text)) return false;
        out.assign(text);
        return true;
    }
    bool time(TimestampUs& out) {
        if (end_ - p_ < 29 || *p_ != '"' || p_[28] != '"') return false;
        const std::string_view text(p_ + 1, 27);
        if (!read_canonical_iso8601(text, out)) return false;
        wire_ = wire_ && canonical_day_and_second(text, out);
        p_ += 29;
        return true;
    }
    bool number(double& out) {
        FlatValue v;
        flat_json::NumberShape shape;
        if (p_ == end_ || !flat_json::detail::scan_number(p_, end_, v) || !flat_json::to_double(v, out, &shape)) {
            return false;
        }
        wire_ = wire_ && writes_as(v.text, out, shape);
        return true;
    }
    bool integer(int64_t& out) {
        FlatValue v;
        if (p_ == end_ || !flat_json::detail::scan_number(p_, end_, v) || !v.integer) return false;
        wire_ = wire_ && v.text != "-0";
        return flat_json::to_int64(v, out);
    }
    bool null() { return expect("null"); }
    bool at_end() const { return p_ == end_; }
    bool wire() const { return wire_; }

private:
    const char* p_;
    const char* end_;
    bool wire_ = true; //!< every value so far in the writer's spelling
};

template <class Body>
bool read_layout_body(LayoutReader& r, const std::vector<LayoutKey>& keys, Body& body) {
    size_t i = 0;
    bool ok = true;
    for_each_body_field<Body>([&](auto c) {
        constexpr const auto& f = decltype(c)::field;
        if (!ok || !(ok = r.expect(keys[i++]))) return;
        if constexpr (f.kind == FieldKind::number) {
            ok = r.number(body.*f.number);
        } else if constexpr (f.kind == FieldKind::optional_number) {
            double d = 0;
            if (r.null()) (body.*f.optional_number).reset();
            else if ((ok = r.number(d))) body.*f.optional_number = d;
        } else if constexpr (f.kind == FieldKind::optional_integer) {
            int64_t n = 0;
            if (r.null()) (body.*f.optional_integer).reset();
            else if ((ok = r.integer(n))) body.*f.optional_integer = n;
        } else {
            ok = r.string(body.*f.text); // a null text gives up: the writer writes ""
        }
    });
    return ok;
}

template <class Body>
Body& direct_body(Event& e) {
    if (Body* b = std::get_if<Body>(&e.body)) return *b;
    return e.body.emplace<Body>();
}

// True when the message is in the writer's layout and was read into e; wire_form (when given):
// every value also in the writer's spelling, so the message is append_event_json(e) exactly.
bool parse_layout(std::string_view json, Event& e, bool* wire_form) {
    LayoutReader r(json);
    if (!r.expect("{\"v\":1,\"type\":\"") || json.size() < 16) return false;
    switch (json[15]) {
    case 't': e.type = EventType::trade; break;
    case 'q': e.type = EventType::quote; break;
    case 'b': e.type = EventType::bar; break;
    default: return false;
    }
    if (!r.expect(to_string(e.type)) || !r.expect("\",\"id\":") || !r.string(e.id) || e.id.empty() ||
        !r.expect(",\"symbol\":") || !r.string(e.symbol) || e.symbol.empty() || !r.expect(",\"ts\":") ||
        !r.time(e.ts) || !r.expect(",\"recv_ts\":") || !r.time(e.recv_ts) || !r.expect(",\"source\":") ||
        !r.string(e.source)) {
        return false;
    }
    bool ok = false;
    switch (e.type) {
    case EventType::trade: ok = read_layout_body(r, kLayoutKeys.body[0], direct_body<Trade>(e)); break;
    case EventType::quote: ok = read_layout_body(r, kLayoutKeys.body[1], direct_body<Quote>(e)); break;
    case EventType::bar: ok = read_layout_body(r, kLayoutKeys.body[2], direct_body<Bar>(e)); break;
    case EventType::record: break;
    }
    if (!ok || !r.expect("}") || !r.at_end()) return false;
    if (wire_form) *wire_form = r.wire();
    return true;
}

// The key of a field as it stands in the message, when it has no escape: keys are nearly
// always plain, and unescaped_key() would copy each one into the parser's string buffer.
bool raw_key(simdjson::ondemand::field& field, const char* buf_end, std::string_view& k) {
    const char* start = field.key().raw();
    const auto* quote = static_cast<const char*>(std::memchr(start, '"', static_cast<size_t>(buf_end - start)));
    if (quote == nullptr || std::memchr(start, '\\', static_cast<size_t>(quote - start)) != nullptr) {
        return false;
    }
    k = std::string_view(start, static_cast<size_t>(quote - start));
    return true;
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
    if (obj.find_field_unordered("symbol").get(sym) == simdjson::SUCCESS && !is_json_null(sym)) {
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

Status EventParser::parse_into(std::string_view json, Event& e) { return parse(json, e, nullptr); }

Status EventParser::parse_into(std::string_view json, Event& e, bool& wire_form) {
    wire_form = false;
    return parse(json, e, &wire_form);
}

std::string_view wire_row_members(std::string_view wire, EventType type) {
    // `{"v":1,"type":"` (15 bytes), the type, `",`
    return wire.substr(15 + std::strlen(to_string(type)) + 2);
}

std::string_view json_row_members(std::string_view message, bool wire_form, const Event& e, std::string& scratch) {
    if (e.type == EventType::record) {
        return {};
    }
    if (wire_form) {
        return wire_row_members(message, e.type);
    }
    scratch.clear();
    append_event_json(scratch, e);
    return wire_row_members(scratch, e.type);
}

Status EventParser::parse(std::string_view json, Event& e, bool* wire_form) {
    if (!impl_->simdjson_only && (parse_layout(json, e, wire_form) || parse_flat(json, e))) {
        return {};
    }
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
    Draft d;
    e.symbol.clear();
    e.source.clear();
    e.recv_ts = 0;
    const char* const buf_end = buf.data() + buf.size();
    for (auto result : obj) {
        simdjson::ondemand::field field;
        std::string_view k;
        if (std::move(result).get(field) != simdjson::SUCCESS ||
            (!raw_key(field, buf_end, k) && field.unescaped_key().get(k) != simdjson::SUCCESS)) {
            return poison("malformed key");
        }
        if (auto st = read_key(k, field.value(), e, d); !st) {
            return st;
        }
    }
    return finish(d, e);
}

} // namespace ticklake
