// What the pipeline view shows of running sinks: their /metrics (named with `serve --watch URL`),
// fetched over net/'s HTTP client and reduced to the samples the view draws (messages consumed,
// rows written, consumer lag, dead letters by reason, buffered rows).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ticklake::console {

struct MetricSample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

//! The samples of a Prometheus text exposition whose names start with `prefix` (histogram
//! buckets left out); lines that do not parse are skipped.
std::vector<MetricSample> parse_prometheus_text(std::string_view text, std::string_view prefix);

struct SinkStatus {
    std::string url;
    std::string error; //!< empty when the scrape answered 200
    std::vector<MetricSample> samples;
};

//! Scrapes each URL once (a short timeout each, so a dead sink does not hold the console).
std::vector<SinkStatus> scrape_sinks(const std::vector<std::string>& urls);

//! {"url":..,"error":..,"samples":[{"name":..,"labels":{..},"value":..}]} per sink, as a JSON array.
std::string sinks_json(const std::vector<SinkStatus>& sinks);

} // namespace ticklake::console
