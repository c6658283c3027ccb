// The query session against real files in a temporary warehouse: binding, partition pruning
// seen in the scan statistics, the guardrails' attack corpus, the scan cutoff and the timeout.
#include "query/query_session.h"

#include <filesystem>
#include <fstream>
#include <utility>

#include <gtest/gtest.h>

#include "format/tests/file_reader.h"
#include "query/function_library.h"
#include "query/warehouse_tables.h"
#include "storage/object_store.h"
#include "storage/tests/storage_test_dir.h"

namespace ticklake::query {
namespace {

namespace fs = std::filesystem;

// Test files are written with a separate, unrestricted DuckDB.
using testing::duckdb_exec;

class QuerySessionTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* day : {"2025-01-06", "2025-01-07"}) {
            fs::create_directories(root_ / "market/trades" / (std::string("dt=") + day));
        }
        // 200,000 trades per day; the second day's file also has a column the first lacks
        // (a schema version), read together by name.
        duckdb_exec("COPY (SELECT CASE WHEN i % 2 = 0 THEN 'AAPL' ELSE 'MSFT' END AS symbol, "
                    "TIMESTAMP '2025-01-06 14:30:00' + INTERVAL (i) MILLISECOND AS ts, 100.0 + (i % 100) / 10.0 AS price, "
                    "(1 + i % 5) * 100 AS size FROM range(200000) t(i)) TO '" +
                    (root_ / "market/trades/dt=2025-01-06/a.parquet").string() + "' (FORMAT parquet)");
        duckdb_exec("COPY (SELECT 'AAPL' AS symbol, TIMESTAMP '2025-01-07 14:30:00' + INTERVAL (i) MILLISECOND AS ts, "
                    "200.0 AS price, 100 AS size, 'XNAS' AS venue FROM range(200000) t(i)) TO '" +
                    (root_ / "market/trades/dt=2025-01-07/b.parquet").string() + "' (FORMAT parquet)");
        fs::create_directories(root_ / "ref/symbols");
        std::ofstream(root_ / "ref/symbols/list.csv") << "symbol,name\nAAPL,\"Apple, Inc.\"\nMSFT,Microsoft\n";
        fs::create_directories(root_ / "_ticklake/sink");
        std::ofstream(root_ / "_ticklake/sink/p0.json") << "{}";
        std::ofstream(root_ / "secret.csv") << "a\n1\n"; // in the folder, but not a table

        auto store = open_object_store(root_.string());
        ASSERT_TRUE(store) << store.error().message;
        auto tables = scan_warehouse(**store, {});
        ASSERT_TRUE(tables) << tables.error().message;
        SessionOptions options;
        options.allowed_directories = tables->folders;
        options.setup_sql = function_library_sql();
        auto session = QuerySession::open(options, tables->tables);
        ASSERT_TRUE(session) << session.error().message;
        session_ = std::move(*session);
    }
    QueryResult ok(const std::string& sql, const QueryLimits& limits = {}) {
        auto r = session_->run(sql, limits);
        EXPECT_TRUE(r) << (r ? "" : r.error().message) << "\n" << sql;
        return r ? *r : QueryResult{};
    }

    testing::TestFolder folder_; //!< outlives the session reading it (members die in reverse)
    const fs::path root_ = folder_.path();
    std::unique_ptr<QuerySession> session_;
};

TEST_F(QuerySessionTest, BindsTheWarehouseTablesByFolder) {
    EXPECT_EQ(session_->table_names(), (std::vector<std::string>{"market.trades", "ref.symbols"}));
    auto r = ok("SELECT count(*) AS n, count(DISTINCT dt) AS days, count(venue) AS with_venue FROM market.trades");
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.column_names, (std::vector<std::string>{"n", "days", "with_venue"}));
    EXPECT_EQ(r.rows[0][0], "400000");
    EXPECT_EQ(r.rows[0][1], "2");
    EXPECT_EQ(r.rows[0][2], "200000") << "the older file has no venue: NULL there (union_by_name)";
    auto csv = ok("SELECT name FROM ref.symbols WHERE symbol = 'AAPL'");
    ASSERT_EQ(csv.rows.size(), 1u);
    EXPECT_EQ(csv.rows[0][0], "Apple, Inc.");
}

