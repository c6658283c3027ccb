#include "cli/cli_support.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli/config_file.h"

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

TEST(KafkaFlags, PropertiesFileFirstThenXWithReferencesResolved) {
    const std::string path = ::testing::TempDir() + "ticklake_cli_test.properties";
    std::ofstream(path) << "# comment\n\n security.protocol = SASL_SSL \nsasl.password=${env:TICKLAKE_CLI_TEST_PW}\n";
    ::setenv("TICKLAKE_CLI_TEST_PW", "pw-from-env", 1);
    KafkaFlags f;
    f.properties_file = path;
    f.settings = {"security.protocol=SASL_PLAINTEXT"};
    auto c = f.config();
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_EQ(c->extra.size(), 3u);
    EXPECT_EQ(c->extra[0], (std::pair<std::string, std::string>{"security.protocol", "SASL_SSL"}));
    EXPECT_EQ(c->extra[1], (std::pair<std::string, std::string>{"sasl.password", "pw-from-env"}));
    EXPECT_EQ(c->extra[2].second, "SASL_PLAINTEXT"); // -X last: librdkafka keeps the last value
    ::unsetenv("TICKLAKE_CLI_TEST_PW");
    auto missing = f.config();
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("sasl.password"), std::string::npos) << missing.error().message;
    std::ofstream(path) << "no equals sign here\n";
    auto bad = read_librdkafka_properties(path);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("line 1"), std::string::npos) << bad.error().message;
    std::remove(path.c_str());
}

// The file's sections name commands and its keys name their flags; a flag on the line wins.
TEST(ConfigFile, SectionsPerCommandAndFlagsWin) {
    CLI::App app{"t"};
    auto reader = std::make_shared<ConfigFileReader>(app);
    app.config_formatter(reader);
    app.set_config("--config");
    CLI::App* sink = app.add_subcommand("sink", "");
    std::vector<std::string> topics;
    std::string warehouse;
    int idle = 0;
    sink->add_option("--topic,-t", topics, "");
    sink->add_option("--warehouse", warehouse, "");
    sink->add_option("--idle", idle, "");
    CLI::App* tables = app.add_subcommand("catalog", "")->add_subcommand("tables", "");
    bool json = false;
    tables->add_flag("--json", json, "");
    const std::string path = ::testing::TempDir() + "ticklake_cli_test.toml";
    ::setenv("TICKLAKE_CLI_TEST_WH", "/data/wh", 1);
    std::ofstream(path) << "[sink]\ntopic = [\"a\", \"b\"]\nwarehouse = \"${env:TICKLAKE_CLI_TEST_WH}\"\nidle = 3\n"
                           "[catalog.tables]\njson = true\n";
    app.parse(std::vector<std::string>{"5", "--idle", "sink", path, "--config"}); // reversed argv
    EXPECT_EQ(topics, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(warehouse, "/data/wh");
    EXPECT_EQ(idle, 5);
    EXPECT_TRUE(json);
    std::ofstream(path) << "[sink]\ntopc = [\"a\"]\n";
    try {
        app.parse(std::vector<std::string>{"sink", path, "--config"});
        FAIL() << "an unknown key was accepted";
    } catch (const CLI::ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("unknown key 'topc' in [sink]; did you mean 'topic'?"), std::string::npos)
            << e.what();
    }
    ::unsetenv("TICKLAKE_CLI_TEST_WH");
    std::remove(path.c_str());
}

} // namespace ticklake::cli
