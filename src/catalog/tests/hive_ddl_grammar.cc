#include "hive_ddl_grammar.h"

#include <cctype>
#include <optional>
#include <set>

namespace ticklake::testing {

namespace {

struct Token {
    enum Kind { ident, quoted_ident, string, number, symbol, end } kind;
    std::string text;
    size_t pos;
};

Result<std::vector<Token>> tokenize(std::string_view s) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
            while (i < s.size() && s[i] != '\n') {
                ++i;
            }
        } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            size_t j = i;
            while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) {
                ++j;
            }
            out.push_back({Token::ident, std::string(s.substr(i, j - i)), i});
            i = j;
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            size_t j = i;
            while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
                ++j;
            }
            out.push_back({Token::number, std::string(s.substr(i, j - i)), i});
            i = j;
        } else if (c == '`') {
            const size_t j = s.find('`', i + 1);
            if (j == std::string_view::npos || j == i + 1) {
                return fail(Error::invalid("unterminated or empty `identifier` at " + std::to_string(i)));
            }
            out.push_back({Token::quoted_ident, std::string(s.substr(i + 1, j - i - 1)), i});
            i = j + 1;
        } else if (c == '\'' || c == '"') {
            std::string text;
            size_t j = i + 1;
            while (j < s.size() && s[j] != c) {
                if (s[j] == '\\' && j + 1 < s.size()) {
                    ++j;
                }
                text.push_back(s[j]);
                ++j;
            }
            if (j >= s.size()) {
                return fail(Error::invalid("unterminated string at " + std::to_string(i)));
            }
            out.push_back({Token::string, text, i});
            i = j + 1;
        } else if (std::string_view("(),.=<>:;").find(c) != std::string_view::npos) {
            out.push_back({Token::symbol, std::string(1, c), i});
            ++i;
        } else {
            return fail(Error::invalid(std::string("unexpected character '") + c + "' at " + std::to_string(i)));
        }
    }
    out.push_back({Token::end, "", s.size()});
    return out;
}

std::string upper(std::string s) {
    for (auto& c : s) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return s;
}

class Parser {
public:
    explicit Parser(std::vector<Token> t) : t_(std::move(t)) {}

    Result<ParsedDdl> parse() {
        ParsedDdl d;
        if (!keywords({"CREATE", "EXTERNAL", "TABLE"})) {
            return error("CREATE EXTERNAL TABLE");
        }
        if (accept_keyword("IF") && !keywords({"NOT", "EXISTS"})) {
            return error("IF NOT EXISTS");
        }
        if (auto st = table_name(d); !st) {
            return fail(st.error());
        }
        if (peek_symbol("(") && !column_list(d.columns, true)) {
            return fail_here();
        }
        if (accept_keyword("COMMENT") && !string_literal()) {
            return error("table comment string");
        }
        if (accept_keyword("PARTITIONED") && (!keyword("BY") || !column_list(d.partition_keys, false))) {
            return fail_here();
        }
        if (accept_keyword("CLUSTERED")) {
            return error("no CLUSTERED BY in exports");
        }
        if (accept_keyword("ROW")) {
            if (auto st = row_format(d); !st) {
                return fail(st.error());
            }
        }
        if (accept_keyword("STORED")) {
            if (auto st = stored_as(d); !st) {
                return fail(st.error());
            }
        }
        if (accept_keyword("WITH") && (!keyword("SERDEPROPERTIES") || !properties(d.serde_properties))) {
            return fail_here();
        }
        if (accept_keyword("LOCATION")) {
            auto l = string_literal();
            if (!l) {
                return error("LOCATION string");
            }
            d.location = *l;
        }
        if (accept_keyword("TBLPROPERTIES") && !properties(d.table_properties)) {
            return fail_here();
        }
        accept_symbol(";");
        if (t_[i_].kind != Token::end) {
            return error("end of statement");
        }
        return d;
    }

private:
    Status table_name(ParsedDdl& d) {
        auto first = identifier();
        if (!first) {
            return error("table name");
        }
        if (!accept_symbol(".")) {
            d.table = *first;
            return {};
        }
        d.database = *first;
        auto t = identifier();
        if (!t) {
            return error("table name after '.'");
        }
        d.table = *t;
        return {};
    }

