#include "query/statement_splitter.h"

#include <sstream>

namespace ticklake::query {

StatementSplitter::Input StatementSplitter::feed(const std::string& line) {
    Input in;
    if (buffer_.empty() && !line.empty() && line[0] == '.') {
        in.kind = Input::Kind::command;
        in.text = line;
        std::istringstream words(line);
        words >> in.command >> in.argument;
        return in;
    }
    buffer_ += line + "\n";
    const size_t end = line.find_last_not_of(" \t\r");
    if (end == std::string::npos || line[end] != ';') {
        return in;
    }
    in.kind = Input::Kind::statement;
    in.text.swap(buffer_);
    return in;
}

std::optional<std::string> StatementSplitter::rest() const {
    if (buffer_.find_first_not_of(" \t\r\n") == std::string::npos) {
        return std::nullopt;
    }
    return buffer_;
}

} // namespace ticklake::query
