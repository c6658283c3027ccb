// The loop the text writers (JSON Lines, CSV) share: open a BufferedFile, write what a file
// starts with, then the rows in sort order, gathered a RowBlock at a time (see row_block.h for
// why) and flushed as the buffer fills. A format says only how a file starts and how a row reads.
#pragma once

#include "format/buffered_file.h"
#include "format/record_writer.h"
#include "format/row_block.h"

namespace ticklake {

class TextRowWriter : public RecordWriter {
public:
    //! direct_io: files are written past the page cache where the file system allows it
    //! (WriterOptions::direct_io).
    explicit TextRowWriter(bool direct_io = false) : direct_io_(direct_io) {}
    //! field_ids: unused (text files have none).
    Status write(const ColumnBatch& batch, std::span<const uint32_t> order, const std::filesystem::path& path,
                 std::span<const int> field_ids = {}) final;

protected:
    //! Once per file, before any row: CSV's header row, JSON Lines' keys.
    virtual void begin_file(const ColumnBatch& batch, std::string& out) = 0;
    //! Appends row `row` of `block` (columns as in batch), line end included.
    virtual void append_row(const ColumnBatch& batch, const RowBlock& block, size_t row, std::string& out) = 0;
    //! Appends `rows` of batch from text the batch already holds for them, when the format has
    //! such text (JSON Lines: ColumnBatch::json_rows); false: append_row writes them.
    virtual bool append_rows_as_is(const ColumnBatch& /*batch*/, std::span<const uint32_t> /*rows*/,
                                   std::string& /*out*/) {
        return false;
    }

private:
    bool direct_io_;
    BufferedFile file_; //!< reused across files for its buffer
    RowBlock block_;
};

} // namespace ticklake
