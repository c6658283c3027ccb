#include "format/row_order.h"

#include <algorithm>
#include <utility>

namespace ticklake {

void RowOrder::add(std::string_view symbol) {
    // Consecutive rows nearly always share a symbol (one Kafka partition holds few).
    if (last_symbol_ == UINT32_MAX || symbols_[last_symbol_] != symbol) {
        auto it = symbol_ids_.find(symbol);
        if (it == symbol_ids_.end()) {
            const auto id = static_cast<uint32_t>(symbols_.size());
            symbols_.emplace_back(symbol);
            it = symbol_ids_.emplace(std::string(symbol), id).first;
        }
        last_symbol_ = it->second;
    }
    row_symbol_.push_back(last_symbol_);
}

void RowOrder::clear() {
    row_symbol_.clear();
    symbols_.clear();
    symbol_ids_.clear();
    last_symbol_ = UINT32_MAX;
}

std::vector<uint32_t> RowOrder::sorted(std::span<const int64_t> ts) const {
    const size_t n = row_symbol_.size();
    // Rank the distinct symbols (few), then bucket rows by rank: a stable counting sort.
    std::vector<uint32_t> by_name(symbols_.size());
    for (uint32_t i = 0; i < by_name.size(); ++i) {
        by_name[i] = i;
    }
    std::sort(by_name.begin(), by_name.end(), [&](uint32_t a, uint32_t b) { return symbols_[a] < symbols_[b]; });
    std::vector<uint32_t> rank_of(symbols_.size());
    for (uint32_t r = 0; r < by_name.size(); ++r) {
        rank_of[by_name[r]] = r;
    }
    std::vector<size_t> start(symbols_.size() + 1, 0);
    for (size_t row = 0; row < n; ++row) {
        ++start[rank_of[row_symbol_[row]] + 1];
    }
    for (size_t r = 1; r < start.size(); ++r) {
        start[r] += start[r - 1];
    }
    std::vector<uint32_t> order(n);
    {
        std::vector<size_t> next(start.begin(), start.end() - 1);
        for (size_t row = 0; row < n; ++row) {
            order[next[rank_of[row_symbol_[row]]]++] = static_cast<uint32_t>(row);
        }
    }
    // Within one symbol, rows nearly always arrive in time order already (per-symbol Kafka
    // order): check, and sort only the buckets that are not.
    std::vector<std::pair<int64_t, uint32_t>> keyed;
    for (size_t r = 0; r + 1 < start.size(); ++r) {
        const auto first = order.begin() + static_cast<ptrdiff_t>(start[r]);
        const auto last = order.begin() + static_cast<ptrdiff_t>(start[r + 1]);
        if (std::is_sorted(first, last, [&](uint32_t a, uint32_t b) { return ts[a] < ts[b]; })) {
            continue;
        }
        keyed.clear();
        for (auto it = first; it != last; ++it) {
            keyed.emplace_back(ts[*it], *it); // the row index breaks ties: stable
        }
        std::sort(keyed.begin(), keyed.end());
        auto out = first;
        for (const auto& k : keyed) {
            *out++ = k.second;
        }
    }
    return order;
}

} // namespace ticklake
