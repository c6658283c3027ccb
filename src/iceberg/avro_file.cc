#include "iceberg/avro_file.h"

#include <cstdint>

#include <zlib.h>

#include <cstring>
#include <random>

#include "common/varint.h"

namespace ticklake::iceberg {

namespace {

constexpr std::string_view kMagic{"Obj\x01", 4};

// Reads Avro's binary encoding from a byte span; every read checks the bounds.
class AvroInput {
public:
    explicit AvroInput(std::string_view data) : data_(data) {}

    Result<int64_t> long_() {
        const auto* begin = reinterpret_cast<const unsigned char*>(data_.data());
        const unsigned char* p = begin + pos_;
        int64_t v = 0;
        const bool ok = varint::read_zigzag(p, begin + data_.size(), v);
        pos_ = static_cast<size_t>(p - begin);
        if (!ok) {
            return fail(Error::invalid(pos_ >= data_.size() ? "Avro: a number runs past the end of the data"
                                                            : "Avro: a number longer than 10 bytes"));
        }
        return v;
    }
    Result<std::string_view> raw(size_t n) {
        if (n > data_.size() - pos_) {
            return fail(Error::invalid("Avro: a value runs past the end of the data"));
        }
        auto s = data_.substr(pos_, n);
        pos_ += n;
        return s;
    }
    Result<std::string_view> sized() {
        auto n = long_();
        if (!n) {
            return fail(n.error());
        }
        if (*n < 0) {
            return fail(Error::invalid("Avro: a negative length"));
        }
        return raw(static_cast<size_t>(*n));
    }
    bool at_end() const { return pos_ >= data_.size(); }
    size_t remaining() const { return pos_ < data_.size() ? data_.size() - pos_ : 0; }

private:
    std::string_view data_;
    size_t pos_ = 0;
};

Status decode(const AvroNode& node, AvroInput& in, AvroDatum& out, int depth);

// The item count of the next block of an array, a map or the header's metadata: a negative
// count is followed by the block's size in bytes. A count the bytes left cannot hold (every item
// Iceberg writes takes at least one byte) is refused, so neither INT64_MIN nor a count of 2^62
// items runs away (found by iceberg_metadata_fuzz).
Result<int64_t> block_count(AvroInput& in) {
    auto count = in.long_();
    if (!count) {
        return fail(count.error());
    }
    int64_t n = *count;
    if (n < 0) {
        if (n == INT64_MIN) {
            return fail(Error::invalid("Avro: a block count out of range"));
        }
        n = -n;
        if (auto size = in.long_(); !size) {
            return fail(size.error());
        }
    }
    if (static_cast<uint64_t>(n) > in.remaining()) {
        return fail(Error::invalid("Avro: a block of " + std::to_string(n) + " items in " +
                                   std::to_string(in.remaining()) + " bytes"));
    }
    return n;
}

// Arrays and maps come in blocks: a count (negative: followed by the block's size), 0 ends.
Status decode_blocks(const AvroNode& node, AvroInput& in, AvroDatum& out, int depth) {
    for (;;) {
        auto count = block_count(in);
        if (!count) {
            return fail(count.error());
        }
        if (*count == 0) {
            return {};
        }
        for (int64_t i = 0; i < *count; ++i) {
            if (node.type == AvroNode::Type::map) {
                auto key = in.sized();
                if (!key) {
                    return fail(key.error());
                }
                out.keys.emplace_back(*key);
            }
            out.items.emplace_back();
            if (auto st = decode(*node.items, in, out.items.back(), depth + 1); !st) {
                return st;
            }
        }
    }
}

Status decode(const AvroNode& node, AvroInput& in, AvroDatum& out, int depth) {
    using T = AvroNode::Type;
    if (depth > 64) {
        return fail(Error::invalid("Avro: values nested deeper than 64 levels"));
    }
    out.node = &node;
    switch (node.type) {
    case T::null:
        return {};
    case T::boolean: {
        auto b = in.raw(1);
        if (!b) {
            return fail(b.error());
        }
        out.number = (*b)[0] != 0;
        return {};
    }
    case T::int32:
    case T::int64:
    case T::enumeration: {
        auto v = in.long_();
        if (!v) {
            return fail(v.error());
        }
        out.number = *v;
        return {};
    }
    case T::float32:
    case T::float64: {
        const size_t n = node.type == T::float32 ? 4 : 8;
        auto b = in.raw(n);
        if (!b) {
            return fail(b.error());
        }
        if (n == 4) {
            float f;
            std::memcpy(&f, b->data(), 4);
            out.real = f;
        } else {
            std::memcpy(&out.real, b->data(), 8);
        }
        return {};
    }
    case T::bytes:
    case T::string: {
        auto s = in.sized();
        if (!s) {
            return fail(s.error());
        }
        out.text = *s;
        return {};
    }
    case T::fixed: {
        auto s = in.raw(node.fixed_size);
        if (!s) {
            return fail(s.error());
        }
        out.text = *s;
        return {};
    }
    case T::record:
        out.items.resize(node.fields.size());
        for (size_t i = 0; i < node.fields.size(); ++i) {
            if (auto st = decode(*node.fields[i].type, in, out.items[i], depth + 1); !st) {
                return st;
            }
        }
        return {};
    case T::array:
    case T::map:
        return decode_blocks(node, in, out, depth);
    case T::union_: {
        auto index = in.long_();
        if (!index) {
            return fail(index.error());
        }
        if (*index < 0 || static_cast<size_t>(*index) >= node.branches.size()) {
            return fail(Error::invalid("Avro: a union branch out of range"));
        }
        return decode(*node.branches[static_cast<size_t>(*index)], in, out, depth + 1);
    }
    }
    return fail(Error::invalid("Avro: an unknown type"));
}

// Avro's deflate codec is raw deflate (RFC 1951, no zlib header).
Result<std::string> inflate_raw(std::string_view in) {
    z_stream z{};
    if (inflateInit2(&z, -15) != Z_OK) {
        return fail(Error::fatal("zlib: cannot start inflating"));
    }
    std::string out;
    char buf[1 << 15];
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&z);
            return fail(Error::invalid("Avro: a deflate block does not inflate"));
        }
        out.append(buf, sizeof buf - z.avail_out);
        if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
            break; // input ended without the stream's end marker: take what there is
        }
    }
    inflateEnd(&z);
    return out;
}

} // namespace

