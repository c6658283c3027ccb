// The dialect rules every CSV reader of ticklake shares: `produce --source csv`
// (sources/csv_replay), the crawler's classifier (crawler/file_classifier) and the sink's
// `--value-format csv` (decode/csv_row_decoder). Each reader keeps its own tokenizer loop; what a
// byte-order mark, a header name, a null, a delimiter, a number or a date is, is decided here
// once, so one file gets the same column names and types whichever stage reads it.
// docs/sources.md ("CSV dialect") is the user's view of these rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/text_type.h"
#include "common/timestamp.h"

namespace ticklake {

enum class TextEncoding : uint8_t { utf8, utf16le, utf16be };

struct ByteOrderMark {
    TextEncoding encoding = TextEncoding::utf8;
    size_t length = 0; //!< bytes to drop at the start of the input (0: there is no mark)
};

//! The mark at the start of `head` (give it at least 6 bytes when the input has them): UTF-8
//! EF BB BF; UTF-8 decoded as Latin-1 and encoded again, C3 AF C2 BB C2 BF ("ï»¿"); UTF-16 LE
//! FF FE; UTF-16 BE FE FF.
ByteOrderMark detect_byte_order_mark(std::string_view head);

//! UTF-16 to UTF-8, fed in chunks of any size: an odd byte or the first half of a surrogate pair
//! waits for the next chunk. Unpaired surrogates become U+FFFD, as decoders do.
class Utf16Transcoder {
public:
    explicit Utf16Transcoder(bool big_endian) : big_endian_(big_endian) {}
    void feed(std::string_view bytes, std::string& out);
    //! Flushes what a truncated input left (a lone byte or high surrogate: U+FFFD).
    void finish(std::string& out);

private:
    void unit(uint16_t u, std::string& out);
    bool big_endian_;
    int pending_byte_ = -1;  //!< first byte of a unit split across chunks
    uint16_t high_ = 0;      //!< a high surrogate waiting for its low half
};

//! A header cell as a column name: any byte-order mark a reader left (a header message of a
//! Kafka topic keeps it), surrounding spaces, tabs and quotes removed.
std::string clean_header_name(std::string_view raw);

//! The column names of a header row: each cleaned, an empty one "column_N" (1-based), a name
//! repeated (ignoring ASCII case, as SQL engines fold it) suffixed "_2", "_3", ...
std::vector<std::string> csv_column_names(const std::vector<std::string>& raw);

//! The default null tokens besides the empty cell, as `--null-values` takes them.
inline constexpr std::string_view kDefaultCsvNullValues = "null,NULL,NA,N/A,NaN,nan,-,#N/A";

//! Cells that mean "no value". The empty cell always does; the others are configurable.
class CsvNullTokens {
public:
    //! The default list (kDefaultCsvNullValues).
    CsvNullTokens();
    //! A comma-separated list that replaces the default ("" keeps only the empty cell).
    static CsvNullTokens parse(std::string_view list);
    //! Compared after trimming spaces and tabs, case-sensitively ("Null" is a word, "null" a token).
    bool is_null(std::string_view cell) const;
    const std::vector<std::string>& tokens() const { return tokens_; }

private:
    explicit CsvNullTokens(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {}
    std::vector<std::string> tokens_;
};

//! How well a delimiter splits a sample, from the field count of each record: how many records
//! hold the most common count, or 0 when that count is 1 (the delimiter splits nothing).
size_t csv_split_score(const std::vector<size_t>& field_counts);

//! The delimiter of a file from its head: of , TAB ; | the one that splits the most lines
//! (outside quotes) into one common field count above 1; ties in that order; ',' when none does.
//! `complete` says whether `sample` is the whole file (else its last, maybe cut, line is ignored).
char sniff_csv_delimiter(std::string_view sample, bool complete);

//! How numbers are written in a file. A decimal comma is only ever taken where the delimiter is
//! ';' (European exports); the thousands separator is then '.', else ','.
struct CsvNumberStyle {
    char decimal = '.';
    char thousands() const { return decimal == ',' ? '.' : ','; }
};

//! Decimal comma when `delimiter` is ';' and some cell of the sample is a number written with one
//! ("1,5", "-0,25", "1.234,5").
CsvNumberStyle sniff_csv_number_style(std::string_view sample, char delimiter);

struct CsvNumber {
    bool integral = false;  //!< no decimal part or exponent, and fits in int64
    int64_t integer = 0;    //!< the value when integral
    double value = 0;
    bool leading_zero = false; //!< "007": identifiers and zip codes, readers may keep them as text
};

//! A number cell (quotes already removed by the tokenizer; spaces around it ignored):
//! [+-]digits[.digits][e[+-]digits] with the style's decimal mark, and thousands separators
//! where unambiguous: groups of exactly three digits after a first group of 1-3, and, in a
//! decimal-comma file, only with two separators or a decimal part ("1.234" alone there is read
//! as 1.234, since files that use ';' with decimal points exist too). nan/inf are not numbers
//! here (they are null tokens by default).
std::optional<CsvNumber> parse_csv_number(std::string_view text, CsvNumberStyle style);

//! The column type a CSV cell needs, the same whichever stage reads the file: a null token
//! (but not a quoted empty string) is null; numbers as parse_csv_number reads them are int,
//! bigint or double ("007" and integers beyond int64 stay string, keeping their digits);
//! anything else as classify_text says (booleans, ISO dates and timestamps, else string).
TextType csv_cell_type(std::string_view text, bool quoted, const CsvNullTokens& nulls, CsvNumberStyle style);

//! How a time column is written. Sniffed per column from its values (CsvDateSniffer); `any`
//! decides per value.
enum class CsvDateFormat : uint8_t {
    any,        //!< per value: iso, then m/d/y, d.m.y, yyyymmdd, epoch by magnitude
    iso,        //!< 2024-01-31, 2024-01-31T09:30:00[.f][Z|+hh:mm], space instead of T
    mdy,        //!< 01/31/2024 [HH:MM[:SS]] (US)
    dmy_slash,  //!< 31/01/2024: a slash column where some first part is above 12
    dmy,        //!< 31.01.2024 [HH:MM[:SS]] (German, Swiss, Russian exports)
    yyyymmdd,   //!< 20240131
    epoch,      //!< integer seconds, ms, µs or ns since 1970, unit by magnitude
};

const char* to_string(CsvDateFormat f);

//! Parses one time cell in the given format (zone-less times are UTC).
std::optional<TimestampUs> parse_csv_date(std::string_view text, CsvDateFormat format);

//! Decides a column's date format from its values (nulls excluded by the caller): the one format
//! every value seen parses in; a slash column is d/m/y when some first part is above 12; an
//! all-8-digit column of valid dates is yyyymmdd rather than epoch seconds.
class CsvDateSniffer {
public:
    void see(std::string_view cell);
    //! nullopt when no value was seen or no single format reads them all.
    std::optional<CsvDateFormat> format() const;

private:
    uint64_t seen_ = 0;
    uint64_t iso_ = 0, slash_ = 0, dots_ = 0, ymd_ = 0, epoch_ = 0;
    bool slash_first_above_12_ = false;
};

} // namespace ticklake
