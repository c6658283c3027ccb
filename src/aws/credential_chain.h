// The AWS default credential chain, in the SDKs' order, and the refresher that keeps its
// answer fresh for a process that runs for weeks.
//
// Order (the first provider that is configured answers, and keeps answering on refresh):
//   1. environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)
//   2. web identity: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE -> STS AssumeRoleWithWebIdentity
//   3. the profile (AWS_PROFILE): role_arn (+ source_profile, external_id) -> STS AssumeRole;
//      web_identity_token_file; SSO (sso_session or sso_start_url, cached token -> portal
//      GetRoleCredentials); static keys; credential_process
//   4. ECS: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (169.254.170.2) or _FULL_URI (loopback or
//      https only), AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)
//   5. EC2 IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT, default http://169.254.169.254), unless
//      AWS_EC2_METADATA_DISABLED=true
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "aws/aws_http.h"
#include "aws/credentials.h"
#include "common/error.h"

namespace ticklake::aws {

//! What signs a request: the credentials a provider holds now. Never expired ones.
class CredentialsSource {
public:
    virtual ~CredentialsSource() = default;
    virtual Result<AwsCredentials> current() = 0;
};

//! The provider the chain chose: its name ("environment", "web-identity", "assume-role",
//! "sso", "profile", "credential_process", "ecs", "imds") and how to fetch its credentials
//! (again: the refresher calls it before they expire).
struct CredentialProvider {
    std::string name;
    std::function<Result<AwsCredentials>()> fetch;
};

//! The first configured provider of the chain, for `profile`. Configuration mistakes (a
//! half-set pair, an unknown source_profile) are errors here; reachability is fetch()'s.
Result<CredentialProvider> choose_credential_provider(const AwsEnvironment& aws, const AwsProfile& profile);

//! The region IMDS places this instance in (placement/region), for when nothing else names one.
Result<std::string> imds_region(const AwsEnvironment& aws);

//! "<sha1 hex>.json": the SSO cache file name of a session name or start URL.
std::string sso_cache_file_name(std::string_view session_or_start_url);

struct RefreshOptions {
    //! Refresh this long before expiry at most (the SDKs' 5 minutes)...
    std::chrono::seconds max_margin{300};
    //! ...and at most this share of the lifetime before it, so credentials that live seconds
    //! (tests) are still used for a while.
    double lifetime_share = 0.5;
    //! Delays between failed refreshes; the old credentials stay in use until they expire.
    std::chrono::milliseconds retry_initial{1000};
    std::chrono::milliseconds retry_max{60'000};
    std::function<TimestampUs()> clock = now_us;
};

//! Holds a provider's credentials and refreshes them before they expire, on a thread of its
//! own. A caller never gets expired credentials: when the background refresh has not managed
//! in time, current() fetches itself (one caller at a time) or returns the error.
//! Long-term keys (no expiration) start no thread.
//! @locality current() from any thread; the refresher thread is owned and joined here.
class RefreshingCredentials final : public CredentialsSource {
public:
    //! Fetches once; an error here is the caller's (start-up fails with what the provider said).
    static Result<std::shared_ptr<RefreshingCredentials>> start(CredentialProvider provider,
                                                                 RefreshOptions options = {});
    ~RefreshingCredentials() override;
    RefreshingCredentials(const RefreshingCredentials&) = delete;
    RefreshingCredentials& operator=(const RefreshingCredentials&) = delete;

    Result<AwsCredentials> current() override;
    const std::string& provider_name() const { return provider_.name; }
    //! Successful fetches after the first.
    int refreshes() const { return refreshes_.load(); }

private:
    RefreshingCredentials(CredentialProvider provider, RefreshOptions options, AwsCredentials first);
    TimestampUs refresh_due() const; //!< under mutex_
    void run();
    bool expired(TimestampUs now) const; //!< under mutex_

    CredentialProvider provider_;
    RefreshOptions options_;
    std::mutex mutex_;
    std::condition_variable wake_;
    AwsCredentials credentials_;
    TimestampUs fetched_at_ = 0;
    bool stopping_ = false;
    std::atomic<int> refreshes_{0};
    std::thread thread_;
};

//! The chain for this process, started: which provider answered is provider_name().
Result<std::shared_ptr<RefreshingCredentials>> start_default_credentials(const AwsEnvironment& aws,
                                                                          const AwsProfile& profile);

//! What a client of an AWS service starts from: the profile's settings and the running chain.
struct DefaultIdentity {
    AwsSettings settings; //!< region filled from IMDS when the instance role answered and nothing named one
    std::shared_ptr<RefreshingCredentials> credentials;
};

//! The shared config files read, the service settings resolved and the chain started, as S3 and
//! MSK IAM both need them.
Result<DefaultIdentity> start_default_identity(const AwsEnvironment& aws);

} // namespace ticklake::aws
