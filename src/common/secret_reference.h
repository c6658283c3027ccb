// Settings that hold secrets (a SASL password, an OAuth client secret) are written as references,
// `${env:NAME}` or `${file:/run/secrets/kafka}`, so that they never have to appear on a command
// line (where `ps` shows them) or in a config file under version control. This file resolves
// those references and holds the one list of setting names whose values are never shown.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace ticklake {

//! `value` with each `${env:NAME}` replaced by the environment variable and each
//! `${file:PATH}` by the file's content (one trailing line ending dropped, as secret files
//! written by `echo` or Kubernetes carry one); `$${` stands for a literal `${`. A variable
//! that is not set, a file that cannot be read or an unknown `${kind:` is an invalid_argument
//! error that names `setting` (the key the value belongs to) but never the value.
Result<std::string> resolve_secret_references(std::string_view value, std::string_view setting);

//! True for settings whose values are secrets: names holding password, secret, token or
//! credentials, librdkafka's sasl.oauthbearer.* and ssl.key.* / ssl_key, and AWS secret keys.
//! Case-insensitive; '-' and '_' count as '.'.
bool is_secret_setting(std::string_view name);

//! `value`, or "********" when `name` is a secret setting and `value` is not empty.
std::string masked_value(std::string_view name, std::string_view value);

} // namespace ticklake
