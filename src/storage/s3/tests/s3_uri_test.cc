#include "storage/s3/s3_uri.h"

#include <gtest/gtest.h>

namespace ticklake::s3 {
namespace {

TEST(S3Uri, ParsesBucketAndKeyVerbatim) {
    auto a = parse_s3_uri("s3://market-data/warehouse/trades/");
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(*a, (S3Location{"market-data", "warehouse/trades/"}));
    EXPECT_EQ(a->uri(), "s3://market-data/warehouse/trades/");
    auto b = parse_s3_uri("S3://my.bucket.01");
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(*b, (S3Location{"my.bucket.01", ""}));
    EXPECT_EQ(b->uri(), "s3://my.bucket.01");
    EXPECT_EQ(parse_s3_uri("s3://abc/")->key, "");
}

TEST(S3Uri, RejectsNonS3AndMissingBucket) {
    for (const char* bad : {"", "s3:/b/k", "file:///tmp/x", "s3://", "s3:///key", "/plain/path"}) {
        auto r = parse_s3_uri(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
        EXPECT_NE(r.error().message.find("s3://bucket/prefix"), std::string::npos) << r.error().message;
    }
    EXPECT_FALSE(parse_s3_uri("s3://b/" + std::string(1025, 'k')));
}

TEST(S3Uri, BucketNameRulesSayWhichRuleIsBroken) {
    const std::vector<std::string> good_names = {"abc", "a-b.c", "0bucket9", "my.data.lake", std::string(63, 'a')};
    for (const auto& good : good_names) {
        EXPECT_TRUE(validate_bucket_name(good)) << good;
    }
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"ab", "3 to 63"},
        {std::string(64, 'a'), "3 to 63"},
        {"MyBucket", "lower-case"},
        {"under_score", "lower-case"},
        {"-abc", "begin and end"},
        {"abc.", "begin and end"},
        {"a..b", "adjacent periods"},
        {"192.168.5.4", "IP address"},
        {"xn--abc", "xn--"},
        {"sthree-abc", "sthree-"},
        {"bucket-s3alias", "-s3alias"},
        {"bucket--ol-s3", "--ol-s3"},
    };
    for (const auto& [name, rule] : bad) {
        auto r = validate_bucket_name(name);
        ASSERT_FALSE(r) << name;
        EXPECT_NE(r.error().message.find(rule), std::string::npos) << name << ": " << r.error().message;
    }
    auto in_uri = parse_s3_uri("s3://Bad_Bucket/x");
    ASSERT_FALSE(in_uri);
    EXPECT_NE(in_uri.error().message.find("s3://Bad_Bucket/x"), std::string::npos);
}

TEST(S3Endpoint, ParsesSchemeHostAndPort) {
    auto m = parse_endpoint_url("http://127.0.0.1:9000");
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(*m, (S3Endpoint{"http", "127.0.0.1", 9000}));
    EXPECT_EQ(m->authority(), "127.0.0.1:9000");
    auto h = parse_endpoint_url("HTTPS://S3.Example.com/");
    ASSERT_TRUE(h) << h.error().message;
    EXPECT_EQ(*h, (S3Endpoint{"https", "s3.example.com", 443}));
    EXPECT_EQ(h->authority(), "s3.example.com");
    auto p = parse_endpoint_url("http://minio");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->port, 80);
    EXPECT_TRUE(p->default_port());
    auto v6 = parse_endpoint_url("http://[::1]:9000");
    ASSERT_TRUE(v6) << v6.error().message;
    EXPECT_EQ(v6->host, "[::1]");
    EXPECT_EQ(v6->authority(), "[::1]:9000");
    EXPECT_EQ(parse_endpoint_url("https://h:443")->authority(), "h");
}

TEST(S3Endpoint, RejectsWhatWeCannotAddress) {
    for (const char* bad : {"127.0.0.1:9000", "ftp://h", "http://", "http://h:0", "http://h:65536", "http://h:x",
                            "http://h:", "http://user:pw@h", "http://h/base/path", "http://h?x=1", "http://h w"}) {
        auto r = parse_endpoint_url(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_NE(r.error().message.find("expected http(s)://host[:port]"), std::string::npos) << r.error().message;
    }
}

//! Every part of a request target, its URL included.
void expect_target(const Result<S3RequestTarget>& t, const S3RequestTarget& want, const std::string& url) {
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->scheme, want.scheme);
    EXPECT_EQ(t->host, want.host);
    EXPECT_EQ(t->connect_host, want.connect_host);
    EXPECT_EQ(t->port, want.port);
    EXPECT_EQ(t->path, want.path);
    EXPECT_EQ(t->url(), url);
}

