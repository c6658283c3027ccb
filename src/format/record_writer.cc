#include "format/record_writer.h"

#include "format/csv_writer.h"
#include "format/jsonl_writer.h"
#include "format/parquet_writer.h"

namespace ticklake {

Result<std::unique_ptr<RecordWriter>> make_record_writer(std::string_view format, const WriterOptions& options) {
    if (format == "parquet") {
        auto w = ParquetWriter::open(options);
        if (!w) {
            return fail(std::move(w.error()));
        }
        return std::unique_ptr<RecordWriter>(std::move(*w));
    }
    if (format == "jsonl") {
        return std::unique_ptr<RecordWriter>(std::make_unique<JsonlWriter>(options.direct_io));
    }
    if (format == "csv") {
        return std::unique_ptr<RecordWriter>(std::make_unique<CsvWriter>(options.direct_io));
    }
    return fail(Error::invalid("unknown output format '" + std::string(format) +
                               "': use one of parquet, jsonl, csv"));
}

} // namespace ticklake
