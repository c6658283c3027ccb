#pragma once
// Where a warehouse (or any file argument) lives: a local folder or S3. One scheme test for the
// whole tree, so `S3://b/p`, `s3://b/p` and `file:///x` mean the same everywhere; the S3 URI's
// bucket and prefix are parsed by storage/s3 (parse_s3_uri), which owns S3's naming rules.
#include <string>
#include <string_view>

namespace ticklake {

// True for s3://... in any letter case (S3 URIs are case-insensitive in their scheme, and users
// type `S3://` when copying from consoles).
bool is_s3_uri(std::string_view uri);

class WarehouseUri {
public:
    enum class Scheme { local, s3 };

    // `file://` is dropped from local paths; everything else is kept as written.
    static WarehouseUri parse(std::string_view uri);

    Scheme scheme() const { return scheme_; }
    bool is_s3() const { return scheme_ == Scheme::s3; }
    bool is_local() const { return scheme_ == Scheme::local; }
    // The URI as given for S3; the filesystem path (without `file://`) for a local folder.
    const std::string& text() const { return text_; }

private:
    WarehouseUri(Scheme scheme, std::string text) : scheme_(scheme), text_(std::move(text)) {}
    Scheme scheme_;
    std::string text_;
};

}  // namespace ticklake
