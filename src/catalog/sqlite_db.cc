#include "catalog/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

namespace ticklake {

namespace {

// What the caller should do about an SQLite result code. Another process holding the write
// lock past the busy timeout may let go later; anything else (corrupt file, full disk,
// read-only folder, a bad statement) needs a person.
ErrorKind kind_of(int code) {
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return ErrorKind::retry;
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM: return ErrorKind::invalid_argument;
    default: return ErrorKind::fatal;
    }
}

} // namespace

Result<SqliteDb> SqliteDb::open(const std::filesystem::path& path, int busy_timeout_ms) {
    auto db = open_with(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, busy_timeout_ms);
    if (!db) {
        return db;
    }
    // WAL: readers never block the writer and the writer never blocks readers, across
    // processes on one machine. synchronous=NORMAL is durable at each checkpoint and never
    // corrupts the file on a crash; foreign keys keep partitions and files tied to tables.
    if (auto st = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"); !st) {
        return fail(st.error());
    }
    return db;
}

Result<SqliteDb> SqliteDb::open_read_only(const std::filesystem::path& path, int busy_timeout_ms) {
    // The journal mode is the file's own (WAL since it was created); setting it would be a write.
    return open_with(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, busy_timeout_ms);
}

Result<SqliteDb> SqliteDb::open_with(const std::filesystem::path& path, int flags, int busy_timeout_ms) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
        sqlite3_close(raw);
        return fail(Error{kind_of(rc), "cannot open catalog " + path.string() + ": " + msg +
                                           ((flags & SQLITE_OPEN_CREATE) != 0
                                                ? " (check that the folder exists and is writable, or pass --catalog)"
                                                : " (check that it is readable, or pass --catalog)")});
    }
    SqliteDb db(raw, path);
    sqlite3_busy_timeout(raw, busy_timeout_ms);
    sqlite3_extended_result_codes(raw, 1);
    return db;
}

SqliteDb::SqliteDb(SqliteDb&& o) noexcept : db_(std::exchange(o.db_, nullptr)), path_(std::move(o.path_)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& o) noexcept {
    if (this != &o) {
        sqlite3_close_v2(db_);
        db_ = std::exchange(o.db_, nullptr);
        path_ = std::move(o.path_);
    }
    return *this;
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

Error SqliteDb::error(int code, std::string_view what) const {
    return Error{kind_of(code), std::string(what) + ": " + sqlite3_errmsg(db_) + " (catalog " + path_.string() + ")"};
}

Status SqliteDb::exec(std::string_view sql) {
    char* msg = nullptr;
    const std::string text(sql);
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) {
        std::string m = msg != nullptr ? msg : sqlite3_errstr(rc);
        sqlite3_free(msg);
        return fail(Error{kind_of(rc), "catalog statement failed: " + m + " (catalog " + path_.string() + ")"});
    }
    return {};
}

Result<SqliteStatement> SqliteDb::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) {
        return fail(error(rc, "cannot prepare a catalog statement"));
    }
    return SqliteStatement(this, stmt);
}

int64_t SqliteDb::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

int64_t SqliteDb::changes() const { return sqlite3_changes64(db_); }

SqliteStatement::SqliteStatement(SqliteStatement&& o) noexcept
    : db_(o.db_), stmt_(std::exchange(o.stmt_, nullptr)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& o) noexcept {
    if (this != &o) {
        sqlite3_finalize(stmt_);
        db_ = o.db_;
        stmt_ = std::exchange(o.stmt_, nullptr);
    }
    return *this;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement& SqliteStatement::bind(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::optional<int64_t> value) {
    return value ? bind(index, *value) : bind_null(index);
}

SqliteStatement& SqliteStatement::bind_null(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
}

Result<bool> SqliteStatement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    return fail(db_->error(rc, "catalog query failed"));
}

Status SqliteStatement::run() {
    auto r = step();
    reset();
    if (!r) {
        return fail(r.error());
    }
    return {};
}

Result<std::optional<int64_t>> SqliteStatement::first_int() {
    auto r = step();
    std::optional<int64_t> value;
    if (r && *r) {
        value = sqlite3_column_int64(stmt_, 0);
    }
    reset();
    if (!r) {
        return fail(r.error());
    }
    return value;
}

SqliteRows SqliteStatement::rows() { return SqliteRows(*this); }

void SqliteStatement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

Result<SqliteRow> SqliteRows::iterator::operator*() const {
    if (error_) {
        return fail(*error_);
    }
    return SqliteRow(stmt_->stmt_);
}

SqliteRows::iterator& SqliteRows::iterator::operator++() {
    if (error_) {
        done_ = true; // the error was the last row
    } else {
        advance();
    }
    return *this;
}

void SqliteRows::iterator::advance() {
    auto r = stmt_->step();
    if (!r) {
        error_ = r.error();
    } else {
        done_ = !*r;
    }
}

int64_t SqliteRow::column_int(int i) const { return sqlite3_column_int64(stmt_, i); }

std::optional<int64_t> SqliteRow::column_optional_int(int i) const {
    if (sqlite3_column_type(stmt_, i) == SQLITE_NULL) {
        return std::nullopt;
    }
    return sqlite3_column_int64(stmt_, i);
}

std::string SqliteRow::column_text(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p != nullptr ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, i))) : std::string();
}

} // namespace ticklake
