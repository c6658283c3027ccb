// The SQL shell's input: lines in, statements out. A statement ends with ';' at the end of a
// line and may span lines; a line starting with '.' between statements is a dot command
// (.tables, .describe TABLE, .quit).
#pragma once

#include <optional>
#include <string>

namespace ticklake::query {

class StatementSplitter {
public:
    struct Input {
        enum class Kind { none, statement, command };
        Kind kind = Kind::none; //!< none: the line continues a statement
        std::string text;       //!< the statement (its lines, each ending in '\n'), or the command line
        std::string command;    //!< command: ".tables", ".describe", ...
        std::string argument;   //!< command: its first argument, or empty
    };

    Input feed(const std::string& line);
    //! At the end of input: a statement that never got its ';', when it holds anything.
    std::optional<std::string> rest() const;
    bool in_statement() const { return !buffer_.empty(); }

private:
    std::string buffer_;
};

} // namespace ticklake::query
