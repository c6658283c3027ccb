#include "kafka/tests/mock_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace ticklake::testing {

namespace {

void quiet_log(const rd_kafka_t*, int, const char*, const char*) {}

rd_kafka_conf_t* conf_or_throw(std::initializer_list<std::pair<const char*, std::string>> props) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    for (const auto& [k, v] : props) {
        if (rd_kafka_conf_set(conf, k, v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            throw std::runtime_error(std::string("test conf ") + k + ": " + err);
        }
    }
    rd_kafka_conf_set_log_cb(conf, &quiet_log);
    return conf;
}

rd_kafka_t* handle_or_throw(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
    char err[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(std::string("test handle: ") + err);
    }
    return rk;
}

} // namespace

MockCluster::MockCluster(int broker_count) {
    owner_ = handle_or_throw(RD_KAFKA_PRODUCER, conf_or_throw({}));
    mock_ = rd_kafka_mock_cluster_new(owner_, broker_count);
    if (!mock_) {
        rd_kafka_destroy(owner_);
        throw std::runtime_error("rd_kafka_mock_cluster_new failed");
    }
}

MockCluster::~MockCluster() {
    rd_kafka_mock_cluster_destroy(mock_);
    rd_kafka_destroy(owner_);
}

void MockCluster::create_topic(const std::string& topic, int partitions) {
    if (auto err = rd_kafka_mock_topic_create(mock_, topic.c_str(), partitions, 1); err) {
        throw std::runtime_error("mock topic " + topic + ": " + rd_kafka_err2str(err));
    }
}

bool MockCluster::topic_exists(const std::string& topic) {
    rd_kafka_t* rk = handle_or_throw(
        RD_KAFKA_CONSUMER, conf_or_throw({{"bootstrap.servers", bootstraps()}, {"allow.auto.create.topics", "false"}}));
    const rd_kafka_metadata_t* md = nullptr;
    bool found = false;
    // All topics: a listing never triggers auto-creation.
    if (rd_kafka_metadata(rk, 1, nullptr, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (int i = 0; i < md->topic_cnt; ++i) {
            found = found || (topic == md->topics[i].topic && md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR);
        }
        rd_kafka_metadata_destroy(md);
    } else {
        rd_kafka_destroy(rk);
        throw std::runtime_error("metadata from mock cluster failed");
    }
    rd_kafka_destroy(rk);
    return found;
}

std::vector<RawMessage> read_topic(const std::string& brokers, const std::string& topic, int partitions,
                                   std::chrono::milliseconds timeout) {
    // consumer_poll needs a group.id, but assign() never joins the group.
    rd_kafka_t* rk = handle_or_throw(RD_KAFKA_CONSUMER, conf_or_throw({{"bootstrap.servers", brokers},
                                                                       {"group.id", "ticklake-test-reader"},
                                                                       {"enable.auto.commit", "false"},
                                                                       {"enable.partition.eof", "true"}}));
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p) {
        rd_kafka_topic_partition_list_add(parts, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);

    std::vector<RawMessage> out;
    std::set<int32_t> at_eof;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (static_cast<int>(at_eof.size()) < partitions && std::chrono::steady_clock::now() < deadline) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
        if (!m) {
            continue;
        }
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            at_eof.insert(m->partition);
        } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            RawMessage r;
            r.partition = m->partition;
            r.offset = m->offset;
            if (m->key) {
                r.key.assign(static_cast<const char*>(m->key), m->key_len);
            }
            if (m->payload) {
                r.value.assign(static_cast<const char*>(m->payload), m->len);
            }
            rd_kafka_headers_t* hdrs = nullptr;
            if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                r.header_count = rd_kafka_header_cnt(hdrs);
                const void* v = nullptr;
                size_t n = 0;
                if (rd_kafka_header_get_last(hdrs, "type", &v, &n) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                    r.type_header = std::string(static_cast<const char*>(v), n);
                }
            }
            out.push_back(std::move(r));
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    if (static_cast<int>(at_eof.size()) < partitions) {
        throw std::runtime_error("reading " + topic + " back: not every partition reached EOF in time");
    }
    return out;
}

int closed_local_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        throw std::runtime_error("socket() failed");
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        close(fd);
        throw std::runtime_error("bind() on 127.0.0.1 failed");
    }
    close(fd); // never listened: connecting is refused at once
    return ntohs(addr.sin_port);
}

} // namespace ticklake::testing
