// The registry client against the REST answers of a Confluent-compatible registry, replayed by
// the tests' HTTP server (the bodies are the API's documented shapes).
#include "schema/schema_registry.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "net/tests/replay_server.h"

namespace ticklake {
namespace {

using net::testing::HttpReply;
using net::testing::ReplayServer;

constexpr char kTradeAnswer[] =
    R"({"schema":"{\"type\":\"record\",\"name\":\"T\",\"fields\":[{\"name\":\"px\",\"type\":\"double\"}]}"})";

SchemaRegistryOptions fast(std::string url) {
    SchemaRegistryOptions o;
    o.url = std::move(url);
    o.retry.max_attempts = 3;
    o.retry.sleep = [](std::chrono::milliseconds) {};
    return o;
}

TEST(SchemaRegistry, FetchesASchemaByIdOnceAndCachesIt) {
    ReplayServer server({.routes = {{"/schemas/ids/7", {HttpReply{200, kTradeAnswer}}}}});
    SchemaRegistryClient client(fast(server.http_url("")));
    auto s = client.schema_by_id(7);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ((*s)->id, 7);
    EXPECT_EQ((*s)->type, SchemaType::avro);
    ASSERT_NE((*s)->avro, nullptr);
    EXPECT_EQ((*s)->avro->root().fields.at(0).name, "px");
    ASSERT_TRUE(client.schema_by_id(7));
    EXPECT_EQ(client.fetches(), 1u);
    ASSERT_EQ(server.http_requests().size(), 1u);
    EXPECT_EQ(server.http_requests()[0].method, "GET");
    EXPECT_EQ(server.http_requests()[0].target, "/schemas/ids/7");
}

TEST(SchemaRegistry, ReadsAProtobufSchemaAndFetchesItsReferencesBySubjectAndVersion) {
    // The documented shapes of GET /schemas/ids/<id> and GET /subjects/<s>/versions/<v>.
    constexpr char kFill[] =
        R"({"schemaType":"PROTOBUF","schema":"syntax = \"proto3\"; import \"m/money.proto\"; message F { m.Money px = 1; }",)"
        R"("references":[{"name":"m/money.proto","subject":"money value","version":2}]})";
    constexpr char kMoney[] =
        R"({"subject":"money value","version":2,"id":4,"schemaType":"PROTOBUF","schema":"syntax = \"proto3\"; package m;"})";
    ReplayServer server({.routes = {{"/schemas/ids/5", {HttpReply{200, kFill}}},
                                    {"/subjects/money%20value/versions/2", {HttpReply{200, kMoney}}}}});
    SchemaRegistryClient client(fast(server.http_url("")));
    auto s = client.schema_by_id(5);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ((*s)->type, SchemaType::protobuf);
    EXPECT_EQ((*s)->avro, nullptr);
    ASSERT_EQ((*s)->references.size(), 1u);
    EXPECT_EQ((*s)->references[0].name, "m/money.proto");
    auto ref = client.schema_by_reference((*s)->references[0]);
    ASSERT_TRUE(ref) << ref.error().message;
    EXPECT_NE((*ref)->text.find("package m;"), std::string::npos);
    ASSERT_TRUE(client.schema_by_reference((*s)->references[0])); // cached
    ASSERT_EQ(server.http_requests().size(), 2u);
    EXPECT_EQ(server.http_requests()[1].target, "/subjects/money%20value/versions/2");
    auto unknown = client.schema_by_reference({"x.proto", "nobody", 1});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().kind, ErrorKind::poison) << unknown.error().message;
}

TEST(SchemaRegistry, AnUnknownIdIsPoisonWithTheRegistrysMessage) {
    ReplayServer server(
        {.routes = {{"/schemas/ids/", {HttpReply{404, R"({"error_code":40403,"message":"Schema 99 not found"})"}}}}});
    SchemaRegistryClient client(fast(server.http_url("")));
    auto s = client.schema_by_id(99);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind, ErrorKind::poison);
    EXPECT_NE(s.error().message.find("schema id 99 is unknown"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("Schema 99 not found"), std::string::npos) << s.error().message;
}