TEST(S3Addressing, AwsDefaultIsVirtualHostedInTheRegion) {
    expect_target(s3_request_target("examplebucket", "db/t/dt=2025-01-06/a b.parquet", std::nullopt, "eu-west-1"),
                  {.scheme = "https",
                   .host = "examplebucket.s3.eu-west-1.amazonaws.com",
                   .connect_host = "examplebucket.s3.eu-west-1.amazonaws.com",
                   .port = 443,
                   .path = "/db/t/dt=2025-01-06/a b.parquet"},
                  "https://examplebucket.s3.eu-west-1.amazonaws.com/db/t/dt%3D2025-01-06/a%20b.parquet");
}

TEST(S3Addressing, AwsPathStyleAndDottedBuckets) {
    auto p = s3_request_target("examplebucket", "k", std::nullopt, "us-east-1", AddressingStyle::path);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->host, "s3.us-east-1.amazonaws.com");
    EXPECT_EQ(p->path, "/examplebucket/k");
    // Dots would not match the *.s3.<region>.amazonaws.com certificate: automatic goes path-style.
    auto d = s3_request_target("my.bucket", "k", std::nullopt, "us-east-1");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->host, "s3.us-east-1.amazonaws.com");
    EXPECT_EQ(d->path, "/my.bucket/k");
    auto bucket_level = s3_request_target("examplebucket", "", std::nullopt, "us-east-1");
    ASSERT_TRUE(bucket_level);
    EXPECT_EQ(bucket_level->path, "/");
}

TEST(S3Addressing, CustomEndpointIsPathStyleByDefault) {
    const auto minio = parse_endpoint_url("http://127.0.0.1:9000");
    ASSERT_TRUE(minio);
    expect_target(s3_request_target("lake", "a/b.json", *minio, ""),
                  {.scheme = "http", .host = "127.0.0.1:9000", .connect_host = "127.0.0.1", .port = 9000,
                   .path = "/lake/a/b.json"},
                  "http://127.0.0.1:9000/lake/a/b.json");
    auto bucket_level = s3_request_target("lake", "", *minio, "");
    ASSERT_TRUE(bucket_level);
    EXPECT_EQ(bucket_level->path, "/lake");

    const auto named = parse_endpoint_url("https://s3.example.com:8443");
    auto v = s3_request_target("lake", "k", *named, "", AddressingStyle::virtual_hosted);
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_EQ(v->host, "lake.s3.example.com:8443");
    EXPECT_EQ(v->path, "/k");
    auto ip_virtual = s3_request_target("lake", "k", *minio, "", AddressingStyle::virtual_hosted);
    ASSERT_FALSE(ip_virtual);
    EXPECT_NE(ip_virtual.error().message.find("path-style"), std::string::npos);
}

TEST(S3Addressing, NeedsARegionOrAnEndpointAndAValidBucket) {
    auto r = s3_request_target("lake", "k", std::nullopt, "");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("AWS_REGION"), std::string::npos) << r.error().message;
    EXPECT_FALSE(s3_request_target("lake", "k", std::nullopt, "EU West"));
    EXPECT_FALSE(s3_request_target("Lake", "k", std::nullopt, "us-east-1"));
}

TEST(S3Addressing, ParsesAddressingStyleNames) {
    EXPECT_EQ(*parse_addressing_style("auto"), AddressingStyle::automatic);
    EXPECT_EQ(*parse_addressing_style(""), AddressingStyle::automatic);
    EXPECT_EQ(*parse_addressing_style("path"), AddressingStyle::path);
    EXPECT_EQ(*parse_addressing_style("virtual"), AddressingStyle::virtual_hosted);
    EXPECT_FALSE(parse_addressing_style("Virtual"));
}

} // namespace
} // namespace ticklake::s3
