// Lines of the shell: libedit (line editing, history with the arrow keys, kept in
// ~/.ticklake_history) on a terminal; plain reads from a pipe, so scripts work. Only
// query_command.cc includes this header (libedit stays out of every other file).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include <editline/readline.h>

namespace ticklake::cli {

class LineReader {
public:
    explicit LineReader(bool tty) : tty_(tty) {
        if (!tty_) {
            return;
        }
        if (const char* home = std::getenv("HOME"); home != nullptr) {
            history_file_ = (std::filesystem::path(home) / ".ticklake_history").string();
            using_history();
            read_history(history_file_.c_str());
        }
    }
    ~LineReader() {
        if (tty_ && !history_file_.empty()) {
            write_history(history_file_.c_str());
        }
    }
    //! The next line, or nullopt at the end of input.
    std::optional<std::string> read(const char* prompt) {
        if (!tty_) {
            std::string line;
            if (!std::getline(std::cin, line)) {
                return std::nullopt;
            }
            return line;
        }
        char* raw = readline(prompt);
        if (raw == nullptr) {
            return std::nullopt;
        }
        std::string line(raw);
        std::free(raw);
        return line;
    }
    //! Remembers a whole statement (all its lines) as one history entry.
    void remember(const std::string& statement) {
        if (tty_ && statement.find_first_not_of(" \t\r\n") != std::string::npos) {
            std::string one = statement;
            while (!one.empty() && (one.back() == '\n' || one.back() == ' ')) {
                one.pop_back();
            }
            add_history(one.c_str());
        }
    }

private:
    bool tty_;
    std::string history_file_;
};

} // namespace ticklake::cli
