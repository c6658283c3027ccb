// The event-time Hive partition of a table: its grain (hour ... decade, or none), the folder a
// row goes to, and how `--time-partition auto` chooses the grain from the data's density.
// A table's grain is decided once and kept under the warehouse
// (_ticklake/tables/<database>/<table>/time_partition.json), so restarts, other members of the
// group and other groups write the same layout; docs/storage.md tells the rule.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/timestamp.h"

namespace ticklake {

//! Granularity of the event-time Hive partition of a table; automatic until decided.
enum class TimePartition { automatic, hour, day, month, year, decade, none };

//! "auto", "hour", "day", "month", "year", "decade", "none".
const char* to_string(TimePartition p);
//! The names of to_string(); anything else is an error that lists them.
Result<TimePartition> parse_time_partition(std::string_view text);

//! The least number of rows auto wants in one file (one Kafka partition, one partition value):
//! below it, per-file overhead (footer, row group, listing and open per query) dominates a
//! query's cost. 100,000 rows of ticks or bars are ~1-4 MB of zstd Parquet.
constexpr uint64_t kMinRowsPerTimePartitionFile = 100'000;

//! What the sink holds of one table from one Kafka partition when it first flushes it.
struct GrainSample {
    uint64_t rows = 0;
    TimestampUs min_ts = 0;
    TimestampUs max_ts = 0;
};

//! The auto rule (docs/storage.md): at the observed density (rows / event-time span) a grain's
//! expected file holds min(rows, density x grain length) rows. Take the finest of day, month,
//! year, decade whose expected file holds kMinRowsPerTimePartitionFile rows; hour instead of day
//! when a day's expected rows exceed rotate_rows (a day would be cut into several files anyway)
//! and an hour still holds the minimum. When none does: day if the rows span less than a day
//! (no coarser grain would merge anything seen), else none (one folder for the table).
//! Grains in `refused` (their folder key is a column of the table) are passed over.
TimePartition choose_time_partition(const GrainSample& sample, uint64_t rotate_rows,
                                    std::span<const TimePartition> refused = {});

//! Number of the grain's period holding ts (days, months or years since year 0, ...); 0 for none.
int64_t period_of(TimePartition grain, TimestampUs ts);
//! The period's Hive folders with a trailing '/': "dt=2025-01-06/hour=14/", "dt=2025-01-06/",
//! "month=2025-01/", "year=2025/", "decade=2020/"; "" for none.
std::string period_folder(TimePartition grain, int64_t period);
//! True when the grain's folders carry `dt` (hour, day); otherwise the sink writes `dt` (the
//! event's UTC date) as a data column, so `WHERE dt = DATE '...'` reads the same on any grain.
bool dt_in_path(TimePartition grain);
//! The folder key the grain adds besides `dt`: "hour", "month", "year", "decade"; "" otherwise.
std::string_view time_folder_key(TimePartition grain);

//! The grain a data key's folders show (dt=, hour=, month=, year=, decade=; none when it has
//! none of them), for tables written before the grain was kept.
TimePartition grain_of_key(std::string_view key);

//! A table's kept decision.
struct TableTimePartition {
    TimePartition grain = TimePartition::automatic;
    std::string chosen_by; //!< "auto", "explicit" or "existing files"
    GrainSample sample;    //!< what auto saw (rows 0 when not auto)
    //! IANA zone of the folders' dates and hours (and of the dt column); "UTC" for tables
    //! kept before zones were.
    std::string tz = "UTC";

    std::string to_json() const;
    static Result<TableTimePartition> from_json(std::string_view json);
};

//! "_ticklake/tables/<database>/<table>/time_partition.json"
std::string table_time_partition_key(std::string_view database, std::string_view table);

} // namespace ticklake
