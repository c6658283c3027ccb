// open_object_store(): the warehouse URI decides the implementation (a folder or file://
// URI → LocalObjectStore, s3:// → S3ObjectStore). Kept apart from the interface's own file so
// that object_store.h/.cc know no implementation.
#include "storage/object_store.h"

#include <filesystem>

#include "storage/local_object_store.h"
#include "aws/credential_chain.h"
#include "aws/credentials.h"
#include "storage/s3/s3_client.h"
#include "storage/s3/s3_object_store.h"
#include "storage/s3/s3_uri.h"
#include "common/warehouse_uri.h"

namespace ticklake {

namespace fs = std::filesystem;

namespace {

// Region and endpoint as the AWS CLI resolves them, credentials from the default chain (kept
// fresh in the background); a custom endpoint (MinIO, Ceph) gets path-style addressing
// unless the profile says otherwise.
Result<std::unique_ptr<ObjectStore>> open_s3_object_store(std::string_view uri, const ObjectStoreOptions& options) {
    auto location = s3::parse_s3_uri(uri);
    if (!location) {
        return fail(location.error());
    }
    const aws::AwsEnvironment aws = aws::AwsEnvironment::process();
    const aws::EnvLookup& env = aws.env;
    auto identity = aws::start_default_identity(aws);
    if (!identity) {
        return fail(identity.error());
    }
    const aws::AwsSettings* settings = &identity->settings;
    s3::S3ClientConfig config;
    config.credentials_source = identity->credentials;
    config.retry.stop_requested = options.stop_requested;
    auto sse = s3::make_server_side_encryption(options.s3_sse, options.s3_sse_kms_key_id);
    if (!sse) {
        return fail(sse.error());
    }
    config.sse = std::move(*sse);
    if (!settings->region.empty()) {
        config.region = settings->region;
    }
    std::string endpoint_url = settings->endpoint_url;
    std::string endpoint_source = settings->endpoint_source;
    if (!options.s3_endpoint.empty()) {
        endpoint_url = options.s3_endpoint;
        endpoint_source = "--s3-endpoint";
    }
    if (!endpoint_url.empty()) {
        auto endpoint = s3::parse_endpoint_url(endpoint_url);
        if (!endpoint) {
            return fail(Error::invalid("endpoint from " + endpoint_source + ": " + endpoint.error().message));
        }
        config.endpoint = *endpoint;
    }
    if (!settings->addressing_style.empty()) {
        auto style = s3::parse_addressing_style(settings->addressing_style);
        if (!style) {
            return fail(style.error());
        }
        config.addressing = *style;
    }
    fs::path spool_dir;
    if (auto dir = env("TICKLAKE_SPOOL_DIR"); dir && !dir->empty()) {
        spool_dir = *dir;
    }
    auto client = std::make_shared<s3::S3Client>(std::move(config));
    // Fail fast on wrong credentials or a missing bucket: one cheap listing now, before a
    // sink joins its consumer group and takes partitions it could not write.
    if (options.probe) {
        if (auto probe = client->list_objects_v2(location->bucket, location->key, {}, 1); !probe) {
            return fail(probe.error());
        }
    }
    return std::unique_ptr<ObjectStore>(
        new s3::S3ObjectStore(std::move(client), std::move(*location), spool_dir, options));
}

} // namespace

Result<std::unique_ptr<ObjectStore>> open_object_store(std::string_view uri, const ObjectStoreOptions& options) {
    std::string path(uri);
    if (is_s3_uri(path)) {
        return open_s3_object_store(uri, options);
    }
    if (path.rfind("file://", 0) == 0) {
        path = path.substr(7);
    }
    if (path.empty()) {
        return fail(Error::invalid("empty warehouse path: pass --warehouse DIR"));
    }
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) {
        return fail(Error::invalid("cannot create warehouse folder " + path + ": " + ec.message()));
    }
    return std::unique_ptr<ObjectStore>(new LocalObjectStore(fs::absolute(path)));
}

} // namespace ticklake
