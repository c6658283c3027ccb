#include "iceberg/manifest.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "iceberg/avro_file.h"

namespace ticklake::iceberg {

namespace {

// Iceberg's single-value binary form of an int (a date): 4 bytes little-endian.
std::string int_bytes(int32_t v) {
    std::string out(4, '\0');
    for (int i = 0; i < 4; ++i) {
        out[static_cast<size_t>(i)] = static_cast<char>((static_cast<uint32_t>(v) >> (8 * i)) & 0xff);
    }
    return out;
}

// map<int, binary> is an array of key/value records in Iceberg's Avro (keys are not strings).
std::string bounds_map(int id, int key_id, int value_id) {
    return R"({"name":")" + std::string(id == 125 ? "lower_bounds" : "upper_bounds") +
           R"(","type":["null",{"type":"array","logicalType":"map","items":{"type":"record","name":"k)" +
           std::to_string(key_id) + "_v" + std::to_string(value_id) +
           R"(","fields":[{"name":"key","type":"int","field-id":)" + std::to_string(key_id) +
           R"(},{"name":"value","type":"bytes","field-id":)" + std::to_string(value_id) +
           R"(}]}}],"default":null,"field-id":)" + std::to_string(id) + "}";
}

std::string partition_type(const TableMetadata& t) {
    std::string fields;
    if (t.day_source_id) {
        std::string source;
        for (const auto& f : t.fields) {
            if (f.id == *t.day_source_id) {
                source = f.name;
            }
        }
        fields = R"({"name":")" + source +
                 R"(_day","type":["null",{"type":"int","logicalType":"date"}],"default":null,"field-id":1000})";
    }
    return R"({"type":"record","name":"r102","fields":[)" + fields + "]}";
}

std::string manifest_entry_schema(const TableMetadata& t) {
    return R"({"type":"record","name":"manifest_entry","fields":[)"
           R"({"name":"status","type":"int","field-id":0},)"
           R"({"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1},)"
           R"({"name":"sequence_number","type":["null","long"],"default":null,"field-id":3},)"
           R"({"name":"file_sequence_number","type":["null","long"],"default":null,"field-id":4},)"
           R"({"name":"data_file","type":{"type":"record","name":"r2","fields":[)"
           R"({"name":"content","type":"int","field-id":134},)"
           R"({"name":"file_path","type":"string","field-id":100},)"
           R"({"name":"file_format","type":"string","field-id":101},)"
           R"({"name":"partition","type":)" +
           partition_type(t) +
           R"(,"field-id":102},)"
           R"({"name":"record_count","type":"long","field-id":103},)"
           R"({"name":"file_size_in_bytes","type":"long","field-id":104},)" +
           bounds_map(125, 126, 127) + "," + bounds_map(128, 129, 130) +
           R"(]},"field-id":2}]})";
}

const char* const kManifestListSchema =
    R"({"type":"record","name":"manifest_file","fields":[)"
    R"({"name":"manifest_path","type":"string","field-id":500},)"
    R"({"name":"manifest_length","type":"long","field-id":501},)"
    R"({"name":"partition_spec_id","type":"int","field-id":502},)"
    R"({"name":"content","type":"int","field-id":517},)"
    R"({"name":"sequence_number","type":"long","field-id":515},)"
    R"({"name":"min_sequence_number","type":"long","field-id":516},)"
    R"({"name":"added_snapshot_id","type":"long","field-id":503},)"
    R"({"name":"added_files_count","type":"int","field-id":504},)"
    R"({"name":"existing_files_count","type":"int","field-id":505},)"
    R"({"name":"deleted_files_count","type":"int","field-id":506},)"
    R"({"name":"added_rows_count","type":"long","field-id":512},)"
    R"({"name":"existing_rows_count","type":"long","field-id":513},)"
    R"({"name":"deleted_rows_count","type":"long","field-id":514},)"
    R"({"name":"partitions","type":["null",{"type":"array","items":{"type":"record","name":"r508","fields":[)"
    R"({"name":"contains_null","type":"boolean","field-id":509},)"
    R"({"name":"contains_nan","type":["null","boolean"],"default":null,"field-id":518},)"
    R"({"name":"lower_bound","type":["null","bytes"],"default":null,"field-id":510},)"
    R"({"name":"upper_bound","type":["null","bytes"],"default":null,"field-id":511}]},"element-id":508}],)"
    R"("default":null,"field-id":507}]})";

std::string schema_json(const TableMetadata& t) {
    std::string out = R"({"type":"struct","schema-id":)" + std::to_string(t.current_schema_id) + R"(,"fields":[)";
    for (size_t i = 0; i < t.fields.size(); ++i) {
        const auto& f = t.fields[i];
        out += (i ? "," : "") + std::string(R"({"id":)") + std::to_string(f.id) + R"(,"name":")" + f.name +
               R"(","required":)" + (f.required ? "true" : "false") + R"(,"type":")" + f.type + "\"}";
    }
    return out + "]}";
}

