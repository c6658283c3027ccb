#include "aws/credential_chain.h"

#include <algorithm>
#include <array>
#include <openssl/evp.h>

#include <simdjson.h>

#include "aws/credential_process.h"
#include "aws/sigv4.h"
#include "aws/sts_client.h"
#include "common/log.h"
#include "net/url.h"

namespace ticklake::aws {

namespace {

constexpr int kMaxRoleChain = 5; // source_profile hops, as a guard against a loop in the files

std::string trimmed(std::string s) {
    const auto begin = s.find_first_not_of(" \t\r\n");
    const auto end = s.find_last_not_of(" \t\r\n");
    return begin == std::string::npos ? std::string() : s.substr(begin, end - begin + 1);
}

std::string session_name(const AwsEnvironment& aws, std::optional<std::string> configured) {
    if (configured) {
        return *configured;
    }
    return "ticklake-" + std::to_string(aws.clock() / kMicrosPerSecond);
}

std::string region_for_sts(const AwsEnvironment& aws, const AwsProfile& profile) {
    if (auto r = aws.var("AWS_REGION")) {
        return *r;
    }
    if (auto r = aws.var("AWS_DEFAULT_REGION")) {
        return *r;
    }
    return profile.value("region").value_or("");
}

// The JSON credentials of the ECS and IMDS endpoints (AccessKeyId, SecretAccessKey, Token,
// Expiration); `what` names the endpoint in errors, which never quote the body.
Result<AwsCredentials> credentials_in_json(std::string_view body, const std::string& what) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
        return fail(Error::fatal(what + ": the answer is not a JSON object"));
    }
    auto text = [&](const char* key) -> std::string {
        std::string_view v;
        return doc[key].get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
    };
    const std::string code = text("Code");
    if (!code.empty() && code != "Success") {
        return fail(Error::fatal(what + ": Code " + code));
    }
    AwsCredentials c{text("AccessKeyId"), text("SecretAccessKey"), text("Token"), what, std::nullopt};
    if (c.access_key_id.empty() || c.secret_access_key.empty()) {
        return fail(Error::fatal(what + ": the answer lacks AccessKeyId or SecretAccessKey"));
    }
    if (const std::string expiration = text("Expiration"); !expiration.empty()) {
        auto at = parse_iso8601(expiration);
        if (!at) {
            return fail(Error::fatal(what + ": Expiration is not an ISO 8601 time"));
        }
        c.expiration = *at;
    }
    return c;
}

// A GET or PUT to a metadata endpoint; any status but 200 is an error naming the path.
Result<std::string> metadata_call(const AwsEnvironment& aws, const std::string& method, const std::string& url,
                                  std::vector<net::HttpHeader> headers, const std::string& what) {
    auto response = send_aws_request(
        aws,
        [&]() -> Result<net::HttpRequest> {
            net::HttpRequest req;
            req.method = method;
            req.url = url;
            req.headers = headers;
            return req;
        },
        what);
    if (!response) {
        return fail(response.error());
    }
    if (response->status != 200) {
        auto err = what + ": HTTP " + std::to_string(response->status);
        return fail(response->status >= 500 ? Error::retry(err) : Error::fatal(err));
    }
    return std::move(response->body);
}

// --- web identity -----------------------------------------------------------------------------

CredentialProvider web_identity_provider(const AwsEnvironment& aws, std::string role_arn, std::string token_file,
                                         std::string session, std::string region) {
    return {"web-identity", [aws, role_arn, token_file, session, region]() -> Result<AwsCredentials> {
                // Read on every fetch: the kubelet rotates the projected token file.
                auto token = aws.read_file(token_file);
                if (!token) {
                    return fail(Error::fatal("web identity: cannot read the token file " + token_file));
                }
                AssumeRoleRequest request{role_arn, session, "", std::nullopt};
                return sts_assume_role_with_web_identity(aws, sts_endpoint(aws, region), request, trimmed(*token));
            }};
}

// --- ECS --------------------------------------------------------------------------------------

