#include "broker/kafka_runtime.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "broker/tests/temp_dir.h"

namespace ticklake::broker {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        return it == vars.end() ? std::nullopt : std::optional(it->second);
    };
}

fs::path make_libs(const fs::path& dir) {
    fs::create_directories(dir);
    std::ofstream(dir / "kafka_2.13-4.1.1.jar") << "jar";
    return dir;
}

//! A shell script standing in for `java`, which says `version_line` on stderr as java -version does.
fs::path fake_java(const fs::path& dir, const std::string& version_line) {
    const fs::path file = dir / "java";
    std::ofstream(file) << "#!/bin/sh\necho '" << version_line << "' >&2\n";
    fs::permissions(file, fs::perms::owner_all);
    return file;
}

void expect_path(const Result<fs::path>& got, const fs::path& want) {
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(*got, want);
}

void make_executable(const fs::path& file) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << "#!/bin/sh\n";
    fs::permissions(file, fs::perms::owner_all);
}

TEST(KafkaRuntime, FindsDepsFolderAboveTheExecutable) {
    TempDir t;
    auto libs = make_libs(t.path() / ".deps/kafka/libs");
    auto exe = t.path() / "build/release/src/cli/ticklake";
    expect_path(find_kafka_libs(env_of({}), exe), libs);
}

TEST(KafkaRuntime, KafkaHomeWinsOverDeps) {
    TempDir t;
    make_libs(t.path() / ".deps/kafka/libs");
    auto home_libs = make_libs(t.path() / "kafka_home/libs");
    auto found = find_kafka_libs(env_of({{"KAFKA_HOME", (t.path() / "kafka_home").string()}}), t.path() / "bin/x");
    expect_path(found, home_libs);
}

TEST(KafkaRuntime, OverrideWinsOverKafkaHome) {
    TempDir t;
    make_libs(t.path() / "kafka_home/libs");
    auto mine = make_libs(t.path() / "mine");
    auto found = find_kafka_libs(env_of({{"KAFKA_HOME", (t.path() / "kafka_home").string()},
                                         {"TICKLAKE_KAFKA_LIBS", mine.string()}}),
                                 t.path() / "bin/x");
    expect_path(found, mine);
}

TEST(KafkaRuntime, KafkaHomeWithoutJarsIsAnErrorNotASilentFallback) {
    TempDir t;
    make_libs(t.path() / ".deps/kafka/libs");
    fs::create_directories(t.path() / "empty_home/libs");
    auto found = find_kafka_libs(env_of({{"KAFKA_HOME", (t.path() / "empty_home").string()}}), t.path() / "bin/x");
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(found.error().message.find("KAFKA_HOME"), std::string::npos);
}

TEST(KafkaRuntime, FolderWithoutKafkaJarDoesNotCount) {
    TempDir t;
    fs::create_directories(t.path() / ".deps/kafka/libs");
    std::ofstream(t.path() / ".deps/kafka/libs/kafka-clients-4.1.1.jar") << "jar";
    auto found = find_kafka_libs(env_of({}), t.path() / "a/b/ticklake");
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().kind, ErrorKind::not_found);
    EXPECT_NE(found.error().message.find("run `make setup`"), std::string::npos) << found.error().message;
}

TEST(KafkaRuntime, ParsesJavaVersions) {
    EXPECT_EQ(parse_java_major_version("openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime"), 17);
    EXPECT_EQ(parse_java_major_version("java version \"1.8.0_292\"\n"), 8);
    EXPECT_EQ(parse_java_major_version("openjdk version \"21\" 2023-09-19\n"), 21);
    EXPECT_EQ(parse_java_major_version("Picked up JAVA_TOOL_OPTIONS: x\nopenjdk version \"11.0.2\""), 11);
    EXPECT_EQ(parse_java_major_version("bash: java: command not found"), std::nullopt);
}

TEST(KafkaRuntime, JavaHomeWinsOverPath) {
    TempDir t;
    make_executable(t.path() / "jdk/bin/java");
    make_executable(t.path() / "path/java");
    auto java = find_java(env_of({{"JAVA_HOME", (t.path() / "jdk").string()}, {"PATH", (t.path() / "path").string()}}));
    expect_path(java, t.path() / "jdk/bin/java");
}

TEST(KafkaRuntime, JavaFromPathInOrder) {
    TempDir t;
    make_executable(t.path() / "second/java");
    fs::create_directories(t.path() / "first");
    auto java = find_java(env_of({{"PATH", (t.path() / "first").string() + "::" + (t.path() / "second").string()}}));
    expect_path(java, t.path() / "second/java");
}

TEST(KafkaRuntime, NoJavaNamesThePackage) {
    TempDir t;
    auto java = find_java(env_of({{"PATH", t.path().string()}}));
    ASSERT_FALSE(java);
    EXPECT_NE(java.error().message.find("openjdk-17-jre-headless"), std::string::npos) << java.error().message;
}

TEST(KafkaRuntime, OldJavaIsRefused) {
    TempDir t;
    auto major = java_major_version(fake_java(t.path(), "java version \"1.8.0_292\""));
    ASSERT_FALSE(major);
    EXPECT_NE(major.error().message.find("Java 8"), std::string::npos) << major.error().message;
    EXPECT_NE(major.error().message.find("openjdk-17-jre-headless"), std::string::npos);
}

TEST(KafkaRuntime, Java17IsAccepted) {
    TempDir t;
    auto major = java_major_version(fake_java(t.path(), "openjdk version \"17.0.15\" 2025-04-15"));
    ASSERT_TRUE(major) << major.error().message;
    EXPECT_EQ(*major, 17);
}

} // namespace
} // namespace ticklake::broker
