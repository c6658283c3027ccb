// S3ObjectStore and S3Client against a real MinIO that verifies signatures. One server per
// test process (ctest runs each test as its own process), one bucket, a fresh prefix per test.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <gtest/gtest.h>

#include "storage/s3/s3_client.h"
#include "storage/s3/s3_object_store.h"
#include "storage/s3/tests/minio_server.h"
#include "storage/tests/object_store_contract.h"

namespace ticklake::s3 {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kBucket = "ticklake-test";

class MinioEnvironment : public ::testing::Environment {
public:
    void SetUp() override {
        auto started = MinioServer::start();
        ASSERT_TRUE(started) << started.error().message;
        server = std::move(*started);
        auto created = client()->create_bucket(kBucket);
        ASSERT_TRUE(created) << created.error().message;
    }
    void TearDown() override { server.reset(); }

    S3ClientConfig config(std::optional<std::string> secret = std::nullopt) const {
        S3ClientConfig c;
        c.credentials = server->credentials();
        if (secret) {
            c.credentials.secret_access_key = *secret;
        }
        c.endpoint = *parse_endpoint_url(server->endpoint_url());
        c.retry.max_attempts = 3;
        c.retry.base_delay = std::chrono::milliseconds(10);
        return c;
    }
    std::shared_ptr<S3Client> client(std::optional<std::string> secret = std::nullopt) const {
        return std::make_shared<S3Client>(config(std::move(secret)));
    }

    std::unique_ptr<MinioServer> server;
};

MinioEnvironment* minio = static_cast<MinioEnvironment*>(::testing::AddGlobalTestEnvironment(new MinioEnvironment));

std::string fresh_prefix() { return "run-" + random_hex(6); }

} // namespace

INSTANTIATE_TEST_SUITE_P(S3, ObjectStoreContract,
                         ::testing::Values(ObjectStoreFactory{"S3",
                                                              []() -> std::unique_ptr<ObjectStore> {
                                                                  return std::make_unique<S3ObjectStore>(
                                                                      minio->client(),
                                                                      S3Location{std::string(kBucket), fresh_prefix()});
                                                              }}),
                         object_store_factory_name);

TEST(S3MinioTest, WrongSecretIsAccessDeniedAndNeverPrinted) {
    const std::string wrong = "wrong" + random_hex(16);
    auto client = minio->client(wrong);
    auto put = client->put_object(kBucket, "x/denied.json", "{}");
    ASSERT_FALSE(put);
    EXPECT_EQ(put.error().kind, ErrorKind::fatal);
    const std::string& msg = put.error().message;
    EXPECT_NE(msg.find("access denied to s3://ticklake-test/x/denied.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("SignatureDoesNotMatch"), std::string::npos) << msg;
    EXPECT_EQ(msg.find(wrong), std::string::npos);
    EXPECT_EQ(msg.find(minio->server->credentials().secret_access_key), std::string::npos);

    // Through the store, a denied read is an error, never "absent".
    S3ObjectStore store(client, S3Location{std::string(kBucket), fresh_prefix()});
    auto got = store.get_small("x.json");
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().kind, ErrorKind::fatal);
    EXPECT_NE(got.error().message.find("access denied"), std::string::npos) << got.error().message;
}

TEST(S3MinioTest, MissingBucketIsAClearFatalError) {
    const std::string bucket = "no-such-bucket-" + random_hex(4);
    S3ObjectStore store(minio->client(), S3Location{bucket, "p"});
    auto put = store.put_small("a.json", "{}");
    ASSERT_FALSE(put);
    EXPECT_EQ(put.error().kind, ErrorKind::fatal);
    EXPECT_NE(put.error().message.find("bucket '" + bucket + "' does not exist"), std::string::npos)
        << put.error().message;
    auto got = store.get_small("a.json");
    ASSERT_FALSE(got) << "a missing bucket must not read as a missing object";
    EXPECT_EQ(got.error().kind, ErrorKind::fatal);
    auto listed = store.list("");
    ASSERT_FALSE(listed);
    EXPECT_NE(listed.error().message.find(bucket), std::string::npos) << listed.error().message;
}

TEST(S3MinioTest, ListPagesWithContinuationTokens) {
    auto client = minio->client();
    const std::string prefix = fresh_prefix() + "/";
    std::vector<std::string> expected;
    for (int i = 0; i < 7; ++i) {
        expected.push_back(prefix + "k" + std::to_string(i));
        ASSERT_TRUE(client->put_object(kBucket, expected.back(), "v"));
    }
    auto first = client->list_objects_v2(kBucket, prefix, "", 3);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->keys, (std::vector<std::string>(expected.begin(), expected.begin() + 3)));
    EXPECT_TRUE(first->truncated);
    EXPECT_FALSE(first->next_continuation_token.empty());
    auto second = client->list_objects_v2(kBucket, prefix, first->next_continuation_token, 3);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->keys, (std::vector<std::string>(expected.begin() + 3, expected.begin() + 6)));
    auto all = client->list_all(kBucket, prefix, 3);
    ASSERT_TRUE(all) << all.error().message;
    EXPECT_EQ(*all, expected);
}

