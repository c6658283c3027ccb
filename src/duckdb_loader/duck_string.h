// The one owner of strings the DuckDB C API hands to its caller.
//
// duckdb_value_varchar, duckdb_prepared_statement_column_name and duckdb_open_ext's error are
// allocated by DuckDB and must go back through duckdb_free (the C API says so; the column name
// is even typed const char*, which is how its leak went unnoticed until LeakSanitizer ran).
// Wrapping each such call in a DuckString means no call site frees anything by hand.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace ticklake::duckdb_loader {

//! A string allocated by DuckDB, freed with duckdb_free when the owner goes; move-only.
class DuckString {
public:
    DuckString() = default;
    //! Takes a string the C API documents as the caller's to free.
    explicit DuckString(const char* owned) : p_(const_cast<char*>(owned)) {}
    ~DuckString() { reset(); }
    DuckString(DuckString&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    DuckString& operator=(DuckString&& o) noexcept {
        if (this != &o) {
            reset();
            p_ = std::exchange(o.p_, nullptr);
        }
        return *this;
    }
    DuckString(const DuckString&) = delete;
    DuckString& operator=(const DuckString&) = delete;

    //! For out-parameters (duckdb_open_ext's error); frees what the owner held before.
    char** out() {
        reset();
        return &p_;
    }
    const char* get() const { return p_; }
    explicit operator bool() const { return p_ != nullptr; }
    //! A copy of the text, or `if_null` when DuckDB returned none.
    std::string str(std::string_view if_null = {}) const { return p_ != nullptr ? std::string(p_) : std::string(if_null); }
    void reset();

private:
    char* p_ = nullptr;
};

} // namespace ticklake::duckdb_loader
