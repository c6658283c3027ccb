// What the local broker is told: server.properties for a single-node KRaft cluster and the
// log4j2 configuration that sends its logs to a file. Pure functions, no I/O.
#pragma once

#include <filesystem>
#include <string>

namespace ticklake::broker {

//! The loopback address every listener binds to; the local broker is never reachable
//! from another machine.
inline constexpr const char* kLoopback = "127.0.0.1";

struct BrokerConfig {
    int port = 9092;                  //!< PLAINTEXT listener, what clients bootstrap from
    int controller_port = 9093;       //!< KRaft CONTROLLER listener
    std::filesystem::path data_dir;   //!< log.dirs
    int retention_hours = 168;        //!< log.retention.hours
    long long segment_bytes = 256LL << 20; //!< log.segment.bytes
    bool auto_create_topics = true;   //!< auto.create.topics.enable (`--no-auto-create` clears it)

    std::string bootstrap() const { return std::string(kLoopback) + ":" + std::to_string(port); }
};

//! server.properties text: broker and controller in one process, node id 1, replication
//! factors of internal topics 1, topics created on first use unless auto_create_topics is off.
std::string render_server_properties(const BrokerConfig& config);

//! log4j2 properties: INFO and above to <logs_dir>/server.log (rolled at 100 MiB, 5 kept),
//! nothing on the console.
std::string render_log4j2_properties(const std::filesystem::path& logs_dir);

//! A fresh cluster id: 16 random bytes, base64url without padding (22 chars), the shape
//! `kafka-storage random-uuid` prints. Never starts with '-' (the tool's parser would read
//! it as an option).
std::string new_cluster_id();

//! True for 22 base64url characters that decode to 16 bytes.
bool is_valid_cluster_id(const std::string& id);

} // namespace ticklake::broker
