#include "decode/protobuf_row_decoder.h"
#include "common/varint.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <google/protobuf/compiler/parser.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include "common/binary_text.h"
#include "common/event_json.h"
#include "common/timestamp.h"

namespace ticklake {

namespace pb = google::protobuf;

namespace {

using Kind = ValueType::Kind;

constexpr char kTimestamp[] = "google.protobuf.Timestamp";
constexpr size_t kMaxReferenceDepth = 32; // imports of imports: a cycle is refused, never followed

// The wrappers of google/protobuf/wrappers.proto: a nullable scalar (their field 1, `value`).
bool is_wrapper(const pb::Descriptor* d) {
    static constexpr std::string_view kWrappers[] = {
        "google.protobuf.DoubleValue", "google.protobuf.FloatValue",  "google.protobuf.Int64Value",
        "google.protobuf.UInt64Value", "google.protobuf.Int32Value",  "google.protobuf.UInt32Value",
        "google.protobuf.BoolValue",   "google.protobuf.StringValue", "google.protobuf.BytesValue"};
    return std::find(std::begin(kWrappers), std::end(kWrappers), d->full_name()) != std::end(kWrappers);
}

bool is_timestamp(const pb::Descriptor* d) { return d->full_name() == kTimestamp; }

// The .proto text and the pool's own messages report errors through these; the first one is
// the reason a message of the schema goes to dead letters.
class ParseErrors final : public pb::io::ErrorCollector {
public:
    void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
        if (first.empty()) {
            first = fmt::format("line {} column {}: {}", line + 1, column + 1, message);
        }
    }
    std::string first;
};

class BuildErrors final : public pb::DescriptorPool::ErrorCollector {
public:
    void AddError(const std::string& filename, const std::string& element_name, const pb::Message*, ErrorLocation,
                  const std::string& message) override {
        if (first.empty()) {
            first = fmt::format("{}: {}: {}", filename, element_name, message);
        }
    }
    std::string first;
};

ValueType field_type(const pb::FieldDescriptor* f, std::vector<const pb::Descriptor*>& stack);

// A message as a column: Timestamp is TIMESTAMP, a wrapper its scalar, a message that contains
// itself (directly or not) VARCHAR (protobuf's JSON of it: no fixed type can hold it), any
// other a STRUCT of its fields.
ValueType message_type(const pb::Descriptor* d, std::vector<const pb::Descriptor*>& stack) {
    if (is_timestamp(d)) {
        return ValueType(Kind::timestamp);
    }
    if (is_wrapper(d)) {
        return field_type(d->field(0), stack);
    }
    if (std::find(stack.begin(), stack.end(), d) != stack.end()) {
        return ValueType(Kind::varchar);
    }
    stack.push_back(d);
    ValueType t(Kind::structure);
    for (int i = 0; i < d->field_count(); ++i) {
        t.fields.emplace_back(d->field(i)->name(), field_type(d->field(i), stack));
    }
    stack.pop_back();
    return t;
}

// The type of one value of f (an element, when f is repeated).
ValueType element_type(const pb::FieldDescriptor* f, std::vector<const pb::Descriptor*>& stack) {
    switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32:
    case pb::FieldDescriptor::CPPTYPE_INT64:
    case pb::FieldDescriptor::CPPTYPE_UINT32: return ValueType(Kind::bigint);
    case pb::FieldDescriptor::CPPTYPE_UINT64: return ValueType::decimal_of(20, 0); // above BIGINT's range
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
    case pb::FieldDescriptor::CPPTYPE_DOUBLE: return ValueType(Kind::float64);
    case pb::FieldDescriptor::CPPTYPE_BOOL: return ValueType(Kind::boolean);
    case pb::FieldDescriptor::CPPTYPE_ENUM: return ValueType(Kind::varchar);
    case pb::FieldDescriptor::CPPTYPE_STRING:
        return ValueType(f->type() == pb::FieldDescriptor::TYPE_BYTES ? Kind::blob : Kind::varchar);
    case pb::FieldDescriptor::CPPTYPE_MESSAGE: return message_type(f->message_type(), stack);
    }
    return ValueType(Kind::varchar);
}

// Repeated fields are LIST; a map<K, V> is a repeated entry message {key, value}, so it is a LIST
// of STRUCT(key, value), the layout Avro maps have here too.
ValueType field_type(const pb::FieldDescriptor* f, std::vector<const pb::Descriptor*>& stack) {
    ValueType e = element_type(f, stack);
    return f->is_repeated() ? ValueType::list_of(std::move(e)) : e;
}

void append_message_json(const pb::Message& m, const ValueType& t, std::string& out);

