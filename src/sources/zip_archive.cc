#include "sources/zip_archive.h"

#include <stdexcept>
#include <streambuf>
#include <vector>

#include <zip.h>

namespace ticklake {

namespace {

std::string zip_error_text(int code) {
    zip_error_t e;
    zip_error_init_with_code(&e, code);
    std::string text = zip_error_strerror(&e);
    zip_error_fini(&e);
    return text;
}

//! Inflates one member on demand. Holds its archive so the archive outlives every member read.
class ZipMemberBuffer final : public std::streambuf {
public:
    ZipMemberBuffer(std::shared_ptr<ZipArchive> archive, zip_file_t* file, std::string what)
        : archive_(std::move(archive)), file_(file), what_(std::move(what)), buffer_(1 << 16) {}
    ~ZipMemberBuffer() override { zip_fclose(file_); }
    ZipMemberBuffer(const ZipMemberBuffer&) = delete;
    ZipMemberBuffer& operator=(const ZipMemberBuffer&) = delete;

protected:
    int_type underflow() override {
        if (gptr() < egptr()) {
            return traits_type::to_int_type(*gptr());
        }
        const zip_int64_t n = zip_fread(file_, buffer_.data(), buffer_.size());
        if (n < 0) {
            // std::istream turns an exception here into badbit, which readers report as an I/O error.
            throw std::runtime_error(what_ + ": " + zip_file_strerror(file_));
        }
        if (n == 0) {
            return traits_type::eof();
        }
        setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
        ++chunks_;
        return traits_type::to_int_type(*gptr());
    }

    // A deflated stream cannot seek; going back to the start while the first chunk is still in
    // the buffer is enough for readers that sniff a byte-order mark and rewind.
    pos_type seekpos(pos_type pos, std::ios_base::openmode which) override {
        if (pos != pos_type(0) || (which & std::ios_base::in) == 0 || chunks_ > 1) {
            return pos_type(off_type(-1));
        }
        if (chunks_ == 1) {
            setg(eback(), eback(), egptr());
        }
        return pos;
    }
    pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode which) override {
        if (dir == std::ios_base::beg) {
            return seekpos(pos_type(off), which);
        }
        return pos_type(off_type(-1));
    }

private:
    std::shared_ptr<ZipArchive> archive_;
    zip_file_t* file_;
    std::string what_;
    std::vector<char> buffer_;
    int chunks_ = 0; //!< chunks inflated so far
};

class ZipMemberStream final : public std::istream {
public:
    explicit ZipMemberStream(std::unique_ptr<ZipMemberBuffer> buffer) : std::istream(buffer.get()), buffer_(std::move(buffer)) {}

private:
    std::unique_ptr<ZipMemberBuffer> buffer_;
};

} // namespace

struct ZipArchive::Handle {
    zip_t* zip = nullptr;
    ~Handle() {
        if (zip != nullptr) {
            zip_discard(zip); // opened read-only: nothing to write back
        }
    }
};

ZipArchive::ZipArchive(std::string path) : path_(std::move(path)) {}

ZipArchive::~ZipArchive() = default;

Result<std::shared_ptr<ZipArchive>> ZipArchive::open(const std::string& path) {
    int code = 0;
    // ZIP_CHECKCONS: a truncated or damaged central directory is refused here, not half-read later.
    zip_t* raw = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (raw == nullptr) {
        const std::string why = code == ZIP_ER_NOENT ? "no such file"
                                : code == ZIP_ER_NOZIP || code == ZIP_ER_INCONS
                                    ? "not a zip archive, or a damaged one (" + zip_error_text(code) + ")"
                                    : zip_error_text(code);
        return fail(Error::invalid("cannot open zip file '" + path + "': " + why));
    }
    std::shared_ptr<ZipArchive> self(new ZipArchive(path));
    self->handle_ = std::make_unique<Handle>();
    self->handle_->zip = raw;
    const zip_int64_t count = zip_get_num_entries(raw, 0);
    for (zip_int64_t i = 0; i < count; ++i) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(raw, static_cast<zip_uint64_t>(i), 0, &st) != 0 || (st.valid & ZIP_STAT_NAME) == 0) {
            return fail(Error::invalid("damaged zip file '" + path + "': entry " + std::to_string(i) + ": " +
                                       zip_strerror(raw)));
        }
        std::string name = st.name;
        if (name.empty() || name.back() == '/') {
            continue; // a folder entry
        }
        self->members_.push_back({static_cast<uint64_t>(i), std::move(name), (st.valid & ZIP_STAT_SIZE) ? st.size : 0});
    }
    return self;
}

Result<std::unique_ptr<std::istream>> ZipArchive::open_member(const ZipMember& member) {
    zip_file_t* file = zip_fopen_index(handle_->zip, member.index, 0);
    const std::string what = path_ + " member '" + member.name + "'";
    if (file == nullptr) {
        return fail(Error::invalid("cannot read " + what + ": " + zip_strerror(handle_->zip)));
    }
    auto buffer = std::make_unique<ZipMemberBuffer>(shared_from_this(), file, what);
    return std::unique_ptr<std::istream>(std::make_unique<ZipMemberStream>(std::move(buffer)));
}

} // namespace ticklake