std::string spec_json(const TableMetadata& t) {
    if (!t.day_source_id) {
        return "[]";
    }
    const SchemaField* f = nullptr;
    for (const auto& c : t.fields) {
        if (c.id == *t.day_source_id) {
            f = &c;
        }
    }
    return R"([{"name":")" + (f ? f->name : std::string()) + R"(_day","transform":"day","source-id":)" +
           std::to_string(*t.day_source_id) + R"(,"field-id":1000}])";
}

void encode_bounds(AvroEncoder& e, const std::map<int, std::string>& bounds) {
    if (bounds.empty()) {
        e.null_();
        return;
    }
    e.branch(1).block(static_cast<int64_t>(bounds.size()));
    for (const auto& [id, value] : bounds) {
        e.int_(id).bytes(value);
    }
    e.end_blocks();
}

int64_t number(const AvroDatum& record, std::string_view name) {
    const AvroDatum* d = record.field(name);
    return d ? d->number : 0;
}

// map<int, binary>: Iceberg's array of {key, value} records; an Avro map (string keys) from a
// writer that chose one reads too.
void read_bounds(const AvroDatum* map, std::map<int, std::string>& out) {
    if (map == nullptr) {
        return;
    }
    for (size_t i = 0; i < map->items.size(); ++i) {
        const AvroDatum& item = map->items[i];
        if (i < map->keys.size()) {
            out[std::atoi(map->keys[i].c_str())] = item.text;
        } else if (const AvroDatum* k = item.field("key"), *v = item.field("value"); k && v) {
            out[static_cast<int>(k->number)] = v->text;
        }
    }
}

} // namespace

std::string write_manifest(const TableMetadata& table, int64_t snapshot_id, int64_t sequence_number,
                           const std::vector<DataFile>& files) {
    std::vector<std::string> records;
    for (const auto& f : files) {
        AvroEncoder e;
        e.int_(f.status);
        e.branch(1).long_(f.snapshot_id.value_or(snapshot_id));
        e.branch(1).long_(f.sequence_number.value_or(sequence_number));
        e.branch(1).long_(f.file_sequence_number.value_or(sequence_number));
        e.int_(0).string(f.path).string("PARQUET");
        if (table.day_source_id) {
            if (f.day) {
                e.branch(1).int_(*f.day);
            } else {
                e.null_();
            }
        }
        e.long_(f.record_count).long_(f.file_size);
        encode_bounds(e, f.lower_bounds);
        encode_bounds(e, f.upper_bounds);
        records.push_back(e.take());
    }
    const std::map<std::string, std::string> meta{
        {"schema", schema_json(table)},   {"schema-id", std::to_string(table.current_schema_id)},
        {"partition-spec", spec_json(table)},
        {"partition-spec-id", "0"},       {"format-version", "2"}, {"content", "data"}};
    return write_avro_file(manifest_entry_schema(table), meta, records);
}

Result<std::vector<DataFile>> read_manifest(std::string_view bytes, const ManifestFile* listed) {
    auto file = read_avro_file(bytes);
    if (!file) {
        return fail(file.error());
    }
    std::vector<DataFile> out;
    for (const auto& entry : file->records) {
        const int status = static_cast<int>(number(entry, "status"));
        if (status == 2) {
            continue; // DELETED
        }
        const AvroDatum* data = entry.field("data_file");
        if (data == nullptr || number(*data, "content") != 0) {
            continue; // delete files: ticklake writes none
        }
        DataFile f;
        f.status = status;
        // Null: inherited from the manifest list (spec "Sequence Number Inheritance").
        auto inherited = [&](const char* name, std::optional<int64_t> from_list) -> std::optional<int64_t> {
            const AvroDatum* d = entry.field(name);
            return d != nullptr ? std::optional<int64_t>(d->number) : from_list;
        };
        f.snapshot_id = inherited("snapshot_id", listed ? std::optional<int64_t>(listed->added_snapshot_id) : std::nullopt);
        f.sequence_number = inherited("sequence_number", listed ? std::optional<int64_t>(listed->sequence_number) : std::nullopt);
        f.file_sequence_number =
            inherited("file_sequence_number", listed ? std::optional<int64_t>(listed->sequence_number) : std::nullopt);
        if (const AvroDatum* p = data->field("file_path")) {
            f.path = p->text;
        }
        if (const AvroDatum* p = data->field("file_format")) {
            f.format = p->text;
        }
        f.record_count = number(*data, "record_count");
        f.file_size = number(*data, "file_size_in_bytes");
        read_bounds(data->field("lower_bounds"), f.lower_bounds);
        read_bounds(data->field("upper_bounds"), f.upper_bounds);
        if (const AvroDatum* part = data->field("partition"); part && !part->items.empty() && !part->items[0].is_null()) {
            f.day = static_cast<int32_t>(part->items[0].number);
        }
        out.push_back(std::move(f));
    }
    return out;
}

