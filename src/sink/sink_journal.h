// The write-ahead record of one in-flight batch of one Kafka partition.
//
// Protocol (per topic partition, one batch in flight):
//   1. journal {start, end, keys}  -> durable before any data file is written
//   2. write + publish every key (temp, fsync, rename)
//   3. commit offset end + 1 to Kafka
//   4. remove the journal
// Recovery when a partition is assigned with committed offset C: a journal with
// start >= C (or no committed offset) describes files of an uncommitted batch, which are
// removed before consuming from C again; a journal with end < C is just removed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/kafka_position.h"

namespace ticklake {

struct SinkJournal {
    Offset start{0}; //!< first offset of the batch
    Offset end{0};   //!< last offset of the batch
    std::vector<std::string> keys;

    std::string to_json() const;
    static Result<SinkJournal> from_json(std::string_view json);
};

//! "_ticklake/sink/<group>/<topic>/p<partition>.json"
std::string sink_journal_key(std::string_view group, const Topic& topic, Partition partition);

} // namespace ticklake
