// The SASL/OAUTHBEARER token of Amazon MSK's IAM authentication: a SigV4 presigned GET of
// https://kafka.<region>.amazonaws.com/?Action=kafka-cluster:Connect (service kafka-cluster,
// 900 s), with a User-Agent parameter after the signature, the whole URL base64url-encoded
// without padding. The layout follows aws-msk-iam-sasl-signer-python, the signer AWS publishes
// (tests compare byte for byte). Pure: the caller passes credentials and time.
#pragma once

#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "common/error.h"
#include "common/timestamp.h"

namespace ticklake::aws {

inline constexpr int kMskTokenLifetimeSeconds = 900;

struct MskIamToken {
    std::string value;      //!< base64url of the presigned URL, no padding
    TimestampUs expires = 0; //!< signing time (whole seconds) + 900 s
    std::string principal;  //!< the access key id: librdkafka wants a principal name, and it is not secret
};

//! The presigned URL before encoding (tests read it; never log it: it carries the session token).
Result<std::string> msk_iam_presigned_url(const AwsCredentials& credentials, std::string_view region, TimestampUs now,
                                          std::string_view user_agent);

Result<MskIamToken> msk_iam_token(const AwsCredentials& credentials, std::string_view region, TimestampUs now,
                                  std::string_view user_agent = "ticklake");

//! RFC 4648 §5 base64url without '=' padding.
std::string base64url_unpadded(std::string_view bytes);

} // namespace ticklake::aws
