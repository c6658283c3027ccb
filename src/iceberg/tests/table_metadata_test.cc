#include "iceberg/table_metadata.h"

#include <gtest/gtest.h>

namespace ticklake::iceberg {
namespace {

TEST(TableMetadata, JsonRoundTrips) {
    TableMetadata m;
    m.uuid = random_uuid();
    m.location = "file:///wh/market/trades";
    m.last_sequence_number = 2;
    m.last_updated_ms = 1'700'000'000'000;
    m.fields = {{1, "ts", "timestamp", false}, {2, "price", "decimal(18, 8)", true}};
    m.last_column_id = 2;
    m.day_source_id = 1;
    m.properties["write.format.default"] = "parquet";
    Snapshot s;
    s.id = 77;
    s.parent_id = 76;
    s.sequence_number = 2;
    s.timestamp_ms = 5;
    s.manifest_list = "file:///wh/market/trades/metadata/snap-77-1-x.avro";
    s.summary["operation"] = "append";
    s.summary[kafka_offsets_key("ticks", "g")] = offsets_to_json({{0, 10}, {3, 7}});
    m.snapshots.push_back(s);
    m.current_snapshot_id = 77;
    m.snapshot_log.emplace_back(5, 77);
    m.metadata_log.emplace_back(4, "file:///wh/market/trades/metadata/00000-x.metadata.json");

    auto back = TableMetadata::from_json(m.to_json());
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->uuid, m.uuid);
    EXPECT_EQ(back->location, m.location);
    EXPECT_EQ(back->last_sequence_number, 2);
    ASSERT_EQ(back->fields.size(), 2u);
    EXPECT_EQ(back->fields[1].type, "decimal(18, 8)");
    EXPECT_TRUE(back->fields[1].required);
    EXPECT_EQ(back->day_source_id, 1);
    ASSERT_NE(back->current(), nullptr);
    EXPECT_EQ(back->current()->parent_id, 76);
    auto offsets = offsets_from_json(back->current()->summary.at("ticklake.kafka.offsets.ticks.g"));
    ASSERT_TRUE(offsets);
    EXPECT_EQ(offsets->at(3), 7);
    EXPECT_EQ(back->metadata_log.size(), 1u);
    EXPECT_EQ(back->to_json(), m.to_json());
}

// Found by iceberg_metadata_fuzz: a key that is not a number ended the process through
// std::stoi's exception. Every malformed entry is now an error the sink reports.
TEST(TableMetadata, KafkaOffsetsWithKeysThatAreNotPartitionsAreRefusedNotThrown) {
    for (const char* json : {R"({"0":1200,"0":0,"a":9993})", R"({"a":1})", R"({"":1})", R"({"1x":1})",
                             R"({"-1":5})", R"({"+1":5})", R"({"99999999999":5})", R"({"0":1,"0":2})",
                             R"({"0":-3})", R"({"0":"12"})", R"([1,2])"}) {
        auto offsets = offsets_from_json(json);
        EXPECT_FALSE(offsets) << json;
    }
    auto ok = offsets_from_json(R"({"0":1200,"11":0,"2147483647":9007199254740993})");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->size(), 3u);
    EXPECT_EQ(ok->at(2147483647), 9007199254740993);
}

TEST(TableMetadata, RefusesFormatVersion1) {
    EXPECT_FALSE(TableMetadata::from_json(R"({"format-version":1,"location":"x","schemas":[]})"));
}

TEST(TableMetadata, MapsTheSinksTypes) {
    EXPECT_EQ(iceberg_type_of("BIGINT"), "long");
    EXPECT_EQ(iceberg_type_of("TIMESTAMP"), "timestamp");
    EXPECT_EQ(iceberg_type_of("DECIMAL(18,8)"), "decimal(18, 8)");
    EXPECT_EQ(iceberg_type_of("UBIGINT"), std::nullopt);
}

TEST(TableMetadata, UuidsAreVersion4) {
    const std::string u = random_uuid();
    ASSERT_EQ(u.size(), 36u);
    EXPECT_EQ(u[14], '4');
    EXPECT_NE(u, random_uuid());
}

TEST(TableMetadata, EvolvedSchemasStayForOldSnapshots) {
    TableMetadata m;
    m.location = "file:///wh/t";
    m.fields = {{1, "id", "int", false}};
    m.last_column_id = 1;
    m.evolve_schema({{1, "id", "long", false}, {2, "venue", "string", false}});
    EXPECT_EQ(m.current_schema_id, 1);
    EXPECT_EQ(m.last_column_id, 2);
    auto back = TableMetadata::from_json(m.to_json());
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->current_schema_id, 1);
    ASSERT_EQ(back->fields.size(), 2u);
    EXPECT_EQ(back->fields[0].type, "long");
    const auto* old = back->schema(0);
    ASSERT_NE(old, nullptr);
    ASSERT_EQ(old->size(), 1u);
    EXPECT_EQ((*old)[0].type, "int");
    EXPECT_EQ(back->schema(7), nullptr);
}

TEST(TableMetadata, SnapshotAsOfIsTheOneCurrentThen) {
    TableMetadata m;
    for (int64_t id : {10, 11, 12}) {
        Snapshot s;
        s.id = id;
        s.timestamp_ms = id * 100;
        m.snapshots.push_back(s);
        m.snapshot_log.emplace_back(id * 100, id);
    }
    EXPECT_EQ(m.snapshot_as_of(999), nullptr);
    EXPECT_EQ(m.snapshot_as_of(1000)->id, 10);
    EXPECT_EQ(m.snapshot_as_of(1150)->id, 11);
    EXPECT_EQ(m.snapshot_as_of(99999)->id, 12);
    m.snapshot_log.clear(); // no log: the newest snapshot made by then
    EXPECT_EQ(m.snapshot_as_of(1150)->id, 11);
}

} // namespace
} // namespace ticklake::iceberg
