#include "common/kafka_position.h"

#include <ostream>

namespace ticklake {

std::ostream& operator<<(std::ostream& os, const Topic& topic) { return os << topic.view(); }
std::ostream& operator<<(std::ostream& os, Partition partition) { return os << partition.value(); }
std::ostream& operator<<(std::ostream& os, Offset offset) { return os << offset.value(); }
std::ostream& operator<<(std::ostream& os, const TopicPartition& tp) {
    return os << tp.topic.view() << '/' << tp.partition.value();
}

} // namespace ticklake
