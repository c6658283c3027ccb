// The librdkafka settings exactly-once into storage depends on, in one table: a user's -X
// may not change them. The table is also the documentation (docs/kafka-settings.md is its
// rendering, checked by kafka_test).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/error.h"
#include "kafka/kafka_client_config.h"

struct rd_kafka_conf_s;

namespace ticklake {

//! Which client a setting is pinned for (admin clients have no pinned settings).
enum class KafkaClientRole { consumer, producer, admin };

struct PinnedSetting {
    KafkaClientRole role;
    const char* key;      //!< librdkafka's name; its aliases (acks, retries, ...) resolve to it
    //! A legacy topic-level property of the same meaning that librdkafka keeps apart, or "".
    const char* legacy;
    const char* probe;    //!< an allowed value, set first so a change by -X is seen
    const char* required; //!< what ticklake requires, as the docs show it
    //! Whether the value librdkafka reports after a -X is acceptable.
    bool (*allowed)(std::string_view value);
    const char* why;      //!< the reason given when -X breaks it
};

//! The whole table, consumer settings first.
std::span<const PinnedSetting> pinned_settings();

//! Refuses (invalid_argument) the first -X in config that changes a setting pinned for role,
//! naming the -X and the reason, e.g. "-X enable.auto.commit=true is not allowed: ...".
//! librdkafka itself resolves aliases and spellings (auto.commit.enable, TRUE, 1, acks=-1).
Status check_pinned(const KafkaClientConfig& config, KafkaClientRole role);

//! Checks a finished conf against the table: the last line of defence if a default or an
//! unforeseen combination breaks a pinned setting.
Status verify_pinned(const rd_kafka_conf_s* conf, KafkaClientRole role);

//! The table as a Markdown table, for docs/kafka-settings.md.
std::string pinned_settings_markdown();

} // namespace ticklake
