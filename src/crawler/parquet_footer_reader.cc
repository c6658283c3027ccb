#include "crawler/parquet_footer_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <functional>
#include <vector>

#include "crawler/parquet_metadata.h"
#include "common/text_type.h"

namespace ticklake {

namespace {

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

// Splits "a INTEGER, b STRUCT(x INT, y INT)" at top-level commas.
std::vector<std::string> split_top_level(std::string_view s) {
    std::vector<std::string> out;
    int depth = 0;
    bool in_quote = false;
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '"') {
            in_quote = !in_quote;
        } else if (!in_quote && c == '(') {
            ++depth;
        } else if (!in_quote && c == ')') {
            --depth;
        } else if (!in_quote && depth == 0 && c == ',') {
            out.push_back(trim(s.substr(start, i - start)));
            start = i + 1;
        }
    }
    out.push_back(trim(s.substr(start)));
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

} // namespace

std::string hive_type_of_duckdb(std::string_view type) {
    std::string t = trim(type);
    if (t.size() > 2 && t.ends_with("[]")) {
        return "array<" + hive_type_of_duckdb(std::string_view(t).substr(0, t.size() - 2)) + ">";
    }
    const std::string u = upper(t);
    auto inner = [&](size_t open) { return std::string_view(t).substr(open + 1, t.size() - open - 2); };
    if (u.starts_with("STRUCT(") && u.ends_with(")")) {
        std::string out = "struct<";
        bool first = true;
        for (const auto& field : split_top_level(inner(6))) {
            std::string name;
            std::string_view rest;
            if (!field.empty() && field[0] == '"') {
                size_t end = 1;
                while (end < field.size()) {
                    if (field[end] == '"' && (end + 1 >= field.size() || field[end + 1] != '"')) {
                        break;
                    }
                    if (field[end] == '"') {
                        ++end;
                    }
                    name.push_back(field[end]);
                    ++end;
                }
                rest = std::string_view(field).substr(std::min(end + 1, field.size()));
            } else {
                const size_t sp = field.find(' ');
                name = field.substr(0, sp);
                rest = sp == std::string::npos ? std::string_view() : std::string_view(field).substr(sp + 1);
            }
            out += (first ? "" : ",") + name + ":" + hive_type_of_duckdb(rest);
            first = false;
        }
        return out + ">";
    }
    if (u.starts_with("MAP(") && u.ends_with(")")) {
        auto kv = split_top_level(inner(3));
        if (kv.size() == 2) {
            return "map<" + hive_type_of_duckdb(kv[0]) + "," + hive_type_of_duckdb(kv[1]) + ">";
        }
        return "string";
    }
    if (u.starts_with("DECIMAL")) {
        std::string d = u;
        for (auto& c : d) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        d.erase(std::remove(d.begin(), d.end(), ' '), d.end());
        return d;
    }
    if (u == "BOOLEAN") return "boolean";
    if (u == "TINYINT") return "tinyint";
    if (u == "SMALLINT" || u == "UTINYINT") return "smallint";
    if (u == "INTEGER" || u == "USMALLINT") return "int";
    if (u == "BIGINT" || u == "UINTEGER") return "bigint";
    if (u == "UBIGINT") return "decimal(20,0)";
    if (u == "HUGEINT" || u == "UHUGEINT") return "decimal(38,0)";
    if (u == "FLOAT") return "float";
    if (u == "DOUBLE") return "double";
    if (u == "DATE") return "date";
    if (u.starts_with("TIMESTAMP")) return "timestamp"; // _S, _MS, _NS, WITH TIME ZONE: all instants
    if (u == "BLOB") return "binary";
    return "string"; // VARCHAR, UUID, TIME, INTERVAL, JSON, ENUM: text is the faithful reading
}

ParquetFooterReader::ParquetFooterReader(std::filesystem::path scratch) : scratch_(std::move(scratch)) {}

ParquetFooterReader::~ParquetFooterReader() = default;

Result<std::unique_ptr<ParquetFooterReader>> ParquetFooterReader::create(std::filesystem::path scratch) {
    return std::unique_ptr<ParquetFooterReader>(new ParquetFooterReader(std::move(scratch)));
}

