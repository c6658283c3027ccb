// Quoting of text put into SQL we generate (DuckDB's, the same as standard SQL): string
// literals and identifiers. Used by the Parquet writer, the query engine and the CLI.
#pragma once

#include <string>
#include <string_view>

namespace ticklake {

//! 'it''s': a string literal holding `text` exactly.
inline std::string quote_literal(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        out.push_back(c);
        if (c == '\'') {
            out.push_back('\'');
        }
    }
    out.push_back('\'');
    return out;
}

//! "a""b": an identifier naming `name` exactly, whatever its characters.
inline std::string quote_identifier(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        out.push_back(c);
        if (c == '"') {
            out.push_back('"');
        }
    }
    out.push_back('"');
    return out;
}

} // namespace ticklake
