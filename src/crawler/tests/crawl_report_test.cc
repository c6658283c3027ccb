// The end-of-crawl summary: what a person reads on stderr, what --json gives a script.
#include "crawler/crawl_report.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace ticklake {
namespace {

TEST(CrawlReport, LinesShowTheFirstNotesThenTheCounters) {
    CrawlSummary s;
    s.tables_added = 2;
    s.partitions_added = 5;
    s.schema_versions = 2;
    s.files_listed = 30;
    s.files_read = 7;
    s.bytes_read = 3 << 20;
    s.seconds = 1.234;
    for (int i = 0; i < 27; ++i) {
        s.notes.push_back("stray " + std::to_string(i));
    }
    const auto lines = crawl_summary_lines(s);
    ASSERT_EQ(lines.size(), 28u);
    EXPECT_EQ(lines[0], "note: stray 0");
    EXPECT_EQ(lines[24], "note: stray 24");
    EXPECT_EQ(lines[25], "note: ... and 2 more (all of them with --json)");
    EXPECT_EQ(lines[26], "tables 2 added, 0 updated, 0 unchanged; partitions 5 added, 0 removed; 2 schema version(s)");
    EXPECT_EQ(lines[27], "files 30 listed, 7 read (3.0 MiB), 0 unchanged, 0 removed, 0 skipped, 0 ignored; 1.23 s");
}

TEST(CrawlReport, JsonCarriesEveryNote) {
    CrawlSummary s;
    s.files_read = 3;
    s.notes = {"a", "b"};
    const std::string json = crawl_summary_json(s, "file:///w", "/c.db");
    EXPECT_NE(json.find("file:///w"), std::string::npos);
    EXPECT_NE(json.find("\"files_read\""), std::string::npos);
    EXPECT_NE(json.find("\"b\""), std::string::npos);
    EXPECT_TRUE(json.ends_with("\n"));
}

TEST(CrawlReport, ProgressLineAtMostOnceASecondAndAlwaysTheLast) {
    const auto t0 = CrawlProgressLine::Clock::now();
    CrawlProgressLine line(t0);
    EXPECT_EQ(line.on({1, 3, "market.trades"}, t0 + std::chrono::milliseconds(200)), "");
    EXPECT_EQ(line.on({2, 3, "market.trades"}, t0 + std::chrono::milliseconds(1200)),
              "\rcrawl: 2/3 new or changed files read (market.trades)\033[K");
    EXPECT_EQ(line.on({3, 3, "market.quotes"}, t0 + std::chrono::milliseconds(1300)),
              "\rcrawl: 3/3 new or changed files read (market.quotes)\033[K\n");
}

TEST(CrawlReport, ALocalWarehouseMustBeAFolderAnS3OneNeedNot) {
    EXPECT_TRUE(check_warehouse_folder(std::filesystem::temp_directory_path().string()));
    EXPECT_TRUE(check_warehouse_folder("s3://bucket/none"));
    auto missing = check_warehouse_folder("file:///no/such/tl-warehouse");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::invalid_argument);
    EXPECT_EQ(missing.error().message,
              "no warehouse folder at /no/such/tl-warehouse (a folder, file:// URI or s3://bucket/prefix)");
}

} // namespace
} // namespace ticklake
