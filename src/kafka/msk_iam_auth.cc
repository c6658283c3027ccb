#include "kafka/msk_iam_auth.h"

#include <atomic>
#include <memory>
#include <mutex>

#include "aws/credential_chain.h"
#include "aws/msk_iam_token.h"
#include "common/log.h"
#include "kafka/rdkafka_handle.h"

namespace ticklake::rdkafka {

namespace {

// Marks a conf as ours. librdkafka hands this text only to its built-in unsecured-JWT token
// maker, which a refresh callback replaces, so it changes nothing else.
constexpr const char* kMarker = "ticklake=aws_msk_iam";

bool is_mechanism_key(const std::string& key) { return key == "sasl.mechanism" || key == "sasl.mechanisms"; }

// One identity per process: every Kafka client (producer, consumer, admin) signs with the same
// chain, started once and kept fresh by its refresher, for the life of the process. librdkafka
// has no hook to free per-handle callback state, and the handles' opaque is taken.
struct MskIdentity {
    std::shared_ptr<aws::RefreshingCredentials> credentials;
    std::string region;
};

std::mutex g_identity_mutex;
std::shared_ptr<const MskIdentity> g_identity; // guarded by g_identity_mutex
std::atomic<int> g_tokens{0};
std::atomic<int> g_failures{0};

Result<std::shared_ptr<const MskIdentity>> identity() {
    std::lock_guard lock(g_identity_mutex);
    if (g_identity) {
        return g_identity;
    }
    auto started = aws::start_default_identity(aws::AwsEnvironment::process());
    if (!started) {
        return fail(Error{started.error().kind, "MSK IAM: " + started.error().message});
    }
    auto id = std::make_shared<MskIdentity>();
    id->credentials = std::move(started->credentials);
    id->region = started->settings.region;
    if (id->region.empty()) {
        return fail(Error::invalid("MSK IAM signs for the cluster's region: set AWS_REGION (or the profile's region)"));
    }
    g_identity = id;
    return g_identity;
}

void on_token_refresh(rd_kafka_t* rk, const char* /*oauthbearer_config*/, void* /*opaque*/) {
    auto fail_token = [&](const std::string& why) {
        g_failures.fetch_add(1);
        log::at(log::Level::warn, "MSK IAM: no token: {}", why);
        rd_kafka_oauthbearer_set_token_failure(rk, why.c_str());
    };
    auto id = identity();
    if (!id) {
        return fail_token(id.error().message);
    }
    auto credentials = (*id)->credentials->current();
    if (!credentials) {
        return fail_token(credentials.error().message);
    }
    auto token = aws::msk_iam_token(*credentials, (*id)->region, now_us());
    if (!token) {
        return fail_token(token.error().message);
    }
    char err[512];
    if (rd_kafka_oauthbearer_set_token(rk, token->value.c_str(), token->expires / 1000, token->principal.c_str(),
                                       nullptr, 0, err, sizeof err) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return fail_token(err);
    }
    g_tokens.fetch_add(1);
}

} // namespace

bool wants_msk_iam(const KafkaClientConfig& config) {
    bool wanted = false;
    for (const auto& [k, v] : config.extra) {
        if (is_mechanism_key(k)) {
            wanted = v == kMskIamMechanism; // the last setting wins, as for any -X
        }
    }
    return wanted;
}

Status enable_msk_iam(rd_kafka_conf_t* conf, const KafkaClientConfig& config) {
    if (auto id = identity(); !id) {
        return fail(id.error());
    }
    if (auto st = set(conf, "sasl.mechanisms", "OAUTHBEARER"); !st) {
        return st;
    }
    bool protocol_given = false;
    for (const auto& [k, v] : config.extra) {
        protocol_given = protocol_given || k == "security.protocol";
    }
    if (!protocol_given) {
        if (auto st = set(conf, "security.protocol", "SASL_SSL"); !st) {
            return st;
        }
    }
    if (auto st = set(conf, "sasl.oauthbearer.config", kMarker); !st) {
        return st;
    }
    rd_kafka_conf_set_oauthbearer_token_refresh_cb(conf, &on_token_refresh);
    rd_kafka_conf_enable_sasl_queue(conf, 1);
    return {};
}

bool uses_msk_iam(const rd_kafka_conf_t* conf) {
    char value[64];
    size_t size = sizeof value;
    return rd_kafka_conf_get(conf, "sasl.oauthbearer.config", value, &size) == RD_KAFKA_CONF_OK &&
           std::string_view(value) == kMarker;
}

Status start_msk_iam(rd_kafka_t* rk) {
    if (rd_kafka_error_t* error = rd_kafka_sasl_background_callbacks_enable(rk)) {
        std::string message = rd_kafka_error_string(error);
        rd_kafka_error_destroy(error);
        return fail(Error::invalid("MSK IAM: " + message));
    }
    return {};
}

MskIamCounters msk_iam_counters() { return {g_tokens.load(), g_failures.load()}; }

} // namespace ticklake::rdkafka
