"""Exactly once, end to end: every event id produced lands in exactly one row."""
import signal
import subprocess

import duckdb
import pyarrow.compute as pc
import pyarrow.dataset as ds

from conftest import (keep_grain, BINARY, data_files, kcat_dump, kill_inside_a_batch, kill_tree, produce_sim, run, sink,
                      sink_args, wait_for)

TRADE_COLS = "id VARCHAR, type VARCHAR, symbol VARCHAR, ts VARCHAR, price DOUBLE, size DOUBLE, " \
             "exchange VARCHAR, side VARCHAR, bid DOUBLE, bid_size DOUBLE, ask DOUBLE, ask_size DOUBLE"


def ids_by_duckdb(warehouse, ext="parquet"):
    con = duckdb.connect()
    reader = {"parquet": "read_parquet", "jsonl": "read_json_auto", "csv": "read_csv_auto"}[ext]
    rows = con.execute(
        f"SELECT count(*), count(DISTINCT id) FROM {reader}('{warehouse}/market/*/*/*.{ext}')").fetchone()
    return rows


def ids_by_pyarrow(warehouse):
    total, distinct = 0, set()
    for table in ("trades", "quotes"):
        path = warehouse / "market" / table
        if not path.exists():
            continue
        t = ds.dataset(str(path), format="parquet", partitioning="hive").to_table(columns=["id"])
        total += t.num_rows
        distinct.update(t.column("id").to_pylist())
    return total, len(distinct)


def assert_values_equal_to_sent(warehouse, dump):
    """Joins every stored row with the message kcat read from the topic; all fields must match."""
    con = duckdb.connect()
    con.execute(f"CREATE TABLE sent AS SELECT * FROM read_json('{dump}', format='newline_delimited', "
                f"columns={{{', '.join(repr(c.split()[0]) + ': ' + repr(c.split()[1]) for c in TRADE_COLS.split(', '))}}})")
    con.execute(f"CREATE TABLE trades AS SELECT * FROM read_parquet('{warehouse}/market/trades/*/*.parquet')")
    con.execute(f"CREATE TABLE quotes AS SELECT * FROM read_parquet('{warehouse}/market/quotes/*/*.parquet')")
    sent_trades, sent_quotes = con.execute(
        "SELECT count(*) FILTER (type='trade'), count(*) FILTER (type='quote') FROM sent").fetchone()
    assert con.execute("SELECT count(*) FROM trades").fetchone()[0] == sent_trades
    assert con.execute("SELECT count(*) FROM quotes").fetchone()[0] == sent_quotes
    mismatched_trades = con.execute("""
        SELECT count(*) FROM sent s JOIN trades t USING (id)
        WHERE s.type = 'trade' AND NOT (s.symbol = t.symbol AND CAST(replace(s.ts, 'Z', '') AS TIMESTAMP) = t.ts
          AND s.price = t.price AND s.size = t.size AND s.exchange = t.exchange AND s.side = t.side)""").fetchone()[0]
    matched_trades = con.execute(
        "SELECT count(*) FROM sent s JOIN trades t USING (id) WHERE s.type = 'trade'").fetchone()[0]
    assert matched_trades == sent_trades
    assert mismatched_trades == 0
    mismatched_quotes = con.execute("""
        SELECT count(*) FROM sent s JOIN quotes q USING (id)
        WHERE s.type = 'quote' AND NOT (s.symbol = q.symbol AND CAST(replace(s.ts, 'Z', '') AS TIMESTAMP) = q.ts
          AND s.bid = q.bid AND s.ask = q.ask AND s.bid_size = q.bid_size AND s.ask_size = q.ask_size)""").fetchone()[0]
    assert mismatched_quotes == 0


def test_one_million_events_land_exactly_once(broker, topic, warehouse, tmp_path):
    n = 1_000_000
    produce_sim(broker, topic, n, days=3)
    summary, _ = sink(broker, topic, warehouse)
    assert summary["consumed"] == n
    assert summary["rows_written"] == n
    assert summary["dead_letters"] == 0
    assert ids_by_duckdb(warehouse) == (n, n)
    assert ids_by_pyarrow(warehouse) == (n, n)
    # Hive partitions by event date: three trading days.
    days = {p.name for p in (warehouse / "market" / "trades").iterdir()}
    assert days == {"dt=2025-01-06", "dt=2025-01-07", "dt=2025-01-08"}
    # Files carry topic, partition and first offset; no staging leftovers.
    files = data_files(warehouse, "trades", "parquet") + data_files(warehouse, "quotes", "parquet")
    assert all(f.name.startswith(topic + "-p") and "-o" in f.name for f in files)
    assert not list(warehouse.rglob("*.tmp"))
    assert_values_equal_to_sent(warehouse, kcat_dump(broker, topic, tmp_path / "sent.jsonl"))


