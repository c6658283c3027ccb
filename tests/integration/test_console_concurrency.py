"""`ticklake serve` answers while a query runs: its handlers run on a small pool, so a slow
query holds neither the page's files, /metrics, the catalog's reports nor /api/status (which
then answers without dead letters), and a chart asked twice gives the same bars from the
session's prepared statement. The warehouse is made here with DuckDB-Python; no broker."""
import subprocess
import threading
import time

import duckdb
import pytest
import requests

from conftest import BINARY

# A query that runs until serve's --timeout interrupts it: a cross join of two ranges, summed.
SLOW_SQL = "SELECT sum(a.i * b.i) FROM range(200000000) a(i), range(100000) b(i)"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("concurrency") / "warehouse"
    con = duckdb.connect()
    for day in ("2025-01-06", "2025-01-07"):
        out = warehouse / "market" / "trades" / f"dt={day}"
        out.mkdir(parents=True)
        con.execute(f"""
            COPY (SELECT ['AAPL', 'MSFT'][1 + (i % 2)] AS symbol,
                         TIMESTAMP '{day} 14:30:00' + to_microseconds(i * 1000000) AS ts,
                         100 + (i % 97) / 10.0 AS price, 1 + (i % 5) AS size
                  FROM range(20000) t(i) ORDER BY symbol, ts)
            TO '{out}/trades-0-0.parquet' (FORMAT parquet)""")
    proc = subprocess.Popen([str(BINARY), "serve", "-w", str(warehouse), "--listen", "127.0.0.1:0", "--timeout", "8s"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip().rstrip("/")
    assert url.startswith("http://"), proc.stderr.read()
    yield {"url": url, "warehouse": warehouse}
    proc.terminate()
    proc.wait(timeout=30)


def test_the_page_metrics_and_status_answer_while_a_query_runs(served):
    url = served["url"]
    slow = {}

    def run_slow():
        start = time.monotonic()
        r = requests.post(f"{url}/api/query", json={"sql": SLOW_SQL}, timeout=60)
        slow["status"], slow["seconds"] = r.status_code, time.monotonic() - start

    t = threading.Thread(target=run_slow)
    t.start()
    time.sleep(1.0)  # the slow query is running on the session now
    try:
        for path, expect in (("/", "text/html"), ("/metrics", "text/plain"), ("/api/status", "application/json")):
            start = time.monotonic()
            r = requests.get(f"{url}{path}", timeout=10)
            took = time.monotonic() - start
            assert r.status_code == 200, (path, r.status_code, r.text[:200])
            assert r.headers["Content-Type"].startswith(expect), (path, r.headers["Content-Type"])
            assert took < 3, f"{path} took {took:.1f} s behind the slow query"
            assert "status" not in slow, f"the slow query ended before {path} was asked: {slow}"
        status = requests.get(f"{url}/api/status", timeout=10).json()
        assert "query is running" in status["dead_letters_error"], status["dead_letters_error"]
    finally:
        t.join(timeout=60)
    # The slow query was interrupted by serve's timeout, not held up by the others.
    assert slow["status"] == 422, slow
    assert 6 < slow["seconds"] < 30, slow
    # With the session free again, the status counts dead letters (this warehouse has none).
    assert requests.get(f"{url}/api/status", timeout=10).json()["dead_letters_error"] == ""


def test_a_prepared_chart_gives_the_bars_of_the_files_for_every_symbol_and_day(served):
    url = served["url"]
    files = f"{served['warehouse']}/market/trades/*/*.parquet"
    for _ in range(2):  # the second round runs the statements prepared by the first
        for symbol, day in (("AAPL", "2025-01-06"), ("MSFT", "2025-01-07"), ("AAPL", "2025-01-07")):
            r = requests.get(f"{url}/api/ohlcv", params={"table": "market.trades", "symbol": symbol, "interval": "5m",
                                                         "from": day, "to": day}, timeout=30)
            assert r.status_code == 200, r.text
            body = r.json()
            names = [c["name"] for c in body["columns"]]
            got = [dict(zip(names, row)) for row in body["rows"]]
            ref = duckdb.sql(f"""
                SELECT epoch_us(ts) // 300000000 * 300 AS time, min(price) AS low, max(price) AS high,
                       sum(size) AS volume, count(*) AS trades
                FROM read_parquet('{files}', hive_partitioning = true)
                WHERE symbol = '{symbol}' AND dt = DATE '{day}' GROUP BY 1 ORDER BY 1""").fetchall()
            assert len(got) == len(ref) > 10, (symbol, day, len(got), len(ref))
            for bar, (time_s, low, high, volume, trades) in zip(got, ref):
                assert (int(bar["time"]), int(bar["volume"]), int(bar["trades"])) == (time_s, volume, trades)
                assert float(bar["low"]) == pytest.approx(low, rel=1e-12)
                assert float(bar["high"]) == pytest.approx(high, rel=1e-12)
