// What `ticklake crawl` tells a person at the end (stderr) and a script (--json), rendered from
// the CrawlSummary so the command only prints.
#pragma once

#include <string>
#include <vector>

#include "crawler/crawler.h"

namespace ticklake {

//! "note: ..." lines (the first 25: a warehouse full of strays would bury the rest; all of
//! them are in the JSON), then the tables line and the files line.
std::vector<std::string> crawl_summary_lines(const CrawlSummary& s);

//! One JSON object: warehouse, catalog, every counter, seconds and all notes.
std::string crawl_summary_json(const CrawlSummary& s, const std::string& warehouse, const std::string& catalog);

} // namespace ticklake
