// `ticklake query` and `ticklake sql` between their flags and the session: where the SQL comes
// from, how a result is shown, and the shell's loop. Text goes out through a Console and lines
// come in through ShellInput, so tests drive the shell with strings and cli/ keeps its line
// editor (libedit) to itself.
#pragma once

#include <functional>
#include <istream>
#include <optional>
#include <string>

#include "common/console.h"
#include "common/error.h"
#include "query/query_session.h"
#include "storage/object_store.h"

namespace ticklake::query {

//! Where and how results are shown.
struct ResultOutput {
    std::string format;           //!< table, csv or jsonl; empty: table on a terminal, else csv
    std::string file;             //!< FILE.csv, .jsonl or .parquet, local or s3://; empty: console.out
    ObjectStoreOptions store;     //!< for an s3:// file
    bool quiet = false;           //!< no statistics line
    bool out_is_terminal = false; //!< console.out is a terminal
};

//! Writes `r` to the file or console.out, then the statistics line on console.err (Athena's
//! "Data scanned"). Errors: an unknown format, a file that cannot be written.
Status show_result(const QueryResult& r, const ResultOutput& o, const Console& console);

//! The SQL of `ticklake query`: the file when one is named, else all of `in` when `sql` is "-"
//! (or empty while `in` is not a terminal), else `sql`. invalid_argument when the file cannot be
//! read or no statement is given.
Result<std::string> query_text(const std::string& sql, const std::string& file, std::istream& in,
                               bool in_is_terminal);

struct ShellInput {
    std::function<std::optional<std::string>(const char* prompt)> read; //!< the next line; nullopt at the end
    std::function<void(const std::string&)> remember;                   //!< a whole statement, for history
    bool terminal = false; //!< a person types: a banner, and .describe as a table
};

//! The shell: statements end with ';' (several lines allowed); .tables lists the tables,
//! .describe TABLE shows columns, .quit or .exit leaves. Each error goes to `report`, and the
//! shell goes on. Returns how many statements failed.
int run_shell(QuerySession& session, const std::string& source, const ShellInput& in, const QueryLimits& limits,
              const ResultOutput& out, const Console& console, const std::function<void(const Error&)>& report);

} // namespace ticklake::query
