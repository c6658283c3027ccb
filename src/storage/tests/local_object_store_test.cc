#include "storage/local_object_store.h"

#include <atomic>
#include <cctype>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>
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

// Two sinks on one warehouse write their topic's small state files at the same moment: each
// write stages its own file, so neither renames the other's away (found by
// test_iceberg_rest.py's two hosts: "cannot rename into place ...: No such file or directory").
TEST_F(LocalObjectStoreTest, ConcurrentWritesOfOneSmallKeyAllSucceed) {
    const std::string key = "_ticklake/sink/g/t/topic.json";
    const fs::path source = root_ / "source.bin";
    std::ofstream(source) << "file body";
    std::atomic<int> failures{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
        writers.emplace_back([&, t] {
            for (int i = 0; i < 300; ++i) {
                const auto st = (t % 2 == 0) ? store_->put_small(key, "writer " + std::to_string(t))
                                             : store_->put_file(key, source);
                if (!st) {
                    ++failures;
                    ADD_FAILURE() << st.error().message;
                }
            }
        });
    }
    for (auto& w : writers) w.join();
    EXPECT_EQ(failures.load(), 0);
    auto got = store_->get_small(key);
    ASSERT_TRUE(got && got->has_value());
    EXPECT_TRUE(**got == "file body" || (*got)->starts_with("writer ")) << **got;
    for (const auto& e : fs::directory_iterator((root_ / key).parent_path())) {
        EXPECT_NE(e.path().extension(), ".tmp") << "a staging file was left: " << e.path();
    }
}

// A process killed between writing its private staging file and renaming it leaves the file
// behind; the next process to write in that folder removes it, but never the file of a process
// that still runs, nor one another host wrote (its pids mean nothing here).
TEST_F(LocalObjectStoreTest, StagingLeftByADeadProcessIsRemovedOthersAreKept) {
    char name[256] = {};
    ASSERT_EQ(::gethostname(name, sizeof name - 1), 0);
    std::string host;
    for (const char* c = name; *c != 0; ++c) {
        host += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
    }
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::_exit(0);
    }
    ASSERT_EQ(::waitpid(child, nullptr, 0), child); // reaped: its pid no longer runs
    const fs::path dir = root_ / "_ticklake/sink/g/t";
    fs::create_directories(dir);
    const auto staging = [&](const std::string& of, pid_t pid, const std::string& h) {
        const fs::path p = dir / std::string(of).append(".").append(std::to_string(pid)).append("-7-").append(h).append(".tmp");
        std::ofstream(p) << "half";
        return p;
    };
    const fs::path dead = staging("p2.json", child, host);
    const fs::path dead_other_key = staging("topic.json", child, host);
    const fs::path live = staging("p2.json", ::getppid(), host);
    const fs::path other_host = staging("p2.json", child, host + "x");
    const fs::path shared = dir / "p3.json.tmp"; // publish()'s staging: its owner cleans it
    std::ofstream(shared) << "staged";

    ASSERT_TRUE(store_->put_small("_ticklake/sink/g/t/p2.json", "{}"));
    EXPECT_FALSE(fs::exists(dead));
    EXPECT_FALSE(fs::exists(dead_other_key));
    EXPECT_TRUE(fs::exists(live));
    EXPECT_TRUE(fs::exists(other_host));
    EXPECT_TRUE(fs::exists(shared));
    auto listed = store_->list("_ticklake");
    ASSERT_TRUE(listed);
    EXPECT_EQ(*listed, std::vector<std::string>{"_ticklake/sink/g/t/p2.json"}) << "staging files are not objects";
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
