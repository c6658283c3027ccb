#include "sources/csv_reader.h"

#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

#include "common/csv_dialect.h"

namespace ticklake {

CsvReader::CsvReader(std::unique_ptr<std::istream> in, std::string name, size_t buffer_size)
    : in_(std::move(in)), name_(std::move(name)), buffer_(std::max<size_t>(buffer_size, 1)) {}

namespace {

// UTF-16 input (marked FF FE or FE FF) as UTF-8 text; nullopt for everything else.
std::optional<std::string> utf16_as_utf8(std::istream& in) {
    char head[2] = {0, 0};
    in.read(head, 2);
    const ByteOrderMark bom = detect_byte_order_mark(std::string_view(head, static_cast<size_t>(in.gcount())));
    if (bom.encoding == TextEncoding::utf8) {
        in.clear();
        in.seekg(0);
        return std::nullopt;
    }
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::string text;
    text.reserve(bytes.size() / 2 + bytes.size() / 8);
    Utf16Transcoder t(bom.encoding == TextEncoding::utf16be);
    t.feed(bytes, text);
    t.finish(text);
    return text;
}

} // namespace

Result<std::unique_ptr<CsvReader>> CsvReader::open(const std::string& path, size_t buffer_size) {
    auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!in->is_open()) {
        return fail(Error::invalid("cannot open CSV file '" + path + "': check that it exists and is readable"));
    }
    return from_stream(std::move(in), path, buffer_size);
}

std::unique_ptr<CsvReader> CsvReader::from_stream(std::unique_ptr<std::istream> in, std::string name,
                                                  size_t buffer_size) {
    if (auto text = utf16_as_utf8(*in)) {
        in = std::make_unique<std::istringstream>(std::move(*text));
    }
    return std::unique_ptr<CsvReader>(new CsvReader(std::move(in), std::move(name), buffer_size));
}

std::unique_ptr<CsvReader> CsvReader::from_string(std::string text, size_t buffer_size) {
    auto in = std::make_unique<std::istringstream>(std::move(text));
    if (auto utf8 = utf16_as_utf8(*in)) {
        in = std::make_unique<std::istringstream>(std::move(*utf8));
    }
    return std::unique_ptr<CsvReader>(new CsvReader(std::move(in), "<memory>", buffer_size));
}

std::string_view CsvReader::head(bool& complete) {
    skip_byte_order_mark();
    if (pos_ == end_) {
        refill();
    }
    complete = !in_->good();
    return std::string_view(buffer_.data() + pos_, end_ - pos_);
}

// Drops a UTF-8 byte-order mark, plain (Excel writes one) or decoded as Latin-1 and encoded
// again. Marks longer than what the buffer holds (a buffer under 6 bytes, in tests) are kept.
void CsvReader::skip_byte_order_mark() {
    if (started_) {
        return;
    }
    started_ = true;
    if (peek() < 0) {
        return;
    }
    while (end_ < buffer_.size() && end_ < 6 && in_->good()) {
        in_->read(buffer_.data() + end_, static_cast<std::streamsize>(buffer_.size() - end_));
        end_ += static_cast<size_t>(in_->gcount());
    }
    const ByteOrderMark bom = detect_byte_order_mark(std::string_view(buffer_.data() + pos_, end_ - pos_));
    if (bom.encoding == TextEncoding::utf8) {
        pos_ += bom.length;
    }
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
    skip_byte_order_mark();
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
        if (c == delimiter_) {
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
