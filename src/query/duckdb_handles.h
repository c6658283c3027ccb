// Owners of DuckDB's C handles for the two files of the stage that call its C API
// (query_session.cc, result_writer.cc): each handle is released once, on every path out.
#pragma once

#include <utility>

#include <duckdb.h>

namespace ticklake::query {

//! One C handle (a pointer type) and the function that frees it; move-only.
template <class T, void (*Release)(T*)>
class DuckHandle {
public:
    DuckHandle() = default;
    ~DuckHandle() { reset(); }
    DuckHandle(DuckHandle&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
    DuckHandle& operator=(DuckHandle&& o) noexcept {
        if (this != &o) {
            reset();
            h_ = std::exchange(o.h_, nullptr);
        }
        return *this;
    }
    DuckHandle(const DuckHandle&) = delete;
    DuckHandle& operator=(const DuckHandle&) = delete;

    T get() const { return h_; }
    //! For the C API's out-parameters; the handle must be empty.
    T* out() { return &h_; }
    void reset() {
        if (h_ != nullptr) {
            Release(&h_);
            h_ = nullptr;
        }
    }

private:
    T h_ = nullptr;
};

using DuckDatabase = DuckHandle<duckdb_database, duckdb_close>;
using DuckConnection = DuckHandle<duckdb_connection, duckdb_disconnect>;
using DuckConfig = DuckHandle<duckdb_config, duckdb_destroy_config>;
using DuckPrepared = DuckHandle<duckdb_prepared_statement, duckdb_destroy_prepare>;

//! A result: a struct, not a pointer, so it says itself whether it holds anything. Every
//! call that fills it (also a failing one) must be destroyed.
struct DuckResult {
    duckdb_result result{};
    DuckResult() = default;
    ~DuckResult() { duckdb_destroy_result(&result); }
    DuckResult(const DuckResult&) = delete;
    DuckResult& operator=(const DuckResult&) = delete;
    duckdb_result* out() { return &result; }
};

//! Statements split from one SQL text; destroyed even when splitting failed.
struct DuckExtracted {
    duckdb_extracted_statements statements = nullptr;
    DuckExtracted() = default;
    ~DuckExtracted() { duckdb_destroy_extracted(&statements); }
    DuckExtracted(const DuckExtracted&) = delete;
    DuckExtracted& operator=(const DuckExtracted&) = delete;
};

//! An in-memory database and one connection to it.
struct DuckSession {
    DuckDatabase db; //!< declared first: closed after the connection
    DuckConnection con;
};

//! Opens a private in-memory DuckDB with default settings (no user SQL runs in it).
inline bool open_in_memory(DuckSession& s) {
    return duckdb_open(nullptr, s.db.out()) == DuckDBSuccess && duckdb_connect(s.db.get(), s.con.out()) == DuckDBSuccess;
}

} // namespace ticklake::query
