// The one logger of the libraries: spdlog behind a small facade, so no stage prints with
// fprintf and the binary alone decides where lines go. By default a line is the bare message
// on stderr, exactly as the stages printed it before (scripts and tests read those lines).
// Choose the destination and prefix once at start, before threads log: they are not guarded
// against a concurrent change.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "common/error.h"

namespace ticklake::log {

enum class Level { debug, info, warn, error, off };

//! Lines at or above `level` are written; the default is info.
void set_level(Level level);
bool enabled(Level level);

//! Where lines go. stderr is the default.
void to_stderr();
//! Appends to a file (created when missing).
Status to_file(const std::string& path);
//! Hands every line to `fn` without its line ending (tests capture lines this way).
using LineFunction = std::function<void(Level level, std::string_view line)>;
void to_function(LineFunction fn);

//! Puts a UTC time and the level before every line ("2024-05-01T12:00:00.123456Z info ...");
//! off by default so the default output stays the bare message.
void set_prefix(bool time_and_level);

//! Writes one line; the line ending is added here.
void write(Level level, std::string_view message);
//! Writes text with no line ending, for a progress line that redraws itself with '\r'.
void write_status(std::string_view text);

//! Formats (fmt syntax) and writes one line at `level`; formats nothing when the level is off.
template <class... Args>
void at(Level level, fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(level)) {
        write(level, fmt::format(format, std::forward<Args>(args)...));
    }
}

template <class... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) { at(Level::debug, format, std::forward<Args>(args)...); }
template <class... Args>
void info(fmt::format_string<Args...> format, Args&&... args) { at(Level::info, format, std::forward<Args>(args)...); }
template <class... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) { at(Level::warn, format, std::forward<Args>(args)...); }
template <class... Args>
void error(fmt::format_string<Args...> format, Args&&... args) { at(Level::error, format, std::forward<Args>(args)...); }

//! The progress line: formatted like info, written with no line ending.
template <class... Args>
void status(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(Level::info)) {
        write_status(fmt::format(format, std::forward<Args>(args)...));
    }
}

} // namespace ticklake::log
