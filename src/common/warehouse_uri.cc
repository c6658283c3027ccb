#include "common/warehouse_uri.h"

#include "common/text_type.h"

namespace ticklake {

bool is_s3_uri(std::string_view uri) {
    constexpr std::string_view kScheme = "s3://";
    return uri.size() >= kScheme.size() && iequals(uri.substr(0, kScheme.size()), kScheme);
}

WarehouseUri WarehouseUri::parse(std::string_view uri) {
    if (is_s3_uri(uri)) {
        return WarehouseUri(Scheme::s3, std::string(uri));
    }
    constexpr std::string_view kFile = "file://";
    if (uri.size() >= kFile.size() && iequals(uri.substr(0, kFile.size()), kFile)) {
        uri.remove_prefix(kFile.size());
    }
    return WarehouseUri(Scheme::local, std::string(uri));
}

}  // namespace ticklake
