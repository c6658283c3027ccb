// A Confluent-compatible Schema Registry client: schemas by id for decoding (cached: an id's
// schema never changes), and subject registration for producing. It speaks the REST API that
// Confluent Schema Registry, Karapace, Apicurio (ccompat) and Redpanda share:
//   GET  <url>/schemas/ids/<id>            -> {"schema": "<text>", "schemaType": "AVRO"?, "references": [..]?}
//   GET  <url>/subjects/<s>/versions/<v>   -> the same, for a referenced schema
//   POST <url>/subjects/<subject>/versions -> {"id": N}
//   PUT  <url>/config/<subject>            -> {"compatibility": "BACKWARD"}
// A file:///dir URL reads the same GET paths as files under dir (schemas/ids/<id>,
// subjects/<s>/versions/<v>), for
// registries exported to disk and for tests on recorded responses.
//
// Errors say what the caller does: an id the registry does not know is poison (that message
// goes to dead letters); a registry that does not answer (connection, timeout, 5xx, 429) is
// retried with the policy's backoff, then retry (the caller blocks or stops: never a dead
// letter); a refusal of our credentials or request is fatal.
//
// @locality one thread owns a client (the sink's, or the producer's).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "net/http_transport.h"
#include "net/retry_policy.h"
#include "schema/avro_schema.h"

namespace ticklake {

enum class SchemaType : uint8_t { avro, protobuf, json };

const char* to_string(SchemaType t);

//! A schema another one imports (Protobuf's `import "x.proto"`): the registry names it by
//! subject and version.
struct SchemaReference {
    std::string name;    //!< as the importing schema spells it ("common/money.proto")
    std::string subject;
    int32_t version = 0;
};

struct RegisteredSchema {
    int32_t id = 0;
    SchemaType type = SchemaType::avro;
    std::string text;                         //!< as the registry holds it
    std::shared_ptr<const AvroSchema> avro;   //!< parsed, when type is avro
    std::vector<SchemaReference> references;  //!< in the registry's order
};

//! Where a decoder finds the schema of an id (the registry client, or a test's table).
class SchemaSource {
public:
    virtual ~SchemaSource() = default;
    virtual Result<std::shared_ptr<const RegisteredSchema>> schema_by_id(int32_t id) = 0;
    //! A referenced schema (GET /subjects/<subject>/versions/<version>); an unknown one is poison.
    virtual Result<std::shared_ptr<const RegisteredSchema>> schema_by_reference(const SchemaReference& ref);
};

struct SchemaRegistryOptions {
    std::string url; //!< http(s)://host:port[/prefix] or file:///dir
    //! Until the registry answers. The sink passes a deadline below max.poll.interval.ms and
    //! its stop flag, so an outage blocks consuming for that long and then stops the sink
    //! (it resumes from its committed offsets on restart), never dead-lettering.
    net::RetryPolicy retry;
    std::chrono::milliseconds timeout{10'000};
    std::string ca_file; //!< PEM bundle for https (empty: the system's)
    std::string basic_auth; //!< "user:password" for HTTP basic authentication (empty: none)
};

class SchemaRegistryClient final : public SchemaSource {
public:
    explicit SchemaRegistryClient(SchemaRegistryOptions options);
    ~SchemaRegistryClient() override;

    Result<std::shared_ptr<const RegisteredSchema>> schema_by_id(int32_t id) override;
    Result<std::shared_ptr<const RegisteredSchema>> schema_by_reference(const SchemaReference& ref) override;

    //! Registers schema_text under subject (or finds it registered) and returns its id.
    Result<int32_t> register_schema(const std::string& subject, const std::string& schema_text, SchemaType type);
    //! Sets the subject's compatibility level (BACKWARD, FORWARD, FULL, NONE, ...).
    Status set_compatibility(const std::string& subject, const std::string& level);

    uint64_t fetches() const { return fetches_; } //!< requests made for ids (cache misses)

private:
    Result<std::string> get_json(const std::string& path);
    Result<std::string> send_json(const std::string& method, const std::string& path, std::string body);
    Result<std::string> answer_of(const net::HttpResult& sent, const std::string& what);
    //! The schema of a registry answer ({"schema", "schemaType", "references"}), parsed.
    Result<std::shared_ptr<RegisteredSchema>> schema_of_answer(const std::string& body, const std::string& what);

    SchemaRegistryOptions options_;
    std::unique_ptr<net::HttpTransport> transport_; //!< null for file:// registries
    std::string base_;                              //!< url without a final '/'
    std::string folder_;                            //!< file:// registries
    std::unordered_map<int32_t, std::shared_ptr<const RegisteredSchema>> by_id_;
    std::unordered_map<std::string, std::shared_ptr<const RegisteredSchema>> by_reference_; //!< "subject/version"
    uint64_t fetches_ = 0;
};

//! The Confluent wire format's frame: magic byte 0, then the schema id (4 bytes, big-endian).
struct WireFrame {
    int32_t schema_id = 0;
    std::string_view payload;
};
//! The frame of value, or poison with the reason (too short, another magic byte).
Result<WireFrame> read_wire_frame(std::string_view value);
//! Appends the 5-byte frame header of schema_id to out.
void append_wire_header(std::string& out, int32_t schema_id);

} // namespace ticklake
