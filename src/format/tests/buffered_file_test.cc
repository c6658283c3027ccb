#include "format/buffered_file.h"

#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "../../common/tests/temp_dir.h"

namespace ticklake {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Bytes that differ from block to block, so a block written twice, skipped or shifted shows.
std::string pattern(size_t n, size_t seed) {
    std::mt19937_64 rng(seed);
    std::string s(n, '\0');
    for (char& c : s) {
        c = static_cast<char>('a' + rng() % 26);
    }
    return s;
}

class BufferedFileTest : public ::testing::TestWithParam<bool> {
protected:
    void SetUp() override { ASSERT_TRUE(dir_.ok()); }
    // Called last by the direct tests: where the file system refused O_DIRECT, say so.
    void skip_if_no_direct() {
        if (no_direct_) {
            GTEST_SKIP() << dir_.path().parent_path() << " refuses O_DIRECT: only its fallback was tested";
        }
    }

    // Writes `text` in pieces of `piece` bytes, flushing as a writer does, and reads it back.
    std::string write_in_pieces(BufferedFile& f, const std::string& text, size_t piece, const std::string& name) {
        const auto path = dir_.path() / name;
        EXPECT_TRUE(f.open(path, GetParam()));
        if (GetParam() && !f.direct()) {
            no_direct_ = true; // this file system has no O_DIRECT: the buffered path was tested
        }
        for (size_t at = 0; at < text.size(); at += piece) {
            f.buffer().append(text, at, piece);
            EXPECT_TRUE(f.maybe_flush());
        }
        EXPECT_TRUE(f.close());
        return read_file(path);
    }

    testing::TempDir dir_;
    bool no_direct_ = false;
};

TEST_P(BufferedFileTest, EverySizeReadsBackByteForByte) {
    // Around a block (O_DIRECT's 4096), around the flush size, and several flushes long; in
    // pieces that end on a block and pieces that never do.
    BufferedFile f; // one object for every file, as a writer thread keeps it
    const size_t flush = BufferedFile::kFlushBytes;
    int n = 0;
    for (size_t size : {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{4097}, size_t{12288} + 5, flush - 1,
                        flush, flush + 1, 3 * flush + 4096, 3 * flush + 777}) {
        for (size_t piece : {size_t{221}, size_t{4096}, flush + 3, 2 * flush + 5000}) {
            const std::string text = pattern(size, size + piece);
            const std::string got = write_in_pieces(f, text, piece, std::string("f").append(std::to_string(n++)));
            ASSERT_EQ(got.size(), text.size()) << "size " << size << ", pieces of " << piece;
            EXPECT_TRUE(got == text) << "size " << size << ", pieces of " << piece;
        }
    }
    skip_if_no_direct();
}

TEST_P(BufferedFileTest, ReopeningReplacesTheFile) {
    BufferedFile f;
    const std::string big = pattern(BufferedFile::kFlushBytes + 5000, 1);
    ASSERT_EQ(write_in_pieces(f, big, 1000, "same"), big);
    const std::string small = pattern(10, 2);
    EXPECT_EQ(write_in_pieces(f, small, 10, "same"), small);
    skip_if_no_direct();
}

INSTANTIATE_TEST_SUITE_P(PageCache, BufferedFileTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Direct" : "Buffered"; });

} // namespace
} // namespace ticklake
