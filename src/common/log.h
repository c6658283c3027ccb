// The one logger of the libraries: spdlog behind a small facade, so no stage prints with
// fprintf and the binary alone decides where lines go. By default a line is the bare message
// on stderr, exactly as the stages printed it before (scripts and tests read those lines).
// Choose the destination and format once at start, before threads log: they are not guarded
// against a concurrent change. The binary picks text (UTC time, level) or json lines from
// --log-format; libraries (librdkafka's log callback) report through write() with a component.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "common/error.h"

namespace ticklake::log {

enum class Level { trace, debug, info, warn, error, off };

//! Lines at or above `level` are written; the default is info.
void set_level(Level level);
bool enabled(Level level);
//! "trace", "debug", "info", "warn" (or "warning"), "error", "off"; else an invalid_argument error.
Result<Level> parse_level(std::string_view name);

//! How a line looks. bare: the message alone (the library's default, which tests capture);
//! text: "2024-05-01T12:00:00.123Z info message" (UTC, milliseconds); json: one object per line,
//! {"ts":...,"level":...,"component":...,"msg":...}, the status line included.
enum class Format { bare, text, json };
void set_format(Format format);
//! "text" or "json"; else an invalid_argument error.
Result<Format> parse_format(std::string_view name);

//! Where lines go. stderr is the default.
void to_stderr();
//! Appends to a file (created when missing).
Status to_file(const std::string& path);
//! Hands every line to `fn` without its line ending (tests capture lines this way).
using LineFunction = std::function<void(Level level, std::string_view line)>;
void to_function(LineFunction fn);

//! set_format(text) when true, set_format(bare) when false.
void set_prefix(bool time_and_level);

//! The component of lines written without one.
inline constexpr std::string_view kDefaultComponent = "ticklake";

//! Writes one line; the line ending is added here.
void write(Level level, std::string_view message);
//! Writes one line on behalf of `component` (e.g. "rdkafka"): text lines show it before the
//! message, json lines in "component". Safe from any thread.
void write(Level level, std::string_view component, std::string_view message);
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
void trace(fmt::format_string<Args...> format, Args&&... args) { at(Level::trace, format, std::forward<Args>(args)...); }
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
