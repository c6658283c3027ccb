// AWS credentials, region and endpoint as the AWS CLI reads them from the environment and the
// shared credentials and config files of the selected profile. Pure: the environment and the
// file reads are injected, so tests never touch the real home folder. The providers that ask a
// service (STS, SSO, ECS, IMDS, credential_process) are in credential_chain.h.
//
// Secrets never leave this type as text: describe() redacts, and no error message built
// here carries a value read from the environment or a file.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <memory>

#include "common/error.h"
#include "common/timestamp.h"

namespace ticklake::aws {

struct AwsCredentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token; //!< empty unless temporary (STS) credentials
    std::string source;        //!< where they came from, e.g. "environment", "profile 'x' in /h/.aws/credentials"
    std::optional<TimestampUs> expiration; //!< unset: they do not expire (long-term keys)

    bool empty() const { return access_key_id.empty() && secret_access_key.empty(); }
    //! "access key ****MPLE, secret hidden, session token set, from environment": safe to log.
    std::string describe() const;
};

//! "****" + the last four characters, as `aws configure list` shows it; all stars when short.
std::string redact_access_key_id(std::string_view access_key_id);

//! Looks up one environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
//! Reads a whole file; nullopt when it does not exist or cannot be read.
using FileReader = std::function<std::optional<std::string>(const std::string& path)>;

EnvLookup process_env();
EnvLookup env_from_map(std::map<std::string, std::string> vars);
FileReader read_file_from_disk();

//! One INI file as AWS tools read it: section -> key -> value. Lines starting with '#' or ';'
//! are comments; keys and values are trimmed; the first '=' or ':' splits key from value;
//! keys are case-sensitive. An indented "sub = value" line under a key with an empty value
//! (the `s3 =` block of the config file) is stored as "key.sub".
using IniSections = std::map<std::string, std::map<std::string, std::string>>;
//! `origin` names the file in error messages, which give line numbers and never content.
Result<IniSections> parse_ini(std::string_view text, std::string_view origin);

using IniSection = std::map<std::string, std::string>;

//! The selected profile's view of the two shared files, parsed once.
class AwsProfile {
public:
    //! Profile AWS_PROFILE (default "default") from AWS_SHARED_CREDENTIALS_FILE (or
    //! $HOME/.aws/credentials) and AWS_CONFIG_FILE (or $HOME/.aws/config). An AWS_PROFILE that
    //! neither file holds is an error.
    static Result<AwsProfile> load(const EnvLookup& env, const FileReader& read_file);
    //! Another profile of the same files (a source_profile); an error when neither file holds it.
    Result<AwsProfile> other(const std::string& name) const;

    const std::string& name() const { return name_; }
    bool named_by_env() const { return named_by_env_; }
    bool exists() const;
    //! A setting: the config file first, then the credentials file (the AWS CLI reads both).
    //! `source`, when given, says where it was found.
    std::optional<std::string> value(const std::string& key, std::string* source = nullptr) const;
    //! The config file's [sso-session NAME] section; null when absent.
    const IniSection* sso_session(const std::string& name) const;
    //! aws_access_key_id + aws_secret_access_key (+ aws_session_token), credentials file first;
    //! nullopt when the profile sets neither, an error naming the missing one when it sets one.
    Result<std::optional<AwsCredentials>> static_credentials() const;
    //! Both files with their paths and "(missing)" marks, for messages.
    std::string describe_files() const;

private:
    struct Files;
    const IniSection* in_credentials() const;
    const IniSection* in_config() const;

    std::shared_ptr<const Files> files_;
    std::string name_;
    bool named_by_env_ = false;
};

//! AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); nullopt when neither is
//! set, an error when only one is.
Result<std::optional<AwsCredentials>> credentials_from_environment(const EnvLookup& env);
//! "no AWS credentials found: looked at ..." for the chain's final error.
std::string no_credentials_message(const AwsProfile& profile);

struct AwsSettings {
    AwsCredentials credentials;
    std::string profile;         //!< the profile consulted ("default" unless AWS_PROFILE)
    std::string region;          //!< empty when nothing configures one
    std::string region_source;   //!< "AWS_REGION", "AWS_DEFAULT_REGION", "profile 'x' in <file>"
    std::string endpoint_url;    //!< empty unless overridden (S3-compatible servers)
    std::string endpoint_source; //!< "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "profile ..."
    std::string addressing_style; //!< the profile's s3.addressing_style, empty when unset
};

//! Resolution order (as the AWS CLI): credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
//! (+AWS_SESSION_TOKEN), else from profile AWS_PROFILE (default "default") in the shared
//! credentials file (AWS_SHARED_CREDENTIALS_FILE or $HOME/.aws/credentials, sections "[name]"),
//! else in the config file (AWS_CONFIG_FILE or $HOME/.aws/config, sections "[profile name]",
//! "[default]"). Region: AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`. Endpoint:
//! AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's `s3.endpoint_url`, `endpoint_url`.
//! Errors (kind fatal) say which variables and files were looked at and what to set.
Result<AwsSettings> resolve_aws_settings(const EnvLookup& env, const FileReader& read_file);
//! The same without credentials (left empty): region, endpoint and addressing style only, for
//! callers that take their credentials from the chain.
Result<AwsSettings> resolve_aws_service_settings(const EnvLookup& env, const AwsProfile& profile);

} // namespace ticklake::aws
