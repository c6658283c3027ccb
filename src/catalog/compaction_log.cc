// Catalog members for compactions (declared in catalog.h, model in compaction_log.h).
#include <algorithm>

#include "catalog/catalog.h"

namespace ticklake {

bool CompactionShadow::covers(std::string_view key) const {
    if (std::binary_search(keys.begin(), keys.end(), key)) {
        return true;
    }
    return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return key.starts_with(p); });
}

Result<int64_t> Catalog::begin_compaction(const CompactionRun& run) {
    auto id = table_id(run.database, run.table);
    if (!id) {
        return fail(id.error());
    }
    if (!*id) {
        return fail(Error::not_found("no table " + run.database + "." + run.table + " in catalog " + path().string()));
    }
    auto ins = db_.prepare("INSERT INTO compaction_runs(table_id, partition_values, warehouse, folder, state, "
                           "started_at) VALUES (?, ?, ?, ?, 'writing', ?)");
    if (!ins) {
        return fail(ins.error());
    }
    if (auto st = ins->bind_all(**id, partition_values_to_json(run.partition_values), run.warehouse, run.folder,
                                run.started_at)
                      .run();
        !st) {
        return fail(st.error());
    }
    return db_.last_insert_rowid();
}

Result<std::vector<CompactionRun>> Catalog::unfinished_compactions() {
    auto q = db_.prepare("SELECT r.id, d.name, t.name, r.partition_values, r.warehouse, r.folder, r.state, "
                         "r.started_at FROM compaction_runs r JOIN tables t ON t.id = r.table_id "
                         "JOIN databases d ON d.id = t.database_id WHERE r.state = 'writing' ORDER BY r.id");
    if (!q) {
        return fail(q.error());
    }
    std::vector<CompactionRun> out;
    for (auto row : q->rows()) {
        if (!row) {
            return fail(row.error());
        }
        auto values = partition_values_from_json(row->column_text(3));
        if (!values) {
            return fail(values.error());
        }
        out.push_back({row->column_int(0), row->column_text(1), row->column_text(2), std::move(*values),
                       row->column_text(4), row->column_text(5), row->column_text(6), row->column_int(7)});
    }
    return out;
}

Status Catalog::forget_compaction(int64_t run_id) {
    auto del = db_.prepare("DELETE FROM compaction_runs WHERE id = ? AND state = 'writing'");
    if (!del) {
        return fail(del.error());
    }
    return del->bind(1, run_id).run();
}

namespace {

// Fails with retry when any replaced file is no longer one of the table's files: another
// compaction took it, or a crawl saw it gone. Then the swap changes nothing.
Status check_replaced_present(SqliteDb& db, const CompactionSwap& s) {
    auto q = db.prepare("SELECT count(*) FROM files f JOIN tables t ON t.id = f.table_id "
                        "JOIN databases d ON d.id = t.database_id WHERE d.name = ? AND t.name = ? AND f.key = ?");
    if (!q) {
        return fail(q.error());
    }
    for (const auto& r : s.replaced) {
        auto n = q->bind_all(s.table.database, s.table.name, r.key).first_int();
        if (!n) {
            return fail(n.error());
        }
        if (n->value_or(0) != 1) {
            return fail(Error::retry("file " + r.key + " left table " + s.table.qualified_name() +
                                     " while it was being compacted"));
        }
    }
    return {};
}

Status record_run_files(SqliteDb& db, const CompactionSwap& s) {
    auto statements = db.prepare_all(
        {"INSERT INTO compaction_files(run_id, role, key, rows, topic, kafka_partition, first_offset) "
         "VALUES (?, ?, ?, ?, ?, ?, ?)",
         "INSERT INTO pending_deletions(run_id, key, not_before) VALUES (?, ?, ?)",
         "UPDATE compaction_runs SET state = 'committed', committed_at = ? WHERE id = ? AND state = 'writing'"});
    if (!statements) {
        return fail(statements.error());
    }
    auto& [ins_file, ins_pending, mark] = *statements;
    for (const auto& f : s.compacted) {
        const std::optional<int64_t> none;
        ins_file.bind_all(s.run_id, std::string_view("output"), f.key, f.rows);
        ins_file.bind(5, none).bind(6, none).bind(7, none);
        if (auto st = ins_file.run(); !st) {
            return st;
        }
    }
    for (const auto& r : s.replaced) {
        ins_file.bind_all(s.run_id, std::string_view("replaced"), r.key, r.rows);
        if (r.topic) {
            ins_file.bind(5, *r.topic);
        } else {
            ins_file.bind_null(5);
        }
        ins_file.bind(6, r.kafka_partition).bind(7, r.first_offset);
        if (auto st = ins_file.run(); !st) {
            return st;
        }
        if (auto st = ins_pending.bind_all(s.run_id, r.key, s.delete_after).run(); !st) {
            return st;
        }
    }
    if (auto st = mark.bind_all(now_us(), s.run_id).run(); !st) {
        return st;
    }
    if (db.changes() != 1) {
        return fail(Error::fatal("compaction run " + std::to_string(s.run_id) +
                                 " is not in progress: another process cleaned it up as an orphan"));
    }
    return {};
}

} // namespace

