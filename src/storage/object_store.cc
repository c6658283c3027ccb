#include "storage/object_store.h"

namespace ticklake {

Result<std::vector<std::string>> ObjectStore::list(std::string_view prefix) {
    auto entries = list_entries(prefix);
    if (!entries) {
        return fail(entries.error());
    }
    std::vector<std::string> keys;
    keys.reserve(entries->size());
    for (auto& e : *entries) {
        keys.push_back(std::move(e.key));
    }
    return keys;
}

} // namespace ticklake
