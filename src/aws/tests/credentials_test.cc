#include "aws/credentials.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace ticklake::aws {
namespace {

// Files live in a map: no test reads the real home folder.
struct FakeFiles {
    std::map<std::string, std::string> files;
    FileReader reader() const {
        return [this](const std::string& path) -> std::optional<std::string> {
            auto it = files.find(path);
            if (it == files.end()) {
                return std::nullopt;
            }
            return it->second;
        };
    }
};

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

void expect_credentials(const AwsCredentials& got, const AwsCredentials& want) {
    EXPECT_EQ(got.access_key_id, want.access_key_id);
    EXPECT_EQ(got.secret_access_key, want.secret_access_key);
    EXPECT_EQ(got.session_token, want.session_token);
    EXPECT_EQ(got.source, want.source);
}

TEST(AwsCredentials, EnvironmentComesFirst) {
    FakeFiles fs;
    fs.files["/h/.aws/credentials"] = "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n";
    auto s = resolve_aws_settings(env_from_map({{"HOME", "/h"},
                                                {"AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"},
                                                {"AWS_SECRET_ACCESS_KEY", kSecret},
                                                {"AWS_SESSION_TOKEN", "TOKEN"}}),
                                  fs.reader());
    ASSERT_TRUE(s) << s.error().message;
    expect_credentials(s->credentials, {"AKIAIOSFODNN7EXAMPLE", kSecret, "TOKEN", "environment"});
    EXPECT_EQ(s->profile, "default");
}

TEST(AwsCredentials, HalfSetEnvironmentIsAnErrorNamingTheMissingVariable) {
    auto s = resolve_aws_settings(env_from_map({{"AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"}}), FakeFiles{}.reader());
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind, ErrorKind::fatal);
    EXPECT_NE(s.error().message.find("AWS_SECRET_ACCESS_KEY is not"), std::string::npos) << s.error().message;
    EXPECT_EQ(s.error().message.find("AKIAIOSFODNN7EXAMPLE"), std::string::npos);
}

TEST(AwsCredentials, DefaultProfileFromCredentialsFileUnderHome) {
    FakeFiles fs;
    fs.files["/h/.aws/credentials"] =
        "# comment\n; another\n[other]\naws_access_key_id=OTHER\naws_secret_access_key=OTHERSECRET\n\n"
        "[default]\n  aws_access_key_id   =   AKIDDEFAULT  \naws_secret_access_key = " + std::string(kSecret) + "\n";
    fs.files["/h/.aws/config"] = "[default]\nregion = eu-west-3\n";
    auto s = resolve_aws_settings(env_from_map({{"HOME", "/h"}}), fs.reader());
    ASSERT_TRUE(s) << s.error().message;
    expect_credentials(s->credentials, {"AKIDDEFAULT", kSecret, "", "profile 'default' in /h/.aws/credentials"});
    EXPECT_EQ(s->region, "eu-west-3");
    EXPECT_EQ(s->region_source, "profile 'default' in /h/.aws/config");
}

TEST(AwsCredentials, NamedProfileIsBracketNameInCredentialsButProfilePrefixedInConfig) {
    FakeFiles fs;
    fs.files["/creds"] = "[default]\naws_access_key_id=D\naws_secret_access_key=DS\n"
                         "[profile ci]\naws_access_key_id=WRONG\naws_secret_access_key=WRONG\n";
    fs.files["/conf"] = "[default]\nregion=us-east-1\n"
                        "[ci]\nregion=wrong-region\n" // not a profile in the config file
                        "[profile ci]\nregion = ap-south-1\naws_access_key_id = CIKEY\naws_secret_access_key = CISECRET\n"
                        "aws_session_token = CITOKEN\n";
    auto s = resolve_aws_settings(
        env_from_map({{"AWS_PROFILE", "ci"}, {"AWS_SHARED_CREDENTIALS_FILE", "/creds"}, {"AWS_CONFIG_FILE", "/conf"}}),
        fs.reader());
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->profile, "ci");
    // "[profile ci]" in the credentials file is a profile literally named "profile ci".
    expect_credentials(s->credentials, {"CIKEY", "CISECRET", "CITOKEN", "profile 'ci' in /conf"});
    EXPECT_EQ(s->region, "ap-south-1");
}