def test_rows_are_sorted_by_symbol_then_time_in_each_file(broker, topic, warehouse):
    produce_sim(broker, topic, 50_000, partitions=2)
    sink(broker, topic, warehouse)
    con = duckdb.connect()
    for f in data_files(warehouse, "trades", "parquet"):
        unsorted = con.execute(f"""
            SELECT count(*) FROM (
              SELECT symbol, ts, lag(symbol) OVER () AS ps, lag(ts) OVER () AS pt FROM read_parquet('{f}'))
            WHERE ps > symbol OR (ps = symbol AND pt > ts)""").fetchone()[0]
        assert unsorted == 0, f


def test_jsonl_and_csv_formats_hold_the_same_rows(broker, topic, warehouse, tmp_path):
    n = 30_000
    produce_sim(broker, topic, n, partitions=3)
    for fmt in ("jsonl", "csv"):
        wh = tmp_path / f"wh-{fmt}"
        summary, _ = sink(broker, topic, wh, group=f"g-{fmt}-{topic}", fmt=fmt)
        assert summary["rows_written"] == n
        assert ids_by_duckdb(wh, fmt) == (n, n)


def test_kill_nine_mid_run_then_restart_is_exactly_once(broker, topic, warehouse, tmp_path):
    n = 400_000
    produce_sim(broker, topic, n, partitions=4, days=3)
    group = "g-kill-" + topic
    # Each run rotates at another size. A redone batch starts at the committed offset, so
    # its files mostly get the same names and overwrite the killed attempt's; the last run
    # also changes the time partition (dt= -> month=), where only recovery, which removes
    # the killed batch's files, avoids duplicates.
    args = lambda rows, part="day": sink_args(broker, topic, warehouse, group=group,
                                              extra=("--rotate-rows", str(rows), "--time-partition", part))
    journals = warehouse / "_ticklake" / "sink" / group / topic

    def all_data_files():
        return set(data_files(warehouse, "quotes", "parquet") + data_files(warehouse, "trades", "parquet"))

    logs = []
    for attempt in range(2):
        logs.append(tmp_path / f"sink{attempt}.log")
        baseline = len(all_data_files())
        proc = subprocess.Popen([str(BINARY), *args(20_000 - 5_000 * attempt)], stdout=subprocess.DEVNULL,
                                stderr=open(logs[-1], "w"))
        # Let a few batches commit first, so the restart has progress to keep.
        wait_for(lambda: len(all_data_files()) >= baseline + 6, 120, "committed batches")
        killed = kill_inside_a_batch(proc, journals, warehouse)
        proc.wait(timeout=60)
        assert killed, "no kill landed inside a batch: make the test bigger"
    logs.append(tmp_path / "final.log")
    keep_grain(warehouse, "month")  # a kept grain is never changed by a flag alone
    summary, proc = sink(broker, topic, warehouse, group=group,
                         extra=("--rotate-rows", "25000", "--time-partition", "month"))
    logs[-1].write_text(proc.stderr)
    assert ids_by_duckdb(warehouse) == (n, n)
    assert not list(warehouse.rglob("*.tmp"))
    # The restarts found the killed batches' files and removed them before redoing them...
    recoveries = sum(log.read_text().count("of an uncommitted batch") for log in logs[1:])
    assert recoveries >= 2, [log.read_text() for log in logs]
    # ...and resumed from committed offsets instead of starting over.
    assert summary["consumed"] < n


