#include "console/sink_watch.h"

#include <charconv>
#include <chrono>

#include "common/json_writer.h"
#include "net/http_client.h"

namespace ticklake::console {

namespace {

// {a="x",b="y\"z"} -> labels; returns false when malformed.
bool parse_labels(std::string_view s, std::map<std::string, std::string>& out) {
    size_t i = 0;
    while (i < s.size()) {
        const auto eq = s.find('=', i);
        if (eq == std::string_view::npos || eq + 1 >= s.size() || s[eq + 1] != '"') {
            return false;
        }
        std::string name(s.substr(i, eq - i));
        std::string value;
        size_t j = eq + 2;
        for (; j < s.size() && s[j] != '"'; ++j) {
            if (s[j] == '\\' && j + 1 < s.size()) {
                ++j;
                value.push_back(s[j] == 'n' ? '\n' : s[j]);
            } else {
                value.push_back(s[j]);
            }
        }
        if (j >= s.size()) {
            return false;
        }
        out[name] = value;
        i = j + 1;
        if (i < s.size() && s[i] == ',') {
            ++i;
        }
    }
    return true;
}

} // namespace

std::vector<MetricSample> parse_prometheus_text(std::string_view text, std::string_view prefix) {
    std::vector<MetricSample> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (line.empty() || line.front() == '#' || !line.starts_with(prefix)) {
            continue;
        }
        MetricSample sample;
        const auto brace = line.find('{');
        const auto space = line.find(' ');
        if (space == std::string_view::npos) {
            continue;
        }
        std::string_view rest;
        if (brace != std::string_view::npos && brace < space) {
            const auto close = line.rfind('}');
            if (close == std::string_view::npos || !parse_labels(line.substr(brace + 1, close - brace - 1), sample.labels)) {
                continue;
            }
            sample.name = std::string(line.substr(0, brace));
            rest = line.substr(close + 1);
        } else {
            sample.name = std::string(line.substr(0, space));
            rest = line.substr(space);
        }
        if (sample.name.ends_with("_bucket")) {
            continue;
        }
        while (!rest.empty() && rest.front() == ' ') {
            rest.remove_prefix(1);
        }
        rest = rest.substr(0, rest.find(' ')); // a timestamp may follow
        const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), sample.value);
        if (ec != std::errc() || end != rest.data() + rest.size()) {
            continue;
        }
        out.push_back(std::move(sample));
    }
    return out;
}

std::vector<SinkStatus> scrape_sinks(const std::vector<std::string>& urls) {
    std::vector<SinkStatus> out;
    for (const auto& url : urls) {
        net::HttpClient client(std::chrono::milliseconds(1500), "ticklake-console");
        SinkStatus s{url, {}, {}};
        auto r = client.get(url);
        if (!r) {
            s.error = r.error().message;
        } else if (r->status != 200) {
            s.error = "HTTP " + std::to_string(r->status);
        } else {
            s.samples = parse_prometheus_text(r->body, "ticklake_sink_");
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::string sinks_json(const std::vector<SinkStatus>& sinks) {
    JsonWriter w(0);
    w.begin_array();
    for (const auto& s : sinks) {
        w.begin_object().field("url", s.url).field("error", s.error).key("samples").begin_array();
        for (const auto& m : s.samples) {
            w.begin_object().field("name", m.name).key("labels").begin_object();
            for (const auto& [k, v] : m.labels) {
                w.field(k, v);
            }
            w.end_object().key("value").value(m.value).end_object();
        }
        w.end_array().end_object();
    }
    w.end_array();
    std::string text = w.str();
    text.pop_back(); // the writer's final newline: this goes inside another document
    return text;
}

} // namespace ticklake::console
