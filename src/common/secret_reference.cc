#include "common/secret_reference.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/file_text.h"

namespace ticklake {

namespace {

Error reference_error(std::string_view setting, const std::string& why) {
    return Error::invalid("setting " + std::string(setting) + ": " + why);
}

Result<std::string> resolve_one(std::string_view kind, std::string_view target, std::string_view setting) {
    if (kind == "env") {
        const char* v = std::getenv(std::string(target).c_str());
        if (v == nullptr) {
            return fail(reference_error(setting, "environment variable " + std::string(target) +
                                                     " (named by ${env:" + std::string(target) + "}) is not set"));
        }
        return std::string(v);
    }
    if (kind == "file") {
        auto text = read_file_text(std::string(target));
        if (!text) {
            return fail(reference_error(setting, "cannot read file " + std::string(target) + " (named by ${file:" +
                                                     std::string(target) + "})"));
        }
        if (text->ends_with("\r\n")) {
            text->resize(text->size() - 2);
        } else if (text->ends_with('\n')) {
            text->pop_back();
        }
        return std::move(*text);
    }
    return fail(reference_error(setting, "unknown reference ${" + std::string(kind) +
                                             ":...} (use ${env:NAME} or ${file:PATH})"));
}

} // namespace

Result<std::string> resolve_secret_references(std::string_view value, std::string_view setting) {
    std::string out;
    size_t i = 0;
    while (i < value.size()) {
        if (value.substr(i).starts_with("$${")) {
            out += "${";
            i += 3;
            continue;
        }
        if (!value.substr(i).starts_with("${")) {
            out += value[i++];
            continue;
        }
        const size_t close = value.find('}', i);
        const size_t colon = value.find(':', i);
        if (close == std::string_view::npos || colon == std::string_view::npos || colon > close) {
            return fail(reference_error(setting, "a reference is ${env:NAME} or ${file:PATH}, with its closing }"));
        }
        const std::string_view kind = value.substr(i + 2, colon - i - 2);
        auto resolved = resolve_one(kind, value.substr(colon + 1, close - colon - 1), setting);
        if (!resolved) {
            return fail(resolved.error());
        }
        out += *resolved;
        i = close + 1;
    }
    return out;
}

bool is_secret_setting(std::string_view name) {
    std::string n(name);
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) {
        return c == '-' || c == '_' ? '.' : static_cast<char>(std::tolower(c));
    });
    // The one list: extend it here when a new kind of secret setting appears.
    static constexpr std::string_view kWords[] = {"password", "secret", "token", "credentials"};
    static constexpr std::string_view kPrefixes[] = {"sasl.oauthbearer.", "ssl.key."};
    for (auto w : kWords) {
        if (n.find(w) != std::string::npos) {
            return true;
        }
    }
    for (auto p : kPrefixes) {
        if (n.starts_with(p)) {
            return true;
        }
    }
    // ssl_key (an inline PEM key) is ssl.key once '_' reads as '.'.
    return n == "ssl.key" || n == "sasl.jaas.config";
}

std::string masked_value(std::string_view name, std::string_view value) {
    return is_secret_setting(name) && !value.empty() ? std::string("********") : std::string(value);
}

} // namespace ticklake
