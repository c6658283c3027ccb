// A small RAII layer over SQLite: the only place that includes sqlite3.h, and where its
// result codes become ticklake Errors (busy/locked -> retry, everything else -> fatal).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ticklake {

class SqliteStatement;

//! One connection. Not thread-safe: one per thread or process (SQLite's WAL lets several
//! processes read while one writes; writers wait up to the busy timeout for each other).
class SqliteDb {
public:
    //! Opens (creating when missing) a database file in WAL mode with a busy timeout.
    static Result<SqliteDb> open(const std::filesystem::path& path, int busy_timeout_ms = 30'000);

    SqliteDb(SqliteDb&&) noexcept;
    SqliteDb& operator=(SqliteDb&&) noexcept;
    ~SqliteDb();

    //! Runs one or more statements that return no rows.
    Status exec(std::string_view sql);
    Result<SqliteStatement> prepare(std::string_view sql);
    int64_t last_insert_rowid() const;
    const std::filesystem::path& path() const { return path_; }

private:
    SqliteDb(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
    Error error(int code, std::string_view what) const;
    friend class SqliteStatement;

    sqlite3* db_ = nullptr;
    std::filesystem::path path_;
};

//! A prepared statement: bind (1-based), then step() until it returns false.
class SqliteStatement {
public:
    SqliteStatement(SqliteStatement&&) noexcept;
    SqliteStatement& operator=(SqliteStatement&&) noexcept;
    ~SqliteStatement();

    SqliteStatement& bind(int index, int64_t value);
    SqliteStatement& bind(int index, std::string_view text);
    SqliteStatement& bind(int index, std::optional<int64_t> value); //!< nullopt binds NULL
    SqliteStatement& bind_null(int index);
    //! True when a row is ready, false when done.
    Result<bool> step();
    //! Runs a statement that returns no rows, then resets it for reuse.
    Status run();
    void reset();

    int64_t column_int(int i) const;
    std::optional<int64_t> column_optional_int(int i) const; //!< nullopt for NULL
    std::string column_text(int i) const;

private:
    SqliteStatement(SqliteDb* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    friend class SqliteDb;

    SqliteDb* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
};

} // namespace ticklake
