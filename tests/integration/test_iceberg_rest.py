"""The Iceberg REST catalog of `ticklake serve` (#18): PyIceberg's RestCatalog, an independent
client, lists and loads the sink's table over HTTP and scans every id; two RestCatalog clients
(two "hosts", neither touching the SQLite file) append to the table at once, the server's
compare-and-swap turns the loser of each race into 409 CommitFailedException, the client retries
on the new metadata, and every row lands once; `ticklake query` and the sink then carry on from
what the REST writers committed."""
import json
import logging
import os
import subprocess
import threading

import pytest

from conftest import BINARY, free_port, kcat_dump, produce_sim, run, sink_args

pytest.importorskip("pyiceberg.catalog.rest")


def rest_catalog(url):
    from pyiceberg.catalog import load_catalog
    return load_catalog("ticklake", **{"type": "rest", "uri": f"{url}/iceberg"})


def serve(catalog_path):
    """`ticklake serve` of the catalog file on a free loopback port (test_console's Serve)."""
    from test_console import Serve
    return Serve(["--catalog", str(catalog_path), "--listen", f"127.0.0.1:{free_port()}"], dict(os.environ))


def ids_of(table):
    return table.scan(selected_fields=("id",)).to_arrow().column("id").to_pylist()


def test_pyiceberg_rest_clients_load_and_commit_through_ticklake_serve(broker, topic, warehouse, tmp_path):
    import pyarrow as pa
    from pyiceberg.exceptions import CommitFailedException
    n = 5_000
    produce_sim(broker, topic, n, partitions=2, days=1, extra=("--quote-ratio", "0"))
    catalog_path = tmp_path / "catalog.db"
    # Unpartitioned (--time-partition none): PyIceberg appends to it without its native extension.
    args = sink_args(broker, topic, warehouse, grain="none",
                     extra=("--table-format", "iceberg", "--catalog", str(catalog_path), "--rotate-rows", "1000"))
    run(args)
    server = serve(catalog_path)
    url = server.url
    try:
        first = rest_catalog(url)
        assert ("market",) in first.list_namespaces()
        assert ("market", "trades") in first.list_tables("market")
        table = first.load_table("market.trades")
        assert sorted(ids_of(table)) == sorted(
            json.loads(line)["id"] for line in kcat_dump(broker, topic, tmp_path / "a.jsonl").read_text().splitlines())

        schema = table.schema().as_arrow()
        conflicts = []

        def writer(name, rounds=6, rows=25):
            catalog = rest_catalog(url)  # its own client and its own view of the table
            t = catalog.load_table("market.trades")
            for r in range(rounds):  # PyIceberg retries a lost race itself; CommitFailedException after 4
                batch = pa.Table.from_pylist(
                    [{"id": f"{name}-{r}-{i}", "symbol": "RST", "ts": None, "recv_ts": None, "source": name,
                      "price": 1.0 + i, "size": 1.0, "exchange": "X", "side": "buy"} for i in range(rows)],
                    schema=schema)
                while True:
                    try:
                        t.append(batch)
                        break
                    except CommitFailedException:
                        conflicts.append(name)
                        t = catalog.load_table("market.trades")

        # A race, for certain: both clients load, A commits, B's commit names a parent that is no
        # longer current and is refused (409, CommitFailedException); PyIceberg then reloads and
        # commits on top by itself (its retry logs a warning, counted here).
        def rows(name):
            return pa.Table.from_pylist([{"id": f"{name}-{i}", "symbol": "RST", "ts": None, "recv_ts": None,
                                          "source": name, "price": 1.0, "size": 1.0, "exchange": "X", "side": "buy"}
                                         for i in range(10)], schema=schema)
        t_a, t_b = rest_catalog(url).load_table("market.trades"), rest_catalog(url).load_table("market.trades")
        retries = []

        class Count(logging.Handler):
            def emit(self, record):
                if "concurrent update" in record.getMessage():
                    retries.append(record.getMessage())

        handler = Count()
        logging.getLogger("pyiceberg").addHandler(handler)
        t_a.append(rows("race-a"))
        t_b.append(rows("race-b"))
        assert len(retries) == 1, retries

        threads = [threading.Thread(target=writer, args=(name,)) for name in ("host-a", "host-b")]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        logging.getLogger("pyiceberg").removeHandler(handler)
        ids = ids_of(first.load_table("market.trades"))
        assert len(ids) == len(set(ids)) == n + 20 + 2 * 6 * 25
        print(f"\nREST commits: 2 + 12 appends from two clients; {len(retries)} lost a race and were retried "
              f"by PyIceberg, {len(conflicts)} by the test")
    finally:
        server.stop()

    # The SQLite file's own readers agree, and the sink commits on top of the REST writers.
    proc = subprocess.run([str(BINARY), "query", "--catalog", str(catalog_path), "--format", "jsonl", "-q",
                           "SELECT count(*) AS n, count(*) FILTER (WHERE symbol = 'RST') AS rest FROM market.trades"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"n": n + 320, "rest": 320}
    produce_sim(broker, topic, 1_000, seed=9, partitions=2, days=1, extra=("--quote-ratio", "0"))
    run(args)
    from pyiceberg.catalog.sql import SqlCatalog
    sql = SqlCatalog("ticklake", uri=f"sqlite:///{catalog_path}", warehouse=f"file://{warehouse}")
    ids = ids_of(sql.load_table("market.trades"))
    assert len(ids) == len(set(ids)) == n + 320 + 1_000


def test_two_sinks_on_two_hosts_commit_through_the_rest_catalog(broker, topic, warehouse, tmp_path):
    """Several hosts, one table: two sinks of one group (each with a catalog file of its own for
    the Hive registration, neither touching the server's) commit their partitions' batches to
    one Iceberg table through `ticklake serve`'s REST catalog; the server's compare-and-swap
    orders them, a sink that lost a race reloads and commits again. Every id lands once. Then
    one is killed between its table commit and Kafka's, and the restart skips what the table
    (read over REST) already holds."""
    import sqlite3
    from pyiceberg.catalog.sql import SqlCatalog
    n = 20_000
    produce_sim(broker, topic, n, partitions=4, days=1, extra=("--quote-ratio", "0"))
    server_catalog = tmp_path / "server.db"
    (tmp_path / "empty").mkdir()
    run(["crawl", str(tmp_path / "empty"), "--catalog", str(server_catalog)])  # an empty ticklake catalog
    server = serve(server_catalog)
    url = server.url
    try:
        def args(host):
            return sink_args(broker, topic, warehouse, idle=5,
                             extra=("--table-format", "iceberg", "--iceberg-rest", f"{url}/iceberg",
                                    "--catalog", str(tmp_path / f"{host}.db"), "--rotate-rows", "1000",
                                    "-X", "session.timeout.ms=6000"))

        sinks = [subprocess.Popen([str(BINARY), *args(host)], stdout=subprocess.DEVNULL,
                                  stderr=open(tmp_path / f"{host}.log", "w")) for host in ("host-a", "host-b")]
        for s, host in zip(sinks, ("host-a", "host-b")):
            assert s.wait(timeout=300) == 0, (tmp_path / f"{host}.log").read_text()[-3000:]
        logs = {h: (tmp_path / f"{h}.log").read_text() for h in ("host-a", "host-b")}
        assert all("assigned partitions" in log for log in logs.values())

        def stored():
            sql = SqlCatalog("ticklake", uri=f"sqlite:///{server_catalog}", warehouse=f"file://{warehouse}")
            return sql.load_table("market.trades").scan(selected_fields=("id",)).to_arrow().column("id").to_pylist()

        sent = lambda: [json.loads(line)["id"] for line in
                        kcat_dump(broker, topic, tmp_path / "sent.jsonl").read_text().splitlines()]
        ids = stored()
        assert len(ids) == len(set(ids)) and sorted(ids) == sorted(sent())
        for host in ("host-a", "host-b"):  # their own catalog files hold no Iceberg pointer
            with sqlite3.connect(tmp_path / f"{host}.db") as db:
                assert db.execute("SELECT count(*) FROM iceberg_tables").fetchone()[0] == 0

        produce_sim(broker, topic, 4_000, seed=11, partitions=4, days=1, extra=("--quote-ratio", "0"))
        crashed = subprocess.run([str(BINARY), *args("host-a")], capture_output=True, text=True, timeout=300,
                                 env=dict(os.environ, TICKLAKE_CRASH_AT="after_table_commit:1"))
        assert crashed.returncode == -9, crashed.stderr[-3000:]
        final = run(args("host-b"))
        assert "its rows before that are skipped" in final.stderr, final.stderr[-3000:]
        ids = stored()
        assert len(ids) == len(set(ids)) == n + 4_000 and sorted(ids) == sorted(sent())
    finally:
        server.stop()
    commits = server.proc.stderr.read().count("committed (metadata")  # every sink commit went through it
    assert commits >= 10, commits
