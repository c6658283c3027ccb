// What the credential providers need from the outside, injected so tests point them at local
// servers (moto's STS, an IMDS or ECS stand-in) and pin the clock; and the few request and
// response helpers the AWS query and JSON APIs they call share.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "common/error.h"
#include "common/timestamp.h"
#include "net/http_transport.h"
#include "net/retry_policy.h"

namespace ticklake::aws {

struct AwsEnvironment {
    EnvLookup env;
    FileReader read_file;
    std::function<TimestampUs()> clock;
    //! Sends the providers' requests (STS, SSO portal, ECS, IMDS). One at a time: each
    //! provider call is short and the refresher is the only caller after start-up.
    std::shared_ptr<net::HttpTransport> transport;
    //! Retries of a provider request (a network error or a 5xx); a few, short.
    net::RetryPolicy retry;

    //! The process's environment, files on disk, the wall clock and a libcurl transport with
    //! short timeouts (a metadata endpoint that is not there must not hold start-up).
    static AwsEnvironment process();

    //! A set, non-empty variable.
    std::optional<std::string> var(std::string_view name) const;
};

//! Sends `request` (built afresh for every attempt) with the environment's retries; any
//! status is returned, transport errors after the retries become retry-kind errors whose
//! message is `what` plus the transport's description.
Result<net::HttpResponse> send_aws_request(const AwsEnvironment& aws, const std::function<Result<net::HttpRequest>()>& build,
                                           std::string_view what);

//! The endpoint of an AWS service, as the SDKs resolve it: `override_url` when given, else
//! AWS_ENDPOINT_URL_<SERVICE> (e.g. _STS, _GLUE), else AWS_ENDPOINT_URL, else
//! https://<host_prefix>.<region>.amazonaws.com; no trailing '/'.
std::string service_endpoint_url(const AwsEnvironment& aws, std::string_view service, std::string_view host_prefix,
                                 std::string_view region, const std::string& override_url = "");

//! Text of the first <tag>…</tag> element of an XML document, entities decoded; nullopt when absent.
std::optional<std::string> xml_text(std::string_view xml, std::string_view tag);
//! "Code: Message" of an AWS query API error body, or the HTTP status when it has none. Never the request.
std::string aws_error_summary(long status, std::string_view body);

//! application/x-www-form-urlencoded body of name=value pairs, in the order given.
std::string form_body(const std::vector<std::pair<std::string, std::string>>& fields);

} // namespace ticklake::aws
