// Footers that broke decode_parquet_footer, each as found (by review, confirmed with
// fuzz/parquet_footer_fuzz under ASan/UBSan; fuzz/README.md). Each must decode or fail with a
// poison error, within the test's time: before the fixes they read past the schema, overflowed
// a signed multiply, or looped for billions of iterations.
#include <gtest/gtest.h>

#include <string>

#include "crawler/parquet_metadata.h"

namespace ticklake {
namespace {

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int c : b) {
        s += static_cast<char>(c);
    }
    return s;
}

// FileMetaData { 2: schema [root{name "r", num_children 1}, ...], 3: num_rows }: the schema
// elements below follow the root.
TEST(ParquetFooterFuzz, ListAnnotatedLeafWithoutItsChildIsNotReadPastTheSchema) {
    // child "a": num_children 1, converted_type LIST, and no element after it (heap overflow).
    const auto f = decode_parquet_footer(bytes({0x29, 0x2C, 0x48, 0x01, 'r', 0x15, 0x02, 0x00, 0x48, 0x01, 'a', 0x15,
                                                0x02, 0x15, 0x06, 0x00, 0x16, 0x00, 0x00}),
                                         "list.parquet");
    ASSERT_TRUE(f) << f.error().message;
    ASSERT_EQ(f->columns.size(), 1u);
    EXPECT_EQ(f->columns[0].name, "a");
}

TEST(ParquetFooterFuzz, DateStatisticOutOfRangeLeavesTheTimeRangeUnknown) {
    // ts: INT32 DATE; one row group whose ts statistics are min = max = 2^31-1 days
    // (signed overflow when turned into microseconds).
    const auto f = decode_parquet_footer(
        bytes({0x29, 0x2C, 0x48, 0x01, 'r',  0x15, 0x02, 0x00, 0x15, 0x02, 0x38, 0x02, 't',  's',  0x25, 0x0C,
               0x00, 0x16, 0x02, 0x19, 0x1C, 0x19, 0x1C, 0x3C, 0x39, 0x18, 0x02, 't',  's',  0x9C, 0x58, 0x04,
               0xff, 0xff, 0xff, 0x7f, 0x18, 0x04, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00}),
        "date.parquet");
    ASSERT_TRUE(f) << f.error().message;
    ASSERT_EQ(f->columns.size(), 1u);
    EXPECT_EQ(f->columns[0].type, "date");
    EXPECT_FALSE(f->ts_min.has_value());
    EXPECT_FALSE(f->ts_max.has_value());
}

TEST(ParquetFooterFuzz, StructClaimingMoreChildrenThanTheSchemaHoldsEnds) {
    // child "s": num_children 2^31-1 and nothing after it (a loop building a 12 GB type name).
    const auto f = decode_parquet_footer(bytes({0x29, 0x2C, 0x48, 0x01, 'r', 0x15, 0x02, 0x00, 0x48, 0x01, 's', 0x15,
                                                0xfe, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x16, 0x00, 0x00}),
                                         "struct.parquet");
    ASSERT_TRUE(f) << f.error().message;
    ASSERT_EQ(f->columns.size(), 1u);
    EXPECT_EQ(f->columns[0].type, "struct<>");
}

TEST(ParquetFooterFuzz, MapOfBooleansLongerThanTheFooterIsPoison) {
    // An unknown field 1 holding a map of 2^32-1 (bool, bool) entries in 1 byte (an endless loop).
    const auto f = decode_parquet_footer(bytes({0x1B, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x11, 0x00}), "map.parquet");
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().kind, ErrorKind::poison);
}

TEST(ParquetFooterFuzz, FieldIdPastI16IsPoisonNotAnOverflow) {
    // An i32 field with the explicit id 2^31-1, then a field 3 ids later: INT_MAX + 3 (UBSan).
    const auto f = decode_parquet_footer(bytes({0x05, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x35, 0x00, 0x00}), "id.parquet");
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().kind, ErrorKind::poison);
}

} // namespace
} // namespace ticklake
