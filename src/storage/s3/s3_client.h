// The S3 operations ticklake needs, signed with SigV4 and sent through the retrying HTTP
// client. S3 and transport errors are translated here, once, into ErrorKinds that say what
// the caller does: retry (5xx after the retries), not_found (404), fatal (403, missing bucket,
// TLS, other 4xx). Messages name s3://bucket/key and S3's <Code>/<Message>; never a secret.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/timestamp.h"
#include "storage/s3/aws_credentials.h"
#include "storage/s3/s3_http_client.h"
#include "storage/s3/s3_uri.h"

namespace ticklake::s3 {

struct S3ClientConfig {
    AwsCredentials credentials;
    std::string region = "us-east-1";
    std::optional<S3Endpoint> endpoint; //!< unset: AWS
    AddressingStyle addressing = AddressingStyle::automatic;
    RetryPolicy retry;
    //! Signing time; tests pin it. Defaults to the wall clock.
    std::function<TimestampUs()> clock;
};

struct ObjectInfo {
    uint64_t size = 0;
    std::string etag;
};

struct ListPage {
    std::vector<std::string> keys; //!< full keys, in S3's (byte-wise) order
    bool truncated = false;
    std::string next_continuation_token;
};

//! The parts of a ListObjectsV2 response ticklake reads; entities decoded.
Result<ListPage> parse_list_objects_v2(std::string_view xml);
//! Decodes the five XML entities and numeric character references (&#NN; &#xHH;).
std::string decode_xml_entities(std::string_view text);
//! Text of the first <tag>…</tag> in `xml`, entities decoded; empty when absent.
std::string xml_element(std::string_view xml, std::string_view tag);

//! The one translation of a failed exchange into an Error. `location` is what the request
//! addressed (key empty for bucket-level requests); `attempts` is reported for retry errors.
Error translate_s3_error(const HttpResult& result, std::string_view method, const S3Location& location, int attempts);

//! base64 of the raw MD5 of `data` (the Content-MD5 header value).
std::string base64_md5(std::string_view data);

//! @locality the transport serialises requests; share one client per thread for parallel I/O.
class S3Client {
public:
    //! `transport` defaults to a CurlHttpTransport; tests pass a fake.
    explicit S3Client(S3ClientConfig config, std::shared_ptr<HttpTransport> transport = nullptr);

    //! PUT with Content-MD5 and a signed payload hash; S3 makes the object visible atomically.
    Status put_object(std::string_view bucket, std::string_view key, std::string_view body);
    //! Same, streaming the body from `file` (hashed first, then sent).
    Status put_object_from_file(std::string_view bucket, std::string_view key, const std::filesystem::path& file);
    Result<std::string> get_object(std::string_view bucket, std::string_view key);
    Result<ObjectInfo> head_object(std::string_view bucket, std::string_view key);
    //! S3 answers 204 whether or not the key existed.
    Status delete_object(std::string_view bucket, std::string_view key);
    //! One page; `max_keys` 0 leaves S3's default (1000).
    Result<ListPage> list_objects_v2(std::string_view bucket, std::string_view prefix,
                                     std::string_view continuation_token = {}, int max_keys = 0);
    //! Every key under `prefix`, following continuation tokens.
    Result<std::vector<std::string>> list_all(std::string_view bucket, std::string_view prefix, int max_keys = 0);
    //! For tests and setup; a bucket we already own is success.
    Status create_bucket(std::string_view bucket);

    const S3ClientConfig& config() const { return config_; }

private:
    struct Body {
        std::string_view memory;
        const std::filesystem::path* file = nullptr;
        uint64_t file_size = 0;
        std::string sha256_hex; //!< hex SHA-256 of the body
        std::string md5_base64; //!< empty: no Content-MD5
    };
    Result<RetryOutcome> execute(std::string_view method, std::string_view bucket, std::string_view key,
                                 std::vector<QueryParam> query, const Body& body);
    Status put(std::string_view bucket, std::string_view key, const Body& body);

    S3ClientConfig config_;
    std::shared_ptr<HttpTransport> transport_;
};

} // namespace ticklake::s3
