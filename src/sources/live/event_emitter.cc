#include "sources/live/event_emitter.h"

#include <cstdio>

#include <fmt/format.h>

#include "common/log.h"

namespace ticklake {

namespace {
constexpr uint64_t kGapsLogged = 20;  //!< after this many, gaps only show in the summary
constexpr size_t kFirstErrors = 5;
} // namespace

Error final_error(const Error& e) { return Error{e.kind, e.message + "; not retrying"}; }

std::string LiveStats::summary() const {
    return fmt::format("{} messages, {} events, {} duplicates dropped, {} gaps ({} ids missing), {} out of order, "
                       "{} ignored, {} malformed, {} inexact decimals, {} connects, {} failed connects, "
                       "{} disconnects, {} rate-limited",
                       messages, events, duplicates, gaps, missing, out_of_order, ignored, skipped, inexact_decimals,
                       connects, connect_failures, disconnects, rate_limited);
}

std::vector<std::pair<std::string, uint64_t>> LiveStats::named() const {
    return {{"messages", messages},         {"events", events},
            {"duplicates", duplicates},     {"gaps", gaps},
            {"missing", missing},           {"out_of_order", out_of_order},
            {"ignored", ignored},           {"malformed", skipped},
            {"inexact_decimals", inexact_decimals}, {"connects", connects},
            {"connect_failures", connect_failures}, {"disconnects", disconnects},
            {"rate_limited", rate_limited}};
}

EventEmitter::EventEmitter(std::string vendor, size_t dedup_window)
    : vendor_(std::move(vendor)), seen_(dedup_window) {}

void EventEmitter::begin(std::vector<Event>* out) {
    out_ = out;
    recv_ts_ = now_us();
}

bool EventEmitter::accept(Event& e) {
    if (!seen_.insert(e.id)) {
        ++stats.duplicates;
        return false;
    }
    e.recv_ts = recv_ts_;
    e.source = vendor_;
    return true;
}

bool EventEmitter::emit(Event&& e) {
    if (!accept(e)) {
        return false;
    }
    ++stats.events;
    out_->push_back(std::move(e));
    return true;
}

bool EventEmitter::emit_sequenced(std::string_view key, int64_t seq, Event&& e) {
    if (!accept(e)) {
        return false;
    }
    auto [it, fresh] = last_seq_.try_emplace(std::string(key), seq);
    if (!fresh) {
        const int64_t last = it->second;
        if (seq > last + 1) {
            ++stats.gaps;
            stats.missing += static_cast<uint64_t>(seq - last - 1);
            if (gaps_logged_++ < kGapsLogged) {
                log::warn("{}: gap in {}: id {} follows {} ({} missing){}", vendor_, key, static_cast<long long>(seq),
                          static_cast<long long>(last), static_cast<long long>(seq - last - 1),
                          gaps_logged_ == kGapsLogged ? "; further gaps are only counted" : "");
            }
        } else if (seq <= last) {
            ++stats.out_of_order;
        }
        if (seq > last) {
            it->second = seq;
        }
    }
    ++stats.events;
    out_->push_back(std::move(e));
    return true;
}

void EventEmitter::skip(std::string reason) {
    ++stats.skipped;
    if (first_errors.size() < kFirstErrors) {
        first_errors.push_back(std::move(reason));
    }
}

void EventEmitter::inexact_decimal(std::string_view text) {
    ++stats.inexact_decimals;
    if (!inexact_logged_) {
        inexact_logged_ = true;
        log::warn("{}: decimal {} has more digits than a double holds; its value is rounded (counted in the summary)",
                  vendor_, text);
    }
}

} // namespace ticklake
