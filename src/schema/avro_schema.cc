#include "schema/avro_schema.h"

#include <map>

#include <simdjson.h>

namespace ticklake {

namespace {

using Type = AvroNode::Type;
using Logical = AvroNode::Logical;

const std::map<std::string_view, Type>& primitive_types() {
    static const std::map<std::string_view, Type> m{
        {"null", Type::null},       {"boolean", Type::boolean}, {"int", Type::int32},   {"long", Type::int64},
        {"float", Type::float32},   {"double", Type::float64},  {"bytes", Type::bytes}, {"string", Type::string},
    };
    return m;
}

} // namespace

const AvroNode* AvroNode::nullable_of() const {
    if (type != Type::union_ || branches.size() != 2) {
        return nullptr;
    }
    if (branches[0]->type == Type::null && branches[1]->type != Type::null) {
        return branches[1];
    }
    if (branches[1]->type == Type::null && branches[0]->type != Type::null) {
        return branches[0];
    }
    return nullptr;
}

// Walks the schema's JSON once, creating nodes in the schema's deque.
class AvroSchemaParser {
public:
    explicit AvroSchemaParser(AvroSchema& s) : schema_(s) {}

    Result<const AvroNode*> node(simdjson::dom::element e, const std::string& ns) {
        switch (e.type()) {
        case simdjson::dom::element_type::STRING: return named(std::string(std::string_view(e.get_string().value())), ns);
        case simdjson::dom::element_type::ARRAY: return union_of(e.get_array().value(), ns);
        case simdjson::dom::element_type::OBJECT: return object(e.get_object().value(), ns);
        default: return fail(Error::invalid("an Avro type must be a name, an array (union) or an object"));
        }
    }

private:
    static std::string full_name(std::string_view name, const std::string& ns) {
        if (name.find('.') != std::string_view::npos || ns.empty()) {
            return std::string(name);
        }
        return ns + "." + std::string(name);
    }

    Result<const AvroNode*> named(const std::string& name, const std::string& ns) {
        if (auto it = primitive_types().find(name); it != primitive_types().end()) {
            AvroNode& n = schema_.nodes_.emplace_back();
            n.type = it->second;
            return &n;
        }
        for (const auto& candidate : {full_name(name, ns), name}) {
            if (auto it = names_.find(candidate); it != names_.end()) {
                return it->second;
            }
        }
        return fail(Error::invalid("unknown Avro type '" + name + "'"));
    }

    Result<const AvroNode*> union_of(simdjson::dom::array a, const std::string& ns) {
        AvroNode& n = schema_.nodes_.emplace_back();
        n.type = Type::union_;
        for (auto b : a) {
            auto branch = node(b, ns);
            if (!branch) {
                return branch;
            }
            n.branches.push_back(*branch);
        }
        if (n.branches.empty()) {
            return fail(Error::invalid("an Avro union needs at least one branch"));
        }
        return &n;
    }

    static std::string_view text_of(simdjson::dom::object o, std::string_view key) {
        std::string_view s;
        if (o[key].get_string().get(s) != simdjson::SUCCESS) {
            return {};
        }
        return s;
    }

    void apply_logical(AvroNode& n, simdjson::dom::object o) {
        const std::string_view logical = text_of(o, "logicalType");
        // A logical type on the wrong base type is ignored, as the specification asks.
        if (logical == "decimal" && (n.type == Type::bytes || n.type == Type::fixed)) {
            int64_t p = 0, s = 0;
            if (o["precision"].get_int64().get(p) == simdjson::SUCCESS && p > 0) {
                if (o["scale"].get_int64().get(s) != simdjson::SUCCESS) {
                    s = 0; // the specification's default
                }
                if (s >= 0 && s <= p) {
                    n.logical = Logical::decimal;
                    n.precision = static_cast<int>(p);
                    n.scale = static_cast<int>(s);
                }
            }
        } else if (logical == "date" && n.type == Type::int32) {
            n.logical = Logical::date;
        } else if (logical == "time-millis" && n.type == Type::int32) {
            n.logical = Logical::time_millis;
        } else if (logical == "time-micros" && n.type == Type::int64) {
            n.logical = Logical::time_micros;
        } else if (logical == "timestamp-millis" && n.type == Type::int64) {
            n.logical = Logical::timestamp_millis;
        } else if (logical == "timestamp-micros" && n.type == Type::int64) {
            n.logical = Logical::timestamp_micros;
        } else if (logical == "local-timestamp-millis" && n.type == Type::int64) {
            n.logical = Logical::local_timestamp_millis;
        } else if (logical == "local-timestamp-micros" && n.type == Type::int64) {
            n.logical = Logical::local_timestamp_micros;
        } else if (logical == "uuid" && n.type == Type::string) {
            n.logical = Logical::uuid;
        }
    }

