#include "common/table_name.h"

#include <string>

#include <gtest/gtest.h>

namespace ticklake {
namespace {

// Every edge where the four old rules differed, and what each caller now gets. The sink and
// crawler pass their own fallback ("records", "t_"); Athena takes identifier_text alone.
struct Case {
    std::string raw;
    std::string table;      //!< table_name(raw, "records")
    std::string identifier; //!< identifier_text(raw)
};

TEST(TableNameTest, Edges) {
    const Case cases[] = {
        {"trades", "trades", "trades"},
        {"Daily Prices-2024", "daily_prices_2024", "daily_prices_2024"},
        {"market.ticks-v2", "market_ticks_v2", "market_ticks_v2"},
        {"2024 data", "t_2024_data", "2024_data"},
        {"1min", "t_1min", "1min"},
        {"_private", "_private", "_private"},
        {"a--b_", "a__b_", "a__b_"},
        {"myData", "mydata", "mydata"},
        {"ÄPFEL", "__pfel", "__pfel"}, // each UTF-8 byte becomes '_'
        {"tab\there", "tab_here", "tab_here"},
        {"", "records", ""},
        {"-", "_", "_"},
        {"9", "t_9", "9"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(table_name(c.raw, "records"), c.table) << c.raw;
        EXPECT_EQ(identifier_text(c.raw), c.identifier) << c.raw;
    }
}

TEST(TableNameTest, FallbackOnlyForEmpty) {
    EXPECT_EQ(table_name("", "t_"), "t_");
    EXPECT_EQ(table_name(" ", "t_"), "_");
}

TEST(TableNameTest, OutputIsStableWhenAppliedAgain) {
    for (const char* raw : {"Daily Prices-2024", "2024 data", "x.y", "_"}) {
        const std::string once = table_name(raw, "records");
        EXPECT_EQ(table_name(once, "records"), once) << raw;
    }
}

} // namespace
} // namespace ticklake
