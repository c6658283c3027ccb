#include "common/warehouse_uri.h"

#include <gtest/gtest.h>

namespace ticklake {
namespace {

TEST(WarehouseUri, TellsS3InAnyCaseAndNothingElse) {
    EXPECT_TRUE(is_s3_uri("s3://lake/wh"));
    EXPECT_TRUE(is_s3_uri("S3://lake/wh"));
    EXPECT_TRUE(is_s3_uri("s3://"));  // a bucketless URI is still S3's to refuse, with S3's reason
    EXPECT_FALSE(is_s3_uri("s3:/lake"));
    EXPECT_FALSE(is_s3_uri("s3a://lake/wh"));  // Hadoop's scheme is not ours: a local folder of that name
    EXPECT_FALSE(is_s3_uri("./s3://x"));
    EXPECT_FALSE(is_s3_uri(""));
    EXPECT_FALSE(is_s3_uri("s3"));
}

TEST(WarehouseUri, LocalPathsLoseOnlyTheFileScheme) {
    const auto file = WarehouseUri::parse("file:///tmp/wh");
    EXPECT_TRUE(file.is_local());
    EXPECT_EQ(file.text(), "/tmp/wh");
    const auto upper = WarehouseUri::parse("FILE:///tmp/wh");
    EXPECT_EQ(upper.text(), "/tmp/wh");
    const auto plain = WarehouseUri::parse("./warehouse");
    EXPECT_TRUE(plain.is_local());
    EXPECT_EQ(plain.text(), "./warehouse");
}

TEST(WarehouseUri, S3UrisAreKeptAsWritten) {
    const auto s3 = WarehouseUri::parse("S3://Lake/wh");
    EXPECT_TRUE(s3.is_s3());
    EXPECT_EQ(s3.scheme(), WarehouseUri::Scheme::s3);
    EXPECT_EQ(s3.text(), "S3://Lake/wh");
}

}  // namespace
}  // namespace ticklake
