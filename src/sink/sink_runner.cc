#include "sink/sink_runner.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <span>
#include <thread>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/binary_text.h"
#include "common/log.h"
#include "common/process_cpu.h"
#include "decode/event_time.h"
#include "net/retry_policy.h"
#include "sink/crash_point.h"
#include "sink/file_description.h"

namespace ticklake {

using Clock = std::chrono::steady_clock;

namespace {

// Columns the sink adds with --kafka-metadata (and always in the raw format), first in the
// table, as Kafka Connect's InsertField transform names them.
const ValueType& headers_type() {
    static const ValueType t = [] {
        ValueType header(ValueType::Kind::structure);
        header.fields.emplace_back("key", ValueType(ValueType::Kind::varchar));
        header.fields.emplace_back("value", ValueType(ValueType::Kind::varchar));
        return ValueType::list_of(std::move(header));
    }();
    return t;
}

// Text that is not UTF-8 (binary keys, header values) is kept as "0x" and its hex digits.
void append_text_or_hex(std::string& out, std::string_view bytes) {
    if (simdjson::validate_utf8(bytes.data(), bytes.size())) {
        out.append(bytes);
    } else {
        out.append("0x");
        append_hex(out, bytes);
    }
}

bool is_event_type(std::string_view t) { return t == "trade" || t == "quote" || t == "bar" || t == "record"; }

// The text of a partition value as the row has it (numbers as written).
std::string partition_text(const CellValue& v) {
    switch (v.kind) {
    case CellValue::Kind::null: return {};
    case CellValue::Kind::boolean: return v.b ? "true" : "false";
    case CellValue::Kind::integer: return v.text.empty() ? std::to_string(v.i) : std::string(v.text);
    case CellValue::Kind::real: return v.text.empty() ? fmt::format("{}", v.d) : std::string(v.text);
    case CellValue::Kind::timestamp: return format_iso8601(v.i);
    default: return std::string(v.text);
    }
}

// A refused commit (the group coordinator moving) is tried 5 times, 100 ms doubling between.
net::RetryPolicy commit_retry_policy() {
    net::RetryPolicy p;
    p.max_attempts = 5;
    p.base_delay = std::chrono::milliseconds(100);
    p.max_delay = std::chrono::milliseconds(1600);
    p.jitter = net::Jitter::none;
    return p;
}

} // namespace

std::string sink_file_name(const Topic& topic, Partition partition, Offset first_offset, std::string_view ext) {
    return fmt::format("{}-p{}-o{:020d}.{}", topic, partition, first_offset, ext);
}

std::string hive_partition_value(std::string_view value) {
    if (value.empty()) {
        return "__HIVE_DEFAULT_PARTITION__";
    }
    // The characters Hive's FileUtils escapes in partition paths.
    static constexpr std::string_view kEscaped = "\"#%'*/:=?\\\x7f{[]^";
    std::string out;
    for (unsigned char c : value) {
        if (c < 0x20 || kEscaped.find(static_cast<char>(c)) != std::string_view::npos) {
            out += fmt::format("%{:02X}", c);
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    return out;
}

void SinkRunner::set_table_committer(TableCommitter* committer) {
    committer_ = committer;
    if (committer == nullptr) {
        batch_writer_.set_field_ids({});
        return;
    }
    batch_writer_.set_field_ids([this](const std::string& table, const ColumnBatch& batch) {
        std::vector<std::pair<std::string, std::string>> columns;
        columns.reserve(batch.columns.size());
        for (const auto& c : batch.columns) {
            columns.emplace_back(c.name, declared_type(c));
        }
        return committer_->field_ids(table, columns);
    });
}

SinkRunner::SinkRunner(SinkOptions options, ObjectStore& store, std::vector<std::unique_ptr<RecordWriter>> writers,
                       KafkaConsumer& consumer)
    : options_(std::move(options))
    , store_(store)
    , extension_(writers.at(0)->extension())
    , json_rows_(extension_ == "jsonl")
    , consumer_(consumer)
    , batch_writer_(store, std::move(writers), std::chrono::seconds(options_.storage_retry_s)) {
    batch_writer_.set_ownership_check([this](const FlushJob& job) { return confirm_ownership(job); });
    // apply_sink_settings has checked the zone; a bad one from elsewhere partitions by UTC.
    partition_clock_ = ZoneClock::open(options_.partition_tz).value_or(ZoneClock{});
    if (!options_.schema_registry.empty()) {
        // A registry that does not answer blocks consuming as a storage outage does: retried
        // for storage_retry_s (below max.poll.interval.ms), then the sink stops with nothing
        // committed past what is durable, and reads the same messages again when restarted.
        // Its messages never become dead letters for it.
        SchemaRegistryOptions ro;
        ro.url = options_.schema_registry;
        ro.basic_auth = options_.schema_registry_auth;
        ro.ca_file = options_.schema_registry_ca_file;
        ro.retry.max_attempts = 0;
        ro.retry.base_delay = std::chrono::milliseconds(200);
        ro.retry.max_delay = std::chrono::seconds(5);
        ro.retry.deadline = std::chrono::seconds(options_.storage_retry_s);
        ro.retry.stop_requested = [this] { return stop_ != nullptr && stop_->load(std::memory_order_relaxed); };
        registry_ = std::make_unique<SchemaRegistryClient>(std::move(ro));
        framed_ = std::make_unique<SchemaRowDecoder>(*registry_);
    }
}

// A member loses its partitions without a revoke it could act on only when the coordinator
// expels it: no heartbeat for session.timeout.ms (the process frozen, stopped, cut off). The
// coordinator accepting a commit from this member (it checks the member's generation) proves
// the member was in the group when the commit was sent; its heartbeats, sent from the same
// process, then keep it there at least half of the smallest session timeout a broker allows
// (group.min.session.timeout.ms, 6 s): the lease. Past it, the writer asks again with a commit
// of what is already committed (the batch's first offset: everything before it is durable).
namespace {
constexpr auto kMembershipLease = std::chrono::seconds(3);
int64_t steady_ns(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
} // namespace

void SinkRunner::membership_confirmed(Clock::time_point sent) {
    const int64_t until = steady_ns(sent + kMembershipLease);
    int64_t seen = membership_until_.load();
    while (seen < until && !membership_until_.compare_exchange_weak(seen, until)) {
    }
}

Status SinkRunner::confirm_ownership(const FlushJob& job) {
    const auto now = Clock::now();
    if (steady_ns(now) < membership_until_.load()) {
        return {};
    }
    Status st = consumer_.commit({{job.topic, job.partition, job.journal.start}});
    if (st) {
        membership_confirmed(now);
        return st;
    }
    if (st.error().kind == ErrorKind::retry) {
        return fail(Error::retry("cannot confirm this member still owns " + job.topic.str() + " partition " +
                                 std::to_string(job.partition.value()) + ": " + st.error().message));
    }
    return fail(Error::fatal("this member lost " + job.topic.str() + " partition " +
                             std::to_string(job.partition.value()) +
                             " to another member (fenced by the group coordinator: " + st.error().message +
                             "); nothing more of its batch is published"));
}

std::string SinkRunner::data_key(const FileBuffer& f, int64_t period, const TopicPartition& tp) const {
    return options_.database + "/" + f.table + "/" + f.partition_path + period_folder(f.grain, period) +
           sink_file_name(tp.topic, tp.partition, f.first_offset, extension_);
}

std::string SinkRunner::dead_letter_key(const PartitionBatch& b, const TopicPartition& tp) const {
    const int64_t ts_ms = b.dead.front().kafka_ts_ms;
    const std::string date = format_date(ts_ms >= 0 ? ts_ms * 1000 : now_us());
    return options_.database + "/dead_letters/dt=" + date + "/" +
           sink_file_name(tp.topic, tp.partition, b.dead.front().offset, "jsonl");
}

// ---------------------------------------------------------------------------------------------
// Topics: how each is read, decided once and kept in the store

SinkRunner::TopicRoute& SinkRunner::route_for(const Topic& topic) {
    auto& slot = routes_[topic];
    if (!slot) {
        slot = std::make_unique<TopicRoute>();
        slot->topic = topic;
        if (auto st = load_state(*slot); !st) {
            log::warn("sink: topic {}: {}; deciding its format again", topic, st.error().message);
        }
    }
    return *slot;
}

Status SinkRunner::load_state(TopicRoute& r) {
    r.loaded = true;
    auto content = store_.get_small(topic_state_key(options_.group, r.topic));
    if (!content) {
        return fail(content.error());
    }
    if (content->has_value()) {
        auto state = TopicState::from_json(**content);
        if (!state) {
            return fail(state.error());
        }
        r.state = std::move(*state);
    }
    // What the user says now wins over what was decided before.
    if (options_.value_format != ValueFormat::automatic) {
        r.state.value_format = options_.value_format;
    }
    if (!options_.time_field.empty()) {
        r.state.time_field = options_.time_field;
    }
    if (!options_.csv_columns.empty()) {
        r.state.csv_columns = options_.csv_columns;
    }
    r.csv.set_columns(r.state.csv_columns);
    if (options_.csv_null_values) {
        r.csv.set_null_tokens(CsvNullTokens::parse(*options_.csv_null_values));
    }
    return {};
}

Status SinkRunner::save_state(const TopicRoute& r) {
    return store_.put_small(topic_state_key(options_.group, r.topic), r.state.to_json());
}

Status SinkRunner::decide(TopicRoute& r, const ConsumedMessage& m) {
    // Ticklake's producer sets the `type` header on every event; other producers do not. A
    // foreign message that happens to have type, id and ts fields still lands as plain JSON.
    // A value that starts with byte 0 is no JSON text: it is the Schema Registry's frame (ticklake
    // produce --value-format avro|protobuf sends it with the `type` header too), and the type of
    // its schema (Avro, Protobuf, JSON Schema) is the format.
    const auto type = m.header("type");
    const bool framed = framed_ && m.value().size() >= 5 && m.value()[0] == '\0';
    if (framed) {
        auto f = framed_->format_of(m.value());
        if (!f) {
            return {}; // undecided: this message's decode says why (dead letter, or the registry's outage)
        }
        r.state.value_format = *f;
    } else {
        r.state.value_format = type && is_event_type(*type) ? ValueFormat::ticklake : ValueFormat::json;
    }
    log::info("{}sink: topic {}: {} (decided on offset {} of partition {}; --value-format overrides)",
              options_.progress ? "\n" : "", r.topic,
              r.state.value_format == ValueFormat::ticklake   ? "ticklake events"
              : r.state.value_format == ValueFormat::avro     ? "Schema Registry Avro values"
              : r.state.value_format == ValueFormat::protobuf ? "Schema Registry Protobuf values"
              : r.state.value_format == ValueFormat::jsonschema ? "Schema Registry JSON Schema values"
                                                                : "plain JSON values",
              m.offset(), m.partition());
    return save_state(r);
}

SinkRunner::OpenTable& SinkRunner::open_table_for(TopicRoute& r) {
    if (r.table.empty()) {
        auto it = options_.table_for_topic.find(r.topic.str());
        r.table = it != options_.table_for_topic.end() ? it->second
                  : !options_.default_table.empty()     ? options_.default_table
                                                        : safe_table_name(r.topic.view(), "records");
    }
    OpenTable& t = open_tables_[r.table];
    if (!t.schema) {
        // Partition keys are folder names, not file columns: a field of the same name is renamed.
        // `dt` always: it is a folder (hour, day) or the column the sink adds (other grains).
        // An undecided (auto) table reserves no other key: auto passes over a grain whose key
        // is a column of the table instead (settle_time_partitions).
        std::vector<std::string> reserved = options_.partition_by;
        reserved.emplace_back("dt");
        if (const auto key = time_folder_key(grain_of_table(r.table).grain); !key.empty()) {
            reserved.emplace_back(key);
        }
        t.schema = std::make_unique<OpenSchema>(std::move(reserved), options_.max_columns);
        for (const auto& c : options_.columns) {
            t.schema->declare(c.field, c.field, c.type);
        }
        if (options_.existing_columns) {
            if (auto cols = options_.existing_columns(options_.database, r.table)) {
                for (const auto& [name, type] : *cols) {
                    if (auto vt = parse_type_text(type)) {
                        t.schema->seed(name, std::move(*vt));
                    }
                }
            }
        }
    }
    const bool wants_meta = options_.kafka_metadata || r.state.value_format == ValueFormat::raw;
    if (wants_meta && t.meta_columns.empty()) {
        using K = ValueType::Kind;
        for (auto [name, kind] : {std::pair{"_topic", K::varchar}, std::pair{"_partition", K::bigint},
                                  std::pair{"_offset", K::bigint}, std::pair{"_kafka_ts", K::timestamp},
                                  std::pair{"_key", K::varchar}}) {
            t.meta_columns.push_back(t.schema->declare("", name, ValueType(kind)));
        }
        t.meta_columns.push_back(t.schema->declare("", "_headers", headers_type()));
    }
    r.schema = t.schema.get();
    r.meta_columns = wants_meta ? t.meta_columns : std::vector<uint32_t>{};
    return t;
}

// ---------------------------------------------------------------------------------------------
// Group membership

void SinkRunner::on_assign(const std::vector<PartitionOffset>& assigned) {
    last_state_ = nullptr;
    for (const auto& po : assigned) {
        const TopicPartition tp{po.topic, po.partition};
        PartitionState ps;
        ps.held = held_by_tables(tp, po.offset);
        // When the tables' offsets could not be read, leave every file alone: which batch is
        // committed is not known.
        if (committer_ != nullptr && !pending_error_) {
        } else if (auto st = recover(tp, po.offset, ps.held); !st && pending_error_) {
            // A stop cuts the store's retries short: reading the journal then fails with the
            // last transport error, which is the stop's doing, not a broken store.
            Error e = st.error();
            if (e.kind == ErrorKind::retry && stop_ != nullptr && stop_->load(std::memory_order_relaxed)) {
                e.message += " (the sink is stopping; nothing was committed)";
            }
            pending_error_ = fail(std::move(e));
        }
        ps.route = &route_for(po.topic);
        ps.committed = po.offset;
        partitions_[tp] = std::move(ps);
    }
    joined_ = true;
    probe_->assigned(partitions_.size());
    last_activity_ = Clock::now();
    membership_confirmed(last_activity_); // the coordinator has just made this assignment
    std::string list;
    for (const auto& po : assigned) {
        list += fmt::format("{}{}/{}", list.empty() ? "" : ",", po.topic, po.partition);
    }
    log::info("{}sink: assigned partitions [{}]", options_.progress ? "\n" : "", list);
}

std::map<std::string, Offset> SinkRunner::held_by_tables(const TopicPartition& tp, Offset committed) {
    std::map<std::string, Offset> held;
    if (committer_ == nullptr || !pending_error_) {
        return held;
    }
    auto tables = committer_->table_offsets(tp);
    if (!tables) {
        pending_error_ = fail(Error{tables.error().kind, "cannot read the offsets the tables hold for " +
                                                             tp.topic.str() + " partition " +
                                                             std::to_string(tp.partition.value()) + ": " +
                                                             tables.error().message});
        return held;
    }
    // Every table holds its rows of tp before its offset and none after; Kafka's commit comes
    // after all the tables', so rows before the group's offset are in every table. Reading
    // resumes at the group's offset (or where --start-from says, for a group that never
    // committed) and each table skips the rows it holds already: after a crash between the
    // tables' commits and Kafka's, or between two tables' commits of one batch. Never from a
    // table's offset: a table that records nothing of tp (new, or never given its rows yet)
    // may still lack rows before it.
    for (const auto& [table, next] : *tables) {
        if (!committed.valid() || next > committed) {
            held.emplace(table, next);
            log::info("sink: {} partition {}: table {} holds offsets up to {} (the group: {}); its rows before that "
                      "are skipped",
                      tp.topic, tp.partition, table, next.value(),
                      committed.valid() ? std::to_string(committed.value()) : "none");
        }
    }
    return held;
}

void SinkRunner::on_revoke(const std::vector<TopicPartition>& revoked) {
    joined_ = false;
    last_state_ = nullptr;
    for (const auto& tp : revoked) {
        probe_->partition_revoked(tp);
    }
    const bool lost = consumer_.assignment_lost();
    if (lost) {
        // Expelled (session expired): others may own these partitions already, so writing
        // now would publish over their files. The writer refuses anything in flight (lease).
        membership_until_.store(0);
        log::warn("{}sink: this member lost its partitions ({} of them; its session expired): dropping what "
                  "it holds unwritten; their new owners read it again",
                  options_.progress ? "\n" : "", revoked.size());
    }
    if (failed_ || lost) {
        // After a failed batch nothing more may be written or committed for any partition:
        // a later commit would cover the failed batch's offsets. Drop what we hold; the next
        // owner recovers from the journals and the committed offsets.
        for (const auto& tp : revoked) {
            if (auto it = partitions_.find(tp); it != partitions_.end()) {
                buffered_bytes_ -= it->second.batch.bytes;
                partitions_.erase(it);
            }
        }
        probe_->assigned(partitions_.size());
        return;
    }
    log::info("{}sink: {} partition(s) revoked: flushing and committing them", options_.progress ? "\n" : "",
              revoked.size());
    // Flush and commit what we hold so the next owner starts where we stopped. If that
    // fails, the journal stays and the next owner removes our files and redoes the batch.
    in_revoke_ = true;
    for (const auto& tp : revoked) {
        Status st = submit(tp);
        if (st) {
            st = wait_for(tp);
        }
        if (!st) {
            log::warn("sink: could not flush {} partition {} on revoke: {}", tp.topic, tp.partition,
                      st.error().message);
        }
        auto it = partitions_.find(tp);
        if (it != partitions_.end()) {
            buffered_bytes_ -= it->second.batch.bytes;
            partitions_.erase(it);
        }
    }
    in_revoke_ = false;
    probe_->assigned(partitions_.size());
}

Status SinkRunner::recover(const TopicPartition& tp, Offset committed, const std::map<std::string, Offset>& held) {
    const std::string jkey = sink_journal_key(options_.group, tp.topic, tp.partition);
    auto content = store_.get_small(jkey);
    if (!content) {
        return fail(content.error());
    }
    if (!content->has_value()) {
        return {};
    }
    auto journal = SinkJournal::from_json(**content);
    if (!journal) {
        return fail(journal.error());
    }
    if (!committed.valid() || journal->start >= committed) {
        // The batch never committed: its files (complete or not) must not stay visible. Except
        // in the tables that took it before a crash between the tables' commits (held_by_tables):
        // those tables hold these files now, and reading skips their rows.
        auto committed_to_table = [&](const std::string& key) {
            for (const auto& [table, next] : held) {
                if (next > journal->start && key.starts_with(options_.database + "/" + table + "/")) {
                    return true;
                }
            }
            return false;
        };
        uint64_t removed = 0;
        for (const auto& key : journal->keys) {
            if (committed_to_table(key)) {
                continue;
            }
            auto gone = store_.remove(key);
            if (!gone) {
                return fail(gone.error());
            }
            removed += *gone ? 1 : 0;
        }
        stats_.recovered_removed += removed;
        log::info("sink: {} partition {}: removed {} file(s) of an uncommitted batch (offsets {}-{}, {} planned)",
                  tp.topic, tp.partition, static_cast<unsigned long long>(removed),
                  journal->start, journal->end, journal->keys.size());
    }
    if (auto gone = store_.remove(jkey); !gone) {
        return fail(gone.error());
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// Messages into batches

SinkRunner::PartitionState* SinkRunner::state_of(const ConsumedMessage& m) {
    if (last_state_ != nullptr && m.topic_handle() == last_topic_ && m.partition() == last_partition_) {
        return last_state_;
    }
    auto it = partitions_.find(TopicPartition{Topic(m.topic()), m.partition()});
    if (it == partitions_.end()) {
        return nullptr;
    }
    last_topic_ = m.topic_handle();
    last_partition_ = m.partition();
    last_state_ = &it->second;
    return last_state_;
}

void SinkRunner::add_bytes(PartitionBatch& b, size_t bytes) {
    b.bytes += bytes;
    buffered_bytes_ += bytes;
}

void SinkRunner::dead_letter(const ConsumedMessage& m, PartitionBatch& b, DeadLetterCode code, std::string reason) {
    b.dead.push_back(
        {m.offset(), m.timestamp_ms(), std::string(m.key()), std::string(m.value()), std::move(reason), code});
    add_bytes(b, m.value().size() + 128);
}

void SinkRunner::accept(const ConsumedMessage& m, Clock::time_point now) {
    PartitionState* ps = state_of(m);
    if (ps == nullptr) {
        return; // a message of a partition revoked meanwhile: its next owner reads it again
    }
    ps->at_eof = false;
    PartitionBatch& b = ps->batch;
    if (b.empty()) {
        b.first_offset = m.offset();
        b.opened = now;
        b.min_ts = INT64_MAX;
        b.max_ts = INT64_MIN;
    }
    b.last_offset = m.offset();
    TopicRoute& r = *ps->route;
    if (r.state.value_format == ValueFormat::automatic) {
        if (auto st = decide(r, m); !st) {
            log::warn("sink: topic {}: could not keep its format decision ({}); going on", r.topic,
                      st.error().message);
        }
    }
    if (r.state.value_format == ValueFormat::ticklake) {
        if (m.value_is_null()) {
            ++stats_.tombstones;
            return;
        }
        accept_event(m, *ps);
    } else {
        if (!ps->held.empty()) {
            if (r.schema == nullptr) {
                open_table_for(r);
            }
            if (already_in_table(*ps, r.table, m.offset())) {
                return;
            }
        }
        accept_row(m, r, b);
    }
}

FileBuffer& SinkRunner::file_for(PartitionBatch& b, FileKey key, TimePartition grain, Offset offset) {
    auto fit = b.files.find(key);
    if (fit == b.files.end()) {
        FileBuffer f;
        f.table = std::get<0>(key);
        f.partition_path = std::get<1>(key);
        f.period = std::get<2>(key);
        f.grain = grain;
        f.first_offset = offset;
        fit = b.files.emplace(std::move(key), std::move(f)).first;
    }
    b.last_file = &fit->second;
    return fit->second;
}

bool SinkRunner::already_in_table(PartitionState& ps, const std::string& table, Offset offset) {
    // Only right after a crash between commits, until reading passes every held offset.
    if (auto it = ps.held.find(table); it != ps.held.end() && offset < it->second) {
        ++stats_.already_in_table;
        return true;
    }
    std::erase_if(ps.held, [&](const auto& kv) { return kv.second <= offset; });
    return false;
}

void SinkRunner::accept_event(const ConsumedMessage& m, PartitionState& ps) {
    PartitionBatch& b = ps.batch;
    // JSON Lines: a message in the writer's form is already its row (but for "v" and "type");
    // any other is written in that form once, here, which is what the writer would do.
    bool wire_form = false;
    auto parsed = json_rows_ ? parser_.parse_into(m.value(), event_, wire_form) : parser_.parse_into(m.value(), event_);
    if (!parsed) {
        dead_letter(m, b, DeadLetterCode::malformed_event, parsed.error().message);
        return;
    }
    if (!ps.held.empty() && already_in_table(ps, table_name_for(event_), m.offset())) {
        return;
    }
    TableGrain*& typed_grain =
        event_.type != EventType::record ? typed_grains_[static_cast<size_t>(event_.type)] : record_grain_;
    if (typed_grain == nullptr || event_.type == EventType::record) {
        typed_grain = &grain_of_table(table_name_for(event_));
    }
    const TimePartition grain = typed_grain->grain;
    const int64_t period = grain == TimePartition::automatic ? kUndecidedPeriod : period_of(grain, partition_clock_.to_local(event_.ts));
    // Most messages go to a file the batch has already (trades and quotes of one day): find
    // it without building the table name.
    FileBuffer* file = nullptr;
    if (event_.type != EventType::record) {
        if (b.last_file != nullptr && b.last_file->typed && b.last_file->period == period &&
            b.last_file->typed->type() == event_.type) {
            file = b.last_file;
        } else {
            for (auto& [key, f] : b.files) {
                if (f.typed && f.period == period && f.typed->type() == event_.type) {
                    file = &f;
                    b.last_file = file;
                    break;
                }
            }
        }
    }
    if (!file) {
        file = &file_for(b, FileKey{table_name_for(event_), std::string(), period}, grain, m.offset());
        if (!file->typed) {
            file->typed = std::make_unique<TableBuffer>(event_.type, json_rows_);
            file->typed->reserve(size_hints_[static_cast<size_t>(event_.type)]);
        }
    }
    const size_t before = file->typed->approx_bytes();
    if (json_rows_) {
        // A message in the writer's form is its row; the buffer writes any other from event_.
        file->typed->append(event_, wire_form ? wire_row_members(m.value(), event_.type) : std::string_view());
    } else {
        file->typed->append(event_);
    }
    add_bytes(b, file->typed->approx_bytes() - before);
    ++b.rows;
    b.min_ts = std::min(b.min_ts, event_.ts);
    b.max_ts = std::max(b.max_ts, event_.ts);
}

void SinkRunner::add_metadata(const ConsumedMessage& m, const TopicRoute& r) {
    const auto& meta = r.meta_columns;
    CellValue* c = &row_.add_to_column(meta[0]);
    c->kind = CellValue::Kind::string;
    c->text = m.topic();
    c = &row_.add_to_column(meta[1]);
    c->kind = CellValue::Kind::integer;
    c->i = m.partition().value();
    c = &row_.add_to_column(meta[2]);
    c->kind = CellValue::Kind::integer;
    c->i = m.offset().value();
    c = &row_.add_to_column(meta[3]);
    if (m.timestamp_ms() >= 0) {
        c->kind = CellValue::Kind::timestamp;
        c->i = m.timestamp_ms() * 1000;
    }
    c = &row_.add_to_column(meta[4]);
    if (!m.key().empty()) { // no key (or an empty one) is NULL
        std::string& key = row_.new_string();
        append_text_or_hex(key, m.key());
        c->kind = CellValue::Kind::string;
        c->text = key;
    }
    std::string& headers = row_.new_string();
    headers.push_back('[');
    m.for_each_header([&](std::string_view name, std::optional<std::string_view> value) {
        headers.append(headers.size() > 1 ? ",{\"key\":" : "{\"key\":");
        std::string text;
        append_text_or_hex(text, name);
        append_json_string(headers, text);
        headers.append(",\"value\":");
        if (value) {
            text.clear();
            append_text_or_hex(text, *value);
            append_json_string(headers, text);
        } else {
            headers.append("null");
        }
        headers.push_back('}');
    });
    headers.push_back(']');
    c = &row_.add_to_column(meta[5]);
    c->kind = CellValue::Kind::json;
    c->text = headers;
    c->nested = &headers_type();
}

void SinkRunner::declare_schema_columns(TopicRoute& r) {
    const RegisteredSchema* s = framed_->last_schema();
    OpenTable& t = open_tables_[r.table];
    if (s == nullptr || std::find(t.schema_ids.begin(), t.schema_ids.end(), s->id) != t.schema_ids.end()) {
        return;
    }
    t.schema_ids.push_back(s->id);
    // The table's columns are the union of its schemas' fields (a field a later version drops
    // stays, NULL in its rows): the evolution a BACKWARD registry allows. A field whose type
    // changed widens where the two types meet (int -> long); otherwise its column keeps its
    // type and values that do not convert are dead letters with the reason.
    for (auto& [field, type] : framed_->last_columns()) {
        const auto& cols = r.schema->columns();
        auto it = std::find_if(cols.begin(), cols.end(), [&](const OpenColumn& c) { return c.field == field; });
        if (it == cols.end() || !it->fixed) {
            r.schema->declare(field, field, type);
        } else if (!(it->type == type)) {
            if (auto w = widen(it->type, type)) {
                r.schema->set_type(static_cast<uint32_t>(it - cols.begin()), std::move(*w));
            }
        }
    }
    log::info("{}sink: topic {}: schema id {} declares the columns of table {}", options_.progress ? "\n" : "", r.topic,
              s->id, r.table);
}

Status SinkRunner::decode_row(const ConsumedMessage& m, TopicRoute& r, TimestampUs& ts, std::string& partition_path) {
    const std::string_view value = m.value();
    if (value.size() > options_.max_value_bytes) {
        return fail(Error::poison(fmt::format("value of {} bytes is larger than --max-value-bytes ({})", value.size(),
                                              options_.max_value_bytes)));
    }
    if (auto st = decode_value(m, r); !st) {
        return st;
    }
    if (!r.state.time_field) {
        choose_time_field(r);
    }
    if (auto st = event_time_of_row(m, r, ts); !st) {
        return st;
    }
    take_partition_values(partition_path);
    if (!r.meta_columns.empty()) {
        add_metadata(m, r);
    }
    return {};
}

Status SinkRunner::decode_value(const ConsumedMessage& m, TopicRoute& r) {
    const std::string_view value = m.value();
    switch (r.state.value_format) {
    case ValueFormat::csv:
        return r.csv.decode(value, row_);
    case ValueFormat::avro:
    case ValueFormat::protobuf:
    case ValueFormat::jsonschema:
    case ValueFormat::automatic: // a framed value whose schema was not found when deciding
        if (!framed_) {
            // Decided (and kept in the topic's state) by a run that had a registry.
            return fail(Error::invalid("topic " + r.topic.str() + " holds Schema Registry " +
                                       to_string(r.state.value_format) + " values: pass --schema-registry URL"));
        }
        if (auto st = framed_->decode(value, r.state.value_format, row_); !st) {
            return st;
        }
        declare_schema_columns(r);
        return {};
    case ValueFormat::raw: {
        row_.clear();
        CellValue& c = row_.add("value");
        if (!m.value_is_null()) {
            c.kind = CellValue::Kind::bytes;
            c.text = value;
        }
        return {};
    }
    default:
        return json_.decode_viewing(value, row_); // row_ is used and dropped before the message
    }
}

void SinkRunner::choose_time_field(TopicRoute& r) {
    // The topic's first readable row names its time field, once (docs/storage.md).
    r.state.time_field = "";
    if (r.state.value_format != ValueFormat::raw) {
        for (std::string_view name : kTimeFieldCandidates) {
            if (row_.find(name) != nullptr) {
                r.state.time_field = std::string(name);
                break;
            }
        }
    }
    log::info("{}sink: topic {}: event time from {} (--time-field overrides)", options_.progress ? "\n" : "", r.topic,
              r.state.time_field->empty() ? "the Kafka timestamp" : "field '" + *r.state.time_field + "'");
    if (auto st = save_state(r); !st) {
        log::warn("sink: topic {}: could not keep the time field decision ({})", r.topic, st.error().message);
    }
}

Status SinkRunner::event_time_of_row(const ConsumedMessage& m, const TopicRoute& r, TimestampUs& ts) {
    if (r.state.time_field->empty()) {
        ts = m.timestamp_ms() >= 0 ? m.timestamp_ms() * 1000 : now_us();
        return {};
    }
    RowCell* cell = row_.find(*r.state.time_field);
    if (cell == nullptr) {
        return fail(Error::poison("no event time: field '" + *r.state.time_field + "' is missing"));
    }
    auto t = event_time_of(cell->value);
    if (!t) {
        return fail(Error::poison("field '" + *r.state.time_field + "': " + t.error().message));
    }
    ts = *t;
    return {};
}

void SinkRunner::take_partition_values(std::string& partition_path) {
    partition_path.clear();
    for (const auto& field : options_.partition_by) {
        const RowCell* last = row_.find(field);
        std::string text = last != nullptr ? partition_text(last->value) : std::string();
        // The value lives in the path only (Hive partition columns are not file columns).
        row_.remove_field(field);
        partition_path += field + "=" + hive_partition_value(text) + "/";
    }
}

void SinkRunner::accept_row(const ConsumedMessage& m, TopicRoute& r, PartitionBatch& b) {
    if (r.schema == nullptr) {
        open_table_for(r);
    }
    if (m.value_is_null()) {
        ++stats_.tombstones;
        if (r.state.value_format != ValueFormat::raw) {
            return; // a deletion marker has no row to land (the raw format archives it)
        }
    }
    if (r.state.value_format == ValueFormat::csv && r.csv.columns().empty()) {
        // No --columns and no header seen yet: this first message is the header.
        auto names = r.csv.split(m.value());
        if (!names || names->empty()) {
            dead_letter(m, b, DeadLetterCode::csv_header_missing,
                        "the first message of a CSV topic must be its header (or pass --columns)");
            return;
        }
        r.state.csv_columns = *names;
        r.csv.set_columns(std::move(*names));
        r.csv_header = std::string(m.value());
        ++stats_.header_lines;
        if (auto st = save_state(r); !st) {
            log::warn("sink: topic {}: could not keep its CSV header ({})", r.topic, st.error().message);
        }
        return;
    }
    if (r.state.value_format == ValueFormat::csv) {
        // A producer that repeats its header (one per file it sends, say): learn the header's
        // exact text from the first repeat, looking only at lines that start like it.
        const std::string_view first = r.csv.columns().front();
        const std::string_view v = m.value();
        if (r.csv_header.empty() && (v.starts_with(first) || (v.size() > 1 && v.substr(1).starts_with(first)))) {
            auto fields = r.csv.split(v);
            if (fields && csv_column_names(*fields) == r.csv.columns()) {
                r.csv_header = std::string(v);
            }
        }
        if (!r.csv_header.empty() && v == r.csv_header) {
            ++stats_.header_lines;
            return;
        }
    }
    TimestampUs ts = 0;
    std::string partition_path;
    if (auto st = decode_row(m, r, ts, partition_path); !st) {
        if (st.error().kind != ErrorKind::poison) {
            // Not this message's fault (the registry gave up answering, or refused us): stop
            // before anything past it is committed; it is read again on restart.
            pending_error_ = st;
            return;
        }
        dead_letter(m, b, DeadLetterCode::undecodable, st.error().message);
        return;
    }
    if (r.grain == nullptr) {
        r.grain = &grain_of_table(r.table);
    }
    const TimePartition grain = r.grain->grain;
    const int64_t period = grain == TimePartition::automatic ? kUndecidedPeriod : period_of(grain, partition_clock_.to_local(ts));
    FileBuffer* file = b.last_file;
    if (file == nullptr || !file->open || file->period != period || file->table != r.table ||
        file->partition_path != partition_path) {
        file = &file_for(b, FileKey{r.table, partition_path, period}, grain, m.offset());
        if (!file->open) {
            file->open = std::make_unique<OpenTableBuffer>(*r.schema);
        }
    }
    const size_t before = file->open->approx_bytes();
    if (auto st = file->open->append(row_, m.key(), ts); !st) {
        dead_letter(m, b, DeadLetterCode::type_conflict, st.error().message);
        return;
    }
    add_bytes(b, file->open->approx_bytes() - before);
    ++b.rows;
    b.min_ts = std::min(b.min_ts, ts);
    b.max_ts = std::max(b.max_ts, ts);
}

bool SinkRunner::should_rotate(const PartitionBatch& b) const {
    if (b.empty()) {
        return false;
    }
    if (b.rows + b.dead.size() >= options_.rotate_rows || b.bytes >= options_.rotate_bytes) {
        return true;
    }
    return options_.rotate_event_time_us > 0 && b.rows > 0 && b.max_ts - b.min_ts >= options_.rotate_event_time_us;
}

// ---------------------------------------------------------------------------------------------
// Time partitions: one grain per table, kept under the warehouse (time_partition.h)

SinkRunner::TableGrain& SinkRunner::grain_of_table(const std::string& table) {
    auto [it, inserted] = table_grains_.try_emplace(table);
    if (inserted) {
        if (auto st = load_table_grain(table, it->second); !st && pending_error_) {
            pending_error_ = st; // the run loop stops on it before anything is committed
        }
        if (it->second.grain != TimePartition::automatic) {
            stats_.time_partition_by_table[table] = to_string(it->second.grain);
        }
    }
    return it->second;
}

Status SinkRunner::load_table_grain(const std::string& table, TableGrain& g) {
    const TimePartition wanted = options_.time_partition;
    const std::string state_key = table_time_partition_key(options_.database, table);
    std::optional<TableTimePartition> kept;
    auto content = store_.get_small(state_key);
    if (!content) {
        log::warn("sink: table {}.{}: cannot read its kept time partition ({}); going by --time-partition {}",
                  options_.database, table, content.error().message, to_string(wanted));
    } else if (content->has_value()) {
        auto parsed = TableTimePartition::from_json(**content);
        if (!parsed) {
            return fail(Error::fatal(parsed.error().message + " (" + state_key +
                                     "; write the grain its files have, or remove the table and the file)"));
        }
        kept = std::move(*parsed);
    } else {
        // Written before grains were kept: its files' folders tell the grain (once per table).
        const std::string prefix = options_.database + "/" + table + "/";
        auto keys = store_.list(options_.database + "/" + table);
        for (const auto& key : keys ? *keys : std::vector<std::string>{}) {
            const std::string_view name = std::string_view(key).substr(key.rfind('/') + 1);
            if (!name.starts_with('_') && !name.starts_with('.') &&
                (name.ends_with(".parquet") || name.ends_with(".jsonl") || name.ends_with(".csv"))) {
                kept = TableTimePartition{grain_of_key(std::string_view(key).substr(prefix.size())), "existing files", {}};
                break;
            }
        }
        if (kept) {
            if (auto st = store_.put_small(state_key, kept->to_json()); !st) {
                log::warn("sink: table {}.{}: could not keep its time partition ({})", options_.database, table,
                          st.error().message);
            }
        }
    }
    if (kept) {
        g.grain = kept->grain;
        if (kept->tz != options_.partition_tz) {
            return fail(Error::fatal(fmt::format(
                "table {}.{} is partitioned by local dates of {}; --partition-tz {} would put one day's rows "
                "under two dates: pass --partition-tz {}, sink into another --database, or remove the "
                "table's folder and {}",
                options_.database, table, kept->tz, options_.partition_tz, kept->tz, state_key)));
        }
        if (wanted != TimePartition::automatic && wanted != kept->grain) {
            return fail(Error::fatal(fmt::format(
                "table {}.{} is partitioned by {} (chosen by {}); --time-partition {} would mix two layouts "
                "under its files: pass --time-partition {} (or auto, which keeps it), sink into another "
                "--database, or remove the table's folder and {}",
                options_.database, table, to_string(kept->grain), kept->chosen_by, to_string(wanted),
                to_string(kept->grain), state_key)));
        }
        return {};
    }
    g.grain = wanted;
    if (wanted != TimePartition::automatic) {
        return store_.put_small(state_key, TableTimePartition{wanted, "explicit", {}, options_.partition_tz}.to_json());
    }
    return {};
}

namespace {

// The date of each row in the partition zone: the `dt` a day-partitioned table has in its folders.
Column event_date_column(const std::vector<int64_t>& ts, const ZoneClock& clock) {
    Column c;
    c.name = "dt";
    c.type = ColumnType::date;
    c.ints.reserve(ts.size());
    for (int64_t utc : ts) {
        const int64_t t = clock.to_local(utc);
        c.ints.push_back(t >= 0 ? t / kMicrosPerDay : -((-t + kMicrosPerDay - 1) / kMicrosPerDay));
    }
    c.valid.assign(ts.size(), 1);
    return c;
}

bool has_column(const ColumnBatch& batch, std::string_view name) {
    return std::any_of(batch.columns.begin(), batch.columns.end(), [&](const Column& c) {
        return c.name.size() == name.size() && std::equal(name.begin(), name.end(), c.name.begin(), [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
               });
    });
}

} // namespace

void SinkRunner::settle_time_partitions(PartitionBatch& b) {
    // What this Kafka partition holds of each table without a grain: the sample auto decides on.
    std::map<std::string, GrainSample> samples;
    for (const auto& [k, f] : b.files) {
        if (f.grain != TimePartition::automatic) {
            continue;
        }
        auto [it, fresh] = samples.try_emplace(f.table, GrainSample{0, INT64_MAX, INT64_MIN});
        GrainSample& s = it->second;
        for (int64_t ts : f.event_times()) {
            s.min_ts = std::min(s.min_ts, ts);
            s.max_ts = std::max(s.max_ts, ts);
        }
        s.rows += f.rows();
    }
    for (const auto& [table, sample] : samples) {
        TableGrain& g = grain_of_table(table);
        if (g.grain != TimePartition::automatic) {
            continue; // another partition's flush decided it meanwhile
        }
        // A grain whose folder key is a column of the table would make a Hive table with a
        // column and a partition key of one name.
        std::vector<TimePartition> refused;
        for (auto grain : {TimePartition::hour, TimePartition::month, TimePartition::year, TimePartition::decade}) {
            for (const auto& [k, f] : b.files) {
                if (f.table == table && f.grain == TimePartition::automatic &&
                    has_column(f.batch(), time_folder_key(grain))) {
                    refused.push_back(grain);
                    break;
                }
            }
        }
        g.grain = choose_time_partition(sample, options_.rotate_rows, refused);
        stats_.time_partition_by_table[table] = to_string(g.grain);
        log::info("{}sink: table {}.{}: time partition {} (auto: {} rows over {:.1f} days in one Kafka partition; "
                  "at least {} rows per file wanted)",
                  options_.progress ? "\n" : "", options_.database, table, to_string(g.grain), sample.rows,
                  static_cast<double>(sample.max_ts - sample.min_ts) / kMicrosPerDay, kMinRowsPerTimePartitionFile);
        const std::string state_key = table_time_partition_key(options_.database, table);
        if (auto st = store_.put_small(state_key, TableTimePartition{g.grain, "auto", sample, options_.partition_tz}.to_json()); !st) {
            log::warn("sink: table {}.{}: could not keep its time partition ({}); a restart decides again",
                      options_.database, table, st.error().message);
        }
    }
    for (auto& [k, f] : b.files) {
        if (f.grain == TimePartition::automatic) {
            f.grain = table_grains_[f.table].grain;
            const auto& ts = f.event_times();
            std::map<int64_t, std::vector<uint32_t>> by_period;
            for (uint32_t row : f.sorted_order()) {
                by_period[period_of(f.grain, partition_clock_.to_local(ts[row]))].push_back(row);
            }
            if (by_period.size() == 1) {
                f.period = by_period.begin()->first; // one file, sorted again by its writer
            } else {
                for (auto& [period, order] : by_period) {
                    f.parts.push_back({period, std::move(order)});
                }
            }
        }
        if (!dt_in_path(f.grain) && !has_column(f.batch(), "dt")) {
            f.add_derived_column(event_date_column(f.event_times(), partition_clock_));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Batches to the writer, and commits

Status SinkRunner::submit(const TopicPartition& tp) {
    if (failed_) {
        return fail(Error::fatal("the sink stopped after a failed batch; nothing more is written"));
    }
    auto pit = partitions_.find(tp);
    if (pit == partitions_.end() || pit->second.batch.empty()) {
        return {};
    }
    // One batch in flight per partition: the journal protocol recovers at most one.
    if (pit->second.in_flight) {
        if (auto st = wait_for(tp); !st) {
            return st;
        }
    }
    PartitionState& ps = pit->second;
    auto job = std::make_unique<FlushJob>();
    job->partition = tp.partition;
    job->topic = tp.topic;
    job->journal.start = ps.batch.first_offset;
    job->journal.end = ps.batch.last_offset;
    for (auto& [k, f] : ps.batch.files) {
        if (f.open) {
            f.open->finish(); // the schema is the sink thread's: settle the columns here
        } else if (f.typed) {
            size_hints_[static_cast<size_t>(f.typed->type())] = f.typed->size_hint();
        }
    }
    settle_time_partitions(ps.batch);
    for (auto& [k, f] : ps.batch.files) {
        auto add_file = [&](int64_t period, std::span<const uint32_t> rows) {
            job->journal.keys.push_back(data_key(f, period, tp));
            if (listener_ != nullptr || committer_ != nullptr) {
                job->described.push_back(describe_file(job->journal.keys.back(), options_.format, f.batch(), rows));
                job->described.back().first_offset = f.first_offset;
            }
            ++job->data_files;
        };
        if (f.parts.empty()) {
            add_file(f.period, {});
        }
        for (const auto& part : f.parts) {
            add_file(part.period, part.order);
        }
        job->rows += f.rows();
        job->rows_by_table[f.table] += f.rows();
        job->files_by_table[f.table] += f.parts.empty() ? 1 : f.parts.size();
    }
    job->dead_letters = ps.batch.dead.size();
    for (const auto& d : ps.batch.dead) {
        ++job->dead_letters_by_code[d.code];
    }
    if (!ps.batch.dead.empty()) {
        job->journal.keys.push_back(dead_letter_key(ps.batch, tp));
        if (listener_ != nullptr || committer_ != nullptr) {
            job->described.push_back(describe_dead_letters(job->journal.keys.back()));
        }
    }
    job->journal_key = sink_journal_key(options_.group, tp.topic, tp.partition);
    buffered_bytes_ -= ps.batch.bytes;
    in_flight_bytes_ += ps.batch.bytes;
    job->batch = std::move(ps.batch);
    ps.batch = PartitionBatch{};
    ps.in_flight = true;
    batch_writer_.submit(std::move(job));
    return {};
}

Status SinkRunner::commit_completed(bool block) {
    // Each job stands alone: a partition's failed batch never blocks another partition's
    // commit (journals are per partition). What must never happen is a later commit of the
    // *same* partition, which would cover the failed batch's offsets: see failed_.
    Status result;
    for (auto& job : batch_writer_.take_completed(block)) {
        const TopicPartition tp{job->topic, job->partition};
        auto pit = partitions_.find(tp);
        in_flight_bytes_ -= job->batch.bytes;
        if (pit != partitions_.end()) {
            pit->second.in_flight = false;
        }
        if (failed_) {
            continue; // stopping after an earlier failure: commit nothing more
        }
        Status committed = job->result;
        if (committed) {
            crash_point(CrashPoint::before_commit);
        }
        if (committed && committer_ != nullptr) {
            // The tables' commits come first: once a table holds the batch, a crash before
            // Kafka's commit re-reads it and that table skips it (held_by_tables).
            committed = committer_->commit(
                CommittedBatch{tp.topic, tp.partition, job->described, job->journal.start, job->journal.end});
            if (committed) {
                crash_point(CrashPoint::after_table_commit);
            }
        }
        // Durable: now, and only now, the offsets may be committed. A transient refusal
        // (coordinator moving) is retried; anything else leaves the journal in place, so
        // whoever owns the partition next removes these files and redoes them.
        double commit_seconds = 0;
        for (net::RetryLoop retry(commit_retry_policy()); committed;) {
            const auto sent = Clock::now();
            committed = consumer_.commit({{tp.topic, tp.partition, job->journal.end.next()}});
            if (committed) {
                membership_confirmed(sent);
                commit_seconds = std::chrono::duration<double>(Clock::now() - sent).count();
            }
            if (committed || committed.error().kind != ErrorKind::retry || !retry.pause_before_retry()) {
                break;
            }
        }
        if (!committed) {
            if (result) {
                result = committed;
            }
            continue;
        }
        crash_point(CrashPoint::before_journal_removal);
        if (auto gone = store_.remove(job->journal_key); !gone) {
            log::warn("sink: journal {} not removed ({}); harmless: it is committed", job->journal_key,
                      gone.error().message);
        }
        crash_point(CrashPoint::after_commit);
        stats_.rows_written += job->rows;
        stats_.files_written += job->data_files;
        stats_.dead_letters += job->dead_letters;
        for (const auto& [table, rows] : job->rows_by_table) {
            stats_.rows_by_table[table] += rows;
        }
        ++stats_.batches_committed;
        probe_->committed(*job, commit_seconds);
        if (pit != partitions_.end()) {
            pit->second.committed = job->journal.end.next();
        }
        if (options_.on_committed) {
            options_.on_committed(job->journal.keys); // registration on write (catalog)
        }
        if (listener_ != nullptr) {
            listener_->on_commit(CommittedBatch{tp.topic, tp.partition, std::move(job->described),
                                                job->journal.start, job->journal.end});
        }
    }
    if (!result && !failed_ && !in_revoke_) {
        // In the run loop a failed batch stops the sink: nothing more is written or
        // committed, on any partition, not even on the revoke that closing triggers. (Inside
        // a revoke every partition is being given up anyway; the next owner recovers.)
        failed_ = true;
        failure_ = result;
    }
    return result;
}

Status SinkRunner::wait_for(const TopicPartition& tp) {
    for (;;) {
        auto pit = partitions_.find(tp);
        if (pit == partitions_.end() || !pit->second.in_flight) {
            return {};
        }
        if (auto st = commit_completed(true); !st) {
            return st;
        }
    }
}

Status SinkRunner::flush_all() {
    for (auto& [tp, ps] : partitions_) {
        if (auto st = submit(tp); !st) {
            return st;
        }
    }
    while (batch_writer_.in_flight() > 0) {
        if (auto st = commit_completed(true); !st) {
            return st;
        }
    }
    return {};
}

void SinkRunner::print_progress(bool final) {
    const auto now = Clock::now();
    const double dt = std::chrono::duration<double>(now - last_progress_).count();
    const double rate = dt > 0 ? static_cast<double>(stats_.consumed - consumed_at_last_progress_) / dt : 0;
    log::status("\rsink: {} msgs  {:.0f} msg/s  {} rows in {} files  {} dead letters  {:.1f} MiB buffered{}",
                stats_.consumed, rate, stats_.rows_written, stats_.files_written, stats_.dead_letters,
                static_cast<double>(buffered_bytes_) / (1 << 20), final ? "\n" : "   ");
    last_progress_ = now;
    consumed_at_last_progress_ = stats_.consumed;
}

// Routes one poll's messages into their partitions' batches, rotating full ones.
Status SinkRunner::route(const PollBatch& polled, Clock::time_point now) {
    uint64_t bytes = 0;
    for (const ConsumedMessage& m : polled.messages) {
        bytes += m.key().size() + m.value().size();
        accept(m, now);
        if (!pending_error_) {
            return pending_error_; // e.g. a table's kept grain refused: write nothing more
        }
        PartitionState* ps = state_of(m);
        if (ps != nullptr && should_rotate(ps->batch)) {
            if (auto st = submit({Topic(m.topic()), m.partition()}); !st) {
                return st;
            }
        }
    }
    if (!polled.messages.empty()) {
        stats_.consumed += polled.messages.size();
        probe_->consumed(polled.messages.size(), bytes);
        last_activity_ = last_message_ = now;
    }
    for (const auto& tp : polled.partition_eofs) {
        if (auto it = partitions_.find(tp); it != partitions_.end()) {
            it->second.at_eof = true;
        }
    }
    return {};
}

// Memory bound over filling and in-flight batches: write the largest, or wait.
Status SinkRunner::bound_memory() {
    while (buffered_bytes_ + in_flight_bytes_ > options_.max_buffer_bytes) {
        auto largest = std::max_element(partitions_.begin(), partitions_.end(), [](const auto& a, const auto& b) {
            return a.second.batch.bytes < b.second.batch.bytes;
        });
        Status st;
        if (largest != partitions_.end() && largest->second.batch.bytes > 0 && !largest->second.in_flight) {
            st = submit(largest->first);
        } else if (batch_writer_.in_flight() > 0) {
            st = commit_completed(true);
        } else {
            break;
        }
        if (!st) {
            return st;
        }
    }
    return {};
}

Status SinkRunner::flush_aged(Clock::time_point now) {
    const auto max_age = std::chrono::seconds(options_.max_buffer_age_s);
    for (auto& [tp, ps] : partitions_) {
        if (!ps.batch.empty() && now - ps.batch.opened >= max_age) {
            if (auto st = submit(tp); !st) {
                return st;
            }
        }
    }
    return {};
}

bool SinkRunner::caught_up_and_idle(Clock::time_point now) const {
    // Only a member with an assignment can tell it is caught up; before the group answers
    // (e.g. while a crashed member's session expires) there is nothing to judge.
    if (!options_.until_idle_s || !joined_) {
        return false;
    }
    const bool caught_up =
        std::all_of(partitions_.begin(), partitions_.end(), [](const auto& kv) { return kv.second.at_eof; });
    return caught_up && std::chrono::duration<double>(now - last_activity_).count() >= *options_.until_idle_s;
}

Status SinkRunner::run(const std::atomic<bool>& stop) {
    if ((options_.value_format == ValueFormat::avro || options_.value_format == ValueFormat::protobuf ||
         options_.value_format == ValueFormat::jsonschema) &&
        !framed_) {
        return fail(Error::invalid(fmt::format("--value-format {} needs --schema-registry URL",
                                               to_string(options_.value_format))));
    }
    stop_ = &stop;
    batch_writer_.stop_retries_when(stop);
    RebalanceHandler handler;
    handler.on_assign = [this](const std::vector<PartitionOffset>& a) { on_assign(a); };
    handler.on_revoke = [this](const std::vector<TopicPartition>& r) { on_revoke(r); };
    if (auto st = consumer_.subscribe(options_.topics, std::move(handler)); !st) {
        return st;
    }
    started_ = last_activity_ = last_progress_ = Clock::now();
    PollBatch polled;
    Status result;
    while (!stop.load(std::memory_order_relaxed)) {
        auto st = consumer_.poll_batch(100, 2048, polled);
        if (!pending_error_) {
            result = pending_error_;
            break;
        }
        if (failed_) { // a batch failed inside a rebalance callback
            result = failure_;
            break;
        }
        if (!st) {
            if (st.error().kind == ErrorKind::retry) {
                log::warn("sink: {}; retrying", st.error().message);
                continue;
            }
            result = st;
            break;
        }
        const auto now = Clock::now(); // once per batch of messages, not per message
        result = route(polled, now);
        if (result) {
            result = bound_memory();
        }
        if (result) {
            result = commit_completed(false);
        }
        if (result) {
            result = flush_aged(now);
        }
        if (!result) {
            break;
        }
        if (options_.progress && now - last_progress_ >= std::chrono::seconds(1)) {
            print_progress(false);
        }
        if (now - last_gauges_ >= std::chrono::seconds(1)) {
            report_gauges();
            last_gauges_ = now;
        }
        if (caught_up_and_idle(now)) {
            break;
        }
    }
    return finish(std::move(result));
}

// The final flush, or on failure the writer drained with nothing more committed; then the
// busy time that benchmarks divide by.
Status SinkRunner::finish(Status result) {
    const auto final_flush_start = Clock::now();
    if (result) {
        result = flush_all();
    }
    if (!result) {
        if (!failed_) {
            failed_ = true;
            failure_ = result;
        }
        while (batch_writer_.in_flight() > 0) {
            batch_writer_.take_completed(true);
        }
    }
    // Busy time: start to last message, plus the final flush; the idle tail that
    // --until-idle waits before exiting is not work.
    const auto last = last_message_ > started_ ? last_message_ : started_;
    stats_.busy_seconds = std::chrono::duration<double>(last - started_).count() +
                          std::chrono::duration<double>(Clock::now() - final_flush_start).count();
    stats_.cpu_seconds = process_cpu_seconds();
    if (options_.progress) {
        print_progress(true);
    }
    report_gauges();
    return result;
}

void SinkRunner::report_gauges() {
    uint64_t rows = 0;
    for (const auto& [tp, ps] : partitions_) {
        rows += ps.batch.rows;
        if (!ps.committed.valid()) {
            continue; // no committed offset yet: the lag is not known
        }
        if (auto high = consumer_.high_watermark(tp)) {
            probe_->lag(tp, std::max<int64_t>(0, *high - ps.committed.value()));
        }
    }
    probe_->buffered(rows, buffered_bytes_ + in_flight_bytes_);
    probe_->storage_reachable(!batch_writer_.storage_failing());
}

} // namespace ticklake