TEST_F(QuerySessionTest, PartitionFiltersReadOnlyTheirFilesAndScanStatsShowIt) {
    auto full = ok("SELECT sum(price * size) FROM market.trades");
    auto day = ok("SELECT sum(price * size) FROM market.trades WHERE dt = DATE '2025-01-07'");
    EXPECT_EQ(full.stats.files_read, 2u);
    EXPECT_EQ(day.stats.files_read, 1u);
    EXPECT_GT(full.stats.bytes_scanned, 0u);
    EXPECT_LT(day.stats.bytes_scanned, full.stats.bytes_scanned);
    const uint64_t b_size = fs::file_size(root_ / "market/trades/dt=2025-01-07/b.parquet");
    EXPECT_LE(day.stats.bytes_scanned, b_size) << "only the one file's bytes, at most once";
    // Stats are per query, not cumulative.
    auto again = ok("SELECT sum(price * size) FROM market.trades WHERE dt = DATE '2025-01-07'");
    EXPECT_EQ(again.stats.bytes_scanned, day.stats.bytes_scanned);
    auto none = ok("SELECT 42");
    EXPECT_EQ(none.stats.files_read, 0u);
    EXPECT_EQ(none.stats.bytes_scanned, 0u);
}

TEST_F(QuerySessionTest, EveryAttackInTheCorpusIsRefused) {
    const std::vector<std::string> attacks = {
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/hostname')",
        "SELECT * FROM read_blob('/proc/self/environ')",
        "SELECT * FROM glob('/*')",
        "SELECT * FROM read_parquet('" + root_.string() + "/../../etc/passwd')",
        "SELECT * FROM read_csv('" + root_.string() + "/market/../../../etc/passwd')",
        "COPY (SELECT 1) TO '" + (root_ / "x.csv").string() + "'",
        "COPY market.trades TO '/tmp/stolen.csv'",
        "EXPORT DATABASE '" + (root_ / "exported").string() + "'",
        "ATTACH '/tmp/other.db' AS other",
        "ATTACH ':memory:' AS scratch",
        "INSTALL httpfs",
        "LOAD httpfs",
        "FORCE INSTALL httpfs",
        "SET enable_external_access = true",
        "RESET enable_external_access",
        "SET allowed_directories = ['/']",
        "SET lock_configuration = false",
        "PRAGMA enable_profiling",
        "CREATE TABLE t AS SELECT 1",
        "CREATE VIEW v AS SELECT 1",
        "CREATE MACRO m(x) AS x",
        "DROP VIEW market.trades",
        "INSERT INTO market.trades SELECT * FROM market.trades",
        "CALL enable_logging('FileSystem')",
        "SELECT 1; COPY (SELECT 1) TO '/tmp/x.csv'",
        "EXPLAIN COPY (SELECT 1) TO '/tmp/x.csv'",
        "EXPLAIN ANALYZE EXPORT DATABASE '" + (root_ / "exported").string() + "'",
        "SELECT * FROM read_csv('/etc/passwd'); SELECT 1",
        "with x as (select 1) select * from read_json('/etc/hosts')",
    };
    int refused = 0;
    for (size_t i = 0; i < attacks.size(); ++i) {
        auto r = session_->run(attacks[i]);
        if (!r) {
            ++refused;
            EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument) << attacks[i] << ": " << r.error().message;
            EXPECT_FALSE(r.error().message.empty());
        } else {
            ADD_FAILURE() << "not refused: " << attacks[i];
        }
    }
    EXPECT_EQ(refused, static_cast<int>(attacks.size()));
    EXPECT_FALSE(fs::exists(root_ / "x.csv"));
    EXPECT_FALSE(fs::exists("/tmp/stolen.csv"));
    EXPECT_FALSE(fs::exists(root_ / "exported"));
    // The guardrails survive the attempts: still read-only, still working.
    auto after = ok("SELECT count(*) FROM market.trades");
    EXPECT_EQ(after.rows[0][0], "400000");
    auto explain = ok("EXPLAIN SELECT count(*) FROM market.trades");
    EXPECT_FALSE(explain.rows.empty());
    auto refused_msg = session_->run("COPY (SELECT 1) TO '/tmp/x.csv'");
    ASSERT_FALSE(refused_msg);
    EXPECT_NE(refused_msg.error().message.find("refused: `COPY"), std::string::npos) << refused_msg.error().message;
}

