// One contract every ObjectStore implementation meets, run as a TEST_P suite over each
// backend: instantiate `ObjectStoreContract` with factories that make a fresh, empty store.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "storage/object_store.h"

namespace ticklake {

struct ObjectStoreFactory {
    std::string name; //!< the test-name suffix: "Local", "S3"
    std::function<std::unique_ptr<ObjectStore>()> make;
};

inline void PrintTo(const ObjectStoreFactory& factory, std::ostream* os) { *os << factory.name; }

class ObjectStoreContract : public ::testing::TestWithParam<ObjectStoreFactory> {
protected:
    void SetUp() override;
    void TearDown() override;
    std::unique_ptr<ObjectStore> store_;
};

inline std::string object_store_factory_name(const ::testing::TestParamInfo<ObjectStoreFactory>& info) {
    return info.param.name;
}

} // namespace ticklake
