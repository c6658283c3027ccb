#include "common/log.h"

#include <atomic>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>

#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "common/json_writer.h"

namespace ticklake::log {

namespace {

// The status line goes through a logger of its own so the formatter can leave out its line
// ending: the progress display redraws one line with '\r'.
constexpr std::string_view kStatusLogger = "status";

spdlog::level::level_enum to_spdlog(Level level) {
    switch (level) {
    case Level::trace: return spdlog::level::trace;
    case Level::debug: return spdlog::level::debug;
    case Level::info: return spdlog::level::info;
    case Level::warn: return spdlog::level::warn;
    case Level::error: return spdlog::level::err;
    case Level::off: break;
    }
    return spdlog::level::off;
}

Level from_spdlog(spdlog::level::level_enum level) {
    switch (level) {
    case spdlog::level::trace: return Level::trace;
    case spdlog::level::debug: return Level::debug;
    case spdlog::level::info: return Level::info;
    case spdlog::level::warn: return Level::warn;
    case spdlog::level::err:
    case spdlog::level::critical: return Level::error;
    default: return Level::off;
    }
}

bool is_status(const spdlog::details::log_msg& msg) {
    return std::string_view(msg.logger_name.data(), msg.logger_name.size()) == kStatusLogger;
}

std::string_view level_name(spdlog::level::level_enum level) {
    switch (level) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    default: return "off";
    }
}

//! 2024-05-01T12:00:00.123Z: UTC whatever the machine's zone, so lines of hosts in several
//! zones sort and join as they are.
void append_utc_time(spdlog::log_clock::time_point t, spdlog::memory_buf_t& dest) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    fmt::format_to(std::back_inserter(dest), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                   tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

// spdlog's own patterns always end in a fixed line ending, which the status line must not
// have, and cannot escape a message into JSON: the three formats are written here.
class LineFormatter final : public spdlog::formatter {
public:
    explicit LineFormatter(Format format) : format_(format) {}

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const std::string_view component(msg.logger_name.data(), msg.logger_name.size());
        const std::string_view payload(msg.payload.data(), msg.payload.size());
        if (format_ == Format::json) {
            json_line(msg, component, payload, dest);
            return;
        }
        // The status line redraws itself on a terminal: a time before its '\r' would be erased.
        if (format_ == Format::text && !is_status(msg)) {
            append_utc_time(msg.time, dest);
            dest.push_back(' ');
            const std::string_view level = level_name(msg.level);
            dest.append(level.begin(), level.end());
            dest.push_back(' ');
            if (component != kDefaultComponent) {
                dest.append(component.begin(), component.end());
                dest.append(std::string_view(": "));
            }
        }
        dest.append(payload.begin(), payload.end());
        if (!is_status(msg)) {
            dest.push_back('\n');
        }
    }

    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<LineFormatter>(format_); }

private:
    static void json_line(const spdlog::details::log_msg& msg, std::string_view component, std::string_view payload,
                          spdlog::memory_buf_t& dest) {
        // A status line is one object like the others; the terminal's '\r' and padding go.
        while (!payload.empty() && (payload.front() == '\r' || payload.front() == '\n')) {
            payload.remove_prefix(1);
        }
        while (!payload.empty() && (payload.back() == ' ' || payload.back() == '\n')) {
            payload.remove_suffix(1);
        }
        if (payload.empty() && is_status(msg)) {
            return; // the line ending that closes a terminal's status line
        }
        spdlog::memory_buf_t ts;
        append_utc_time(msg.time, ts);
        JsonWriter w(0);
        w.begin_object()
            .field("ts", std::string_view(ts.data(), ts.size()))
            .field("level", level_name(msg.level))
            .field("component", component)
            .field("msg", payload)
            .end_object();
        const std::string line = w.str(); // one line, ending in '\n'
        dest.append(line.data(), line.data() + line.size());
    }

    Format format_;
};

class FunctionSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit FunctionSink(LineFunction fn) : fn_(std::move(fn)) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        fn_(from_spdlog(msg.level), std::string_view(msg.payload.data(), msg.payload.size()));
    }
    void flush_() override {}