Status Catalog::swap_compacted(const CompactionSwap& swap) {
    TableChange change;
    change.table = swap.table;
    change.base_version = swap.table.schema_version;
    change.partitions = {swap.partition};
    change.upsert_files = swap.compacted;
    for (const auto& r : swap.replaced) {
        change.remove_files.push_back(r.key);
    }
    return in_transaction([&]() -> Status {
        if (auto st = check_replaced_present(db_, swap); !st) {
            return st;
        }
        if (auto st = apply_in_transaction(change); !st) {
            return st;
        }
        return record_run_files(db_, swap);
    });
}

Result<std::vector<PendingDeletion>> Catalog::pending_deletions(std::string_view warehouse, TimestampUs due_by) {
    auto q = db_.prepare("SELECT p.run_id, r.warehouse, p.key, p.not_before FROM pending_deletions p "
                         "JOIN compaction_runs r ON r.id = p.run_id WHERE r.warehouse = ? AND p.not_before <= ? "
                         "ORDER BY p.not_before, p.key");
    if (!q) {
        return fail(q.error());
    }
    std::vector<PendingDeletion> out;
    for (auto row : q->bind_all(warehouse, due_by).rows()) {
        if (!row) {
            return fail(row.error());
        }
        out.push_back({row->column_int(0), row->column_text(1), row->column_text(2), row->column_int(3)});
    }
    return out;
}

Status Catalog::deletion_done(const PendingDeletion& d) {
    auto del = db_.prepare("DELETE FROM pending_deletions WHERE run_id = ? AND key = ?");
    if (!del) {
        return fail(del.error());
    }
    return del->bind_all(d.run_id, d.key).run();
}

Result<std::vector<LineageEntry>> Catalog::lineage(std::string_view key) {
    // Down the graph: the runs that wrote `key`, the files they replaced, and for each of those
    // that an earlier run wrote, that run's replaced files in turn.
    auto q = db_.prepare(
        "WITH RECURSIVE src(run_id, key, via) AS ("
        "  SELECT r.run_id, r.key, '' FROM compaction_files o JOIN compaction_files r "
        "    ON r.run_id = o.run_id AND r.role = 'replaced' WHERE o.role = 'output' AND o.key = ?1 "
        "  UNION "
        "  SELECT r.run_id, r.key, src.key FROM src JOIN compaction_files o ON o.role = 'output' AND o.key = src.key "
        "    JOIN compaction_files r ON r.run_id = o.run_id AND r.role = 'replaced') "
        "SELECT src.run_id, src.key, f.rows, f.topic, f.kafka_partition, f.first_offset, src.via FROM src "
        "JOIN compaction_files f ON f.run_id = src.run_id AND f.role = 'replaced' AND f.key = src.key "
        "ORDER BY src.key, src.run_id");
    if (!q) {
        return fail(q.error());
    }
    std::vector<LineageEntry> out;
    for (auto row : q->bind(1, key).rows()) {
        if (!row) {
            return fail(row.error());
        }
        LineageEntry e;
        e.run_id = row->column_int(0);
        e.replaced.key = row->column_text(1);
        e.replaced.rows = row->column_int(2);
        if (auto topic = row->column_text(3); !topic.empty()) {
            e.replaced.topic = topic;
        }
        e.replaced.kafka_partition = row->column_optional_int(4);
        e.replaced.first_offset = row->column_optional_int(5);
        e.via = row->column_text(6);
        out.push_back(std::move(e));
    }
    return out;
}

Result<CompactionShadow> Catalog::compaction_shadow(std::string_view warehouse) {
    auto statements = db_.prepare_all(
        {"SELECT p.key FROM pending_deletions p JOIN compaction_runs r ON r.id = p.run_id WHERE r.warehouse = ? "
         "ORDER BY p.key",
         "SELECT folder FROM compaction_runs WHERE warehouse = ? AND state = 'writing' ORDER BY folder"});
    if (!statements) {
        return fail(statements.error());
    }
    auto& [keys, folders] = *statements;
    CompactionShadow out;
    for (auto row : keys.bind(1, warehouse).rows()) {
        if (!row) {
            return fail(row.error());
        }
        out.keys.push_back(row->column_text(0));
    }
    for (auto row : folders.bind(1, warehouse).rows()) {
        if (!row) {
            return fail(row.error());
        }
        out.prefixes.push_back(row->column_text(0));
    }
    return out;
}

} // namespace ticklake
