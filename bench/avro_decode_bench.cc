// Decode cost per message: one simulated trade as Schema Registry Avro (AvroRowDecoder) and as
// plain JSON (JsonRowDecoder), into the sink's row cells. Numbers in bench/README.md.
#include <benchmark/benchmark.h>

#include <cstring>
#include <map>

#include "decode/avro_row_decoder.h"
#include "decode/json_row_decoder.h"

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

class OneSchema final : public SchemaSource {
public:
    OneSchema() {
        auto s = std::make_shared<RegisteredSchema>();
        s->id = 1;
        s->text = kSchema;
        s->avro = AvroSchema::parse(kSchema).value();
        schema_ = s;
    }
    Result<std::shared_ptr<const RegisteredSchema>> schema_by_id(int32_t) override { return schema_; }

private:
    std::shared_ptr<const RegisteredSchema> schema_;
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