def test_two_sinks_in_one_group_rebalance_exactly_once(broker, topic, warehouse, tmp_path):
    n_first, n_paced = 20_000, 300_000
    produce_sim(broker, topic, n_first, partitions=6)
    group = "g-rebalance-" + topic
    args = sink_args(broker, topic, warehouse, group=group, idle=4, extra=("--rotate-rows", "5000"))
    logs = [tmp_path / "sink1.log", tmp_path / "sink2.log"]

    def start_sink(log):
        return subprocess.Popen([str(BINARY), *args], stdout=subprocess.DEVNULL, stderr=open(log, "w"))

    def assignments(log):
        return log.read_text().count("assigned partitions")

    first = start_sink(logs[0])
    # A paced producer keeps data flowing while members join and leave.
    producer = subprocess.Popen([str(BINARY), "produce", "-b", broker.bootstrap, "-t", topic, "--source", "sim",
                                 "--count", str(n_paced), "--seed", "99", "--rate", "40000", "--no-progress"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: assignments(logs[0]) >= 1, 60, "the first sink's assignment")
    second = start_sink(logs[1])  # rebalance 1: the first flushes, commits, and shares
    wait_for(lambda: assignments(logs[0]) >= 2 and assignments(logs[1]) >= 1, 60, "the shared assignment")
    files_then = len(data_files(warehouse, "quotes", "parquet"))
    wait_for(lambda: len(data_files(warehouse, "quotes", "parquet")) >= files_then + 4, 120, "files of both sinks")
    assert producer.poll() is None, "the producer finished before the second rebalance: slow it down"
    first.send_signal(signal.SIGTERM)  # rebalance 2: the first leaves cleanly mid-stream
    first.wait(timeout=120)
    _, perr = producer.communicate(timeout=300)
    assert producer.returncode == 0 and f"delivered {n_paced} of {n_paced}" in perr, perr
    second.wait(timeout=300)
    assert first.returncode == 0, logs[0].read_text()
    assert second.returncode == 0, logs[1].read_text()
    assert "revoked" in logs[0].read_text()
    assert assignments(logs[1]) >= 2, logs[1].read_text()  # a share, then everything
    n = n_first + n_paced
    assert ids_by_duckdb(warehouse) == (n, n)


def test_poison_messages_go_to_dead_letters_and_the_rest_flows(broker, topic, warehouse, tmp_path):
    good = 20_000
    produce_sim(broker, topic, good, partitions=2)
    poison = [
        "not json at all",
        '{"type":"trade","id":"p1","symbol":"X","ts":"2025-01-06T15:00:00Z","price":"abc","size":1}',
        '{"type":"tick","id":"p2","symbol":"X","ts":"2025-01-06T15:00:00Z"}',
        '{"type":"trade","symbol":"X","ts":"2025-01-06T15:00:00Z","price":1,"size":1}',
        '{"type":"quote","id":"p4","symbol":"X","ts":"yesterday","bid":1,"ask":2}',
        '[1,2,3]',
        '{"type":"trade","id":"p6","symbol":"","ts":"2025-01-06T15:00:00Z","price":1,"size":1}',
    ]
    lines = "".join(f"X\t{p}\n" for p in poison)
    subprocess.run(["kcat", "-P", "-b", broker.bootstrap, "-t", topic, "-K", "\t"], input=lines, text=True,
                   check=True, timeout=60)
    produce_sim(broker, topic, good, seed=8, partitions=2)  # more good events after the poison
    summary, _ = sink(broker, topic, warehouse)
    assert summary["dead_letters"] == len(poison)
    assert summary["rows_written"] == 2 * good
    assert ids_by_duckdb(warehouse) == (2 * good, 2 * good)
    con = duckdb.connect()
    dead = con.execute(f"SELECT topic, partition, \"offset\", reason, value FROM read_json_auto("
                       f"'{warehouse}/market/dead_letters/*/*.jsonl') ORDER BY value").fetchall()
    assert len(dead) == len(poison)
    assert sorted(d[4] for d in dead) == sorted(poison)
    assert all(d[0] == topic and d[3] for d in dead)
    reasons = " | ".join(d[3] for d in dead)
    for expected in ("JSON", "must be a number", "unknown type", "missing field 'id'", "ISO 8601", "symbol"):
        assert expected in reasons, reasons


def test_sink_to_a_missing_topic_says_what_to_do(broker, warehouse):
    proc = run(sink_args(broker, "no-such-topic-xyz", warehouse), check=False, timeout=60)
    assert proc.returncode != 0
    assert "no-such-topic-xyz" in proc.stderr and "does not exist" in proc.stderr


def test_a_slow_stream_is_written_within_max_buffer_age(broker, topic, warehouse):
    """Rotation by size would hold a trickle in memory for days: --max-buffer-age bounds it."""
    produce_sim(broker, topic, 1, partitions=1)  # create the topic
    producer = subprocess.Popen([str(BINARY), "produce", "-b", broker.bootstrap, "-t", topic, "--source", "sim",
                                 "--count", "400", "--seed", "5", "--rate", "100", "--no-progress"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sink_proc = subprocess.Popen([str(BINARY), *sink_args(broker, topic, warehouse, idle=3,
                                                          extra=("--max-buffer-age", "1"))],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Files must appear while the producer is still sending (it needs 4 s for 400 events).
    wait_for(lambda: len(data_files(warehouse, "quotes", "parquet")) >= 1, 30, "a file from the trickle")
    assert producer.poll() is None, "the producer finished before any file appeared"
    assert producer.wait(timeout=60) == 0
    assert sink_proc.wait(timeout=60) == 0
    assert ids_by_duckdb(warehouse) == (401, 401)
