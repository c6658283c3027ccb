// parquet/thrift_compact and parquet/parquet_slice: the footer of an S3 object a query slices
// (read_layout, plan_slice, write_slice's footer rewrite). The object comes from whoever wrote
// the warehouse, so its footer is untrusted input. First byte: which conditions the plan gets.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "parquet/parquet_slice.h"
#include "parquet/thrift_compact.h"

namespace {

using namespace ticklake::parquet;

std::vector<ColumnCondition> conditions_for(uint8_t mode, const ParquetLayout& layout) {
    std::vector<ColumnCondition> out;
    if (layout.columns.empty() || (mode & 3) == 0) {
        return out;
    }
    const ColumnInfo& c = layout.columns[mode % layout.columns.size()];
    ColumnCondition cond;
    cond.column = c.name;
    cond.kind = c.kind;
    cond.op = static_cast<ColumnCondition::Op>((mode >> 2) % 6);
    if (c.kind == StatsKind::time) {
        cond.values = {"2024-01-02 03:04:05", "1970-01-01"};
    } else if (c.kind == StatsKind::integer) {
        cond.values = {"42", "-9223372036854775808"};
    } else {
        cond.values = {"AAPL", ""};
    }
    if (cond.op != ColumnCondition::Op::in) {
        cond.values.resize(1);
    }
    out.push_back(std::move(cond));
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) {
        return 0;
    }
    const uint8_t mode = data[0];
    const std::string_view footer(reinterpret_cast<const char*>(data + 1), size - 1);

    // The tree codec alone: whatever decodes must encode to bytes that decode to the same bytes.
    size_t consumed = 0;
    if (auto tree = decode_thrift_struct(footer, &consumed)) {
        const std::string once = encode_thrift_struct(*tree);
        auto again = decode_thrift_struct(once);
        if (!again || encode_thrift_struct(*again) != once) {
            std::abort();
        }
    }

    // A file whose data area is as long as the footer, so chunk ranges stay small.
    const uint64_t file_size = 4 + footer.size() + footer.size() + 8;
    auto layout = read_layout(footer, file_size);
    if (!layout || !layout->unsupported.empty()) {
        return 0;
    }
    std::optional<std::set<std::string>> wanted;
    if ((mode & 0x80) != 0 && !layout->columns.empty()) {
        wanted = std::set<std::string>{layout->columns.front().name};
    }
    const SlicePlan plan = plan_slice(*layout, wanted, conditions_for(mode, *layout));
    (void)coalesce(plan.chunks, 1 << 20);
    (void)write_slice(*layout, plan,
                      [](const ByteRange& r) -> ticklake::Result<std::string> {
                          return std::string(static_cast<size_t>(r.length), '\0');
                      },
                      "/dev/null");
    return 0;
}
