#include "storage/local_object_store.h"

#include <fstream>
#include <gtest/gtest.h>

#include "storage/tests/storage_test_dir.h"

namespace ticklake {

namespace fs = std::filesystem;

class LocalObjectStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = open_object_store(root_.string());
        ASSERT_TRUE(s) << s.error().message;
        store_ = std::move(*s);
    }
    testing::TestFolder folder_;
    const fs::path root_ = folder_.path();
    std::unique_ptr<ObjectStore> store_;
};

TEST_F(LocalObjectStoreTest, StagedContentIsInvisibleUntilPublished) {
    const std::string key = "db/t/dt=2025-01-06/a.parquet";
    fs::path staged = store_->staging_path(key);
    std::ofstream(staged) << "hello";
    auto listed = store_->list("db");
    ASSERT_TRUE(listed);
    EXPECT_TRUE(listed->empty()) << "a staged file is not an object";
    EXPECT_TRUE(fs::exists(root_ / (key + ".tmp")));
    EXPECT_FALSE(fs::exists(root_ / key));
    ASSERT_TRUE(store_->publish(key));
    EXPECT_TRUE(fs::exists(root_ / key));
    EXPECT_FALSE(fs::exists(staged));
    auto got = store_->get_small(key);
    ASSERT_TRUE(got && got->has_value());
    EXPECT_EQ(**got, "hello");
}

TEST_F(LocalObjectStoreTest, PublishReplacesAndRemoveIsIdempotent) {
    ASSERT_TRUE(store_->put_small("j/p0.json", "one"));
    ASSERT_TRUE(store_->put_small("j/p0.json", "two"));
    EXPECT_EQ(**store_->get_small("j/p0.json"), "two");
    auto first = store_->remove("j/p0.json");
    ASSERT_TRUE(first);
    EXPECT_TRUE(*first);
    auto second = store_->remove("j/p0.json");
    ASSERT_TRUE(second);
    EXPECT_FALSE(*second);
    EXPECT_FALSE(store_->get_small("j/p0.json")->has_value());
}

TEST_F(LocalObjectStoreTest, RemoveAlsoDropsAStagedLeftover) {
    std::ofstream(store_->staging_path("x/y.jsonl")) << "partial";
    ASSERT_TRUE(store_->remove("x/y.jsonl"));
    EXPECT_TRUE(store_->list("x")->empty());
}

TEST_F(LocalObjectStoreTest, ListIsSortedAndScopedToPrefix) {
    ASSERT_TRUE(store_->put_small("b/2", "x"));
    ASSERT_TRUE(store_->put_small("b/1", "x"));
    ASSERT_TRUE(store_->put_small("c/1", "x"));
    auto l = store_->list("b");
    ASSERT_TRUE(l);
    EXPECT_EQ(*l, (std::vector<std::string>{"b/1", "b/2"}));
    EXPECT_TRUE(store_->list("nope")->empty());
}

TEST_F(LocalObjectStoreTest, ListEntriesWalksFoldersWithSizesAndFollowsLinksOnlyToFiles) {
    ASSERT_TRUE(store_->put_small("db/t/dt=2025-01-06/symbol=AAPL/a.parquet", "12345"));
    ASSERT_TRUE(store_->put_small("db/t/dt=2025-01-06/b.jsonl", "1"));
    ASSERT_TRUE(store_->put_small("db/t/top.csv", "12"));
    ASSERT_TRUE(store_->put_small("other/x", "x"));
    std::ofstream(store_->staging_path("db/t/dt=2025-01-06/c.parquet")) << "partial";
    fs::create_directories(root_ / "db/t/empty=1");
    // A link to a file is an object with the target's size; a link to a folder is not walked
    // (it could loop, or list the same files twice); a dangling link is nothing.
    fs::create_symlink(root_ / "db/t/top.csv", root_ / "db/t/link.csv");
    fs::create_directory_symlink(root_ / "other", root_ / "db/t/linked_folder");
    fs::create_symlink(root_ / "db/t/gone", root_ / "db/t/dangling");
    // The last entry a folder yields being skipped must not read as a listing error.
    fs::create_directories(root_ / "db/t/only_dangling");
    fs::create_symlink(root_ / "db/t/gone", root_ / "db/t/only_dangling/x");

    auto all = store_->list_entries("db/t");
    ASSERT_TRUE(all) << all.error().message;
    std::vector<std::pair<std::string, uint64_t>> got;
    for (const auto& e : *all) {
        got.emplace_back(e.key, e.size);
        EXPECT_GT(e.modified, 0) << e.key;
    }
    EXPECT_EQ(got, (std::vector<std::pair<std::string, uint64_t>>{{"db/t/dt=2025-01-06/b.jsonl", 1},
                                                                  {"db/t/dt=2025-01-06/symbol=AAPL/a.parquet", 5},
                                                                  {"db/t/link.csv", 2},
                                                                  {"db/t/top.csv", 2}}));
    // The same keys from the root and from a prefix written with a trailing slash.
    auto from_root = store_->list_entries("");
    ASSERT_TRUE(from_root);
    EXPECT_EQ(from_root->size(), 5u);
    EXPECT_EQ(from_root->back().key, "other/x");
    auto slash = store_->list_entries("db/t/");
    ASSERT_TRUE(slash);
    ASSERT_EQ(slash->size(), 4u);
    EXPECT_EQ(slash->front().key, "db/t/dt=2025-01-06/b.jsonl");
    EXPECT_TRUE(store_->list_entries("db/missing")->empty());
    auto not_a_folder = store_->list_entries("db/t/top.csv");
    ASSERT_FALSE(not_a_folder);
    EXPECT_NE(not_a_folder.error().message.find("cannot list"), std::string::npos);
}

TEST(ObjectStoreUri, RejectsWhatItCannotOpen) {
    // s3:// URIs open an S3ObjectStore (tested against MinIO in s3/tests); a bad bucket name
    // is refused before any credential lookup.
    auto s3 = open_object_store("s3://Not_A_Bucket/prefix");
    ASSERT_FALSE(s3);
    EXPECT_EQ(s3.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(s3.error().message.find("Not_A_Bucket"), std::string::npos) << s3.error().message;
    EXPECT_FALSE(open_object_store(""));
}

} // namespace ticklake
