// `ls` and `cat` over a local folder: what a URI names, the PRE lines, JSON, and the
// errors a script tests.
#include "storage/object_listing.h"

#include <gtest/gtest.h>

#include "storage/object_location.h"
#include "storage/tests/storage_test_dir.h"

namespace ticklake {
namespace {

using testing::TestFolder;

ObjectEntry entry(std::string key, uint64_t size) {
    return ObjectEntry{std::move(key), size, 1'736'173'800'000'000}; // 2025-01-06T14:30:00Z
}

TEST(SplitS3Uri, BucketAndKey) {
    EXPECT_EQ(split_s3_uri("s3://lake/a/b.parquet"), (std::pair<std::string, std::string>{"s3://lake", "a/b.parquet"}));
    EXPECT_EQ(split_s3_uri("s3://lake"), (std::pair<std::string, std::string>{"s3://lake", ""}));
    EXPECT_TRUE(is_s3_uri("S3://lake"));
    EXPECT_FALSE(is_s3_uri("/tmp/s3://x"));
}

TEST(RenderListing, FoldersArePreLinesUnlessRecursive) {
    const std::vector<ObjectEntry> entries = {entry("a.jsonl", 10), entry("dt=1/x.parquet", 2048),
                                              entry("dt=1/y.parquet", 1024)};
    EXPECT_EQ(render_listing(entries, {}), "                           PRE dt=1/\n"
                                           "2025-01-06 14:30:00         10 a.jsonl\n");
    ListingFormat f;
    f.recursive = true;
    f.human = true;
    f.summarize = true;
    EXPECT_EQ(render_listing(entries, f), "2025-01-06 14:30:00   10 Bytes a.jsonl\n"
                                          "2025-01-06 14:30:00    2.0 KiB dt=1/x.parquet\n"
                                          "2025-01-06 14:30:00    1.0 KiB dt=1/y.parquet\n"
                                          "\nTotal Objects: 3\n   Total Size: 3.0 KiB\n");
}

TEST(RenderListing, JsonLinesEscapeKeys) {
    const std::vector<ObjectEntry> entries = {entry("q\"uote.csv", 1), entry("sub/z", 5), entry("sub/w", 7)};
    ListingFormat f;
    f.json = true;
    EXPECT_EQ(render_listing(entries, f), "{\"prefix\":\"sub/\",\"objects\":2,\"bytes\":12}\n"
                                          "{\"key\":\"q\\\"uote.csv\",\"size\":1,\"modified\":\"2025-01-06T14:30:00.000000Z\"}\n");
}

TEST(HumanSize, Units) {
    EXPECT_EQ(human_size(0), "0 Bytes");
    EXPECT_EQ(human_size(1023), "1023 Bytes");
    EXPECT_EQ(human_size(1536), "1.5 KiB");
    EXPECT_EQ(human_size(5ull << 30), "5.0 GiB");
}

TEST(ListBelow, AKeyNamesAnObjectOrAFolder) {
    TestFolder dir;
    dir.write("db/t/dt=1/a.csv", "a,b\n");
    dir.write("db/t/dt=2/b.csv", "a,b\n1,2\n");
    auto location = open_location(dir.path().string(), {});
    ASSERT_TRUE(location) << location.error().message;
    auto folder = list_below(*location->store, "db/t/");
    ASSERT_TRUE(folder) << folder.error().message;
    ASSERT_EQ(folder->size(), 2u);
    EXPECT_EQ((*folder)[0].key, "dt=1/a.csv");
    EXPECT_EQ((*folder)[1].size, 8u);
    auto one = list_below(*location->store, "db/t/dt=2/b.csv");
    ASSERT_TRUE(one);
    ASSERT_EQ(one->size(), 1u);
    EXPECT_EQ((*one)[0].key, "b.csv");
    auto none = list_below(*location->store, "db/nothing");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

TEST(OpenLocation, AFileOpensItsFolderAndAMissingPathIsNotCreated) {
    TestFolder dir;
    const auto file = dir.write("x/one.txt", "1");
    auto location = open_location("file://" + file.string(), {});
    ASSERT_TRUE(location) << location.error().message;
    EXPECT_EQ(location->key, "one.txt");
    auto missing = open_location((dir.path() / "typo").string(), {});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "typo"));
}

TEST(ReadObject, StreamsAnObjectAndRefusesFoldersAndParquetToATerminal) {
    TestFolder dir;
    const auto file = dir.write("a/b.jsonl", "{\"x\":1}\n");
    dir.write("a/c.parquet", "PAR1....PAR1");
    auto location = open_location(file.string(), {});
    ASSERT_TRUE(location);
    std::string got;
    auto append = [&got](std::string_view s) -> Status {
        got += s;
        return {};
    };
    ASSERT_TRUE(read_object(*location, "b.jsonl", true, append));
    EXPECT_EQ(got, "{\"x\":1}\n");

    location->key = "c.parquet";
    EXPECT_EQ(read_object(*location, "c.parquet", true, append).error().kind, ErrorKind::invalid_argument);
    ASSERT_TRUE(read_object(*location, "c.parquet", false, append));
    location->key = "";
    EXPECT_NE(read_object(*location, "a/", false, append).error().message.find("is a folder"), std::string::npos);
    location->key = "gone.txt";
    EXPECT_EQ(read_object(*location, "gone.txt", false, append).error().kind, ErrorKind::not_found);
    location->key = "b.jsonl";
    auto refuse = [](std::string_view) -> Status { return fail(Error::fatal("cannot write to standard output")); };
    EXPECT_EQ(read_object(*location, "b.jsonl", false, refuse).error().message, "cannot write to standard output");
}

} // namespace
} // namespace ticklake