private:
    LineFunction fn_;
};

struct Loggers {
    std::shared_ptr<spdlog::sinks::sink> sink;
    std::shared_ptr<spdlog::logger> lines;
    std::shared_ptr<spdlog::logger> status;
    std::atomic<Level> level{Level::info};
    Format format = Format::bare;
    //! Loggers of other components (librdkafka's threads among them), made on first use.
    std::mutex components_mutex;
    std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> components;

    void use(std::shared_ptr<spdlog::sinks::sink> to) {
        sink = std::move(to);
        sink->set_formatter(std::make_unique<LineFormatter>(format));
        lines = make(std::string(kDefaultComponent));
        status = make(std::string(kStatusLogger));
        std::lock_guard lock(components_mutex);
        components.clear();
    }

    std::shared_ptr<spdlog::logger> make(std::string name) const {
        auto made = std::make_shared<spdlog::logger>(std::move(name), sink);
        // The facade filters by level; spdlog passes everything it is given.
        made->set_level(spdlog::level::trace);
        return made;
    }

    std::shared_ptr<spdlog::logger> component(std::string_view name) {
        if (name == kDefaultComponent) {
            return lines;
        }
        std::lock_guard lock(components_mutex);
        auto it = components.find(name);
        if (it == components.end()) {
            it = components.emplace(std::string(name), make(std::string(name))).first;
        }
        return it->second;
    }
};

Loggers& loggers() {
    static Loggers* l = [] {
        auto* made = new Loggers; // never destroyed: threads may still log during static destruction
        made->use(std::make_shared<spdlog::sinks::stderr_sink_mt>());
        return made;
    }();
    return *l;
}

} // namespace

void set_level(Level level) { loggers().level.store(level, std::memory_order_relaxed); }

bool enabled(Level level) {
    const Level threshold = loggers().level.load(std::memory_order_relaxed);
    return level != Level::off && threshold != Level::off && level >= threshold;
}

void to_stderr() { loggers().use(std::make_shared<spdlog::sinks::stderr_sink_mt>()); }

Status to_file(const std::string& path) {
    try {
        loggers().use(std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, false));
    } catch (const spdlog::spdlog_ex& e) {
        return fail(Error::invalid("cannot open log file " + path + ": " + e.what()));
    }
    return {};
}

void to_function(LineFunction fn) { loggers().use(std::make_shared<FunctionSink>(std::move(fn))); }

Result<Level> parse_level(std::string_view name) {
    static constexpr std::pair<std::string_view, Level> kNames[] = {
        {"trace", Level::trace}, {"debug", Level::debug}, {"info", Level::info},   {"warn", Level::warn},
        {"warning", Level::warn}, {"error", Level::error}, {"off", Level::off}};
    for (const auto& [n, level] : kNames) {
        if (n == name) {
            return level;
        }
    }
    return fail(Error::invalid("unknown log level '" + std::string(name) + "' (trace, debug, info, warn, error, off)"));
}

Result<Format> parse_format(std::string_view name) {
    if (name == "text") {
        return Format::text;
    }
    if (name == "json") {
        return Format::json;
    }
    return fail(Error::invalid("unknown log format '" + std::string(name) + "' (text or json)"));
}

void set_format(Format format) {
    auto& l = loggers();
    l.format = format;
    l.sink->set_formatter(std::make_unique<LineFormatter>(format));
}

void set_prefix(bool time_and_level) { set_format(time_and_level ? Format::text : Format::bare); }

void write(Level level, std::string_view message) {
    if (enabled(level)) {
        loggers().lines->log(to_spdlog(level), spdlog::string_view_t(message.data(), message.size()));
    }
}

void write(Level level, std::string_view component, std::string_view message) {
    if (enabled(level)) {
        loggers().component(component)->log(to_spdlog(level), spdlog::string_view_t(message.data(), message.size()));
    }
}

void write_status(std::string_view text) {
    if (enabled(Level::info)) {
        loggers().status->log(spdlog::level::info, spdlog::string_view_t(text.data(), text.size()));
    }
}

} // namespace ticklake::log
