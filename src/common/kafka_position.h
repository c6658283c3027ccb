// Where a message sits in Kafka: its Topic, its Partition and its Offset, as types of their own.
// A partition and an offset are both plain integers to librdkafka, and a topic and a consumer
// group are both strings: passed in the wrong order they still compile. These types make that a
// compile error. They convert from raw values only explicitly, and back only through value() or
// str(), which kafka/ calls at the librdkafka boundary and file names and journals call when they
// write the numbers down.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace ticklake {

//! A Kafka topic's name (not a subscription pattern: those start with '^' and stay strings).
class Topic {
public:
    Topic() = default;
    explicit Topic(std::string name) : name_(std::move(name)) {}
    explicit Topic(std::string_view name) : name_(name) {}
    explicit Topic(const char* name) : name_(name) {}

    std::string_view view() const { return name_; }
    const std::string& str() const { return name_; }
    const char* c_str() const { return name_.c_str(); }
    bool empty() const { return name_.empty(); }

    auto operator<=>(const Topic&) const = default;

private:
    std::string name_;
};

//! A partition number of a topic.
class Partition {
public:
    constexpr Partition() = default;
    explicit constexpr Partition(int32_t value) : value_(value) {}

    constexpr int32_t value() const { return value_; }

    constexpr auto operator<=>(const Partition&) const = default;

private:
    int32_t value_ = 0;
};

//! A message's position in its partition. Default-constructed it is none() (-1, as Kafka writes
//! "no committed offset"), which is also how the sink marks an empty batch.
class Offset {
public:
    constexpr Offset() = default;
    explicit constexpr Offset(int64_t value) : value_(value) {}

    static constexpr Offset none() { return Offset(-1); }
    //! False for none() and librdkafka's other negative markers (beginning, end, invalid).
    constexpr bool valid() const { return value_ >= 0; }
    constexpr int64_t value() const { return value_; }
    //! The offset after this one: what a consumer commits once it has this message durable.
    constexpr Offset next() const { return Offset(value_ + 1); }

    constexpr auto operator<=>(const Offset&) const = default;

private:
    int64_t value_ = -1;
};

//! One partition of one topic: the unit of ordering, of assignment and of commits.
struct TopicPartition {
    Topic topic;
    Partition partition;
    auto operator<=>(const TopicPartition&) const = default;
};

// For test failure messages (GoogleTest finds them by ADL).
std::ostream& operator<<(std::ostream& os, const Topic& topic);
std::ostream& operator<<(std::ostream& os, Partition partition);
std::ostream& operator<<(std::ostream& os, Offset offset);
std::ostream& operator<<(std::ostream& os, const TopicPartition& tp);

//! Where a sink-made file's rows start, read back from its name
//! "<topic>-p<partition>-o<20-digit first offset>.<ext>" (sink_file_name writes it).
struct KafkaOrigin {
    Topic topic;
    Partition partition;
    Offset first_offset;
};

//! The origin a key's file name states; nullopt for names the sink does not make.
std::optional<KafkaOrigin> kafka_origin_of_key(std::string_view key);

} // namespace ticklake

template <>
struct std::hash<ticklake::Topic> {
    size_t operator()(const ticklake::Topic& t) const noexcept { return std::hash<std::string_view>{}(t.view()); }
};
template <>
struct std::hash<ticklake::Partition> {
    size_t operator()(ticklake::Partition p) const noexcept { return std::hash<int32_t>{}(p.value()); }
};
template <>
struct std::hash<ticklake::Offset> {
    size_t operator()(ticklake::Offset o) const noexcept { return std::hash<int64_t>{}(o.value()); }
};
template <>
struct std::hash<ticklake::TopicPartition> {
    size_t operator()(const ticklake::TopicPartition& tp) const noexcept {
        // Boost's hash_combine constant: partitions of one topic land in different buckets.
        const size_t h = std::hash<ticklake::Topic>{}(tp.topic);
        return h ^ (std::hash<ticklake::Partition>{}(tp.partition) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
    }
};

// Formatted as their raw value, with the raw type's format specs ("{:020d}" for an offset in a
// file name), so logs and keys read exactly as before the types existed.
template <>
struct fmt::formatter<ticklake::Topic> : fmt::formatter<std::string_view> {
    template <class Context>
    auto format(const ticklake::Topic& t, Context& ctx) const {
        return fmt::formatter<std::string_view>::format(t.view(), ctx);
    }
};
template <>
struct fmt::formatter<ticklake::Partition> : fmt::formatter<int32_t> {
    template <class Context>
    auto format(ticklake::Partition p, Context& ctx) const {
        return fmt::formatter<int32_t>::format(p.value(), ctx);
    }
};
template <>
struct fmt::formatter<ticklake::Offset> : fmt::formatter<int64_t> {
    template <class Context>
    auto format(ticklake::Offset o, Context& ctx) const {
        return fmt::formatter<int64_t>::format(o.value(), ctx);
    }
};
template <>
struct fmt::formatter<ticklake::TopicPartition> : fmt::formatter<std::string_view> {
    //! "<topic>/<partition>", as the sink lists assignments.
    template <class Context>
    auto format(const ticklake::TopicPartition& tp, Context& ctx) const {
        return fmt::format_to(ctx.out(), "{}/{}", tp.topic.view(), tp.partition.value());
    }
};
