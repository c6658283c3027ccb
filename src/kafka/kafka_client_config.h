// librdkafka settings as the user gives them (-X key=value) on top of our defaults.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ticklake {

struct KafkaClientConfig {
    std::string brokers;                                     //!< bootstrap.servers
    std::vector<std::pair<std::string, std::string>> extra;  //!< -X key=value, applied last
    //! Producers and consumers report librdkafka's statistics to metrics::process_registry()
    //! (kafka_statistics.h); set by commands serving --metrics-addr.
    bool statistics = false;
};

} // namespace ticklake
