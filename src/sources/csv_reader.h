// A streaming RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF line ends, line
// breaks inside quotes. Reads through a fixed buffer, so a 10 GB file costs a few MB.
// Lenient where RFC 4180 is silent: text after a closing quote is kept, a lone CR ends a
// line. The byte-order marks of common/csv_dialect are dropped (UTF-8, double-encoded UTF-8);
// a UTF-16 file is transcoded to UTF-8 whole when opened (such files are small exports).
// The delimiter is ',' unless set_delimiter() chose another (csv_dialect's sniffer decides).
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace ticklake {

//! One parsed row. Reuse one CsvRow across calls: field strings keep their capacity.
struct CsvRow {
    std::vector<std::string> storage; //!< first size() entries are this row's fields
    size_t count = 0;
    uint64_t line = 0;          //!< 1-based line number of the row's first line
    bool unterminated = false;  //!< input ended inside a quoted field

    size_t size() const { return count; }
    std::string_view operator[](size_t i) const { return storage[i]; }
    //! An empty line: one empty field.
    bool blank() const { return count == 1 && storage[0].empty(); }
};

class CsvReader {
public:
    //! Fails with invalid_argument naming the path when it cannot be opened.
    static Result<std::unique_ptr<CsvReader>> open(const std::string& path, size_t buffer_size = 1 << 20);
    //! Reads a stream someone else opened (a member of a zip archive); `name` is for messages.
    static std::unique_ptr<CsvReader> from_stream(std::unique_ptr<std::istream> in, std::string name,
                                                  size_t buffer_size = 1 << 20);
    //! Reads from memory (tests, small inputs).
    static std::unique_ptr<CsvReader> from_string(std::string text, size_t buffer_size = 1 << 20);

    //! Reads the next row. Returns false at the end of the input; an error only for I/O.
    Result<bool> next(CsvRow& row);

    //! The field delimiter from the next row on.
    void set_delimiter(char delimiter) { delimiter_ = delimiter; }
    //! Up to one buffer of the input not yet read, after any byte-order mark (sniffing the
    //! dialect); `complete` tells whether that is the rest of the input.
    std::string_view head(bool& complete);

    //! What the reader reads, for messages ("<memory>" or the path).
    const std::string& name() const { return name_; }

private:
    CsvReader(std::unique_ptr<std::istream> in, std::string name, size_t buffer_size);
    //! -1 at the end of the input.
    int get() {
        if (pos_ == end_ && !refill()) {
            return -1;
        }
        return static_cast<unsigned char>(buffer_[pos_++]);
    }
    int peek() {
        if (pos_ == end_ && !refill()) {
            return -1;
        }
        return static_cast<unsigned char>(buffer_[pos_]);
    }
    bool refill();
    void skip_byte_order_mark();

    std::unique_ptr<std::istream> in_;
    std::string name_;
    std::vector<char> buffer_;
    size_t pos_ = 0;
    size_t end_ = 0;
    uint64_t line_ = 1;
    bool started_ = false;
    bool io_error_ = false;
    char delimiter_ = ',';
};

} // namespace ticklake
