// An aligned plain-text table for the commands' human output (scripts use --json). Here, below
// the stages, so that the stages can render what their commands print.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace ticklake {

//! Columns padded to their widest cell; numbers (right = true) aligned right.
class TextTable {
public:
    explicit TextTable(std::vector<std::string> headers, std::vector<bool> right = {})
        : headers_(std::move(headers)), right_(std::move(right)) {
        right_.resize(headers_.size(), false);
    }
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

    //! The header line and one line per row, each ending in a newline; no trailing spaces.
    std::string render() const {
        std::vector<size_t> width(headers_.size());
        for (const auto* r : all_rows()) {
            for (size_t i = 0; i < r->size() && i < width.size(); ++i) {
                width[i] = std::max(width[i], (*r)[i].size());
            }
        }
        std::string out;
        for (const auto* r : all_rows()) {
            out += line(*r, width);
        }
        return out;
    }

private:
    std::vector<const std::vector<std::string>*> all_rows() const {
        std::vector<const std::vector<std::string>*> rows{&headers_};
        for (const auto& r : rows_) {
            rows.push_back(&r);
        }
        return rows;
    }
    std::string line(const std::vector<std::string>& r, const std::vector<size_t>& width) const {
        std::string out;
        for (size_t i = 0; i < r.size() && i < width.size(); ++i) {
            const std::string pad(width[i] - r[i].size(), ' ');
            const bool last = i + 1 == r.size();
            out += right_[i] ? pad + r[i] : r[i] + (last ? "" : pad);
            out += last ? "" : "  ";
        }
        while (!out.empty() && out.back() == ' ') {
            out.pop_back();
        }
        return out + "\n";
    }

    std::vector<std::string> headers_;
    std::vector<bool> right_;
    std::vector<std::vector<std::string>> rows_;
};

} // namespace ticklake
