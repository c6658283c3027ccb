// Remembers the last N event ids to drop what a reconnect replays (a vendor's snapshot,
// last_match, or a burst it sends again). Memory is bounded by N, whatever the uptime.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>

namespace ticklake {

class DedupWindow {
public:
    explicit DedupWindow(size_t capacity) : capacity_(capacity) {}
    //! True when id is new (and now remembered); false when it is among the last N ids.
    bool insert(std::string_view id);
    size_t size() const { return order_.size(); }

private:
    size_t capacity_;
    std::deque<std::string> order_;         //!< oldest first, for eviction
    std::unordered_set<std::string_view> seen_; //!< views into order_'s strings
};

} // namespace ticklake