bool allowed_container_host(const net::Url& url) {
    if (url.tls()) {
        return true;
    }
    const std::string& h = url.host;
    return h == "localhost" || h == "::1" || h.rfind("127.", 0) == 0 || h == "169.254.170.2" || h == "169.254.170.23";
}

Result<std::optional<CredentialProvider>> ecs_provider(const AwsEnvironment& aws) {
    std::string url;
    if (auto relative = aws.var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
        url = "http://169.254.170.2" + *relative;
    } else if (auto full = aws.var("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
        auto parsed = net::parse_url(*full);
        if (!parsed) {
            return fail(Error::invalid("AWS_CONTAINER_CREDENTIALS_FULL_URI: " + parsed.error().message));
        }
        if (!allowed_container_host(*parsed)) {
            return fail(Error::invalid("AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or point at a loopback "
                                       "address (or the ECS/EKS link-local agents), got host " + parsed->host));
        }
        url = *full;
    } else {
        return std::nullopt;
    }
    return CredentialProvider{"ecs", [aws, url]() -> Result<AwsCredentials> {
                                  std::vector<net::HttpHeader> headers;
                                  // The file wins and is read on every fetch (EKS Pod Identity rotates it).
                                  if (auto file = aws.var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
                                      auto token = aws.read_file(*file);
                                      if (!token) {
                                          return fail(Error::fatal("ECS credentials: cannot read "
                                                                   "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *file));
                                      }
                                      headers.push_back({"Authorization", trimmed(*token)});
                                  } else if (auto token = aws.var("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
                                      headers.push_back({"Authorization", *token});
                                  }
                                  const std::string what = "ECS container credentials at " +
                                                           (net::parse_url(url) ? net::parse_url(url)->redacted() : url);
                                  auto body = metadata_call(aws, "GET", url, headers, what);
                                  if (!body) {
                                      return fail(body.error());
                                  }
                                  return credentials_in_json(*body, "ecs");
                              }};
}

// --- IMDSv2 -----------------------------------------------------------------------------------

std::string imds_endpoint(const AwsEnvironment& aws) {
    std::string endpoint = aws.var("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("http://169.254.169.254");
    while (!endpoint.empty() && endpoint.back() == '/') {
        endpoint.pop_back();
    }
    return endpoint;
}

bool imds_disabled(const AwsEnvironment& aws) {
    auto v = aws.var("AWS_EC2_METADATA_DISABLED");
    if (!v) {
        return false;
    }
    std::string lower = *v;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return lower == "true";
}

// A session token first (PUT with a TTL), then the GET with it: IMDSv2 only, no v1 fallback.
Result<std::string> imds_get(const AwsEnvironment& aws, const std::string& path) {
    const std::string endpoint = imds_endpoint(aws);
    auto token = metadata_call(aws, "PUT", endpoint + "/latest/api/token",
                               {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}, "IMDS token at " + endpoint);
    if (!token) {
        return fail(token.error());
    }
    return metadata_call(aws, "GET", endpoint + path, {{"X-aws-ec2-metadata-token", *token}}, "IMDS " + path);
}

CredentialProvider imds_provider(const AwsEnvironment& aws) {
    return {"imds", [aws]() -> Result<AwsCredentials> {
                constexpr std::string_view kRoles = "/latest/meta-data/iam/security-credentials/";
                auto roles = imds_get(aws, std::string(kRoles));
                if (!roles) {
                    return fail(roles.error());
                }
                const std::string role = trimmed(roles->substr(0, roles->find('\n')));
                if (role.empty()) {
                    return fail(Error::fatal("IMDS: this instance has no IAM role attached"));
                }
                auto body = imds_get(aws, std::string(kRoles) + role);
                if (!body) {
                    return fail(body.error());
                }
                return credentials_in_json(*body, "imds");
            }};
}

// --- SSO --------------------------------------------------------------------------------------

std::string sha1_hex(std::string_view text) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha1(), nullptr);
    return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), size));
}

// Where a profile's SSO token is cached (keyed by session name or start URL) and its region.
struct SsoTarget {
    std::string cache_key;
    std::string region;
};

