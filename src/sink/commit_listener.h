// What the sink tells others once a batch is committed: the files it has just made durable,
// described from what it held in memory, so a listener (the catalog registrar) needs neither a
// listing nor a read of the files. Plain values only: a listener depends on this header, not on
// the sink's library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/kafka_position.h"
#include "common/timestamp.h"

namespace ticklake {

//! One data file of a committed batch, as the sink wrote it.
struct CommittedFile {
    std::string key;    //!< object key; its Hive folders give table and partition values
    std::string format; //!< parquet | jsonl | csv
    std::string compression; //!< zstd for Parquet (every column chunk), none for text
    int64_t rows = 0; //!< dead letters: 0 (not counted by the sink)
    //! (name, DuckDB type as the writer declared it: BIGINT, DECIMAL(18,8), TIMESTAMP, ...), in
    //! file order. An empty type: the sink cannot state it exactly; the listener then has to look
    //! at the file.
    std::vector<std::pair<std::string, std::string>> columns;
    std::optional<TimestampUs> ts_min; //!< range of a `ts` column of timestamps or dates
    std::optional<TimestampUs> ts_max;
    //! No row of the file is before this Kafka offset (the first message that went into it);
    //! none for dead letters.
    Offset first_offset;
};

struct CommittedBatch {
    Topic topic;
    Partition partition;
    std::vector<CommittedFile> files; //!< data files, then the dead-letter file when there is one
    //! The batch's offsets: every row of its files is in this range.
    Offset first_offset;
    Offset last_offset;
};

//! @locality called on the sink's thread after each commit; a slow listener delays consuming.
class CommitListener {
public:
    virtual ~CommitListener() = default;
    //! The offsets are committed and the files final. Must not throw: a failure of the
    //! listener never undoes a commit (a later `ticklake crawl` catches up).
    virtual void on_commit(const CommittedBatch& batch) = 0;
};

} // namespace ticklake
