// Who may use the console: the token (from --token-file or TICKLAKE_TOKEN, never the command
// line, where `ps` shows it), its check in constant time, and the rule that the console leaves
// the loopback interface only behind a token.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/error.h"

namespace ticklake::console {

//! Whether `given` equals `expected`. The time taken depends only on their lengths, never on
//! where they first differ, so a client cannot find the token byte by byte by timing answers.
bool token_matches(std::string_view expected, std::string_view given);

//! The token sent in "Authorization: Bearer TOKEN" (scheme case-insensitive); empty otherwise.
std::string_view bearer_token(std::string_view authorization);

//! The token: the first line of `token_file` (surrounding whitespace trimmed) when given, else
//! `env_value` (TICKLAKE_TOKEN), else empty. invalid_argument when the file cannot be read or
//! holds an empty or short (< 16 characters) token.
Result<std::string> load_token(const std::filesystem::path& token_file, const char* env_value);

//! True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(std::string_view host);

//! Refuses (invalid_argument) to bind `host` off the loopback without a token.
Status check_exposure(std::string_view host, const std::string& token);

} // namespace ticklake::console
