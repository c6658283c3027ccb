#include "catalog/sqlite_db.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ticklake {
namespace {

class SqliteDbTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto db = SqliteDb::open(":memory:");
        ASSERT_TRUE(db) << db.error().message;
        db_.emplace(std::move(*db));
        ASSERT_TRUE(db_->exec("CREATE TABLE t(n INTEGER, s TEXT); "
                              "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, NULL);"));
    }

    SqliteStatement prepare(std::string_view sql) {
        auto q = db_->prepare(sql);
        EXPECT_TRUE(q) << q.error().message;
        return std::move(*q);
    }

    std::optional<SqliteDb> db_;
};

std::vector<int64_t> numbers(SqliteStatement& q) {
    std::vector<int64_t> out;
    for (auto row : q.rows()) {
        EXPECT_TRUE(row) << row.error().message;
        out.push_back(row->column_int(0));
    }
    return out;
}

TEST_F(SqliteDbTest, RowsWalkEveryRowAndLeaveTheStatementReusable) {
    auto q = prepare("SELECT n FROM t WHERE n >= ? ORDER BY n");
    EXPECT_EQ(numbers(q.bind(1, int64_t{2})), (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(numbers(q.bind(1, int64_t{1})), (std::vector<int64_t>{1, 2, 3}));
}

TEST_F(SqliteDbTest, LeavingTheLoopEarlyResetsTheStatement) {
    auto q = prepare("SELECT n FROM t ORDER BY n");
    for (auto row : q.rows()) {
        ASSERT_TRUE(row);
        break;
    }
    EXPECT_EQ(numbers(q), (std::vector<int64_t>{1, 2, 3}));
}

TEST_F(SqliteDbTest, RowsGiveTextAndNull) {
    auto q = prepare("SELECT s, n * NULL FROM t WHERE n = 3 OR n = 1 ORDER BY n");
    std::vector<std::string> texts;
    for (auto row : q.rows()) {
        ASSERT_TRUE(row);
        texts.push_back(row->column_text(0));
        EXPECT_FALSE(row->column_optional_int(1).has_value());
    }
    EXPECT_EQ(texts, (std::vector<std::string>{"a", ""}));
}

TEST_F(SqliteDbTest, AFailedStepIsTheLastRowAndAnError) {
    // abs() of the smallest integer overflows when the row is computed, not when prepared.
    auto q = prepare("SELECT abs(-9223372036854775807 - 1)");
    int seen = 0;
    for (auto row : q.rows()) {
        ++seen;
        ASSERT_FALSE(row);
        EXPECT_NE(row.error().message.find("overflow"), std::string::npos) << row.error().message;
    }
    EXPECT_EQ(seen, 1);
}

TEST_F(SqliteDbTest, BindAllBindsInOrderAndFirstIntReadsOneValue) {
    auto ins = prepare("INSERT INTO t VALUES (?, ?)");
    ASSERT_TRUE(ins.bind_all(int64_t{7}, std::string("seven")).run());
    auto q = prepare("SELECT n FROM t WHERE s = ?");
    auto found = q.bind_all(std::string_view("seven")).first_int();
    ASSERT_TRUE(found);
    EXPECT_EQ(*found, std::optional<int64_t>(7));
    auto missing = q.bind_all(std::string_view("eight")).first_int();
    ASSERT_TRUE(missing);
    EXPECT_FALSE(missing->has_value());
}

} // namespace
} // namespace ticklake
