// The common back half of every live source: stamps receive time and source name, drops
// duplicates by event id within a window, counts gaps in contiguous vendor ids, keeps the
// counters and the first reasons for skipped messages.
//
// @locality owned by one source, used from the thread that calls next_batch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "common/event.h"
#include "sources/live/dedup_window.h"
#include "sources/live/live_stats.h"

namespace ticklake {

//! The error that ends a live source, worded so that the one report the caller prints says
//! retrying is over.
Error final_error(const Error& e);

class EventEmitter {
public:
    EventEmitter(std::string vendor, size_t dedup_window);
    //! Where emitted events go until the next begin(); also takes the receive time.
    void begin(std::vector<Event>* out);
    //! A message just arrived: the receive time of the events it holds.
    void mark_received() { recv_ts_ = now_us(); }
    TimestampUs received_at() const { return recv_ts_; }

    //! False when e was a duplicate (dropped).
    bool emit(Event&& e);
    bool emit_sequenced(std::string_view key, int64_t seq, Event&& e);
    void skip(std::string reason);
    void inexact_decimal(std::string_view text);

    LiveStats stats;
    std::vector<std::string> first_errors; //!< a few reasons for skipped messages
    const std::string& vendor() const { return vendor_; }

private:
    bool accept(Event& e);

    std::string vendor_;
    DedupWindow seen_;
    std::unordered_map<std::string, int64_t> last_seq_; //!< per key: highest id seen
    std::vector<Event>* out_ = nullptr;
    TimestampUs recv_ts_ = 0;
    uint64_t gaps_logged_ = 0;
    bool inexact_logged_ = false;
};

} // namespace ticklake
