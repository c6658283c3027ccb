// Where the broker comes from: the Kafka jars and a Java 17+ runtime on this machine.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "common/error.h"

namespace ticklake::broker {

//! Reads one environment variable; std::nullopt when unset or empty. Injected so the
//! lookup order can be tested without touching the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

//! The real process environment.
EnvLookup process_env();

struct KafkaRuntime {
    std::filesystem::path java;      //!< absolute path of the java executable
    int java_major = 0;              //!< 17, 21, ...
    std::filesystem::path libs_dir;  //!< folder holding kafka_2.13-*.jar and its dependencies
};

//! The folder of Kafka jars, first match wins:
//!  1. $TICKLAKE_KAFKA_LIBS (explicit override),
//!  2. $KAFKA_HOME/libs (an existing Kafka distribution),
//!  3. the first `.deps/kafka/libs` found walking up from the folder of `executable`
//!     (what `make setup` installs next to the source tree).
//! A folder counts only when it holds a kafka_2.*.jar. A variable that is set but points
//! at no jars is an error rather than silently skipped.
Result<std::filesystem::path> find_kafka_libs(const EnvLookup& env, const std::filesystem::path& executable);

//! $JAVA_HOME/bin/java when JAVA_HOME is set, else `java` on $PATH.
Result<std::filesystem::path> find_java(const EnvLookup& env);

//! Major version from `java -version` output: `version "17.0.15"` -> 17, `"1.8.0_292"` -> 8.
std::optional<int> parse_java_major_version(const std::string& version_output);

//! Runs `java -version` and requires 17 or newer.
Result<int> java_major_version(const std::filesystem::path& java);

//! Everything above with the process environment and /proc/self/exe.
Result<KafkaRuntime> locate_kafka_runtime();

} // namespace ticklake::broker
