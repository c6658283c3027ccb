// Glue's JSON API (POST /, X-Amz-Target: AWSGlue.<Action>, application/x-amz-json-1.1), signed
// with aws/'s SigV4 and sent through net/'s transport and retry policy. Throttling answers
// (ThrottlingException and the other rate errors, 429, 5xx) are retried with backoff; any other
// error comes back with Glue's code, so the caller can tell "not found" from a real failure.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "aws/aws_http.h"
#include "aws/credential_chain.h"
#include "common/error.h"
#include "net/retry_policy.h"

namespace ticklake::glue {

struct GlueEndpoint {
    std::string url;    //!< "https://glue.eu-west-1.amazonaws.com" (no trailing '/')
    std::string region; //!< the signing region
};

//! `override_url` (--glue-endpoint), else AWS_ENDPOINT_URL_GLUE, else AWS_ENDPOINT_URL, else
//! https://glue.<region>.amazonaws.com; `region` empty: us-east-1.
GlueEndpoint glue_endpoint(const aws::AwsEnvironment& aws, const std::string& region, const std::string& override_url);

//! The backoff of throttled calls: Glue's per-account rates are low (a few calls a second for
//! the batch APIs), so it waits longer and tries more often than the transport's default.
net::RetryPolicy glue_throttle_policy();

//! True for Glue's rate errors (HTTP 400 with ThrottlingException, TooManyRequestsException,
//! RequestLimitExceeded, ConcurrentModificationException), 429 and 5xx.
bool is_glue_throttled(long status, std::string_view body);

//! @locality one thread: calls go one at a time through the environment's transport.
class GlueClient {
public:
    GlueClient(aws::AwsEnvironment aws, GlueEndpoint endpoint, std::shared_ptr<aws::CredentialsSource> credentials,
               net::RetryPolicy throttle_retry = glue_throttle_policy());

    //! The response body of AWSGlue.<action> with `body` (a JSON object). Errors: not_found for
    //! EntityNotFoundException; retry when still throttled after the retries or unreachable;
    //! fatal for any other error, with Glue's "Code: Message".
    Result<std::string> call(std::string_view action, const std::string& body);

    //! Calls made, retries included (what "a second run sends nothing" is measured by).
    int requests() const { return requests_; }
    const GlueEndpoint& endpoint() const { return endpoint_; }

private:
    aws::AwsEnvironment aws_;
    GlueEndpoint endpoint_;
    std::string host_; //!< Host header value of endpoint_.url
    std::shared_ptr<aws::CredentialsSource> credentials_;
    net::RetryPolicy throttle_retry_;
    int requests_ = 0;
};

//! The default chain, region and endpoint as the AWS CLI resolves them (the S3 side does the
//! same in storage/), with `override_url` taking precedence for the endpoint.
Result<std::unique_ptr<GlueClient>> open_glue_client(const std::string& override_url);

} // namespace ticklake::glue
