#include "common/json_writer.h"

#include "common/event_json.h"

namespace ticklake {

void JsonWriter::newline() {
    if (indent_ > 0) {
        out_ += '\n';
        out_.append(has_items_.size() * static_cast<size_t>(indent_), ' ');
    }
}

void JsonWriter::before_value() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!has_items_.empty()) {
        if (has_items_.back()) {
            out_ += ',';
        }
        has_items_.back() = true;
        newline();
    }
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    out_ += '{';
    has_items_.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::end_container(char close) {
    const bool items = has_items_.back();
    has_items_.pop_back();
    if (items) {
        newline();
    }
    out_ += close;
    return *this;
}

JsonWriter& JsonWriter::end_object() { return end_container('}'); }

JsonWriter& JsonWriter::begin_array() {
    before_value();
    out_ += '[';
    has_items_.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::end_array() { return end_container(']'); }

JsonWriter& JsonWriter::key(std::string_view k) {
    before_value();
    append_json_string(out_, k);
    out_ += indent_ > 0 ? ": " : ":";
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    before_value();
    append_json_string(out_, s);
    return *this;
}

JsonWriter& JsonWriter::value(int64_t n) {
    before_value();
    out_ += std::to_string(n);
    return *this;
}

JsonWriter& JsonWriter::value(bool b) {
    before_value();
    out_ += b ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::value(double d) {
    before_value();
    append_json_double(out_, d);
    return *this;
}

JsonWriter& JsonWriter::null() {
    before_value();
    out_ += "null";
    return *this;
}

} // namespace ticklake
