#include "aws/credential_process.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <simdjson.h>

extern char** environ;

namespace ticklake::aws {

Result<std::vector<std::string>> split_command_line(std::string_view line) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (in_word) {
                words.push_back(std::move(word));
                word.clear();
                in_word = false;
            }
            continue;
        }
        in_word = true;
        if (c == '\'') {
            const auto end = line.find('\'', i + 1);
            if (end == std::string_view::npos) {
                return fail(Error::invalid("credential_process: unclosed single quote"));
            }
            word.append(line.substr(i + 1, end - i - 1));
            i = end;
        } else if (c == '"') {
            size_t j = i + 1;
            for (; j < line.size() && line[j] != '"'; ++j) {
                if (line[j] == '\\' && j + 1 < line.size() &&
                    (line[j + 1] == '"' || line[j + 1] == '\\' || line[j + 1] == '$')) {
                    ++j;
                }
                word.push_back(line[j]);
            }
            if (j >= line.size()) {
                return fail(Error::invalid("credential_process: unclosed double quote"));
            }
            i = j;
        } else if (c == '\\') {
            if (i + 1 < line.size()) {
                word.push_back(line[++i]);
            }
        } else {
            word.push_back(c);
        }
    }
    if (in_word) {
        words.push_back(std::move(word));
    }
    if (words.empty()) {
        return fail(Error::invalid("credential_process is empty"));
    }
    return words;
}

Result<AwsCredentials> parse_credential_process_output(std::string_view json, const std::string& source) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
        return fail(Error::fatal(source + ": the output is not a JSON object"));
    }
    int64_t version = 0;
    if (doc["Version"].get(version) != simdjson::SUCCESS || version != 1) {
        return fail(Error::fatal(source + ": the output must have \"Version\": 1"));
    }
    auto text = [&](const char* key) -> std::optional<std::string> {
        std::string_view v;
        if (doc[key].get(v) != simdjson::SUCCESS || v.empty()) {
            return std::nullopt;
        }
        return std::string(v);
    };
    auto id = text("AccessKeyId");
    auto secret = text("SecretAccessKey");
    if (!id || !secret) {
        return fail(Error::fatal(source + ": the output lacks AccessKeyId or SecretAccessKey"));
    }
    AwsCredentials c{*id, *secret, text("SessionToken").value_or(""), source, std::nullopt};
    if (auto expiration = text("Expiration")) {
        auto at = parse_iso8601(*expiration);
        if (!at) {
            return fail(Error::fatal(source + ": Expiration is not an ISO 8601 time"));
        }
        c.expiration = *at;
    }
    return c;
}

Result<AwsCredentials> run_credential_process(const std::string& command_line, const std::string& source) {
    auto words = split_command_line(command_line);
    if (!words) {
        return fail(words.error());
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        return fail(Error::retry(source + ": pipe: " + std::strerror(errno)));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    std::vector<char*> argv;
    for (auto& w : *words) {
        argv.push_back(w.data());
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return fail(Error::fatal(source + ": cannot run '" + (*words)[0] + "': " + std::strerror(rc)));
    }
    std::string output;
    char buf[4096];
    for (;;) {
        const ssize_t n = read(fds[0], buf, sizeof buf);
        if (n > 0) {
            output.append(buf, static_cast<size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            break;
        }
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        // The output is not quoted: it may hold half a secret.
        return fail(Error::fatal(source + ": '" + (*words)[0] + "' failed (" +
                                 (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                                    : std::string("killed by a signal")) +
                                 ")"));
    }
    return parse_credential_process_output(output, source);
}

} // namespace ticklake::aws
