#include "sources/live/dedup_window.h"

namespace ticklake {

bool DedupWindow::insert(std::string_view id) {
    if (capacity_ == 0) {
        return true;
    }
    if (seen_.contains(id)) {
        return false;
    }
    if (order_.size() == capacity_) {
        seen_.erase(order_.front());
        order_.pop_front();
    }
    // std::deque never moves its elements on push_back/pop_front, so the views stay valid;
    // short ids live inside the string object itself, which the deque does not move either.
    order_.emplace_back(id);
    seen_.insert(order_.back());
    return true;
}

} // namespace ticklake