TEST(S3MinioTest, ListOverAThousandKeysFollowsTokens) {
    auto client = minio->client();
    const std::string root = fresh_prefix();
    S3ObjectStore store(client, S3Location{std::string(kBucket), root});
    std::vector<std::string> expected;
    for (int i = 0; i < 1005; ++i) {
        char name[32];
        std::snprintf(name, sizeof(name), "many/%04d.json", i);
        expected.emplace_back(name);
        ASSERT_TRUE(client->put_object(kBucket, root + "/" + name, "{}"));
    }
    auto first = client->list_objects_v2(kBucket, root + "/many/");
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->keys.size(), 1000u);
    EXPECT_TRUE(first->truncated);
    auto listed = store.list("many");
    ASSERT_TRUE(listed) << listed.error().message;
    EXPECT_EQ(*listed, expected);
}

TEST(S3MinioTest, PublishUploadsALargeStagedFileIntact) {
    auto client = minio->client();
    S3ObjectStore store(client, S3Location{std::string(kBucket), fresh_prefix()});
    const std::string key = "big/part-0.parquet";
    std::string content(6 * 1024 * 1024 + 17, '\0');
    for (size_t i = 0; i < content.size(); ++i) {
        content[i] = static_cast<char>((i * 2654435761u) >> 13);
    }
    const fs::path staged = store.staging_path(key);
    EXPECT_TRUE(staged.string().starts_with(store.spool_dir().string()));
    std::ofstream(staged, std::ios::binary) << content;
    auto published = store.publish(key);
    ASSERT_TRUE(published) << published.error().message;
    EXPECT_FALSE(fs::exists(staged));
    auto got = store.get_small(key);
    ASSERT_TRUE(got && got->has_value());
    EXPECT_EQ(got->value().size(), content.size());
    EXPECT_TRUE(**got == content);
    auto head = client->head_object(kBucket, store.uri().substr(std::string("s3://ticklake-test/").size()) + "/" + key);
    ASSERT_TRUE(head) << head.error().message;
    EXPECT_EQ(head->size, content.size());
}

TEST(S3MinioTest, SpoolFolderIsPrivateAndRemovedWithTheStore) {
    fs::path spool;
    {
        S3ObjectStore store(minio->client(), S3Location{std::string(kBucket), fresh_prefix()});
        spool = store.spool_dir();
        std::ofstream(store.staging_path("a/b.parquet")) << "x";
        EXPECT_TRUE(fs::exists(spool / "a/b.parquet.tmp"));
    }
    EXPECT_FALSE(fs::exists(spool));
}

