// Replays a file of wire-format messages (one JSON event per line, docs/events.md) as they
// are: the line is sent unchanged, its symbol, type and time are read to key, label and pace
// it. Lines that are not JSON objects with type, id, ts and symbol are skipped and counted;
// the other fields are checked by the sink (dead letters), not here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/event_json.h"

namespace ticklake {

class JsonlReplay {
public:
    static Result<std::unique_ptr<JsonlReplay>> open(const std::string& path);
    ~JsonlReplay();
    JsonlReplay(const JsonlReplay&) = delete;
    JsonlReplay& operator=(const JsonlReplay&) = delete;

    //! Next valid line; false at the end. `event` gets its type, symbol and ts; `line` stays
    //! valid until the next call.
    Result<bool> next(std::string_view& line, Event& event);
    uint64_t skipped() const { return skipped_; }
    const std::vector<std::string>& first_errors() const { return first_errors_; }
    std::string describe() const { return "jsonl " + path_; }

private:
    JsonlReplay() = default;
    //! The next line (without its newline) from the read buffer; false at the end of the file.
    Result<bool> next_line(std::string_view& line);

    std::string path_;
    //! Read with read(2), not stdio: a pipe's lines (--file /dev/stdin) are handed on as they
    //! arrive, not once a whole block has.
    int fd_ = -1;
    //! Read in blocks of kBlock: lines are views into buf_ (no copy per line, unlike getline).
    std::string buf_;
    size_t pos_ = 0; //!< start of the unread bytes in buf_
    size_t end_ = 0; //!< end of the bytes read into buf_
    bool eof_ = false;
    uint64_t line_no_ = 0;
    uint64_t skipped_ = 0;
    std::vector<std::string> first_errors_;
    EventParser parser_;
};

} // namespace ticklake
