#include "kafka/pinned_settings.h"

#include <librdkafka/rdkafka.h>

#include <charconv>
#include <memory>
#include <optional>

namespace ticklake {
namespace {

bool is_false(std::string_view v) { return v == "false"; }
bool is_true(std::string_view v) { return v == "true"; }
bool is_read_committed(std::string_view v) { return v == "read_committed"; }
bool is_classic(std::string_view v) { return v == "classic"; }
bool is_acks_all(std::string_view v) { return v == "-1"; } // librdkafka reports acks=all as -1

std::optional<long long> to_int(std::string_view v) {
    long long n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size()) {
        return std::nullopt;
    }
    return n;
}
bool one_to_five(std::string_view v) {
    auto n = to_int(v);
    return n && *n >= 1 && *n <= 5;
}
bool at_least_one(std::string_view v) {
    auto n = to_int(v);
    return n && *n >= 1;
}

//! range and/or roundrobin, or any strategy once librdkafka has the fix for its issue #4059.
//! Before it (Debian's 2.0.2 included), a commit that meets a cooperative rebalance gets
//! ILLEGAL_GENERATION and librdkafka then drops the member's whole assignment as lost
//! (measured: two sinks with cooperative-sticky, the first stopped with "Specified group
//! generation id is not valid" as the second joined). The fix (librdkafka PR #4908) is in 2.10.
bool eager_or_fixed_librdkafka(std::string_view v) {
    if (rd_kafka_version() >= 0x020a0000) {
        return true;
    }
    while (!v.empty()) {
        const size_t comma = v.find(',');
        std::string_view name = v.substr(0, comma);
        while (!name.empty() && name.front() == ' ') {
            name.remove_prefix(1);
        }
        while (!name.empty() && name.back() == ' ') {
            name.remove_suffix(1);
        }
        if (name != "range" && name != "roundrobin") {
            return false;
        }
        v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    }
    return true;
}

using R = KafkaClientRole;

// Settings a user may legitimately change (security.protocol, sasl.*, ssl.*, fetch sizes,
// timeouts, linger.ms, compression, auto.offset.reset) are not here.
constexpr PinnedSetting kPinned[] = {
    {R::consumer, "group.id", "", "ticklake-pin-probe", "set by --group", nullptr,
     "the group is --group: the sink keys its journals and crash recovery by it, so a different Kafka "
     "group would recover the wrong files; pass --group instead"},
    {R::consumer, "enable.auto.commit", "auto.commit.enable", "false", "false", is_false,
     "the sink commits offsets only after files are durable (exactly once)"},
    {R::consumer, "enable.auto.offset.store", "", "false", "false", is_false,
     "an automatic store marks messages done when they are read, before their files are durable; "
     "the sink commits explicit offsets after the write (exactly once)"},
    {R::consumer, "isolation.level", "", "read_committed", "read_committed", is_read_committed,
     "messages of aborted transactions would land in files that no transactional reader ever sees"},
    {R::consumer, "enable.partition.eof", "", "true", "true", is_true,
     "the sink learns it has caught up (--until-idle) from the end-of-partition events"},
    {R::consumer, "partition.assignment.strategy", "", "range,roundrobin", "range and/or roundrobin (eager)",
     eager_or_fixed_librdkafka,
     "with a cooperative strategy librdkafka before 2.10 drops a sink's whole assignment when a commit meets a "
     "rebalance (librdkafka issue #4059), and the sink stops; the eager strategies flush and commit before "
     "every rebalance"},
    {R::consumer, "group.protocol", "", "classic", "classic", is_classic,
     "the sink's rebalance handling (eager and cooperative) is that of the classic group protocol; "
     "the KIP-848 'consumer' protocol is not in this librdkafka"},
    {R::producer, "enable.idempotence", "", "true", "true", is_true,
     "without idempotence a retried send can duplicate or reorder messages of a symbol"},
    {R::producer, "acks", "", "all", "all", is_acks_all,
     "a message counts as delivered only once every in-sync replica has it (idempotence needs it)"},
    {R::producer, "max.in.flight.requests.per.connection", "", "5", "1 to 5", one_to_five,
     "the idempotent producer keeps per-partition order only with at most 5 requests in flight"},
    {R::producer, "message.send.max.retries", "", "2147483647", ">= 1", at_least_one,
     "idempotence needs retries: with none a transient broker error loses the message"},
    {R::producer, "transactional.id", "", "", "unset", nullptr,
     "the producer is idempotent, not transactional: it never begins a transaction, so every send "
     "would fail"},
};

struct ConfDeleter {
    void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};

std::optional<std::string> get(const rd_kafka_conf_t* conf, const char* key) {
    char value[512];
    size_t size = sizeof value;
    if (rd_kafka_conf_get(conf, key, value, &size) != RD_KAFKA_CONF_OK) {
        return std::nullopt;
    }
    return std::string(value);
}

//! What the pinned setting p becomes once the -X key=value is applied, if it changes it.
//! librdkafka applies the pair to a scratch conf so aliases and spellings resolve as in the real one.
std::optional<std::string> changed_by(const PinnedSetting& p, const std::string& key, const std::string& value) {
    if (*p.legacy != '\0' && key == p.legacy) {
        // The high-level consumer may ignore the legacy name, but a user who sets it means it.
        return changed_by(p, p.key, value);
    }
    std::unique_ptr<rd_kafka_conf_t, ConfDeleter> scratch(rd_kafka_conf_new());
    char err[512];
    const bool known = *p.probe == '\0' || rd_kafka_conf_set(scratch.get(), p.key, p.probe, err, sizeof err) ==
                                                   RD_KAFKA_CONF_OK;
    if (!known) {
        // Not a property of this librdkafka (group.protocol in 2.0.2): judge the raw value;
        // librdkafka then refuses the key itself.
        return key == p.key ? std::optional<std::string>(value) : std::nullopt;
    }
    const auto before = get(scratch.get(), p.key);
    if (rd_kafka_conf_set(scratch.get(), key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
        return std::nullopt; // an invalid value: the real conf reports it with librdkafka's reason
    }
    auto after = get(scratch.get(), p.key);
    return after != before ? after : std::nullopt;
}

} // namespace

std::span<const PinnedSetting> pinned_settings() { return kPinned; }

Status check_pinned(const KafkaClientConfig& config, KafkaClientRole role) {
    for (const auto& [key, value] : config.extra) {
        for (const auto& p : kPinned) {
            if (p.role != role) {
                continue;
            }
            auto now = changed_by(p, key, value);
            if (now && !(p.allowed && p.allowed(*now))) {
                return fail(Error::invalid("-X " + key + "=" + value + " is not allowed: " + p.why + " (" + p.key +
                                           " must be " + p.required + ")"));
            }
        }
    }
    return {};
}

Status verify_pinned(const rd_kafka_conf_s* conf, KafkaClientRole role) {
    for (const auto& p : kPinned) {
        if (p.role != role || p.allowed == nullptr) {
            continue; // settings no -X may touch at all are checked by check_pinned alone
        }
        auto value = get(conf, p.key);
        if (value && !p.allowed(*value)) {
            return fail(Error::fatal("Kafka setting " + std::string(p.key) + " is " + *value + ", but must be " +
                                     p.required + ": " + p.why));
        }
    }
    return {};
}

std::string pinned_settings_markdown() {
    std::string out = "| client | setting | required | why |\n| --- | --- | --- | --- |\n";
    for (const auto& p : kPinned) {
        out += std::string("| ") + (p.role == R::consumer ? "sink (consumer)" : "produce (producer)") + " | `" +
               p.key + "` | " + p.required + " | " + p.why + " |\n";
    }
    return out;
}

} // namespace ticklake
