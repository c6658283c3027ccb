#include "sources/csv_reader.h"

#include <gtest/gtest.h>

namespace ticklake {
namespace {

struct ParsedRow {
    std::vector<std::string> fields;
    uint64_t line;
    bool unterminated;
    bool operator==(const ParsedRow&) const = default;
};

std::vector<ParsedRow> parse(std::string text, size_t buffer_size = 1 << 20) {
    auto reader = CsvReader::from_string(std::move(text), buffer_size);
    std::vector<ParsedRow> rows;
    CsvRow row;
    for (;;) {
        auto more = reader->next(row);
        EXPECT_TRUE(more.has_value());
        if (!more || !*more) {
            break;
        }
        rows.push_back({std::vector<std::string>(row.storage.begin(), row.storage.begin() + row.size()), row.line,
                        row.unterminated});
    }
    return rows;
}

TEST(CsvReader, PlainRowsWithAndWithoutFinalNewline) {
    const std::vector<ParsedRow> want = {{{"a", "b", "c"}, 1, false}, {{"1", "", "3"}, 2, false}};
    EXPECT_EQ(parse("a,b,c\n1,,3\n"), want);
    EXPECT_EQ(parse("a,b,c\n1,,3"), want);
    EXPECT_EQ(parse("a,b,c\r\n1,,3\r\n"), want);
}

TEST(CsvReader, QuotedFieldsDoubledQuotesAndEmbeddedNewlines) {
    const auto rows = parse("id,text\r\n1,\"hello, world\"\r\n2,\"say \"\"hi\"\"\"\r\n3,\"two\r\nlines\nthree\"\r\n4,\"\"\r\n");
    ASSERT_EQ(rows.size(), 5u);
    EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"1", "hello, world"}));
    EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"2", "say \"hi\""}));
    EXPECT_EQ(rows[3].fields, (std::vector<std::string>{"3", "two\r\nlines\nthree"}));
    EXPECT_EQ(rows[3].line, 4u);
    EXPECT_EQ(rows[4].line, 7u) << "a row after a three-line field starts three lines later";
    EXPECT_EQ(rows[4].fields, (std::vector<std::string>{"4", ""}));
}

TEST(CsvReader, EveryBufferSizeGivesTheSameRows) {
    const std::string text = "\xEF\xBB\xBFh1,h2,h3\r\n\"a\"\"b\",\"x\r\ny\",z\r\n,,\n\"\",\"\"\"\",end\r\nlast,row,here";
    const auto reference = parse(text);
    ASSERT_EQ(reference.size(), 5u);
    EXPECT_EQ(reference[0].fields[0], "h1") << "the byte-order mark is dropped";
    EXPECT_EQ(reference[1].fields, (std::vector<std::string>{"a\"b", "x\r\ny", "z"}));
    EXPECT_EQ(reference[2].fields, (std::vector<std::string>{"", "", ""}));
    EXPECT_EQ(reference[3].fields, (std::vector<std::string>{"", "\"", "end"}));
    EXPECT_EQ(reference[4].line, 6u);
    for (size_t size : {3u, 4u, 5u, 7u, 16u}) {
        EXPECT_EQ(parse(text, size), reference) << "buffer " << size;
    }
    // With a 1-byte buffer the BOM check cannot look ahead; the rows are otherwise identical.
    auto tiny = parse(text.substr(3), 1);
    EXPECT_EQ(tiny, reference);
}

TEST(CsvReader, LoneCarriageReturnEndsALine) {
    const auto rows = parse("a,b\r1,2\r");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(rows[1].line, 2u);
}

TEST(CsvReader, UnterminatedQuoteIsFlagged) {
    const auto rows = parse("a,b\n1,\"open\nnever closed");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_FALSE(rows[0].unterminated);
    EXPECT_TRUE(rows[1].unterminated);
    EXPECT_EQ(rows[1].line, 2u);
}

TEST(CsvReader, TextAfterAClosingQuoteIsKept) {
    const auto rows = parse("\"ab\"cd,e\n");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"abcd", "e"}));
}

TEST(CsvReader, BlankLinesAreOneEmptyField) {
    auto reader = CsvReader::from_string("a\n\nb\n");
    CsvRow row;
    ASSERT_TRUE(*reader->next(row));
    EXPECT_FALSE(row.blank());
    ASSERT_TRUE(*reader->next(row));
    EXPECT_TRUE(row.blank());
    ASSERT_TRUE(*reader->next(row));
    EXPECT_EQ(row[0], "b");
    EXPECT_EQ(row.line, 3u);
    EXPECT_FALSE(*reader->next(row));
    EXPECT_FALSE(*reader->next(row)) << "end of input stays the end";
}

TEST(CsvReader, MissingFileNamesThePath) {
    auto r = CsvReader::open("/nonexistent/dir/prices.csv");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(r.error().message.find("/nonexistent/dir/prices.csv"), std::string::npos);
}

} // namespace
} // namespace ticklake
