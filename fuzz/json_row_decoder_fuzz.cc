// Schemaless JSON inference (decode/json_row_decoder): any Kafka message of an open table.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decode/json_row_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view value(reinterpret_cast<const char*>(data), size);
    static ticklake::JsonRowDecoder decoder; // reused as the sink reuses it
    ticklake::RowCells row;
    (void)decoder.decode(value, row);
    (void)ticklake::replace_non_finite_literals(value);
    return 0;
}