// One value of f (index < 0: the singular field) as JSON text, as the nested column type t reads
// it: enums by name, bytes as base64, 64-bit unsigned as exact numbers, non-finite floats null.
void append_value_json(const pb::Message& m, const pb::FieldDescriptor* f, int index, const ValueType& t,
                       std::string& out) {
    const pb::Reflection* r = m.GetReflection();
    const bool rep = index >= 0;
    switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32:
        append_json_int(out, rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
        return;
    case pb::FieldDescriptor::CPPTYPE_INT64:
        append_json_int(out, rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
        return;
    case pb::FieldDescriptor::CPPTYPE_UINT32:
        append_json_int(out, rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
        return;
    case pb::FieldDescriptor::CPPTYPE_UINT64:
        out += fmt::format("{}", rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f));
        return;
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
    case pb::FieldDescriptor::CPPTYPE_DOUBLE: {
        const double d = f->cpp_type() == pb::FieldDescriptor::CPPTYPE_FLOAT
                             ? (rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f))
                             : (rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
        if (std::isfinite(d)) {
            append_json_double(out, d);
        } else {
            out += "null";
        }
        return;
    }
    case pb::FieldDescriptor::CPPTYPE_BOOL:
        out += (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false";
        return;
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
        const int n = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
        const pb::EnumValueDescriptor* v = f->enum_type()->FindValueByNumber(n);
        append_json_string(out, v != nullptr ? v->name() : std::to_string(n)); // an open enum's unknown number
        return;
    }
    case pb::FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        const std::string& s = rep ? r->GetRepeatedStringReference(m, f, index, &scratch) : r->GetStringReference(m, f, &scratch);
        if (f->type() == pb::FieldDescriptor::TYPE_BYTES) {
            std::string b64;
            append_base64(b64, s);
            append_json_string(out, b64);
        } else {
            append_json_string(out, s);
        }
        return;
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        append_message_json(rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f), t, out);
        return;
    }
}

void append_field_json(const pb::Message& m, const pb::FieldDescriptor* f, const ValueType& t, std::string& out) {
    const pb::Reflection* r = m.GetReflection();
    if (f->is_repeated()) {
        out.push_back('[');
        const int n = r->FieldSize(m, f);
        for (int i = 0; i < n; ++i) {
            if (i > 0) {
                out.push_back(',');
            }
            append_value_json(m, f, i, t.element[0], out);
        }
        out.push_back(']');
    } else if (f->has_presence() && !r->HasField(m, f)) {
        out += "null";
    } else {
        append_value_json(m, f, -1, t, out);
    }
}

// Set when a Timestamp of the value being decoded lies outside what the type allows; decode()
// reads and clears it once the row is built, so the cell and JSON helpers, deep in reflection
// walks, need no error path of their own.
thread_local bool t_timestamp_out_of_range = false;

// google.protobuf.Timestamp's range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z,
// nanos 0..999,999,999. Outside it (the seconds would overflow microseconds) the value is 0 and
// the row is poison.
constexpr int64_t kMinTimestampSeconds = -62'135'596'800;
constexpr int64_t kMaxTimestampSeconds = 253'402'300'799;

int64_t timestamp_micros(const pb::Message& ts) {
    const pb::Descriptor* d = ts.GetDescriptor();
    const pb::Reflection* r = ts.GetReflection();
    const int64_t seconds = r->GetInt64(ts, d->field(0));
    const int32_t nanos = r->GetInt32(ts, d->field(1));
    if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds || nanos < 0 || nanos > 999'999'999) {
        t_timestamp_out_of_range = true;
        return 0;
    }
    return seconds * kMicrosPerSecond + nanos / 1000;
}

void append_message_json(const pb::Message& m, const ValueType& t, std::string& out) {
    const pb::Descriptor* d = m.GetDescriptor();
    if (is_timestamp(d)) {
        out.push_back('"');
        append_iso8601(out, timestamp_micros(m));
        out.push_back('"');
        return;
    }
    if (is_wrapper(d)) {
        append_value_json(m, d->field(0), -1, t, out);
        return;
    }
    if (t.kind == Kind::varchar) { // a recursive message: protobuf's own JSON, as a string
        std::string json;
        (void)pb::util::MessageToJsonString(m, &json);
        append_json_string(out, json);
        return;
    }
    out.push_back('{');
    for (int i = 0; i < d->field_count(); ++i) {
        if (i > 0) {
            out.push_back(',');
        }
        append_json_string(out, d->field(i)->name());
        out.push_back(':');
        append_field_json(m, d->field(i), t.fields[static_cast<size_t>(i)].second, out);
    }
    out.push_back('}');
}

