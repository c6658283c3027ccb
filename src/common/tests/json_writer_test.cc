#include "common/json_writer.h"

#include <gtest/gtest.h>

namespace ticklake {
namespace {

TEST(JsonWriter, NestedIndentedWithEscapes) {
    JsonWriter w;
    w.begin_object().field("a", "x\"y\n").key("n").value(int64_t{-3}).key("list").begin_array();
    w.value(true).null().value(0.5).begin_object().end_object().begin_array().end_array();
    w.end_array().end_object();
    EXPECT_EQ(w.str(), "{\n  \"a\": \"x\\\"y\\n\",\n  \"n\": -3,\n  \"list\": [\n    true,\n    null,\n    0.5,\n"
                       "    {},\n    []\n  ]\n}\n");
}

TEST(JsonWriter, CompactWithoutIndent) {
    JsonWriter w(0);
    w.begin_array().value("a").begin_object().field("k", "v").end_object().end_array();
    EXPECT_EQ(w.str(), "[\"a\",{\"k\":\"v\"}]\n");
}

} // namespace
} // namespace ticklake
