#include "common/error.h"

namespace ticklake {

const char* to_string(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::retry: return "retry";
    case ErrorKind::poison: return "poison";
    case ErrorKind::fatal: return "fatal";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::invalid_argument: return "invalid_argument";
    }
    return "unknown";
}

} // namespace ticklake
