// Streaming gzip decompression for JSON Lines and CSV files stored as .gz (what Athena and Glue
// read natively). The only file that includes zlib.h.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "common/error.h"

namespace ticklake {

class GzipInflater {
public:
    using Sink = std::function<void(std::string_view)>;

    GzipInflater();
    ~GzipInflater();
    GzipInflater(const GzipInflater&) = delete;
    GzipInflater& operator=(const GzipInflater&) = delete;

    //! Decompresses the next compressed bytes, passing what comes out to `out`. Concatenated
    //! gzip members (as `cat a.gz b.gz` makes) are one stream. Errors are poison: the file is
    //! not valid gzip.
    Status feed(std::string_view in, const Sink& out);
    //! After the last feed: an error when the stream stopped inside a member (a cut file).
    Status finish() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace ticklake
