// A table format that commits the sink's files itself (Iceberg): told of each batch after its
// files are durable and *before* the Kafka offsets are committed, so the table, not the group,
// is the ledger of what is in the lake. Plain values only, as commit_listener.h: an
// implementation (iceberg/) depends on these headers, not on the sink's library.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/kafka_position.h"
#include "sink/commit_listener.h"

namespace ticklake {

//! @locality called on the sink's thread (commits, and the group's rebalance callbacks).
class TableCommitter {
public:
    virtual ~TableCommitter() = default;
    //! Makes the batch's data files part of their tables, atomically per table, recording the
    //! batch's next offset with them. A failure fails the batch: its offsets are not committed
    //! and the next owner redoes it (its files are removed first, as for any uncommitted batch).
    virtual Status commit(const CommittedBatch& batch) = 0;
    //! For each table that records tp: the next offset of tp it holds (every row of tp before it
    //! is in the table, none after). On assignment the sink reads from the lowest when that is
    //! ahead of the group's committed offset, and skips, table by table, the rows a table holds
    //! already: a crash between the tables' commits and Kafka's (or between two tables' commits
    //! of one batch) then neither duplicates nor loses.
    virtual Result<std::map<std::string, Offset>> table_offsets(const TopicPartition& tp) = 0;
    //! The field id of each column of a file about to be written to `table`, given as
    //! CommittedFile::columns are (name, DuckDB type), in column order (Iceberg: by name and
    //! type; a new column, or a type change the table cannot take, gets a new id); empty: the
    //! writer numbers them. Called from the batch writer's threads.
    virtual Result<std::vector<int>> field_ids(const std::string& table,
                                               const std::vector<std::pair<std::string, std::string>>& columns) {
        (void)table;
        (void)columns;
        return std::vector<int>{};
    }
};

} // namespace ticklake
