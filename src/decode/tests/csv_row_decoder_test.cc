#include "decode/csv_row_decoder.h"

#include <gtest/gtest.h>

namespace ticklake {
namespace {

using Kind = CellValue::Kind;

TEST(CsvRowDecoder, FieldsAreNamedByColumnsAndQuotesUnescaped) {
    CsvRowDecoder d;
    d.set_columns({"Index", "Date", "Note", "Open", "Empty", "Quoted"});
    RowCells row;
    ASSERT_TRUE(d.decode("HSI,1986-12-31,\"say \"\"hi\"\", ok\",2568.3,,\"\"\r\n", row));
    const auto& c = row.cells();
    ASSERT_EQ(c.size(), 6u);
    EXPECT_EQ(c[0].field, "Index");
    EXPECT_EQ(c[0].value.kind, Kind::text);
    EXPECT_EQ(c[2].value.text, "say \"hi\", ok");
    EXPECT_EQ(c[3].value.text, "2568.3");
    EXPECT_EQ(c[4].value.kind, Kind::null);
    EXPECT_EQ(c[5].value.kind, Kind::string);
    EXPECT_EQ(c[5].value.text, "");
}

TEST(CsvRowDecoder, TooManyFieldsAndOpenQuotesArePoison) {
    CsvRowDecoder d;
    d.set_columns({"a", "b"});
    RowCells row;
    EXPECT_FALSE(d.decode("1,2,3", row));
    EXPECT_FALSE(d.decode("\"open,2", row));
    ASSERT_TRUE(d.decode("1", row)); // missing trailing fields are NULL
    EXPECT_EQ(row.cells().size(), 1u);
}

TEST(CsvRowDecoder, SplitGivesTheHeaderNames) {
    CsvRowDecoder d;
    auto f = d.split("Index,Date,\"Adj Close\"\n");
    ASSERT_TRUE(f);
    EXPECT_EQ(*f, (std::vector<std::string>{"Index", "Date", "Adj Close"}));
}

} // namespace
} // namespace ticklake
