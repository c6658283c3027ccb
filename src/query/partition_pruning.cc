#include "query/partition_pruning.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>

#include <simdjson.h>

#include "common/timestamp.h"

namespace ticklake::query {

namespace {

using simdjson::dom::element;

std::string str(element e, const char* field) {
    std::string_view v;
    if (e[field].get_string().get(v) != simdjson::SUCCESS) {
        return {};
    }
    return std::string(v);
}

// A constant, or a CAST of one (DATE '2025-01-06' parses as CAST('2025-01-06' AS DATE)), with
// what kind of value it is. Decimals, doubles and casts to other types are not understood.
bool constant_text(element e, std::string& out, PartitionCondition::Kind* kind = nullptr) {
    using Kind = PartitionCondition::Kind;
    const std::string cls = str(e, "class");
    if (cls == "CAST") {
        element child;
        element cast_type;
        Kind inner = Kind::text;
        if (e["child"].get(child) != simdjson::SUCCESS || !constant_text(child, out, &inner)) {
            return false;
        }
        const std::string to = e["cast_type"].get(cast_type) == simdjson::SUCCESS ? str(cast_type, "id") : "";
        if (kind != nullptr) {
            const bool time = to == "DATE" || to == "TIMESTAMP" || to == "TIMESTAMP WITH TIME ZONE";
            if (inner != Kind::text || !time) {
                return false;
            }
            *kind = Kind::time;
        }
        return true;
    }
    if (cls != "CONSTANT") {
        return false;
    }
    element value;
    if (e["value"].get(value) != simdjson::SUCCESS) {
        return false;
    }
    bool is_null = false;
    if (value["is_null"].get_bool().get(is_null) == simdjson::SUCCESS && is_null) {
        return false;
    }
    element type;
    const std::string type_id = value["type"].get(type) == simdjson::SUCCESS ? str(type, "id") : "";
    element v;
    if (value["value"].get(v) != simdjson::SUCCESS) {
        return false;
    }
    std::string_view s;
    if (v.get_string().get(s) == simdjson::SUCCESS) {
        out = std::string(s);
        if (kind != nullptr) {
            *kind = Kind::text;
        }
        return type_id == "VARCHAR" || type_id.empty();
    }
    int64_t i;
    const bool integer_type = type_id == "INTEGER" || type_id == "BIGINT" || type_id == "SMALLINT" ||
                              type_id == "TINYINT" || type_id.empty();
    if (integer_type && v.get_int64().get(i) == simdjson::SUCCESS) {
        out = std::to_string(i);
        if (kind != nullptr) {
            *kind = Kind::integer;
        }
        return true;
    }
    return false; // a DECIMAL 2.5 is the integer 25 with a scale: not its text
}

// The names of a COLUMN_REF node (["t", "dt"] for `t.dt`); false when the node is malformed.
bool column_ref_parts(element e, std::vector<std::string>& parts) {
    simdjson::dom::array names;
    if (e["column_names"].get_array().get(names) != simdjson::SUCCESS) {
        return false;
    }
    for (element n : names) {
        std::string_view s;
        if (n.get_string().get(s) != simdjson::SUCCESS) {
            return false;
        }
        parts.emplace_back(s);
    }
    return true;
}

// A column of the pruned table: `dt`, or `alias.dt` / `table.dt`.
bool column_name(element e, const std::vector<std::string>& qualifiers, std::string& out) {
    if (str(e, "class") != "COLUMN_REF") {
        return false;
    }
    std::vector<std::string> parts;
    if (!column_ref_parts(e, parts)) {
        return false;
    }
    if (parts.size() == 1) {
        out = parts[0];
        return true;
    }
    if (parts.size() == 2 && std::find(qualifiers.begin(), qualifiers.end(), parts[0]) != qualifiers.end()) {
        out = parts[1];
        return true;
    }
    return false;
}

void flatten_and(element e, std::vector<element>& out) {
    if (str(e, "class") == "CONJUNCTION" && str(e, "type") == "CONJUNCTION_AND") {
        simdjson::dom::array children;
        if (e["children"].get_array().get(children) == simdjson::SUCCESS) {
            for (element c : children) {
                flatten_and(c, out);
            }
            return;
        }
    }
    out.push_back(e);
}

PartitionCondition::Op flip(PartitionCondition::Op op) {
    using Op = PartitionCondition::Op;
    switch (op) {
    case Op::lt: return Op::gt;
    case Op::le: return Op::ge;
    case Op::gt: return Op::lt;
    case Op::ge: return Op::le;
    default: return op;
    }
}

void conditions_of(element e, const std::vector<std::string>& qualifiers, std::vector<PartitionCondition>& out) {
    using Op = PartitionCondition::Op;
    using Kind = PartitionCondition::Kind;
    const std::string cls = str(e, "class");
    const std::string type = str(e, "type");
    std::string column;
    std::string value;
    if (cls == "COMPARISON") {
        static const std::map<std::string, Op> kOps = {{"COMPARE_EQUAL", Op::eq},
                                                       {"COMPARE_LESSTHAN", Op::lt},
                                                       {"COMPARE_LESSTHANOREQUALTO", Op::le},
                                                       {"COMPARE_GREATERTHAN", Op::gt},
                                                       {"COMPARE_GREATERTHANOREQUALTO", Op::ge}};
        auto op = kOps.find(type);
        element left, right;
        if (op == kOps.end() || e["left"].get(left) != simdjson::SUCCESS || e["right"].get(right) != simdjson::SUCCESS) {
            return;
        }
        Kind kind = Kind::text;
        if (column_name(left, qualifiers, column) && constant_text(right, value, &kind)) {
            out.push_back({column, op->second, {value}, kind});
        } else if (column_name(right, qualifiers, column) && constant_text(left, value, &kind)) {
            out.push_back({column, flip(op->second), {value}, kind});
        }
    } else if (type == "COMPARE_IN") {
        simdjson::dom::array children;
        if (e["children"].get_array().get(children) != simdjson::SUCCESS) {
            return;
        }
        PartitionCondition c{"", Op::in, {}, Kind::text};
        bool first = true;
        for (element child : children) {
            Kind kind = Kind::text;
            if (first) {
                if (!column_name(child, qualifiers, c.column)) {
                    return;
                }
                first = false;
            } else if (constant_text(child, value, &kind) && (c.values.empty() || kind == c.kind)) {
                c.kind = kind;
                c.values.push_back(value);
            } else {
                return; // a non-constant in the list: could match anything
            }
        }
        if (!c.values.empty()) {
            out.push_back(std::move(c));
        }
    } else if (type == "COMPARE_BETWEEN") {
        element input, lower, upper;
        std::string lo, hi;
        Kind lo_kind = Kind::text, hi_kind = Kind::text;
        if (e["input"].get(input) == simdjson::SUCCESS && e["lower"].get(lower) == simdjson::SUCCESS &&
            e["upper"].get(upper) == simdjson::SUCCESS && column_name(input, qualifiers, column) &&
            constant_text(lower, lo, &lo_kind) && constant_text(upper, hi, &hi_kind)) {
            out.push_back({column, Op::ge, {lo}, lo_kind});
            out.push_back({column, Op::le, {hi}, hi_kind});
        }
    }
}

// Every BASE_TABLE anywhere in the tree, as "schema.table".
void base_tables(element e, std::map<std::string, int>& counts) {
    if (e.is_object()) {
        if (str(e, "type") == "BASE_TABLE") {
            counts[str(e, "schema_name") + "." + str(e, "table_name")]++;
        } else if (str(e, "type") == "TABLE_FUNCTION") {
            counts[" table function"]++; // may read any table it names in a string
        }
        for (auto field : e.get_object()) {
            base_tables(field.value, counts);
        }
    } else if (e.is_array()) {
        for (element child : e.get_array()) {
            base_tables(child, counts);
        }
    }
}

bool looks_numeric(const std::string& s) {
    if (s.empty()) {
        return false;
    }
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    return end != nullptr && *end == '\0';
}

// -1, 0, 1; or 2 when the two cannot be compared safely (then the file is kept).
int compare(const std::string& a, const std::string& b) {
    if (looks_numeric(a) && looks_numeric(b)) {
        const double x = std::strtod(a.c_str(), nullptr);
        const double y = std::strtod(b.c_str(), nullptr);
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    // ISO dates (and other equal-shape text) order as text; other shapes are not compared.
    if (a.size() != b.size()) {
        return 2;
    }
    return a < b ? -1 : (a > b ? 1 : 0);
}

// The dates a coarser time folder covers ("1987-01-01".."1987-12-31" for year=1987), so a
// `dt` condition prunes a table whose grain writes dt as a column (sink/time_partition.h).
bool covered_dates(const std::map<std::string, std::string>& partition, std::string& lo, std::string& hi) {
    auto four_digits = [](std::string_view v) {
        return v.size() >= 4 && std::all_of(v.begin(), v.begin() + 4, [](char c) { return c >= '0' && c <= '9'; });
    };
    if (auto m = partition.find("month"); m != partition.end()) {
        if (m->second.size() != 7 || !four_digits(m->second) || m->second[4] != '-') {
            return false;
        }
        lo = m->second + "-01";
        hi = m->second + "-31"; // compared as text: no date of the month sorts after it
        return true;
    }
    for (const char* key : {"year", "decade"}) {
        auto y = partition.find(key);
        if (y == partition.end()) {
            continue;
        }
        if (y->second.size() != 4 || !four_digits(y->second)) {
            return false;
        }
        const int first = std::atoi(y->second.c_str());
        const int last = first + (std::string_view(key) == "decade" ? 9 : 0);
        if (last > 9999) {
            return false;
        }
        lo = y->second + "-01-01";
        hi = std::to_string(last) + "-12-31";
        hi.insert(0, 10 - hi.size(), '0');
        return true;
    }
    return false;
}

// Whether some date in [lo, hi] meets the condition (dates as ISO text; anything else may).
bool dates_may_match(const PartitionCondition& c, const std::string& lo, const std::string& hi) {
    using Op = PartitionCondition::Op;
    auto is_date = [](const std::string& v) { return v.size() == 10 && v[4] == '-' && v[7] == '-'; };
    auto in_range = [&](const std::string& v) { return !is_date(v) || (lo <= v && v <= hi); };
    if (c.op == Op::in) {
        return std::any_of(c.values.begin(), c.values.end(), in_range);
    }
    const std::string& v = c.values[0];
    if (!is_date(v)) {
        return true;
    }
    switch (c.op) {
    case Op::eq: return in_range(v);
    case Op::lt: return lo < v;
    case Op::le: return lo <= v;
    case Op::gt: return hi > v;
    case Op::ge: return hi >= v;
    default: return true;
    }
}

} // namespace

Result<PruningPlan> pruning_plan_from_parse_tree(std::string_view json) {
    simdjson::dom::parser parser;
    element root;
    if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
        return fail(Error::invalid("cannot read the parse tree"));
    }
    PruningPlan plan;
    bool error = false;
    if (root["error"].get_bool().get(error) == simdjson::SUCCESS && error) {
        return plan;
    }
    simdjson::dom::array statements;
    if (root["statements"].get_array().get(statements) != simdjson::SUCCESS || statements.size() != 1) {
        return plan;
    }
    element node;
    if (statements.at(0)["node"].get(node) != simdjson::SUCCESS || str(node, "type") != "SELECT_NODE") {
        return plan;
    }
    element cte_map;
    simdjson::dom::array ctes;
    if (node["cte_map"].get(cte_map) == simdjson::SUCCESS && cte_map["map"].get_array().get(ctes) == simdjson::SUCCESS &&
        ctes.size() > 0) {
        return plan;
    }
    element from;
    if (node["from_table"].get(from) != simdjson::SUCCESS || str(from, "type") != "BASE_TABLE") {
        return plan;
    }
    const std::string table = str(from, "schema_name") + "." + str(from, "table_name");
    std::map<std::string, int> counts;
    base_tables(root, counts);
    if (counts[table] != 1 || counts.contains(" table function")) {
        return plan;
    }
    element where;
    if (node["where_clause"].get(where) != simdjson::SUCCESS || where.is_null()) {
        return plan;
    }
    std::vector<std::string> qualifiers = {str(from, "table_name")};
    if (const std::string alias = str(from, "alias"); !alias.empty()) {
        qualifiers = {alias};
    }
    std::vector<element> conjuncts;
    flatten_and(where, conjuncts);
    std::vector<PartitionCondition> conditions;
    for (element c : conjuncts) {
        conditions_of(c, qualifiers, conditions);
    }
    if (!conditions.empty()) {
        plan[table] = std::move(conditions);
    }
    return plan;
}

namespace {

// Column names, and tables' names and aliases, anywhere in the tree; false on anything that
// may read every column.
bool collect_columns(element e, std::set<std::string>& columns, std::set<std::string>& relations, int depth = 0) {
    if (depth > 1000) {
        return false;
    }
    if (e.is_object()) {
        const std::string cls = str(e, "class");
        const std::string type = str(e, "type");
        if (cls == "STAR" || type == "TABLE_FUNCTION") {
            return false;
        }
        if (type == "BASE_TABLE") {
            for (std::string name : {str(e, "table_name"), str(e, "alias")}) {
                for (char& ch : name) {
                    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                }
                relations.insert(name);
            }
        }
        if (cls == "COLUMN_REF") {
            std::vector<std::string> parts;
            if (!column_ref_parts(e, parts)) {
                return false;
            }
            for (auto& p : parts) {
                for (char& ch : p) {
                    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch))); // SQL names fold case
                }
            }
            if (parts.size() == 1) {
                columns.insert("\x01" + parts[0]); // checked against relations at the end
            }
            columns.insert(parts.begin(), parts.end());
        }
        for (auto field : e.get_object()) {
            if (!collect_columns(field.value, columns, relations, depth + 1)) {
                return false;
            }
        }
    } else if (e.is_array()) {
        for (element child : e.get_array()) {
            if (!collect_columns(child, columns, relations, depth + 1)) {
                return false;
            }
        }
    }
    return true;
}

} // namespace

