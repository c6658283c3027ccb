#include "parquet/thrift_compact.h"
#include "common/varint.h"

#include <algorithm>

namespace ticklake::parquet {

const ThriftValue* ThriftValue::field(int id) const {
    for (const auto& f : fields) {
        if (f.id == id) {
            return &f.value;
        }
    }
    return nullptr;
}

ThriftValue* ThriftValue::field(int id) {
    for (auto& f : fields) {
        if (f.id == id) {
            return &f.value;
        }
    }
    return nullptr;
}

void ThriftValue::set(int id, ThriftValue value) {
    if (ThriftValue* existing = field(id)) {
        *existing = std::move(value);
        return;
    }
    // Compact encoding writes id deltas, so fields stay sorted by id.
    auto at = std::find_if(fields.begin(), fields.end(), [&](const ThriftField& f) { return f.id > id; });
    fields.insert(at, ThriftField{static_cast<int16_t>(id), std::move(value)});
}

void ThriftValue::erase(int id) {
    std::erase_if(fields, [&](const ThriftField& f) { return f.id == id; });
}

namespace {

constexpr int kMaxDepth = 64;

class Decoder {
public:
    explicit Decoder(std::string_view data)
        : p_(reinterpret_cast<const uint8_t*>(data.data())), begin_(p_), end_(p_ + data.size()) {}

    bool ok() const { return ok_; }
    size_t consumed() const { return static_cast<size_t>(p_ - begin_); }

    void read_struct(ThriftValue& out, int depth) {
        out.type = ThriftType::structure;
        if (depth > kMaxDepth) {
            return fail();
        }
        int last = 0;
        while (ok_) {
            const uint8_t header = byte();
            if (header == 0) {
                return; // STOP
            }
            const int delta = header >> 4;
            // Thrift field ids are i16: a delta past the last id, or an explicit id, outside
            // that range is a corrupt footer (found by parquet_footer_fuzz: INT_MAX + 3).
            const int64_t wide = delta != 0 ? int64_t{last} + delta : zigzag();
            if (wide < INT16_MIN || wide > INT16_MAX) {
                fail();
                return;
            }
            const int id = static_cast<int>(wide);
            last = id;
            ThriftField f;
            f.id = static_cast<int16_t>(id);
            const auto type = static_cast<ThriftType>(header & 0x0F);
            if (type == ThriftType::bool_true || type == ThriftType::bool_false) {
                f.value.type = type; // a field's boolean is its header
            } else {
                read_value(type, f.value, depth + 1);
            }
            out.fields.push_back(std::move(f));
        }
    }

private:
    void fail() {
        ok_ = false;
        p_ = end_;
    }
    uint8_t byte() {
        if (p_ >= end_) {
            fail();
            return 0;
        }
        return *p_++;
    }
    uint64_t varint() {
        uint64_t v = 0;
        if (!varint::read(p_, end_, v)) {
            fail();
            return 0;
        }
        return v;
    }
    int64_t zigzag() { return varint::zigzag_decode(varint()); }
    size_t left() const { return static_cast<size_t>(end_ - p_); }

    // An element of a list, set or map: a boolean there is a byte of its own.
    void read_element(ThriftType type, ThriftValue& out, int depth) {
        if (type == ThriftType::bool_true || type == ThriftType::bool_false) {
            out.type = byte() == 1 ? ThriftType::bool_true : ThriftType::bool_false;
            return;
        }
        read_value(type, out, depth);
    }

