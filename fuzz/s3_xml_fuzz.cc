// The S3 response parsers (storage/s3/s3_client): listings, multipart uploads, entities and
// Last-Modified dates, as any S3-compatible server (or a proxy's error page) may send them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage/s3/s3_client.h"

using namespace ticklake::s3;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view xml(reinterpret_cast<const char*>(data), size);
    (void)parse_list_objects_v2(xml);
    (void)parse_list_multipart_uploads(xml);
    (void)decode_xml_entities(xml);
    (void)xml_element(xml, "Key");
    (void)xml_element(xml, "Code");
    (void)parse_http_date(xml);
    return 0;
}
