// The three STS actions ticklake calls, over the query API (form POST, XML answer):
// AssumeRole (signed with the source credentials), AssumeRoleWithWebIdentity (unsigned: the
// web identity token is the proof) and GetCallerIdentity (signed; `ticklake aws whoami`).
// Endpoint: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, else https://sts.<region>.amazonaws.com.
#pragma once

#include <optional>
#include <string>

#include "aws/aws_http.h"
#include "aws/credentials.h"

namespace ticklake::aws {

struct StsEndpoint {
    std::string url;    //!< "https://sts.us-east-1.amazonaws.com" (no trailing '/')
    std::string region; //!< the signing region
};

//! `region` empty: us-east-1.
StsEndpoint sts_endpoint(const AwsEnvironment& aws, const std::string& region);

struct AssumeRoleRequest {
    std::string role_arn;
    std::string session_name;
    std::string external_id;            //!< empty: not sent
    std::optional<int> duration_seconds; //!< unset: STS's default (1 h)
};

//! Temporary credentials with their Expiration; `source` names the role.
Result<AwsCredentials> sts_assume_role(const AwsEnvironment& aws, const StsEndpoint& endpoint,
                                       const AwsCredentials& source, const AssumeRoleRequest& request);
Result<AwsCredentials> sts_assume_role_with_web_identity(const AwsEnvironment& aws, const StsEndpoint& endpoint,
                                                         const AssumeRoleRequest& request,
                                                         const std::string& web_identity_token);

struct CallerIdentity {
    std::string account;
    std::string arn;
    std::string user_id;
};
Result<CallerIdentity> sts_get_caller_identity(const AwsEnvironment& aws, const StsEndpoint& endpoint,
                                               const AwsCredentials& credentials);

} // namespace ticklake::aws