TEST_F(QuerySessionTest, TheScanCutoffCancelsAQueryPastIt) {
    QueryLimits limits;
    limits.max_bytes_scanned = 1000;
    auto r = session_->run("SELECT sum(price * size) FROM market.trades", limits);
    ASSERT_FALSE(r) << "a full scan reads far more than 1000 bytes";
    EXPECT_EQ(r.error().kind, ErrorKind::retry);
    EXPECT_NE(r.error().message.find("--max-bytes-scanned"), std::string::npos) << r.error().message;
    limits.max_bytes_scanned = 100ull << 20;
    auto fine = session_->run("SELECT count(*) FROM market.trades WHERE dt = DATE '2025-01-06'", limits);
    ASSERT_TRUE(fine) << fine.error().message;
}

TEST_F(QuerySessionTest, TheTimeoutInterruptsALongQuery) {
    QueryLimits limits;
    limits.timeout = std::chrono::milliseconds(300);
    const auto t0 = std::chrono::steady_clock::now();
    auto r = session_->run("SELECT count(*) FROM range(1000000000) a, range(1000000) b WHERE a.range + b.range = -1",
                           limits);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::retry);
    EXPECT_NE(r.error().message.find("--timeout"), std::string::npos) << r.error().message;
    EXPECT_LT(secs, 10.0);
    auto next = ok("SELECT 1 AS one");
    EXPECT_EQ(next.rows[0][0], "1") << "the session works after an interrupt";
}

TEST_F(QuerySessionTest, SeveralStatementsReturnTheLastAndSqlErrorsAreClear) {
    auto r = ok("SELECT 1; SELECT 'two' AS x");
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][0], "two");
    auto bad = session_->run("SELECT no_such_column FROM market.trades");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(bad.error().message.find("no_such_column"), std::string::npos) << bad.error().message;
    auto missing = session_->run("SELECT * FROM market.nope");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("nope"), std::string::npos);
    auto empty = session_->run("   ");
    ASSERT_FALSE(empty);
}

// A statement of ours prepared once and run with other values: the same answers as run() with
// the values written in, the pruning by the bound day, and the checks of run() on its text.
TEST_F(QuerySessionTest, PreparedStatementsBindValuesPruneAndKeepTheChecks) {
    const std::string sql = "SELECT symbol, count(*) AS n, sum(size) AS volume FROM market.trades "
                            "WHERE symbol = $1 AND dt = CAST($2 AS DATE) GROUP BY symbol";
    for (int round = 0; round < 2; ++round) { // the second round runs the kept statement
        for (const auto& [symbol, day] : {std::pair{"AAPL", "2025-01-06"}, std::pair{"MSFT", "2025-01-06"},
                                          std::pair{"AAPL", "2025-01-07"}}) {
            auto got = session_->run_prepared(sql, {symbol, day});
            ASSERT_TRUE(got) << got.error().message;
            auto want = ok(std::string("SELECT symbol, count(*) AS n, sum(size) AS volume FROM market.trades WHERE symbol = '") +
                           symbol + "' AND dt = DATE '" + day + "' GROUP BY symbol");
            EXPECT_EQ(got->column_names, want.column_names);
            EXPECT_EQ(got->column_types, want.column_types);
            EXPECT_EQ(got->rows, want.rows) << symbol << " " << day;
            EXPECT_EQ(got->stats.files_read, 1u) << "the bound day prunes the other file";
            // Executing again may re-read a footer's few bytes; never another file's.
            const char* file = std::string(day) == "2025-01-06" ? "dt=2025-01-06/a.parquet" : "dt=2025-01-07/b.parquet";
            EXPECT_GT(got->stats.bytes_scanned, 0u);
            EXPECT_LE(got->stats.bytes_scanned, fs::file_size(root_ / "market/trades" / file));
        }
    }
    // A value is a value: a quote in it is data, not SQL.
    auto quoted = session_->run_prepared(sql, {"x' OR 1=1 --", "2025-01-06"});
    ASSERT_TRUE(quoted) << quoted.error().message;
    EXPECT_TRUE(quoted->rows.empty());
    // The checks of run(): read-only kinds, one statement, the guardrails.
    auto write = session_->run_prepared("CREATE TABLE t AS SELECT $1 AS x", {"1"});
    ASSERT_FALSE(write);
    EXPECT_NE(write.error().message.find("refused"), std::string::npos) << write.error().message;
    EXPECT_FALSE(session_->run_prepared("SELECT 1; SELECT 2", {}));
    EXPECT_FALSE(session_->run_prepared("SELECT * FROM read_csv($1)", {"/etc/passwd"}));
    auto too_many = session_->run_prepared("SELECT $1::INTEGER AS x", {"1", "2"});
    EXPECT_FALSE(too_many);
}

} // namespace
} // namespace ticklake::query
