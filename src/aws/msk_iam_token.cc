#include "aws/msk_iam_token.h"

#include <vector>

#include "aws/sigv4.h"

namespace ticklake::aws {

std::string base64url_unpadded(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(kAlphabet[(n >> 6) & 63]);
        out.push_back(kAlphabet[n & 63]);
    }
    if (const size_t rest = bytes.size() - i; rest > 0) {
        uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
        if (rest == 2) {
            n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        }
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        if (rest == 2) {
            out.push_back(kAlphabet[(n >> 6) & 63]);
        }
    }
    return out;
}

Result<std::string> msk_iam_presigned_url(const AwsCredentials& credentials, std::string_view region, TimestampUs now,
                                          std::string_view user_agent) {
    if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
        return fail(Error::invalid("MSK IAM: no AWS credentials to sign the token with"));
    }
    if (region.empty()) {
        return fail(Error::invalid("MSK IAM: no region: set AWS_REGION or the profile's region"));
    }
    const std::string host = "kafka." + std::string(region) + ".amazonaws.com";
    const std::string amz_date = format_amz_date(now);
    const std::string date = amz_date.substr(0, 8);
    const SigningScope scope{std::string(region), "kafka-cluster"};
    const std::string scope_text = credential_scope(date, scope);

    // The query in the reference signer's order; the signature covers all of it, sorted.
    std::vector<QueryParam> query{{"Action", "kafka-cluster:Connect"},
                                  {"X-Amz-Algorithm", std::string(kSigV4Algorithm)},
                                  {"X-Amz-Credential", credentials.access_key_id + "/" + scope_text},
                                  {"X-Amz-Date", amz_date},
                                  {"X-Amz-Expires", std::to_string(kMskTokenLifetimeSeconds)},
                                  {"X-Amz-SignedHeaders", "host"}};
    if (!credentials.session_token.empty()) {
        query.push_back({"X-Amz-Security-Token", credentials.session_token});
    }
    const std::string canonical_request = "GET\n/\n" + canonical_query_string(query) + "\nhost:" + host +
                                          "\n\nhost\n" + std::string(kEmptyPayloadSha256);
    const std::string string_to_sign = std::string(kSigV4Algorithm) + "\n" + amz_date + "\n" + scope_text + "\n" +
                                       hex_sha256(canonical_request);
    const std::string signature =
        to_hex(hmac_sha256(derive_signing_key(credentials.secret_access_key, date, scope), string_to_sign));

    std::string url = "https://" + host + "/?";
    for (const auto& p : query) {
        url += uri_encode(p.name, true) + "=" + uri_encode(p.value, true) + "&";
    }
    url += "X-Amz-Signature=" + signature;
    url += "&User-Agent=" + uri_encode(user_agent, true);
    return url;
}

Result<MskIamToken> msk_iam_token(const AwsCredentials& credentials, std::string_view region, TimestampUs now,
                                  std::string_view user_agent) {
    auto url = msk_iam_presigned_url(credentials, region, now, user_agent);
    if (!url) {
        return fail(url.error());
    }
    MskIamToken token;
    token.value = base64url_unpadded(*url);
    token.expires = (now / kMicrosPerSecond + kMskTokenLifetimeSeconds) * kMicrosPerSecond;
    token.principal = credentials.access_key_id;
    return token;
}

} // namespace ticklake::aws
