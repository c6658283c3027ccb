#include "common/csv_dialect.h"

#include <gtest/gtest.h>

namespace ticklake {
namespace {

TEST(CsvDialect, ByteOrderMarks) {
    EXPECT_EQ(detect_byte_order_mark("\xEF\xBB\xBFIndex").length, 3u);
    const auto doubled = detect_byte_order_mark("\xC3\xAF\xC2\xBB\xC2\xBFIndex,Date");
    EXPECT_EQ(doubled.length, 6u);
    EXPECT_EQ(doubled.encoding, TextEncoding::utf8);
    EXPECT_EQ(detect_byte_order_mark(std::string_view("\xFF\xFEI\0", 4)).encoding, TextEncoding::utf16le);
    EXPECT_EQ(detect_byte_order_mark(std::string_view("\xFE\xFF\0I", 4)).encoding, TextEncoding::utf16be);
    EXPECT_EQ(detect_byte_order_mark("Index").length, 0u);
    EXPECT_EQ(detect_byte_order_mark("").length, 0u);
}

TEST(CsvDialect, Utf16TranscodesAcrossChunkBoundaries) {
    // "a,é\n€𝄞" in UTF-16 LE, fed one byte at a time.
    const std::string le("a\0,\0\xE9\0\n\0\xAC\x20\x34\xD8\x1E\xDD", 14);
    std::string out;
    Utf16Transcoder t(false);
    for (char c : le) {
        t.feed(std::string_view(&c, 1), out);
    }
    t.finish(out);
    EXPECT_EQ(out, "a,\xC3\xA9\n\xE2\x82\xAC\xF0\x9D\x84\x9E");

    const std::string be("\0a\0,\xD8\x34", 6); // ends inside a surrogate pair
    out.clear();
    Utf16Transcoder b(true);
    b.feed(be, out);
    b.finish(out);
    EXPECT_EQ(out, "a,\xEF\xBF\xBD");
}

TEST(CsvDialect, HeaderNamesAreTrimmedFreedOfMarksAndMadeUnique) {
    EXPECT_EQ(clean_header_name("\xC3\xAF\xC2\xBB\xC2\xBFIndex"), "Index");
    EXPECT_EQ(clean_header_name(" \xEF\xBB\xBF\"Adj Close\"\t"), "Adj Close");
    const auto names = csv_column_names({" Date ", "Close", "close", "", "Close", "close_2"});
    const std::vector<std::string> want = {"Date", "Close", "close_2", "column_4", "Close_3", "close_2_2"};
    EXPECT_EQ(names, want);
}

TEST(CsvDialect, NullTokens) {
    const CsvNullTokens d;
    for (const char* t : {"", " ", "null", "NULL", "NA", "N/A", "NaN", "nan", "-", "#N/A", " null "}) {
        EXPECT_TRUE(d.is_null(t)) << t;
    }
    for (const char* t : {"0", "Null", "none", "--", "n/a"}) {
        EXPECT_FALSE(d.is_null(t)) << t;
    }
    const auto custom = CsvNullTokens::parse("none, ?");
    EXPECT_TRUE(custom.is_null("none"));
    EXPECT_TRUE(custom.is_null("?"));
    EXPECT_TRUE(custom.is_null(""));
    EXPECT_FALSE(custom.is_null("null"));
}

TEST(CsvDialect, DelimiterSniffing) {
    EXPECT_EQ(sniff_csv_delimiter("a,b,c\n1,2,3\n4,5,6\n", true), ',');
    EXPECT_EQ(sniff_csv_delimiter("a;b;c\r\n1,5;2,5;3\r\n4;5;6", true), ';');
    EXPECT_EQ(sniff_csv_delimiter("a\tb\n1\t2\n", true), '\t');
    EXPECT_EQ(sniff_csv_delimiter("a|b|c\n\"x|y\"|2|3\n", true), '|');
    EXPECT_EQ(sniff_csv_delimiter("\"a,b\";c\n\"1,5\";2\n", true), ';');
    EXPECT_EQ(sniff_csv_delimiter("single\n1\n", true), ',');
}

TEST(CsvDialect, DecimalCommaOnlyWithSemicolons) {
    EXPECT_EQ(sniff_csv_number_style("a;b\nx;1,5\n", ';').decimal, ',');
    EXPECT_EQ(sniff_csv_number_style("a;b\nx;1.5\n", ';').decimal, '.');
    EXPECT_EQ(sniff_csv_number_style("a,b\nx,\"1,5\"\n", ',').decimal, '.');
}

TEST(CsvDialect, Numbers) {
    const CsvNumberStyle point;
    const CsvNumberStyle comma{','};
    auto value = [](std::string_view t, CsvNumberStyle s) {
        auto n = parse_csv_number(t, s);
        return n ? n->value : -999.0;
    };
    EXPECT_EQ(value("12.5", point), 12.5);
    EXPECT_EQ(value(" -3 ", point), -3);
    EXPECT_EQ(value("1e3", point), 1000);
    EXPECT_EQ(value("1,234,567.25", point), 1234567.25);
    EXPECT_EQ(value("1,234", point), 1234);
    EXPECT_FALSE(parse_csv_number("1,23", point));    // not a thousands grouping
    EXPECT_FALSE(parse_csv_number("12,345,67", point));
    EXPECT_FALSE(parse_csv_number("0,123", point));
    EXPECT_EQ(value("1,5", comma), 1.5);
    EXPECT_EQ(value("1.234,5", comma), 1234.5);
    EXPECT_EQ(value("1.234.567", comma), 1234567);
    EXPECT_EQ(value("1.234", comma), 1.234); // one '.' alone: a decimal point there
    EXPECT_FALSE(parse_csv_number("1,234.5", comma));
    for (const char* bad : {"", "abc", "1.2.3", "-", ".", "1e", "12a", "nan", "inf"}) {
        EXPECT_FALSE(parse_csv_number(bad, point)) << bad;
    }
    const auto i = parse_csv_number("42", point);
    ASSERT_TRUE(i);
    EXPECT_TRUE(i->integral);
    EXPECT_EQ(i->integer, 42);
    EXPECT_TRUE(parse_csv_number("007", point)->leading_zero);
    EXPECT_FALSE(parse_csv_number("0.5", point)->leading_zero);
    EXPECT_FALSE(parse_csv_number("1.0", point)->integral);
}

TEST(CsvDialect, CellTypesKeepNumericColumnsNumeric) {
    const CsvNullTokens nulls;
    const CsvNumberStyle point;
    EXPECT_EQ(csv_cell_type("null", false, nulls, point), TextType::null);
    EXPECT_EQ(csv_cell_type("", false, nulls, point), TextType::null);
    EXPECT_EQ(csv_cell_type("", true, nulls, point), TextType::string);
    EXPECT_EQ(csv_cell_type("12", false, nulls, point), TextType::int32);
    EXPECT_EQ(csv_cell_type("12345678901", false, nulls, point), TextType::int64);
    EXPECT_EQ(csv_cell_type("123456789012345678901234", false, nulls, point), TextType::string);
    EXPECT_EQ(csv_cell_type("1,234.5", true, nulls, point), TextType::float64);
    EXPECT_EQ(csv_cell_type("3,5", false, nulls, CsvNumberStyle{','}), TextType::float64);
    EXPECT_EQ(csv_cell_type("007", false, nulls, point), TextType::string);
    EXPECT_EQ(csv_cell_type("true", false, nulls, point), TextType::boolean);
    EXPECT_EQ(csv_cell_type("2024-01-02", false, nulls, point), TextType::date);
    EXPECT_EQ(csv_cell_type("NYA", false, nulls, point), TextType::string);
    EXPECT_EQ(widen(csv_cell_type("1.5", false, nulls, point), csv_cell_type("null", false, nulls, point)),
              TextType::float64);
}

TEST(CsvDialect, DatesInEachFormat) {
    const TimestampUs jan31 = days_from_civil(2024, 1, 31) * kMicrosPerDay;
    EXPECT_EQ(parse_csv_date("2024-01-31", CsvDateFormat::iso), jan31);
    EXPECT_EQ(parse_csv_date("01/31/2024", CsvDateFormat::mdy), jan31);
    EXPECT_EQ(parse_csv_date("1/31/2024 09:30", CsvDateFormat::mdy), jan31 + (9 * 3600 + 30 * 60) * kMicrosPerSecond);
    EXPECT_EQ(parse_csv_date("31/01/2024", CsvDateFormat::dmy_slash), jan31);
    EXPECT_EQ(parse_csv_date("31.01.2024", CsvDateFormat::dmy), jan31);
    EXPECT_EQ(parse_csv_date("31.01.2024 00:00:01.5", CsvDateFormat::dmy), jan31 + 1'500'000);
    EXPECT_EQ(parse_csv_date("20240131", CsvDateFormat::yyyymmdd), jan31);
    EXPECT_EQ(parse_csv_date("1706659200", CsvDateFormat::epoch), jan31);
    EXPECT_EQ(parse_csv_date("1706659200000", CsvDateFormat::epoch), jan31);
    EXPECT_EQ(parse_csv_date("1706659200000000", CsvDateFormat::epoch), jan31);
    EXPECT_EQ(parse_csv_date("1965-01-05", CsvDateFormat::any), days_from_civil(1965, 1, 5) * kMicrosPerDay);
    EXPECT_FALSE(parse_csv_date("31/01/2024", CsvDateFormat::mdy));
    EXPECT_FALSE(parse_csv_date("2024-13-01", CsvDateFormat::iso));
    EXPECT_FALSE(parse_csv_date("hello", CsvDateFormat::any));
}

TEST(CsvDialect, DateFormatIsSniffedPerColumn) {
    auto sniff = [](std::initializer_list<const char*> cells) {
        CsvDateSniffer s;
        for (const char* c : cells) {
            s.see(c);
        }
        return s.format();
    };
    EXPECT_EQ(sniff({"2024-01-02", "2024-01-03T10:00:00Z"}), CsvDateFormat::iso);
    EXPECT_EQ(sniff({"01/02/2024", "03/04/2024"}), CsvDateFormat::mdy);
    EXPECT_EQ(sniff({"01/02/2024", "13/04/2024"}), CsvDateFormat::dmy_slash);
    EXPECT_EQ(sniff({"01.02.2024", "28.02.2024"}), CsvDateFormat::dmy);
    EXPECT_EQ(sniff({"20240102", "20240103"}), CsvDateFormat::yyyymmdd);
    EXPECT_EQ(sniff({"20240102", "1706659200"}), CsvDateFormat::epoch);
    EXPECT_EQ(sniff({"2024-01-02", "01/02/2024"}), std::nullopt);
    EXPECT_EQ(sniff({}), std::nullopt);
}

} // namespace
} // namespace ticklake

// The score the delimiter sniffers (csv_replay's and the crawler's) rank delimiters by.
TEST(CsvDialect, SplitScoreCountsRecordsOfTheCommonFieldCountAboveOne) {
    EXPECT_EQ(ticklake::csv_split_score({3, 3, 2, 3}), 3u);
    EXPECT_EQ(ticklake::csv_split_score({1, 1, 1, 4}), 0u); // most lines not split at all
    EXPECT_EQ(ticklake::csv_split_score({}), 0u);
}

// Regression (#12, fuzzing): the smallest int64 as an epoch cell negated itself (UBSan:
// signed overflow) while its magnitude was taken.
TEST(CsvDialect, SmallestInt64EpochIsNotNegatedAsASignedValue) {
    using ticklake::CsvDateFormat;
    EXPECT_EQ(ticklake::parse_csv_date("-9223372036854775808", CsvDateFormat::epoch), -9223372036854775807LL / 1000);
    EXPECT_EQ(ticklake::parse_csv_date("-9223372036854775808", CsvDateFormat::any), -9223372036854775807LL / 1000);
}