void string_cell(CellValue& c, std::string_view text) {
    c.kind = CellValue::Kind::string;
    c.text = text;
    c.time_kind = CellValue::kNotATime; // typed by the schema, never read as a time
}

// A singular scalar field into its cell. Views of strings point into the message, which lives
// until the next decode.
void read_scalar_cell(const pb::Message& m, const pb::FieldDescriptor* f, CellValue& c, RowCells& row) {
    const pb::Reflection* r = m.GetReflection();
    switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32: c.kind = CellValue::Kind::integer; c.i = r->GetInt32(m, f); return;
    case pb::FieldDescriptor::CPPTYPE_INT64: c.kind = CellValue::Kind::integer; c.i = r->GetInt64(m, f); return;
    case pb::FieldDescriptor::CPPTYPE_UINT32: c.kind = CellValue::Kind::integer; c.i = r->GetUInt32(m, f); return;
    case pb::FieldDescriptor::CPPTYPE_UINT64: {
        std::string& text = row.new_string();
        text = fmt::format("{}", r->GetUInt64(m, f));
        string_cell(c, text);
        return;
    }
    case pb::FieldDescriptor::CPPTYPE_FLOAT: c.kind = CellValue::Kind::real; c.d = r->GetFloat(m, f); return;
    case pb::FieldDescriptor::CPPTYPE_DOUBLE: c.kind = CellValue::Kind::real; c.d = r->GetDouble(m, f); return;
    case pb::FieldDescriptor::CPPTYPE_BOOL: c.kind = CellValue::Kind::boolean; c.b = r->GetBool(m, f); return;
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
        const int n = r->GetEnumValue(m, f);
        if (const pb::EnumValueDescriptor* v = f->enum_type()->FindValueByNumber(n)) {
            string_cell(c, v->name());
        } else {
            std::string& text = row.new_string();
            text = std::to_string(n);
            string_cell(c, text);
        }
        return;
    }
    case pb::FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch; // unused: a dynamic message keeps its strings as std::string
        const std::string& s = r->GetStringReference(m, f, &scratch);
        if (&s == &scratch) {
            std::string& kept = row.new_string();
            kept = s;
            c.text = kept;
        } else {
            c.text = s;
        }
        if (f->type() == pb::FieldDescriptor::TYPE_BYTES) {
            c.kind = CellValue::Kind::bytes;
        } else {
            string_cell(c, c.text);
        }
        return;
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE: return; // read_cell's
    }
}

void json_cell(CellValue& c, const ValueType& type, RowCells& row, const std::function<void(std::string&)>& write) {
    std::string& text = row.new_string();
    write(text);
    c.kind = CellValue::Kind::json;
    c.text = text;
    c.nested = &type;
}

// One top-level field into its cell; type: its column type (nested cells point to it).
void read_cell(const pb::Message& m, const pb::FieldDescriptor* f, const ValueType& type, CellValue& c, RowCells& row) {
    const pb::Reflection* r = m.GetReflection();
    if (f->is_repeated()) {
        json_cell(c, type, row, [&](std::string& out) { append_field_json(m, f, type, out); });
        return;
    }
    if (f->has_presence() && !r->HasField(m, f)) {
        c.kind = CellValue::Kind::null;
        return;
    }
    if (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
        read_scalar_cell(m, f, c, row);
        return;
    }
    const pb::Message& sub = r->GetMessage(m, f);
    const pb::Descriptor* d = sub.GetDescriptor();
    if (is_timestamp(d)) {
        c.kind = CellValue::Kind::timestamp;
        c.i = timestamp_micros(sub);
    } else if (is_wrapper(d)) {
        read_scalar_cell(sub, d->field(0), c, row);
    } else if (type.kind == Kind::varchar) {
        std::string& text = row.new_string();
        (void)pb::util::MessageToJsonString(sub, &text);
        string_cell(c, text);
    } else {
        json_cell(c, type, row, [&](std::string& out) { append_message_json(sub, type, out); });
    }
}

// The message index path after the frame: Confluent's zig-zag varints.
struct IndexReader {
    const unsigned char* p;
    const unsigned char* end;
    bool read(int64_t& v) { return varint::read_zigzag(p, end, v); }
};

} // namespace

