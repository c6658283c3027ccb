// An aligned plain-text table for the commands' human output (scripts use --json).
#pragma once

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace ticklake::cli {

//! Columns padded to their widest cell; numbers (right = true) aligned right.
class TextTable {
public:
    explicit TextTable(std::vector<std::string> headers, std::vector<bool> right = {})
        : headers_(std::move(headers)), right_(std::move(right)) {
        right_.resize(headers_.size(), false);
    }
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void print() const {
        std::vector<size_t> width(headers_.size());
        auto measure = [&](const std::vector<std::string>& r) {
            for (size_t i = 0; i < r.size() && i < width.size(); ++i) {
                width[i] = std::max(width[i], r[i].size());
            }
        };
        measure(headers_);
        for (const auto& r : rows_) {
            measure(r);
        }
        auto line = [&](const std::vector<std::string>& r) {
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
            std::puts(out.c_str());
        };
        line(headers_);
        for (const auto& r : rows_) {
            line(r);
        }
    }

private:
    std::vector<std::string> headers_;
    std::vector<bool> right_;
    std::vector<std::vector<std::string>> rows_;
};

} // namespace ticklake::cli
