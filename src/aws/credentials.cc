#include "aws/credentials.h"

#include <cctype>

#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <utility>
#include <vector>

#include "common/file_text.h"

namespace ticklake::aws {

namespace {

constexpr std::string_view kWhitespace = " \t\r";

std::string_view trim(std::string_view s) {
    const auto begin = s.find_first_not_of(kWhitespace);
    if (begin == std::string_view::npos) {
        return {};
    }
    const auto end = s.find_last_not_of(kWhitespace);
    return s.substr(begin, end - begin + 1);
}

// An unset variable and one set to the empty string mean the same to the AWS CLI.
std::optional<std::string> non_empty(const EnvLookup& env, std::string_view name) {
    auto value = env(name);
    if (!value || value->empty()) {
        return std::nullopt;
    }
    return value;
}

const std::string* find_key(const std::map<std::string, std::string>* section, const std::string& key) {
    if (section == nullptr) {
        return nullptr;
    }
    auto it = section->find(key);
    if (it == section->end() || it->second.empty()) {
        return nullptr;
    }
    return &it->second;
}

} // namespace

// One shared file, read and parsed, with what happened for the "nothing found" message.
// Outside the anonymous namespace: AwsProfile::Files holds two.
struct SharedFile {
    std::string path;           //!< empty when no path could be formed (no HOME)
    std::string from;           //!< which variable named the path
    bool exists = false;
    IniSections sections;
};

namespace {

Result<SharedFile> load_shared_file(const EnvLookup& env, const FileReader& read_file,
                                    std::string_view override_var, std::string_view home_relative) {
    SharedFile file;
    if (auto path = non_empty(env, override_var)) {
        file.path = *path;
        file.from = std::string(override_var);
    } else if (auto home = non_empty(env, "HOME")) {
        file.path = *home + "/" + std::string(home_relative);
        file.from = "HOME";
    } else {
        return file;
    }
    auto text = read_file(file.path);
    if (!text) {
        return file;
    }
    file.exists = true;
    auto parsed = parse_ini(*text, file.path);
    if (!parsed) {
        return fail(parsed.error());
    }
    file.sections = std::move(*parsed);
    return file;
}

std::string describe_file(const SharedFile& file, std::string_view what) {
    if (file.path.empty()) {
        return std::string(what) + " (not looked at: neither its variable nor HOME is set)";
    }
    return std::string(what) + " " + file.path + (file.exists ? "" : " (missing)");
}

// Config file section names: "[default]", "[profile NAME]" (also "[profile default]");
// other sections ("[sso-session x]", "[services x]") are not profiles.
IniSections config_profiles(const IniSections& sections) {
    IniSections profiles;
    for (const auto& [name, keys] : sections) {
        std::istringstream words(name);
        std::vector<std::string> parts;
        for (std::string w; words >> w;) {
            parts.push_back(w);
        }
        if (parts.size() == 1 && parts[0] == "default") {
            profiles["default"].insert(keys.begin(), keys.end());
        } else if (parts.size() == 2 && parts[0] == "profile") {
            // "[profile default]" wins over "[default]" for keys both define.
            for (const auto& [k, v] : keys) {
                profiles[parts[1]][k] = v;
            }
        }
    }
    return profiles;
}

// Credentials from one profile section; a half-configured pair is an error that names the
// missing key and the file, never the value of the key that is present.
Result<std::optional<AwsCredentials>> credentials_in(const std::map<std::string, std::string>* section,
                                                     const std::string& profile, const std::string& path) {
    const std::string* id = find_key(section, "aws_access_key_id");
    const std::string* secret = find_key(section, "aws_secret_access_key");
    if (id == nullptr && secret == nullptr) {
        return std::nullopt;
    }
    if (id == nullptr || secret == nullptr) {
        return fail(Error::fatal("profile '" + profile + "' in " + path + " sets " +
                                 (id ? "aws_access_key_id but not aws_secret_access_key"
                                     : "aws_secret_access_key but not aws_access_key_id") +
                                 ": set both"));
    }
    AwsCredentials c;
    c.access_key_id = *id;
    c.secret_access_key = *secret;
    if (const std::string* token = find_key(section, "aws_session_token")) {
        c.session_token = *token;
    }
    c.source = "profile '" + profile + "' in " + path;
    return c;
}

} // namespace

std::string redact_access_key_id(std::string_view access_key_id) {
    if (access_key_id.size() <= 8) {
        return std::string(access_key_id.empty() ? 0 : 4, '*');
    }
    return "****" + std::string(access_key_id.substr(access_key_id.size() - 4));
}

std::string AwsCredentials::describe() const {
    if (empty()) {
        return "no credentials";
    }
    std::string out = "access key " + redact_access_key_id(access_key_id) + ", secret hidden";
    out += session_token.empty() ? ", no session token" : ", session token set";
    if (!source.empty()) {
        out += ", from " + source;
    }
    return out;
}

EnvLookup process_env() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (v == nullptr) {
            return std::nullopt;
        }
        return std::string(v);
    };
}

