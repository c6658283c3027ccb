// The S3 operations ticklake needs, signed with SigV4 and sent over net/'s HTTP transport
// with its retry policy. S3 and transport errors are translated here, once, into ErrorKinds that say what
// the caller does: retry (5xx after the retries), not_found (404), fatal (403, missing bucket,
// TLS, other 4xx). Messages name s3://bucket/key and S3's <Code>/<Message>; never a secret.
#pragma once

#include <cstdint>
#include <filesystem>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/timestamp.h"
#include "net/http_transport.h"
#include "net/retry_policy.h"
#include "aws/credential_chain.h"
#include "aws/credentials.h"
#include "aws/sigv4.h"
#include "storage/s3/s3_uri.h"

namespace ticklake::s3 {

// S3 speaks in the aws/ signer's terms.
using aws::AwsCredentials;
using aws::QueryParam;

//! Server-side encryption asked for on every object written (PutObject, CreateMultipartUpload).
struct ServerSideEncryption {
    std::string algorithm;  //!< empty: the bucket's default; "AES256" (SSE-S3) or "aws:kms" (SSE-KMS)
    std::string kms_key_id; //!< with aws:kms: key id, ARN or alias; empty: the account's aws/s3 key
};

//! `algorithm` must be empty, "AES256" or "aws:kms"; a key id needs aws:kms.
Result<ServerSideEncryption> make_server_side_encryption(std::string_view algorithm, std::string_view kms_key_id);

struct S3ClientConfig {
    AwsCredentials credentials; //!< used when `credentials_source` is unset (tests, fixed keys)
    //! Set: every request is signed with what it holds at that moment (refreshed credentials).
    std::shared_ptr<aws::CredentialsSource> credentials_source;
    std::string region = "us-east-1";
    std::optional<S3Endpoint> endpoint; //!< unset: AWS
    AddressingStyle addressing = AddressingStyle::automatic;
    net::RetryPolicy retry; //!< its defaults are S3's: 6 attempts, 100 ms doubling to 20 s, full jitter
    //! A request that moves no byte for this long is dropped and retried. S3 answers within
    //! seconds (and keeps a slow CompleteMultipartUpload alive with whitespace); the AWS C++
    //! SDK's own low-speed limit is 3 s. 20 s leaves room for a busy local MinIO.
    std::chrono::seconds stall_timeout{20};
    ServerSideEncryption sse;
    //! Signing time; tests pin it. Defaults to the wall clock.
    std::function<TimestampUs()> clock;
};

struct ObjectInfo {
    uint64_t size = 0;
    std::string etag;
    TimestampUs last_modified = 0;
};

//! A ranged GET's answer: the bytes, and which version of which object they came from.
struct RangeResult {
    std::string bytes;
    std::string etag;          //!< as S3 sent it, quotes included
    uint64_t object_size = 0;  //!< the whole object's size (Content-Range's total; 0 when the server omits it)
};

//! The total of a Content-Range header ("bytes 0-9/1234" or "bytes */1234"); nullopt otherwise.
std::optional<uint64_t> content_range_total(std::string_view header);

struct ListedObject {
    std::string key;
    uint64_t size = 0;
    TimestampUs last_modified = 0;
};

struct ListPage {
    std::vector<std::string> keys;      //!< full keys, in S3's (byte-wise) order
    std::vector<ListedObject> objects;  //!< the same, with sizes and times
    bool truncated = false;
    std::string next_continuation_token;
};

//! An upload begun with CreateMultipartUpload and neither completed nor aborted.
struct MultipartUpload {
    std::string key;
    std::string upload_id;
};

struct UploadsPage {
    std::vector<MultipartUpload> uploads;
    bool truncated = false;
    std::string next_key_marker;
    std::string next_upload_id_marker;
};

struct CompletedPart {
    int number = 0;
    std::string etag; //!< as UploadPart returned it, quotes included
    std::string checksum_sha256; //!< base64 SHA-256 of the part as sent; empty: none declared
};

//! The parts of a ListObjectsV2 response ticklake reads; entities decoded.
Result<ListPage> parse_list_objects_v2(std::string_view xml);
//! The parts of a ListMultipartUploads response ticklake reads.
Result<UploadsPage> parse_list_multipart_uploads(std::string_view xml);
//! The body of CompleteMultipartUpload for `parts` (sorted by number by the caller).
std::string complete_multipart_body(const std::vector<CompletedPart>& parts);
//! RFC 7231 IMF-fixdate ("Wed, 25 Nov 2026 23:13:05 GMT"), as in Last-Modified.
Result<TimestampUs> parse_http_date(std::string_view text);
//! Decodes the five XML entities and numeric character references (&#NN; &#xHH;).
std::string decode_xml_entities(std::string_view text);
//! Text of the first <tag>…</tag> in `xml`, entities decoded; empty when absent.
std::string xml_element(std::string_view xml, std::string_view tag);

//! S3's retry classes: net::is_transient (timeouts, connection failures, 5xx including 503
//! SlowDown, 429) and S3's 400 RequestTimeout; never other 4xx or TLS failures.
bool is_retriable(const net::HttpResult& result);

//! The one translation of a failed exchange into an Error. `location` is what the request
//! addressed (key empty for bucket-level requests); `attempts` is reported for retry errors.
Error translate_s3_error(const net::HttpResult& result, std::string_view method, const S3Location& location,
                         int attempts);

//! base64 of the raw MD5 of `data` (the Content-MD5 header value).
std::string base64_md5(std::string_view data);
//! base64 of the SHA-256 whose hex form is `sha256_hex` (the x-amz-checksum-sha256 value).
std::string base64_of_hex(std::string_view sha256_hex);

//! What a few requests add to the plain method + key + query + body.
struct RequestExtras {
    std::vector<net::HttpHeader> headers; //!< signed and sent (e.g. range)
    const std::filesystem::path* response_file = nullptr;
    uint64_t body_file_offset = 0;
};

//! @locality thread-safe: without an injected transport each call borrows a connection from a
//! pool that grows to the number of concurrent callers, so parallel calls run in parallel.
class S3Client {
public:
    //! `transport` unset: a pool of CurlHttpTransports. Tests pass a fake, shared by all calls.
    explicit S3Client(S3ClientConfig config, std::shared_ptr<net::HttpTransport> transport = nullptr);