AvroEncoder& AvroEncoder::long_(int64_t v) {
    varint::append_zigzag(out_, v);
    return *this;
}

AvroEncoder& AvroEncoder::bool_(bool v) {
    out_.push_back(v ? 1 : 0);
    return *this;
}

AvroEncoder& AvroEncoder::string(std::string_view s) {
    long_(static_cast<int64_t>(s.size()));
    out_.append(s);
    return *this;
}

std::string write_avro_file(std::string_view schema_json, const std::map<std::string, std::string>& metadata,
                            const std::vector<std::string>& records) {
    std::string sync(16, '\0');
    std::random_device rd;
    for (auto& c : sync) {
        c = static_cast<char>(rd());
    }
    AvroEncoder e;
    std::map<std::string, std::string> meta = metadata;
    meta["avro.schema"] = std::string(schema_json);
    meta["avro.codec"] = "null";
    e.block(static_cast<int64_t>(meta.size()));
    for (const auto& [k, v] : meta) {
        e.string(k).bytes(v);
    }
    e.end_blocks();
    std::string out(kMagic);
    out += e.take();
    out += sync;
    if (!records.empty()) {
        size_t size = 0;
        for (const auto& r : records) {
            size += r.size();
        }
        AvroEncoder head;
        head.long_(static_cast<int64_t>(records.size())).long_(static_cast<int64_t>(size));
        out += head.take();
        for (const auto& r : records) {
            out += r;
        }
        out += sync;
    }
    return out;
}

const AvroDatum* AvroDatum::field(std::string_view name) const {
    if (node == nullptr || node->type != AvroNode::Type::record) {
        return nullptr;
    }
    for (size_t i = 0; i < node->fields.size() && i < items.size(); ++i) {
        if (node->fields[i].name == name) {
            return items[i].is_null() ? nullptr : &items[i];
        }
    }
    return nullptr;
}

Result<AvroFileContent> read_avro_file(std::string_view bytes) {
    if (bytes.substr(0, 4) != kMagic) {
        return fail(Error::invalid("not an Avro container file (no Obj\\x01 magic)"));
    }
    AvroInput in(bytes.substr(4));
    AvroFileContent content;
    for (;;) {
        auto count = block_count(in);
        if (!count) {
            return fail(count.error());
        }
        if (*count == 0) {
            break;
        }
        for (int64_t i = 0; i < *count; ++i) {
            auto k = in.sized();
            if (!k) {
                return fail(k.error());
            }
            auto v = in.sized();
            if (!v) {
                return fail(v.error());
            }
            content.metadata[std::string(*k)] = std::string(*v);
        }
    }
    auto sync = in.raw(16);
    if (!sync) {
        return fail(sync.error());
    }
    const std::string codec = content.metadata.count("avro.codec") ? content.metadata["avro.codec"] : "null";
    if (codec != "null" && codec != "deflate") {
        return fail(Error::invalid("Avro codec '" + codec + "' is not supported (null or deflate)"));
    }
    auto schema = AvroSchema::parse(content.metadata["avro.schema"]);
    if (!schema) {
        return fail(schema.error());
    }
    content.schema = *schema;
    while (!in.at_end()) {
        auto count = in.long_();
        if (!count) {
            return fail(count.error());
        }
        auto block = in.sized();
        if (!block) {
            return fail(block.error());
        }
        std::string inflated;
        std::string_view data = *block;
        if (codec == "deflate") {
            auto r = inflate_raw(data);
            if (!r) {
                return fail(r.error());
            }
            inflated = std::move(*r);
            data = inflated;
        }
        // Every record Iceberg writes takes at least one byte: a larger count is not a block.
        if (*count < 0 || static_cast<uint64_t>(*count) > data.size()) {
            return fail(Error::invalid("Avro: a block of " + std::to_string(*count) + " records in " +
                                       std::to_string(data.size()) + " bytes"));
        }
        AvroInput records(data);
        for (int64_t i = 0; i < *count; ++i) {
            content.records.emplace_back();
            if (auto st = decode(content.schema->root(), records, content.records.back(), 0); !st) {
                return fail(st.error());
            }
        }
        auto marker = in.raw(16);
        if (!marker || *marker != *sync) {
            return fail(Error::invalid("Avro: a block does not end with the file's sync marker"));
        }
    }
    return content;
}

} // namespace ticklake::iceberg
