// Counters of a live source, kept apart from the logic that bumps them; the produce command
// prints summary() at the end, and gaps are also logged as they happen.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ticklake {

struct LiveStats {
    uint64_t messages = 0;         //!< vendor messages read (frames or REST responses)
    uint64_t events = 0;           //!< events handed to the producer
    uint64_t duplicates = 0;       //!< events dropped because their id was seen within the window
    uint64_t gaps = 0;             //!< places where the vendor's contiguous ids jumped
    uint64_t missing = 0;          //!< ids skipped over by those jumps (lost events)
    uint64_t out_of_order = 0;     //!< events older than one already seen (not duplicates)
    uint64_t ignored = 0;          //!< well-formed messages that carry no event (status, depth, pings)
    uint64_t skipped = 0;          //!< malformed messages (see first_errors)
    uint64_t inexact_decimals = 0; //!< decimal strings a double cannot hold exactly
    uint64_t connects = 0;         //!< successful connections (1 + reconnects)
    uint64_t connect_failures = 0; //!< failed attempts (each followed by a backoff delay)
    uint64_t disconnects = 0;      //!< established connections lost
    uint64_t rate_limited = 0;     //!< answers telling us to slow down (HTTP 429, vendor notes)

    std::string summary() const;
    //! (name, value) of every counter, names in snake_case.
    std::vector<std::pair<std::string, uint64_t>> named() const;
};

} // namespace ticklake
