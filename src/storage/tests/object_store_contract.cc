#include "storage/tests/object_store_contract.h"

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <iterator>
#include <unistd.h>

namespace ticklake {

namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, const std::string& content) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << content;
}

std::optional<std::string> get(ObjectStore& store, const std::string& key) {
    auto got = store.get_small(key);
    EXPECT_TRUE(got) << got.error().message;
    return got ? *got : std::nullopt;
}

} // namespace

void ObjectStoreContract::SetUp() {
    store_ = GetParam().make();
    ASSERT_NE(store_, nullptr);
}

void ObjectStoreContract::TearDown() { store_.reset(); }

TEST_P(ObjectStoreContract, StagedContentIsInvisibleUntilPublished) {
    const std::string key = "db/t/dt=2025-01-06/part-0.parquet";
    const fs::path staged = store_->staging_path(key);
    write_file(staged, "columnar bytes");
    EXPECT_EQ(get(*store_, key), std::nullopt);
    auto listed = store_->list("db");
    ASSERT_TRUE(listed) << listed.error().message;
    EXPECT_EQ(std::count(listed->begin(), listed->end(), key), 0);

    auto published = store_->publish(key);
    ASSERT_TRUE(published) << published.error().message;
    EXPECT_EQ(get(*store_, key), "columnar bytes");
    EXPECT_FALSE(fs::exists(staged));
    listed = store_->list("db");
    ASSERT_TRUE(listed) << listed.error().message;
    EXPECT_EQ(*listed, std::vector<std::string>{key});
}

TEST_P(ObjectStoreContract, PublishReplacesThePreviousObject) {
    const std::string key = "t/a.parquet";
    write_file(store_->staging_path(key), "first version");
    ASSERT_TRUE(store_->publish(key));
    write_file(store_->staging_path(key), "second");
    ASSERT_TRUE(store_->publish(key));
    EXPECT_EQ(get(*store_, key), "second");
}

TEST_P(ObjectStoreContract, PublishWithoutStagedContentFails) {
    EXPECT_FALSE(store_->publish("never/staged.parquet"));
    EXPECT_EQ(get(*store_, "never/staged.parquet"), std::nullopt);
}

TEST_P(ObjectStoreContract, RemoveIsIdempotentAndReportsPresence) {
    ASSERT_TRUE(store_->put_small("j/p0.json", "offsets"));
    auto first = store_->remove("j/p0.json");
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(*first);
    EXPECT_EQ(get(*store_, "j/p0.json"), std::nullopt);
    auto second = store_->remove("j/p0.json");
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_FALSE(*second);

    // A staged, never published copy counts as something to remove.
    const fs::path staged = store_->staging_path("j/p1.json");
    write_file(staged, "half written");
    auto staged_only = store_->remove("j/p1.json");
    ASSERT_TRUE(staged_only) << staged_only.error().message;
    EXPECT_TRUE(*staged_only);
    EXPECT_FALSE(fs::exists(staged));
}

TEST_P(ObjectStoreContract, PutAndGetSmallObjects) {
    const std::string binary("a\0b\xff\n", 5);
    ASSERT_TRUE(store_->put_small("m/binary", binary));
    ASSERT_TRUE(store_->put_small("m/empty", ""));
    ASSERT_TRUE(store_->put_small("m/odd name & more+.json", "{\"a\":1}"));
    EXPECT_EQ(get(*store_, "m/binary"), binary);
    EXPECT_EQ(get(*store_, "m/empty"), std::string());
    EXPECT_EQ(get(*store_, "m/odd name & more+.json"), "{\"a\":1}");
    ASSERT_TRUE(store_->put_small("m/binary", "replaced"));
    EXPECT_EQ(get(*store_, "m/binary"), "replaced");
}

TEST_P(ObjectStoreContract, ListIsSortedAndScopedToThePrefix) {
    for (const char* key : {"b/2", "a/x/10", "a/2", "ab/3", "a/1", "c"}) {
        ASSERT_TRUE(store_->put_small(key, key));
    }
    auto a = store_->list("a");
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(*a, (std::vector<std::string>{"a/1", "a/2", "a/x/10"}));
    auto all = store_->list("");
    ASSERT_TRUE(all) << all.error().message;
    EXPECT_EQ(*all, (std::vector<std::string>{"a/1", "a/2", "a/x/10", "ab/3", "b/2", "c"}));
}

TEST_P(ObjectStoreContract, MissingObjectsAreNulloptAndEmptyLists) {
    EXPECT_EQ(get(*store_, "nothing/here.json"), std::nullopt);
    auto listed = store_->list("nothing");
    ASSERT_TRUE(listed) << listed.error().message;
    EXPECT_TRUE(listed->empty());
}

