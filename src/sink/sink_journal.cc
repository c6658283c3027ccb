#include "sink/sink_journal.h"

#include <simdjson.h>

#include "common/event_json.h"

namespace ticklake {

std::string SinkJournal::to_json() const {
    std::string out = "{\"start\":" + std::to_string(start) + ",\"end\":" + std::to_string(end) + ",\"keys\":[";
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
    simdjson::dom::array keys;
    if (doc["start"].get(j.start) != simdjson::SUCCESS || doc["end"].get(j.end) != simdjson::SUCCESS ||
        doc["keys"].get(keys) != simdjson::SUCCESS) {
        return fail(Error::fatal("sink journal lacks start/end/keys: " + std::string(json.substr(0, 200))));
    }
    for (auto k : keys) {
        std::string_view s;
        if (k.get(s) != simdjson::SUCCESS) {
            return fail(Error::fatal("sink journal key is not a string"));
        }
        j.keys.emplace_back(s);
    }
    return j;
}

std::string sink_journal_key(std::string_view group, std::string_view topic, int32_t partition) {
    return "_ticklake/sink/" + std::string(group) + "/" + std::string(topic) + "/p" + std::to_string(partition) +
           ".json";
}

} // namespace ticklake
