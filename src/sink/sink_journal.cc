#include "sink/sink_journal.h"

#include <simdjson.h>

#include "common/event_json.h"

namespace ticklake {

std::string SinkJournal::to_json() const {
    std::string out = "{\"start\":" + std::to_string(start.value()) + ",\"end\":" + std::to_string(end.value()) +
                      ",\"keys\":[";
    for (size_t i = 0; i < keys.size(); ++i) {
        if (i) {
            out.push_back(',');
        }
        append_json_string(out, keys[i]);
    }
    out.append("]}\n");
    return out;
}

Result<SinkJournal> SinkJournal::from_json(std::string_view json) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
        return fail(Error::fatal("sink journal is not JSON: " + std::string(json.substr(0, 200))));
    }
    SinkJournal j;
    int64_t start = 0;
    int64_t end = 0;
    simdjson::dom::array keys;
    if (doc["start"].get(start) != simdjson::SUCCESS || doc["end"].get(end) != simdjson::SUCCESS ||
        doc["keys"].get(keys) != simdjson::SUCCESS) {
        return fail(Error::fatal("sink journal lacks start/end/keys: " + std::string(json.substr(0, 200))));
    }
    j.start = Offset(start);
    j.end = Offset(end);
    for (auto k : keys) {
        std::string_view s;
        if (k.get(s) != simdjson::SUCCESS) {
            return fail(Error::fatal("sink journal key is not a string"));
        }
        j.keys.emplace_back(s);
    }
    return j;
}

std::string sink_journal_key(std::string_view group, const Topic& topic, Partition partition) {
    return "_ticklake/sink/" + std::string(group) + "/" + topic.str() + "/p" + std::to_string(partition.value()) +
           ".json";
}

} // namespace ticklake