TEST(S3MinioTest, OpenObjectStoreResolvesTheAwsEnvironment) {
    const auto& creds = minio->server->credentials();
    const fs::path spool = fs::temp_directory_path() / ("tl-spool-" + random_hex(4));
    ::setenv("AWS_ACCESS_KEY_ID", creds.access_key_id.c_str(), 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", creds.secret_access_key.c_str(), 1);
    ::unsetenv("AWS_SESSION_TOKEN");
    ::unsetenv("AWS_PROFILE");
    ::setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
    ::setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
    ::setenv("AWS_REGION", "us-east-1", 1);
    ::setenv("AWS_ENDPOINT_URL_S3", minio->server->endpoint_url().c_str(), 1);
    ::setenv("TICKLAKE_SPOOL_DIR", spool.c_str(), 1);
    const std::string prefix = fresh_prefix();
    auto store = open_object_store("s3://ticklake-test/" + prefix);
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ((*store)->uri(), "s3://ticklake-test/" + prefix);
    EXPECT_EQ((*store)->staging_path("x.json"), spool / "ticklake-test" / prefix / "x.json.tmp");
    std::ofstream((*store)->staging_path("x.json")) << "via env";
    ASSERT_TRUE((*store)->publish("x.json"));
    auto got = minio->client()->get_object(kBucket, prefix + "/x.json");
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(*got, "via env");
    fs::remove_all(spool);
}

namespace {

std::string patterned(size_t size, uint32_t seed) {
    std::string content(size, '\0');
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < size; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        content[i] = static_cast<char>(x);
    }
    return content;
}

ObjectStoreOptions small_parts(int concurrency) {
    ObjectStoreOptions o;
    o.multipart_threshold = 5ull << 20;
    o.part_size = 5ull << 20;
    o.upload_concurrency = concurrency;
    return o;
}

} // namespace

TEST(S3MinioTest, LargeFilesGoAsParallelMultipartUploadsAndLeaveNothingBehind) {
    auto client = minio->client();
    const std::string prefix = fresh_prefix();
    S3ObjectStore store(client, S3Location{std::string(kBucket), prefix}, {}, small_parts(4));
    const std::string key = "mp/part-0.parquet";
    const std::string content = patterned(23 * 1024 * 1024 + 5, 7); // 5 parts, the last one short
    std::ofstream(store.staging_path(key), std::ios::binary) << content;
    auto published = store.publish(key);
    ASSERT_TRUE(published) << published.error().message;
    auto head = client->head_object(kBucket, prefix + "/" + key);
    ASSERT_TRUE(head) << head.error().message;
    EXPECT_EQ(head->size, content.size());
    EXPECT_TRUE(head->etag.ends_with("-5\"")) << "a multipart object's ETag ends in -<parts>: " << head->etag;
    const fs::path back = store.spool_dir() / "back";
    ASSERT_TRUE(store.download(key, back));
    std::ifstream in(back, std::ios::binary);
    const std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(got.size(), content.size());
    EXPECT_TRUE(got == content);
    // MinIO lists unfinished uploads only for an exact object key (AWS takes any prefix).
    auto uploads = client->list_multipart_uploads(kBucket, prefix + "/" + key);
    ASSERT_TRUE(uploads) << uploads.error().message;
    EXPECT_TRUE(uploads->empty());

    // Below the threshold: one PUT, a plain MD5 ETag.
    std::ofstream(store.staging_path("mp/small"), std::ios::binary) << patterned(1 << 20, 8);
    ASSERT_TRUE(store.publish("mp/small"));
    auto small = client->head_object(kBucket, prefix + "/mp/small");
    ASSERT_TRUE(small) << small.error().message;
    EXPECT_EQ(small->etag.find('-'), std::string::npos) << small->etag;
}

struct KilledUpload {
    bool seen = false; //!< the multipart upload existed before the kill
    Status published;
};

