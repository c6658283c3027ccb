#include "sink/topic_state.h"

#include <simdjson.h>

#include "common/event_json.h"

namespace ticklake {

std::string TopicState::to_json() const {
    std::string out = "{\"value_format\":";
    append_json_string(out, to_string(value_format));
    if (time_field) {
        out += ",\"time_field\":";
        append_json_string(out, *time_field);
    }
    out += ",\"csv_columns\":[";
    for (size_t i = 0; i < csv_columns.size(); ++i) {
        out += i ? "," : "";
        append_json_string(out, csv_columns[i]);
    }
    return out + "]}\n";
}

Result<TopicState> TopicState::from_json(std::string_view json) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    auto bad = [&](const char* what) {
        return fail(Error::fatal(std::string("sink topic state ") + what + ": " + std::string(json.substr(0, 200)) +
                                 " (remove the file to decide again)"));
    };
    if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
        return bad("is not JSON");
    }
    TopicState s;
    std::string_view format;
    if (doc["value_format"].get(format) != simdjson::SUCCESS) {
        return bad("lacks value_format");
    }
    auto f = parse_value_format(format);
    if (!f) {
        return bad("has an unknown value_format");
    }
    s.value_format = *f;
    std::string_view tf;
    if (doc["time_field"].get(tf) == simdjson::SUCCESS) {
        s.time_field = std::string(tf);
    }
    simdjson::dom::array cols;
    if (doc["csv_columns"].get(cols) == simdjson::SUCCESS) {
        for (auto c : cols) {
            std::string_view name;
            if (c.get(name) != simdjson::SUCCESS) {
                return bad("has a CSV column that is not a string");
            }
            s.csv_columns.emplace_back(name);
        }
    }
    return s;
}

std::string topic_state_key(std::string_view group, const Topic& topic) {
    return "_ticklake/sink/" + std::string(group) + "/" + topic.str() + "/topic.json";
}

} // namespace ticklake
