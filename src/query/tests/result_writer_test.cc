// Results written to files: the extension picks the format, the folder is made, an unknown
// extension is refused before anything is written.
#include "query/result_writer.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include "common/file_text.h"
#include "query/result_format.h"

namespace ticklake::query {
namespace {

namespace fs = std::filesystem;

QueryResult sample() {
    QueryResult r;
    r.column_names = {"symbol", "n"};
    r.column_types = {"VARCHAR", "BIGINT"};
    r.rows = {{std::string("AAPL"), std::string("3")}, {std::nullopt, std::string("4")}};
    return r;
}

TEST(ResultWriterTest, TextFilesAreRenderedByTheirExtensionIntoNewFolders) {
    const fs::path dir = fs::temp_directory_path() / ("tl-qwrite-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    ASSERT_TRUE(write_result_file(sample(), (dir / "a/b/out.jsonl").string(), {}));
    EXPECT_EQ(read_file_text(dir / "a/b/out.jsonl").value_or("<unreadable>"), render(sample(), ResultFormat::jsonl));
    ASSERT_TRUE(write_result_file(sample(), (dir / "out.csv").string(), {}));
    EXPECT_EQ(read_file_text(dir / "out.csv").value_or("<unreadable>"), render(sample(), ResultFormat::csv));
    ASSERT_TRUE(write_result_file(sample(), (dir / "out.parquet").string(), {}));
    EXPECT_GT(fs::file_size(dir / "out.parquet"), 0u);
    EXPECT_FALSE(fs::exists(dir / "out.parquet.csv.tmp")) << "the intermediate CSV is removed";
    auto refused = write_result_file(sample(), (dir / "out.txt").string(), {});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::invalid_argument);
    EXPECT_FALSE(fs::exists(dir / "out.txt"));
    fs::remove_all(dir);
}

} // namespace
} // namespace ticklake::query
