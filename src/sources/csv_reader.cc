#include "sources/csv_reader.h"

#include <fstream>
#include <sstream>

namespace ticklake {

CsvReader::CsvReader(std::unique_ptr<std::istream> in, std::string name, size_t buffer_size)
    : in_(std::move(in)), name_(std::move(name)), buffer_(std::max<size_t>(buffer_size, 1)) {}

Result<std::unique_ptr<CsvReader>> CsvReader::open(const std::string& path, size_t buffer_size) {
    auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!in->is_open()) {
        return fail(Error::invalid("cannot open CSV file '" + path + "': check that it exists and is readable"));
    }
    return std::unique_ptr<CsvReader>(new CsvReader(std::move(in), path, buffer_size));
}

std::unique_ptr<CsvReader> CsvReader::from_string(std::string text, size_t buffer_size) {
    return std::unique_ptr<CsvReader>(
        new CsvReader(std::make_unique<std::istringstream>(std::move(text)), "<memory>", buffer_size));
}

bool CsvReader::refill() {
    if (!in_->good()) {
        return false;
    }
    in_->read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    const auto got = static_cast<size_t>(in_->gcount());
    if (in_->bad()) {
        io_error_ = true;
    }
    pos_ = 0;
    end_ = got;
    return got > 0;
}

Result<bool> CsvReader::next(CsvRow& row) {
    if (!started_) {
        started_ = true;
        // Drop a UTF-8 byte-order mark (Excel writes one).
        if (peek() == 0xEF) {
            if (end_ - pos_ >= 3 && static_cast<unsigned char>(buffer_[pos_ + 1]) == 0xBB &&
                static_cast<unsigned char>(buffer_[pos_ + 2]) == 0xBF) {
                pos_ += 3;
            }
        }
    }
    row.count = 0;
    row.line = line_;
    row.unterminated = false;
    if (peek() < 0) {
        if (io_error_) {
            return fail(Error::fatal("read error on CSV file '" + name_ + "'"));
        }
        return false;
    }
    auto new_field = [&row]() -> std::string& {
        if (row.count == row.storage.size()) {
            row.storage.emplace_back();
        }
        std::string& f = row.storage[row.count++];
        f.clear();
        return f;
    };
    std::string* field = &new_field();
    bool at_field_start = true;
    for (;;) {
        int c = get();
        if (c == '"' && at_field_start) {
            at_field_start = false;
            for (;;) {
                c = get();
                if (c < 0) {
                    row.unterminated = true;
                    return true;
                }
                if (c == '"') {
                    if (peek() == '"') {
                        get();
                        field->push_back('"');
                        continue;
                    }
                    break;
                }
                if (c == '\n' || (c == '\r' && peek() != '\n')) {
                    ++line_;
                }
                field->push_back(static_cast<char>(c));
            }
            continue;
        }
        at_field_start = false;
        if (c == ',') {
            field = &new_field();
            at_field_start = true;
        } else if (c == '\n') {
            ++line_;
            return true;
        } else if (c == '\r') {
            if (peek() == '\n') {
                get();
            }
            ++line_;
            return true;
        } else if (c < 0) {
            if (io_error_) {
                return fail(Error::fatal("read error on CSV file '" + name_ + "'"));
            }
            return true;
        } else {
            field->push_back(static_cast<char>(c));
        }
    }
}

} // namespace ticklake
