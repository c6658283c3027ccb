// The order rows are written in: by symbol (the Kafka key), then event time; rows with equal
// symbol and time keep their arrival (offset) order. Symbols compare as bytes.
// @locality one thread, with the buffer that owns it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ticklake {

class RowOrder {
public:
    //! Records the next row's symbol ("" for none).
    void add(std::string_view symbol);
    //! Row indexes in write order; ts[i] is row i's event time.
    std::vector<uint32_t> sorted(std::span<const int64_t> ts) const;
    void clear();

private:
    struct StringHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };

    //! Dense id of each row's symbol (index into symbols_), so sorting never compares strings per row.
    std::vector<uint32_t> row_symbol_;
    std::vector<std::string> symbols_;
    std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> symbol_ids_;
    uint32_t last_symbol_ = UINT32_MAX;
};

} // namespace ticklake