EnvLookup env_from_map(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) {
            return std::nullopt;
        }
        return it->second;
    };
}

FileReader read_file_from_disk() {
    return [](const std::string& path) { return read_file_text(path); };
}

Result<IniSections> parse_ini(std::string_view text, std::string_view origin) {
    IniSections sections;
    std::map<std::string, std::string>* current = nullptr;
    std::string last_key; // the key an indented line continues
    size_t line_no = 0;
    for (size_t pos = 0; pos <= text.size();) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) {
            eol = text.size();
        }
        const std::string_view raw = text.substr(pos, eol - pos);
        pos = eol + 1;
        ++line_no;
        const std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#' || line.front() == ';') {
            continue;
        }
        const auto where = [&] { return std::string(origin) + " line " + std::to_string(line_no); };
        const bool indented = raw.front() == ' ' || raw.front() == '\t';
        if (indented && current != nullptr && !last_key.empty()) {
            const auto eq = line.find('=');
            if (eq != std::string_view::npos && (*current)[last_key].empty()) {
                const std::string sub(trim(line.substr(0, eq)));
                (*current)[last_key + "." + sub] = std::string(trim(line.substr(eq + 1)));
            } else {
                std::string& value = (*current)[last_key];
                value += value.empty() ? "" : "\n";
                value += line;
            }
            continue;
        }
        if (line.front() == '[') {
            if (line.back() != ']') {
                return fail(Error::fatal(where() + ": a section header must end with ']'"));
            }
            const std::string name(trim(line.substr(1, line.size() - 2)));
            if (name.empty()) {
                return fail(Error::fatal(where() + ": empty section name"));
            }
            current = &sections[name];
            last_key.clear();
            continue;
        }
        const auto split = line.find_first_of("=:");
        if (split == std::string_view::npos) {
            // The line is not echoed: it could be a secret pasted without its key.
            return fail(Error::fatal(where() + ": expected 'key = value' or a [section] header"));
        }
        if (current == nullptr) {
            return fail(Error::fatal(where() + ": a setting before any [section] header"));
        }
        // Keys are case-insensitive, as in the AWS CLI (Python's configparser lower-cases them).
        last_key = std::string(trim(line.substr(0, split)));
        for (char& c : last_key) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (last_key.empty()) {
            return fail(Error::fatal(where() + ": a setting without a name"));
        }
        (*current)[last_key] = std::string(trim(line.substr(split + 1)));
    }
    return sections;
}

namespace {

std::string missing_credentials_message(const AwsProfile& profile) {
    return "no AWS credentials found: looked at the environment variables AWS_ACCESS_KEY_ID and "
           "AWS_SECRET_ACCESS_KEY (not set), then profile '" + profile.name() + "'" +
           (profile.named_by_env() ? " (from AWS_PROFILE)" : " (AWS_PROFILE not set)") + " in " +
           profile.describe_files() +
           ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add aws_access_key_id and "
           "aws_secret_access_key to that profile";
}

// The first of `vars` that is set, else the first of the profile's `keys` that is.
std::string first_setting(const EnvLookup& env, std::initializer_list<const char*> vars, const AwsProfile& profile,
                          std::initializer_list<const char*> keys, std::string& source) {
    for (const char* var : vars) {
        if (auto v = non_empty(env, var)) {
            source = var;
            return *v;
        }
    }
    for (const char* key : keys) {
        if (auto v = profile.value(key, &source)) {
            return *v;
        }
    }
    return {};
}

} // namespace

struct AwsProfile::Files {
    SharedFile credentials;
    SharedFile config;
    IniSections config_profiles; //!< the config file's profiles, by plain name
};

