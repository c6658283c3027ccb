// The crawler's CSV scanner and dialect sniffer (crawler/csv_scanner), fed in two chunks split
// where the first byte says, as object reads split a file.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "crawler/csv_scanner.h"

using namespace ticklake;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    const CsvDialect dialect = sniff_csv_dialect(text, (data[0] & 1) != 0);
    size_t records = 0;
    CsvScanner scanner(dialect.delimiter, dialect.quote, [&](const std::vector<CsvField>& fields) {
        records += fields.size();
    });
    const size_t cut = data[0] % (text.size() + 1);
    scanner.feed(text.substr(0, cut));
    scanner.feed(text.substr(cut));
    scanner.finish();
    return 0;
}