struct ProtobufRowDecoder::Impl {
    struct Plan {
        const pb::Descriptor* message = nullptr;
        std::unique_ptr<pb::Message> instance; //!< reused: parsed into (which clears it) for every value
        std::vector<std::pair<std::string, ValueType>> columns;
    };
    struct Known {
        std::shared_ptr<const RegisteredSchema> schema;
        // Declared in this order so the messages go before their factory, and it before its pool.
        std::unique_ptr<pb::DescriptorPool> pool;
        std::unique_ptr<pb::DynamicMessageFactory> factory;
        const pb::FileDescriptor* file = nullptr;
        std::map<std::vector<int64_t>, std::unique_ptr<Plan>> plans;
    };

    SchemaSource* schemas;
    std::unordered_map<int32_t, std::unique_ptr<Known>> known;
    const Known* last_known = nullptr;
    const Plan* last_plan = nullptr;
    std::vector<int64_t> path; //!< reused

    Status build_file(pb::DescriptorPool& pool, const std::string& name, const RegisteredSchema& s, size_t depth);
    Result<Known*> known_of(int32_t id);
    Result<Plan*> plan_of(Known& k, const std::vector<int64_t>& path);
};

Status ProtobufRowDecoder::Impl::build_file(pb::DescriptorPool& pool, const std::string& name, const RegisteredSchema& s,
                                            size_t depth) {
    if (depth > kMaxReferenceDepth) {
        return fail(Error::poison(fmt::format("{}: references nest deeper than {} (a cycle?)", name, kMaxReferenceDepth)));
    }
    // Referenced files first, as imports must be in the pool before the file that imports them.
    for (const SchemaReference& ref : s.references) {
        if (pool.FindFileByName(ref.name) != nullptr || pb::DescriptorPool::generated_pool()->FindFileByName(ref.name)) {
            continue; // built already, or a well-known type (added below from protobuf's own copy)
        }
        auto referenced = schemas->schema_by_reference(ref);
        if (!referenced) {
            return fail(referenced.error());
        }
        if (auto st = build_file(pool, ref.name, **referenced, depth + 1); !st) {
            return st;
        }
    }
    pb::io::ArrayInputStream in(s.text.data(), static_cast<int>(s.text.size()));
    ParseErrors parse_errors;
    pb::io::Tokenizer tokens(&in, &parse_errors);
    pb::compiler::Parser parser;
    parser.RecordErrorsTo(&parse_errors);
    pb::FileDescriptorProto proto;
    if (!parser.Parse(&tokens, &proto)) {
        return fail(Error::poison(fmt::format("the .proto text of {} does not parse: {}", name, parse_errors.first)));
    }
    proto.set_name(name);
    for (const std::string& dep : proto.dependency()) {
        if (pool.FindFileByName(dep) != nullptr) {
            continue;
        }
        const pb::FileDescriptor* known = pb::DescriptorPool::generated_pool()->FindFileByName(dep);
        if (known == nullptr) {
            return fail(Error::poison(fmt::format("{} imports {}, which its registry references do not name", name, dep)));
        }
        pb::FileDescriptorProto wkt;
        known->CopyTo(&wkt);
        if (pool.BuildFile(wkt) == nullptr) {
            return fail(Error::poison(fmt::format("{}: protobuf's own {} does not build", name, dep)));
        }
    }
    BuildErrors build_errors;
    if (pool.BuildFileCollectingErrors(proto, &build_errors) == nullptr) {
        return fail(Error::poison(fmt::format("the .proto text of {} does not build: {}", name, build_errors.first)));
    }
    return {};
}

Result<ProtobufRowDecoder::Impl::Known*> ProtobufRowDecoder::Impl::known_of(int32_t id) {
    if (auto it = known.find(id); it != known.end()) {
        return it->second.get();
    }
    auto s = schemas->schema_by_id(id);
    if (!s) {
        return fail(s.error());
    }
    if ((*s)->type != SchemaType::protobuf) {
        return fail(Error::poison(fmt::format("schema id {} is of type {}, not Protobuf", id, to_string((*s)->type))));
    }
    auto k = std::make_unique<Known>();
    k->schema = *s;
    k->pool = std::make_unique<pb::DescriptorPool>();
    const std::string name = fmt::format("schema-{}.proto", id); // the registry names only references
    if (auto st = build_file(*k->pool, name, **s, 0); !st) {
        // Kept as a poison answer only: a later run may see a registry that answers differently.
        return fail(Error::poison(fmt::format("schema id {}: {}", id, st.error().message)));
    }
    k->file = k->pool->FindFileByName(name);
    k->factory = std::make_unique<pb::DynamicMessageFactory>(k->pool.get());
    return known.emplace(id, std::move(k)).first->second.get();
}

