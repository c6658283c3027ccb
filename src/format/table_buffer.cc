#include "format/table_buffer.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/event_fields.h"
#include "common/event_json.h"
#include "common/table_name.h"
#include "common/text_type.h"

namespace ticklake {

namespace {

// Column positions of the fixed schemas (docs/storage.md).
enum CommonCol : size_t { kId, kSymbol, kTs, kRecvTs, kSource };

// Rough per-value memory: the value slot plus its validity byte; strings add their bytes.
constexpr size_t kSlotBytes = 9;
constexpr size_t kStringBytes = kSlotBytes; // plus the bytes of the value (StringColumn)

size_t push_string(Column& c, std::string_view v) {
    c.strings.push_back(v);
    c.valid.push_back(1);
    return kStringBytes + v.size();
}

size_t push_double(Column& c, double v) {
    c.doubles.push_back(v);
    c.valid.push_back(1);
    return kSlotBytes;
}

size_t push_int(Column& c, int64_t v) {
    c.ints.push_back(v);
    c.valid.push_back(1);
    return kSlotBytes;
}

size_t push_null(Column& c) {
    switch (c.type) {
    case ColumnType::float64: c.doubles.push_back(0); break;
    case ColumnType::varchar: c.strings.push_empty(); break;
    default: c.ints.push_back(0); break;
    }
    c.valid.push_back(0);
    return c.type == ColumnType::varchar ? kStringBytes : kSlotBytes;
}

void pop_value(Column& c) {
    switch (c.type) {
    case ColumnType::float64: c.doubles.pop_back(); break;
    case ColumnType::varchar: c.strings.pop_back(); break;
    default: c.ints.pop_back(); break;
    }
    c.valid.pop_back();
}

size_t push_optional(Column& c, const std::optional<double>& v) {
    return v ? push_double(c, *v) : push_null(c);
}

size_t push_optional_int(Column& c, const std::optional<int64_t>& v) { return v ? push_int(c, *v) : push_null(c); }

ColumnType column_type(FieldKind kind) {
    switch (kind) {
    case FieldKind::number:
    case FieldKind::optional_number: return ColumnType::float64;
    case FieldKind::optional_integer: return ColumnType::bigint;
    case FieldKind::text:
    case FieldKind::nullable_text: break;
    }
    return ColumnType::varchar;
}

// One value per body field, in the columns after the common ones (the table's schema comes
// from the same field table, so the positions agree).
template <class Body>
size_t push_body(std::vector<Column>& cols, const Body& body) {
    size_t bytes = 0;
    size_t i = kCommonColumnCount;
    for_each_body_field<Body>([&](auto c) {
        constexpr const auto& f = decltype(c)::field;
        Column& col = cols[i++];
        if constexpr (f.kind == FieldKind::number) {
            bytes += push_double(col, body.*f.number);
        } else if constexpr (f.kind == FieldKind::optional_number) {
            bytes += push_optional(col, body.*f.optional_number);
        } else if constexpr (f.kind == FieldKind::optional_integer) {
            bytes += push_optional_int(col, body.*f.optional_integer);
        } else {
            bytes += push_string(col, body.*f.text);
        }
    });
    return bytes;
}

// Widening order of record columns: boolean < bigint < float64 < varchar.
int rank(ColumnType t) {
    switch (t) {
    case ColumnType::boolean: return 0;
    case ColumnType::bigint: return 1;
    case ColumnType::float64: return 2;
    default: return 3;
    }
}

ColumnType natural_type(const FieldValue& v) {
    switch (v.index()) {
    case 1: return ColumnType::boolean;
    case 2: return ColumnType::bigint;
    case 3: return ColumnType::float64;
    default: return ColumnType::varchar;
    }
}

void append_double_text(std::string& out, double v) {
    if (std::isfinite(v)) {
        append_json_double(out, v);
        return;
    }
    char buf[8];
    auto r = std::to_chars(buf, buf + sizeof buf, v); // "nan", "inf", "-inf": no JSON text exists
    out.append(buf, r.ptr);
}

// The JSON text of a scalar, which is what a value becomes in a varchar column.
std::string json_text(const FieldValue& v) {
    std::string out;
    switch (v.index()) {
    case 1: out = std::get<bool>(v) ? "true" : "false"; break;
    case 2: append_json_int(out, std::get<int64_t>(v)); break;
    case 3: append_double_text(out, std::get<double>(v)); break;
    case 4: out = std::get<std::string>(v); break;
    default: break;
    }
    return out;
}

} // namespace

std::string table_name_for(const Event& e) {
    switch (e.type) {
    case EventType::trade: return "trades";
    case EventType::quote: return "quotes";
    case EventType::bar: return "bars";
    case EventType::record: break;
    }
    const auto* r = std::get_if<Record>(&e.body);
    return table_name(r != nullptr ? std::string_view(r->dataset) : std::string_view(), "records");
}


TableBuffer::TableBuffer(EventType type, bool json_rows) : type_(type) {
    batch_.json_rows_only = json_rows && type != EventType::record;
    reset_schema();
}

void TableBuffer::add_column(std::string name, ColumnType type) {
    Column c;
    c.name = std::move(name);
    c.type = type;
    batch_.columns.push_back(std::move(c));
}

void TableBuffer::reset_schema() {
    batch_.columns.clear();
    add_column("id", ColumnType::varchar);
    add_column("symbol", ColumnType::varchar);
    add_column("ts", ColumnType::timestamp_us);
    add_column("recv_ts", ColumnType::timestamp_us);
    add_column("source", ColumnType::varchar);
    visit_body_fields(type_, [&](const auto& fields) {
        for (const auto& f : fields) {
            add_column(std::string(f.name), column_type(f.kind));
        }
    });
    field_columns_.clear();
    lower_names_.clear();
    for (const auto& c : batch_.columns) {
        lower_names_.insert(c.name);
    }
    column_field_.clear();
    typed_.clear();
    previous_fields_.clear();
    batch_.json_row_columns = batch_.columns.size();
}

void TableBuffer::reserve(const TableSizeHint& hint) {
    if (batch_.json_rows_only) {
        hint.reserve(batch_.columns[kTs], kTs);
        batch_.json_rows.reserve(hint.rows, hint.json_row_bytes);
        return;
    }
    for (size_t i = 0; i < batch_.columns.size() && i < hint.string_bytes.size(); ++i) {
        hint.reserve(batch_.columns[i], i);
    }
}

TableSizeHint TableBuffer::size_hint() const {
    TableSizeHint hint;
    hint.rows = batch_.rows;
    const size_t n = type_ == EventType::record ? kCommonColumnCount : batch_.columns.size();
    for (size_t i = 0; i < n && i < batch_.columns.size(); ++i) {
        hint.string_bytes.push_back(batch_.columns[i].strings.byte_size());
    }
    hint.json_row_bytes = batch_.json_rows.byte_size();
    return hint;
}

const std::vector<int64_t>& TableBuffer::event_times() const { return batch_.columns[kTs].ints; }

void TableBuffer::add_derived_column(Column c) {
    batch_.columns.push_back(std::move(c));
    derived_columns_ = true; // JsonlWriter adds its value to each row's text
}

void TableBuffer::clear() {
    if (type_ == EventType::record || derived_columns_) {
        derived_columns_ = false;
        reset_schema();
    } else {
        for (auto& c : batch_.columns) {
            c.ints.clear();
            c.doubles.clear();
            c.strings.clear();
            c.valid.clear();
        }
    }
    batch_.rows = 0;
    batch_.json_rows.clear();
    approx_bytes_ = 0;
    order_.clear();
}

void TableBuffer::append(const Event& e, std::string_view json_row) {
    auto& cols = batch_.columns;
    if (batch_.json_rows_only) {
        // The row's text is all JsonlWriter writes; the order and the time partitions need ts
        // and the symbol. Keeping no other value halves the buffer and its page faults.
        if (json_row.empty()) {
            json_row = json_row_members(std::string_view(), false, e, render_scratch_);
        }
        batch_.json_rows.push_back(json_row);
        approx_bytes_ += kStringBytes + json_row.size() + push_int(cols[kTs], e.ts);
        order_.add(e.symbol);
        ++batch_.rows;
        return;
    }
    size_t bytes = push_string(cols[kId], e.id);
    if (type_ == EventType::record && e.symbol.empty()) {
        bytes += push_null(cols[kSymbol]);
    } else {
        bytes += push_string(cols[kSymbol], e.symbol);
    }
    bytes += push_int(cols[kTs], e.ts);
    bytes += push_int(cols[kRecvTs], e.recv_ts);
    bytes += push_string(cols[kSource], e.source);
    order_.add(e.symbol);

    switch (type_) {
    case EventType::trade: bytes += push_body(cols, std::get<Trade>(e.body)); break;
    case EventType::quote: bytes += push_body(cols, std::get<Quote>(e.body)); break;
    case EventType::bar: bytes += push_body(cols, std::get<Bar>(e.body)); break;
    case EventType::record: append_record_fields(std::get<Record>(e.body)); break;
    }
    approx_bytes_ += bytes;
    ++batch_.rows;
}

void TableBuffer::append_record_fields(const Record& r) {
    const size_t row = batch_.rows;
    previous_fields_.resize(r.fields.size(), UINT32_MAX);
    for (size_t i = 0; i < r.fields.size(); ++i) {
        const size_t col = column_for_field(i, r.fields[i].name);
        if (batch_.columns[col].valid.size() > row) {
            pop_value(batch_.columns[col]); // a repeated field name: the last value wins
        }
        set_field(col, r.fields[i].value);
    }
    // Fields this row does not have are NULL.
    for (size_t col = kCommonColumnCount; col < batch_.columns.size(); ++col) {
        if (batch_.columns[col].valid.size() == row) {
            approx_bytes_ += push_null(batch_.columns[col]);
        }
    }
}

size_t TableBuffer::column_for_field(size_t position, const std::string& field) {
    const uint32_t cached = previous_fields_[position];
    if (cached != UINT32_MAX && column_field_[cached - kCommonColumnCount] == field) {
        return cached;
    }
    auto it = field_columns_.find(std::string_view(field));
    if (it == field_columns_.end()) {
        // A new column. Its name must differ, ignoring case, from every other column: a field
        // "Symbol" or a second "price" beside "Price" gets a suffix "_2", "_3", ...
        std::string name = field.empty() ? "_" : field;
        std::string key = ascii_lower(name);
        for (int n = 2; lower_names_.contains(key); ++n) {
            name = (field.empty() ? "_" : field) + "_" + std::to_string(n);
            key = ascii_lower(name);
        }
        lower_names_.insert(std::move(key));
        const auto col = static_cast<uint32_t>(batch_.columns.size());
        add_column(std::move(name), ColumnType::varchar);
        column_field_.push_back(field);
        typed_.push_back(0);
        Column& c = batch_.columns.back();
        c.strings.pad_to(batch_.rows); // earlier rows did not have this field
        c.valid.resize(batch_.rows, 0);
        approx_bytes_ += batch_.rows * kStringBytes;
        it = field_columns_.emplace(field, col).first;
    }
    previous_fields_[position] = it->second;
    return it->second;
}

void TableBuffer::set_field(size_t col, const FieldValue& value) {
    Column& c = batch_.columns[col];
    if (std::holds_alternative<std::monostate>(value)) {
        approx_bytes_ += push_null(c);
        return;
    }
    const ColumnType want = natural_type(value);
    uint8_t& typed = typed_[col - kCommonColumnCount];
    if (!typed) {
        retype(c, want); // all earlier values are NULL: take the first value's type
        typed = 1;
    } else if (rank(want) > rank(c.type)) {
        retype(c, want);
    }
    switch (c.type) {
    case ColumnType::boolean: approx_bytes_ += push_int(c, std::get<bool>(value) ? 1 : 0); break;
    case ColumnType::bigint:
        approx_bytes_ += push_int(c, value.index() == 1 ? int64_t{std::get<bool>(value)} : std::get<int64_t>(value));
        break;
    case ColumnType::float64: {
        double d = 0;
        switch (value.index()) {
        case 1: d = std::get<bool>(value) ? 1.0 : 0.0; break;
        case 2: d = static_cast<double>(std::get<int64_t>(value)); break;
        default: d = std::get<double>(value); break;
        }
        approx_bytes_ += push_double(c, d);
        break;
    }
    default: approx_bytes_ += push_string(c, json_text(value)); break;
    }
}

void TableBuffer::retype(Column& c, ColumnType to) {
    const ColumnType from = c.type;
    if (from == to) {
        return;
    }
    const size_t n = c.valid.size();
    if (to == ColumnType::varchar) {
        c.strings.clear();
        for (size_t r = 0; r < n; ++r) {
            c.strings.push_built([&](std::string& out) {
                if (!c.valid[r]) {
                    return;
                }
                const size_t before = out.size();
                switch (from) {
                case ColumnType::boolean: out += c.ints[r] ? "true" : "false"; break;
                case ColumnType::float64: append_double_text(out, c.doubles[r]); break;
                default: append_json_int(out, c.ints[r]); break;
                }
                approx_bytes_ += out.size() - before;
            });
        }
        c.ints.clear();
        c.doubles.clear();
    } else if (to == ColumnType::float64) {
        c.doubles.resize(n);
        if (from == ColumnType::varchar) { // untyped column of NULLs
            std::fill(c.doubles.begin(), c.doubles.end(), 0.0);
        } else {
            for (size_t r = 0; r < n; ++r) {
                c.doubles[r] = static_cast<double>(c.ints[r]);
            }
        }
        c.ints.clear();
        c.strings.clear();
    } else if (from == ColumnType::varchar) { // untyped column of NULLs becoming boolean/bigint
        c.ints.assign(n, 0);
        c.strings.clear();
    }
    // boolean -> bigint keeps its 0/1 ints.
    c.type = to;
}

std::vector<uint32_t> TableBuffer::sorted_order() const { return order_.sorted(batch_.columns[kTs].ints); }

} // namespace ticklake
