// Indented JSON for people and tools (catalog exports, --json output). Values are written in
// order; the writer places commas, indentation and string escapes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ticklake {

class JsonWriter {
public:
    //! indent 0: one line, no spaces.
    explicit JsonWriter(int indent = 2) : indent_(indent) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k); //!< inside an object, before its value
    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(int64_t n);
    JsonWriter& value(bool b);
    JsonWriter& value(double d); //!< shortest text that reads back the same; NaN/Inf as null
    JsonWriter& null();
    //! A key with a string value.
    JsonWriter& field(std::string_view k, std::string_view v) { return key(k).value(v); }

    //! The text, with a final newline.
    std::string str() const { return out_ + "\n"; }

private:
    void before_value();
    JsonWriter& end_container(char close);
    void newline();

    int indent_;
    std::string out_;
    std::vector<bool> has_items_; //!< per open container: wrote an item already
    bool after_key_ = false;
};

} // namespace ticklake
