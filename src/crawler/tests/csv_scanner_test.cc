#include "crawler/csv_scanner.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace ticklake {
namespace {

std::vector<std::vector<CsvField>> scan(std::string_view text, size_t chunk, char delimiter = ',') {
    std::vector<std::vector<CsvField>> out;
    CsvScanner s(delimiter, '"', [&](const std::vector<CsvField>& r) { out.push_back(r); });
    for (size_t i = 0; i < text.size(); i += chunk) {
        s.feed(text.substr(i, chunk));
    }
    s.finish();
    return out;
}

TEST(CsvScanner, QuotesCrlfAndNullsAcrossAnyChunking) {
    const std::string text = "a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\r\n\"\",\"multi\nline\",3\r\n\r\nlast,row,no-newline";
    for (size_t chunk : {1u, 2u, 3u, 7u, 1000u}) {
        auto r = scan(text, chunk);
        ASSERT_EQ(r.size(), 4u) << "chunk " << chunk;
        EXPECT_EQ(r[0][2].text, "c");
        EXPECT_EQ(r[1][0].text, "x,1");
        EXPECT_TRUE(r[1][0].quoted);
        EXPECT_EQ(r[1][1].text, "say \"hi\"");
        EXPECT_EQ(r[1][2].text, "");
        EXPECT_FALSE(r[1][2].quoted); // NULL
        EXPECT_EQ(r[2][0].text, "");
        EXPECT_TRUE(r[2][0].quoted); // empty string
        EXPECT_EQ(r[2][1].text, "multi\nline");
        EXPECT_EQ(r[3][2].text, "no-newline");
    }
}

TEST(CsvDialect, PicksDelimiterAndHeader) {
    auto d = sniff_csv_dialect("time;open;close\n2020-01-01;1.5;2\n2020-01-02;1.7;2.5\n", true);
    EXPECT_EQ(d.delimiter, ';');
    EXPECT_TRUE(d.header);
    d = sniff_csv_dialect("a\tb\n1\t2\n3\t4\n", true);
    EXPECT_EQ(d.delimiter, '\t');
    EXPECT_TRUE(d.header);
    d = sniff_csv_dialect("1,2,3\n4,5,6\n7,8,9\n", true);
    EXPECT_EQ(d.delimiter, ',');
    EXPECT_FALSE(d.header);
    // Text only: a header when its values are distinct and never repeat below.
    d = sniff_csv_dialect("name,city\nann,paris\nbob,rome\n", true);
    EXPECT_TRUE(d.header);
    d = sniff_csv_dialect("ann,paris\nbob,paris\nann,rome\n", true);
    EXPECT_FALSE(d.header);
    d = sniff_csv_dialect("a|b|c\n\"x|y\"|2|3\n", true);
    EXPECT_EQ(d.delimiter, '|');
    EXPECT_TRUE(d.quotes_seen);
}

TEST(CsvDialect, CutSampleIgnoresItsLastRecord) {
    // The sample ends inside a quoted field: the cut record must not decide the dialect.
    auto d = sniff_csv_dialect("a,b\n1,2\n3,\"a;b;c;d;e;f", false);
    EXPECT_EQ(d.delimiter, ',');
    EXPECT_TRUE(d.header);
}

TEST(CsvDialect, SharedDataFilesWrittenElsewhere) {
    for (const char* name : {"alphavantage_MSFT_1min_2020-11-23_2020-12-18.csv", "ftx_BTC-PERP_1min_2021-12-31_2022-02-01.csv"}) {
        std::ifstream in(std::string(TICKLAKE_SHARED_DATA) + "/" + name, std::ios::binary);
        ASSERT_TRUE(in) << name;
        std::string head(64 * 1024, '\0');
        in.read(head.data(), static_cast<std::streamsize>(head.size()));
        head.resize(static_cast<size_t>(in.gcount()));
        auto d = sniff_csv_dialect(head, false);
        EXPECT_EQ(d.delimiter, ',') << name;
        EXPECT_TRUE(d.header) << name;
        EXPECT_FALSE(d.quotes_seen) << name;
    }
}

} // namespace
} // namespace ticklake
