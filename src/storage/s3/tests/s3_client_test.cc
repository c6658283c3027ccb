#include "storage/s3/s3_client.h"

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include "storage/s3/s3_object_store.h"
#include "common/metrics.h"
#include "net/tests/fake_http_transport.h"

namespace ticklake::s3 {

namespace {

using net::HttpRequest;
using net::HttpResponse;
using net::TransportError;
using net::TransportErrorKind;
using net::testing::FakeHttpTransport;
using net::testing::header_of;

constexpr std::string_view kSecret = "fakeSecretKeyForUnitTests0123456789abcdef";

struct ClientUnderTest {
    std::shared_ptr<FakeHttpTransport> transport = std::make_shared<FakeHttpTransport>();
    std::vector<std::chrono::milliseconds> sleeps;
    TimestampUs now = 1'700'000'000 * kMicrosPerSecond;
    std::unique_ptr<S3Client> client;

    ClientUnderTest() {
        S3ClientConfig c;
        c.credentials = AwsCredentials{"AKIDUNITTEST", std::string(kSecret), "", "test"};
        c.region = "us-east-1";
        c.endpoint = S3Endpoint{"http", "127.0.0.1", 9000};
        c.retry.max_attempts = 3;
        c.retry.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
        c.retry.random = [] { return 0.5; };
        c.clock = [this] { return now += kMicrosPerSecond; }; // one second per signature
        client = std::make_unique<S3Client>(std::move(c), transport);
    }
};

} // namespace

TEST(S3ClientTest, PutSendsContentMd5AndSignedPayloadHash) {
    ClientUnderTest t;
    t.transport->respond(200);
    ASSERT_TRUE(t.client->put_object("bucket", "dir/a b.json", "hello"));
    ASSERT_EQ(t.transport->sent.size(), 1u);
    const HttpRequest& r = t.transport->sent[0];
    EXPECT_EQ(r.method, "PUT");
    EXPECT_EQ(r.url, "http://127.0.0.1:9000/bucket/dir/a%20b.json");
    EXPECT_EQ(r.body, "hello");
    EXPECT_EQ(header_of(r, "content-md5"), "XUFAKrxLKna5cZ2REBfFkg==");
    EXPECT_EQ(header_of(r, "x-amz-content-sha256"),
              "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    // The same SHA-256 in the form S3 stores with the object (value as boto3 computes it).
    EXPECT_EQ(header_of(r, "x-amz-checksum-sha256"), "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
    EXPECT_EQ(header_of(r, "x-amz-sdk-checksum-algorithm"), "SHA256");
    EXPECT_EQ(header_of(r, "x-amz-server-side-encryption"), "") << "no encryption header unless asked";
    EXPECT_NE(header_of(r, "Authorization")
                  .find("SignedHeaders=content-md5;host;x-amz-checksum-sha256;x-amz-content-sha256;x-amz-date;"
                        "x-amz-sdk-checksum-algorithm,"),
              std::string::npos)
        << header_of(r, "Authorization");
}

TEST(S3ClientTest, ServerSideEncryptionChoicesAreChecked) {
    EXPECT_TRUE(make_server_side_encryption("", ""));
    EXPECT_TRUE(make_server_side_encryption("AES256", ""));
    EXPECT_TRUE(make_server_side_encryption("aws:kms", ""));
    auto with_key = make_server_side_encryption("aws:kms", "alias/ticklake");
    ASSERT_TRUE(with_key);
    EXPECT_EQ(with_key->kms_key_id, "alias/ticklake");
    auto bad = make_server_side_encryption("aes256", "");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, ErrorKind::invalid_argument);
    EXPECT_FALSE(make_server_side_encryption("AES256", "alias/ticklake")) << "a KMS key needs aws:kms";
    EXPECT_EQ(base64_of_hex("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
              "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
}

TEST(S3ObjectStoreTest, EncryptionGoesOnObjectCreationAndChecksumsOnEveryUpload) {
    ClientUnderTest t;
    S3ClientConfig c = t.client->config();
    c.sse = ServerSideEncryption{"aws:kms", "alias/ticklake"};
    auto client = std::make_shared<S3Client>(std::move(c), t.transport);
    t.transport->respond(200);
    ASSERT_TRUE(client->put_object("bucket", "journal", "{}"));
    ObjectStoreOptions o;
    o.multipart_threshold = 5ull << 20;
    o.part_size = 5ull << 20;
    o.upload_concurrency = 1;
    S3ObjectStore store(client, S3Location{"bucket", ""}, {}, o);
    std::ofstream(store.staging_path("x"), std::ios::binary) << std::string((5u << 20) + 3, 'z'); // 2 parts
    t.transport->respond(200, "<InitiateMultipartUploadResult><UploadId>U</UploadId></InitiateMultipartUploadResult>");
    t.transport->respond_with(200, {{"etag", "\"e1\""}});
    t.transport->respond_with(200, {{"etag", "\"e2\""}});
    t.transport->respond(200, "<CompleteMultipartUploadResult/>");
    auto st = store.publish("x");
    ASSERT_TRUE(st) << st.error().message;
    ASSERT_EQ(t.transport->sent.size(), 5u);
    const auto& put = t.transport->sent[0];
    const auto& create = t.transport->sent[1];
    EXPECT_EQ(header_of(put, "x-amz-server-side-encryption"), "aws:kms");
    EXPECT_EQ(header_of(put, "x-amz-server-side-encryption-aws-kms-key-id"), "alias/ticklake");
    EXPECT_NE(header_of(put, "Authorization").find("x-amz-server-side-encryption"), std::string::npos)
        << "the encryption headers are signed";
    EXPECT_EQ(header_of(create, "x-amz-server-side-encryption"), "aws:kms");
    EXPECT_EQ(header_of(create, "x-amz-server-side-encryption-aws-kms-key-id"), "alias/ticklake");
    EXPECT_EQ(header_of(create, "x-amz-checksum-algorithm"), "SHA256");
    const std::string part1 = base64_of_hex(aws::hex_sha256(std::string(5u << 20, 'z')));
    const std::string part2 = base64_of_hex(aws::hex_sha256("zzz"));
    for (size_t i : {2u, 3u}) {
        const auto& part = t.transport->sent[i];
        EXPECT_EQ(header_of(part, "x-amz-server-side-encryption"), "") << "UploadPart takes no encryption header";
        EXPECT_EQ(header_of(part, "x-amz-checksum-sha256"), i == 2 ? part1 : part2);
    }
    EXPECT_EQ(t.transport->sent[4].body, complete_multipart_body({{1, "\"e1\"", part1}, {2, "\"e2\"", part2}}));
    EXPECT_NE(t.transport->sent[4].body.find("<ChecksumSHA256>" + part2 + "</ChecksumSHA256>"), std::string::npos);
}

TEST(S3ClientTest, PutFromFileHashesTheFileAndStreamsIt) {
    ClientUnderTest t;
    t.transport->respond(200);
    const auto path = std::filesystem::temp_directory_path() / ("tl-s3-unit-" + std::to_string(::getpid()));
    std::ofstream(path, std::ios::binary) << "hello";
    ASSERT_TRUE(t.client->put_object_from_file("bucket", "k", path));
    std::filesystem::remove(path);
    const HttpRequest& r = t.transport->sent.at(0);
    ASSERT_TRUE(r.body_file);
    EXPECT_EQ(*r.body_file, path);
    EXPECT_EQ(r.body_file_size, 5u);
    EXPECT_EQ(header_of(r, "content-md5"), "XUFAKrxLKna5cZ2REBfFkg==");

    auto missing = t.client->put_object_from_file("bucket", "k", path);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::invalid_argument);
}

TEST(S3ClientTest, EachRetryIsSignedAgainWithANewDate) {
    ClientUnderTest t;
    t.transport->respond(503, "<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>");
    t.transport->respond(200);
    ASSERT_TRUE(t.client->put_object("bucket", "k", "x"));
    ASSERT_EQ(t.transport->sent.size(), 2u);
    const auto& a = t.transport->sent[0];
    const auto& b = t.transport->sent[1];
    EXPECT_NE(header_of(a, "x-amz-date"), header_of(b, "x-amz-date"));
    EXPECT_NE(header_of(a, "Authorization"), header_of(b, "Authorization"));
    EXPECT_EQ(t.sleeps.size(), 1u);
}

TEST(S3ClientTest, ServerErrorsAfterRetriesAreRetryErrorsWithTheS3Code) {
    ClientUnderTest t;
    for (int i = 0; i < 3; ++i) {
        t.transport->respond(503, "<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>");
    }
    auto r = t.client->get_object("bucket", "k");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::retry);
    EXPECT_NE(r.error().message.find("SlowDown: Reduce your request rate."), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("after 3 attempts"), std::string::npos) << r.error().message;
    EXPECT_EQ(t.transport->sent.size(), 3u);
}

// The request, retry and error counters of docs/metrics.md, in the process registry.
TEST(S3ClientTest, RequestsRetriesAndErrorsAreCountedByMethodAndCode) {
    auto& r = metrics::process_registry();
    auto& requests = r.counter("ticklake_s3_requests_total", "", {"method"});
    auto& retries = r.counter("ticklake_s3_retries_total", "", {"method"});
    auto& errors = r.counter("ticklake_s3_errors_total", "", {"method", "code"});
    const uint64_t puts = requests.labels({"PUT"}).value();
    const uint64_t put_retries = retries.labels({"PUT"}).value();
    const uint64_t no_such_key = errors.labels({"GET", "NoSuchKey"}).value();
    const uint64_t slow_down = errors.labels({"PUT", "SlowDown"}).value();
    ClientUnderTest t;
    t.transport->respond(503, "<Error><Code>SlowDown</Code></Error>");
    t.transport->respond(200);
    ASSERT_TRUE(t.client->put_object("bucket", "k", "x")); // one request, one retry, no error
    t.transport->respond(404, "<Error><Code>NoSuchKey</Code></Error>");
    EXPECT_FALSE(t.client->get_object("bucket", "missing"));
    EXPECT_EQ(requests.labels({"PUT"}).value(), puts + 1);
    EXPECT_EQ(retries.labels({"PUT"}).value(), put_retries + 1);
    EXPECT_EQ(errors.labels({"PUT", "SlowDown"}).value(), slow_down);
    EXPECT_EQ(errors.labels({"GET", "NoSuchKey"}).value(), no_such_key + 1);
}

TEST(S3ClientTest, RetriesWhatS3SaysIsTransient) {
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

TEST(S3ClientTest, A400RequestTimeoutIsRetriedOtherClientErrorsAreNot) {
    ClientUnderTest t;
    t.transport->respond(400, "<Error><Code>RequestTimeout</Code></Error>");
    t.transport->respond(200);
    ASSERT_TRUE(t.client->put_object("bucket", "k", "x"));
    EXPECT_EQ(t.transport->sent.size(), 2u);
    for (long status : {400L, 409L}) {
        ClientUnderTest u;
        u.transport->respond(status, "<Error><Code>InvalidDigest</Code></Error>");
        EXPECT_FALSE(u.client->put_object("bucket", "k", "x"));
        EXPECT_EQ(u.transport->sent.size(), 1u) << status;
        EXPECT_TRUE(u.sleeps.empty()) << status;
    }
}

TEST(S3ClientTest, TlsFailureIsFatalAndNotRetried) {
    ClientUnderTest t;
    t.transport->fail_with(TransportErrorKind::tls);
    auto r = t.client->get_object("bucket", "k");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::fatal);
    EXPECT_EQ(t.transport->sent.size(), 1u);
}

TEST(S3ClientTest, AccessDeniedIsFatalNotRetriedAndCarriesNoSecret) {
    ClientUnderTest t;
    t.transport->respond(403, "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we "
                              "calculated does not match</Message></Error>");
    auto r = t.client->put_object("bucket", "p/k", "x");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::fatal);
    EXPECT_EQ(r.error().message.rfind("access denied to s3://bucket/p/k: check credentials and bucket policy", 0), 0u)
        << r.error().message;
    EXPECT_NE(r.error().message.find("SignatureDoesNotMatch"), std::string::npos);
    EXPECT_EQ(r.error().message.find(kSecret), std::string::npos);
    EXPECT_EQ(t.transport->sent.size(), 1u);
}

TEST(S3ClientTest, NotFoundAndMissingBucketAreTranslated) {
    ClientUnderTest t;
    t.transport->respond(404, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>");
    auto missing_key = t.client->get_object("bucket", "k");
    ASSERT_FALSE(missing_key);
    EXPECT_EQ(missing_key.error().kind, ErrorKind::not_found);

    t.transport->respond(404, "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>");
    auto missing_bucket = t.client->get_object("nobucket", "k");
    ASSERT_FALSE(missing_bucket);
    EXPECT_EQ(missing_bucket.error().kind, ErrorKind::fatal);
    EXPECT_NE(missing_bucket.error().message.find("bucket 'nobucket' does not exist"), std::string::npos)
        << missing_bucket.error().message;

    t.transport->respond(404); // HEAD answers carry no body
    auto head = t.client->head_object("bucket", "k");
    ASSERT_FALSE(head);
    EXPECT_EQ(head.error().kind, ErrorKind::not_found);
}

TEST(S3ClientTest, ListFollowsContinuationTokens) {
    ClientUnderTest t;
    t.transport->respond(200, "<ListBucketResult><Contents><Key>p/a</Key></Contents><IsTruncated>true</IsTruncated>"
                              "<NextContinuationToken>tok+/=1</NextContinuationToken></ListBucketResult>");
    t.transport->respond(200, "<ListBucketResult><Contents><Key>p/b&amp;c</Key></Contents>"
                              "<IsTruncated>false</IsTruncated></ListBucketResult>");
    auto keys = t.client->list_all("bucket", "p/", 1);
    ASSERT_TRUE(keys) << keys.error().message;
    EXPECT_EQ(*keys, (std::vector<std::string>{"p/a", "p/b&c"}));
    ASSERT_EQ(t.transport->sent.size(), 2u);
    EXPECT_EQ(t.transport->sent[0].url, "http://127.0.0.1:9000/bucket?list-type=2&max-keys=1&prefix=p%2F");
    EXPECT_EQ(t.transport->sent[1].url,
              "http://127.0.0.1:9000/bucket?continuation-token=tok%2B%2F%3D1&list-type=2&max-keys=1&prefix=p%2F");
}

TEST(S3XmlTest, ParsesListPagesAndDecodesEntities) {
    auto page = parse_list_objects_v2(
        "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<Name>b</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
        "<Contents><Key>a&lt;1&gt;&quot;&apos;</Key><Size>1</Size></Contents>"
        "<Contents><Key>caf&#233; &#x1F600;</Key></Contents>"
        "<NextContinuationToken>1a&amp;b</NextContinuationToken></ListBucketResult>");
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(page->keys, (std::vector<std::string>{"a<1>\"'", "caf\xC3\xA9 \xF0\x9F\x98\x80"}));
    EXPECT_TRUE(page->truncated);
    EXPECT_EQ(page->next_continuation_token, "1a&b");

    EXPECT_FALSE(parse_list_objects_v2("<Error><Code>InternalError</Code></Error>"));
    EXPECT_FALSE(parse_list_objects_v2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"));
    EXPECT_EQ(decode_xml_entities("a&b &unknown; &amp;amp;"), "a&b &unknown; &amp;");
    EXPECT_EQ(xml_element("<Error><Code>NoSuchKey</Code></Error>", "Code"), "NoSuchKey");
    EXPECT_EQ(xml_element("<Error></Error>", "Code"), "");
}

TEST(S3ClientTest, Md5IsBase64OfTheRawDigest) {
    EXPECT_EQ(base64_md5(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
    EXPECT_EQ(base64_md5("hello"), "XUFAKrxLKna5cZ2REBfFkg==");
}

TEST(S3XmlTest, ParsesObjectSizesAndTimes) {
    auto page = parse_list_objects_v2(
        "<ListBucketResult><IsTruncated>false</IsTruncated>"
        "<Contents><Key>a/b.parquet</Key><LastModified>2026-11-25T23:13:05.123Z</LastModified>"
        "<ETag>&quot;x&quot;</ETag><Size>12345</Size></Contents>"
        "<Contents><Key>a/c</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><Size>0</Size></Contents>"
        "</ListBucketResult>");
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_EQ(page->objects.size(), 2u);
    EXPECT_EQ(page->objects[0].key, "a/b.parquet");
    EXPECT_EQ(page->objects[0].size, 12345u);
    EXPECT_EQ(format_iso8601(page->objects[0].last_modified), "2026-11-25T23:13:05.123000Z");
    EXPECT_EQ(page->objects[1].size, 0u);
    EXPECT_EQ(page->keys, (std::vector<std::string>{"a/b.parquet", "a/c"}));
}

TEST(S3XmlTest, ParsesHttpDates) {
    auto t = parse_http_date("Wed, 25 Nov 2026 23:13:05 GMT");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(format_iso8601(*t), "2026-11-25T23:13:05.000000Z");
    EXPECT_FALSE(parse_http_date(""));
    EXPECT_FALSE(parse_http_date("Wed, 25 Foo 2026 23:13:05 GMT"));
    EXPECT_FALSE(parse_http_date("2026-11-25T23:13:05Z"));
}

TEST(S3XmlTest, ParsesMultipartUploadListsAndBuildsCompleteBodies) {
    auto page = parse_list_multipart_uploads(
        "<ListMultipartUploadsResult><Bucket>b</Bucket><NextKeyMarker>k2</NextKeyMarker>"
        "<NextUploadIdMarker>u2</NextUploadIdMarker><IsTruncated>true</IsTruncated>"
        "<Upload><Key>k1</Key><UploadId>u1</UploadId><Initiated>2026-11-25T00:00:00.000Z</Initiated></Upload>"
        "<Upload><Key>k&amp;2</Key><UploadId>u2</UploadId></Upload></ListMultipartUploadsResult>");
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_EQ(page->uploads.size(), 2u);
    EXPECT_EQ(page->uploads[1].key, "k&2");
    EXPECT_EQ(page->uploads[1].upload_id, "u2");
    EXPECT_TRUE(page->truncated);
    EXPECT_EQ(page->next_key_marker, "k2");
    EXPECT_FALSE(parse_list_multipart_uploads("<Error/>"));
    EXPECT_EQ(complete_multipart_body({{1, "\"a\""}, {2, "\"b\""}}),
              "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
              "<Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part>"
              "<Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag></Part></CompleteMultipartUpload>");
}

TEST(S3ClientTest, RangeReadsSendARangeHeaderAndTreat416AsEmpty) {
    ClientUnderTest t;
    t.transport->respond(206, "234");
    t.transport->respond(416);
    auto mid = t.client->get_object_range("bucket", "k", 2, 3);
    ASSERT_TRUE(mid) << mid.error().message;
    EXPECT_EQ(*mid, "234");
    EXPECT_EQ(header_of(t.transport->sent[0], "range"), "bytes=2-4");
    EXPECT_NE(header_of(t.transport->sent[0], "Authorization").find(";range;"), std::string::npos);
    auto past = t.client->get_object_range("bucket", "k", 100, 3);
    ASSERT_TRUE(past) << past.error().message;
    EXPECT_EQ(*past, "");
}

TEST(S3ClientTest, VersionedRangeReadsReturnTheETagAndSizeAndRefuseAReplacedObject) {
    ClientUnderTest t;
    t.transport->respond_with(206, {{"etag", "\"abc\""}, {"content-range", "bytes 2-4/1234"}}, "234");
    t.transport->respond_with(412, {}, "<Error><Code>PreconditionFailed</Code></Error>");
    t.transport->respond_with(503, {}, "<Error><Code>SlowDown</Code></Error>");
    t.transport->respond_with(206, {{"etag", "\"abc\""}, {"content-range", "bytes 0-0/1234"}}, "0");
    auto mid = t.client->get_range("bucket", "k", 2, 3, "\"abc\"");
    ASSERT_TRUE(mid) << mid.error().message;
    EXPECT_EQ(mid->bytes, "234");
    EXPECT_EQ(mid->etag, "\"abc\"");
    EXPECT_EQ(mid->object_size, 1234u);
    EXPECT_EQ(header_of(t.transport->sent[0], "if-match"), "\"abc\"");
    EXPECT_EQ(header_of(t.transport->sent[0], "range"), "bytes=2-4");
    auto replaced = t.client->get_range("bucket", "k", 2, 3, "\"abc\"");
    ASSERT_FALSE(replaced);
    EXPECT_EQ(replaced.error().kind, ErrorKind::not_found);
    EXPECT_NE(replaced.error().message.find("replaced"), std::string::npos);
    // Through the retry policy: a 503 is tried again. A zero-length read still learns the size.
    auto size_only = t.client->get_range("bucket", "k", 0, 0);
    ASSERT_TRUE(size_only) << size_only.error().message;
    EXPECT_EQ(size_only->bytes, "");
    EXPECT_EQ(size_only->object_size, 1234u);
    EXPECT_EQ(t.transport->sent.size(), 4u);
}

TEST(S3ClientTest, ContentRangeTotalsAreParsed) {
    EXPECT_EQ(content_range_total("bytes 0-9/1234"), 1234u);
    EXPECT_EQ(content_range_total("bytes */77"), 77u);
    EXPECT_EQ(content_range_total("bytes 0-9/*"), std::nullopt);
    EXPECT_EQ(content_range_total("items 0-9/10"), std::nullopt);
}

TEST(S3ClientTest, CompleteRetriesAnErrorInsideA200) {
    ClientUnderTest t;
    t.transport->respond(200, "<Error><Code>InternalError</Code><Message>try again</Message></Error>");
    t.transport->respond(200, "<CompleteMultipartUploadResult><ETag>\"e-2\"</ETag></CompleteMultipartUploadResult>");
    auto st = t.client->complete_multipart_upload("bucket", "k", "id/1", {{1, "\"a\""}, {2, "\"b\""}});
    ASSERT_TRUE(st) << st.error().message;
    ASSERT_EQ(t.transport->sent.size(), 2u);
    EXPECT_EQ(t.transport->sent[0].method, "POST");
    EXPECT_EQ(t.transport->sent[0].url, "http://127.0.0.1:9000/bucket/k?uploadId=id%2F1");
    EXPECT_FALSE(header_of(t.transport->sent[0], "content-md5").empty());

    ClientUnderTest u;
    u.transport->respond(200, "<Error><Code>InvalidPart</Code><Message>bad etag</Message></Error>");
    auto bad = u.client->complete_multipart_upload("bucket", "k", "id", {{1, "\"a\""}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, ErrorKind::fatal);
    EXPECT_NE(bad.error().message.find("InvalidPart"), std::string::npos) << bad.error().message;
}

TEST(S3ObjectStoreTest, AFailedPartAbortsTheUploadAndKeepsTheSpoolFile) {
    ClientUnderTest t;
    ObjectStoreOptions o;
    o.multipart_threshold = 5ull << 20;
    o.part_size = 5ull << 20;
    o.upload_concurrency = 1; // deterministic order on the fake transport
    S3ObjectStore store(std::shared_ptr<S3Client>(std::move(t.client)), S3Location{"bucket", "w"}, {}, o);
    const auto staged = store.staging_path("t/big.parquet");
    std::ofstream(staged, std::ios::binary) << std::string((11u << 20) + 1, 'x'); // 3 parts
    t.transport->respond(200, "<InitiateMultipartUploadResult><UploadId>UP1</UploadId></InitiateMultipartUploadResult>");
    t.transport->respond_with(200, {{"etag", "\"p1\""}});
    t.transport->respond(403, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>");
    t.transport->respond(204); // the abort
    auto st = store.publish("t/big.parquet");
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().kind, ErrorKind::fatal);
    EXPECT_NE(st.error().message.find("access denied"), std::string::npos) << st.error().message;
    ASSERT_EQ(t.transport->sent.size(), 4u);
    EXPECT_EQ(t.transport->sent[0].method, "POST");
    EXPECT_EQ(t.transport->sent[0].url, "http://127.0.0.1:9000/bucket/w/t/big.parquet?uploads=");
    EXPECT_EQ(t.transport->sent[1].url, "http://127.0.0.1:9000/bucket/w/t/big.parquet?partNumber=1&uploadId=UP1");
    EXPECT_EQ(t.transport->sent[1].body_file_offset, 0u);
    EXPECT_EQ(t.transport->sent[1].body_file_size, 5u << 20);
    EXPECT_EQ(t.transport->sent[2].body_file_offset, 5u << 20);
    EXPECT_EQ(header_of(t.transport->sent[2], "x-amz-content-sha256").size(), 64u) << "parts carry a signed SHA-256";
    EXPECT_EQ(t.transport->sent[3].method, "DELETE");
    EXPECT_EQ(t.transport->sent[3].url, "http://127.0.0.1:9000/bucket/w/t/big.parquet?uploadId=UP1");
    EXPECT_TRUE(std::filesystem::exists(staged)) << "a failed publish keeps the spool copy for the retry";
}

TEST(S3ObjectStoreTest, PartsAreCompletedInOrder) {
    ClientUnderTest t;
    ObjectStoreOptions o;
    o.multipart_threshold = 5ull << 20;
    o.part_size = 5ull << 20;
    o.upload_concurrency = 1;
    S3ObjectStore store(std::shared_ptr<S3Client>(std::move(t.client)), S3Location{"bucket", ""}, {}, o);
    std::ofstream(store.staging_path("x"), std::ios::binary) << std::string(10u << 20, 'y'); // exactly 2 parts
    t.transport->respond(200, "<InitiateMultipartUploadResult><UploadId>U</UploadId></InitiateMultipartUploadResult>");
    t.transport->respond_with(200, {{"etag", "\"e1\""}});
    t.transport->respond_with(200, {{"etag", "\"e2\""}});
    t.transport->respond(200, "<CompleteMultipartUploadResult/>");
    auto st = store.publish("x");
    ASSERT_TRUE(st) << st.error().message;
    ASSERT_EQ(t.transport->sent.size(), 4u);
    const std::string part = base64_of_hex(aws::hex_sha256(std::string(5u << 20, 'y')));
    EXPECT_EQ(t.transport->sent[3].body, complete_multipart_body({{1, "\"e1\"", part}, {2, "\"e2\"", part}}));
}

} // namespace ticklake::s3
