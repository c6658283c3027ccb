#include "decode/json_row_decoder.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <simdjson.h>

#include "common/flat_json.h"
#include "common/simdjson_number.h"

namespace ticklake {

namespace {

namespace od = simdjson::ondemand;

std::string_view trim_right(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

Error syntax_error(simdjson::error_code e) {
    if (e == simdjson::UTF8_ERROR) {
        return Error::poison("value is not valid UTF-8");
    }
    return Error::poison(std::string("value is not valid JSON (") + simdjson::error_message(e) + ")");
}

// The type of a nested value, from its parsed tree. Strings inside nested values stay text
// (no date guessing there); an array whose elements share no type cannot be a LIST.
Result<ValueType> infer_nested(simdjson::dom::element e) {
    using Kind = ValueType::Kind;
    switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
        ValueType t(Kind::structure);
        for (auto [key, value] : simdjson::dom::object(e)) {
            auto ft = infer_nested(value);
            if (!ft) {
                return ft;
            }
            ValueType field_type = std::move(*ft);
            ValueType one(Kind::structure);
            one.fields.emplace_back(std::string(key), std::move(field_type));
            auto w = widen(t, one); // a key repeated in one object: the types must agree
            if (!w) {
                return fail(Error::poison("object key '" + std::string(key) + "' repeats with another type"));
            }
            t = std::move(*w);
        }
        return t;
    }
    case simdjson::dom::element_type::ARRAY: {
        ValueType element;
        for (auto item : simdjson::dom::array(e)) {
            auto it = infer_nested(item);
            if (!it) {
                return it;
            }
            auto w = widen(element, *it);
            if (!w) {
                return fail(Error::poison(std::string("an array mixes ") + to_string(element.kind) + " and " +
                                          to_string(it->kind) + " values"));
            }
            element = std::move(*w);
        }
        return ValueType::list_of(std::move(element));
    }
    case simdjson::dom::element_type::INT64: return ValueType(Kind::bigint);
    case simdjson::dom::element_type::UINT64:
        return ValueType(uint64_t(e) > uint64_t(std::numeric_limits<int64_t>::max()) ? Kind::float64 : Kind::bigint);
    case simdjson::dom::element_type::DOUBLE: return ValueType(Kind::float64);
    case simdjson::dom::element_type::STRING: return ValueType(Kind::varchar);
    case simdjson::dom::element_type::BOOL: return ValueType(Kind::boolean);
    case simdjson::dom::element_type::NULL_VALUE: return ValueType();
    }
    return ValueType();
}

} // namespace

struct JsonRowDecoder::Impl {
    bool simdjson_only = false;
    od::parser parser;
    simdjson::dom::parser dom; //!< nested values only
    std::string padded;        //!< message copy with simdjson's tail padding; cells view into it
    std::string rewritten;     //!< the message with NaN/Infinity as null, when it had any

    bool decode_flat(std::string_view text, RowCells& row, bool copy);
    Status decode_once(std::string_view text, RowCells& row);
    Status add_number(od::value& v, CellValue& c);
    Status add_nested(od::value& v, bool object, CellValue& c, RowCells& row);
};

JsonRowDecoder::JsonRowDecoder() : impl_(std::make_unique<Impl>()) {}
JsonRowDecoder::~JsonRowDecoder() = default;

void JsonRowDecoder::set_simdjson_only(bool on) { impl_->simdjson_only = on; }

Status JsonRowDecoder::decode(std::string_view value, RowCells& row) {
    return decode_as(value, row, true);
}

Status JsonRowDecoder::decode_viewing(std::string_view value, RowCells& row) {
    return decode_as(value, row, false);
}

Status JsonRowDecoder::decode_as(std::string_view value, RowCells& row, bool copy) {
    row.clear();
    if (!impl_->simdjson_only && impl_->decode_flat(value, row, copy)) {
        return {};
    }
    row.clear();
    Status st = impl_->decode_once(value, row);
    if (!st) {
        // Python's json.dumps writes NaN for a missing float: read such a message once more
        // with those literals as null (only failing messages pay for the scan).
        impl_->rewritten = replace_non_finite_literals(value);
        if (!impl_->rewritten.empty()) {
            row.clear();
            if (auto again = impl_->decode_once(impl_->rewritten, row); again) {
                return again;
            }
        }
    }
    return st;
}

// A flat object of scalars in plain ASCII (common/flat_json.h) in one pass, with the cells
// decode_once() would give it. False hands the message to decode_once(): nested values,
// escapes, NaN, numbers past int64 or double, and anything malformed, which it words.
bool JsonRowDecoder::Impl::decode_flat(std::string_view text, RowCells& row, bool copy) {
    if (copy) {
        padded.assign(text); // the cells view this copy, valid until the next decode()
        text = padded;
    }
    return flat_json::scan_object(text, [&](std::string_view key, const flat_json::Value& v) {
        CellValue& c = row.add(key);
        switch (v.kind) {
        case flat_json::Value::Kind::string:
            c.kind = CellValue::Kind::string;
            c.text = v.text;
            return true;
        case flat_json::Value::Kind::boolean:
            c.kind = CellValue::Kind::boolean;
            c.b = v.truth;
            return true;
        case flat_json::Value::Kind::null: return true;
        case flat_json::Value::Kind::number: break;
        }
        c.text = v.text;
        if (v.integer) {
            c.kind = CellValue::Kind::integer;
            return flat_json::to_int64(v, c.i); // past int64: simdjson makes it a double
        }
        c.kind = CellValue::Kind::real;
        return flat_json::to_double(v, c.d);
    });
}

