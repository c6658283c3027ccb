#include "console/access_token.h"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace ticklake::console {

bool token_matches(std::string_view expected, std::string_view given) {
    // Every byte of `given` is compared (against `expected` repeated when lengths differ), with no
    // early exit: only the lengths show in the time.
    if (expected.empty()) {
        return false;
    }
    unsigned char diff = expected.size() == given.size() ? 0 : 1;
    for (size_t i = 0; i < given.size(); ++i) {
        diff |= static_cast<unsigned char>(expected[i % expected.size()] ^ given[i]);
    }
    // Keeps `diff` from being folded into a branch per byte by the optimiser.
    volatile unsigned char result = diff;
    return result == 0 && !given.empty();
}

std::string_view bearer_token(std::string_view authorization) {
    constexpr std::string_view kScheme = "bearer ";
    if (authorization.size() <= kScheme.size()) {
        return {};
    }
    for (size_t i = 0; i < kScheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) {
            return {};
        }
    }
    std::string_view token = authorization.substr(kScheme.size());
    while (!token.empty() && token.front() == ' ') {
        token.remove_prefix(1);
    }
    return token;
}

namespace {

std::string trimmed(std::string s) {
    auto space = [](unsigned char c) { return std::isspace(c) != 0; };
    s.erase(s.begin(), std::find_if_not(s.begin(), s.end(), space));
    s.erase(std::find_if_not(s.rbegin(), s.rend(), space).base(), s.end());
    return s;
}

} // namespace

Result<std::string> load_token(const std::filesystem::path& token_file, const char* env_value) {
    std::string token;
    std::string from;
    if (!token_file.empty()) {
        std::ifstream in(token_file);
        if (!in) {
            return fail(Error::invalid("--token-file " + token_file.string() + ": cannot be read"));
        }
        std::getline(in, token);
        from = "--token-file " + token_file.string();
    } else if (env_value != nullptr) {
        token = env_value;
        from = "TICKLAKE_TOKEN";
    } else {
        return std::string();
    }
    token = trimmed(token);
    if (token.size() < 16) {
        return fail(Error::invalid(from + ": the token is empty or shorter than 16 characters; make one with "
                                          "`openssl rand -hex 32`"));
    }
    return token;
}

bool is_loopback_host(std::string_view host) {
    return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

Status check_exposure(std::string_view host, const std::string& token) {
    if (!is_loopback_host(host) && token.empty()) {
        return fail(Error::invalid("--listen " + std::string(host) +
                                   " would serve the lake beyond this machine without a token: put one in a file "
                                   "and pass --token-file FILE, or set TICKLAKE_TOKEN"));
    }
    return {};
}

} // namespace ticklake::console
