// `cp` between two local stores and local paths: every direction the command has (a store
// stands in for S3 here; over MinIO in tests/integration/test_s3.py), names kept below a
// folder destination, and the errors that stop a copy.
#include "storage/copy_tree.h"

#include <gtest/gtest.h>

#include "storage/tests/storage_test_dir.h"

namespace ticklake {
namespace {

namespace fs = std::filesystem;
using testing::TestFolder;

struct TwoStores {
    TestFolder local;
    std::shared_ptr<ObjectStore> src = open((local.path() / "src-store").string());
    std::shared_ptr<ObjectStore> dst = open((local.path() / "dst-store").string());

    static std::shared_ptr<ObjectStore> open(const std::string& root) {
        auto store = open_object_store(root);
        EXPECT_TRUE(store) << store.error().message;
        return store ? std::move(*store) : nullptr;
    }

    TwoStores() {
        local.write("src-store/wh/db/t/dt=1/a.parquet", "aaaa");
        local.write("src-store/wh/db/t/dt=2/b.parquet", "bbbbbb");
        local.write("src-store/wh/top.csv", "x\n");
    }
    std::string in_dst(const std::string& key) const { return local.read("dst-store/" + key); }
};

TEST(CopyTree, StoreToStoreRecursiveKeepsPaths) {
    TwoStores s;
    auto r = copy_between({{s.src, "wh/", "s3://src/wh/"}}, {s.dst, "copy", "s3://dst/copy"}, true, 3);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->files, 3u);
    EXPECT_EQ(r->bytes, 12u);
    EXPECT_EQ(s.in_dst("copy/db/t/dt=1/a.parquet"), "aaaa");
    EXPECT_EQ(s.in_dst("copy/db/t/dt=2/b.parquet"), "bbbbbb");
    EXPECT_EQ(s.in_dst("copy/top.csv"), "x\n");
}

TEST(CopyTree, StoreToLocalFolderAndFile) {
    TwoStores s;
    const fs::path out = s.local.path() / "out";
    fs::create_directories(out);
    auto into_folder = copy_between({{s.src, "wh/top.csv", "s3://src/wh/top.csv"}}, {nullptr, out.string(), "out"},
                                    false, 4);
    ASSERT_TRUE(into_folder) << into_folder.error().message;
    EXPECT_EQ(s.local.read("out/top.csv"), "x\n");
    auto renamed = copy_between({{s.src, "wh/top.csv", "s3://src/wh/top.csv"}},
                                {nullptr, (out / "deep" / "renamed.csv").string(), "renamed"}, false, 4);
    ASSERT_TRUE(renamed) << renamed.error().message;
    EXPECT_EQ(s.local.read("out/deep/renamed.csv"), "x\n");
    for (const auto& e : fs::recursive_directory_iterator(out)) {
        EXPECT_NE(e.path().extension(), ".tmp") << "a temp file was left: " << e.path();
    }
}

TEST(CopyTree, LocalFolderToStoreThroughTheOptions) {
    TwoStores s;
    s.local.write("tree/a/1.txt", "1");
    s.local.write("tree/b/2.txt", "22");
    CopyOptions o;
    o.sources = {(s.local.path() / "tree").string()};
    o.destination = (s.local.path() / "dest").string() + "/";
    o.recursive = true;
    auto r = copy_tree(o);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->files, 2u);
    EXPECT_EQ(s.local.read("dest/a/1.txt"), "1");
    EXPECT_EQ(s.local.read("dest/b/2.txt"), "22");
    auto to_store = copy_between({{nullptr, (s.local.path() / "tree" / "b" / "2.txt").string(), "2.txt"}},
                                 {s.dst, "in/", "s3://dst/in/"}, false, 1);
    ASSERT_TRUE(to_store) << to_store.error().message;
    EXPECT_EQ(s.in_dst("in/2.txt"), "22");
}

TEST(CopyTree, ErrorsNameWhatIsWrong) {
    TwoStores s;
    CopyOptions o;
    o.sources = {"a"};
    o.destination = "b";
    o.jobs = 0;
    EXPECT_EQ(copy_tree(o).error().message, "--jobs must be between 1 and 64");
    auto missing = copy_between({{s.src, "wh/nope", "s3://src/wh/nope"}}, {s.dst, "x", "s3://dst/x"}, false, 1);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
    EXPECT_EQ(missing.error().message, "s3://src/wh/nope not found (folders need --recursive)");
    auto folder = copy_between({{nullptr, s.local.path().string(), "here"}}, {s.dst, "x", "s3://dst/x"}, false, 1);
    ASSERT_FALSE(folder);
    EXPECT_EQ(folder.error().message, "here is not a file (folders need --recursive)");
    auto empty = copy_between({{s.src, "nothing", "s3://src/nothing"}}, {s.dst, "x", "s3://dst/x"}, true, 1);
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().message, "nothing to copy under s3://src/nothing");
}

TEST(CopySummary, Line) {
    EXPECT_EQ((CopySummary{1, 2048, 2.0}).line(), "1 file, 2.0 KiB in 2.00 s (0.0 MiB/s)");
    EXPECT_EQ((CopySummary{3, 3 << 20, 1.0}).line(), "3 files, 3.0 MiB in 1.00 s (3.0 MiB/s)");
}

} // namespace
} // namespace ticklake
