// Quoting of text put into SQL we generate (DuckDB's, the same as standard SQL): string
// literals and identifiers. Used by the Parquet writer, the query engine and the CLI.
#pragma once

#include <string>
#include <string_view>

namespace ticklake {

//! `text` between two `quote` characters, each one inside doubled: SQL's only escape.
inline std::string quote_with(char quote, std::string_view text) {
    std::string out(1, quote);
    for (char c : text) {
        out.push_back(c);
        if (c == quote) {
            out.push_back(quote);
        }
    }
    out.push_back(quote);
    return out;
}

//! 'it''s': a string literal holding `text` exactly.
inline std::string quote_literal(std::string_view text) { return quote_with('\'', text); }

//! "a""b": an identifier naming `name` exactly, whatever its characters.
inline std::string quote_identifier(std::string_view name) { return quote_with('"', name); }

} // namespace ticklake
