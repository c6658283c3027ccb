// Golden-file checks shared by the catalog's and the crawler's tests: `actual` must equal the
// file `dir`/`name`; TICKLAKE_UPDATE_GOLDEN=1 rewrites the file instead (then review its diff).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace ticklake::testing {

inline void expect_golden(const std::string& dir, const std::string& name, const std::string& actual) {
    const std::string path = dir + "/" + name;
    if (std::getenv("TICKLAKE_UPDATE_GOLDEN") != nullptr) {
        std::ofstream(path) << actual;
    }
    std::ifstream in(path);
    ASSERT_TRUE(in) << "missing golden file " << path << " (run with TICKLAKE_UPDATE_GOLDEN=1 once, then review it)";
    std::stringstream expected;
    expected << in.rdbuf();
    EXPECT_EQ(actual, expected.str()) << "golden file " << path;
}

} // namespace ticklake::testing
