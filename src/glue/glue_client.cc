#include "glue/glue_client.h"

#include <simdjson.h>

#include "aws/sigv4.h"
#include "net/url.h"

namespace ticklake::glue {

namespace {

// "Code: Message" of a JSON API error body ({"__type": "...#Code", "message": "..."}).
std::string error_summary(long status, std::string_view body) {
    std::string code;
    std::string message;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(body.data(), body.size()).get(doc) == simdjson::SUCCESS && doc.is_object()) {
        std::string_view v;
        if (doc["__type"].get(v) == simdjson::SUCCESS) {
            code = std::string(v.substr(v.find('#') == std::string_view::npos ? 0 : v.find('#') + 1));
        }
        if (doc["message"].get(v) == simdjson::SUCCESS || doc["Message"].get(v) == simdjson::SUCCESS) {
            message = std::string(v);
        }
    }
    std::string out = "HTTP " + std::to_string(status);
    if (!code.empty()) {
        out += " " + code;
    }
    if (!message.empty()) {
        out += ": " + message;
    }
    return out;
}

Result<std::string> host_of(const std::string& url) {
    auto parsed = net::parse_url(url);
    if (!parsed) {
        return fail(Error::invalid("Glue endpoint: " + parsed.error().message));
    }
    const bool default_port = (parsed->tls() && parsed->port == 443) || (!parsed->tls() && parsed->port == 80);
    return default_port ? parsed->host : parsed->host + ":" + std::to_string(parsed->port);
}

} // namespace

GlueEndpoint glue_endpoint(const aws::AwsEnvironment& aws, const std::string& region, const std::string& override_url) {
    GlueEndpoint endpoint;
    endpoint.region = region.empty() ? "us-east-1" : region;
    endpoint.url = aws::service_endpoint_url(aws, "GLUE", "glue", endpoint.region, override_url);
    return endpoint;
}

net::RetryPolicy glue_throttle_policy() {
    net::RetryPolicy policy;
    policy.max_attempts = 8;
    policy.base_delay = std::chrono::milliseconds(250);
    policy.max_delay = std::chrono::seconds(10);
    return policy;
}

bool is_glue_throttled(long status, std::string_view body) {
    if (status == 429 || status >= 500) {
        return true;
    }
    if (status != 400) {
        return false;
    }
    for (std::string_view code : {"ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
                                  "ConcurrentModificationException"}) {
        if (body.find(code) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

GlueClient::GlueClient(aws::AwsEnvironment aws, GlueEndpoint endpoint, std::shared_ptr<aws::CredentialsSource> credentials,
                       net::RetryPolicy throttle_retry)
    : aws_(std::move(aws)), endpoint_(std::move(endpoint)), credentials_(std::move(credentials)),
      throttle_retry_(std::move(throttle_retry)) {
    host_ = host_of(endpoint_.url).value_or("");
}

Result<std::string> GlueClient::call(std::string_view action, const std::string& body) {
    if (host_.empty()) {
        return fail(Error::invalid("Glue endpoint " + endpoint_.url + " is not an http(s) URL"));
    }
    const std::string target = "AWSGlue." + std::string(action);
    const std::string what = "Glue " + std::string(action) + " at " + endpoint_.url;
    // Each attempt is signed afresh (a new date, credentials a refresh may have replaced).
    auto build = [&]() -> Result<net::HttpRequest> {
        auto credentials = credentials_->current();
        if (!credentials) {
            return fail(credentials.error());
        }
        net::HttpRequest req;
        req.method = "POST";
        req.url = endpoint_.url + "/";
        req.body = body;
        req.headers.push_back({"content-type", "application/x-amz-json-1.1"});
        req.headers.push_back({"x-amz-target", target});
        aws::SigningRequest sr;
        sr.method = "POST";
        sr.host = host_;
        sr.path = "/";
        sr.headers = req.headers;
        sr.payload_hash = aws::hex_sha256(body);
        sr.amz_date = aws::format_amz_date(aws_.clock());
        auto signature = aws::sign_v4(sr, *credentials, aws::SigningScope{endpoint_.region, "glue"},
                                      aws::SigV4Options{aws::UriPathRule::normalized, false});
        if (!signature) {
            return fail(signature.error());
        }
        req.headers.insert(req.headers.end(), signature->headers_to_add.begin(), signature->headers_to_add.end());
        ++requests_;
        return req;
    };
    auto throttled = [](const net::HttpResult& r) {
        return net::is_transient(r) || (r && is_glue_throttled(r->status, r->body));
    };
    auto outcome = net::send_with_retries(*aws_.transport, build, throttle_retry_, throttled);
    if (!outcome) {
        return fail(outcome.error());
    }
    if (!outcome->result) {
        return fail(Error::retry(what + ": " + outcome->result.error().message));
    }
    const net::HttpResponse& response = *outcome->result;
    if (response.status == 200) {
        return response.body;
    }
    const std::string summary = what + ": " + error_summary(response.status, response.body);
    if (is_glue_throttled(response.status, response.body)) {
        return fail(Error::retry(summary + " (still throttled after " + std::to_string(outcome->attempts) + " attempts)"));
    }
    if (response.body.find("EntityNotFoundException") != std::string::npos) {
        return fail(Error::not_found(summary));
    }
    return fail(Error::fatal(summary));
}

Result<std::unique_ptr<GlueClient>> open_glue_client(const std::string& override_url) {
    aws::AwsEnvironment aws = aws::AwsEnvironment::process();
    auto identity = aws::start_default_identity(aws);
    if (!identity) {
        return fail(identity.error());
    }
    // The provider's transport has a one-second connect timeout (for IMDS off EC2); Glue gets
    // the usual one, on its own handle.
    net::HttpTransportOptions options;
    options.total_timeout = std::chrono::seconds(60);
    options.user_agent = "ticklake";
    aws.transport = std::make_shared<net::CurlHttpTransport>(options);
    GlueEndpoint endpoint = glue_endpoint(aws, identity->settings.region, override_url);
    if (auto host = host_of(endpoint.url); !host) {
        return fail(host.error());
    }
    return std::make_unique<GlueClient>(std::move(aws), std::move(endpoint), identity->credentials);
}

} // namespace ticklake::glue
