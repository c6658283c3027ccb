// CSV dialects (common/csv_dialect): byte-order marks, UTF-16, delimiter / number / date sniffing
// the cell parsers every CSV reader shares, and the sink's CSV row decoder on the same text.
// The first byte picks the modes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/csv_dialect.h"
#include "decode/csv_row_decoder.h"

using namespace ticklake;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) {
        return 0;
    }
    const uint8_t mode = data[0];
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

    (void)detect_byte_order_mark(text);
    // Split the UTF-16 input at a point chosen by the mode byte, as reads split a file.
    std::string utf8;
    Utf16Transcoder t((mode & 1) != 0);
    const size_t cut = text.empty() ? 0 : mode % (text.size() + 1);
    t.feed(text.substr(0, cut), utf8);
    t.feed(text.substr(cut), utf8);
    t.finish(utf8);

    const char delimiter = sniff_csv_delimiter(text, (mode & 2) != 0);
    const CsvNumberStyle style = sniff_csv_number_style(text, delimiter);
    const CsvNullTokens nulls = CsvNullTokens::parse(text.substr(0, 64));
    std::vector<std::string> header;
    CsvDateSniffer dates;
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == delimiter || text[i] == '\n') {
            const std::string_view cell = text.substr(start, i - start);
            (void)parse_csv_number(cell, style);
            (void)csv_cell_type(cell, (mode & 4) != 0, nulls, style);
            (void)nulls.is_null(cell);
            (void)parse_csv_date(cell, static_cast<CsvDateFormat>(mode % 7));
            dates.see(cell);
            (void)clean_header_name(cell);
            if (header.size() < 64) {
                header.emplace_back(cell);
            }
            start = i + 1;
        }
    }
    (void)dates.format();
    // The sink's CSV rows (decode/csv_row_decoder): the first line is the header, each
    // further line one message.
    CsvRowDecoder rows(delimiter);
    rows.set_columns(csv_column_names(header));
    rows.set_null_tokens(nulls);
    RowCells cells;
    start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '\n') {
            (void)rows.decode(text.substr(start, i - start), cells);
            start = i + 1;
        }
    }
    return 0;
}
