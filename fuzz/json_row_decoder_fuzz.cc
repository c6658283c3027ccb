// Schemaless JSON inference (decode/json_row_decoder): any Kafka message of an open table.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "decode/json_row_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view value(reinterpret_cast<const char*>(data), size);
    static ticklake::JsonRowDecoder decoder; // reused as the sink reuses it
    // The flat path and simdjson must agree on every input: verdict, cells, error text.
    static ticklake::JsonRowDecoder simdjson_only;
    static const bool once = (simdjson_only.set_simdjson_only(true), true);
    (void)once;
    ticklake::RowCells row, check;
    const auto a = decoder.decode(value, row);
    const auto b = simdjson_only.decode(value, check);
    if (static_cast<bool>(a) != static_cast<bool>(b) || (!a && a.error().message != b.error().message)) {
        __builtin_trap();
    }
    if (a) {
        if (row.cells().size() != check.cells().size()) {
            __builtin_trap();
        }
        for (size_t i = 0; i < row.cells().size(); ++i) {
            const auto& x = row.cells()[i].value;
            const auto& y = check.cells()[i].value;
            if (x.kind != y.kind || x.text != y.text || x.i != y.i || x.b != y.b ||
                std::memcmp(&x.d, &y.d, sizeof x.d) != 0) {
                __builtin_trap();
            }
        }
    }
    (void)ticklake::replace_non_finite_literals(value);
    return 0;
}