// Publishes `key` on a thread and SIGKILLs MinIO as soon as its multipart upload exists, so the
// server dies with parts in flight.
KilledUpload publish_and_kill_minio(S3ObjectStore& store, const std::string& key, S3Client& watcher,
                                    const std::string& object) {
    KilledUpload out;
    std::thread uploader([&] { out.published = store.publish(key); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!out.seen && std::chrono::steady_clock::now() < deadline) {
        auto uploads = watcher.list_multipart_uploads(kBucket, object);
        out.seen = uploads && !uploads->empty();
    }
    // Let a few parts land first (the whole upload takes about a second here).
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    minio->server->kill();
    uploader.join();
    return out;
}

TEST(S3MinioTest, MinioKilledDuringAMultipartUploadLeavesNoUploadAfterRecovery) {
    S3ClientConfig config = minio->config();
    config.retry.max_attempts = 2;
    auto client = std::make_shared<S3Client>(config);
    const std::string prefix = fresh_prefix();
    S3ObjectStore store(client, S3Location{std::string(kBucket), prefix}, {}, small_parts(1));
    const std::string key = "mp/killed.bin";
    std::ofstream(store.staging_path(key), std::ios::binary) << patterned(120 * 1024 * 1024, 10); // 24 parts

    const std::string object = prefix + "/" + key;
    auto watcher = minio->client();
    auto [seen, published] = publish_and_kill_minio(store, key, *watcher, object);
    ASSERT_TRUE(seen) << "the multipart upload never appeared";
    ASSERT_FALSE(published) << "publish cannot succeed with the server killed mid-upload";
    EXPECT_EQ(published.error().kind, ErrorKind::retry) << published.error().message;

    ASSERT_TRUE(minio->server->restart());
    auto leaked = watcher->list_multipart_uploads(kBucket, object);
    ASSERT_TRUE(leaked) << leaked.error().message;
    EXPECT_EQ(leaked->size(), 1u) << "the crash leaves the upload in progress";
    // Recovery (what the sink does for every key of an uncommitted journal).
    auto removed = store.remove(key);
    ASSERT_TRUE(removed) << removed.error().message;
    EXPECT_TRUE(*removed);
    auto after = watcher->list_multipart_uploads(kBucket, object);
    ASSERT_TRUE(after) << after.error().message;
    EXPECT_TRUE(after->empty());
    auto head = watcher->head_object(kBucket, prefix + "/" + key);
    ASSERT_FALSE(head);
    EXPECT_EQ(head.error().kind, ErrorKind::not_found);
}

TEST(S3MinioTest, AnAbortThatFailedIsRetriedByTheNextUpload) {
    S3ClientConfig config = minio->config();
    config.retry.max_attempts = 2;
    auto client = std::make_shared<S3Client>(config);
    const std::string prefix = fresh_prefix();
    S3ObjectStore store(client, S3Location{std::string(kBucket), prefix}, {}, small_parts(1));
    const std::string key = "mp/retried.bin";
    const std::string object = prefix + "/" + key;
    const std::string content = patterned(120 * 1024 * 1024, 11);
    std::ofstream(store.staging_path(key), std::ios::binary) << content;

    auto watcher = minio->client();
    auto [seen, published] = publish_and_kill_minio(store, key, *watcher, object);
    ASSERT_TRUE(seen) << "the multipart upload never appeared";
    ASSERT_FALSE(published);
    ASSERT_TRUE(minio->server->restart());

    // The sink's writer retries the same publish once S3 is back (the spool file is kept).
    auto again = store.publish(key);
    ASSERT_TRUE(again) << again.error().message;
    auto uploads = watcher->list_multipart_uploads(kBucket, object);
    ASSERT_TRUE(uploads) << uploads.error().message;
    if (published.error().message.find("could not be aborted") != std::string::npos) {
        EXPECT_TRUE(uploads->empty()) << "the failed upload's abort was not retried";
    } else {
        // The kill came before CreateMultipartUpload answered: the id never reached us, and only
        // recovery (remove) can find that upload. That is the other test's case.
        GTEST_SKIP() << "the kill landed before the upload id was known: " << published.error().message;
    }
    auto head = watcher->head_object(kBucket, object);
    ASSERT_TRUE(head) << head.error().message;
    EXPECT_EQ(head->size, content.size());
}

} // namespace ticklake::s3
