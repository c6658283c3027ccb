#include "broker/broker_config.h"

#include <array>
#include <cstdint>
#include <random>
#include <string_view>

namespace ticklake::broker {

namespace {

constexpr const char* kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(const std::array<std::uint8_t, 16>& bytes) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (auto b : bytes) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kBase64Url[(acc >> bits) & 0x3F];
        }
    }
    if (bits > 0) {
        out += kBase64Url[(acc << (6 - bits)) & 0x3F];
    }
    return out;
}

} // namespace

std::string render_server_properties(const BrokerConfig& c) {
    const std::string host = kLoopback;
    const std::string controller = host + ":" + std::to_string(c.controller_port);
    std::string p;
    auto line = [&p](const std::string& key, const std::string& value) { p += key + "=" + value + "\n"; };
    p += "# Written by `ticklake kafka start` on every start; edits are overwritten.\n";
    line("process.roles", "broker,controller");
    line("node.id", "1");
    line("listeners", "PLAINTEXT://" + c.bootstrap() + ",CONTROLLER://" + controller);
    line("advertised.listeners", "PLAINTEXT://" + c.bootstrap());
    line("controller.listener.names", "CONTROLLER");
    line("inter.broker.listener.name", "PLAINTEXT");
    line("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    line("controller.quorum.bootstrap.servers", controller);
    line("log.dirs", c.data_dir.string());
    // One node: every internal topic can only have one replica.
    line("offsets.topic.replication.factor", "1");
    line("transaction.state.log.replication.factor", "1");
    line("transaction.state.log.min.isr", "1");
    line("share.coordinator.state.topic.replication.factor", "1");
    line("share.coordinator.state.topic.min.isr", "1");
    // Consumers join at once instead of waiting 3 s for more members (tests, demos).
    line("group.initial.rebalance.delay.ms", "0");
    // A producer or consumer that names a missing topic gets it created, as Apache Kafka does by
    // default: clients written for Kafka (the tutorial's kafka-python producer) send to a new
    // topic without creating it first. `--no-auto-create` turns it off to mimic a locked-down
    // cluster. Auto-created topics get Kafka's default of one partition (total order, which a
    // producer that never created its topic may rely on); `ticklake produce` still creates its
    // topics through the Admin API with an explicit --partitions.
    line("num.partitions", "1");
    line("auto.create.topics.enable", c.auto_create_topics ? "true" : "false");
    line("log.retention.hours", std::to_string(c.retention_hours));
    line("log.segment.bytes", std::to_string(c.segment_bytes));
    // The default 128 MiB dedupe buffer is a large share of a 1 GiB heap; only the small
    // compacted internal topics use it here.
    line("log.cleaner.dedupe.buffer.size", std::to_string(32 << 20));
    return p;
}

std::string render_log4j2_properties(const std::filesystem::path& logs_dir) {
    const std::string log = (logs_dir / "server.log").string();
    std::string p;
    p += "# Written by `ticklake kafka start`: broker logs go to server.log only.\n";
    p += "status = warn\n";
    p += "name = ticklake-local-broker\n";
    p += "appender.server.type = RollingFile\n";
    p += "appender.server.name = server\n";
    p += "appender.server.fileName = " + log + "\n";
    p += "appender.server.filePattern = " + log + ".%i\n";
    p += "appender.server.layout.type = PatternLayout\n";
    p += "appender.server.layout.pattern = [%d] %p %m (%c)%n\n";
    p += "appender.server.policies.type = Policies\n";
    p += "appender.server.policies.size.type = SizeBasedTriggeringPolicy\n";
    p += "appender.server.policies.size.size = 100MB\n";
    p += "appender.server.strategy.type = DefaultRolloverStrategy\n";
    p += "appender.server.strategy.max = 5\n";
    p += "rootLogger.level = info\n";
    p += "rootLogger.appenderRef.server.ref = server\n";
    // Per-request logging is noise at INFO on a broker that serves a tight produce loop.
    p += "logger.request.name = kafka.request.logger\n";
    p += "logger.request.level = warn\n";
    return p;
}

std::string new_cluster_id() {
    std::random_device rd;
    for (;;) {
        std::array<std::uint8_t, 16> bytes{};
        for (auto& b : bytes) {
            b = static_cast<std::uint8_t>(rd());
        }
        std::string id = base64url(bytes);
        bool all_zero = true;
        for (auto b : bytes) {
            all_zero = all_zero && b == 0;
        }
        if (!all_zero && id.front() != '-') {
            return id;
        }
    }
}

bool is_valid_cluster_id(const std::string& id) {
    if (id.size() != 22) {
        return false;
    }
    for (char ch : id) {
        if (std::string_view(kBase64Url).find(ch) == std::string_view::npos) {
            return false;
        }
    }
    // 22 chars carry 132 bits; the last char holds 2 data bits, the other 4 must be zero.
    auto last = std::string_view(kBase64Url).find(id.back());
    return (last & 0x0F) == 0;
}

} // namespace ticklake::broker
