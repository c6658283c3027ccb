// CSV as records of fields, fed in chunks of any size (a record may span chunks, a quoted
// field may span lines), and the dialect sniffer that picks delimiter, quote and header from a
// sample of the file's head.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/csv_dialect.h"

namespace ticklake {

struct CsvField {
    std::string text;    //!< unescaped ("" inside quotes is one ")
    bool quoted = false; //!< an empty quoted field is an empty string, an empty bare one is NULL
};

//! RFC 4180 with any one-byte delimiter and quote; CRLF or LF line ends; blank lines skipped.
class CsvScanner {
public:
    using RecordFn = std::function<void(const std::vector<CsvField>&)>;

    CsvScanner(char delimiter, char quote, RecordFn on_record)
        : delimiter_(delimiter), quote_(quote), on_record_(std::move(on_record)) {}

    void feed(std::string_view chunk);
    //! Ends the last record when the input does not end with a line break.
    void finish();

private:
    enum class State { field_start, bare, quoted, quote_in_quoted };
    void end_field();
    void end_record();

    char delimiter_;
    char quote_;
    RecordFn on_record_;
    State state_ = State::field_start;
    std::vector<CsvField> fields_;
    CsvField field_;
};

struct CsvDialect {
    char delimiter = ',';
    char quote = '"';
    bool header = true;
    bool quotes_seen = false; //!< some field in the sample was quoted (exporters pick a SerDe by it)
    CsvNumberStyle numbers;   //!< decimal comma in ';' files (csv_dialect's rule)
};

//! Sniffs the dialect from the head of a file. `complete` says whether `sample` is the whole
//! file (otherwise its last, possibly cut, record is ignored). The delimiter with " as quote is
//! csv_dialect's (sniff_csv_delimiter: , TAB ; |); ' is the quote only when some delimiter gives
//! more consistent records with it. The decimal mark is csv_dialect's too. Header: the first record is a header when some column holds
//! a number, boolean, date or timestamp below a text first value; when every column is text,
//! when its values are non-empty, distinct, and none repeats below in its column.
CsvDialect sniff_csv_dialect(std::string_view sample, bool complete);

} // namespace ticklake