// std::nullopt when the profile does not use SSO at all.
Result<std::optional<SsoTarget>> sso_target(const AwsProfile& profile) {
    if (auto session = profile.value("sso_session")) {
        const IniSection* section = profile.sso_session(*session);
        if (section == nullptr) {
            return fail(Error::fatal("profile '" + profile.name() + "' names sso_session '" + *session +
                                     "', which the config file has no [sso-session " + *session + "] section for"));
        }
        auto region = section->find("sso_region");
        if (region == section->end()) {
            return fail(Error::fatal("[sso-session " + *session + "] has no sso_region"));
        }
        return SsoTarget{*session, region->second};
    }
    if (auto start_url = profile.value("sso_start_url")) {
        return SsoTarget{*start_url, profile.value("sso_region").value_or("")};
    }
    return std::nullopt;
}

// The access token `aws sso login` left in the cache, if it has not expired.
Result<std::string> sso_cached_token(const AwsEnvironment& aws, const std::string& cache_file,
                                     const std::string& login) {
    auto cached = aws.read_file(cache_file);
    if (!cached) {
        return fail(Error::fatal("SSO: no cached token at " + cache_file + login));
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view token;
    std::string_view expires;
    if (parser.parse(*cached).get(doc) != simdjson::SUCCESS || doc["accessToken"].get(token) != simdjson::SUCCESS ||
        doc["expiresAt"].get(expires) != simdjson::SUCCESS) {
        return fail(Error::fatal("SSO: " + cache_file + " lacks accessToken or expiresAt" + login));
    }
    auto expires_at = parse_iso8601(expires);
    if (!expires_at || *expires_at <= aws.clock()) {
        return fail(Error::fatal("SSO: the cached token in " + cache_file + " has expired" + login));
    }
    return std::string(token);
}

// The body of a GetRoleCredentials answer; its expiration is in milliseconds.
Result<AwsCredentials> sso_role_credentials(const std::string& body) {
    simdjson::dom::parser parser;
    simdjson::dom::element answer;
    simdjson::dom::element rc;
    if (parser.parse(body).get(answer) != simdjson::SUCCESS || answer["roleCredentials"].get(rc) != simdjson::SUCCESS) {
        return fail(Error::fatal("SSO GetRoleCredentials: the answer lacks roleCredentials"));
    }
    std::string_view id;
    std::string_view secret;
    std::string_view session;
    int64_t expiration_ms = 0;
    if (rc["accessKeyId"].get(id) != simdjson::SUCCESS || rc["secretAccessKey"].get(secret) != simdjson::SUCCESS ||
        rc["sessionToken"].get(session) != simdjson::SUCCESS ||
        rc["expiration"].get(expiration_ms) != simdjson::SUCCESS) {
        return fail(Error::fatal("SSO GetRoleCredentials: roleCredentials lacks a field"));
    }
    return AwsCredentials{std::string(id), std::string(secret), std::string(session), "sso", expiration_ms * 1000};
}

Result<std::optional<CredentialProvider>> sso_provider(const AwsEnvironment& aws, const AwsProfile& profile) {
    auto target = sso_target(profile);
    if (!target) {
        return fail(target.error());
    }
    if (!*target) {
        return std::nullopt;
    }
    const std::string& sso_region = (*target)->region;
    auto account = profile.value("sso_account_id");
    auto role = profile.value("sso_role_name");
    if (!account || !role || sso_region.empty()) {
        return fail(Error::fatal("profile '" + profile.name() +
                                 "' uses SSO but lacks sso_account_id, sso_role_name or sso_region"));
    }
    auto home = aws.var("HOME");
    if (!home) {
        return fail(Error::fatal("SSO: HOME is not set, so the token cache ~/.aws/sso/cache cannot be found"));
    }
    const std::string cache_file = *home + "/.aws/sso/cache/" + sso_cache_file_name((*target)->cache_key);
    std::string portal = aws.var("AWS_ENDPOINT_URL_SSO").value_or("https://portal.sso." + sso_region + ".amazonaws.com");
    while (!portal.empty() && portal.back() == '/') {
        portal.pop_back();
    }
    const std::string url = portal + "/federation/credentials?account_id=" + uri_encode(*account, true) +
                            "&role_name=" + uri_encode(*role, true);
    return CredentialProvider{
        "sso", [aws, cache_file, url, name = profile.name()]() -> Result<AwsCredentials> {
            const std::string login = ": run `aws sso login --profile " + name + "`";
            auto token = sso_cached_token(aws, cache_file, login);
            if (!token) {
                return fail(token.error());
            }
            auto body = metadata_call(aws, "GET", url, {{"x-amz-sso_bearer_token", *token}}, "SSO GetRoleCredentials");
            if (!body) {
                return fail(body.error());
            }
            return sso_role_credentials(*body);
        }};
}

// --- profile ----------------------------------------------------------------------------------

CredentialProvider fixed_provider(std::string name, AwsCredentials credentials) {
    return {std::move(name), [credentials]() -> Result<AwsCredentials> { return credentials; }};
}

Result<std::optional<CredentialProvider>> profile_provider(const AwsEnvironment& aws, const AwsProfile& profile,
                                                           int depth);

// Credentials a role is assumed with: source_profile's, or credential_source's.
Result<CredentialProvider> role_source(const AwsEnvironment& aws, const AwsProfile& profile, int depth) {
    if (auto source = profile.value("source_profile")) {
        if (depth >= kMaxRoleChain) {
            return fail(Error::fatal("profile '" + profile.name() + "': source_profile chain longer than " +
                                     std::to_string(kMaxRoleChain) + " (a loop?)"));
        }
        auto other = profile.other(*source);
        if (!other) {
            return fail(other.error());
        }
        // A source profile's own static keys come before its role_arn, as in the AWS CLI, so
        // a profile may name itself as its source.
        auto keys = other->static_credentials();
        if (!keys) {
            return fail(keys.error());
        }
        if (*keys) {
            return fixed_provider("profile", std::move(**keys));
        }
        auto chained = profile_provider(aws, *other, depth + 1);
        if (!chained) {
            return fail(chained.error());
        }
        if (!*chained) {
            return fail(Error::fatal("profile '" + profile.name() + "': source_profile '" + *source +
                                     "' has no credentials"));
        }
        return std::move(**chained);
    }
    if (auto source = profile.value("credential_source")) {
        if (*source == "Environment") {
            auto env = credentials_from_environment(aws.env);
            if (!env || !*env) {
                return fail(env ? Error::fatal("credential_source Environment: AWS_ACCESS_KEY_ID is not set")
                                : env.error());
            }
            return fixed_provider("environment", std::move(**env));
        }
        if (*source == "EcsContainer") {
            auto ecs = ecs_provider(aws);
            if (!ecs || !*ecs) {
                return fail(ecs ? Error::fatal("credential_source EcsContainer: no container credentials variable is set")
                                : ecs.error());
            }
            return std::move(**ecs);
        }
        if (*source == "Ec2InstanceMetadata") {
            return imds_provider(aws);
        }
        return fail(Error::invalid("profile '" + profile.name() + "': credential_source '" + *source +
                                   "' is not Environment, EcsContainer or Ec2InstanceMetadata"));
    }
    return fail(Error::fatal("profile '" + profile.name() + "' sets role_arn but neither source_profile nor "
                             "credential_source"));
}

Result<std::optional<CredentialProvider>> profile_provider(const AwsEnvironment& aws, const AwsProfile& profile,
                                                           int depth) {
    auto role_arn = profile.value("role_arn");
    if (role_arn) {
        if (auto token_file = profile.value("web_identity_token_file")) {
            return web_identity_provider(aws, *role_arn, *token_file,
                                         session_name(aws, profile.value("role_session_name")),
                                         region_for_sts(aws, profile));
        }
        auto source = role_source(aws, profile, depth);
        if (!source) {
            return fail(source.error());
        }
        AssumeRoleRequest request{*role_arn, session_name(aws, profile.value("role_session_name")),
                                  profile.value("external_id").value_or(""), std::nullopt};
        if (auto duration = profile.value("duration_seconds")) {
            try {
                request.duration_seconds = std::stoi(*duration);
            } catch (const std::exception&) {
                return fail(Error::invalid("profile '" + profile.name() + "': duration_seconds is not a number"));
            }
        }
        const std::string region = region_for_sts(aws, profile);
        return CredentialProvider{"assume-role", [aws, source = std::move(*source), request, region]() -> Result<AwsCredentials> {
                                      auto base = source.fetch();
                                      if (!base) {
                                          return fail(base.error());
                                      }
                                      return sts_assume_role(aws, sts_endpoint(aws, region), *base, request);
                                  }};
    }
    auto sso = sso_provider(aws, profile);
    if (!sso || *sso) {
        return sso;
    }
    auto keys = profile.static_credentials();
    if (!keys) {
        return fail(keys.error());
    }
    if (*keys) {
        return fixed_provider("profile", std::move(**keys));
    }
    if (auto command = profile.value("credential_process")) {
        return CredentialProvider{"credential_process", [command = *command]() {
                                      return run_credential_process(command, "credential_process");
                                  }};
    }
    return std::nullopt;
}

} // namespace

