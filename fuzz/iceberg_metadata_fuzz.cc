// Iceberg files the sink reads back from a table another engine may also write: Avro container
// files (iceberg/avro_file, null and deflate codecs), manifests and manifest lists read from
// them (iceberg/manifest), the table metadata JSON (iceberg/table_metadata) and the Kafka
// offsets kept in a snapshot summary. First byte mod 4:
//   0: the rest is a manifest: the container, then the data files it lists
//   1: the rest is a manifest list
//   2: the rest is a metadata JSON; when it parses, it is written and read again, and the two
//      readings must agree on what the sink relies on (snapshots, current snapshot, schema)
//   3: the rest is the JSON of a Kafka offsets summary entry
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "iceberg/avro_file.h"
#include "iceberg/manifest.h"
#include "iceberg/table_metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ticklake::iceberg;
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] & 3) {
    case 0:
        (void)read_avro_file(rest);
        (void)read_manifest(rest);
        break;
    case 1:
        (void)read_manifest_list(rest);
        break;
    case 2: {
        auto first = TableMetadata::from_json(rest);
        if (!first) break;
        auto second = TableMetadata::from_json(first->to_json());
        // What ticklake writes it must read back: a failure here is a bug in to_json/from_json.
        if (!second || second->snapshots.size() != first->snapshots.size() ||
            second->current_snapshot_id != first->current_snapshot_id || second->fields.size() != first->fields.size() ||
            second->location != first->location) {
            std::abort();
        }
        break;
    }
    default:
        (void)offsets_from_json(rest);
        break;
    }
    return 0;
}
