// The description of a file the sink writes, taken from the rows it holds before they go to the
// writer (the rows are freed once written): what CommitListener passes on after the commit.
#pragma once

#include <span>
#include <string>

#include "format/column_batch.h"
#include "sink/commit_listener.h"

namespace ticklake {

//! DuckDB's name of the type a writer gives the column (for nested values, the type their JSON
//! structure reads as); empty when that cannot be told.
std::string declared_type(const Column& column);

//! Describes the rows of `batch` as they will be written under `key` in `format`. For an open
//! table, call after OpenTableBuffer::finish() (the columns are settled then).
//! With `rows`, only those rows of the batch (one of several files cut from it).
CommittedFile describe_file(std::string key, std::string format, const ColumnBatch& batch,
                            std::span<const uint32_t> rows = {});

//! The file of a batch's dead letters (JSON Lines, one object per malformed message): its
//! columns vary with what went wrong, so they are left for the listener to read.
CommittedFile describe_dead_letters(std::string key);

} // namespace ticklake