TEST(SchemaRegistry, RetriesAServerErrorAndGetsThrough) {
    ReplayServer server({.routes = {{"/schemas/ids/7",
                                     {HttpReply{503, R"({"error_code":50003,"message":"busy"})"}, HttpReply{200, kTradeAnswer}}}}});
    SchemaRegistryClient client(fast(server.http_url("")));
    auto s = client.schema_by_id(7);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(server.http_requests().size(), 2u);
}

TEST(SchemaRegistry, ARegistryThatDoesNotAnswerIsRetryNeverPoison) {
    uint16_t port = 0;
    {
        ReplayServer gone({});
        port = gone.port();
    }
    SchemaRegistryClient client(fast("http://127.0.0.1:" + std::to_string(port)));
    auto s = client.schema_by_id(7);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind, ErrorKind::retry) << s.error().message;
}

TEST(SchemaRegistry, RefusedCredentialsAreFatal) {
    ReplayServer server({.routes = {{"/schemas/ids/7", {HttpReply{401, R"({"error_code":401,"message":"Unauthorized"})"}}}}});
    auto o = fast(server.http_url(""));
    o.basic_auth = "user:secret";
    SchemaRegistryClient client(o);
    auto s = client.schema_by_id(7);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind, ErrorKind::fatal);
    EXPECT_EQ(server.http_requests().at(0).header("authorization"), "Basic dXNlcjpzZWNyZXQ=");
}

TEST(SchemaRegistry, RegistersUnderASubjectAndSetsItsCompatibility) {
    ReplayServer server({.routes = {{"/subjects/ticks-value/versions", {HttpReply{200, R"({"id":12})"}}},
                                    {"/config/ticks-value", {HttpReply{200, R"({"compatibility":"BACKWARD"})"}}}}});
    SchemaRegistryClient client(fast(server.http_url("")));
    ASSERT_TRUE(client.set_compatibility("ticks-value", "BACKWARD"));
    auto id = client.register_schema("ticks-value", "{\"type\":\"string\"}", SchemaType::avro);
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(*id, 12);
    const auto reqs = server.http_requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_EQ(reqs[0].method, "PUT");
    EXPECT_EQ(reqs[0].body, R"({"compatibility":"BACKWARD"})");
    EXPECT_EQ(reqs[1].method, "POST");
    EXPECT_EQ(reqs[1].body, R"({"schema":"{\"type\":\"string\"}"})");
    EXPECT_EQ(reqs[1].header("content-type"), "application/vnd.schemaregistry.v1+json");
}

TEST(SchemaRegistry, AFileRegistryReadsTheSamePathsFromAFolder) {
    const auto dir = std::filesystem::temp_directory_path() / ("tl_registry_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "schemas/ids");
    std::ofstream(dir / "schemas/ids/3") << kTradeAnswer;
    SchemaRegistryClient client(fast("file://" + dir.string()));
    EXPECT_TRUE(client.schema_by_id(3));
    auto missing = client.schema_by_id(4);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::poison);
    std::filesystem::remove_all(dir);
}

TEST(WireFrame, ReadsMagicAndBigEndianIdAndRefusesOthers) {
    std::string v;
    append_wire_header(v, 0x01020304);
    v += "xy";
    auto f = read_wire_frame(v);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->schema_id, 0x01020304);
    EXPECT_EQ(f->payload, "xy");
    auto wrong = read_wire_frame(std::string("\x01\0\0\0\x01", 5));
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().kind, ErrorKind::poison);
    EXPECT_NE(wrong.error().message.find("magic byte 1"), std::string::npos);
    EXPECT_FALSE(read_wire_frame(std::string("\0\0\0", 3)));
}

} // namespace
} // namespace ticklake