    //! After ROW.
    Status row_format(ParsedDdl& d) {
        if (!keyword("FORMAT")) {
            return error("FORMAT after ROW");
        }
        if (accept_keyword("DELIMITED")) {
            return delimited();
        }
        if (!accept_keyword("SERDE")) {
            return error("SERDE or DELIMITED");
        }
        auto s = string_literal();
        if (!s) {
            return error("SerDe class name string");
        }
        d.serde = *s;
        if (accept_keyword("WITH") && (!keyword("SERDEPROPERTIES") || !properties(d.serde_properties))) {
            return fail_here();
        }
        return {};
    }

    Status delimited() {
        while (true) {
            if (accept_keyword("FIELDS")) {
                if (!keywords({"TERMINATED", "BY"}) || !string_literal()) return error("FIELDS TERMINATED BY 'c'");
                if (accept_keyword("ESCAPED") && (!keyword("BY") || !string_literal())) return error("ESCAPED BY 'c'");
            } else if (accept_keyword("COLLECTION")) {
                if (!keywords({"ITEMS", "TERMINATED", "BY"}) || !string_literal()) return error("COLLECTION ITEMS TERMINATED BY");
            } else if (accept_keyword("MAP")) {
                if (!keywords({"KEYS", "TERMINATED", "BY"}) || !string_literal()) return error("MAP KEYS TERMINATED BY");
            } else if (accept_keyword("LINES")) {
                if (!keywords({"TERMINATED", "BY"}) || !string_literal()) return error("LINES TERMINATED BY");
            } else if (accept_keyword("NULL")) {
                if (!keywords({"DEFINED", "AS"}) || !string_literal()) return error("NULL DEFINED AS");
            } else {
                return {};
            }
        }
    }

    //! After STORED.
    Status stored_as(ParsedDdl& d) {
        if (!keyword("AS")) {
            return error("AS after STORED");
        }
        if (accept_keyword("INPUTFORMAT")) {
            auto in = string_literal();
            if (!in || !keyword("OUTPUTFORMAT")) {
                return error("INPUTFORMAT 'class' OUTPUTFORMAT 'class'");
            }
            auto out = string_literal();
            if (!out) {
                return error("OUTPUTFORMAT class string");
            }
            d.stored_as = "INPUTFORMAT " + *in + " OUTPUTFORMAT " + *out;
            return {};
        }
        static const std::set<std::string> formats = {"SEQUENCEFILE", "TEXTFILE", "RCFILE", "ORC",
                                                      "PARQUET",      "AVRO",     "ION"};
        auto f = identifier();
        if (!f || !formats.contains(upper(*f))) {
            return error("a file format");
        }
        d.stored_as = upper(*f);
        return {};
    }

    bool keyword(const char* k) {
        if (accept_keyword(k)) {
            return true;
        }
        expected_ = k;
        return false;
    }
    bool keywords(std::initializer_list<const char*> ks) {
        for (const char* k : ks) {
            if (!keyword(k)) {
                return false;
            }
        }
        return true;
    }
    bool accept_keyword(const char* k) {
        if (t_[i_].kind == Token::ident && upper(t_[i_].text) == k) {
            ++i_;
            return true;
        }
        return false;
    }
    bool peek_symbol(const char* s) const { return t_[i_].kind == Token::symbol && t_[i_].text == s; }
    bool accept_symbol(const char* s) {
        if (peek_symbol(s)) {
            ++i_;
            return true;
        }
        return false;
    }
    bool symbol(const char* s) {
        if (accept_symbol(s)) {
            return true;
        }
        expected_ = std::string("'") + s + "'";
        return false;
    }
    std::optional<std::string> identifier() {
        if (t_[i_].kind == Token::ident || t_[i_].kind == Token::quoted_ident) {
            return t_[i_++].text;
        }
        expected_ = "an identifier";
        return std::nullopt;
    }
    std::optional<std::string> string_literal() {
        if (t_[i_].kind == Token::string) {
            return t_[i_++].text;
        }
        expected_ = "a string";
        return std::nullopt;
    }
    bool number() {
        if (t_[i_].kind == Token::number) {
            ++i_;
            return true;
        }
        expected_ = "a number";
        return false;
    }

