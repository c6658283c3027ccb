// `credential_process`: a profile's command that prints credentials as JSON (Version 1). Run
// without a shell: the command line is split here as POSIX shlex does (the AWS CLI's own
// rule), and the program is started with posix_spawnp, so nothing in the line is evaluated.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "common/error.h"

namespace ticklake::aws {

//! Words split on blanks; '…' keeps everything literally, "…" keeps blanks and lets '\' escape
//! '"', '\' and '$'; outside quotes '\' escapes the next character. An unclosed quote is an error.
Result<std::vector<std::string>> split_command_line(std::string_view line);

//! {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}. Errors
//! name the missing field, never a value.
Result<AwsCredentials> parse_credential_process_output(std::string_view json, const std::string& source);

//! Runs `command_line` (stdout captured, stderr passed through, the environment inherited)
//! and parses what it prints. A non-zero exit is an error that does not quote the output.
Result<AwsCredentials> run_credential_process(const std::string& command_line, const std::string& source);

} // namespace ticklake::aws
