#include "aws/aws_http.h"

#include "aws/sigv4.h"

namespace ticklake::aws {

AwsEnvironment AwsEnvironment::process() {
    AwsEnvironment aws;
    aws.env = process_env();
    aws.read_file = read_file_from_disk();
    aws.clock = now_us;
    net::HttpTransportOptions options;
    // IMDS off EC2 (a laptop, CI) does not answer at all: one second to connect, as the SDKs.
    options.connect_timeout = std::chrono::seconds(1);
    options.total_timeout = std::chrono::seconds(10);
    options.user_agent = "ticklake";
    aws.transport = std::make_shared<net::CurlHttpTransport>(options);
    aws.retry.max_attempts = 3;
    aws.retry.base_delay = std::chrono::milliseconds(200);
    aws.retry.max_delay = std::chrono::seconds(2);
    return aws;
}

std::optional<std::string> AwsEnvironment::var(std::string_view name) const {
    auto value = env(name);
    if (!value || value->empty()) {
        return std::nullopt;
    }
    return value;
}

Result<net::HttpResponse> send_aws_request(const AwsEnvironment& aws, const std::function<Result<net::HttpRequest>()>& build,
                                           std::string_view what) {
    auto outcome = net::send_with_retries(*aws.transport, build, aws.retry);
    if (!outcome) {
        return fail(outcome.error());
    }
    if (!outcome->result) {
        return fail(Error::retry(std::string(what) + ": " + outcome->result.error().message));
    }
    return std::move(*outcome->result);
}

namespace {

std::string decode_entities(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '&') {
            out.push_back(text[i]);
            continue;
        }
        const auto end = text.find(';', i);
        if (end == std::string_view::npos) {
            out.push_back('&');
            continue;
        }
        const std::string_view name = text.substr(i + 1, end - i - 1);
        if (name == "amp") {
            out.push_back('&');
        } else if (name == "lt") {
            out.push_back('<');
        } else if (name == "gt") {
            out.push_back('>');
        } else if (name == "quot") {
            out.push_back('"');
        } else if (name == "apos") {
            out.push_back('\'');
        } else {
            out.append(text.substr(i, end - i + 1));
        }
        i = end;
    }
    return out;
}

} // namespace

std::string service_endpoint_url(const AwsEnvironment& aws, std::string_view service, std::string_view host_prefix,
                                 std::string_view region, const std::string& override_url) {
    std::string url;
    if (!override_url.empty()) {
        url = override_url;
    } else if (auto own = aws.var("AWS_ENDPOINT_URL_" + std::string(service))) {
        url = *own;
    } else if (auto any = aws.var("AWS_ENDPOINT_URL")) {
        url = *any;
    } else {
        url = "https://" + std::string(host_prefix) + "." + std::string(region) + ".amazonaws.com";
    }
    while (!url.empty() && url.back() == '/') {
        url.pop_back();
    }
    return url;
}

std::optional<std::string> xml_text(std::string_view xml, std::string_view tag) {
    const std::string open = "<" + std::string(tag) + ">";
    const std::string close = "</" + std::string(tag) + ">";
    const auto begin = xml.find(open);
    if (begin == std::string_view::npos) {
        return std::nullopt;
    }
    const auto start = begin + open.size();
    const auto end = xml.find(close, start);
    if (end == std::string_view::npos) {
        return std::nullopt;
    }
    return decode_entities(xml.substr(start, end - start));
}

std::string aws_error_summary(long status, std::string_view body) {
    auto code = xml_text(body, "Code");
    auto message = xml_text(body, "Message");
    std::string out = "HTTP " + std::to_string(status);
    if (code) {
        out += " " + *code;
    }
    if (message) {
        out += ": " + *message;
    }
    return out;
}

std::string form_body(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [name, value] : fields) {
        if (!out.empty()) {
            out += '&';
        }
        out += uri_encode(name, true) + "=" + uri_encode(value, true);
    }
    return out;
}

} // namespace ticklake::aws
