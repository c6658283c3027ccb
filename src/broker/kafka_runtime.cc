#include "broker/kafka_runtime.h"

#include <cstdlib>
#include <regex>
#include <system_error>

#include <unistd.h>

#include "broker/broker_process.h"

namespace ticklake::broker {

namespace fs = std::filesystem;

namespace {

constexpr int kMinJava = 17;
constexpr const char* kInstallJava = "install Java 17 or newer (`apt-get install openjdk-17-jre-headless`) "
                                     "or point JAVA_HOME at one";

bool holds_kafka_jar(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        return false;
    }
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.starts_with("kafka_2.") && name.ends_with(".jar")) {
            return true;
        }
    }
    return false;
}

} // namespace

EnvLookup process_env() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr || *v == '\0') {
            return std::nullopt;
        }
        return std::string(v);
    };
}

Result<fs::path> find_kafka_libs(const EnvLookup& env, const fs::path& executable) {
    if (auto dir = env("TICKLAKE_KAFKA_LIBS")) {
        if (holds_kafka_jar(*dir)) {
            return fs::absolute(*dir);
        }
        return fail(Error::invalid("TICKLAKE_KAFKA_LIBS=" + *dir + " holds no kafka_2.*.jar: point it at the libs/ "
                                   "folder of a Kafka distribution or unset it"));
    }
    if (auto home = env("KAFKA_HOME")) {
        fs::path libs = fs::path(*home) / "libs";
        if (holds_kafka_jar(libs)) {
            return fs::absolute(libs);
        }
        return fail(Error::invalid("KAFKA_HOME=" + *home + " has no libs/kafka_2.*.jar: point KAFKA_HOME at a Kafka "
                                   "distribution or unset it to use the jars of `make setup`"));
    }
    std::error_code ec;
    for (fs::path dir = executable.parent_path(); !dir.empty(); dir = dir.parent_path()) {
        fs::path libs = dir / ".deps" / "kafka" / "libs";
        if (holds_kafka_jar(libs)) {
            return libs;
        }
        if (dir == dir.root_path()) {
            break;
        }
    }
    return fail(Error::not_found("no Kafka jars found (looked at $TICKLAKE_KAFKA_LIBS, $KAFKA_HOME/libs and "
                                 ".deps/kafka/libs above " + executable.parent_path().string() +
                                 "): run `make setup`, or set KAFKA_HOME to a Kafka 4.x distribution"));
}

Result<fs::path> find_java(const EnvLookup& env) {
    std::error_code ec;
    if (auto home = env("JAVA_HOME")) {
        fs::path java = fs::path(*home) / "bin" / "java";
        if (fs::is_regular_file(java, ec) && ::access(java.c_str(), X_OK) == 0) {
            return java;
        }
        return fail(Error::invalid("JAVA_HOME=" + *home + " has no executable bin/java: fix or unset JAVA_HOME, or " +
                                   kInstallJava));
    }
    if (auto path = env("PATH")) {
        std::string_view rest = *path;
        while (true) {
            auto colon = rest.find(':');
            std::string_view entry = rest.substr(0, colon);
            if (!entry.empty()) {
                fs::path java = fs::path(entry) / "java";
                if (fs::is_regular_file(java, ec) && ::access(java.c_str(), X_OK) == 0) {
                    return java;
                }
            }
            if (colon == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(colon + 1);
        }
    }
    return fail(Error::not_found(std::string("no `java` on PATH and JAVA_HOME is not set: ") + kInstallJava));
}

std::optional<int> parse_java_major_version(const std::string& out) {
    static const std::regex re(R"re(version "(\d+)(?:\.(\d+))?)re");
    std::smatch m;
    if (!std::regex_search(out, m, re)) {
        return std::nullopt;
    }
    int major = std::stoi(m[1].str());
    if (major == 1 && m[2].matched) {
        major = std::stoi(m[2].str());  // the 1.x scheme of Java 8 and older
    }
    return major;
}

Result<int> java_major_version(const fs::path& java) {
    auto run = run_and_capture({java.string(), "-version"}, std::chrono::seconds(30));
    if (!run) {
        return fail(Error::fatal("cannot run " + java.string() + " -version: " + run.error().message + "; " +
                                 kInstallJava));
    }
    auto major = parse_java_major_version(run->output);
    if (run->exit_code != 0 || !major) {
        return fail(Error::fatal(java.string() + " -version failed or printed no version; " + kInstallJava));
    }
    if (*major < kMinJava) {
        return fail(Error::fatal(java.string() + " is Java " + std::to_string(*major) +
                                 "; Kafka 4 needs 17 or newer: " + kInstallJava));
    }
    return *major;
}

Result<KafkaRuntime> locate_kafka_runtime() {
    auto env = process_env();
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    auto libs = find_kafka_libs(env, ec ? fs::current_path() / "ticklake" : exe);
    if (!libs) {
        return fail(libs.error());
    }
    auto java = find_java(env);
    if (!java) {
        return fail(java.error());
    }
    auto major = java_major_version(*java);
    if (!major) {
        return fail(major.error());
    }
    return KafkaRuntime{*java, *major, *libs};
}

} // namespace ticklake::broker
