// Amazon MSK's IAM authentication for every Kafka client ticklake makes: `-X
// sasl.mechanism=AWS_MSK_IAM` (or --msk-iam) becomes SASL/OAUTHBEARER with a token refresh
// callback that signs a fresh MSK IAM token (aws/msk_iam_token.h) with the default
// credential chain. librdkafka asks again at 80% of each token's lifetime.
#pragma once

#include <librdkafka/rdkafka.h>

#include "common/error.h"
#include "kafka/kafka_client_config.h"

namespace ticklake::rdkafka {

inline constexpr const char* kMskIamMechanism = "AWS_MSK_IAM";

//! True when config's -X settings ask for AWS_MSK_IAM (sasl.mechanism or sasl.mechanisms).
bool wants_msk_iam(const KafkaClientConfig& config);

//! Sets OAUTHBEARER, the refresh callback and SASL_SSL (unless security.protocol is given),
//! starting the process's credential chain on first use so a missing identity or region fails
//! here, not in a background callback. Call after the user's settings.
Status enable_msk_iam(rd_kafka_conf_t* conf, const KafkaClientConfig& config);

//! True for a conf enable_msk_iam() prepared.
bool uses_msk_iam(const rd_kafka_conf_t* conf);

//! After rd_kafka_new: serve the refresh callback on librdkafka's background thread, so clients
//! that are not polled (admin) still get tokens.
Status start_msk_iam(rd_kafka_t* rk);

//! Tokens handed to librdkafka and refusals so far, process-wide (tests).
struct MskIamCounters {
    int tokens = 0;
    int failures = 0;
};
MskIamCounters msk_iam_counters();

} // namespace ticklake::rdkafka
