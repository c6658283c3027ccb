#include "storage/local_object_store.h"

#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace ticklake {

namespace fs = std::filesystem;

class LocalObjectStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("tl-store-" + std::to_string(::getpid()) + "-" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        auto s = open_object_store(root_.string());
        ASSERT_TRUE(s) << s.error().message;
        store_ = std::move(*s);
    }
    void TearDown() override { fs::remove_all(root_); }
    fs::path root_;
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
