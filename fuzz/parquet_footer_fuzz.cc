// Our Thrift-compact reader of Parquet's FileMetaData (crawler/parquet_metadata): the footer
// comes from any file in the warehouse, so it is untrusted input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crawler/parquet_metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view footer(reinterpret_cast<const char*>(data), size);
    if (auto f = ticklake::decode_parquet_footer(footer, "fuzz.parquet")) {
        for (const auto& c : f->columns) {
            (void)ticklake::hive_type_of_duckdb(c.type);
        }
    }
    return 0;
}
