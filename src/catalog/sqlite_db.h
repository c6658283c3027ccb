// A small RAII layer over SQLite: the only place that includes sqlite3.h, and where its
// result codes become ticklake Errors (busy/locked -> retry, everything else -> fatal).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ticklake {

class SqliteStatement;
class SqliteRows;

//! One connection. Not thread-safe: one per thread or process (SQLite's WAL lets several
//! processes read while one writes; writers wait up to the busy timeout for each other).
class SqliteDb {
public:
    //! Opens (creating when missing) a database file in WAL mode with a busy timeout.
    static Result<SqliteDb> open(const std::filesystem::path& path, int busy_timeout_ms = 30'000);
    //! Opens an existing database file for reading only (SQLITE_OPEN_READONLY: never creates
    //! it, never writes it); a missing file is SQLite's CANTOPEN, invalid_argument.
    static Result<SqliteDb> open_read_only(const std::filesystem::path& path, int busy_timeout_ms = 30'000);

    SqliteDb(SqliteDb&&) noexcept;
    SqliteDb& operator=(SqliteDb&&) noexcept;
    ~SqliteDb();

    //! Runs one or more statements that return no rows.
    Status exec(std::string_view sql);
    Result<SqliteStatement> prepare(std::string_view sql);
    //! Prepares several statements, for `auto& [a, b] = *statements`; fails with the first error.
    template <size_t N>
    Result<std::array<SqliteStatement, N>> prepare_all(const std::string_view (&sql)[N]);
    int64_t last_insert_rowid() const;
    //! Rows changed by the last INSERT, UPDATE or DELETE.
    int64_t changes() const;
    const std::filesystem::path& path() const { return path_; }

private:
    SqliteDb(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
    static Result<SqliteDb> open_with(const std::filesystem::path& path, int flags, int busy_timeout_ms);
    Error error(int code, std::string_view what) const;
    friend class SqliteStatement;

    sqlite3* db_ = nullptr;
    std::filesystem::path path_;
};

//! One result row of a statement; valid until the statement steps again.
class SqliteRow {
public:
    int64_t column_int(int i) const;
    std::optional<int64_t> column_optional_int(int i) const; //!< nullopt for NULL
    std::string column_text(int i) const;

private:
    explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
    friend class SqliteRows;

    sqlite3_stmt* stmt_ = nullptr;
};

//! A prepared statement: bind (1-based), then run() it or walk its rows().
class SqliteStatement {
public:
    SqliteStatement(SqliteStatement&&) noexcept;
    SqliteStatement& operator=(SqliteStatement&&) noexcept;
    ~SqliteStatement();

    SqliteStatement& bind(int index, int64_t value);
    SqliteStatement& bind(int index, std::string_view text);
    SqliteStatement& bind(int index, std::optional<int64_t> value); //!< nullopt binds NULL
    SqliteStatement& bind_null(int index);
    //! Binds the arguments to parameters 1, 2, ... in order.
    template <class... Args>
    SqliteStatement& bind_all(const Args&... args) {
        int index = 0;
        (bind(++index, args), ...);
        return *this;
    }
    //! Runs a statement that returns no rows, then resets it for reuse.
    Status run();
    //! Column 0 of the first row (nullopt when there is none), then resets the statement.
    Result<std::optional<int64_t>> first_int();
    //! The rows, for a range-for loop: `for (auto row : stmt.rows()) { if (!row) ...; }`. Each
    //! is a Result; a failed step is the last one. The statement is reset for reuse afterwards.
    SqliteRows rows();
    //! Clears the last run and the bindings.
    void reset();

private:
    SqliteStatement(SqliteDb* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    //! True when a row is ready, false when done.
    Result<bool> step();
    friend class SqliteDb;
    friend class SqliteRows;

    SqliteDb* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
};

//! What SqliteStatement::rows() returns: an input range that steps the statement as it goes
//! and resets it when the loop ends (also by an early return).
class SqliteRows {
public:
    class iterator {
    public:
        Result<SqliteRow> operator*() const;
        iterator& operator++();
        bool operator==(std::default_sentinel_t) const { return done_; }

    private:
        explicit iterator(SqliteStatement* stmt) : stmt_(stmt) { advance(); }
        void advance();
        friend class SqliteRows;

        SqliteStatement* stmt_ = nullptr;
        std::optional<Error> error_; //!< the failed step, yielded once before the end
        bool done_ = false;
    };

    SqliteRows(const SqliteRows&) = delete;
    SqliteRows& operator=(const SqliteRows&) = delete;
    ~SqliteRows() { stmt_.reset(); }

    iterator begin() { return iterator(&stmt_); }
    std::default_sentinel_t end() const { return {}; }

private:
    explicit SqliteRows(SqliteStatement& stmt) : stmt_(stmt) {}
    friend class SqliteStatement;

    SqliteStatement& stmt_;
};

template <size_t N>
Result<std::array<SqliteStatement, N>> SqliteDb::prepare_all(const std::string_view (&sql)[N]) {
    std::vector<SqliteStatement> ready;
    for (std::string_view one : sql) {
        auto q = prepare(one);
        if (!q) {
            return fail(q.error());
        }
        ready.push_back(std::move(*q));
    }
    return [&]<size_t... I>(std::index_sequence<I...>) {
        return std::array<SqliteStatement, N>{std::move(ready[I])...};
    }(std::make_index_sequence<N>());
}

} // namespace ticklake
