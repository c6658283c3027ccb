#include <atomic>
#include <filesystem>
#include <unistd.h>

#include "storage/local_object_store.h"
#include "storage/tests/object_store_contract.h"

namespace ticklake {

namespace {

namespace fs = std::filesystem;

// Each test gets a new folder; the folders go when the process ends.
class LocalRoots : public ::testing::Environment {
public:
    fs::path next() {
        fs::path p = base_ / std::to_string(count_++);
        return p;
    }
    void TearDown() override { fs::remove_all(base_); }

private:
    fs::path base_ = fs::temp_directory_path() / ("tl-contract-" + std::to_string(::getpid()));
    std::atomic<int> count_{0};
};

LocalRoots* roots = static_cast<LocalRoots*>(::testing::AddGlobalTestEnvironment(new LocalRoots));

} // namespace

INSTANTIATE_TEST_SUITE_P(Local, ObjectStoreContract,
                         ::testing::Values(ObjectStoreFactory{"Local",
                                                              []() -> std::unique_ptr<ObjectStore> {
                                                                  auto s = open_object_store(roots->next().string());
                                                                  EXPECT_TRUE(s) << s.error().message;
                                                                  return s ? std::move(*s) : nullptr;
                                                              }}),
                         object_store_factory_name);

} // namespace ticklake