ManifestFile describe_manifest(std::string path, int64_t length, int64_t snapshot_id, int64_t sequence_number,
                               const std::vector<DataFile>& files, bool partitioned) {
    ManifestFile m;
    m.path = std::move(path);
    m.length = length;
    m.sequence_number = sequence_number;
    m.min_sequence_number = sequence_number;
    m.added_snapshot_id = snapshot_id;
    for (const auto& f : files) {
        const int64_t rows = f.record_count;
        switch (f.status) {
        case 0: ++m.existing_files; m.existing_rows += rows; break;
        case 2: ++m.deleted_files; m.deleted_rows += rows; break;
        default: ++m.added_files; m.added_rows += rows; break;
        }
        m.min_sequence_number = std::min(m.min_sequence_number, f.sequence_number.value_or(sequence_number));
    }
    if (partitioned) {
        PartitionSummary s;
        std::optional<int32_t> lo, hi;
        for (const auto& f : files) {
            if (!f.day) {
                s.contains_null = true;
                continue;
            }
            lo = lo ? std::min(*lo, *f.day) : *f.day;
            hi = hi ? std::max(*hi, *f.day) : *f.day;
        }
        if (lo) {
            s.lower_bound = int_bytes(*lo);
            s.upper_bound = int_bytes(*hi);
        }
        m.partitions = std::vector<PartitionSummary>{s};
    }
    return m;
}

std::string write_manifest_list(const std::vector<ManifestFile>& manifests, int64_t snapshot_id,
                                std::optional<int64_t> parent_id, int64_t sequence_number) {
    std::vector<std::string> records;
    for (const auto& m : manifests) {
        AvroEncoder e;
        e.string(m.path).long_(m.length).int_(m.partition_spec_id).int_(m.content);
        e.long_(m.sequence_number).long_(m.min_sequence_number).long_(m.added_snapshot_id);
        e.int_(m.added_files).int_(m.existing_files).int_(m.deleted_files);
        e.long_(m.added_rows).long_(m.existing_rows).long_(m.deleted_rows);
        if (!m.partitions) {
            e.null_();
        } else {
            e.branch(1).block(static_cast<int64_t>(m.partitions->size()));
            for (const auto& s : *m.partitions) {
                e.bool_(s.contains_null);
                s.contains_nan ? e.branch(1).bool_(*s.contains_nan) : e.null_();
                s.lower_bound ? e.branch(1).bytes(*s.lower_bound) : e.null_();
                s.upper_bound ? e.branch(1).bytes(*s.upper_bound) : e.null_();
            }
            e.end_blocks();
        }
        records.push_back(e.take());
    }
    std::map<std::string, std::string> meta{{"snapshot-id", std::to_string(snapshot_id)},
                                            {"sequence-number", std::to_string(sequence_number)},
                                            {"format-version", "2"}};
    meta["parent-snapshot-id"] = parent_id ? std::to_string(*parent_id) : "null";
    return write_avro_file(kManifestListSchema, meta, records);
}

Result<std::vector<ManifestFile>> read_manifest_list(std::string_view bytes) {
    auto file = read_avro_file(bytes);
    if (!file) {
        return fail(file.error());
    }
    std::vector<ManifestFile> out;
    for (const auto& r : file->records) {
        ManifestFile m;
        if (const AvroDatum* p = r.field("manifest_path")) {
            m.path = p->text;
        }
        m.length = number(r, "manifest_length");
        m.partition_spec_id = static_cast<int32_t>(number(r, "partition_spec_id"));
        m.content = static_cast<int32_t>(number(r, "content"));
        m.sequence_number = number(r, "sequence_number");
        m.min_sequence_number = number(r, "min_sequence_number");
        m.added_snapshot_id = number(r, "added_snapshot_id");
        // v1 names (added_data_files_count) and v2 names both read.
        m.added_files = static_cast<int32_t>(number(r, "added_files_count") + number(r, "added_data_files_count"));
        m.existing_files =
            static_cast<int32_t>(number(r, "existing_files_count") + number(r, "existing_data_files_count"));
        m.deleted_files = static_cast<int32_t>(number(r, "deleted_files_count") + number(r, "deleted_data_files_count"));
        m.added_rows = number(r, "added_rows_count");
        m.existing_rows = number(r, "existing_rows_count");
        m.deleted_rows = number(r, "deleted_rows_count");
        if (const AvroDatum* parts = r.field("partitions")) {
            std::vector<PartitionSummary> summaries;
            for (const auto& s : parts->items) {
                PartitionSummary ps;
                ps.contains_null = number(s, "contains_null") != 0;
                if (const AvroDatum* d = s.field("contains_nan")) {
                    ps.contains_nan = d->number != 0;
                }
                if (const AvroDatum* d = s.field("lower_bound")) {
                    ps.lower_bound = d->text;
                }
                if (const AvroDatum* d = s.field("upper_bound")) {
                    ps.upper_bound = d->text;
                }
                summaries.push_back(std::move(ps));
            }
            m.partitions = std::move(summaries);
        }
        out.push_back(std::move(m));
    }
    return out;
}

} // namespace ticklake::iceberg
