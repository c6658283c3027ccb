#include "cli/cli_support.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace ticklake::cli {

TEST(DurationOption, PlainNumbersAreSecondsAndBadTextIsAUsageError) {
    CLI::App app;
    double seconds = -1;
    int whole = -1;
    add_duration_option(app, "--idle", seconds, "");
    add_duration_option(app, "--timeout", whole, "");
    app.parse("--idle 5 --timeout 2m", false);
    EXPECT_EQ(seconds, 5);
    EXPECT_EQ(whole, 120);
    app.parse("--idle 1.5s --timeout 7", false);
    EXPECT_EQ(seconds, 1.5);
    EXPECT_EQ(whole, 7);
    for (const char* bad : {"--idle soon", "--idle 10w", "--idle -1s", "--timeout 250ms", "--timeout 1.5"}) {
        EXPECT_THROW(app.parse(bad, false), CLI::ValidationError) << bad;
    }
}

TEST(DidYouMean, TyposSwapsAndUnfinishedNames) {
    const std::vector<std::string> commands{"kafka", "produce", "sink", "crawl", "catalog", "query", "sql", "ls", "cat", "cp"};
    EXPECT_EQ(did_you_mean("catlog", commands), (std::vector<std::string>{"catalog"}));
    EXPECT_EQ(did_you_mean("catalgo", commands), (std::vector<std::string>{"catalog"}));
    EXPECT_EQ(did_you_mean("prodce", commands), (std::vector<std::string>{"produce"}));
    EXPECT_EQ(did_you_mean("qurey", commands), (std::vector<std::string>{"query"}));
    EXPECT_TRUE(did_you_mean("bananas", commands).empty());
    EXPECT_TRUE(did_you_mean("", commands).empty());
    const std::vector<std::string> flags{"--until-idle", "--topic", "-t", "--group", "-g", "--format"};
    EXPECT_EQ(did_you_mean("--untl-idle", flags), (std::vector<std::string>{"--until-idle"}));
    EXPECT_EQ(did_you_mean("-until-idle", flags), (std::vector<std::string>{"--until-idle"}));
    EXPECT_EQ(did_you_mean("--until", flags), (std::vector<std::string>{"--until-idle"}));
    EXPECT_EQ(did_you_mean("--topc", flags), (std::vector<std::string>{"--topic"}));
    EXPECT_TRUE(did_you_mean("--warehouse", flags).empty());
}

TEST(UsageError, NamesTheCommandAndGuessesTheMistypedWord) {
    CLI::App app{"t"};
    app.require_subcommand(1);
    CLI::App* catalog = app.add_subcommand("catalog", "");
    catalog->require_subcommand(1);
    bool json = false;
    catalog->add_subcommand("tables", "")->add_flag("--json", json, "");
    catalog->add_subcommand("describe", "");
    app.add_subcommand("query", "");
    auto message = [&](std::vector<std::string> args) {
        std::reverse(args.begin(), args.end()); // CLI11 takes the arguments last first
        try {
            app.parse(args);
        } catch (const CLI::ParseError& e) {
            EXPECT_NE(e.get_exit_code(), 0);
            return usage_error_message(app, e);
        }
        return std::string("parsed");
    };
    std::string m = message({"catlog", "tables"});
    EXPECT_NE(m.find("ticklake: error: unknown command 'catlog'"), std::string::npos) << m;
    EXPECT_NE(m.find("did you mean 'catalog'?"), std::string::npos) << m;
    m = message({"catalog", "tabels"});
    EXPECT_NE(m.find("ticklake catalog: error: unknown command 'tabels'"), std::string::npos) << m;
    EXPECT_NE(m.find("did you mean 'tables'?"), std::string::npos) << m;
    m = message({"catalog", "tables", "--jsno"});
    EXPECT_NE(m.find("ticklake catalog tables: error:"), std::string::npos) << m;
    EXPECT_NE(m.find("--jsno"), std::string::npos) << m;
    EXPECT_NE(m.find("did you mean '--json'?"), std::string::npos) << m;
    EXPECT_NE(m.find("Run `ticklake catalog tables --help`"), std::string::npos) << m;
    m = message({"zzzzzz"});
    EXPECT_EQ(m.find("did you mean"), std::string::npos) << m;
    EXPECT_NE(m.find("commands: catalog, query"), std::string::npos) << m;
}

TEST(KafkaFlags, SettingsBecomeLibrdkafkaOverridesInOrder) {
    KafkaFlags f;
    f.brokers = "h1:9092,h2:9092";
    f.settings = {"security.protocol=SASL_SSL", "sasl.password=a=b"};
    auto c = f.config();
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->brokers, "h1:9092,h2:9092");
    ASSERT_EQ(c->extra.size(), 2u);
    EXPECT_EQ(c->extra[0], (std::pair<std::string, std::string>{"security.protocol", "SASL_SSL"}));
    EXPECT_EQ(c->extra[1].second, "a=b"); // only the first '=' splits
}

TEST(KafkaFlags, MalformedSettingIsRejected) {
    KafkaFlags f;
    f.settings = {"novalue"};
    auto c = f.config();
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(c.error().message.find("novalue"), std::string::npos);
    f.settings = {"=x"};
    EXPECT_FALSE(f.config());
}

} // namespace ticklake::cli