    // data_type per the Athena reference; returns its text.
    std::optional<std::string> data_type() {
        auto name = identifier();
        if (!name) {
            expected_ = "a data type";
            return std::nullopt;
        }
        const std::string u = upper(*name);
        static const std::set<std::string> primitive = {"BOOLEAN", "TINYINT", "SMALLINT", "INT",    "INTEGER",
                                                        "BIGINT",  "DOUBLE",  "FLOAT",    "STRING", "BINARY",
                                                        "DATE",    "TIMESTAMP"};
        if (primitive.contains(u)) {
            return *name;
        }
        if (u == "DECIMAL" || u == "CHAR" || u == "VARCHAR") {
            std::string text = *name;
            if (accept_symbol("(")) {
                text += "(" + t_[i_].text;
                if (!number()) return std::nullopt;
                if (u == "DECIMAL" && accept_symbol(",")) {
                    text += "," + t_[i_].text;
                    if (!number()) return std::nullopt;
                }
                if (!symbol(")")) return std::nullopt;
                text += ")";
            }
            return text;
        }
        if (u == "ARRAY") {
            if (!symbol("<")) return std::nullopt;
            auto inner = data_type();
            if (!inner || !symbol(">")) return std::nullopt;
            return "array<" + *inner + ">";
        }
        if (u == "MAP") {
            if (!symbol("<")) return std::nullopt;
            auto k = data_type();
            if (!k || !symbol(",")) return std::nullopt;
            auto v = data_type();
            if (!v || !symbol(">")) return std::nullopt;
            return "map<" + *k + "," + *v + ">";
        }
        if (u == "STRUCT") {
            if (!symbol("<")) return std::nullopt;
            std::string text = "struct<";
            do {
                auto field = identifier();
                if (!field || !symbol(":")) return std::nullopt;
                auto type = data_type();
                if (!type) return std::nullopt;
                if (accept_keyword("COMMENT") && !string_literal()) return std::nullopt;
                text += (text.size() > 7 ? "," : "") + *field + ":" + *type;
            } while (accept_symbol(","));
            if (!symbol(">")) return std::nullopt;
            return text + ">";
        }
        expected_ = "a Hive data type, not '" + *name + "'";
        --i_;
        return std::nullopt;
    }

    bool column_list(std::vector<std::pair<std::string, std::string>>& out, bool allow_empty) {
        if (!symbol("(")) {
            return false;
        }
        if (allow_empty && accept_symbol(")")) {
            return true;
        }
        do {
            auto name = identifier();
            if (!name) {
                return false;
            }
            auto type = data_type();
            if (!type) {
                return false;
            }
            if (accept_keyword("COMMENT") && !string_literal()) {
                return false;
            }
            out.emplace_back(*name, *type);
        } while (accept_symbol(","));
        return symbol(")");
    }

    bool properties(std::map<std::string, std::string>& out) {
        if (!symbol("(")) {
            return false;
        }
        do {
            auto k = string_literal();
            if (!k || !symbol("=")) {
                return false;
            }
            auto v = string_literal();
            if (!v) {
                return false;
            }
            if (!out.emplace(*k, *v).second) {
                expected_ = "a property named once ('" + *k + "' repeats)";
                return false;
            }
        } while (accept_symbol(","));
        return symbol(")");
    }

    std::unexpected<Error> error(const std::string& what) {
        expected_ = what;
        return fail_here();
    }
    std::unexpected<Error> fail_here() {
        return fail(Error::invalid("expected " + expected_ + " at offset " + std::to_string(t_[i_].pos) + " near '" +
                                   t_[i_].text + "'"));
    }

    std::vector<Token> t_;
    size_t i_ = 0;
    std::string expected_;
};

} // namespace

Result<ParsedDdl> parse_create_external_table(std::string_view ddl) {
    auto tokens = tokenize(ddl);
    if (!tokens) {
        return fail(tokens.error());
    }
    return Parser(std::move(*tokens)).parse();
}

} // namespace ticklake::testing
