#include "decode/json_schema_row_decoder.h"

#include <optional>

#include <fmt/format.h>
#include <simdjson.h>

namespace ticklake {

namespace {

using Kind = ValueType::Kind;

// The one type a property names: "type": "x", or ["x", "null"] (a nullable x).
std::optional<std::string_view> single_type(simdjson::dom::element schema) {
    std::string_view name;
    if (schema["type"].get_string().get(name) == simdjson::SUCCESS) {
        return name;
    }
    simdjson::dom::array names;
    if (schema["type"].get_array().get(names) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    std::optional<std::string_view> found;
    for (simdjson::dom::element n : names) {
        std::string_view s;
        if (n.get_string().get(s) != simdjson::SUCCESS) {
            return std::nullopt;
        }
        if (s == "null") {
            continue;
        }
        if (found) {
            return std::nullopt; // a union of types: inference decides
        }
        found = s;
    }
    return found;
}

std::optional<ValueType> type_of(simdjson::dom::element schema);

std::optional<ValueType> object_type(simdjson::dom::element schema) {
    simdjson::dom::object props;
    if (schema["properties"].get_object().get(props) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    ValueType t(Kind::structure);
    for (auto [name, sub] : props) {
        // Inside a struct every field needs a type: one the schema leaves open is JSON text.
        t.fields.emplace_back(std::string(name), type_of(sub).value_or(ValueType()));
    }
    return t;
}

std::optional<ValueType> type_of(simdjson::dom::element schema) {
    auto name = single_type(schema);
    if (!name) {
        return std::nullopt;
    }
    if (*name == "integer") {
        return ValueType(Kind::bigint);
    }
    if (*name == "number") {
        return ValueType(Kind::float64);
    }
    if (*name == "boolean") {
        return ValueType(Kind::boolean);
    }
    if (*name == "string") {
        std::string_view format;
        if (schema["format"].get_string().get(format) == simdjson::SUCCESS) {
            if (format == "date-time") {
                return ValueType(Kind::timestamp);
            }
            if (format == "date") {
                return ValueType(Kind::date);
            }
        }
        return ValueType(Kind::varchar);
    }
    if (*name == "object") {
        return object_type(schema);
    }
    if (*name == "array") {
        simdjson::dom::element items;
        if (schema["items"].get(items) != simdjson::SUCCESS) {
            return std::nullopt;
        }
        auto item = type_of(items);
        return item ? std::optional<ValueType>(ValueType::list_of(std::move(*item))) : std::nullopt;
    }
    return std::nullopt;
}

} // namespace

Result<std::vector<std::pair<std::string, ValueType>>> json_schema_columns(std::string_view schema_text) {
    simdjson::dom::parser p;
    simdjson::dom::element root;
    if (p.parse(schema_text.data(), schema_text.size()).get(root) != simdjson::SUCCESS) {
        return fail(Error::invalid("the JSON Schema is not JSON"));
    }
    std::vector<std::pair<std::string, ValueType>> cols;
    simdjson::dom::object props;
    if (root["properties"].get_object().get(props) != simdjson::SUCCESS) {
        return cols; // no properties: every column is inferred
    }
    for (auto [name, sub] : props) {
        if (auto t = type_of(sub)) {
            cols.emplace_back(std::string(name), std::move(*t));
        }
    }
    return cols;
}

Result<const JsonSchemaRowDecoder::Known*> JsonSchemaRowDecoder::known(int32_t id) {
    if (auto it = known_.find(id); it != known_.end()) {
        return it->second.get();
    }
    auto s = schemas_->schema_by_id(id);
    if (!s) {
        return fail(s.error());
    }
    if ((*s)->type != SchemaType::json) {
        return fail(Error::poison(fmt::format("schema id {} is of type {}, not JSON Schema", id, to_string((*s)->type))));
    }
    auto cols = json_schema_columns((*s)->text);
    if (!cols) {
        return fail(Error::poison(fmt::format("schema id {}: {}", id, cols.error().message)));
    }
    auto k = std::make_unique<Known>();
    k->schema = *s;
    k->columns = std::move(*cols);
    return known_.emplace(id, std::move(k)).first->second.get();
}

const std::vector<std::pair<std::string, ValueType>>& JsonSchemaRowDecoder::last_columns() const {
    static const std::vector<std::pair<std::string, ValueType>> kNone;
    return last_ != nullptr ? last_->columns : kNone;
}

Status JsonSchemaRowDecoder::decode(std::string_view value, RowCells& row) {
    row.clear();
    auto frame = read_wire_frame(value);
    if (!frame) {
        return fail(frame.error());
    }
    auto k = known(frame->schema_id);
    if (!k) {
        return fail(k.error());
    }
    last_ = *k;
    return json_.decode(frame->payload, row);
}

} // namespace ticklake
