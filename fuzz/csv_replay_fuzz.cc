// CSV replay (sources/csv_reader, sources/csv_replay): the reader on the bytes as they are, then
// the replay on the same bytes as a file, shape and dialect sniffed, every row turned into events.
// The first byte picks the forced shape and the null-token list.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sources/csv_reader.h"
#include "sources/csv_replay.h"

using namespace ticklake;

namespace {

// One scratch file per fuzzing process (CsvReplay reads a path); removed at exit.
const std::string& scratch_path() {
    static const std::string path = [] {
        std::string p = "/tmp/ticklake_csv_replay_fuzz_" + std::to_string(::getpid()) + ".csv";
        std::atexit([] { std::remove(scratch_path().c_str()); });
        return p;
    }();
    return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) {
        return 0;
    }
    const uint8_t mode = data[0];
    const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);

    // Small buffers so fields and quotes straddle refills.
    auto reader = CsvReader::from_string(text, 1 + mode % 16);
    CsvRow row;
    for (int rows = 0; rows < 10000; ++rows) {
        auto more = reader->next(row);
        if (!more || !*more) {
            break;
        }
    }

    if (FILE* f = std::fopen(scratch_path().c_str(), "wb")) {
        std::fwrite(text.data(), 1, text.size(), f);
        std::fclose(f);
    } else {
        return 0;
    }
    CsvReplayOptions o;
    o.path = scratch_path();
    o.as = static_cast<CsvShape>(mode % 3);
    if (mode & 4) {
        o.null_values = "NA,-";
    }
    if (mode & 8) {
        o.symbol_column = "Index";
    }
    auto replay = CsvReplay::open(o);
    if (!replay) {
        return 0;
    }
    std::vector<Event> events;
    for (int batches = 0; batches < 1000 && !(*replay)->done(); ++batches) {
        events.clear();
        if (!(*replay)->next_batch(events, 256)) {
            break;
        }
    }
    return 0;
}