std::string sso_cache_file_name(std::string_view session_or_start_url) {
    return sha1_hex(session_or_start_url) + ".json";
}

Result<CredentialProvider> choose_credential_provider(const AwsEnvironment& aws, const AwsProfile& profile) {
    auto env = credentials_from_environment(aws.env);
    if (!env) {
        return fail(env.error());
    }
    if (*env) {
        return fixed_provider("environment", std::move(**env));
    }
    auto role_arn = aws.var("AWS_ROLE_ARN");
    auto token_file = aws.var("AWS_WEB_IDENTITY_TOKEN_FILE");
    if (role_arn && token_file) {
        return web_identity_provider(aws, *role_arn, *token_file, session_name(aws, aws.var("AWS_ROLE_SESSION_NAME")),
                                     region_for_sts(aws, profile));
    }
    auto from_profile = profile_provider(aws, profile, 0);
    if (!from_profile) {
        return fail(from_profile.error());
    }
    if (*from_profile) {
        return std::move(**from_profile);
    }
    auto ecs = ecs_provider(aws);
    if (!ecs) {
        return fail(ecs.error());
    }
    if (*ecs) {
        return std::move(**ecs);
    }
    if (imds_disabled(aws)) {
        return fail(Error::fatal(no_credentials_message(profile) +
                                 "; no web identity, container or instance credentials (AWS_EC2_METADATA_DISABLED)"));
    }
    // Last: IMDS. When it does not answer either, say everything the chain looked at.
    CredentialProvider imds = imds_provider(aws);
    return CredentialProvider{"imds", [imds, message = no_credentials_message(profile)]() -> Result<AwsCredentials> {
                                  auto c = imds.fetch();
                                  if (!c) {
                                      return fail(Error{c.error().kind, message +
                                                                            "; no web identity or container credentials "
                                                                            "set, and the instance metadata service "
                                                                            "did not give any (" + c.error().message + ")"});
                                  }
                                  return c;
                              }};
}

