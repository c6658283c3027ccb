#include "common/log.h"

#include <atomic>
#include <memory>
#include <mutex>

#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace ticklake::log {

namespace {

// The status line goes through a logger of its own so the formatter can leave out its line
// ending: the progress display redraws one line with '\r'.
constexpr std::string_view kStatusLogger = "status";

spdlog::level::level_enum to_spdlog(Level level) {
    switch (level) {
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
    case spdlog::level::trace:
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

// The bare message (spdlog's own patterns always end in a fixed line ending, which the status
// line must not have), with an optional time and level before it.
class LineFormatter final : public spdlog::formatter {
public:
    explicit LineFormatter(bool prefix) : prefix_(prefix) {
        if (prefix_) {
            stamp_ = std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%fZ %l ",
                                                                 spdlog::pattern_time_type::utc, "");
        }
    }

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        if (stamp_) {
            stamp_->format(msg, dest);
        }
        dest.append(msg.payload.begin(), msg.payload.end());
        if (!is_status(msg)) {
            dest.push_back('\n');
        }
    }

    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<LineFormatter>(prefix_); }

private:
    bool prefix_;
    std::unique_ptr<spdlog::pattern_formatter> stamp_;
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
    bool prefix = false;

    void use(std::shared_ptr<spdlog::sinks::sink> to) {
        sink = std::move(to);
        sink->set_formatter(std::make_unique<LineFormatter>(prefix));
        lines = std::make_shared<spdlog::logger>("ticklake", sink);
        status = std::make_shared<spdlog::logger>(std::string(kStatusLogger), sink);
        // The facade filters by level; spdlog passes everything it is given.
        lines->set_level(spdlog::level::trace);
        status->set_level(spdlog::level::trace);
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

void set_prefix(bool time_and_level) {
    auto& l = loggers();
    l.prefix = time_and_level;
    l.sink->set_formatter(std::make_unique<LineFormatter>(time_and_level));
}

void write(Level level, std::string_view message) {
    if (enabled(level)) {
        loggers().lines->log(to_spdlog(level), spdlog::string_view_t(message.data(), message.size()));
    }
}

void write_status(std::string_view text) {
    if (enabled(Level::info)) {
        loggers().status->log(spdlog::level::info, spdlog::string_view_t(text.data(), text.size()));
    }
}

} // namespace ticklake::log