namespace {

// The footer's Thrift bytes from the last `tail` bytes of a file of `size` bytes; `more`
// fetches [offset, offset + length) when the footer is longer than the tail.
Result<std::string> footer_from_tail(const std::string& key, uint64_t size, std::string tail,
                                     const std::function<Result<std::string>(uint64_t, uint64_t)>& more,
                                     uint64_t& fetched) {
    if (size < 12) {
        return fail(Error::poison(key + " is too small to be a Parquet file (" + std::to_string(size) + " bytes)"));
    }
    if (tail.size() < 8 || tail.compare(tail.size() - 4, 4, "PAR1") != 0) {
        return fail(Error::poison(key + " does not end with the Parquet magic PAR1 (not Parquet, or cut short)"));
    }
    uint32_t footer_len = 0;
    std::memcpy(&footer_len, tail.data() + tail.size() - 8, 4); // little-endian, as is x86-64
    if (footer_len + 12ull > size) {
        return fail(Error::poison(key + " has a Parquet footer length beyond the file's size"));
    }
    const uint64_t footer_start = size - 8 - footer_len;
    const uint64_t tail_start = size - tail.size();
    if (footer_start >= tail_start) {
        return tail.substr(footer_start - tail_start, footer_len);
    }
    auto whole = more(footer_start, footer_len);
    if (!whole) {
        return fail(whole.error());
    }
    fetched += whole->size();
    if (whole->size() != footer_len) {
        return fail(Error::poison(key + " changed while its Parquet footer was read"));
    }
    return std::move(*whole);
}

} // namespace

Result<ParquetFooter> ParquetFooterReader::read_local(const std::filesystem::path& path, const std::string& key) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return fail(Error::retry("cannot open " + path.string() + ": " + std::strerror(errno)));
    }
    struct FdCloser {
        int fd;
        ~FdCloser() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return fail(Error::retry("cannot stat " + path.string() + ": " + std::strerror(errno)));
    }
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    auto pread_range = [&](uint64_t offset, uint64_t length) -> Result<std::string> {
        std::string out(length, '\0');
        size_t done = 0;
        while (done < length) {
            const ssize_t n = ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                break;
            }
            done += static_cast<size_t>(n);
        }
        out.resize(done);
        return out;
    };
    constexpr uint64_t kTail = 64 * 1024;
    auto tail = pread_range(size - std::min(kTail, size), std::min(kTail, size));
    uint64_t fetched = 0;
    auto footer = footer_from_tail(key, size, std::move(*tail), pread_range, fetched);
    if (!footer) {
        return fail(footer.error());
    }
    return decode_parquet_footer(*footer, key);
}

Result<ParquetFooter> ParquetFooterReader::read(ObjectStore& store, const ObjectEntry& entry) {
    if (auto local = store.local_path(entry.key)) {
        return read_local(*local, entry.key);
    }
    // Not local: fetch the tail, then the rest of the footer if it is longer than the tail.
    constexpr uint64_t kTail = 64 * 1024;
    if (entry.size < 12) {
        return fail(Error::poison(entry.key + " is too small to be a Parquet file (" + std::to_string(entry.size) +
                                  " bytes)"));
    }
    const uint64_t tail_len = std::min<uint64_t>(kTail, entry.size);
    auto tail = store.read_range(entry.key, entry.size - tail_len, tail_len);
    if (!tail) {
        return fail(tail.error());
    }
    uint64_t fetched = tail->size();
    if (tail->size() != tail_len) {
        return fail(Error::poison(entry.key + " is shorter than listed (changed while crawled?)"));
    }
    auto footer = footer_from_tail(
        entry.key, entry.size, std::move(*tail),
        [&](uint64_t offset, uint64_t length) { return store.read_range(entry.key, offset, length); }, fetched);
    if (!footer) {
        return fail(footer.error());
    }
    auto r = decode_parquet_footer(*footer, entry.key);
    if (r) {
        r->bytes_fetched = fetched;
    }
    return r;
}

} // namespace ticklake
