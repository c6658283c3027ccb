#include "crawler/crawl_report.h"

#include <fmt/format.h>

#include "common/json_writer.h"

namespace ticklake {

std::vector<std::string> crawl_summary_lines(const CrawlSummary& s) {
    constexpr size_t kNotesShown = 25;
    std::vector<std::string> out;
    for (size_t i = 0; i < s.notes.size() && i < kNotesShown; ++i) {
        out.push_back("note: " + s.notes[i]);
    }
    if (s.notes.size() > kNotesShown) {
        out.push_back(fmt::format("note: ... and {} more (all of them with --json)", s.notes.size() - kNotesShown));
    }
    out.push_back(fmt::format("tables {} added, {} updated, {} unchanged; partitions {} added, {} removed; {} schema "
                              "version(s)",
                              s.tables_added, s.tables_updated, s.tables_unchanged, s.partitions_added,
                              s.partitions_removed, s.schema_versions));
    out.push_back(fmt::format("files {} listed, {} read ({:.1f} MiB), {} unchanged, {} removed, {} skipped, {} "
                              "ignored; {:.2f} s",
                              s.files_listed, s.files_read, static_cast<double>(s.bytes_read) / (1 << 20),
                              s.files_unchanged, s.files_removed, s.files_skipped, s.files_ignored, s.seconds));
    return out;
}

std::string crawl_summary_json(const CrawlSummary& s, const std::string& warehouse, const std::string& catalog) {
    JsonWriter w;
    w.begin_object();
    w.field("warehouse", warehouse).field("catalog", catalog);
    auto n = [&](const char* k, uint64_t v) { w.key(k).value(static_cast<int64_t>(v)); };
    n("tables_added", s.tables_added);
    n("tables_updated", s.tables_updated);
    n("tables_unchanged", s.tables_unchanged);
    n("partitions_added", s.partitions_added);
    n("partitions_removed", s.partitions_removed);
    n("schema_versions", s.schema_versions);
    n("files_listed", s.files_listed);
    n("files_read", s.files_read);
    n("files_unchanged", s.files_unchanged);
    n("files_removed", s.files_removed);
    n("files_skipped", s.files_skipped);
    n("files_ignored", s.files_ignored);
    n("bytes_read", s.bytes_read);
    w.key("seconds").value(s.seconds);
    w.key("notes").begin_array();
    for (const auto& note : s.notes) {
        w.value(note);
    }
    w.end_array().end_object();
    return w.str();
}

} // namespace ticklake