std::optional<std::set<std::string>> referenced_columns(std::string_view json) {
    simdjson::dom::parser parser;
    element root;
    if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    bool error = true;
    simdjson::dom::array statements;
    if (root["error"].get_bool().get(error) != simdjson::SUCCESS || error ||
        root["statements"].get_array().get(statements) != simdjson::SUCCESS || statements.size() != 1) {
        return std::nullopt;
    }
    std::set<std::string> columns;
    std::set<std::string> relations;
    if (!collect_columns(root, columns, relations)) {
        return std::nullopt;
    }
    std::set<std::string> out;
    for (const auto& c : columns) {
        if (c.starts_with('\x01')) {
            if (relations.contains(c.substr(1))) {
                return std::nullopt; // a whole row as a value: every column
            }
            continue;
        }
        out.insert(c);
    }
    return out;
}

bool file_may_match(std::string_view key, const std::vector<PartitionCondition>& conditions) {
    using Op = PartitionCondition::Op;
    std::map<std::string, std::string> partition;
    size_t start = 0;
    while (start < key.size()) {
        size_t end = key.find('/', start);
        if (end == std::string_view::npos) {
            break; // the file name itself is not a partition folder
        }
        const std::string_view part = key.substr(start, end - start);
        if (const size_t eq = part.find('='); eq != std::string_view::npos) {
            partition[std::string(part.substr(0, eq))] = std::string(part.substr(eq + 1));
        }
        start = end + 1;
    }
    for (const auto& c : conditions) {
        auto it = partition.find(c.column);
        if (it == partition.end()) {
            std::string lo;
            std::string hi;
            if (c.column == "dt" && covered_dates(partition, lo, hi) && !dates_may_match(c, lo, hi)) {
                return false;
            }
            continue; // not a partition column of this file: the data decides
        }
        const std::string& v = it->second;
        bool may = true;
        if (c.op == Op::in) {
            may = false;
            for (const auto& x : c.values) {
                const int r = compare(v, x);
                may = may || r == 0 || r == 2;
            }
        } else {
            const int r = compare(v, c.values[0]);
            if (r != 2) {
                switch (c.op) {
                case Op::eq: may = r == 0; break;
                case Op::lt: may = r < 0; break;
                case Op::le: may = r <= 0; break;
                case Op::gt: may = r > 0; break;
                case Op::ge: may = r >= 0; break;
                default: break;
                }
            }
        }
        if (!may) {
            return false;
        }
    }
    return true;
}

