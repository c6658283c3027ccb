// The one rule that turns a dataset, topic, file stem or folder name into a warehouse table
// (or database) name that is safe in paths and in SQL without quoting.
//
// Before this rule there were four, which agreed on normal names and differed at the edges:
//   name               sink (format)   crawler   Athena DDL   CSV replay stem
//   "Daily Prices-24"  daily_prices_24 same      same         daily_prices_24
//   "2024 data"        t_2024_data     same      2024_data    t_2024_data
//   ""                 fallback        t_        _            csv
//   "myData"           mydata          same      same         my_data (words split)
//   "a--b_"            a__b_           same      same         a_b (runs folded, ends trimmed)
// The sink and crawler rule is kept, since tables already in warehouses carry its names; the
// other two keep their difference as a documented step on top (see identifier_text and
// sources/csv_replay.cc).
#pragma once

#include <string>
#include <string_view>

namespace ticklake {

//! Each ASCII letter in lower case, digits and '_' kept, every other byte (UTF-8 ones too)
//! as '_'. Nothing added or removed: Athena quotes names in backticks, so this alone is its rule.
std::string identifier_text(std::string_view raw);

//! identifier_text, then "t_" before a leading digit (an unquoted SQL name cannot start with
//! one); `fallback` when `raw` is empty. "Daily Prices-2024" -> daily_prices_2024,
//! "market.ticks-v2" -> market_ticks_v2, "2024 data" -> t_2024_data.
std::string table_name(std::string_view raw, std::string_view fallback);

} // namespace ticklake
