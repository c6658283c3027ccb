"""`ticklake serve`, the web console: its page in headless Chromium (Debian's, driven by
Playwright for Python with the system browser) and its HTTP API under attack, over a warehouse a
real sink wrote from a real broker. Values shown in the page are checked against DuckDB-Python
reading the same Parquet files, never against ticklake's own SQL.

Screenshots of the table view, the chart and the pipeline view are kept in
$TICKLAKE_ARTIFACTS (default build/test-artifacts/console/)."""
import json
import os
import socket
import subprocess
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest
import requests

from conftest import BINARY, ROOT, free_port, kill_tree, produce_sim, run, sink_args, wait_for

CHROMIUM = "/usr/bin/chromium"
TOKEN = "console-test-token-" + uuid.uuid4().hex
ARTIFACTS = Path(os.environ.get("TICKLAKE_ARTIFACTS", ROOT / "build" / "test-artifacts" / "console"))
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class Serve:
    def __init__(self, args, env):
        self.proc = subprocess.Popen([str(BINARY), "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env)
        line = self.proc.stdout.readline().strip()  # printed once it serves
        if not line.startswith("http://"):
            self.proc.kill()
            raise AssertionError(f"serve printed {line!r}; stderr:\n{self.proc.stderr.read()}")
        self.url = line.rstrip("/")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill_tree(self.proc)


@pytest.fixture(scope="module")
def lake(broker, tmp_path_factory):
    """Two days of 10 symbols sunk as Parquet into a warehouse with a catalog of its own, plus a
    few malformed messages (dead letters)."""
    base = tmp_path_factory.mktemp("console")
    warehouse = base / "warehouse"
    env = {**os.environ, "TICKLAKE_CATALOG": str(base / "catalog.db")}
    topic = "t-console-" + uuid.uuid4().hex[:8]
    produce_sim(broker, topic, 200_000, days=2, symbols=10, partitions=3)
    subprocess.run(["kcat", "-b", broker.bootstrap, "-t", topic, "-P", "-p", "0"], input="not json\n{\"broken\": \n",
                   text=True, check=True, timeout=60)
    run(sink_args(broker, topic, warehouse), env=env)
    return {"warehouse": warehouse, "env": env, "catalog": base / "catalog.db",
            "trades": f"{warehouse}/market/trades/*/*.parquet"}


@pytest.fixture(scope="module")
def idle_sink(broker, lake, tmp_path_factory):
    """A running sink with --metrics-addr, for --watch, on a small topic of its own (its own
    warehouse and catalog, so the console's tables stay the lake's)."""
    port = free_port()
    topic = "t-idle-" + uuid.uuid4().hex[:8]
    produce_sim(broker, topic, 100, symbols=2, partitions=1)
    warehouse = tmp_path_factory.mktemp("idle") / "warehouse"
    args = [a for a in sink_args(broker, topic, warehouse) if a not in ("--until-idle", "3")]
    env = {**lake["env"], "TICKLAKE_CATALOG": str(warehouse.parent / "idle-catalog.db")}
    proc = subprocess.Popen([str(BINARY), *args, "--metrics-addr", f"127.0.0.1:{port}"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/metrics"

    def up():
        try:
            return requests.get(url, timeout=1).status_code == 200
        except requests.RequestException:
            return False
    wait_for(up, 60, "the idle sink's /metrics")
    yield url
    kill_tree(proc)


@pytest.fixture(scope="module")
def console(lake, idle_sink):
    env = {**lake["env"], "TICKLAKE_TOKEN": TOKEN}
    s = Serve(["--catalog", str(lake["catalog"]), "--listen", f"127.0.0.1:{free_port()}", "--watch", idle_sink,
               "--threads", "2"], env)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: setup/setup.sh apt"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, tmp_path):
    # A fresh profile per test: a new context has its own storage, cookies and cache.
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.problems = []
    pg.on("console", lambda m: pg.problems.append(f"{m.text} {m.location.get('url', '')}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.problems.append(str(e)))
    yield pg
    context.close()


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_console(page, console, view):
    page.goto(f"{console.url}/#token={TOKEN}")
    page.keyboard.press(f"Alt+{['tables', 'sql', 'chart', 'pipeline'].index(view) + 1}")
    page.wait_for_selector(f"#view-{view}:not([hidden])")
    assert page.locator("#token-form").is_hidden()  # the token from #token= is used, not asked for


def test_the_page_opens_and_browses_to_market_trades(page, console, lake):
    open_console(page, console, "tables")
    button = page.wait_for_selector('#table-list button[data-table="market.trades"]', timeout=20_000)
    button.focus()
    page.keyboard.press("Enter")  # keyboard navigation: Enter opens the focused table
    totals = page.wait_for_selector("#table-totals", timeout=20_000).inner_text()
    n = duckdb.sql(f"SELECT count(*) FROM read_parquet('{lake['trades']}')").fetchone()[0]
    assert f"{n:,} rows" in totals, totals
    parts = page.locator("#table-partitions tbody tr").count()
    days = duckdb.sql(f"SELECT count(DISTINCT dt) FROM read_parquet('{lake['trades']}', hive_partitioning=true)").fetchone()[0]
    assert parts == days == 2
    assert page.locator("#table-columns").inner_text().count("price") == 1
    assert page.locator("#table-files tbody tr").count() >= 2
    shot(page, "table-view")
    assert not page.problems, page.problems


def test_a_query_grid_equals_duckdb_on_the_same_files(page, console, lake):
    open_console(page, console, "sql")
    sql = ("SELECT symbol, count(*) AS n, round(sum(price * size) / sum(size), 6) AS vwap, max(price) AS hi "
           "FROM market.trades GROUP BY symbol ORDER BY symbol")
    page.fill("#sql-editor", sql)
    page.focus("#sql-editor")
    page.keyboard.press("Control+Enter")
    # (locators, not wait_for_function: the page's CSP refuses the eval that one needs)
    page.locator("#sql-status", has_text="scanned").wait_for(timeout=30_000)
    cells = page.eval_on_selector_all("#sql-grid tbody tr",
                                      "rows => rows.map(r => [...r.children].map(td => td.textContent))")
    ref = duckdb.sql(f"SELECT symbol, count(*), round(sum(price * size) / sum(size), 6), max(price) "
                     f"FROM read_parquet('{lake['trades']}') GROUP BY symbol ORDER BY symbol").fetchall()
    assert len(cells) == len(ref) == 10
    for got, (symbol, n, vwap, hi) in zip(cells, ref):
        assert got[0] == symbol
        assert int(got[1]) == n
        assert float(got[2]) == pytest.approx(vwap, abs=1e-9)
        assert float(got[3]) == hi
    assert int(page.get_attribute("#sql-status", "data-bytes-scanned")) > 0
    assert page.locator("#sql-history li").count() >= 1
    assert not page.problems, page.problems


def test_aapl_5m_candles_equal_bars_computed_from_the_files(page, console, lake):
    day = duckdb.sql(f"SELECT min(dt) FROM read_parquet('{lake['trades']}', hive_partitioning=true)").fetchone()[0]
    open_console(page, console, "chart")
    page.fill("#chart-symbol", "AAPL")
    page.select_option("#chart-interval", "5m")
    page.fill("#chart-from", str(day))
    page.fill("#chart-to", str(day))
    page.click("#chart-load")
    page.locator("#chart-summary", has_text=f"from {day}").wait_for(timeout=30_000)
    count = int(page.get_attribute("#chart-summary", "data-count"))
    first = json.loads(page.get_attribute("#chart-summary", "data-first"))
    # The bars, computed here in Python from the raw trades DuckDB-Python reads from the files:
    # 5-minute buckets of UTC time; open = first trade (lowest price first at one microsecond),
    # close = last (highest last), as the console documents.
    trades = duckdb.sql(f"SELECT epoch_us(ts), price FROM read_parquet('{lake['trades']}', hive_partitioning=true) "
                        f"WHERE symbol = 'AAPL' AND dt = DATE '{day}' ORDER BY 1, 2").fetchall()
    bars = {}
    for us, price in trades:
        start = us // 300_000_000 * 300
        b = bars.setdefault(start, {"time": start, "open": price, "high": price, "low": price, "close": price})
        b["high"] = max(b["high"], price)
        b["low"] = min(b["low"], price)
        b["close"] = price
    assert count == len(bars) > 10
    ref = bars[min(bars)]
    assert first["time"] == ref["time"]
    for k in ("open", "high", "low", "close"):
        assert first[k] == pytest.approx(ref[k], rel=1e-12), k
    # The canvas drew something: lightweight-charts is built in and ran under the CSP.
    assert page.locator("#chart canvas").count() > 0
    page.wait_for_timeout(500)
    shot(page, "chart")
    assert page.locator("#spread-error").is_hidden(), page.inner_text("#spread-error")
    assert not page.problems, page.problems


def test_a_refused_query_shows_its_message(page, console):
    open_console(page, console, "sql")
    page.fill("#sql-editor", "COPY (SELECT 1) TO '/tmp/console-refused.csv'")
    page.click("#run-sql")
    page.wait_for_selector("#sql-error:not([hidden])", timeout=20_000)
    text = page.inner_text("#sql-error")
    assert text.startswith("refused") and "COPY" in text, text
    assert not Path("/tmp/console-refused.csv").exists()


def test_the_pipeline_view_shows_sinks_dead_letters_and_files(page, console, idle_sink):
    open_console(page, console, "pipeline")
    page.locator("#latest-files tbody tr").first.wait_for(timeout=20_000)
    page.locator("#sinks", has_text="up").wait_for(timeout=20_000)
    assert idle_sink in page.inner_text("#sinks")
    assert "up" in page.inner_text("#sinks")
    dead = page.inner_text("#dead-letters")
    assert "market.dead_letters" in dead, dead
    page.wait_for_timeout(500)
    shot(page, "pipeline")
    assert not page.problems, page.problems


def test_without_the_token_the_api_answers_401_and_the_page_asks_for_it(page, console):
    assert requests.get(f"{console.url}/api/status", timeout=10).status_code == 401
    bad = requests.get(f"{console.url}/api/status", headers={"Authorization": "Bearer nope-nope-nope-nope"}, timeout=10)
    assert bad.status_code == 401
    ok = requests.get(f"{console.url}/api/status", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert ok.status_code == 200 and "tables" in ok.json()
    page.goto(f"{console.url}/")  # no #token=
    page.wait_for_selector("#token-form:not([hidden])", timeout=20_000)
    page.fill("#token-input", TOKEN)
    page.keyboard.press("Enter")
    page.wait_for_selector('#table-list button[data-table="market.trades"]', timeout=20_000)


# --- the HTTP API under attack: everything refused, the server stays up ---------------------

def raw(console, data: bytes, timeout=5.0) -> bytes:
    host, port = console.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        try:
            s.sendall(data)
        except OSError:
            pass
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        return out


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_attacks_are_refused_and_the_server_stays_up(console):
    for target in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/vendor/..%2f..%2f..%2fetc%2fpasswd",
                   "/index.html/../../../etc/passwd", "//etc/passwd", "/.git/config", "/web/app.js"]:
        answer = raw(console, f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 404"), (target, answer[:100])
        assert b"root:" not in answer
    body = json.dumps({"sql": "SELECT '" + "x" * 200_000 + "'"}).encode()
    answer = raw(console, b"POST /api/query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Authorization: Bearer " + TOKEN.encode() + b"\r\nContent-Length: " + str(len(body)).encode() +
                 b"\r\n\r\n" + body)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:100]
    # Slowloris: one header byte every 200 ms; the server cuts the connection at its request
    # timeout and answers others meanwhile.
    host, port = console.url.removeprefix("http://").split(":")
    slow = socket.create_connection((host, int(port)), timeout=30)
    started = time.monotonic()
    closed = False
    for ch in b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200:
        try:
            slow.sendall(bytes([ch]))
        except OSError:
            closed = True
            break
        time.sleep(0.2)
        assert requests.get(f"{console.url}/healthz", timeout=5).status_code == 200
        if time.monotonic() - started > 25:
            break
    if not closed:
        slow.settimeout(5)
        closed = slow.recv(100) == b""
    slow.close()
    assert closed and time.monotonic() - started < 20, "the slow client was not cut"
    # The query command's attack corpus, through the API.
    for sql in ["COPY (SELECT 1) TO '/tmp/console-pwned.csv'", "SELECT * FROM read_csv('/etc/passwd')",
                "SELECT * FROM read_text('/etc/shadow')", "ATTACH '/tmp/console.db' AS x", "INSTALL httpfs",
                "LOAD httpfs", "SET enable_external_access = true", "CREATE TABLE t AS SELECT 1",
                "SELECT 1; COPY (SELECT 1) TO '/tmp/console-pwned.csv'", "EXPORT DATABASE '/tmp/console-export'",
                "SELECT * FROM glob('/etc/*')"]:
        r = requests.post(f"{console.url}/api/query", json={"sql": sql}, headers=AUTH, timeout=30)
        assert r.status_code == 400, (sql, r.status_code, r.text)
        assert r.json()["error"], sql
    assert not Path("/tmp/console-pwned.csv").exists()
    # Missing, wrong and malformed tokens; a cross-origin request; a chart parameter with SQL in it.
    for headers in [{}, {"Authorization": "Bearer " + TOKEN[:-1]}, {"Authorization": TOKEN},
                    {"Authorization": "Bearer " + TOKEN + "x"}]:
        assert requests.post(f"{console.url}/api/query", json={"sql": "SELECT 1"}, headers=headers,
                             timeout=10).status_code == 401
    evil = requests.post(f"{console.url}/api/query", json={"sql": "SELECT 1"},
                         headers={**AUTH, "Origin": "http://evil.example"}, timeout=10)
    assert evil.status_code == 403 and "access-control-allow-origin" not in {k.lower() for k in evil.headers}
    inj = requests.get(f"{console.url}/api/ohlcv", params={"table": "market.trades", "symbol": "AAPL",
                                                           "from": "2025-01-01' OR 1=1 --"}, headers=AUTH, timeout=10)
    assert inj.status_code == 400 and "from" in inj.json()["error"]
    page = requests.get(f"{console.url}/", timeout=10)
    csp = page.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["frame-ancestors"] == "'none'", csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert console.alive()
    assert requests.get(f"{console.url}/api/status", headers=AUTH, timeout=10).status_code == 200


def test_serve_refuses_to_listen_beyond_the_loopback_without_a_token(lake):
    env = {k: v for k, v in lake["env"].items() if k != "TICKLAKE_TOKEN"}
    proc = subprocess.run([str(BINARY), "serve", "--catalog", str(lake["catalog"]), "--listen", "0.0.0.0:0"],
                          capture_output=True, text=True, timeout=30, env=env)
    assert proc.returncode == 2, proc.stderr
    assert "token" in proc.stderr, proc.stderr
