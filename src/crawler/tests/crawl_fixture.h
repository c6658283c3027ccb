// A warehouse folder and a catalog file per test, and an ObjectStore view that behaves as a
// remote store (no local paths), counts what is read, and can kill the process mid-crawl.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "catalog/catalog.h"
#include "catalog/tests/temp_dir.h"
#include "crawler/crawler.h"
#include "storage/object_store.h"

namespace ticklake::testing {

class RemoteView final : public ObjectStore {
public:
    explicit RemoteView(ObjectStore& inner, int exit_after_reads = -1) : inner_(inner), exit_after_(exit_after_reads) {}

    std::filesystem::path staging_path(std::string_view key) override { return inner_.staging_path(key); }
    Status publish(std::string_view key) override { return inner_.publish(key); }
    Status put_file(std::string_view key, const std::filesystem::path& source) override { return inner_.put_file(key, source); }
    Result<bool> remove(std::string_view key) override { return inner_.remove(key); }
    Status put_small(std::string_view key, std::string_view content) override { return inner_.put_small(key, content); }
    Result<std::optional<std::string>> get_small(std::string_view key) override { return inner_.get_small(key); }
    Result<std::vector<ObjectEntry>> list_entries(std::string_view prefix) override { return inner_.list_entries(prefix); }
    Result<std::optional<ObjectEntry>> stat(std::string_view key) override { return inner_.stat(key); }
    Result<std::string> read_range(std::string_view key, uint64_t offset, uint64_t length) override {
        if (exit_after_ >= 0 && reads_++ >= exit_after_) {
            ::_exit(9); // a crash: no destructor, no rollback, no flush
        }
        auto r = inner_.read_range(key, offset, length);
        if (r) {
            bytes_ += r->size();
        }
        return r;
    }
    Status download(std::string_view key, const std::filesystem::path& destination) override {
        return inner_.download(key, destination);
    }
    std::string uri() const override { return inner_.uri(); }

    uint64_t bytes() const { return bytes_; }

private:
    ObjectStore& inner_;
    int exit_after_;
    std::atomic<int> reads_{0}; //!< the crawler reads on several threads
    std::atomic<uint64_t> bytes_{0};
};

class CrawlFixture : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = make_temp_dir("tl-crawl");
        ASSERT_FALSE(dir_.empty());
        warehouse_ = dir_ / "warehouse";
        std::filesystem::create_directories(warehouse_);
        auto s = open_object_store(warehouse_.string());
        ASSERT_TRUE(s) << s.error().message;
        store_ = std::move(*s);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    void write(const std::string& key, const std::string& content) {
        const auto p = warehouse_ / key;
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << content;
    }

    //! Runs a Python script (pyarrow, duckdb) of the project's venv with WAREHOUSE set.
    void python(const std::string& script) {
        const auto path = dir_ / "script.py";
        std::ofstream(path) << "import os\nWAREHOUSE = os.environ['WAREHOUSE']\n" << script;
        const std::string cmd = "WAREHOUSE='" + warehouse_.string() + "' '" TICKLAKE_PYTHON "' '" + path.string() + "'";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << "python failed: " << script;
    }

    Catalog open_catalog(const std::string& name = "catalog.db") {
        auto c = Catalog::open(dir_ / name);
        EXPECT_TRUE(c) << c.error().message;
        return std::move(*c);
    }

    CrawlSummary crawl(Catalog& catalog, CrawlOptions options = {}, ObjectStore* store = nullptr) {
        Crawler crawler(store != nullptr ? *store : *store_, catalog, std::move(options));
        auto s = crawler.run();
        EXPECT_TRUE(s) << s.error().message;
        return s ? *s : CrawlSummary{};
    }

    static std::string notes(const CrawlSummary& s) {
        std::string out;
        for (const auto& n : s.notes) {
            out += n + "\n";
        }
        return out;
    }

    std::filesystem::path dir_;
    std::filesystem::path warehouse_;
    std::unique_ptr<ObjectStore> store_;
};

} // namespace ticklake::testing
