#include "aws/whoami_report.h"

#include "aws/credential_chain.h"
#include "aws/sts_client.h"

namespace ticklake::aws {

std::string mask_access_key_id(std::string_view id) {
    if (id.size() < 12) {
        return std::string(id.empty() ? 0 : 4, '*');
    }
    return std::string(id.substr(0, 4)) + "****" + std::string(id.substr(id.size() - 4));
}

namespace {

std::string describe_expiry(const AwsCredentials& c, TimestampUs now) {
    if (!c.expiration) {
        return "never (long-term keys)";
    }
    const int64_t left = (*c.expiration - now) / kMicrosPerSecond;
    std::string text = format_iso8601(*c.expiration).substr(0, 19) + "Z";
    if (left < 0) {
        return text + " (expired)";
    }
    return text + " (in " + (left >= 120 ? std::to_string(left / 60) + " min" : std::to_string(left) + " s") + ")";
}

} // namespace

Result<std::string> aws_whoami_report(const AwsEnvironment& aws, const WhoamiOptions& options) {
    auto profile = AwsProfile::load(aws.env, aws.read_file);
    if (!profile) {
        return fail(profile.error());
    }
    auto settings = resolve_aws_service_settings(aws.env, *profile);
    if (!settings) {
        return fail(settings.error());
    }
    auto provider = choose_credential_provider(aws, *profile);
    if (!provider) {
        return fail(provider.error());
    }
    auto credentials = provider->fetch();
    if (!credentials) {
        return fail(credentials.error());
    }
    std::string region = settings->region;
    std::string region_source = settings->region_source;
    if (region.empty() && provider->name == "imds") {
        if (auto r = imds_region(aws)) {
            region = *r;
            region_source = "instance metadata";
        }
    }
    std::string out;
    out += "provider:      " + provider->name + "\n";
    if (provider->name == "profile") {
        out += "source:        " + credentials->source + "\n";
    }
    out += "profile:       " + profile->name() + "\n";
    out += "access key id: " + mask_access_key_id(credentials->access_key_id) + "\n";
    out += std::string("session token: ") + (credentials->session_token.empty() ? "none" : "set (hidden)") + "\n";
    out += "expires:       " + describe_expiry(*credentials, aws.clock()) + "\n";
    out += "region:        " + (region.empty() ? std::string("not set") : region + " (" + region_source + ")") + "\n";
    if (options.call_sts) {
        auto id = sts_get_caller_identity(aws, sts_endpoint(aws, region), *credentials);
        if (id) {
            out += "account:       " + id->account + "\n";
            out += "arn:           " + id->arn + "\n";
            out += "user id:       " + id->user_id + "\n";
        } else {
            out += "sts:           unreachable or refused: " + id.error().message + "\n";
        }
    }
    return out;
}

} // namespace ticklake::aws
