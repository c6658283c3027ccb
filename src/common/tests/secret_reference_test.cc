#include "common/secret_reference.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

namespace ticklake {
namespace {

TEST(SecretReference, TextWithoutReferencesIsUnchanged) {
    EXPECT_EQ(resolve_secret_references("SASL_SSL", "security.protocol").value(), "SASL_SSL");
    EXPECT_EQ(resolve_secret_references("", "x").value(), "");
}

TEST(SecretReference, EnvironmentVariableInsideText) {
    ::setenv("TICKLAKE_TEST_SECRET", "s3cr3t", 1);
    EXPECT_EQ(resolve_secret_references("user:${env:TICKLAKE_TEST_SECRET}!", "k").value(), "user:s3cr3t!");
    ::unsetenv("TICKLAKE_TEST_SECRET");
}

TEST(SecretReference, MissingVariableNamesTheSettingAndTheVariable) {
    ::unsetenv("TICKLAKE_TEST_NOT_SET");
    auto r = resolve_secret_references("${env:TICKLAKE_TEST_NOT_SET}", "sasl.password");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(r.error().message.find("sasl.password"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("TICKLAKE_TEST_NOT_SET"), std::string::npos) << r.error().message;
}

TEST(SecretReference, FileContentWithoutItsLastLineEnding) {
    const std::string path = ::testing::TempDir() + "ticklake_secret_reference_test";
    std::ofstream(path) << "from-a-file\n";
    EXPECT_EQ(resolve_secret_references("${file:" + path + "}", "k").value(), "from-a-file");
    std::remove(path.c_str());
    auto gone = resolve_secret_references("${file:" + path + "}", "sasl.password");
    ASSERT_FALSE(gone);
    EXPECT_NE(gone.error().message.find("sasl.password"), std::string::npos);
    EXPECT_NE(gone.error().message.find(path), std::string::npos);
}

TEST(SecretReference, EscapeUnknownKindAndUnclosed) {
    EXPECT_EQ(resolve_secret_references("a$${env:X}", "k").value(), "a${env:X}");
    EXPECT_FALSE(resolve_secret_references("${vault:x}", "k"));
    EXPECT_FALSE(resolve_secret_references("${env:X", "k"));
}

TEST(SecretSetting, TheOneListOfSecretNames) {
    for (const char* secret : {"sasl.password", "ssl.keystore.password", "sasl.oauthbearer.client.secret",
                               "sasl.oauthbearer.config", "ssl.key.pem", "ssl_key", "aws_secret_access_key",
                               "AWS_SESSION_TOKEN", "s3-secret-key", "sasl.jaas.config"}) {
        EXPECT_TRUE(is_secret_setting(secret)) << secret;
    }
    for (const char* open : {"sasl.username", "security.protocol", "sasl.mechanisms", "warehouse", "ssl.ca.location",
                             "aws_access_key_id"}) {
        EXPECT_FALSE(is_secret_setting(open)) << open;
    }
    EXPECT_EQ(masked_value("sasl.password", "hunter2"), "********");
    EXPECT_EQ(masked_value("sasl.username", "alice"), "alice");
}

} // namespace
} // namespace ticklake
