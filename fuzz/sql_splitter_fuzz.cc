// The SQL shell's statement splitter and classifier (query/statement_splitter): statements
// versus dot commands, line by line, from whatever a user pastes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "query/statement_splitter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    ticklake::query::StatementSplitter splitter;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        (void)splitter.feed(std::string(text.substr(start, end - start)));
        start = end + 1;
    }
    (void)splitter.rest();
    return 0;
}
