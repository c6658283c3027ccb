#include "sources/jsonl_replay.h"

namespace ticklake {

Result<std::unique_ptr<JsonlReplay>> JsonlReplay::open(const std::string& path) {
    std::unique_ptr<JsonlReplay> r(new JsonlReplay());
    r->path_ = path;
    r->in_.open(path, std::ios::binary);
    if (!r->in_) {
        return fail(Error::invalid("cannot open " + path));
    }
    return r;
}

Result<bool> JsonlReplay::next(std::string_view& line, Event& event) {
    while (std::getline(in_, line_)) {
        ++line_no_;
        if (!line_.empty() && line_.back() == '\r') {
            line_.pop_back();
        }
        if (line_.empty()) {
            continue;
        }
        if (auto st = parser_.parse_envelope(line_, event); !st) {
            ++skipped_;
            if (first_errors_.size() < 10) {
                first_errors_.push_back("line " + std::to_string(line_no_) + ": " + st.error().message);
            }
            continue;
        }
        line = line_;
        return true;
    }
    if (in_.bad()) {
        return fail(Error::retry("read error in " + path_));
    }
    return false;
}

} // namespace ticklake
