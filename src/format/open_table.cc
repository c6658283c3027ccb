#include "format/open_table.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "common/event_json.h"
#include "common/text_type.h"

namespace ticklake {

namespace {

using Kind = ValueType::Kind;


// Rough per-value memory, as TableBuffer counts it.
constexpr size_t kSlotBytes = 9;
constexpr size_t kStringBytes = kSlotBytes; // plus the bytes of the value (StringColumn)

ColumnType storage_of(Kind k) {
    switch (k) {
    case Kind::boolean: return ColumnType::boolean;
    case Kind::bigint: return ColumnType::bigint;
    case Kind::float64: return ColumnType::float64;
    case Kind::date: return ColumnType::date;
    case Kind::timestamp: return ColumnType::timestamp_us;
    case Kind::decimal: return ColumnType::decimal;
    case Kind::blob: return ColumnType::blob;
    case Kind::list:
    case Kind::structure: return ColumnType::nested;
    case Kind::null:
    case Kind::varchar: return ColumnType::varchar;
    }
    return ColumnType::varchar;
}

void set_storage(Column& c, const ValueType& t) {
    c.type = storage_of(t.kind);
    c.type_text = c.type == ColumnType::decimal ? duckdb_type_text(t)
                  : c.type == ColumnType::nested ? json_structure(t)
                                                 : std::string();
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

const char* describe(const CellValue& v) {
    switch (v.kind) {
    case CellValue::Kind::null: return "null";
    case CellValue::Kind::boolean: return "a boolean";
    case CellValue::Kind::integer: return "an integer";
    case CellValue::Kind::real: return "a number";
    case CellValue::Kind::string:
    case CellValue::Kind::text: return "a string";
    case CellValue::Kind::json: return v.nested->kind == Kind::list ? "an array" : "an object";
    case CellValue::Kind::bytes: return "bytes";
    case CellValue::Kind::timestamp: return "a timestamp";
    }
    return "a value";
}

std::string quoted_excerpt(std::string_view s) {
    constexpr size_t kMax = 40;
    std::string out = "'";
    out.append(s.substr(0, kMax));
    if (s.size() > kMax) {
        out += "...";
    }
    return out + "'";
}

// Reads a string as a date or timestamp once per cell (the answer is kept in the cell).
Kind time_kind(CellValue& v) {
    if (v.time_kind == CellValue::kTimeUnknown) {
        auto t = parse_event_time(v.text);
        v.time_kind = !t ? CellValue::kNotATime : v.text.size() == 10 ? CellValue::kDate : CellValue::kTimestamp;
        v.time_us = t ? *t : 0;
    }
    return v.time_kind == CellValue::kDate ? Kind::date : v.time_kind == CellValue::kTimestamp ? Kind::timestamp
                                                                                                 : Kind::varchar;
}

// The kind a value has by itself (nested values: structure or list, their type in value.nested).
// Strings are read as dates or timestamps only while the column could still be one: a column
// already text skips the parse.
Kind natural_kind(CellValue& v, Kind column) {
    switch (v.kind) {
    case CellValue::Kind::null: return Kind::null;
    case CellValue::Kind::boolean: return Kind::boolean;
    case CellValue::Kind::integer: return Kind::bigint;
    case CellValue::Kind::real: return Kind::float64;
    case CellValue::Kind::timestamp: return Kind::timestamp;
    case CellValue::Kind::bytes: return Kind::blob;
    case CellValue::Kind::json: return v.nested->kind;
    case CellValue::Kind::string:
        if (column == Kind::varchar || v.text.size() < 10 || v.text[4] != '-') {
            return Kind::varchar;
        }
        return time_kind(v);
    case CellValue::Kind::text: break;
    }
    if (column == Kind::varchar) {
        return Kind::varchar;
    }
    switch (classify_text(v.text)) {
    case TextType::null: return Kind::null; // an empty unquoted CSV field
    case TextType::boolean: return Kind::boolean;
    case TextType::int32:
    case TextType::int64: return Kind::bigint;
    case TextType::float64: return Kind::float64;
    case TextType::date:
    case TextType::timestamp: return time_kind(v);
    case TextType::string: return Kind::varchar;
    }
    return Kind::varchar;
}

// widen() for two scalar kinds, without building types (the per-value path).
std::optional<Kind> widen_scalar(Kind a, Kind b) {
    if (a == b || b == Kind::null) {
        return a;
    }
    if (a == Kind::null) {
        return b;
    }
    auto w = widen(ValueType(a), ValueType(b));
    if (!w) {
        return std::nullopt;
    }
    return w->kind;
}

void append_double_text(std::string& out, double v) {
    if (std::isfinite(v)) {
        append_json_double(out, v);
        return;
    }
    out.append(std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
}

template <class T>
bool parse_number(std::string_view s, T& out) {
    s = trim(s);
    if (!s.empty() && s.front() == '+') {
        s.remove_prefix(1);
    }
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

bool is_text(const CellValue& v) { return v.kind == CellValue::Kind::string || v.kind == CellValue::Kind::text; }

bool to_boolean(RowCell& cell, const CellValue& v) {
    if (v.kind == CellValue::Kind::boolean) {
        cell.as_int = v.b;
        return true;
    }
    if (is_text(v) && (iequals(trim(v.text), "true") || iequals(trim(v.text), "false"))) {
        cell.as_int = iequals(trim(v.text), "true");
        return true;
    }
    return false;
}

bool to_bigint(RowCell& cell, const CellValue& v) {
    switch (v.kind) {
    case CellValue::Kind::boolean: cell.as_int = v.b; return true;
    case CellValue::Kind::integer: cell.as_int = v.i; return true;
    case CellValue::Kind::string:
    case CellValue::Kind::text: return parse_number(v.text, cell.as_int);
    default: return false;
    }
}

bool to_float64(RowCell& cell, const CellValue& v) {
    switch (v.kind) {
    case CellValue::Kind::boolean: cell.as_double = v.b ? 1 : 0; return true;
    case CellValue::Kind::integer: cell.as_double = static_cast<double>(v.i); return true;
    case CellValue::Kind::real: cell.as_double = v.d; return true;
    case CellValue::Kind::string:
    case CellValue::Kind::text: return parse_number(v.text, cell.as_double);
    default: return false;
    }
}

// Microseconds for a timestamp column, days since the epoch for a date column.
bool to_time(RowCell& cell, CellValue& v, Kind to_kind) {
    if (v.kind == CellValue::Kind::timestamp) {
        cell.as_int = v.i;
    } else if (is_text(v)) {
        if (time_kind(v) == Kind::varchar) {
            return false;
        }
        cell.as_int = v.time_us;
    } else if (v.kind == CellValue::Kind::integer) {
        cell.as_int = epoch_to_micros(static_cast<double>(v.i));
    } else if (v.kind == CellValue::Kind::real && std::isfinite(v.d)) {
        cell.as_int = epoch_to_micros(v.d);
    } else {
        return false;
    }
    if (to_kind == Kind::date) {
        const int64_t t = cell.as_int;
        cell.as_int = t >= 0 ? t / kMicrosPerDay : -((-t + kMicrosPerDay - 1) / kMicrosPerDay);
    }
    return true;
}

bool to_varchar(RowCell& cell, const CellValue& v, RowCells& row) {
    switch (v.kind) {
    case CellValue::Kind::boolean: cell.as_text = v.b ? "true" : "false"; return true;
    case CellValue::Kind::integer:
    case CellValue::Kind::real: {
        if (!v.text.empty()) {
            cell.as_text = v.text; // the number exactly as the producer wrote it
            return true;
        }
        std::string& s = row.new_string();
        v.kind == CellValue::Kind::integer ? append_json_int(s, v.i) : append_double_text(s, v.d);
        cell.as_text = s;
        return true;
    }
    case CellValue::Kind::timestamp: {
        std::string& s = row.new_string();
        append_iso8601(s, v.i);
        cell.as_text = s;
        return true;
    }
    case CellValue::Kind::bytes: return false;
    default: cell.as_text = v.text; return true; // strings, and JSON text for an explicit varchar
    }
}

bool to_decimal(RowCell& cell, const CellValue& v, const ValueType& full, RowCells& row) {
    if (v.kind != CellValue::Kind::integer && v.kind != CellValue::Kind::real && !is_text(v)) {
        return false;
    }
    auto d = normalize_decimal(trim(v.text), full.precision, full.scale);
    if (!d) {
        return false;
    }
    std::string& s = row.new_string();
    s = std::move(*d);
    cell.as_text = s;
    return true;
}

// Lists and structures keep their JSON text when the value fits the column's type as it is.
bool to_nested(RowCell& cell, const CellValue& v, const ValueType& full) {
    if (v.kind != CellValue::Kind::json) {
        return false;
    }
    auto w = widen(full, *v.nested);
    if (!w || !(*w == full)) {
        return false; // the value has fields or types the column cannot take
    }
    cell.as_text = v.text;
    return true;
}

// Puts value into cell.as_* in the form a column of kind `to` stores (`full`: its whole type,
// needed for decimal and nested kinds). False when it cannot be.
bool convert(RowCell& cell, Kind to_kind, const ValueType* full, RowCells& row) {
    CellValue& v = cell.value;
    cell.is_null = v.kind == CellValue::Kind::null ||
                   (v.kind == CellValue::Kind::text && v.text.empty()); // an empty bare CSV field
    if (cell.is_null) {
        return true;
    }
    switch (to_kind) {
    case Kind::null: return false;
    case Kind::boolean: return to_boolean(cell, v);
    case Kind::bigint: return to_bigint(cell, v);
    case Kind::float64: return to_float64(cell, v);
    case Kind::date:
    case Kind::timestamp: return to_time(cell, v, to_kind);
    case Kind::varchar: return to_varchar(cell, v, row);
    case Kind::decimal: return to_decimal(cell, v, *full, row);
    case Kind::blob:
        if (v.kind == CellValue::Kind::bytes || is_text(v)) {
            cell.as_text = v.text;
            return true;
        }
        return false;
    case Kind::list:
    case Kind::structure: return to_nested(cell, v, *full);
    }
    return false;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// RowCells

void RowCells::clear() {
    used_ = 0;
    strings_used_ = 0;
    types_used_ = 0;
}

RowCell& RowCells::next_cell() {
    if (used_ == cells_.size()) {
        return cells_.emplace_back(), cells_[used_++];
    }
    // Member by member: GCC clears a whole RowCell with `rep stos`, slow to start for 144 bytes.
    static_assert(sizeof(RowCell) == 144, "RowCell changed: reset its new members here");
    RowCell& c = cells_[used_++];
    c.field = {};
    c.column = kNoColumn;
    c.value.kind = CellValue::Kind::null;
    c.value.b = false;
    c.value.i = 0;
    c.value.d = 0;
    c.value.text = {};
    c.value.nested = nullptr;
    c.value.time_kind = CellValue::kTimeUnknown;
    c.value.time_us = 0;
    c.skip = false;
    c.kind = ValueType::Kind::null;
    c.type = nullptr;
    c.is_null = false;
    c.as_int = 0;
    c.as_double = 0;
    c.as_text = {};
    return c;
}

CellValue& RowCells::add(std::string_view field) {
    RowCell& c = next_cell();
    c.field = field;
    return c.value;
}

CellValue& RowCells::add_to_column(uint32_t column) {
    RowCell& c = next_cell();
    c.column = column;
    return c.value;
}

void RowCells::remove_field(std::string_view field) {
    auto row = cells();
    auto end = std::remove_if(row.begin(), row.end(),
                              [&](const RowCell& c) { return c.column == kNoColumn && c.field == field; });
    used_ = static_cast<size_t>(end - row.begin());
}

std::string& RowCells::new_string() {
    if (strings_used_ == strings_.size()) {
        strings_.emplace_back();
    }
    std::string& s = strings_[strings_used_++];
    s.clear();
    return s;
}

ValueType& RowCells::new_type() {
    if (types_used_ == types_.size()) {
        types_.emplace_back();
    }
    ValueType& t = types_[types_used_++];
    t = ValueType();
    return t;
}

RowCell* RowCells::find(std::string_view field) {
    auto row = cells();
    for (auto it = row.rbegin(); it != row.rend(); ++it) {
        if (it->column == kNoColumn && it->field == field) {
            return &*it;
        }
    }
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// OpenSchema

OpenSchema::OpenSchema(std::vector<std::string> reserved, size_t max_columns) : max_columns_(max_columns) {
    for (auto& r : reserved) {
        reserved_.push_back(ascii_lower(r));
    }
}

uint32_t OpenSchema::push(OpenColumn c) {
    const auto index = static_cast<uint32_t>(columns_.size());
    by_lower_name_.emplace(ascii_lower(c.name), index);
    if (!c.field.empty()) {
        by_field_[c.field] = index;
    }
    columns_.push_back(std::move(c));
    ++generation_;
    return index;
}

std::string OpenSchema::unique_name(std::string_view wanted) const {
    const std::string base = wanted.empty() ? "_" : std::string(wanted);
    std::string name = base;
    for (int n = 2;; ++n) {
        const std::string key = ascii_lower(name);
        if (!by_lower_name_.contains(key) && std::find(reserved_.begin(), reserved_.end(), key) == reserved_.end()) {
            return name;
        }
        name = base + "_" + std::to_string(n);
    }
}

void OpenSchema::seed(std::string name, ValueType type) {
    if (by_lower_name_.contains(ascii_lower(name))) {
        return;
    }
    OpenColumn c;
    c.field = name;
    c.name = std::move(name);
    c.type = std::move(type);
    c.seeded = true;
    push(std::move(c));
}

uint32_t OpenSchema::declare(std::string field, std::string_view name, ValueType type) {
    if (!field.empty()) {
        if (auto it = by_field_.find(field); it != by_field_.end()) {
            columns_[it->second].type = std::move(type);
            columns_[it->second].fixed = true;
            return it->second;
        }
    }
    OpenColumn c;
    c.name = unique_name(name);
    c.field = std::move(field);
    c.type = std::move(type);
    c.fixed = true;
    return push(std::move(c));
}

uint32_t OpenSchema::find_slow(std::string_view field, size_t slot) {
    auto it = by_field_.find(field);
    if (it == by_field_.end()) {
        return kNoColumn;
    }
    if (slot >= next_after_.size()) {
        next_after_.resize(slot + 1, {kNoColumn, kNoColumn});
    }
    auto& [a, b] = next_after_[slot];
    b = a;
    a = it->second;
    return it->second;
}

uint32_t OpenSchema::add(std::string_view field, ValueType type) {
    std::string name = unique_name(field);
    // After a restart the catalog gives back "Price_2" without the field it came from: a new
    // field whose name would be that column's takes it over instead of making "Price_3".
    for (int n = 2; name != field && n < 100; ++n) {
        const std::string earlier = std::string(field.empty() ? "_" : field) + "_" + std::to_string(n);
        auto it = by_lower_name_.find(ascii_lower(earlier));
        if (it == by_lower_name_.end()) {
            break;
        }
        OpenColumn& c = columns_[it->second];
        if (c.seeded && c.name == earlier && c.field == c.name) {
            by_field_.erase(c.field);
            c.field = std::string(field);
            c.seeded = false;
            by_field_[c.field] = it->second;
            if (auto w = widen(c.type, type)) {
                c.type = std::move(*w);
            }
            ++generation_;
            return it->second;
        }
    }
    OpenColumn c;
    c.name = std::move(name);
    c.field = std::string(field);
    c.type = std::move(type);
    return push(std::move(c));
}

void OpenSchema::set_type(uint32_t column, ValueType type) {
    columns_[column].type = std::move(type);
    ++generation_;
}

// ---------------------------------------------------------------------------------------------
// OpenTableBuffer

std::string OpenTableBuffer::misfit(const RowCell& cell, const OpenColumn& col) {
    const bool show_text = is_text(cell.value) || cell.value.kind == CellValue::Kind::integer ||
                           cell.value.kind == CellValue::Kind::real;
    return fmt::format("field '{}': {}{} does not fit column '{}' of type {}{}", col.field.empty() ? col.name : col.field,
                       describe(cell.value), show_text ? std::string(" ").append(quoted_excerpt(cell.value.text)) : std::string(),
                       col.name, hive_type_text(col.type), col.fixed ? " (set with --column)" : "");
}

Status OpenTableBuffer::check(RowCells& row, size_t& new_columns) {
    const auto cells = row.cells();
    const auto& columns = schema_->columns();
    if (seen_in_row_.size() < columns.size()) {
        seen_in_row_.resize(columns.size(), 0);
    }
    new_columns = 0;
    touched_.clear();
    Status result;
    for (size_t i = 0; i < cells.size(); ++i) {
        RowCell& cell = cells[i];
        cell.skip = false;
        cell.type = nullptr;
        if (cell.column == kNoColumn) {
            cell.column = schema_->find(cell.field, i == 0 ? kNoColumn : cells[i - 1].column);
        }
        if (cell.column == kNoColumn) {
            // A new field: its column is made on append. The same new field twice: the last wins.
            for (size_t j = 0; j < i; ++j) {
                if (!cells[j].skip && cells[j].column == kNoColumn && cells[j].field == cell.field) {
                    cells[j].skip = true;
                    --new_columns;
                }
            }
            ++new_columns;
            cell.kind = natural_kind(cell.value, Kind::null);
            cell.type = cell.value.kind == CellValue::Kind::json ? cell.value.nested : nullptr;
            if (!convert(cell, cell.kind, cell.type, row)) {
                result = fail(Error::poison("field '" + std::string(cell.field) + "': cannot read " +
                                            quoted_excerpt(cell.value.text)));
                break;
            }
            continue;
        }
        uint32_t& seen = seen_in_row_[cell.column];
        if (seen != 0) {
            cells[seen - 1].skip = true; // a field repeated in one message: the last value wins
        } else {
            touched_.push_back(cell.column);
        }
        seen = static_cast<uint32_t>(i + 1);
        const OpenColumn& col = columns[cell.column];
        bool fits = true;
        if (col.fixed) {
            cell.kind = col.type.kind;
            cell.type = &col.type;
        } else if (col.type.is_nested() || cell.value.kind == CellValue::Kind::json) {
            auto w = cell.value.kind == CellValue::Kind::json ? widen(col.type, *cell.value.nested)
                     : cell.value.kind == CellValue::Kind::null ? std::optional<ValueType>(col.type)
                                                                : std::nullopt;
            fits = w.has_value();
            if (fits) {
                ValueType& keep = row.new_type();
                keep = std::move(*w);
                cell.kind = keep.kind;
                cell.type = &keep;
            }
        } else if (auto k = widen_scalar(col.type.kind, natural_kind(cell.value, col.type.kind))) {
            cell.kind = *k;
            cell.type = cell.kind == col.type.kind ? &col.type : nullptr; // decimal keeps its (p,s)
        } else {
            fits = false;
        }
        if (!fits || !convert(cell, cell.kind, cell.type, row)) {
            result = fail(Error::poison(misfit(cell, col)));
            break;
        }
    }
    for (uint32_t c : touched_) {
        seen_in_row_[c] = 0;
    }
    if (result && new_columns > 0 && columns.size() + new_columns > schema_->max_columns()) {
        result = fail(Error::poison(fmt::format("the message would add {} column(s) to a table of {}; the limit is {} "
                                                "(--max-columns)",
                                                new_columns, columns.size(), schema_->max_columns())));
    }
    return result;
}

Status OpenTableBuffer::append(RowCells& row, std::string_view symbol, TimestampUs ts) {
    size_t new_columns = 0;
    if (auto st = check(row, new_columns); !st) {
        return st;
    }
    const size_t row_index = batch_.rows;
    // Cells of known columns first: check() pointed their types into the schema's columns,
    // which adding a new column may move (a vector growing). New fields' types never point
    // there, so they go second, in row order as before.
    for (const bool known : {true, false}) {
    if (!known && new_columns == 0) {
        break; // no new field: nothing for a second pass
    }
    for (auto& cell : row.cells()) {
        if (cell.skip || (cell.column != kNoColumn) != known) {
            continue;
        }
        uint32_t col = cell.column;
        if (col == kNoColumn) {
            col = schema_->add(cell.field, cell.type != nullptr ? *cell.type : ValueType(cell.kind));
        } else if (const OpenColumn& sc = schema_->columns()[col]; !sc.fixed) {
            // check() points a value that keeps its column's type at that very type.
            if (cell.type != nullptr ? cell.type != &sc.type && !(*cell.type == sc.type) : sc.type.kind != cell.kind) {
                // Widened (or a struct gained fields).
                schema_->set_type(col, cell.type != nullptr ? *cell.type : ValueType(cell.kind));
            }
        }
        if (generation_ != schema_->generation()) {
            sync_columns(); // the schema changed: bring this buffer's columns along first
        }
        if (col >= batch_.columns.size()) {
            ensure_column(col);
        }
        if (batch_.columns[col].valid.size() > row_index) {
            continue; // already set by this row (a new field's column taken over twice)
        }
        push(col, cell);
    }
    }
    for (uint32_t col = 0; col < batch_.columns.size(); ++col) {
        if (batch_.columns[col].valid.size() == row_index) {
            push_null(col);
        }
    }
    ts_.push_back(ts);
    order_.add(symbol);
    ++batch_.rows;
    return {};
}

void OpenTableBuffer::sync_columns() {
    for (uint32_t col = 0; col < batch_.columns.size(); ++col) {
        ensure_column(col);
    }
    generation_ = schema_->generation();
}

void OpenTableBuffer::ensure_column(uint32_t col) {
    // Columns this buffer has not seen yet start as NULL for its earlier rows, typed as the
    // schema has them now (every one up to col, so none is left untyped).
    while (batch_.columns.size() <= col) {
        const auto i = static_cast<uint32_t>(batch_.columns.size());
        Column c;
        c.name = schema_->columns()[i].name;
        set_storage(c, ValueType());
        batch_.columns.push_back(std::move(c));
        types_.emplace_back();
        for (size_t r = 0; r < batch_.rows; ++r) {
            push_null(i);
        }
        retype(i, schema_->columns()[i].type);
        schema_->size_hint().reserve(batch_.columns[i], i);
    }
    if (!(types_[col] == schema_->columns()[col].type)) {
        retype(col, schema_->columns()[col].type);
    }
}

void OpenTableBuffer::retype(uint32_t col, const ValueType& to) {
    Column& c = batch_.columns[col];
    const ValueType& from = types_[col];
    const size_t n = c.valid.size();
    const ColumnType old_storage = c.type;
    const ColumnType new_storage = storage_of(to.kind);
    if (from.kind == Kind::null) {
        // Only NULLs so far: the slots just move to the new storage.
        c.ints.clear();
        c.doubles.clear();
        c.strings.clear();
        if (stored_in_ints(new_storage)) {
            c.ints.assign(n, 0);
        } else if (new_storage == ColumnType::float64) {
            c.doubles.assign(n, 0);
        } else {
            c.strings.pad_to(n);
        }
    } else if (new_storage == ColumnType::varchar && old_storage != ColumnType::varchar) {
        c.strings.clear();
        for (size_t r = 0; r < n; ++r) {
            c.strings.push_built([&](std::string& s) {
                if (!c.valid[r]) {
                    return;
                }
                const size_t before = s.size();
                switch (old_storage) {
                case ColumnType::boolean: s += c.ints[r] ? "true" : "false"; break;
                case ColumnType::bigint: append_json_int(s, c.ints[r]); break;
                case ColumnType::float64: append_double_text(s, c.doubles[r]); break;
                case ColumnType::date: s += format_date(c.ints[r] * kMicrosPerDay); break;
                case ColumnType::timestamp_us: append_iso8601(s, c.ints[r]); break;
                default: break;
                }
                approx_bytes_ += s.size() - before;
            });
        }
        c.ints.clear();
        c.doubles.clear();
    } else if (new_storage == ColumnType::float64 && stored_in_ints(old_storage)) {
        c.doubles.resize(n);
        for (size_t r = 0; r < n; ++r) {
            c.doubles[r] = static_cast<double>(c.ints[r]);
        }
        c.ints.clear();
    } else if (new_storage == ColumnType::timestamp_us && old_storage == ColumnType::date) {
        for (auto& v : c.ints) {
            v *= kMicrosPerDay;
        }
    }
    // boolean -> bigint keeps its 0/1; nested -> nested keeps its JSON text.
    set_storage(c, to);
    types_[col] = to;
}

void OpenTableBuffer::push(uint32_t col, const RowCell& cell) {
    if (cell.is_null) {
        push_null(col);
        return;
    }
    Column& c = batch_.columns[col];
    if (stored_in_ints(c.type)) {
        c.ints.push_back(cell.as_int);
        approx_bytes_ += kSlotBytes;
    } else if (c.type == ColumnType::float64) {
        c.doubles.push_back(cell.as_double);
        approx_bytes_ += kSlotBytes;
    } else {
        c.strings.push_back(cell.as_text);
        approx_bytes_ += kStringBytes + cell.as_text.size();
    }
    c.valid.push_back(1);
}

void OpenTableBuffer::push_null(uint32_t col) {
    Column& c = batch_.columns[col];
    if (stored_in_ints(c.type)) {
        c.ints.push_back(0);
    } else if (c.type == ColumnType::float64) {
        c.doubles.push_back(0);
    } else {
        c.strings.push_empty();
    }
    c.valid.push_back(0);
    approx_bytes_ += kSlotBytes;
}

const ColumnBatch& OpenTableBuffer::finish() {
    const auto& columns = schema_->columns();
    if (!columns.empty()) {
        ensure_column(static_cast<uint32_t>(columns.size() - 1));
    }
    sync_columns();
    TableSizeHint hint;
    hint.rows = batch_.rows;
    for (const Column& c : batch_.columns) {
        hint.string_bytes.push_back(c.strings.byte_size());
    }
    schema_->set_size_hint(std::move(hint));
    // A column no value has typed yet is left out: a later file adds it with its real type.
    size_t out = 0;
    for (size_t col = 0; col < batch_.columns.size(); ++col) {
        if (columns[col].type.kind == Kind::null) {
            continue;
        }
        if (out != col) {
            batch_.columns[out] = std::move(batch_.columns[col]);
        }
        ++out;
    }
    batch_.columns.resize(out);
    return batch_;
}

// ---------------------------------------------------------------------------------------------

namespace {

// A decimal number's text taken apart: its significant digits and where the point falls.
struct DecimalDigits {
    bool negative = false;
    std::string digits; //!< all digits, integer part then fraction
    int point = 0;      //!< digits before the decimal point (may be < 0 or > digits.size())
};

// Reads [+-]digits[.digits][(e|E)[+-]exponent]; nothing else may follow.
std::optional<DecimalDigits> read_decimal(std::string_view text) {
    DecimalDigits d;
    size_t i = 0;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
        d.negative = text[i] == '-';
        ++i;
    }
    int point = -1;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c >= '0' && c <= '9') {
            d.digits.push_back(c);
        } else if (c == '.' && point < 0) {
            point = static_cast<int>(d.digits.size());
        } else {
            break;
        }
    }
    if (d.digits.empty()) {
        return std::nullopt;
    }
    d.point = point < 0 ? static_cast<int>(d.digits.size()) : point;
    if (i < text.size()) {
        if (text[i] != 'e' && text[i] != 'E') {
            return std::nullopt;
        }
        int exp = 0;
        std::string_view e = text.substr(i + 1);
        if (!e.empty() && e.front() == '+') {
            e.remove_prefix(1);
        }
        auto [p, ec] = std::from_chars(e.data(), e.data() + e.size(), exp);
        if (ec != std::errc() || p != e.data() + e.size() || exp > 400 || exp < -400) {
            return std::nullopt;
        }
        d.point += exp;
    }
    return d;
}

// The digits with exactly `scale` of them after the point, rounded half up.
std::string scaled_digits(DecimalDigits d, int scale) {
    while (d.point > static_cast<int>(d.digits.size())) {
        d.digits.push_back('0');
    }
    while (d.point < 0) {
        d.digits.insert(d.digits.begin(), '0');
        ++d.point;
    }
    std::string integer = d.point > 0 ? d.digits.substr(0, static_cast<size_t>(d.point)) : "0";
    std::string fraction = d.digits.substr(static_cast<size_t>(d.point));
    bool round_up = false;
    if (static_cast<int>(fraction.size()) > scale) {
        round_up = fraction[static_cast<size_t>(scale)] >= '5';
        fraction.resize(static_cast<size_t>(scale));
    }
    while (static_cast<int>(fraction.size()) < scale) {
        fraction.push_back('0');
    }
    std::string all = integer + fraction;
    if (round_up) {
        int k = static_cast<int>(all.size()) - 1;
        for (; k >= 0 && all[static_cast<size_t>(k)] == '9'; --k) {
            all[static_cast<size_t>(k)] = '0';
        }
        if (k < 0) {
            all.insert(all.begin(), '1');
        } else {
            ++all[static_cast<size_t>(k)];
        }
    }
    return all;
}

} // namespace

std::optional<std::string> normalize_decimal(std::string_view text, int precision, int scale) {
    auto d = read_decimal(text);
    if (!d) {
        return std::nullopt;
    }
    const bool negative = d->negative;
    std::string all = scaled_digits(std::move(*d), scale);
    // Strip leading zeros of the integer part, keep at least one digit before the point.
    size_t int_len = all.size() - static_cast<size_t>(scale);
    size_t lead = 0;
    while (lead + 1 < int_len && all[lead] == '0') {
        ++lead;
    }
    all.erase(0, lead);
    int_len -= lead;
    const bool zero_int = int_len == 1 && all[0] == '0';
    if (!zero_int && static_cast<int>(int_len) > precision - scale) {
        return std::nullopt; // too many integer digits for decimal(precision, scale)
    }
    const bool is_zero = std::all_of(all.begin(), all.end(), [](char c) { return c == '0'; });
    std::string out = negative && !is_zero ? "-" : "";
    out.append(all, 0, int_len);
    if (scale > 0) {
        out.push_back('.');
        out.append(all, int_len, std::string::npos);
    }
    return out;
}

} // namespace ticklake