Status JsonRowDecoder::Impl::add_number(od::value& v, CellValue& c) {
    std::string_view token = trim_right(v.raw_json_token());
    od::number_type nt;
    if (auto e = v.get_number_type().get(nt); e) {
        return fail(syntax_error(e));
    }
    c.text = token;
    if (nt == od::number_type::signed_integer) {
        if (auto e = v.get_int64().get(c.i); e) {
            return fail(syntax_error(e));
        }
        c.kind = CellValue::Kind::integer;
        return {};
    }
    if (nt == od::number_type::unsigned_integer) {
        uint64_t u = 0;
        if (auto e = v.get_uint64().get(u); e) {
            return fail(syntax_error(e));
        }
        c.kind = CellValue::Kind::real; // beyond int64: a double (the text keeps every digit)
        c.d = static_cast<double>(u);
        return {};
    }
    if (auto e = get_exact_double(v, c.d); e) {
        return fail(syntax_error(e));
    }
    c.kind = CellValue::Kind::real;
    return {};
}

Status JsonRowDecoder::Impl::add_nested(od::value& v, bool object, CellValue& c, RowCells& row) {
    std::string_view raw;
    simdjson::error_code e;
    if (object) {
        od::object o;
        e = v.get_object().get(o);
        if (!e) {
            e = o.raw_json().get(raw);
        }
    } else {
        od::array a;
        e = v.get_array().get(a);
        if (!e) {
            e = a.raw_json().get(raw);
        }
    }
    if (e) {
        return fail(syntax_error(e));
    }
    // Minified, so the text is one line in JSON Lines files and compact in Parquet.
    std::string& text = row.new_string();
    text.resize(raw.size());
    size_t len = 0;
    if (simdjson::minify(raw.data(), raw.size(), text.data(), len) != simdjson::SUCCESS) {
        return fail(Error::poison("value is not valid JSON (a nested value)"));
    }
    text.resize(len);
    simdjson::dom::element tree;
    if (auto pe = dom.parse(text.data(), text.size(), true).get(tree); pe) {
        return fail(syntax_error(pe));
    }
    auto type = infer_nested(tree);
    if (!type) {
        return fail(type.error());
    }
    ValueType& t = row.new_type();
    t = std::move(*type);
    c.kind = CellValue::Kind::json;
    c.text = text;
    c.nested = &t;
    return {};
}

Status JsonRowDecoder::Impl::decode_once(std::string_view text, RowCells& row) {
    padded.assign(text);
    padded.resize(text.size() + simdjson::SIMDJSON_PADDING, '\0');
    od::document doc;
    if (auto e = parser.iterate(padded.data(), text.size(), padded.size()).get(doc); e) {
        return fail(syntax_error(e));
    }
    od::json_type top;
    if (auto e = doc.type().get(top); e) {
        return fail(syntax_error(e));
    }
    if (top != od::json_type::object) {
        // On-Demand only peeks at the first byte: parse the whole text to say what it is.
        simdjson::dom::element whole;
        if (auto e = dom.parse(text.data(), text.size(), true).get(whole); e) {
            return fail(syntax_error(e));
        }
        return fail(Error::poison(whole.is_array() ? "value is a JSON array, not an object"
                                                   : "value is a JSON scalar, not an object"));
    }
    od::object obj;
    if (auto e = doc.get_object().get(obj); e) {
        return fail(syntax_error(e));
    }
    for (auto field_result : obj) {
        od::field field;
        if (auto e = std::move(field_result).get(field); e) {
            return fail(syntax_error(e));
        }
        std::string_view key;
        if (auto e = field.unescaped_key().get(key); e) {
            return fail(syntax_error(e));
        }
        od::value v = field.value();
        od::json_type t;
        if (auto e = v.type().get(t); e) {
            return fail(syntax_error(e));
        }
        CellValue& c = row.add(key);
        simdjson::error_code e = simdjson::SUCCESS;
        switch (t) {
        case od::json_type::number:
            if (auto st = add_number(v, c); !st) {
                return st;
            }
            break;
        case od::json_type::string:
            c.kind = CellValue::Kind::string;
            e = v.get_string().get(c.text);
            break;
        case od::json_type::boolean:
            c.kind = CellValue::Kind::boolean;
            e = v.get_bool().get(c.b);
            break;
        case od::json_type::null: {
            bool is_null = false;
            e = v.is_null().get(is_null);
            if (!e && !is_null) {
                e = simdjson::INCORRECT_TYPE;
            }
            break;
        }
        case od::json_type::object:
        case od::json_type::array:
            if (auto st = add_nested(v, t == od::json_type::object, c, row); !st) {
                return st;
            }
            break;
        }
        if (e) {
            return fail(syntax_error(e));
        }
    }
    // After the object, only the end of the input may remain (current_location is past it).
    const char* rest = nullptr;
    if (doc.current_location().get(rest) == simdjson::SUCCESS) {
        return fail(Error::poison("value has text after its JSON object"));
    }
    return {};
}

std::string replace_non_finite_literals(std::string_view value) {
    static constexpr std::string_view kLiterals[] = {"-Infinity", "Infinity", "NaN"};
    auto literal_at = [&](size_t i) -> size_t {
        for (std::string_view lit : kLiterals) {
            if (value.substr(i, lit.size()) == lit) {
                return lit.size();
            }
        }
        return 0;
    };
    std::string out;
    bool in_string = false;
    bool changed = false;
    out.reserve(value.size() + 8);
    for (size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (in_string) {
            out.push_back(c);
            if (c == '\\' && i + 1 < value.size()) {
                out.push_back(value[++i]);
            } else if (c == '"') {
                in_string = false;
            }
        } else if (const size_t n = literal_at(i); n > 0) {
            out.append("null");
            i += n - 1;
            changed = true;
        } else {
            in_string = c == '"';
            out.push_back(c);
        }
    }
    return changed ? out : std::string();
}

} // namespace ticklake
