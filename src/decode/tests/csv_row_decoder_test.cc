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

// The dialect of common/csv_dialect: header names cleaned, null tokens, thousands separators.
TEST(CsvRowDecoder, DialectRulesOfEveryCsvReader) {
    CsvRowDecoder d;
    d.set_columns({"\xC3\xAF\xC2\xBB\xC2\xBFIndex", " Close ", "close", ""});
    EXPECT_EQ(d.columns(), (std::vector<std::string>{"Index", "Close", "close_2", "column_4"}));
    RowCells row;
    ASSERT_TRUE(d.decode("NYA,null,\"1,234.5\",NA", row));
    const auto& c = row.cells();
    ASSERT_EQ(c.size(), 4u);
    EXPECT_EQ(c[1].value.kind, Kind::null);
    EXPECT_EQ(c[2].value.kind, Kind::text);
    EXPECT_EQ(c[2].value.text, "1234.5");
    EXPECT_EQ(c[3].value.kind, Kind::null);

    d.set_null_tokens(CsvNullTokens::parse("missing"));
    ASSERT_TRUE(d.decode("NYA,null,missing,\"1,000\"", row));
    EXPECT_EQ(row.cells()[1].value.kind, Kind::text);
    EXPECT_EQ(row.cells()[2].value.kind, Kind::null);
    EXPECT_EQ(row.cells()[3].value.text, "1000");

    CsvRowDecoder euro(';');
    euro.set_columns({"a", "b", "c"});
    ASSERT_TRUE(euro.decode("x;1,5;1.234.567,25", row));
    EXPECT_EQ(row.cells()[1].value.text, "1.5");
    EXPECT_EQ(row.cells()[2].value.text, "1234567.25");
}

TEST(CsvRowDecoder, SplitGivesTheHeaderNames) {
    CsvRowDecoder d;
    auto f = d.split("Index,Date,\"Adj Close\"\n");
    ASSERT_TRUE(f);
    EXPECT_EQ(*f, (std::vector<std::string>{"Index", "Date", "Adj Close"}));
}

} // namespace
} // namespace ticklake
