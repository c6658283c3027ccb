// Decode cost per message: one simulated trade as Schema Registry Avro (AvroRowDecoder), as
// Schema Registry Protobuf (ProtobufRowDecoder), and as plain JSON (JsonRowDecoder), into the
// sink's row cells. Numbers in bench/README.md.
#include <benchmark/benchmark.h>

#include <cstring>
#include <map>

#include "decode/avro_row_decoder.h"
#include "decode/json_row_decoder.h"
#include "decode/protobuf_row_decoder.h"

namespace {

using namespace ticklake;

constexpr char kSchema[] = R"({"type":"record","name":"Trade","fields":[
  {"name":"type","type":"string"},{"name":"id","type":"string"},{"name":"symbol","type":"string"},
  {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},
  {"name":"recv_ts","type":{"type":"long","logicalType":"timestamp-micros"}},
  {"name":"price","type":"double"},{"name":"size","type":"double"},
  {"name":"exchange","type":["null","string"]},{"name":"conditions","type":["null","string"]}]})";

constexpr char kJson[] =
    R"({"type":"trade","id":"sim-7-000000000042","symbol":"SYM017","ts":"2025-01-06T14:30:00.000042Z",)"
    R"("recv_ts":"2025-01-06T14:30:00.000142Z","price":101.25,"size":300,"exchange":"XNAS","conditions":null})";

// The same trade as Protobuf: the idiomatic types (Timestamp messages, wrappers for the nullable
// strings), so the figure includes what a Protobuf producer would really send.
constexpr char kProto[] = R"(syntax = "proto3";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
message Trade {
  string type = 1; string id = 2; string symbol = 3;
  google.protobuf.Timestamp ts = 4; google.protobuf.Timestamp recv_ts = 5;
  double price = 6; double size = 7;
  google.protobuf.StringValue exchange = 8; google.protobuf.StringValue conditions = 9;
})";

class OneSchema final : public SchemaSource {
public:
    OneSchema() {
        auto s = std::make_shared<RegisteredSchema>();
        s->id = 1;
        s->text = kSchema;
        s->avro = AvroSchema::parse(kSchema).value();
        avro_ = s;
        auto p = std::make_shared<RegisteredSchema>();
        p->id = 2;
        p->type = SchemaType::protobuf;
        p->text = kProto;
        protobuf_ = p;
    }
    Result<std::shared_ptr<const RegisteredSchema>> schema_by_id(int32_t id) override { return id == 2 ? protobuf_ : avro_; }

private:
    std::shared_ptr<const RegisteredSchema> avro_;
    std::shared_ptr<const RegisteredSchema> protobuf_;
};

void put_long(std::string& out, int64_t v) {
    uint64_t u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    while (u >= 0x80) {
        out.push_back(static_cast<char>((u & 0x7f) | 0x80));
        u >>= 7;
    }
    out.push_back(static_cast<char>(u));
}
void put_string(std::string& out, std::string_view s) {
    put_long(out, static_cast<int64_t>(s.size()));
    out += s;
}
void put_double(std::string& out, double d) {
    char b[8];
    std::memcpy(b, &d, 8);
    out.append(b, 8);
}

std::string avro_trade() {
    std::string v;
    append_wire_header(v, 1);
    put_string(v, "trade");
    put_string(v, "sim-7-000000000042");
    put_string(v, "SYM017");
    put_long(v, 1'736'173'800'000'042);
    put_long(v, 1'736'173'800'000'142);
    put_double(v, 101.25);
    put_double(v, 300);
    put_long(v, 1);
    put_string(v, "XNAS");
    put_long(v, 0);
    return v;
}

// Protobuf binary by hand (the encoding guide): tag, then varint, fixed64 or length-delimited.
void pb_varint(std::string& out, uint64_t u) {
    while (u >= 0x80) {
        out.push_back(static_cast<char>((u & 0x7f) | 0x80));
        u >>= 7;
    }
    out.push_back(static_cast<char>(u));
}
void pb_bytes(std::string& out, int field, std::string_view s) {
    pb_varint(out, static_cast<uint64_t>(field) << 3 | 2);
    pb_varint(out, s.size());
    out += s;
}
void pb_double(std::string& out, int field, double d) {
    pb_varint(out, static_cast<uint64_t>(field) << 3 | 1);
    put_double(out, d);
}
std::string pb_timestamp(int64_t micros) {
    std::string m;
    pb_varint(m, 1 << 3);
    pb_varint(m, static_cast<uint64_t>(micros / 1'000'000));
    pb_varint(m, 2 << 3);
    pb_varint(m, static_cast<uint64_t>(micros % 1'000'000 * 1000));
    return m;
}

std::string protobuf_trade() {
    std::string v;
    append_wire_header(v, 2);
    v.push_back('\0'); // message index [0]
    pb_bytes(v, 1, "trade");
    pb_bytes(v, 2, "sim-7-000000000042");
    pb_bytes(v, 3, "SYM017");
    pb_bytes(v, 4, pb_timestamp(1'736'173'800'000'042));
    pb_bytes(v, 5, pb_timestamp(1'736'173'800'000'142));
    pb_double(v, 6, 101.25);
    pb_double(v, 7, 300);
    std::string exchange;
    pb_bytes(exchange, 1, "XNAS");
    pb_bytes(v, 8, exchange); // conditions (9) unset: null
    return v;
}

void BM_ProtobufTrade(benchmark::State& state) {
    OneSchema schemas;
    ProtobufRowDecoder d(schemas);
    RowCells row;
    const std::string value = protobuf_trade();
    if (auto st = d.decode(value, row); !st || row.cells().size() != 9) {
        state.SkipWithError("the Protobuf trade does not decode");
        return;
    }
    for (auto _ : state) {
        auto st = d.decode(value, row);
        benchmark::DoNotOptimize(st);
    }
    state.counters["bytes/msg"] = static_cast<double>(value.size());
}
BENCHMARK(BM_ProtobufTrade);

void BM_AvroTrade(benchmark::State& state) {
    OneSchema schemas;
    AvroRowDecoder d(schemas);
    RowCells row;
    const std::string value = avro_trade();
    for (auto _ : state) {
        auto st = d.decode(value, row);
        benchmark::DoNotOptimize(st);
    }
    state.counters["bytes/msg"] = static_cast<double>(value.size());
}
BENCHMARK(BM_AvroTrade);

void BM_JsonTrade(benchmark::State& state) {
    JsonRowDecoder d;
    RowCells row;
    const std::string value = kJson;
    for (auto _ : state) {
        auto st = d.decode(value, row);
        benchmark::DoNotOptimize(st);
    }
    state.counters["bytes/msg"] = static_cast<double>(value.size());
}
BENCHMARK(BM_JsonTrade);

} // namespace

BENCHMARK_MAIN();