Result<std::string> imds_region(const AwsEnvironment& aws) {
    auto region = imds_get(aws, "/latest/meta-data/placement/region");
    if (!region) {
        return fail(region.error());
    }
    return trimmed(*region);
}

// --- refresher --------------------------------------------------------------------------------

Result<std::shared_ptr<RefreshingCredentials>> RefreshingCredentials::start(CredentialProvider provider,
                                                                             RefreshOptions options) {
    auto first = provider.fetch();
    if (!first) {
        return fail(first.error());
    }
    std::shared_ptr<RefreshingCredentials> self(
        new RefreshingCredentials(std::move(provider), std::move(options), std::move(*first)));
    if (self->credentials_.expiration) {
        self->thread_ = std::thread([raw = self.get()] { raw->run(); });
    }
    return self;
}

RefreshingCredentials::RefreshingCredentials(CredentialProvider provider, RefreshOptions options, AwsCredentials first)
    : provider_(std::move(provider)), options_(std::move(options)), credentials_(std::move(first)),
      fetched_at_(options_.clock()) {}

RefreshingCredentials::~RefreshingCredentials() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

bool RefreshingCredentials::expired(TimestampUs now) const {
    return credentials_.expiration && now >= *credentials_.expiration;
}

TimestampUs RefreshingCredentials::refresh_due() const {
    const TimestampUs expiry = *credentials_.expiration;
    const auto lifetime = std::max<TimestampUs>(0, expiry - fetched_at_);
    const auto margin = std::min<TimestampUs>(options_.max_margin.count() * kMicrosPerSecond,
                                              static_cast<TimestampUs>(static_cast<double>(lifetime) * options_.lifetime_share));
    return expiry - margin;
}

