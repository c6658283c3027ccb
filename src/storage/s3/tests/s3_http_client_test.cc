#include "storage/s3/s3_http_client.h"

#include <set>

#include <gtest/gtest.h>

#include "storage/s3/tests/fake_http_transport.h"

namespace ticklake::s3 {

namespace {

using std::chrono::milliseconds;

struct RecordingPolicy {
    std::vector<milliseconds> sleeps;
    RetryPolicy policy;
    explicit RecordingPolicy(double jitter = 0.5) {
        policy.max_attempts = 4;
        policy.base_delay = milliseconds(100);
        policy.max_delay = milliseconds(1000);
        policy.sleep = [this](milliseconds d) { sleeps.push_back(d); };
        policy.jitter = [jitter] { return jitter; };
    }
};

Result<RetryOutcome> run(FakeHttpTransport& t, const RetryPolicy& p) {
    int built = 0;
    return send_with_retries(
        t, [&]() -> Result<HttpRequest> { return HttpRequest{"GET", "http://x/" + std::to_string(built++)}; }, p);
}

} // namespace

TEST(RetryTest, SlowDownThenOkSucceedsAfterOneRetry) {
    FakeHttpTransport t;
    t.respond(503, "<Error><Code>SlowDown</Code></Error>");
    t.respond(200, "done");
    RecordingPolicy rp;
    auto out = run(t, rp.policy);
    ASSERT_TRUE(out);
    ASSERT_TRUE(out->result);
    EXPECT_EQ(out->result->status, 200);
    EXPECT_EQ(out->result->body, "done");
    EXPECT_EQ(out->attempts, 2);
    ASSERT_EQ(rp.sleeps.size(), 1u);
    EXPECT_EQ(rp.sleeps[0], milliseconds(50));
    // The request is built again for the retry (so it is signed again).
    ASSERT_EQ(t.sent.size(), 2u);
    EXPECT_EQ(t.sent[0].url, "http://x/0");
    EXPECT_EQ(t.sent[1].url, "http://x/1");
}

TEST(RetryTest, ClientErrorsAreNotRetried) {
    for (long status : {400L, 403L, 404L, 409L}) {
        FakeHttpTransport t;
        t.respond(status, "<Error><Code>AccessDenied</Code></Error>");
        t.respond(200);
        RecordingPolicy rp;
        auto out = run(t, rp.policy);
        ASSERT_TRUE(out);
        EXPECT_EQ(out->result->status, status);
        EXPECT_EQ(out->attempts, 1) << status;
        EXPECT_TRUE(rp.sleeps.empty()) << status;
        EXPECT_EQ(t.sent.size(), 1u);
    }
}

TEST(RetryTest, RetriableFailuresAreRetriedUntilAttemptsRunOut) {
    FakeHttpTransport t;
    t.respond(500);
    t.fail_with(TransportErrorKind::timeout);
    t.fail_with(TransportErrorKind::connection);
    t.respond(429);
    t.respond(200);
    RecordingPolicy rp;
    auto out = run(t, rp.policy);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->attempts, 4);
    ASSERT_TRUE(out->result);
    EXPECT_EQ(out->result->status, 429);
    EXPECT_EQ(rp.sleeps, (std::vector<milliseconds>{milliseconds(50), milliseconds(100), milliseconds(200)}));
}

TEST(RetryTest, ClassifiesWhatIsRetriable) {
    EXPECT_TRUE(is_retriable(HttpResponse{503, {}, "<Code>SlowDown</Code>"}));
    EXPECT_TRUE(is_retriable(HttpResponse{500, {}, ""}));
    EXPECT_TRUE(is_retriable(HttpResponse{429, {}, ""}));
    EXPECT_TRUE(is_retriable(HttpResponse{400, {}, "<Error><Code>RequestTimeout</Code></Error>"}));
    EXPECT_FALSE(is_retriable(HttpResponse{400, {}, "<Error><Code>InvalidDigest</Code></Error>"}));
    EXPECT_FALSE(is_retriable(HttpResponse{403, {}, ""}));
    EXPECT_FALSE(is_retriable(HttpResponse{200, {}, ""}));
    EXPECT_TRUE(is_retriable(std::unexpected(TransportError{TransportErrorKind::timeout, ""})));
    EXPECT_TRUE(is_retriable(std::unexpected(TransportError{TransportErrorKind::connection, ""})));
    EXPECT_FALSE(is_retriable(std::unexpected(TransportError{TransportErrorKind::tls, ""})));
    EXPECT_FALSE(is_retriable(std::unexpected(TransportError{TransportErrorKind::other, ""})));
}

TEST(RetryTest, TlsFailureIsNotRetried) {
    FakeHttpTransport t;
    t.fail_with(TransportErrorKind::tls);
    RecordingPolicy rp;
    auto out = run(t, rp.policy);
    ASSERT_TRUE(out);
    EXPECT_FALSE(out->result);
    EXPECT_EQ(out->attempts, 1);
}

TEST(BackoffTest, CeilingDoublesUpToTheCap) {
    RecordingPolicy rp;
    EXPECT_EQ(backoff_ceiling(rp.policy, 1), milliseconds(100));
    EXPECT_EQ(backoff_ceiling(rp.policy, 2), milliseconds(200));
    EXPECT_EQ(backoff_ceiling(rp.policy, 3), milliseconds(400));
    EXPECT_EQ(backoff_ceiling(rp.policy, 4), milliseconds(800));
    EXPECT_EQ(backoff_ceiling(rp.policy, 5), milliseconds(1000));
    EXPECT_EQ(backoff_ceiling(rp.policy, 60), milliseconds(1000));
}

TEST(BackoffTest, DelayIsJitteredWithinZeroAndTheCeiling) {
    EXPECT_EQ(backoff_delay(RecordingPolicy(0.0).policy, 3), milliseconds(0));
    EXPECT_EQ(backoff_delay(RecordingPolicy(0.25).policy, 3), milliseconds(100));
    EXPECT_EQ(backoff_delay(RecordingPolicy(0.9999999).policy, 3), milliseconds(399));
    EXPECT_EQ(backoff_delay(RecordingPolicy(7.0).policy, 3), milliseconds(399)); // clamped below the ceiling

    // The default jitter source: always within [0, ceiling), and spread out.
    RetryPolicy real;
    real.base_delay = milliseconds(1000);
    real.max_delay = milliseconds(100'000);
    std::set<int64_t> seen;
    for (int i = 0; i < 500; ++i) {
        const auto d = backoff_delay(real, 4);
        ASSERT_GE(d.count(), 0);
        ASSERT_LT(d.count(), 8000);
        seen.insert(d.count() / 1000);
    }
    EXPECT_EQ(seen.size(), 8u) << "500 samples should cover each eighth of [0, 8s)";
}

TEST(HttpResponseTest, HeaderLookupIsCaseInsensitive) {
    HttpResponse r{200, {{"etag", "\"abc\""}, {"content-length", "5"}}, ""};
    EXPECT_EQ(r.header("ETag"), "\"abc\"");
    EXPECT_EQ(r.header("Content-Length"), "5");
    EXPECT_EQ(r.header("x-missing"), "");
}

TEST(CurlHttpTransportTest, ConnectionRefusedIsAConnectionError) {
    CurlHttpTransport t(HttpTimeouts{milliseconds(2000), milliseconds(5000)});
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    auto r = t.send(HttpRequest{"GET", "http://127.0.0.1:1/"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, TransportErrorKind::connection);
    EXPECT_NE(r.error().message.find("127.0.0.1:1"), std::string::npos);
}

} // namespace ticklake::s3
