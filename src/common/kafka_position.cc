#include "common/kafka_position.h"

#include <charconv>
#include <ostream>

namespace ticklake {

std::ostream& operator<<(std::ostream& os, const Topic& topic) { return os << topic.view(); }
std::ostream& operator<<(std::ostream& os, Partition partition) { return os << partition.value(); }
std::ostream& operator<<(std::ostream& os, Offset offset) { return os << offset.value(); }
std::ostream& operator<<(std::ostream& os, const TopicPartition& tp) {
    return os << tp.topic.view() << '/' << tp.partition.value();
}

std::optional<KafkaOrigin> kafka_origin_of_key(std::string_view key) {
    std::string_view name = key.substr(key.rfind('/') == std::string_view::npos ? 0 : key.rfind('/') + 1);
    const size_t dot = name.find('.', name.rfind("-o") == std::string_view::npos ? 0 : name.rfind("-o"));
    const size_t o = name.rfind("-o");
    if (o == std::string_view::npos || dot == std::string_view::npos || dot - o - 2 != 20) {
        return std::nullopt;
    }
    const size_t p = name.rfind("-p", o);
    if (p == std::string_view::npos || p == 0) {
        return std::nullopt;
    }
    auto number = [](std::string_view digits, auto& out) {
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
        return ec == std::errc() && end == digits.data() + digits.size() && !digits.empty();
    };
    int32_t partition = 0;
    int64_t offset = 0;
    if (!number(name.substr(p + 2, o - p - 2), partition) || !number(name.substr(o + 2, 20), offset)) {
        return std::nullopt;
    }
    return KafkaOrigin{Topic(name.substr(0, p)), Partition(partition), Offset(offset)};
}

} // namespace ticklake
