#include "aws/credential_chain.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "aws/credential_process.h"

namespace ticklake::aws {
namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

// The environment and the files in maps; no request may leave the process (the transport is
// never called by choose_credential_provider, only by fetch()).
struct World {
    std::map<std::string, std::string> vars{{"HOME", "/h"}};
    std::map<std::string, std::string> files;

    AwsEnvironment env() const {
        AwsEnvironment aws;
        aws.env = env_from_map(vars);
        aws.read_file = [files = files](const std::string& path) -> std::optional<std::string> {
            auto it = files.find(path);
            return it == files.end() ? std::nullopt : std::optional<std::string>(it->second);
        };
        aws.clock = now_us;
        return aws;
    }
    Result<CredentialProvider> choose() const {
        const AwsEnvironment aws = env();
        auto profile = AwsProfile::load(aws.env, aws.read_file);
        if (!profile) {
            return fail(profile.error());
        }
        return choose_credential_provider(aws, *profile);
    }
    std::string chosen() const {
        auto p = choose();
        return p ? p->name : "error: " + p.error().message;
    }
};

TEST(CredentialChain, OrderEnvironmentWebIdentityProfileEcsImds) {
    World w;
    EXPECT_EQ(w.chosen(), "imds"); // nothing configured: the instance role is the last resort
    w.vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc";
    EXPECT_EQ(w.chosen(), "ecs");
    w.files["/h/.aws/config"] = "[default]\ncredential_process = /bin/true\n";
    EXPECT_EQ(w.chosen(), "credential_process");
    w.files["/h/.aws/credentials"] = "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = S\n";
    EXPECT_EQ(w.chosen(), "profile"); // static keys before credential_process, as the AWS CLI
    w.files["/h/.aws/config"] += "sso_start_url = https://d-123.awsapps.com/start\nsso_region = eu-west-1\n"
                                 "sso_account_id = 123456789012\nsso_role_name = Reader\n";
    EXPECT_EQ(w.chosen(), "sso");
    w.files["/h/.aws/config"] += "role_arn = arn:aws:iam::123456789012:role/r\nsource_profile = default\n";
    EXPECT_EQ(w.chosen(), "assume-role");
    w.vars["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/web";
    w.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/var/run/token";
    EXPECT_EQ(w.chosen(), "web-identity");
    w.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
    w.vars["AWS_SECRET_ACCESS_KEY"] = kSecret;
    EXPECT_EQ(w.chosen(), "environment");
}

TEST(CredentialChain, ImdsDisabledEndsTheChainWithEverythingLookedAt) {
    World w;
    w.vars["AWS_EC2_METADATA_DISABLED"] = "TRUE";
    auto p = w.choose();
    ASSERT_FALSE(p);
    EXPECT_NE(p.error().message.find("no AWS credentials found"), std::string::npos) << p.error().message;
    EXPECT_NE(p.error().message.find("AWS_EC2_METADATA_DISABLED"), std::string::npos) << p.error().message;
}

TEST(CredentialChain, ContainerFullUriMustBeLoopbackOrHttps) {
    World w;
    w.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://10.0.0.5/creds";
    auto p = w.choose();
    ASSERT_FALSE(p);
    EXPECT_NE(p.error().message.find("loopback"), std::string::npos);
    w.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:8080/creds";
    EXPECT_EQ(w.chosen(), "ecs");
    w.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "https://creds.example.com/x";
    EXPECT_EQ(w.chosen(), "ecs");
}

TEST(CredentialChain, AssumeRoleNeedsASourceAndAKnownSourceProfile) {
    World w;
    w.files["/h/.aws/config"] = "[profile r]\nrole_arn = arn:aws:iam::1:role/r\n";
    w.vars["AWS_PROFILE"] = "r";
    EXPECT_NE(w.chosen().find("neither source_profile nor credential_source"), std::string::npos) << w.chosen();
    w.files["/h/.aws/config"] += "source_profile = missing\n";
    EXPECT_NE(w.chosen().find("source_profile 'missing'"), std::string::npos) << w.chosen();
    w.files["/h/.aws/config"] = "[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = r\n";
    // A profile without keys that names itself would loop: cut after a few hops.
    EXPECT_NE(w.chosen().find("chain longer"), std::string::npos) << w.chosen();
}

TEST(CredentialChain, HalfSetEnvironmentIsStillAnError) {
    World w;
    w.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
    EXPECT_NE(w.chosen().find("AWS_SECRET_ACCESS_KEY is not"), std::string::npos);
}

TEST(CredentialChain, SsoCacheFileIsTheSha1OfTheSessionNameOrStartUrl) {
    // Values from Python's hashlib.sha1, as the AWS CLI names its cache files.
    EXPECT_EQ(sso_cache_file_name("my-sso"), "0ad374308c5a4e22f723adf10145eafad7c4031c.json");
    EXPECT_EQ(sso_cache_file_name("https://d-123.awsapps.com/start"), "2b829a45f04c9828cb45b7d092d8e4aa30818393.json");
}

TEST(CredentialProcess, SplitsLikePosixShlexWithoutAShell) {
    auto words = split_command_line(R"(/opt/bin/get creds --name 'a b' "c \"d\"" e\ f $HOME;rm)");
    ASSERT_TRUE(words);
    EXPECT_EQ(*words, (std::vector<std::string>{"/opt/bin/get", "creds", "--name", "a b", "c \"d\"", "e f", "$HOME;rm"}));
    EXPECT_FALSE(split_command_line("x 'open"));
    EXPECT_FALSE(split_command_line("   "));
}

TEST(CredentialProcess, ParsesVersionOneAndNamesMissingFieldsWithoutValues) {
    auto c = parse_credential_process_output(
        R"({"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "SEKRIT", "SessionToken": "T",
            "Expiration": "2030-01-02T03:04:05Z"})",
        "credential_process");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->access_key_id, "AKID");
    EXPECT_EQ(c->session_token, "T");
    ASSERT_TRUE(c->expiration);
    EXPECT_EQ(*c->expiration, *parse_iso8601("2030-01-02T03:04:05Z"));
    auto bad = parse_credential_process_output(R"({"Version": 1, "SecretAccessKey": "SEKRIT"})", "cp");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message.find("SEKRIT"), std::string::npos);
    EXPECT_FALSE(parse_credential_process_output(R"({"Version": 2, "AccessKeyId": "a", "SecretAccessKey": "b"})", "cp"));
}

