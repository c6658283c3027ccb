#include "iceberg/avro_file.h"

#include <gtest/gtest.h>

#include "iceberg/manifest.h"

namespace ticklake::iceberg {
namespace {

TEST(AvroFile, EncodesLongsAsZigZagVarints) {
    AvroEncoder e;
    e.long_(0).long_(-1).long_(1).long_(-64).long_(64);
    EXPECT_EQ(e.str(), std::string("\x00\x01\x02\x7f\x80\x01", 6));
}

TEST(AvroFile, ContainerRoundTripsRecords) {
    const std::string schema =
        R"({"type":"record","name":"r","fields":[{"name":"a","type":"long"},{"name":"b","type":["null","string"]},)"
        R"({"name":"c","type":{"type":"array","items":"int"}}]})";
    AvroEncoder one;
    one.long_(-5).branch(1).string("x").block(2).int_(7).int_(8).end_blocks();
    AvroEncoder two;
    two.long_(1'000'000'000'000).null_().end_blocks();
    const std::string file = write_avro_file(schema, {{"k", "v"}}, {one.take(), two.take()});
    ASSERT_EQ(file.substr(0, 4), std::string("Obj\x01", 4));
    auto read = read_avro_file(file);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->metadata["k"], "v");
    EXPECT_EQ(read->metadata["avro.codec"], "null");
    ASSERT_EQ(read->records.size(), 2u);
    EXPECT_EQ(read->records[0].field("a")->number, -5);
    EXPECT_EQ(read->records[0].field("b")->text, "x");
    ASSERT_EQ(read->records[0].field("c")->items.size(), 2u);
    EXPECT_EQ(read->records[0].field("c")->items[1].number, 8);
    EXPECT_EQ(read->records[1].field("a")->number, 1'000'000'000'000);
    EXPECT_EQ(read->records[1].field("b"), nullptr);
}

TEST(AvroFile, RefusesACorruptFile) {
    std::string file = write_avro_file(R"({"type":"record","name":"r","fields":[{"name":"a","type":"long"}]})", {},
                                       {AvroEncoder().long_(3).take()});
    file.back() ^= 1; // the block's sync marker
    EXPECT_FALSE(read_avro_file(file));
    EXPECT_FALSE(read_avro_file("not avro"));
}

// Found by iceberg_metadata_fuzz: a block count of INT64_MIN was negated (UBSan), and counts
// far beyond the bytes left would have looped and allocated without end.
TEST(AvroFile, BlockCountsTheBytesCannotHoldAreRefused) {
    const std::string magic("Obj\x01", 4);
    EXPECT_FALSE(read_avro_file(magic + AvroEncoder().long_(INT64_MIN).take()));
    EXPECT_FALSE(read_avro_file(magic + AvroEncoder().long_(int64_t{1} << 62).take()));
    EXPECT_FALSE(read_avro_file(magic + AvroEncoder().long_(-(int64_t{1} << 62)).long_(4).take()));
    // An array inside a record, and a data block claiming more records than its bytes.
    const std::string schema =
        R"({"type":"record","name":"r","fields":[{"name":"c","type":{"type":"array","items":"int"}}]})";
    std::string file = write_avro_file(schema, {}, {AvroEncoder().long_(INT64_MIN).take()});
    EXPECT_FALSE(read_avro_file(file));
    file = write_avro_file(schema, {}, {AvroEncoder().block(3).int_(1).int_(2).int_(3).end_blocks().take()});
    ASSERT_TRUE(read_avro_file(file));
    const size_t header_end = file.size() - 16 - 5 - 2; // sync marker, record bytes, size and count
    std::string lying = file;
    lying[header_end] = AvroEncoder().long_(60).str()[0]; // 60 records in a 5-byte block
    auto read = read_avro_file(lying);
    ASSERT_FALSE(read);
    EXPECT_NE(read.error().message.find("60 records in 5 bytes"), std::string::npos) << read.error().message;
}

TEST(Manifest, ListRoundTripsWithPartitionSummaries) {
    TableMetadata t;
    t.fields = {{1, "ts", "timestamp", false}, {2, "price", "double", false}};
    t.day_source_id = 1;
    std::vector<DataFile> files(2);
    files[0].path = "file:///wh/a.parquet";
    files[0].record_count = 10;
    files[0].day = 19'000;
    files[1].path = "file:///wh/b.parquet";
    files[1].record_count = 5;
    files[1].day = 19'002;
    const std::string manifest = write_manifest(t, 42, 3, files);
    auto back = read_manifest(manifest);
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_EQ(back->size(), 2u);
    EXPECT_EQ((*back)[1].path, "file:///wh/b.parquet");
    EXPECT_EQ((*back)[1].record_count, 5);
    EXPECT_EQ((*back)[1].day, 19'002);

    const ManifestFile m = describe_manifest("file:///wh/m.avro", 123, 42, 3, files, true);
    EXPECT_EQ(m.added_rows, 15);
    auto list = read_manifest_list(write_manifest_list({m, m}, 42, 41, 3));
    ASSERT_TRUE(list) << list.error().message;
    ASSERT_EQ(list->size(), 2u);
    const ManifestFile& r = (*list)[1];
    EXPECT_EQ(r.path, "file:///wh/m.avro");
    EXPECT_EQ(r.length, 123);
    EXPECT_EQ(r.added_snapshot_id, 42);
    EXPECT_EQ(r.sequence_number, 3);
    EXPECT_EQ(r.added_files, 2);
    EXPECT_EQ(r.added_rows, 15);
    ASSERT_TRUE(r.partitions);
    ASSERT_EQ(r.partitions->size(), 1u);
    EXPECT_EQ((*r.partitions)[0].lower_bound, std::string("\x38\x4a\x00\x00", 4)); // 19000 little-endian
}

} // namespace
} // namespace ticklake::iceberg
