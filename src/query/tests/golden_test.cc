// The golden queries of the function library (tests/golden/<name>.sql + .expected) through
// the engine itself: QuerySession with the embedded library, guardrails on, CSV as rendered
// by `ticklake query --format csv`. tests/integration/test_query_functions.py checks each
// .expected against an independent Python computation; this test checks the engine gives it.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "query/function_library.h"
#include "query/query_session.h"
#include "query/result_format.h"

namespace ticklake::query {
namespace {

namespace fs = std::filesystem;

const fs::path kGolden = fs::path(TICKLAKE_SOURCE_DIR) / "src/query/tests/golden";

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> golden_names() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(kGolden)) {
        if (e.path().extension() == ".sql" && e.path().stem() != "fixtures") {
            names.push_back(e.path().stem().string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {
protected:
    static void SetUpTestSuite() {
        SessionOptions options;
        options.setup_sql = function_library_sql();
        options.setup_sql.push_back(read(kGolden / "fixtures.sql"));
        auto s = QuerySession::open(options, {});
        ASSERT_TRUE(s) << s.error().message;
        session_ = std::move(*s).release();
    }
    static void TearDownTestSuite() {
        delete session_;
        session_ = nullptr;
    }
    static QuerySession* session_;
};

QuerySession* GoldenTest::session_ = nullptr;

TEST_P(GoldenTest, EngineReproducesTheExpectedResult) {
    ASSERT_NE(session_, nullptr);
    const std::string sql = read(kGolden / (GetParam() + ".sql"));
    auto r = session_->run(sql);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(render(*r, ResultFormat::csv), read(kGolden / (GetParam() + ".expected"))) << sql;
}

TEST(GoldenSetTest, ThereAreGoldenQueries) {
    EXPECT_GE(golden_names().size(), 20u);
    EXPECT_FALSE(function_library_sql().empty()) << "the function library was not embedded";
}

INSTANTIATE_TEST_SUITE_P(Functions, GoldenTest, ::testing::ValuesIn(golden_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

} // namespace
} // namespace ticklake::query
