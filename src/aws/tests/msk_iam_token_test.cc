#include "aws/msk_iam_token.h"

#include <gtest/gtest.h>

namespace ticklake::aws {
namespace {

// The reference values below were produced by aws-msk-iam-sasl-signer-python 1.0.2 (the
// version pinned in setup/requirements-test.txt) with botocore's clock pinned to
// 2024-05-01T12:00:00Z, region us-west-2 and these credentials; tests/integration/test_aws.py
// runs the reference signer again and checks it still gives exactly these strings.
const AwsCredentials kCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "TOKEN/with+chars=",
                                  "test", std::nullopt};
constexpr std::string_view kReferenceUserAgent = "aws-msk-iam-sasl-signer-python/1.0.2";
// REFERENCE_TOKEN_WITH_SESSION
constexpr std::string_view kTokenWithSession =
    "aHR0cHM6Ly9rYWZrYS51cy13ZXN0LTIuYW1hem9uYXdzLmNvbS8_QWN0aW9uPWthZmthLWNsdXN0ZXIlM0FDb25uZWN0JlgtQW16LUFsZ29yaXRobT1BV1M0LUhNQUMtU0hBMjU2JlgtQW16LUNyZWRlbnRpYWw9QUtJREVYQU1QTEUlMkYyMDI0MDUwMSUyRnVzLXdlc3QtMiUyRmthZmthLWNsdXN0ZXIlMkZhd3M0X3JlcXVlc3QmWC1BbXotRGF0ZT0yMDI0MDUwMVQxMjAwMDBaJlgtQW16LUV4cGlyZXM9OTAwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9zdCZYLUFtei1TZWN1cml0eS1Ub2tlbj1UT0tFTiUyRndpdGglMkJjaGFycyUzRCZYLUFtei1TaWduYXR1cmU9MjBhZmQwM2UwNGNmZDhmMzNlMGJhZTJlMTc0ZmJiNmRlNzhlYTUxNmFiZmZjMmE1NTI0NjBlZDUwY2Y4ZjMyOCZVc2VyLUFnZW50PWF3cy1tc2staWFtLXNhc2wtc2lnbmVyLXB5dGhvbiUyRjEuMC4y";
// REFERENCE_TOKEN_WITHOUT_SESSION
constexpr std::string_view kTokenWithoutSession =
    "aHR0cHM6Ly9rYWZrYS51cy13ZXN0LTIuYW1hem9uYXdzLmNvbS8_QWN0aW9uPWthZmthLWNsdXN0ZXIlM0FDb25uZWN0JlgtQW16LUFsZ29yaXRobT1BV1M0LUhNQUMtU0hBMjU2JlgtQW16LUNyZWRlbnRpYWw9QUtJREVYQU1QTEUlMkYyMDI0MDUwMSUyRnVzLXdlc3QtMiUyRmthZmthLWNsdXN0ZXIlMkZhd3M0X3JlcXVlc3QmWC1BbXotRGF0ZT0yMDI0MDUwMVQxMjAwMDBaJlgtQW16LUV4cGlyZXM9OTAwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9zdCZYLUFtei1TaWduYXR1cmU9YzYzNWNmZjYwYzU1YWZjYzZlMmNkMTUyMTQ0ZDlhZWFjMTZmYjQ4NTg5Mzk2MTRkYjRmYjVmODNjYzVjOWUyMCZVc2VyLUFnZW50PWF3cy1tc2staWFtLXNhc2wtc2lnbmVyLXB5dGhvbiUyRjEuMC4y";
constexpr int64_t kReferenceExpiryMs = 1714565700000;

TimestampUs fixed_time() { return *parse_iso8601("2024-05-01T12:00:00Z"); }

TEST(MskIamToken, MatchesTheReferenceSignerByteForByte) {
    auto token = msk_iam_token(kCredentials, "us-west-2", fixed_time(), kReferenceUserAgent);
    ASSERT_TRUE(token) << token.error().message;
    EXPECT_EQ(token->value, kTokenWithSession);
    EXPECT_EQ(token->expires / 1000, kReferenceExpiryMs);
    EXPECT_EQ(token->principal, "AKIDEXAMPLE");

    AwsCredentials long_term = kCredentials;
    long_term.session_token.clear();
    auto without = msk_iam_token(long_term, "us-west-2", fixed_time(), kReferenceUserAgent);
    ASSERT_TRUE(without);
    EXPECT_EQ(without->value, kTokenWithoutSession);
}

TEST(MskIamToken, OurUserAgentChangesOnlyTheUnsignedTail) {
    auto ours = msk_iam_presigned_url(kCredentials, "us-west-2", fixed_time(), "ticklake");
    auto theirs = msk_iam_presigned_url(kCredentials, "us-west-2", fixed_time(), kReferenceUserAgent);
    ASSERT_TRUE(ours && theirs);
    const auto signed_end = theirs->find("&User-Agent=");
    ASSERT_NE(signed_end, std::string::npos);
    EXPECT_EQ(ours->substr(0, signed_end), theirs->substr(0, signed_end));
    EXPECT_EQ(ours->substr(signed_end), "&User-Agent=ticklake");
}

TEST(MskIamToken, RefusesMissingCredentialsOrRegion) {
    EXPECT_FALSE(msk_iam_token(AwsCredentials{}, "us-west-2", fixed_time()));
    EXPECT_FALSE(msk_iam_token(kCredentials, "", fixed_time()));
}

TEST(MskIamToken, Base64UrlWithoutPadding) {
    EXPECT_EQ(base64url_unpadded(""), "");
    EXPECT_EQ(base64url_unpadded("f"), "Zg");
    EXPECT_EQ(base64url_unpadded("fo"), "Zm8");
    EXPECT_EQ(base64url_unpadded("foo"), "Zm9v");
    EXPECT_EQ(base64url_unpadded("\xfb\xff"), "-_8");
}

} // namespace
} // namespace ticklake::aws
