#include "kafka/kafka_statistics.h"

#include <string>

#include <simdjson.h>

namespace ticklake {

namespace {

int64_t int_or(simdjson::dom::element e, std::string_view key, int64_t fallback) {
    int64_t v = 0;
    return e[key].get_int64().get(v) == simdjson::SUCCESS ? v : fallback;
}

std::string text_or(simdjson::dom::element e, std::string_view key) {
    std::string_view v;
    return e[key].get_string().get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
}

uint64_t total(simdjson::dom::element e, std::string_view key) {
    const int64_t v = int_or(e, key, 0);
    return v > 0 ? static_cast<uint64_t>(v) : 0;
}

void record_brokers(simdjson::dom::object brokers, const std::string& client, metrics::Registry& r) {
    auto& rtt = r.gauge("ticklake_kafka_broker_rtt_seconds", "Average round-trip time of requests to the broker",
                        {"client", "broker"});
    auto& up = r.gauge("ticklake_kafka_broker_up", "1 when the connection to the broker is up", {"client", "broker"});
    auto& outbuf = r.gauge("ticklake_kafka_broker_outbuf_requests", "Requests waiting to be sent to the broker",
                           {"client", "broker"});
    auto& waitresp = r.gauge("ticklake_kafka_broker_waitresp_requests", "Requests sent, waiting for the broker's answer",
                             {"client", "broker"});
    auto& errors = r.counter("ticklake_kafka_broker_errors_total", "Transmission and receive errors with the broker",
                             {"client", "broker"});
    auto& timeouts = r.counter("ticklake_kafka_broker_request_timeouts_total", "Requests to the broker that timed out",
                               {"client", "broker"});
    auto& disconnects = r.counter("ticklake_kafka_broker_disconnects_total", "Connections to the broker lost",
                                  {"client", "broker"});
    auto& brokers_up = r.gauge("ticklake_kafka_brokers_up", "Brokers this client is connected to", {"client"});
    int up_count = 0;
    for (auto [key, b] : brokers) {
        const std::string source = text_or(b, "source");
        if (source == "internal" || source == "logical") {
            continue; // librdkafka's own queues, not a connection
        }
        // Bootstrap entries (nodeid -1) are the configured addresses before the cluster names them.
        if (int_or(b, "nodeid", -1) < 0) {
            continue;
        }
        const std::vector<std::string> labels{client, std::string(key)};
        simdjson::dom::element window;
        if (b["rtt"].get(window) == simdjson::SUCCESS) {
            rtt.labels(labels).set(static_cast<double>(int_or(window, "avg", 0)) / 1e6);
        }
        const bool is_up = text_or(b, "state") == "UP";
        up_count += is_up ? 1 : 0;
        up.labels(labels).set(is_up ? 1 : 0);
        outbuf.labels(labels).set(static_cast<double>(int_or(b, "outbuf_cnt", 0)));
        waitresp.labels(labels).set(static_cast<double>(int_or(b, "waitresp_cnt", 0)));
        errors.labels(labels).set_total(total(b, "txerrs") + total(b, "rxerrs"));
        timeouts.labels(labels).set_total(total(b, "req_timeouts"));
        disconnects.labels(labels).set_total(total(b, "disconnects"));
    }
    brokers_up.labels({client}).set(up_count);
}

void record_consumer_lag(simdjson::dom::object topics, const std::string& client, metrics::Registry& r) {
    auto& lag = r.gauge("ticklake_kafka_consumer_lag_messages",
                        "librdkafka's consumer lag of an assigned partition (high watermark minus committed offset)",
                        {"client", "topic", "partition"});
    for (auto [topic, t] : topics) {
        simdjson::dom::object partitions;
        if (t["partitions"].get(partitions) != simdjson::SUCCESS) {
            continue;
        }
        for (auto [partition, p] : partitions) {
            const int64_t v = int_or(p, "consumer_lag", -1);
            if (partition == "-1" || v < 0) {
                continue; // the unassigned-messages partition, or a partition not consumed
            }
            lag.labels({client, std::string(topic), std::string(partition)}).set(static_cast<double>(v));
        }
    }
}

} // namespace

Status record_kafka_statistics(std::string_view json, metrics::Registry& r) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
        return fail(Error::invalid("librdkafka statistics are not a JSON object"));
    }
    const std::string client = text_or(doc, "type");
    if (client.empty()) {
        return fail(Error::invalid("librdkafka statistics without a client type"));
    }
    const std::vector<std::string> labels{client};
    r.counter("ticklake_kafka_statistics_total", "Statistics reports received from librdkafka", {"client"})
        .labels(labels)
        .inc();
    r.gauge("ticklake_kafka_replyq", "Operations (callbacks, events) waiting in librdkafka's queue for the application",
            {"client"})
        .labels(labels)
        .set(static_cast<double>(int_or(doc, "replyq", 0)));
    r.gauge("ticklake_kafka_queue_messages", "Messages in the producer's queue, not yet delivered (msg_cnt)", {"client"})
        .labels(labels)
        .set(static_cast<double>(int_or(doc, "msg_cnt", 0)));
    r.gauge("ticklake_kafka_queue_bytes", "Bytes of the messages in the producer's queue (msg_size)", {"client"})
        .labels(labels)
        .set(static_cast<double>(int_or(doc, "msg_size", 0)));
    r.counter("ticklake_kafka_tx_messages_total", "Messages sent to brokers (txmsgs)", {"client"})
        .labels(labels)
        .set_total(total(doc, "txmsgs"));
    r.counter("ticklake_kafka_tx_message_bytes_total", "Bytes of the messages sent to brokers (txmsg_bytes)", {"client"})
        .labels(labels)
        .set_total(total(doc, "txmsg_bytes"));
    r.counter("ticklake_kafka_rx_messages_total", "Messages fetched from brokers (rxmsgs)", {"client"})
        .labels(labels)
        .set_total(total(doc, "rxmsgs"));
    r.counter("ticklake_kafka_rx_message_bytes_total", "Bytes of the messages fetched from brokers (rxmsg_bytes)",
              {"client"})
        .labels(labels)
        .set_total(total(doc, "rxmsg_bytes"));
    r.counter("ticklake_kafka_requests_total", "Requests sent to brokers (tx)", {"client"})
        .labels(labels)
        .set_total(total(doc, "tx"));
    r.counter("ticklake_kafka_responses_total", "Responses received from brokers (rx)", {"client"})
        .labels(labels)
        .set_total(total(doc, "rx"));
    simdjson::dom::object brokers;
    if (doc["brokers"].get(brokers) == simdjson::SUCCESS) {
        record_brokers(brokers, client, r);
    }
    simdjson::dom::object topics;
    if (client == "consumer" && doc["topics"].get(topics) == simdjson::SUCCESS) {
        record_consumer_lag(topics, client, r);
    }
    simdjson::dom::element cgrp;
    if (doc["cgrp"].get(cgrp) == simdjson::SUCCESS) {
        r.counter("ticklake_kafka_consumer_rebalances_total", "Group rebalances this member went through", {"client"})
            .labels(labels)
            .set_total(total(cgrp, "rebalance_cnt"));
    }
    return {};
}

} // namespace ticklake
