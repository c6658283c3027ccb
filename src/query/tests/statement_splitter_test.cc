// The shell's statements: ';' at a line's end closes one, dot commands only between statements,
// and what is left at the end of input still runs.
#include "query/statement_splitter.h"

#include <gtest/gtest.h>

namespace ticklake::query {
namespace {

using Kind = StatementSplitter::Input::Kind;

TEST(StatementSplitterTest, AStatementSpansLinesUntilASemicolonEndsOne) {
    StatementSplitter s;
    EXPECT_EQ(s.feed("SELECT 1,").kind, Kind::none);
    EXPECT_TRUE(s.in_statement());
    EXPECT_EQ(s.feed("  'a;b'").kind, Kind::none) << "a ';' inside the line does not end it";
    auto done = s.feed("  AS x ;  ");
    EXPECT_EQ(done.kind, Kind::statement);
    EXPECT_EQ(done.text, "SELECT 1,\n  'a;b'\n  AS x ;  \n");
    EXPECT_FALSE(s.in_statement());
    EXPECT_FALSE(s.rest());
}

TEST(StatementSplitterTest, DotCommandsOnlyBetweenStatements) {
    StatementSplitter s;
    auto cmd = s.feed(".describe market.trades extra");
    EXPECT_EQ(cmd.kind, Kind::command);
    EXPECT_EQ(cmd.command, ".describe");
    EXPECT_EQ(cmd.argument, "market.trades");
    EXPECT_EQ(cmd.text, ".describe market.trades extra");
    EXPECT_EQ(s.feed(".tables").argument, "");
    EXPECT_EQ(s.feed("SELECT").kind, Kind::none);
    EXPECT_EQ(s.feed(".5 AS half;").kind, Kind::statement) << "inside a statement a '.' line is SQL";
}

TEST(StatementSplitterTest, WhatIsLeftAtTheEndStillRuns) {
    StatementSplitter s;
    s.feed("");
    s.feed("   ");
    EXPECT_FALSE(s.rest()) << "blank lines are nothing to run";
    s.feed("SELECT 42");
    ASSERT_TRUE(s.rest());
    EXPECT_EQ(*s.rest(), "\n   \nSELECT 42\n");
}

} // namespace
} // namespace ticklake::query