Result<AwsCredentials> RefreshingCredentials::current() {
    std::unique_lock lock(mutex_);
    const TimestampUs now = options_.clock();
    if (!expired(now)) {
        return credentials_;
    }
    // The refresher has not managed in time: fetch here, holding the lock, so concurrent
    // callers wait for one fetch rather than each starting their own.
    auto fresh = provider_.fetch();
    if (!fresh) {
        return fail(Error::retry("AWS credentials from " + provider_.name + " expired and could not be refreshed: " +
                                 fresh.error().message));
    }
    credentials_ = std::move(*fresh);
    fetched_at_ = now;
    refreshes_.fetch_add(1);
    wake_.notify_all();
    return credentials_;
}

void RefreshingCredentials::run() {
    net::RetryPolicy policy = net::reconnect_policy(options_.retry_initial, options_.retry_max);
    net::Backoff backoff(policy);
    std::unique_lock lock(mutex_);
    TimestampUs due = refresh_due();
    while (!stopping_) {
        const TimestampUs now = options_.clock();
        if (now < due) {
            wake_.wait_for(lock, std::chrono::microseconds(due - now));
            if (credentials_.expiration && due < refresh_due()) {
                due = refresh_due(); // current() refreshed meanwhile
            }
            continue;
        }
        // The fetch runs without the lock: signing goes on with the old credentials meanwhile.
        lock.unlock();
        auto fresh = provider_.fetch();
        const TimestampUs fetched = options_.clock();
        lock.lock();
        if (!fresh) {
            const auto delay = backoff.next();
            log::at(log::Level::warn, "AWS credentials from {}: refresh failed, keeping the current ones until they "
                                      "expire; next try in {} ms: {}",
                    provider_.name, delay.count(), fresh.error().message);
            due = fetched + std::chrono::duration_cast<std::chrono::microseconds>(delay).count();
            continue;
        }
        backoff.reset();
        credentials_ = std::move(*fresh);
        fetched_at_ = fetched;
        refreshes_.fetch_add(1);
        if (!credentials_.expiration) {
            return; // long-term keys now: nothing more to refresh
        }
        due = refresh_due();
    }
}

Result<std::shared_ptr<RefreshingCredentials>> start_default_credentials(const AwsEnvironment& aws,
                                                                          const AwsProfile& profile) {
    auto provider = choose_credential_provider(aws, profile);
    if (!provider) {
        return fail(provider.error());
    }
    RefreshOptions options;
    options.clock = aws.clock;
    return RefreshingCredentials::start(std::move(*provider), options);
}

Result<DefaultIdentity> start_default_identity(const AwsEnvironment& aws) {
    auto profile = AwsProfile::load(aws.env, aws.read_file);
    if (!profile) {
        return fail(profile.error());
    }
    auto settings = resolve_aws_service_settings(aws.env, *profile);
    if (!settings) {
        return fail(settings.error());
    }
    auto credentials = start_default_credentials(aws, *profile);
    if (!credentials) {
        return fail(credentials.error());
    }
    DefaultIdentity id{std::move(*settings), std::move(*credentials)};
    if (id.settings.region.empty() && id.credentials->provider_name() == "imds") {
        // On EC2 with nothing configured, the service is most likely in the instance's region.
        if (auto region = imds_region(aws)) {
            id.settings.region = *region;
        }
    }
    return id;
}

} // namespace ticklake::aws