bool time_range_may_match(std::optional<int64_t> ts_min, std::optional<int64_t> ts_max,
                          const std::vector<PartitionCondition>& conditions) {
    using Op = PartitionCondition::Op;
    if (!ts_min || !ts_max) {
        return true;
    }
    for (const auto& c : conditions) {
        if (c.column != "ts") {
            continue;
        }
        auto meets = [&](const std::string& text, Op op) {
            // DuckDB drops an offset when it casts text to TIMESTAMP (and applies it for
            // TIMESTAMPTZ): a time that states one is read two ways, so it decides nothing.
            if (text.size() > 10 && text.find_first_of("+-Zz", 10) != std::string::npos) {
                return true;
            }
            auto v = parse_iso8601(text);
            if (!v) {
                return true; // not a time we read the same way DuckDB does: keep the file
            }
            switch (op) {
            case Op::eq: return *ts_min <= *v && *v <= *ts_max;
            case Op::lt: return *ts_min < *v;
            case Op::le: return *ts_min <= *v;
            case Op::gt: return *ts_max > *v;
            case Op::ge: return *ts_max >= *v;
            default: return true;
            }
        };
        bool may = c.op != Op::in;
        if (c.op == Op::in) {
            for (const auto& v : c.values) {
                may = may || meets(v, Op::eq);
            }
        } else {
            may = meets(c.values[0], c.op);
        }
        if (!may) {
            return false;
        }
    }
    return true;
}

} // namespace ticklake::query
