// Column types of text files (CSV fields, JSON values), and how two types combine when files
// or rows disagree. The lattice, narrowest first:
//
//   null -> boolean -> int -> bigint -> double -> string      (numbers widen along the chain)
//   null -> date -> timestamp -> string                       (a date beside a timestamp is one)
//
// Any other pair (a number beside a date, a boolean beside a timestamp) becomes string: a
// column is never narrower than its widest value, so no value is lost or misread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/timestamp.h"

namespace ticklake {

enum class TextType { null, boolean, int32, int64, float64, date, timestamp, string };

//! The narrowest type that holds an unquoted text value: "" is null; true/false (any case)
//! boolean; integers int (32-bit) or bigint, larger ones string (digits kept exactly); decimal
//! and exponent numbers, nan and inf double; YYYY-MM-DD date; YYYY-MM-DD[T ]HH:MM[:SS[.f]] with
//! an optional Z or +HH:MM timestamp; anything else string.
TextType classify_text(std::string_view value);

//! Only date, timestamp or string: how a JSON string value reads (a quoted "42" stays string).
TextType classify_json_string(std::string_view value);

//! The narrowest type that holds values of both types (see the lattice above).
TextType widen(TextType a, TextType b);

//! Hive name of a text type (boolean, int, bigint, double, date, timestamp, string); a column
//! with only nulls is string.
const char* hive_type_name(TextType t);

//! Combines two Hive type names the same way (numeric chain tinyint < smallint < int < bigint <
//! float < double, date < timestamp, equal types stay); used when files of one table disagree.
std::string widen_hive_type(const std::string& a, const std::string& b);

//! ASCII letters in lower case, other bytes as they are (identifiers compare this way in SQL).
std::string ascii_lower(std::string_view s);
//! Equal ignoring the case of ASCII letters.
bool iequals(std::string_view a, std::string_view b);

//! Microseconds of a date or timestamp value (dates at midnight UTC, text without an offset
//! read as UTC), or nullopt when the text is not one.
std::optional<TimestampUs> parse_event_time(std::string_view value);

} // namespace ticklake