TEST(CredentialProcess, RunsTheProgramWithoutAShell) {
    auto c = run_credential_process(R"(printf '{"Version":1,"AccessKeyId":"AKIDP","SecretAccessKey":"S;x"}')", "cp");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->access_key_id, "AKIDP");
    EXPECT_EQ(c->secret_access_key, "S;x");
    EXPECT_FALSE(c->expiration);
    auto failed = run_credential_process("false", "cp");
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.error().message.find("exit 1"), std::string::npos);
    EXPECT_FALSE(run_credential_process("/nonexistent/program", "cp"));
}

// A provider whose credentials live `lifetime`; each fetch hands out the next key.
struct CountingProvider {
    std::shared_ptr<std::atomic<int>> fetches = std::make_shared<std::atomic<int>>(0);
    std::shared_ptr<std::atomic<bool>> broken = std::make_shared<std::atomic<bool>>(false);
    std::chrono::milliseconds lifetime;

    CredentialProvider provider() const {
        return {"test", [fetches = fetches, broken = broken, lifetime = lifetime]() -> Result<AwsCredentials> {
                    if (*broken) {
                        return fail(Error::retry("provider down"));
                    }
                    const int n = ++*fetches;
                    return AwsCredentials{"AKID" + std::to_string(n), "S", "T", "test",
                                          now_us() + std::chrono::duration_cast<std::chrono::microseconds>(lifetime).count()};
                }};
    }
};

TEST(RefreshingCredentials, RefreshesInTheBackgroundBeforeExpiryAndNeverHandsOutExpiredKeys) {
    CountingProvider p{.lifetime = std::chrono::milliseconds(600)};
    auto source = RefreshingCredentials::start(p.provider());
    ASSERT_TRUE(source);
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(2000);
    while (std::chrono::steady_clock::now() < end) {
        auto c = (*source)->current();
        ASSERT_TRUE(c);
        ASSERT_GT(*c->expiration, now_us());
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // Refreshed at half of each 600 ms lifetime: about six times in two seconds.
    EXPECT_GE((*source)->refreshes(), 4);
    EXPECT_LE((*source)->refreshes(), 9);
}

TEST(RefreshingCredentials, KeepsTheOldKeysWhileRefreshFailsThenReportsExpiry) {
    CountingProvider p{.lifetime = std::chrono::milliseconds(800)};
    RefreshOptions options;
    options.retry_initial = std::chrono::milliseconds(50);
    options.retry_max = std::chrono::milliseconds(100);
    auto source = RefreshingCredentials::start(p.provider(), options);
    ASSERT_TRUE(source);
    *p.broken = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(550)); // past the refresh point, before expiry
    auto still = (*source)->current();
    ASSERT_TRUE(still);
    EXPECT_EQ(still->access_key_id, "AKID1");
    std::this_thread::sleep_for(std::chrono::milliseconds(400)); // past expiry
    auto expired = (*source)->current();
    ASSERT_FALSE(expired);
    EXPECT_EQ(expired.error().kind, ErrorKind::retry);
    *p.broken = false;
    auto back = (*source)->current();
    ASSERT_TRUE(back);
    EXPECT_NE(back->access_key_id, "AKID1");
}

TEST(RefreshingCredentials, LongTermKeysStartNoThreadAndNeverChange) {
    auto source = RefreshingCredentials::start({"environment", [] {
                                                    return Result<AwsCredentials>(AwsCredentials{"AKID", "S", "", "env"});
                                                }});
    ASSERT_TRUE(source);
    EXPECT_EQ((*source)->current()->access_key_id, "AKID");
    EXPECT_EQ((*source)->refreshes(), 0);
}

} // namespace
} // namespace ticklake::aws
