// Members of archives written here with libzip, read back in place; damaged and missing files.
#include "sources/zip_archive.h"

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "common/tests/temp_dir.h"
#include "sources/tests/zip_writer.h"

namespace ticklake {
namespace {

using testing::TempDir;
using testing::write_zip;

//! Through std::istream::read, as CsvReader reads: a libzip error must show as badbit.
std::string read_all(std::istream& in) {
    std::string out;
    char chunk[4096];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        out.append(chunk, static_cast<size_t>(in.gcount()));
    }
    return out;
}

TEST(ZipArchive, StreamsEachMemberAsWritten) {
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    std::string big;
    for (int i = 0; big.size() < 300'000; ++i) { // several 64 KiB chunks of inflated text
        big += "AAPL," + std::to_string(i) + ",187.25\n";
    }
    const std::string path = (dir.path() / "two.zip").string();
    ASSERT_TRUE(write_zip(path, {{"data/big.csv", big}, {"data/", ""}, {"small.jsonl", "{}\n"}}));
    auto z = ZipArchive::open(path);
    ASSERT_TRUE(z) << z.error().message;
    const auto& members = (*z)->members();
    ASSERT_EQ(members.size(), 2u); // the folder entry is left out
    EXPECT_EQ(members[0].name, "data/big.csv");
    EXPECT_EQ(members[0].size, big.size());
    EXPECT_EQ(members[1].name, "small.jsonl");
    auto in = (*z)->open_member(members[0]);
    ASSERT_TRUE(in) << in.error().message;
    auto other = (*z)->open_member(members[1]);
    ASSERT_TRUE(other) << other.error().message;
    EXPECT_EQ(read_all(**other), "{}\n");
    EXPECT_EQ(read_all(**in), big);
}

TEST(ZipArchive, AMemberStreamKeepsItsArchiveOpen) {
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string path = (dir.path() / "a.zip").string();
    ASSERT_TRUE(write_zip(path, {{"a.csv", "x,y\n1,2\n"}}));
    std::unique_ptr<std::istream> in;
    {
        auto z = ZipArchive::open(path);
        ASSERT_TRUE(z) << z.error().message;
        auto m = (*z)->open_member((*z)->members().at(0));
        ASSERT_TRUE(m) << m.error().message;
        in = std::move(*m);
    }
    EXPECT_EQ(read_all(*in), "x,y\n1,2\n");
}

TEST(ZipArchive, RewindsToTheStartWithinTheFirstChunk) {
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string path = (dir.path() / "a.zip").string();
    ASSERT_TRUE(write_zip(path, {{"a.csv", "hello"}}));
    auto z = ZipArchive::open(path);
    ASSERT_TRUE(z) << z.error().message;
    auto in = (*z)->open_member((*z)->members().at(0));
    ASSERT_TRUE(in) << in.error().message;
    char two[2];
    (*in)->read(two, 2);
    (*in)->seekg(0);
    EXPECT_TRUE((*in)->good());
    EXPECT_EQ(read_all(**in), "hello");
}

TEST(ZipArchive, AnEmptyArchiveHasNoMembers) {
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string path = (dir.path() / "empty.zip").string();
    ASSERT_TRUE(write_zip(path, {}));
    auto z = ZipArchive::open(path);
    ASSERT_TRUE(z) << z.error().message;
    EXPECT_TRUE((*z)->members().empty());
}

TEST(ZipArchive, DamagedOrMissingFilesAreInvalidAndNameThePath) {
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string garbage = dir.write("garbage.zip", std::string(300, 'x'));
    const std::string good = (dir.path() / "good.zip").string();
    ASSERT_TRUE(write_zip(good, {{"a.csv", std::string(5000, 'a')}}));
    std::ifstream in(good, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const std::string truncated = dir.write("truncated.zip", bytes.substr(0, bytes.size() - 30));
    for (const std::string& path : {garbage, truncated, (dir.path() / "missing.zip").string()}) {
        auto z = ZipArchive::open(path);
        ASSERT_FALSE(z) << path;
        EXPECT_EQ(z.error().kind, ErrorKind::invalid_argument);
        EXPECT_NE(z.error().message.find("'" + path + "'"), std::string::npos) << z.error().message;
    }
    EXPECT_NE(ZipArchive::open((dir.path() / "missing.zip").string()).error().message.find("no such file"),
              std::string::npos);
}

TEST(ZipArchive, ADamagedMemberIsAReadErrorNotAShortRead) {
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string good = (dir.path() / "good.zip").string();
    std::string text;
    for (int i = 0; i < 2000; ++i) {
        text += std::to_string(i * 7919) + "\n";
    }
    ASSERT_TRUE(write_zip(good, {{"a.csv", text}}));
    std::ifstream in(good, std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    // Flip bytes in the middle of the compressed data (after the 30-byte local header and the name).
    for (size_t i = 60; i < 80; ++i) {
        bytes[i] = static_cast<char>(~bytes[i]);
    }
    const std::string damaged = dir.write("damaged.zip", bytes);
    auto z = ZipArchive::open(damaged);
    ASSERT_TRUE(z) << z.error().message; // the central directory is intact
    auto m = (*z)->open_member((*z)->members().at(0));
    ASSERT_TRUE(m) << m.error().message;
    const std::string got = read_all(**m);
    EXPECT_TRUE((*m)->bad());
    EXPECT_NE(got, text);
}

} // namespace
} // namespace ticklake