TEST(AwsCredentials, CredentialsFileWinsOverConfigFileForTheSameProfile) {
    FakeFiles fs;
    fs.files["/h/.aws/credentials"] = "[ci]\naws_access_key_id=FROMCREDS\naws_secret_access_key=S1\n";
    fs.files["/h/.aws/config"] = "[profile ci]\naws_access_key_id=FROMCONFIG\naws_secret_access_key=S2\n";
    auto s = resolve_aws_settings(env_from_map({{"HOME", "/h"}, {"AWS_PROFILE", "ci"}}), fs.reader());
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->credentials.access_key_id, "FROMCREDS");
}

TEST(AwsCredentials, KeysAreCaseInsensitiveLikeTheAwsCli) {
    FakeFiles fs;
    fs.files["/h/.aws/credentials"] = "[default]\nAWS_ACCESS_KEY_ID=X\nAws_Secret_Access_Key=Y\n";
    auto s = resolve_aws_settings(env_from_map({{"HOME", "/h"}}), fs.reader());
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->credentials.access_key_id, "X");
    EXPECT_EQ(s->credentials.secret_access_key, "Y");
}

//! Where region and endpoint came from, as resolve_aws_settings() reports them.
struct Origins {
    std::string region;
    std::string region_source;
    std::string endpoint_url;
    std::string endpoint_source;
};

void expect_origins(const Result<AwsSettings>& s, const Origins& want) {
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->region, want.region);
    EXPECT_EQ(s->region_source, want.region_source);
    EXPECT_EQ(s->endpoint_url, want.endpoint_url);
    EXPECT_EQ(s->endpoint_source, want.endpoint_source);
}

TEST(AwsCredentials, RegionAndEndpointPrecedence) {
    FakeFiles fs;
    fs.files["/h/.aws/credentials"] = "[default]\naws_access_key_id=K\naws_secret_access_key=S\n";
    fs.files["/h/.aws/config"] = "[default]\nregion = eu-central-1\nendpoint_url = http://profile:1\n"
                                 "s3 =\n  addressing_style = path\n  endpoint_url = http://profile-s3:2\n";
    std::map<std::string, std::string> env = {{"HOME", "/h"}};
    auto s = resolve_aws_settings(env_from_map(env), fs.reader());
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->region, "eu-central-1");
    EXPECT_EQ(s->endpoint_url, "http://profile-s3:2");
    EXPECT_EQ(s->addressing_style, "path");

    env["AWS_DEFAULT_REGION"] = "us-west-1";
    env["AWS_ENDPOINT_URL"] = "http://generic:9000";
    expect_origins(resolve_aws_settings(env_from_map(env), fs.reader()),
                   {"us-west-1", "AWS_DEFAULT_REGION", "http://generic:9000", "AWS_ENDPOINT_URL"});

    env["AWS_REGION"] = "us-west-2";
    env["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:9000";
    expect_origins(resolve_aws_settings(env_from_map(env), fs.reader()),
                   {"us-west-2", "AWS_REGION", "http://127.0.0.1:9000", "AWS_ENDPOINT_URL_S3"});

    // Set-but-empty variables count as unset, as for the AWS CLI.
    env["AWS_REGION"] = "";
    s = resolve_aws_settings(env_from_map(env), fs.reader());
    ASSERT_TRUE(s);
    EXPECT_EQ(s->region, "us-west-1");
}

TEST(AwsCredentials, MissingCredentialsErrorNamesEverythingLookedAt) {
    FakeFiles fs;
    fs.files["/h/.aws/config"] = "[default]\nregion = us-east-1\n";
    auto s = resolve_aws_settings(env_from_map({{"HOME", "/h"}}), fs.reader());
    ASSERT_FALSE(s);
    const std::string& m = s.error().message;
    EXPECT_EQ(s.error().kind, ErrorKind::fatal);
    for (const char* part : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "profile 'default'", "AWS_PROFILE not set",
                             "/h/.aws/credentials (missing)", "/h/.aws/config"}) {
        EXPECT_NE(m.find(part), std::string::npos) << "missing '" << part << "' in: " << m;
    }

    auto no_home = resolve_aws_settings(env_from_map({}), fs.reader());
    ASSERT_FALSE(no_home);
    EXPECT_NE(no_home.error().message.find("neither its variable nor HOME is set"), std::string::npos)
        << no_home.error().message;
}

