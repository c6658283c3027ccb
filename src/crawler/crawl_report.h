// What `ticklake crawl` tells a person at the end (stderr) and a script (--json), rendered from
// the CrawlSummary so the command only prints.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "crawler/crawler.h"

namespace ticklake {

//! "note: ..." lines (the first 25: a warehouse full of strays would bury the rest; all of
//! them are in the JSON), then the tables line and the files line.
std::vector<std::string> crawl_summary_lines(const CrawlSummary& s);

//! One JSON object: warehouse, catalog, every counter, seconds and all notes.
std::string crawl_summary_json(const CrawlSummary& s, const std::string& warehouse, const std::string& catalog);

//! The `\r` status line of a running crawl for a terminal: at most one a second, and always the
//! last (all files read), which ends the line.
class CrawlProgressLine {
public:
    using Clock = std::chrono::steady_clock;
    explicit CrawlProgressLine(Clock::time_point start) : last_(start) {}
    //! What to write for this step; "" when no line is due.
    std::string on(const CrawlProgress& p, Clock::time_point now);

private:
    Clock::time_point last_;
};

//! invalid_argument when a local warehouse is not an existing folder: opening a local store
//! creates it (the sink wants that), so a crawl of a mistyped path would report an empty
//! warehouse instead of the typo. s3:// URIs pass.
Status check_warehouse_folder(const std::string& warehouse);

} // namespace ticklake
