#include "sink/time_partition.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/event_json.h"

namespace ticklake {

namespace {

constexpr int64_t kMicrosPerHour = 3'600 * kMicrosPerSecond;

// Nominal lengths: the rule estimates file sizes, it does not need calendar exactness.
double length_us(TimePartition g) {
    constexpr double day = static_cast<double>(kMicrosPerDay);
    switch (g) {
    case TimePartition::hour: return static_cast<double>(kMicrosPerHour);
    case TimePartition::day: return day;
    case TimePartition::month: return day * 365.2425 / 12;
    case TimePartition::year: return day * 365.2425;
    case TimePartition::decade: return day * 3652.425;
    default: return 0;
    }
}

// Rows a file of grain g holds at the sample's density; never more than were seen (a span
// shorter than the grain says nothing about what a longer one would gather).
double expected_rows(const GrainSample& s, TimePartition g) {
    const double span = static_cast<double>(s.max_ts - s.min_ts);
    const double rows = static_cast<double>(s.rows);
    const double len = length_us(g);
    return span <= len ? rows : rows * len / span;
}

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

constexpr std::array kNames = {"auto", "hour", "day", "month", "year", "decade", "none"};

} // namespace

const char* to_string(TimePartition p) { return kNames[static_cast<size_t>(p)]; }

Result<TimePartition> parse_time_partition(std::string_view text) {
    for (size_t i = 0; i < kNames.size(); ++i) {
        if (text == kNames[i]) {
            return static_cast<TimePartition>(i);
        }
    }
    return fail(Error::invalid("--time-partition must be auto, hour, day, month, year, decade or none"));
}

TimePartition choose_time_partition(const GrainSample& s, uint64_t rotate_rows, std::span<const TimePartition> refused) {
    const auto min_rows = static_cast<double>(kMinRowsPerTimePartitionFile);
    auto allowed = [&](TimePartition g) { return std::find(refused.begin(), refused.end(), g) == refused.end(); };
    if (allowed(TimePartition::hour) && expected_rows(s, TimePartition::day) > static_cast<double>(rotate_rows) &&
        expected_rows(s, TimePartition::hour) >= min_rows) {
        return TimePartition::hour;
    }
    for (auto g : {TimePartition::day, TimePartition::month, TimePartition::year, TimePartition::decade}) {
        if (allowed(g) && expected_rows(s, g) >= min_rows) {
            return g;
        }
    }
    return static_cast<double>(s.max_ts - s.min_ts) < length_us(TimePartition::day) ? TimePartition::day
                                                                                     : TimePartition::none;
}

int64_t period_of(TimePartition grain, TimestampUs ts) {
    const int64_t day = floor_div(ts, kMicrosPerDay);
    switch (grain) {
    case TimePartition::hour: return floor_div(ts, kMicrosPerHour);
    case TimePartition::month: {
        const CivilDate d = civil_from_days(day);
        return d.year * 12 + (d.month - 1);
    }
    case TimePartition::year: return civil_from_days(day).year;
    case TimePartition::decade: return floor_div(civil_from_days(day).year, 10) * 10;
    case TimePartition::none: return 0;
    default: return day;
    }
}

std::string period_folder(TimePartition grain, int64_t period) {
    switch (grain) {
    case TimePartition::hour:
        return fmt::format("dt={}/hour={:02d}/", format_date(period * kMicrosPerHour),
                           period - floor_div(period, 24) * 24);
    case TimePartition::month: {
        const int64_t y = floor_div(period, 12);
        return fmt::format("month={:04d}-{:02d}/", y, period - y * 12 + 1);
    }
    case TimePartition::year: return fmt::format("year={:04d}/", period);
    case TimePartition::decade: return fmt::format("decade={:04d}/", period);
    case TimePartition::none: return {};
    default: return "dt=" + format_date(period * kMicrosPerDay) + "/";
    }
}

bool dt_in_path(TimePartition grain) { return grain == TimePartition::hour || grain == TimePartition::day; }

std::string_view time_folder_key(TimePartition grain) {
    switch (grain) {
    case TimePartition::hour: return "hour";
    case TimePartition::month: return "month";
    case TimePartition::year: return "year";
    case TimePartition::decade: return "decade";
    default: return "";
    }
}

TimePartition grain_of_key(std::string_view key) {
    auto has = [&](std::string_view folder) {
        return key.starts_with(folder) || key.find("/" + std::string(folder)) != std::string_view::npos;
    };
    if (has("hour=")) {
        return TimePartition::hour;
    }
    if (has("dt=")) {
        return TimePartition::day;
    }
    if (has("month=")) {
        return TimePartition::month;
    }
    if (has("year=")) {
        return TimePartition::year;
    }
    if (has("decade=")) {
        return TimePartition::decade;
    }
    return TimePartition::none;
}

std::string TableTimePartition::to_json() const {
    std::string out = "{\"time_partition\":";
    append_json_string(out, to_string(grain));
    out += ",\"chosen_by\":";
    append_json_string(out, chosen_by);
    out += fmt::format(",\"sample_rows\":{},\"sample_min_ts\":", sample.rows);
    append_json_string(out, format_iso8601(sample.min_ts));
    out += ",\"sample_max_ts\":";
    append_json_string(out, format_iso8601(sample.max_ts));
    out += fmt::format(",\"min_rows_per_file\":{},\"tz\":", kMinRowsPerTimePartitionFile);
    append_json_string(out, tz);
    out += "}\n";
    return out;
}

Result<TableTimePartition> TableTimePartition::from_json(std::string_view json) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view grain;
    if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS ||
        doc["time_partition"].get(grain) != simdjson::SUCCESS) {
        return fail(Error::fatal("table time partition state is not {\"time_partition\": ...}: " +
                                 std::string(json.substr(0, 200))));
    }
    auto g = parse_time_partition(grain);
    if (!g || *g == TimePartition::automatic) {
        return fail(Error::fatal("table time partition state names no grain: " + std::string(json.substr(0, 200))));
    }
    TableTimePartition t;
    t.grain = *g;
    std::string_view by;
    if (doc["chosen_by"].get(by) == simdjson::SUCCESS) {
        t.chosen_by = std::string(by);
    }
    uint64_t rows = 0;
    if (doc["sample_rows"].get(rows) == simdjson::SUCCESS) {
        t.sample.rows = rows;
    }
    std::string_view tz;
    if (doc["tz"].get(tz) == simdjson::SUCCESS) {
        t.tz = std::string(tz);
    }
    std::string_view ts;
    if (doc["sample_min_ts"].get(ts) == simdjson::SUCCESS) {
        t.sample.min_ts = parse_iso8601(ts).value_or(0);
    }
    if (doc["sample_max_ts"].get(ts) == simdjson::SUCCESS) {
        t.sample.max_ts = parse_iso8601(ts).value_or(0);
    }
    return t;
}

std::string table_time_partition_key(std::string_view database, std::string_view table) {
    return "_ticklake/tables/" + std::string(database) + "/" + std::string(table) + "/time_partition.json";
}

} // namespace ticklake
