#include "parquet/thrift_compact.h"

#include <gtest/gtest.h>

namespace ticklake::parquet {
namespace {

ThriftValue sample() {
    ThriftValue inner;
    inner.set(1, ThriftValue::i64(-5));
    ThriftValue flag;
    flag.type = ThriftType::bool_true;
    inner.set(2, flag);
    ThriftValue text;
    text.type = ThriftType::binary;
    text.binary = "symbol";
    ThriftValue list;
    list.type = ThriftType::list;
    list.element = ThriftType::binary;
    for (int i = 0; i < 20; ++i) { // past 14: the long list header
        list.elements.push_back(text);
    }
    ThriftValue bools;
    bools.type = ThriftType::list;
    bools.element = ThriftType::bool_true;
    ThriftValue f;
    f.type = ThriftType::bool_false;
    bools.elements = {flag, f};
    ThriftValue root;
    root.set(1, ThriftValue::i32(2));
    root.set(3, std::move(inner));
    root.set(4, std::move(list));
    root.set(40, ThriftValue::i64(1LL << 40)); // an id delta beyond 15: the long field header
    root.set(41, std::move(bools));
    return root;
}

TEST(ThriftCompact, EncodeThenDecodeGivesTheSameTree) {
    const ThriftValue root = sample();
    const std::string bytes = encode_thrift_struct(root);
    size_t consumed = 0;
    auto back = decode_thrift_struct(bytes + "trailing", &consumed);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(consumed, bytes.size());
    EXPECT_EQ(encode_thrift_struct(*back), bytes);
    EXPECT_EQ(back->field(1)->integer, 2);
    EXPECT_EQ(back->field(3)->field(1)->integer, -5);
    EXPECT_EQ(back->field(3)->field(2)->type, ThriftType::bool_true);
    EXPECT_EQ(back->field(4)->elements.size(), 20u);
    EXPECT_EQ(back->field(4)->elements[19].binary, "symbol");
    EXPECT_EQ(back->field(40)->integer, 1LL << 40);
    ASSERT_EQ(back->field(41)->elements.size(), 2u);
    EXPECT_EQ(back->field(41)->elements[1].type, ThriftType::bool_false);
}

TEST(ThriftCompact, SetKeepsFieldsInIdOrderAndEraseRemoves) {
    ThriftValue v;
    v.set(5, ThriftValue::i32(5));
    v.set(2, ThriftValue::i32(2));
    v.set(5, ThriftValue::i32(6));
    ASSERT_EQ(v.fields.size(), 2u);
    EXPECT_EQ(v.fields[0].id, 2);
    EXPECT_EQ(v.field(5)->integer, 6);
    v.erase(2);
    EXPECT_EQ(v.field(2), nullptr);
}

TEST(ThriftCompact, MalformedInputIsPoisonNeverACrash) {
    const std::string bytes = encode_thrift_struct(sample());
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
        auto r = decode_thrift_struct(std::string_view(bytes).substr(0, cut));
        ASSERT_FALSE(r) << "cut at " << cut;
        EXPECT_EQ(r.error().kind, ErrorKind::poison);
    }
    // A list claiming a million elements in three bytes.
    const std::string huge = std::string("\x19\xf8\xc0\x84\x3d", 5);
    EXPECT_FALSE(decode_thrift_struct(huge));
    // Nesting beyond 64 structs.
    std::string deep;
    for (int i = 0; i < 100; ++i) {
        deep += '\x1c'; // field 1, struct
    }
    EXPECT_FALSE(decode_thrift_struct(deep));
}

// Field ids are i16: an explicit id of INT_MAX followed by a delta overflowed an int in the
// crawler's copy of this reader (parquet_footer_fuzz). Either is a corrupt struct here.
TEST(ThriftCompact, AFieldIdOutsideI16IsRefused) {
    // i32 field with explicit id zigzag(2^31-1), value 0; then a delta-3 i32 field; stop.
    const std::string wide_id("\x05\xfe\xff\xff\xff\x0f\x00\x35\x00\x00", 10);
    EXPECT_FALSE(decode_thrift_struct(wide_id));
    // Deltas alone walking past 32767: 2,185 fields of delta 15.
    std::string walk;
    for (int i = 0; i < 2185; ++i) {
        walk += "\xf5";
        walk += '\0';
    }
    walk += '\0';
    EXPECT_FALSE(decode_thrift_struct(walk));
}

} // namespace
} // namespace ticklake::parquet
