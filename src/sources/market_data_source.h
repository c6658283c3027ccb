// Where events come from: the simulator, CSV replay, and live vendor feeds (sources/live/).
// The produce command drives a source and knows nothing of how it makes events.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/event.h"

namespace ticklake {

class MarketDataSource {
public:
    virtual ~MarketDataSource() = default;
    //! Appends up to max_events events to out. Returns how many it appended; 0 when the
    //! source is exhausted (check done()) or, for live feeds, when nothing arrived within
    //! their short wait (done() stays false). A malformed input row is not an error:
    //! sources count and skip it (see skipped()); errors are for I/O and configuration.
    virtual Result<size_t> next_batch(std::vector<Event>& out, size_t max_events) = 0;
    //! Replaces the events of `batch` with the next up to max_events (next_batch into an empty
    //! batch). A source may write over the old events in place, so their strings keep their
    //! memory: the simulator's 18-byte ids otherwise cost a malloc and a free per event.
    virtual Result<size_t> refill(std::vector<Event>& batch, size_t max_events) {
        batch.clear();
        return next_batch(batch, max_events);
    }
    virtual bool done() const = 0;
    //! Rows/messages of the input that could not be turned into events.
    virtual uint64_t skipped() const { return 0; }
    //! Why the first skipped rows were skipped ("line 17: expected 9 fields, got 8"), a few at most.
    virtual std::vector<std::string> first_errors() const { return {}; }
    //! Counters for the end of a run (live feeds: duplicates dropped, gaps, reconnects); may be empty.
    virtual std::string summary() const { return {}; }
    //! The same counters by name, for machine-readable output (produce --summary-json).
    virtual std::vector<std::pair<std::string, uint64_t>> counters() const { return {}; }
    //! One line for logs: "sim seed=7 symbols=50", "csv indexProcessed.csv (bars)".
    virtual std::string describe() const = 0;
    //! True when the source makes its events up, so their recv_ts is only when it made them:
    //! a paced run then stamps recv_ts when each event goes out, the moment a real feed's
    //! event would have arrived (a batch is made ahead of its pacing).
    virtual bool invents_events() const { return false; }
};

} // namespace ticklake