Result<ProtobufRowDecoder::Impl::Plan*> ProtobufRowDecoder::Impl::plan_of(Known& k, const std::vector<int64_t>& p) {
    if (auto it = k.plans.find(p); it != k.plans.end()) {
        return it->second.get();
    }
    const pb::Descriptor* d = nullptr;
    for (size_t i = 0; i < p.size(); ++i) {
        const int64_t n = p[i];
        const int64_t count = i == 0 ? k.file->message_type_count() : d->nested_type_count();
        if (n < 0 || n >= count) {
            return fail(Error::poison(fmt::format("message index {} of schema id {} names no message (there are {})",
                                                  n, k.schema->id, count)));
        }
        d = i == 0 ? k.file->message_type(static_cast<int>(n)) : d->nested_type(static_cast<int>(n));
    }
    auto plan = std::make_unique<Plan>();
    plan->message = d;
    plan->instance.reset(k.factory->GetPrototype(d)->New());
    std::vector<const pb::Descriptor*> stack{d};
    for (int i = 0; i < d->field_count(); ++i) {
        plan->columns.emplace_back(d->field(i)->name(), field_type(d->field(i), stack));
    }
    return k.plans.emplace(p, std::move(plan)).first->second.get();
}

ProtobufRowDecoder::ProtobufRowDecoder(SchemaSource& schemas) : impl_(std::make_unique<Impl>()) {
    impl_->schemas = &schemas;
    // libprotobuf prints to stderr when a value does not parse ("String field ... contains
    // invalid UTF-8") and when a .proto text has no syntax line. Each case here is already a
    // poison row with its reason, or a schema error collected by the parser: the prints would
    // repeat them once per bad message. Set once, before any decoder runs (not thread-safe).
    static const bool quiet = [] {
        pb::SetLogHandler(nullptr);
        return true;
    }();
    (void)quiet;
}

ProtobufRowDecoder::~ProtobufRowDecoder() = default;

const RegisteredSchema* ProtobufRowDecoder::last_schema() const {
    return impl_->last_known != nullptr ? impl_->last_known->schema.get() : nullptr;
}

const std::vector<std::pair<std::string, ValueType>>& ProtobufRowDecoder::last_columns() const {
    static const std::vector<std::pair<std::string, ValueType>> kNone;
    return impl_->last_plan != nullptr ? impl_->last_plan->columns : kNone;
}

Status ProtobufRowDecoder::decode(std::string_view value, RowCells& row) {
    row.clear();
    auto frame = read_wire_frame(value);
    if (!frame) {
        return fail(frame.error());
    }
    auto k = impl_->known_of(frame->schema_id);
    if (!k) {
        return fail(k.error());
    }
    IndexReader r{reinterpret_cast<const unsigned char*>(frame->payload.data()),
                  reinterpret_cast<const unsigned char*>(frame->payload.data() + frame->payload.size())};
    int64_t count = 0;
    if (!r.read(count) || count < 0 || count > r.end - r.p) {
        return fail(Error::poison("the Protobuf payload does not decode: its message index list is cut or invalid"));
    }
    std::vector<int64_t>& path = impl_->path;
    path.assign(1, 0); // a count of 0 is the shorthand for [0]
    if (count > 0) {
        path.resize(static_cast<size_t>(count));
        for (auto& n : path) {
            if (!r.read(n)) {
                return fail(Error::poison("the Protobuf payload does not decode: its message index list is cut"));
            }
        }
    }
    auto plan = impl_->plan_of(**k, path);
    if (!plan) {
        return fail(plan.error());
    }
    impl_->last_known = *k;
    impl_->last_plan = *plan;
    pb::Message& m = *(*plan)->instance;
    // Parsing clears the message first. Partial: proto2's `required` is not checked (proto3, what
    // registries mostly hold, has none), which saves a reflection walk of every field per value.
    if (!m.ParsePartialFromArray(r.p, static_cast<int>(r.end - r.p))) {
        return fail(Error::poison(fmt::format("the Protobuf payload does not decode as {} of schema id {}",
                                              (*plan)->message->full_name(), frame->schema_id)));
    }
    const pb::Descriptor* d = (*plan)->message;
    t_timestamp_out_of_range = false;
    for (int i = 0; i < d->field_count(); ++i) {
        const pb::FieldDescriptor* f = d->field(i);
        read_cell(m, f, (*plan)->columns[static_cast<size_t>(i)].second, row.add(f->name()), row);
    }
    if (std::exchange(t_timestamp_out_of_range, false)) {
        return fail(Error::poison(fmt::format("a google.protobuf.Timestamp in the {} of schema id {} lies outside "
                                              "0001-01-01..9999-12-31 or has nanos outside 0..999999999",
                                              (*plan)->message->full_name(), frame->schema_id)));
    }
    return {};
}

} // namespace ticklake