    Result<const AvroNode*> object(simdjson::dom::object o, const std::string& outer_ns) {
        simdjson::dom::element type_el;
        if (o["type"].get(type_el) != simdjson::SUCCESS) {
            return fail(Error::invalid("an Avro type object needs a \"type\""));
        }
        if (!type_el.is_string()) {
            return node(type_el, outer_ns); // {"type": {...}} or {"type": [...]}
        }
        const std::string_view type = type_el.get_string().value();
        std::string ns = outer_ns;
        if (auto s = text_of(o, "namespace"); !s.empty()) {
            ns = std::string(s);
        }
        if (type == "record" || type == "error" || type == "enum" || type == "fixed") {
            return named_definition(o, type, std::move(ns));
        }
        if (type == "array" || type == "map") {
            return container(o, type, ns);
        }
        auto it = primitive_types().find(type);
        if (it == primitive_types().end()) {
            // A named type referred to in object form ({"type": "Trade"}).
            return named(std::string(type), ns);
        }
        AvroNode& n = schema_.nodes_.emplace_back();
        n.type = it->second;
        apply_logical(n, o);
        return &n;
    }

    // A record, error, enum or fixed: the types that carry a name others may refer to.
    Result<const AvroNode*> named_definition(simdjson::dom::object o, std::string_view type, std::string ns) {
        const std::string_view name = text_of(o, "name");
        if (name.empty()) {
            return fail(Error::invalid("an Avro " + std::string(type) + " needs a name"));
        }
        const std::string full = full_name(name, ns);
        if (auto dot = full.rfind('.'); dot != std::string::npos) {
            ns = full.substr(0, dot);
        }
        AvroNode& n = schema_.nodes_.emplace_back();
        n.name = full;
        names_[full] = &n; // before the fields: a record may refer to itself
        Result<void> filled;
        if (type == "enum") {
            filled = enum_symbols(n, o);
        } else if (type == "fixed") {
            filled = fixed_size(n, o);
        } else {
            filled = record_fields(n, o, ns);
        }
        if (!filled) {
            return fail(filled.error());
        }
        return &n;
    }

    Result<void> enum_symbols(AvroNode& n, simdjson::dom::object o) {
        n.type = Type::enumeration;
        simdjson::dom::array symbols;
        if (o["symbols"].get_array().get(symbols) != simdjson::SUCCESS) {
            return fail(Error::invalid("Avro enum " + n.name + " needs symbols"));
        }
        for (auto s : symbols) {
            n.symbols.emplace_back(std::string_view(s.get_string().value_unsafe()));
        }
        return {};
    }

    Result<void> fixed_size(AvroNode& n, simdjson::dom::object o) {
        n.type = Type::fixed;
        int64_t size = 0;
        if (o["size"].get_int64().get(size) != simdjson::SUCCESS || size < 0) {
            return fail(Error::invalid("Avro fixed " + n.name + " needs a size"));
        }
        n.fixed_size = static_cast<size_t>(size);
        apply_logical(n, o);
        return {};
    }

    Result<void> record_fields(AvroNode& n, simdjson::dom::object o, const std::string& ns) {
        n.type = Type::record;
        simdjson::dom::array fields;
        if (o["fields"].get_array().get(fields) != simdjson::SUCCESS) {
            return fail(Error::invalid("Avro record " + n.name + " needs fields"));
        }
        for (auto f : fields) {
            simdjson::dom::object fo;
            if (f.get_object().get(fo) != simdjson::SUCCESS || text_of(fo, "name").empty()) {
                return fail(Error::invalid("a field of Avro record " + n.name + " has no name"));
            }
            simdjson::dom::element ft;
            if (fo["type"].get(ft) != simdjson::SUCCESS) {
                return fail(Error::invalid("field " + std::string(text_of(fo, "name")) + " of Avro record " + n.name +
                                           " has no type"));
            }
            auto t = node(ft, ns);
            if (!t) {
                return fail(t.error());
            }
            n.fields.push_back({std::string(text_of(fo, "name")), *t});
        }
        return {};
    }

    // An array or a map: one inner type, under "items" or "values".
    Result<const AvroNode*> container(simdjson::dom::object o, std::string_view type, const std::string& ns) {
        AvroNode& n = schema_.nodes_.emplace_back();
        n.type = type == "array" ? Type::array : Type::map;
        simdjson::dom::element inner;
        if (o[type == "array" ? "items" : "values"].get(inner) != simdjson::SUCCESS) {
            return fail(Error::invalid("an Avro " + std::string(type) + " needs its " +
                                       (type == "array" ? "items" : "values")));
        }
        auto t = node(inner, ns);
        if (!t) {
            return t;
        }
        n.items = *t;
        return &n;
    }

    AvroSchema& schema_;
    std::map<std::string, const AvroNode*, std::less<>> names_;
};

Result<std::shared_ptr<const AvroSchema>> AvroSchema::parse(std::string_view json) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (auto err = parser.parse(json.data(), json.size()).get(root); err) {
        return fail(Error::invalid(std::string("the Avro schema is not JSON: ") + simdjson::error_message(err)));
    }
    auto schema = std::make_shared<AvroSchema>();
    AvroSchemaParser p(*schema);
    auto r = p.node(root, "");
    if (!r) {
        return fail(r.error());
    }
    schema->root_ = *r;
    return std::shared_ptr<const AvroSchema>(std::move(schema));
}

} // namespace ticklake