    //! PUT with Content-MD5, x-amz-checksum-sha256 (what Object Lock buckets require; S3 stores
    //! it with the object) and a signed payload hash, plus the configured encryption. S3 makes
    //! the object visible atomically.
    Status put_object(std::string_view bucket, std::string_view key, std::string_view body);
    //! Same, streaming the body from `file` (hashed first, then sent).
    Status put_object_from_file(std::string_view bucket, std::string_view key, const std::filesystem::path& file);
    Result<std::string> get_object(std::string_view bucket, std::string_view key);
    //! Bytes [offset, offset + length), fewer at the end of the object, none past it.
    Result<std::string> get_object_range(std::string_view bucket, std::string_view key, uint64_t offset,
                                         uint64_t length);
    //! Bytes [offset, offset + length) with the object's ETag and size. With `if_match`, S3
    //! answers only while the object still has that ETag: a replaced object is a not_found
    //! error saying so (412), never bytes of another version.
    Result<RangeResult> get_range(std::string_view bucket, std::string_view key, uint64_t offset, uint64_t length,
                                  std::string_view if_match = {});
    //! GET streamed into `destination` (created or replaced).
    Status download_object(std::string_view bucket, std::string_view key, const std::filesystem::path& destination);
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

    // Multipart upload. Nothing is visible under `key` until complete succeeds; an upload
    // that is neither completed nor aborted keeps its parts (and costs storage) forever.
    //! Declares SHA-256 part checksums and the configured encryption.
    Result<std::string> create_multipart_upload(std::string_view bucket, std::string_view key);
    //! Sends bytes [offset, offset + length) of `file` as part `number` (1-based), its
    //! SHA-256 signed and sent as x-amz-checksum-sha256 (S3 verifies both); returns the part
    //! as complete_multipart_upload needs it.
    Result<CompletedPart> upload_part(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                    int number, const std::filesystem::path& file, uint64_t offset, uint64_t length);
    Status complete_multipart_upload(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                     const std::vector<CompletedPart>& parts);
    //! An upload that is already gone (NoSuchUpload) counts as aborted.
    Status abort_multipart_upload(std::string_view bucket, std::string_view key, std::string_view upload_id);
    //! Every unfinished upload whose key starts with `prefix`, following markers.
    Result<std::vector<MultipartUpload>> list_multipart_uploads(std::string_view bucket, std::string_view prefix);

    const S3ClientConfig& config() const { return config_; }

private:
    struct Body {
        std::string_view memory;
        const std::filesystem::path* file = nullptr;
        uint64_t file_size = 0;
        std::string sha256_hex; //!< hex SHA-256 of the body
        std::string md5_base64; //!< empty: no Content-MD5
        bool with_checksum = false; //!< sends x-amz-checksum-sha256 (object and part uploads)
    };
    //! One request: what execute() signs and sends.
    struct Call {
        std::string_view method;
        std::string_view bucket;
        std::string_view key;
        std::vector<QueryParam> query;
        Body body;
        RequestExtras extra;
    };
    static Body memory_body(std::string_view content, bool with_md5 = true);
    //! The x-amz-server-side-encryption headers of the configured encryption (none when unset).
    std::vector<net::HttpHeader> encryption_headers() const;
    Result<net::HttpRequest> signed_request(const Call& call, const S3RequestTarget& target) const;
    //! Signs and sends `call` with the retry policy, on a pooled transport.
    Result<net::RetryOutcome> execute(const Call& call);
    //! execute(), then the status check: a status outside `accepted` is the translated error.
    Result<net::HttpResponse> call(const Call& call, std::initializer_list<long> accepted, std::string_view operation);
    std::shared_ptr<net::HttpTransport> acquire_transport();
    void release_transport(std::shared_ptr<net::HttpTransport> transport);

    S3ClientConfig config_;
    std::shared_ptr<net::HttpTransport> fixed_transport_; //!< injected: used by every call
    std::mutex pool_mutex_;
    std::vector<std::shared_ptr<net::HttpTransport>> idle_transports_;
};

} // namespace ticklake::s3
