// The client's retry and error mapping, over a scripted transport (net/'s seam for faults);
// the real exchange with a Glue stand-in is tests/integration/test_glue.py against moto.
#include "glue/glue_client.h"

#include <deque>

#include <gtest/gtest.h>

namespace ticklake::glue {
namespace {

class ScriptedTransport final : public net::HttpTransport {
public:
    std::deque<net::HttpResponse> answers;
    std::vector<net::HttpRequest> sent;
    net::HttpResult send(const net::HttpRequest& request) override {
        sent.push_back(request);
        net::HttpResponse r = answers.front();
        answers.pop_front();
        return r;
    }
};

class FixedCredentials final : public aws::CredentialsSource {
public:
    Result<aws::AwsCredentials> current() override {
        return aws::AwsCredentials{"AKIDEXAMPLE", "secret", "", "test", std::nullopt};
    }
};

struct Fixture {
    std::shared_ptr<ScriptedTransport> transport = std::make_shared<ScriptedTransport>();
    std::vector<std::chrono::milliseconds> waits;

    GlueClient client() {
        aws::AwsEnvironment aws;
        aws.env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
        aws.clock = [] { return TimestampUs{1'700'000'000'000'000}; };
        aws.transport = transport;
        net::RetryPolicy retry = glue_throttle_policy();
        retry.max_attempts = 4;
        retry.random = [] { return 0.5; };
        retry.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
        return GlueClient(aws, GlueEndpoint{"http://127.0.0.1:5000", "eu-west-1"}, std::make_shared<FixedCredentials>(),
                          retry);
    }
};

net::HttpResponse answer(long status, std::string body) {
    net::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

const char* kThrottled = R"({"__type":"com.amazonaws.glue#ThrottlingException","message":"Rate exceeded"})";

TEST(GlueClient, RetriesThrottlingWithBackoffThenSucceeds) {
    Fixture f;
    f.transport->answers = {answer(400, kThrottled), answer(400, kThrottled), answer(200, "{}")};
    GlueClient c = f.client();
    auto r = c.call("GetTable", R"({"DatabaseName":"market","Name":"trades"})");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, "{}");
    EXPECT_EQ(f.transport->sent.size(), 3u);
    EXPECT_EQ(c.requests(), 3);
    ASSERT_EQ(f.waits.size(), 2u);
    EXPECT_LT(f.waits[0], f.waits[1]); // backoff grows
}

TEST(GlueClient, SignsAJsonApiRequestForGlue) {
    Fixture f;
    f.transport->answers = {answer(200, "{}")};
    GlueClient c = f.client();
    ASSERT_TRUE(c.call("CreateDatabase", R"({"DatabaseInput":{"Name":"market"}})"));
    const net::HttpRequest& req = f.transport->sent.at(0);
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.url, "http://127.0.0.1:5000/");
    auto header = [&](std::string_view name) {
        for (const auto& h : req.headers) {
            if (h.name == name) {
                return h.value;
            }
        }
        return std::string();
    };
    EXPECT_EQ(header("x-amz-target"), "AWSGlue.CreateDatabase");
    EXPECT_EQ(header("content-type"), "application/x-amz-json-1.1");
    const std::string auth = header("Authorization");
    EXPECT_NE(auth.find("/eu-west-1/glue/aws4_request"), std::string::npos) << auth;
    EXPECT_NE(auth.find("x-amz-target"), std::string::npos) << "the target must be signed: " << auth;
}

TEST(GlueClient, NotFoundAndOtherErrorsAreNotRetried) {
    Fixture f;
    f.transport->answers = {
        answer(400, R"({"__type":"EntityNotFoundException","message":"Table trades not found."})"),
        answer(400, R"({"__type":"InvalidInputException","message":"bad name"})")};
    GlueClient c = f.client();
    auto missing = c.call("GetTable", "{}");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
    auto invalid = c.call("CreateTable", "{}");
    ASSERT_FALSE(invalid);
    EXPECT_EQ(invalid.error().kind, ErrorKind::fatal);
    EXPECT_NE(invalid.error().message.find("InvalidInputException: bad name"), std::string::npos)
        << invalid.error().message;
    EXPECT_TRUE(f.waits.empty());
}

TEST(GlueClient, StillThrottledAfterTheAttemptsIsARetryError) {
    Fixture f;
    for (int i = 0; i < 4; ++i) {
        f.transport->answers.push_back(answer(400, kThrottled));
    }
    GlueClient c = f.client();
    auto r = c.call("BatchCreatePartition", "{}");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::retry);
    EXPECT_EQ(f.transport->sent.size(), 4u);
}

TEST(GlueEndpoint, OverrideThenEnvironmentThenRegion) {
    aws::AwsEnvironment aws;
    aws.env = [](std::string_view name) -> std::optional<std::string> {
        if (name == "AWS_ENDPOINT_URL") {
            return "http://any:1/";
        }
        return std::nullopt;
    };
    EXPECT_EQ(glue_endpoint(aws, "", "http://flag:2/").url, "http://flag:2");
    EXPECT_EQ(glue_endpoint(aws, "", "").url, "http://any:1");
    EXPECT_EQ(glue_endpoint(aws, "", "").region, "us-east-1");
    aws.env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    EXPECT_EQ(glue_endpoint(aws, "eu-west-1", "").url, "https://glue.eu-west-1.amazonaws.com");
}

} // namespace
} // namespace ticklake::glue
