// The crawler's gzip inflater (crawler/gzip_inflater): .jsonl.gz and .csv.gz objects from the
// store, which may be truncated, concatenated or not gzip at all.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crawler/gzip_inflater.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    ticklake::GzipInflater inflater;
    size_t out_bytes = 0;
    const auto sink = [&](std::string_view chunk) { out_bytes += chunk.size(); };
    // Two feeds: a member header or a deflate block split across reads.
    const size_t cut = size / 2;
    if (inflater.feed(in.substr(0, cut), sink) && inflater.feed(in.substr(cut), sink)) {
        (void)inflater.finish();
    }
    return 0;
}
