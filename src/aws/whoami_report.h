// `ticklake aws whoami`: which provider of the chain answered, the access key id masked, when
// the credentials expire, the region and, unless skipped, STS GetCallerIdentity. Never a
// secret key or a session token.
#pragma once

#include <string>

#include "aws/aws_http.h"
#include "common/error.h"

namespace ticklake::aws {

struct WhoamiOptions {
    bool call_sts = true; //!< false: --no-sts
};

//! "AKIA****WXYZ": the first four characters (the key type, AKIA/ASIA) and the last four, as
//! consoles show a key; all stars when shorter than 12.
std::string mask_access_key_id(std::string_view access_key_id);

//! The report's lines, "name: value". A chain that finds nothing is an error; an unreachable
//! STS is a line saying so (the credentials were still found).
Result<std::string> aws_whoami_report(const AwsEnvironment& aws, const WhoamiOptions& options);

} // namespace ticklake::aws