Result<AwsProfile> AwsProfile::load(const EnvLookup& env, const FileReader& read_file) {
    auto credentials_file = load_shared_file(env, read_file, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
    if (!credentials_file) {
        return fail(credentials_file.error());
    }
    auto config_file = load_shared_file(env, read_file, "AWS_CONFIG_FILE", ".aws/config");
    if (!config_file) {
        return fail(config_file.error());
    }
    auto files = std::make_shared<Files>();
    files->credentials = std::move(*credentials_file);
    files->config = std::move(*config_file);
    files->config_profiles = config_profiles(files->config.sections);
    AwsProfile profile;
    profile.files_ = std::move(files);
    const auto explicit_profile = non_empty(env, "AWS_PROFILE");
    profile.name_ = explicit_profile.value_or("default");
    profile.named_by_env_ = explicit_profile.has_value();
    if (profile.named_by_env_ && !profile.exists()) {
        const std::string& name = profile.name_;
        return fail(Error::fatal("AWS_PROFILE names profile '" + name + "', which is in neither " +
                                 describe_file(profile.files_->credentials, "the credentials file") + " nor " +
                                 describe_file(profile.files_->config, "the config file") +
                                 ": add a [" + name + "] section to the credentials file or a [profile " + name +
                                 "] section to the config file, or unset AWS_PROFILE"));
    }
    return profile;
}

Result<AwsProfile> AwsProfile::other(const std::string& name) const {
    AwsProfile profile = *this;
    profile.name_ = name;
    profile.named_by_env_ = false;
    if (!profile.exists()) {
        return fail(Error::fatal("profile '" + name_ + "' names source_profile '" + name + "', which is in neither " +
                                 describe_files()));
    }
    return profile;
}

const IniSection* AwsProfile::in_credentials() const {
    const auto it = files_->credentials.sections.find(name_);
    return it == files_->credentials.sections.end() ? nullptr : &it->second;
}

const IniSection* AwsProfile::in_config() const {
    const auto it = files_->config_profiles.find(name_);
    return it == files_->config_profiles.end() ? nullptr : &it->second;
}

bool AwsProfile::exists() const { return in_credentials() != nullptr || in_config() != nullptr; }

std::optional<std::string> AwsProfile::value(const std::string& key, std::string* source) const {
    if (const std::string* v = find_key(in_config(), key)) {
        if (source != nullptr) {
            *source = "profile '" + name_ + "' in " + files_->config.path;
        }
        return *v;
    }
    if (const std::string* v = find_key(in_credentials(), key)) {
        if (source != nullptr) {
            *source = "profile '" + name_ + "' in " + files_->credentials.path;
        }
        return *v;
    }
    return std::nullopt;
}

const IniSection* AwsProfile::sso_session(const std::string& name) const {
    const auto it = files_->config.sections.find("sso-session " + name);
    return it == files_->config.sections.end() ? nullptr : &it->second;
}

Result<std::optional<AwsCredentials>> AwsProfile::static_credentials() const {
    auto from_credentials = credentials_in(in_credentials(), name_, files_->credentials.path);
    if (!from_credentials || from_credentials->has_value()) {
        return from_credentials;
    }
    return credentials_in(in_config(), name_, files_->config.path);
}

std::string AwsProfile::describe_files() const {
    return describe_file(files_->credentials, "the credentials file") + " and " +
           describe_file(files_->config, "the config file");
}

Result<std::optional<AwsCredentials>> credentials_from_environment(const EnvLookup& env) {
    auto env_id = non_empty(env, "AWS_ACCESS_KEY_ID");
    auto env_secret = non_empty(env, "AWS_SECRET_ACCESS_KEY");
    if (env_id && env_secret) {
        return AwsCredentials{*env_id, *env_secret, non_empty(env, "AWS_SESSION_TOKEN").value_or(""), "environment"};
    }
    if (env_id || env_secret) {
        return fail(Error::fatal(std::string(env_id ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
                                                    : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not") +
                                 ": set both, or unset both to use the shared credentials files"));
    }
    return std::nullopt;
}

Result<AwsSettings> resolve_aws_service_settings(const EnvLookup& env, const AwsProfile& profile) {
    AwsSettings settings;
    settings.profile = profile.name();
    settings.region = first_setting(env, {"AWS_REGION", "AWS_DEFAULT_REGION"}, profile, {"region"},
                                    settings.region_source);
    settings.endpoint_url = first_setting(env, {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}, profile,
                                          {"s3.endpoint_url", "endpoint_url"}, settings.endpoint_source);
    settings.addressing_style = profile.value("s3.addressing_style").value_or("");
    return settings;
}

Result<AwsSettings> resolve_aws_settings(const EnvLookup& env, const FileReader& read_file) {
    auto profile = AwsProfile::load(env, read_file);
    if (!profile) {
        return fail(profile.error());
    }
    auto settings = resolve_aws_service_settings(env, *profile);
    if (!settings) {
        return settings;
    }
    auto from_env = credentials_from_environment(env);
    if (!from_env) {
        return fail(from_env.error());
    }
    if (*from_env) {
        settings->credentials = std::move(**from_env);
        return settings;
    }
    auto from_profile = profile->static_credentials();
    if (!from_profile) {
        return fail(from_profile.error());
    }
    if (!*from_profile) {
        return fail(Error::fatal(missing_credentials_message(*profile)));
    }
    settings->credentials = std::move(**from_profile);
    return settings;
}

std::string no_credentials_message(const AwsProfile& profile) { return missing_credentials_message(profile); }

} // namespace ticklake::aws
