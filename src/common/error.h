// Errors as values at every boundary (librdkafka, DuckDB, the file system, user input).
// The kind tells the caller what to do next, not what went wrong inside a library.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace ticklake {

enum class ErrorKind {
    retry,            //!< transient: try again later (broker down, disk busy, timeout)
    poison,           //!< this one input is bad: dead-letter it and go on
    fatal,            //!< misconfiguration or broken invariant: stop with the message
    not_found,        //!< a thing that was looked up does not exist
    invalid_argument, //!< the user asked for something that cannot work: say what to fix
};

const char* to_string(ErrorKind kind);

struct Error {
    ErrorKind kind = ErrorKind::fatal;
    std::string message;

    static Error retry(std::string m) { return {ErrorKind::retry, std::move(m)}; }
    static Error poison(std::string m) { return {ErrorKind::poison, std::move(m)}; }
    static Error fatal(std::string m) { return {ErrorKind::fatal, std::move(m)}; }
    static Error not_found(std::string m) { return {ErrorKind::not_found, std::move(m)}; }
    static Error invalid(std::string m) { return {ErrorKind::invalid_argument, std::move(m)}; }
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(Error e) { return std::unexpected<Error>(std::move(e)); }

} // namespace ticklake