//! The message of the error that resolve_aws_settings() must give with HOME=/h, this
//! /h/.aws/credentials and these other variables.
std::string refusal(const std::string& credentials_file, std::map<std::string, std::string> env = {}) {
    FakeFiles fs;
    fs.files["/h/.aws/credentials"] = credentials_file;
    env["HOME"] = "/h";
    auto s = resolve_aws_settings(env_from_map(env), fs.reader());
    EXPECT_FALSE(s) << "settings resolved where an error was due";
    return s ? std::string() : s.error().message;
}

TEST(AwsCredentials, UnknownExplicitProfileIsAnError) {
    const std::string m =
        refusal("[default]\naws_access_key_id=K\naws_secret_access_key=S\n", {{"AWS_PROFILE", "prod"}});
    EXPECT_NE(m.find("AWS_PROFILE names profile 'prod'"), std::string::npos) << m;
    EXPECT_NE(m.find("[profile prod]"), std::string::npos) << m;
}

TEST(AwsCredentials, HalfConfiguredProfileNamesTheMissingKeyButNotTheValue) {
    const std::string m = refusal("[default]\naws_secret_access_key = " + std::string(kSecret) + "\n");
    EXPECT_NE(m.find("not aws_access_key_id"), std::string::npos) << m;
    EXPECT_EQ(m.find(kSecret), std::string::npos);
}

TEST(AwsCredentials, MalformedFileErrorGivesLineButNeverContent) {
    const std::string m = refusal("[default]\naws_access_key_id = K\n" + std::string(kSecret) + "\n");
    EXPECT_NE(m.find("/h/.aws/credentials line 3"), std::string::npos) << m;
    EXPECT_EQ(m.find(kSecret), std::string::npos);
}

TEST(AwsCredentials, DescribeRedactsTheKeyIdAndNeverShowsSecrets) {
    const AwsCredentials c{"AKIAIOSFODNN7EXAMPLE", kSecret, "SESSIONTOKENVALUE", "environment"};
    const std::string d = c.describe();
    EXPECT_EQ(d, "access key ****MPLE, secret hidden, session token set, from environment");
    EXPECT_EQ(d.find("AKIAIOSFODNN7EXAMPLE"), std::string::npos);
    EXPECT_EQ(d.find(kSecret), std::string::npos);
    EXPECT_EQ(d.find("SESSIONTOKENVALUE"), std::string::npos);
    EXPECT_EQ(redact_access_key_id("SHORT"), "****");
    EXPECT_EQ(redact_access_key_id(""), "");
    EXPECT_EQ(AwsCredentials{}.describe(), "no credentials");
}

TEST(AwsCredentials, IniParserKeepsInlineHashesAndSplitsOnFirstDelimiter) {
    auto ini = parse_ini("[s]\nurl = http://h:9000/#x\nk: v=w\n[ profile  p ]\na=1\n", "t");
    ASSERT_TRUE(ini) << ini.error().message;
    EXPECT_EQ((*ini)["s"]["url"], "http://h:9000/#x");
    EXPECT_EQ((*ini)["s"]["k"], "v=w");
    EXPECT_EQ((*ini)["profile  p"]["a"], "1");
    EXPECT_FALSE(parse_ini("key = before any section\n", "t"));
    EXPECT_FALSE(parse_ini("[unterminated\n", "t"));
}

TEST(AwsCredentials, ReadsRealFilesThroughTheDiskReader) {
    const auto dir = std::filesystem::temp_directory_path() / ("tl-aws-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / ".aws");
    std::ofstream(dir / ".aws" / "credentials") << "[default]\naws_access_key_id = DISKKEY\naws_secret_access_key = DS\n";
    auto s = resolve_aws_settings(env_from_map({{"HOME", dir.string()}}), read_file_from_disk());
    std::filesystem::remove_all(dir);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->credentials.access_key_id, "DISKKEY");
}

} // namespace
} // namespace ticklake::aws
