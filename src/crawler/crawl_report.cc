#include "crawler/crawl_report.h"

#include <filesystem>
#include <utility>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "common/warehouse_uri.h"

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
    // In the order of CrawlSummary, so the keys of the JSON keep their order.
    const std::pair<const char*, uint64_t> counters[] = {
        {"tables_added", s.tables_added},     {"tables_updated", s.tables_updated},
        {"tables_unchanged", s.tables_unchanged}, {"partitions_added", s.partitions_added},
        {"partitions_removed", s.partitions_removed}, {"schema_versions", s.schema_versions},
        {"files_listed", s.files_listed},     {"files_read", s.files_read},
        {"files_unchanged", s.files_unchanged}, {"files_removed", s.files_removed},
        {"files_skipped", s.files_skipped},   {"files_ignored", s.files_ignored},
        {"bytes_read", s.bytes_read}};
    for (const auto& [name, value] : counters) {
        w.key(name).value(static_cast<int64_t>(value));
    }
    w.key("seconds").value(s.seconds);
    w.key("notes").begin_array();
    for (const auto& note : s.notes) {
        w.value(note);
    }
    w.end_array().end_object();
    return w.str();
}

std::string CrawlProgressLine::on(const CrawlProgress& p, Clock::time_point now) {
    const bool last = p.files_done == p.files_to_read;
    if (now - last_ < std::chrono::seconds(1) && !last) {
        return "";
    }
    last_ = now;
    return fmt::format("\rcrawl: {}/{} new or changed files read ({})\033[K{}", p.files_done, p.files_to_read,
                       p.table, last ? "\n" : "");
}

Status check_warehouse_folder(const std::string& warehouse) {
    if (is_s3_uri(warehouse)) {
        return {};
    }
    const std::string path = warehouse.starts_with("file://") ? warehouse.substr(7) : warehouse;
    if (!std::filesystem::is_directory(path)) {
        return fail(
            Error::invalid("no warehouse folder at " + path + " (a folder, file:// URI or s3://bucket/prefix)"));
    }
    return {};
}

} // namespace ticklake
