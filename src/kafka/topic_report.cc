#include "kafka/topic_report.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "common/text_table.h"

namespace ticklake {

namespace {

void write_summary_fields(JsonWriter& w, const TopicSummary& t) {
    w.field("topic", t.name).key("partition_count").value(static_cast<int64_t>(t.partition_count));
    w.key("replication_factor").value(static_cast<int64_t>(t.replication_factor)).key("internal").value(t.internal);
}

void write_ids(JsonWriter& w, const char* key, const std::vector<int32_t>& ids) {
    w.key(key).begin_array();
    for (auto id : ids) {
        w.value(static_cast<int64_t>(id));
    }
    w.end_array();
}

std::string joined(const std::vector<int32_t>& ids) {
    std::string out;
    for (auto id : ids) {
        // Two appends, not "," + string: GCC 12 at -O3 warns falsely (-Wrestrict) on the latter.
        if (!out.empty()) {
            out += ',';
        }
        out += std::to_string(id);
    }
    return out;
}

} // namespace

std::string topics_json(const std::vector<TopicSummary>& topics) {
    JsonWriter w;
    w.begin_array();
    for (const auto& t : topics) {
        write_summary_fields(w.begin_object(), t);
        w.end_object();
    }
    w.end_array();
    return w.str();
}

std::string topics_text(const std::vector<TopicSummary>& topics) {
    TextTable table({"TOPIC", "PARTITIONS", "REPLICATION"}, {false, true, true});
    for (const auto& t : topics) {
        table.add({t.name, std::to_string(t.partition_count), std::to_string(t.replication_factor)});
    }
    return table.render();
}

TopicDescriptionView::TopicDescriptionView(const TopicDescription& d, bool all_configs) : description(d) {
    std::ranges::copy_if(d.configs, std::back_inserter(shown),
                         [all_configs](const TopicConfigEntry& c) { return all_configs || !c.is_default; });
}

std::string TopicDescriptionView::json() const {
    JsonWriter w;
    write_summary_fields(w.begin_object(), description.summary);
    w.key("partitions").begin_array();
    for (const auto& p : description.partitions) {
        w.begin_object().key("partition").value(static_cast<int64_t>(p.partition));
        w.key("leader").value(static_cast<int64_t>(p.leader));
        write_ids(w, "replicas", p.replicas);
        write_ids(w, "isr", p.isr);
        w.end_object();
    }
    w.end_array().key("configs").begin_array();
    for (const auto& c : shown) {
        w.begin_object().field("name", c.name).key("value");
        c.value ? (void)w.value(*c.value) : (void)w.null();
        w.field("source", c.source).key("default").value(c.is_default);
        w.key("read_only").value(c.read_only).key("sensitive").value(c.sensitive).end_object();
    }
    w.end_array().end_object();
    return w.str();
}

std::string TopicDescriptionView::text() const {
    const TopicSummary& s = description.summary;
    std::string out = fmt::format("topic: {}\npartitions: {}\nreplication_factor: {}\n\n", s.name, s.partition_count,
                                  s.replication_factor);
    TextTable parts({"PARTITION", "LEADER", "REPLICAS", "ISR"}, {true, true, false, false});
    for (const auto& p : description.partitions) {
        parts.add({std::to_string(p.partition), p.leader >= 0 ? std::to_string(p.leader) : "none", joined(p.replicas),
                   joined(p.isr)});
    }
    TextTable configs({"CONFIG", "VALUE", "SOURCE"});
    for (const auto& c : shown) {
        configs.add({c.name, c.sensitive ? "(sensitive)" : c.value.value_or(""), c.source});
    }
    out += parts.render() + "\n" + configs.render();
    if (const size_t hidden = description.configs.size() - shown.size(); hidden > 0) {
        out += fmt::format("({} more at Kafka's defaults: --all-configs lists them)\n", hidden);
    }
    return out;
}

TopicSpec topic_spec(const std::string& name, int partitions, int replication_factor,
                     const std::vector<std::string>& key_values) {
    TopicSpec spec{name, partitions, replication_factor, {}};
    for (const auto& kv : key_values) {
        const auto eq = kv.find('=');
        spec.configs.emplace_back(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
    }
    return spec;
}

std::string key_value_problem(const std::string& text) {
    const auto eq = text.find('=');
    return eq == std::string::npos || eq == 0
               ? "expects KEY=VALUE, e.g. retention.ms=86400000, got '" + text + "'"
               : std::string();
}

std::string render_lag(const std::vector<PartitionLag>& lags, bool json) {
    std::string out;
    int64_t total = 0;
    if (!json) {
        out += fmt::format("{:>9} {:>14} {:>14} {:>12}\n", "PARTITION", "COMMITTED", "END", "LAG");
    }
    for (const auto& l : lags) {
        total += l.lag();
        if (json) {
            out += fmt::format("{{\"partition\":{},\"committed\":{},\"low\":{},\"high\":{},\"lag\":{}}}\n",
                               l.partition, l.committed, l.low, l.high, l.lag());
        } else {
            out += fmt::format("{:>9} {:>14} {:>14} {:>12}\n", l.partition,
                               l.committed >= 0 ? std::to_string(l.committed) : std::string("-"), l.high, l.lag());
        }
    }
    if (!json) {
        out += fmt::format("{:>9} {:>14} {:>14} {:>12}\n", "total", "", "", total);
    }
    return out;
}

Result<std::string> run_topics(TopicsAction action, const KafkaClientConfig& config, const TopicsRequest& r) {
    const std::chrono::milliseconds timeout = std::chrono::seconds(r.timeout_s);
    switch (action) {
    case TopicsAction::list: {
        auto topics = list_topics(config, r.include_internal, timeout);
        if (!topics) {
            return fail(topics.error());
        }
        return r.json ? topics_json(*topics) : topics_text(*topics);
    }
    case TopicsAction::describe: {
        auto d = describe_topic(config, r.topic, timeout);
        if (!d) {
            return fail(d.error());
        }
        const TopicDescriptionView view(*d, r.all_configs);
        return r.json ? view.json() : view.text();
    }
    case TopicsAction::create: {
        auto created = create_topic(config, topic_spec(r.topic, r.partitions, r.replication_factor, r.configs),
                                    r.if_not_exists, timeout);
        if (!created) {
            return fail(created.error());
        }
        return *created ? "created topic " + r.topic + "\n" : "topic " + r.topic + " exists already; nothing changed\n";
    }
    case TopicsAction::remove: {
        auto deleted = delete_topic(config, r.topic, r.if_exists, timeout);
        if (!deleted) {
            return fail(deleted.error());
        }
        return *deleted ? "deleted topic " + r.topic + "\n" : "topic " + r.topic + " does not exist; nothing deleted\n";
    }
    }
    return fail(Error::fatal("unknown kafka topics action"));
}

} // namespace ticklake
