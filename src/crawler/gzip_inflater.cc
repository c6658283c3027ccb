#include "crawler/gzip_inflater.h"

#include <zlib.h>

#include <string>

namespace ticklake {

struct GzipInflater::State {
    z_stream z{};
    bool ok = false;
    bool in_member = false; //!< inside a gzip member (not at its end)
};

GzipInflater::GzipInflater() : state_(std::make_unique<State>()) {
    // 16 + MAX_WBITS: gzip wrapper, not raw deflate or zlib.
    state_->ok = inflateInit2(&state_->z, 16 + MAX_WBITS) == Z_OK;
}

GzipInflater::~GzipInflater() {
    if (state_->ok) {
        inflateEnd(&state_->z);
    }
}

Status GzipInflater::feed(std::string_view in, const Sink& out) {
    if (!state_->ok) {
        return fail(Error::fatal("cannot start gzip decompression (zlib)"));
    }
    z_stream& z = state_->z;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    char buffer[64 * 1024];
    while (z.avail_in > 0) {
        z.next_out = reinterpret_cast<Bytef*>(buffer);
        z.avail_out = sizeof buffer;
        state_->in_member = true;
        const int rc = inflate(&z, Z_NO_FLUSH);
        const size_t produced = sizeof buffer - z.avail_out;
        if (produced > 0) {
            out(std::string_view(buffer, produced));
        }
        if (rc == Z_STREAM_END) {
            state_->in_member = false;
            inflateReset(&z); // another member may follow
            continue;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return fail(Error::poison(std::string("not valid gzip: ") + (z.msg != nullptr ? z.msg : "inflate failed")));
        }
        if (rc == Z_BUF_ERROR && produced == 0) {
            break; // needs more input
        }
    }
    return {};
}

Status GzipInflater::finish() const {
    if (state_->in_member) {
        return fail(Error::poison("gzip stream ends inside a member (the file is cut short)"));
    }
    return {};
}

} // namespace ticklake