    void read_value(ThriftType type, ThriftValue& out, int depth) {
        out.type = type;
        if (depth > kMaxDepth) {
            return fail();
        }
        switch (type) {
        case ThriftType::byte: out.integer = static_cast<int8_t>(byte()); return;
        case ThriftType::i16:
        case ThriftType::i32:
        case ThriftType::i64: out.integer = zigzag(); return;
        case ThriftType::dbl: {
            uint64_t bits = 0;
            for (int i = 0; i < 8; ++i) {
                bits |= static_cast<uint64_t>(byte()) << (8 * i);
            }
            out.integer = static_cast<int64_t>(bits);
            return;
        }
        case ThriftType::binary: {
            const uint64_t n = varint();
            if (n > left()) {
                return fail();
            }
            out.binary.assign(reinterpret_cast<const char*>(p_), n);
            p_ += n;
            return;
        }
        case ThriftType::list:
        case ThriftType::set: {
            const uint8_t header = byte();
            uint64_t n = header >> 4;
            out.element = static_cast<ThriftType>(header & 0x0F);
            if (n == 15) {
                n = varint();
            }
            if (n > left()) { // every element takes at least a byte
                return fail();
            }
            out.elements.resize(n);
            for (uint64_t i = 0; i < n && ok_; ++i) {
                read_element(out.element, out.elements[i], depth + 1);
            }
            return;
        }
        case ThriftType::map: {
            const uint64_t n = varint();
            if (n == 0) {
                return;
            }
            const uint8_t kv = byte();
            out.element = static_cast<ThriftType>(kv >> 4);
            out.map_value = static_cast<ThriftType>(kv & 0x0F);
            if (n > left() / 2) {
                return fail();
            }
            out.elements.resize(2 * n);
            for (uint64_t i = 0; i < n && ok_; ++i) {
                read_element(out.element, out.elements[2 * i], depth + 1);
                read_element(out.map_value, out.elements[2 * i + 1], depth + 1);
            }
            return;
        }
        case ThriftType::structure: read_struct(out, depth); return;
        default: fail();
        }
    }

    const uint8_t* p_;
    const uint8_t* begin_;
    const uint8_t* end_;
    bool ok_ = true;
};

class Encoder {
public:
    std::string out;

    void write_struct(const ThriftValue& v) {
        int last = 0;
        for (const auto& f : v.fields) {
            const bool boolean = f.value.type == ThriftType::bool_true || f.value.type == ThriftType::bool_false;
            const auto type = static_cast<uint8_t>(f.value.type);
            const int delta = f.id - last;
            if (delta > 0 && delta <= 15) {
                out.push_back(static_cast<char>((delta << 4) | type));
            } else {
                out.push_back(static_cast<char>(type));
                zigzag(f.id);
            }
            last = f.id;
            if (!boolean) {
                write_value(f.value);
            }
        }
        out.push_back(0); // STOP
    }

private:
    void varint(uint64_t v) { varint::append(out, v); }
    void zigzag(int64_t v) { varint::append_zigzag(out, v); }

    void write_element(const ThriftValue& v) {
        if (v.type == ThriftType::bool_true || v.type == ThriftType::bool_false) {
            out.push_back(v.type == ThriftType::bool_true ? 1 : 0);
            return;
        }
        write_value(v);
    }

    void write_value(const ThriftValue& v) {
        switch (v.type) {
        case ThriftType::byte: out.push_back(static_cast<char>(v.integer)); return;
        case ThriftType::i16:
        case ThriftType::i32:
        case ThriftType::i64: zigzag(v.integer); return;
        case ThriftType::dbl:
            for (int i = 0; i < 8; ++i) {
                out.push_back(static_cast<char>((static_cast<uint64_t>(v.integer) >> (8 * i)) & 0xFF));
            }
            return;
        case ThriftType::binary:
            varint(v.binary.size());
            out += v.binary;
            return;
        case ThriftType::list:
        case ThriftType::set: {
            const size_t n = v.elements.size();
            const auto t = static_cast<uint8_t>(v.element);
            if (n < 15) {
                out.push_back(static_cast<char>((n << 4) | t));
            } else {
                out.push_back(static_cast<char>(0xF0 | t));
                varint(n);
            }
            for (const auto& e : v.elements) {
                write_element(e);
            }
            return;
        }
        case ThriftType::map: {
            const size_t n = v.elements.size() / 2;
            varint(n);
            if (n == 0) {
                return;
            }
            out.push_back(static_cast<char>((static_cast<uint8_t>(v.element) << 4) | static_cast<uint8_t>(v.map_value)));
            for (const auto& e : v.elements) {
                write_element(e);
            }
            return;
        }
        case ThriftType::structure: write_struct(v); return;
        default: return;
        }
    }
};

} // namespace

Result<ThriftValue> decode_thrift_struct(std::string_view bytes, size_t* consumed) {
    Decoder d(bytes);
    ThriftValue out;
    d.read_struct(out, 0);
    if (!d.ok()) {
        return fail(Error::poison("malformed Thrift compact struct (cut short, too deep, or a count beyond its bytes)"));
    }
    if (consumed != nullptr) {
        *consumed = d.consumed();
    }
    return out;
}

std::string encode_thrift_struct(const ThriftValue& value) {
    Encoder e;
    e.write_struct(value);
    return std::move(e.out);
}

} // namespace ticklake::parquet
