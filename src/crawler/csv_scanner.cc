#include "crawler/csv_scanner.h"

#include <map>
#include <set>

#include "common/text_type.h"

namespace ticklake {

void CsvScanner::end_field() {
    fields_.push_back(std::move(field_));
    field_ = CsvField{};
    state_ = State::field_start;
}

void CsvScanner::end_record() {
    // A CR before the LF belongs to the line end, not to the last field.
    if (!field_.quoted && !field_.text.empty() && field_.text.back() == '\r') {
        field_.text.pop_back();
    }
    end_field();
    const bool blank = fields_.size() == 1 && !fields_[0].quoted && fields_[0].text.empty();
    if (!blank) {
        on_record_(fields_);
    }
    fields_.clear();
}

void CsvScanner::feed(std::string_view chunk) {
    for (char c : chunk) {
        switch (state_) {
        case State::field_start:
            if (c == quote_) {
                field_.quoted = true;
                state_ = State::quoted;
            } else if (c == delimiter_) {
                end_field();
            } else if (c == '\n') {
                end_record();
            } else {
                field_.text.push_back(c);
                state_ = State::bare;
            }
            break;
        case State::bare:
            if (c == delimiter_) {
                end_field();
            } else if (c == '\n') {
                end_record();
            } else {
                field_.text.push_back(c);
            }
            break;
        case State::quoted:
            if (c == quote_) {
                state_ = State::quote_in_quoted;
            } else {
                field_.text.push_back(c);
            }
            break;
        case State::quote_in_quoted:
            if (c == quote_) {
                field_.text.push_back(c);
                state_ = State::quoted;
            } else if (c == delimiter_) {
                end_field();
            } else if (c == '\n') {
                end_record();
            } else if (c == '\r') {
                // CRLF after a closing quote
            } else {
                field_.text.push_back(c); // text after a closing quote: keep it, as readers do
                state_ = State::bare;
            }
            break;
        }
    }
}

void CsvScanner::finish() {
    if (state_ != State::field_start || !fields_.empty() || !field_.text.empty()) {
        end_record();
    }
}

namespace {

std::vector<std::vector<CsvField>> records_of(std::string_view sample, bool complete, char delimiter, char quote,
                                              bool* quotes_seen) {
    std::vector<std::vector<CsvField>> out;
    CsvScanner scanner(delimiter, quote, [&](const std::vector<CsvField>& r) { out.push_back(r); });
    scanner.feed(sample);
    if (complete) {
        scanner.finish();
    }
    if (quotes_seen != nullptr) {
        *quotes_seen = false;
        for (const auto& r : out) {
            for (const auto& f : r) {
                *quotes_seen = *quotes_seen || f.quoted;
            }
        }
    }
    return out;
}

// Types as the profile does, with the default null tokens (the header decision comes before
// any option could matter: a header cell is never a null token in practice).
TextType field_type(const CsvField& f, CsvNumberStyle numbers) {
    static const CsvNullTokens kNulls;
    return csv_cell_type(f.text, f.quoted, kNulls, numbers);
}

bool detect_header(const std::vector<std::vector<CsvField>>& records, CsvNumberStyle numbers) {
    if (records.empty()) {
        return false;
    }
    const auto& first = records[0];
    if (records.size() == 1) {
        // Alone, a header is a row of text only.
        for (const auto& f : first) {
            if (field_type(f, numbers) != TextType::string) {
                return false;
            }
        }
        return true;
    }
    bool all_text = true;
    for (size_t c = 0; c < first.size(); ++c) {
        TextType below = TextType::null;
        for (size_t r = 1; r < records.size(); ++r) {
            if (c < records[r].size()) {
                below = widen(below, field_type(records[r][c], numbers));
            }
        }
        const TextType top = field_type(first[c], numbers);
        if (below != TextType::string && below != TextType::null) {
            all_text = false;
            if (top == TextType::string) {
                return true;
            }
        }
    }
    if (!all_text) {
        return false;
    }
    // A delimiter at the end of every line leaves empty cells there: not columns.
    size_t named = first.size();
    while (named > 1 && !first[named - 1].quoted && first[named - 1].text.empty()) {
        --named;
    }
    std::set<std::string> seen;
    for (size_t c = 0; c < named; ++c) {
        if (first[c].text.empty() || !seen.insert(first[c].text).second) {
            return false;
        }
        for (size_t r = 1; r < records.size(); ++r) {
            if (c < records[r].size() && records[r][c].text == first[c].text) {
                return false;
            }
        }
    }
    return true;
}

} // namespace

CsvDialect sniff_csv_dialect(std::string_view sample, bool complete) {
    auto score_of = [&](char delimiter, char quote, bool* quotes_seen) {
        std::vector<size_t> field_counts;
        for (const auto& r : records_of(sample, complete, delimiter, quote, quotes_seen)) {
            field_counts.push_back(r.size());
        }
        return csv_split_score(field_counts);
    };
    CsvDialect best;
    best.delimiter = sniff_csv_delimiter(sample, complete);
    size_t best_score = score_of(best.delimiter, '"', nullptr);
    for (char delimiter : {',', '\t', ';', '|'}) {
        bool quotes_seen = false;
        const size_t score = score_of(delimiter, '\'', &quotes_seen);
        if (quotes_seen && score > best_score) {
            best_score = score; // the single quote only when it is really used, and helps
            best.delimiter = delimiter;
            best.quote = '\'';
        }
    }
    bool quotes_seen = false;
    auto records = records_of(sample, complete, best.delimiter, best.quote, &quotes_seen);
    best.quotes_seen = quotes_seen;
    best.numbers = sniff_csv_number_style(sample, best.delimiter);
    best.header = detect_header(records, best.numbers);
    return best;
}

} // namespace ticklake
