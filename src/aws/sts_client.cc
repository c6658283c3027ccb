#include "aws/sts_client.h"

#include "aws/sigv4.h"
#include "net/url.h"

namespace ticklake::aws {

namespace {

constexpr std::string_view kStsVersion = "2011-06-15";

using Fields = std::vector<std::pair<std::string, std::string>>;

// The Host header value of an endpoint URL: host, with ":port" when it is not the scheme's.
Result<std::string> host_of(const std::string& url) {
    auto parsed = net::parse_url(url);
    if (!parsed) {
        return fail(Error::invalid("STS endpoint: " + parsed.error().message));
    }
    const bool default_port = (parsed->tls() && parsed->port == 443) || (!parsed->tls() && parsed->port == 80);
    return default_port ? parsed->host : parsed->host + ":" + std::to_string(parsed->port);
}

// One STS action; `signer` unset: sent unsigned. 4xx are fatal (a wrong role, a bad token),
// 5xx after the retries are retry-kind.
Result<std::string> call_sts(const AwsEnvironment& aws, const StsEndpoint& endpoint, const Fields& fields,
                             const AwsCredentials* signer, std::string_view action) {
    auto host = host_of(endpoint.url);
    if (!host) {
        return fail(host.error());
    }
    const std::string body = form_body(fields);
    auto build = [&]() -> Result<net::HttpRequest> {
        net::HttpRequest req;
        req.method = "POST";
        req.url = endpoint.url + "/";
        req.body = body;
        req.headers.push_back({"content-type", "application/x-www-form-urlencoded; charset=utf-8"});
        if (signer != nullptr) {
            SigningRequest sr;
            sr.method = "POST";
            sr.host = *host;
            sr.path = "/";
            sr.headers = req.headers;
            sr.payload_hash = hex_sha256(body);
            sr.amz_date = format_amz_date(aws.clock());
            auto signature = sign_v4(sr, *signer, SigningScope{endpoint.region, "sts"},
                                     SigV4Options{UriPathRule::normalized, false});
            if (!signature) {
                return fail(signature.error());
            }
            req.headers.insert(req.headers.end(), signature->headers_to_add.begin(), signature->headers_to_add.end());
        }
        return req;
    };
    const std::string what = "STS " + std::string(action) + " at " + endpoint.url;
    auto response = send_aws_request(aws, build, what);
    if (!response) {
        return fail(response.error());
    }
    if (response->status >= 500) {
        return fail(Error::retry(what + ": " + aws_error_summary(response->status, response->body)));
    }
    if (response->status != 200) {
        return fail(Error::fatal(what + ": " + aws_error_summary(response->status, response->body)));
    }
    return std::move(response->body);
}

Result<AwsCredentials> credentials_in_answer(const std::string& xml, const std::string& what) {
    auto id = xml_text(xml, "AccessKeyId");
    auto secret = xml_text(xml, "SecretAccessKey");
    auto token = xml_text(xml, "SessionToken");
    auto expiration = xml_text(xml, "Expiration");
    if (!id || !secret || !token || !expiration) {
        return fail(Error::fatal(what + ": the answer lacks AccessKeyId, SecretAccessKey, SessionToken or Expiration"));
    }
    auto expires = parse_iso8601(*expiration);
    if (!expires) {
        return fail(Error::fatal(what + ": Expiration is not an ISO 8601 time"));
    }
    AwsCredentials c{*id, *secret, *token, what, *expires};
    return c;
}

Fields role_fields(std::string_view action, const AssumeRoleRequest& request) {
    Fields fields{{"Action", std::string(action)},
                  {"Version", std::string(kStsVersion)},
                  {"RoleArn", request.role_arn},
                  {"RoleSessionName", request.session_name}};
    if (!request.external_id.empty()) {
        fields.emplace_back("ExternalId", request.external_id);
    }
    if (request.duration_seconds) {
        fields.emplace_back("DurationSeconds", std::to_string(*request.duration_seconds));
    }
    return fields;
}

} // namespace

StsEndpoint sts_endpoint(const AwsEnvironment& aws, const std::string& region) {
    StsEndpoint endpoint;
    endpoint.region = region.empty() ? "us-east-1" : region;
    endpoint.url = service_endpoint_url(aws, "STS", "sts", endpoint.region);
    return endpoint;
}

Result<AwsCredentials> sts_assume_role(const AwsEnvironment& aws, const StsEndpoint& endpoint,
                                       const AwsCredentials& source, const AssumeRoleRequest& request) {
    auto xml = call_sts(aws, endpoint, role_fields("AssumeRole", request), &source, "AssumeRole");
    if (!xml) {
        return fail(xml.error());
    }
    return credentials_in_answer(*xml, "assume role " + request.role_arn);
}

Result<AwsCredentials> sts_assume_role_with_web_identity(const AwsEnvironment& aws, const StsEndpoint& endpoint,
                                                         const AssumeRoleRequest& request,
                                                         const std::string& web_identity_token) {
    Fields fields = role_fields("AssumeRoleWithWebIdentity", request);
    fields.emplace_back("WebIdentityToken", web_identity_token);
    auto xml = call_sts(aws, endpoint, fields, nullptr, "AssumeRoleWithWebIdentity");
    if (!xml) {
        return fail(xml.error());
    }
    return credentials_in_answer(*xml, "web identity " + request.role_arn);
}

Result<CallerIdentity> sts_get_caller_identity(const AwsEnvironment& aws, const StsEndpoint& endpoint,
                                               const AwsCredentials& credentials) {
    auto xml = call_sts(aws, endpoint, {{"Action", "GetCallerIdentity"}, {"Version", std::string(kStsVersion)}},
                        &credentials, "GetCallerIdentity");
    if (!xml) {
        return fail(xml.error());
    }
    CallerIdentity id;
    id.account = xml_text(*xml, "Account").value_or("");
    id.arn = xml_text(*xml, "Arn").value_or("");
    id.user_id = xml_text(*xml, "UserId").value_or("");
    return id;
}

} // namespace ticklake::aws