TEST_P(ObjectStoreContract, EntriesCarrySizesAndModificationTimes) {
    const TimestampUs before = now_us() - 5 * kMicrosPerSecond; // S3 keeps whole seconds
    ASSERT_TRUE(store_->put_small("d/one", "1"));
    ASSERT_TRUE(store_->put_small("d/three", "333"));
    store_->staging_path("d/staged"); // a staged file is not an object
    write_file(store_->staging_path("d/staged"), "xx");
    auto entries = store_->list_entries("d");
    ASSERT_TRUE(entries) << entries.error().message;
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ((*entries)[0].key, "d/one");
    EXPECT_EQ((*entries)[0].size, 1u);
    EXPECT_EQ((*entries)[1].key, "d/three");
    EXPECT_EQ((*entries)[1].size, 3u);
    for (const auto& e : *entries) {
        EXPECT_GE(e.modified, before) << e.key;
        EXPECT_LE(e.modified, now_us() + 5 * kMicrosPerSecond) << e.key;
    }
    auto st = store_->stat("d/three");
    ASSERT_TRUE(st) << st.error().message;
    ASSERT_TRUE(st->has_value());
    EXPECT_EQ((*st)->key, "d/three");
    EXPECT_EQ((*st)->size, 3u);
    EXPECT_GE((*st)->modified, before);
    auto missing = store_->stat("d/four");
    ASSERT_TRUE(missing) << missing.error().message;
    EXPECT_FALSE(missing->has_value());
}

TEST_P(ObjectStoreContract, VersionedRangesNeverMixTwoVersionsOfAnObject) {
    ASSERT_TRUE(store_->put_small("v/obj", "0123456789"));
    auto first = store_->version("v/obj");
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->size, 10u);
    EXPECT_FALSE(first->etag.empty());
    auto mid = store_->read_version_range("v/obj", *first, 2, 3);
    ASSERT_TRUE(mid) << mid.error().message;
    EXPECT_EQ(*mid, "234");
    auto tail = store_->read_version_range("v/obj", *first, 8, 100);
    ASSERT_TRUE(tail) << tail.error().message;
    EXPECT_EQ(*tail, "89");
    // Replaced: the old version's reads fail instead of returning the new bytes.
    ASSERT_TRUE(store_->put_small("v/obj", "abcdefghijk"));
    auto second = store_->version("v/obj");
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_NE(*second, *first);
    auto stale = store_->read_version_range("v/obj", *first, 0, 4);
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error().kind, ErrorKind::not_found);
    auto fresh = store_->read_version_range("v/obj", *second, 0, 4);
    ASSERT_TRUE(fresh) << fresh.error().message;
    EXPECT_EQ(*fresh, "abcd");
    auto absent = store_->version("v/absent");
    ASSERT_FALSE(absent);
    EXPECT_EQ(absent.error().kind, ErrorKind::not_found);
}

TEST_P(ObjectStoreContract, ReadsRangesAndClipsAtTheEnd) {
    ASSERT_TRUE(store_->put_small("r/digits", "0123456789"));
    auto mid = store_->read_range("r/digits", 2, 3);
    ASSERT_TRUE(mid) << mid.error().message;
    EXPECT_EQ(*mid, "234");
    auto tail = store_->read_range("r/digits", 8, 100);
    ASSERT_TRUE(tail) << tail.error().message;
    EXPECT_EQ(*tail, "89");
    auto past = store_->read_range("r/digits", 10, 4);
    ASSERT_TRUE(past) << past.error().message;
    EXPECT_EQ(*past, "");
    auto none = store_->read_range("r/absent", 0, 4);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().kind, ErrorKind::not_found);
}

TEST_P(ObjectStoreContract, DownloadsWholeObjectsIncludingEmptyOnes) {
    std::string big(3 << 20, '\0');
    for (size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<char>((i * 131) ^ (i >> 9));
    }
    const fs::path staged = store_->staging_path("dl/big.bin");
    write_file(staged, big);
    ASSERT_TRUE(store_->publish("dl/big.bin"));
    ASSERT_TRUE(store_->put_small("dl/empty", ""));
    const fs::path dir = fs::temp_directory_path() / ("tl-contract-dl-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    ASSERT_TRUE(store_->download("dl/big.bin", dir / "big"));
    ASSERT_TRUE(store_->download("dl/empty", dir / "empty"));
    std::ifstream in(dir / "big", std::ios::binary);
    std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(got.size(), big.size());
    EXPECT_TRUE(got == big);
    EXPECT_TRUE(fs::exists(dir / "empty"));
    EXPECT_EQ(fs::file_size(dir / "empty"), 0u);
    auto missing = store_->download("dl/absent", dir / "absent");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
    EXPECT_FALSE(fs::exists(dir / "absent"));
    fs::remove_all(dir);
}

TEST_P(ObjectStoreContract, PutFileCopiesALocalFileAndLeavesTheSource) {
    const fs::path dir = fs::temp_directory_path() / ("tl-contract-put-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    write_file(dir / "src.bin", "first");
    ASSERT_TRUE(store_->put_file("up/a.bin", dir / "src.bin"));
    EXPECT_EQ(get(*store_, "up/a.bin"), std::optional<std::string>("first"));
    write_file(dir / "src.bin", "second, longer");
    ASSERT_TRUE(store_->put_file("up/a.bin", dir / "src.bin"));
    EXPECT_EQ(get(*store_, "up/a.bin"), std::optional<std::string>("second, longer"));
    EXPECT_TRUE(fs::exists(dir / "src.bin"));
    auto listed = store_->list("up");
    ASSERT_TRUE(listed) << listed.error().message;
    EXPECT_EQ(*listed, std::vector<std::string>{"up/a.bin"});
    auto missing = store_->put_file("up/b.bin", dir / "absent");
    EXPECT_FALSE(missing);
    fs::remove_all(dir);
}

} // namespace ticklake
