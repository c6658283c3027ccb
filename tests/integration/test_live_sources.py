"""Live vendor feeds end to end: the replay server (ticklake-replay-server, scripted from the
recordings in shared/data) -> ticklake produce --source <vendor> --url ws://127.0.0.1:PORT ->
a real Kafka broker -> ticklake sink. Checked with kcat and DuckDB, independently of ticklake.
"""
import datetime
import json
import os
import signal
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import BINARY, SHARED_DATA, kcat_dump, run, sink

COINBASE = SHARED_DATA / "coinbase_exchange_ws_matches_ticker.jsonl"
PRODUCTS = "BAND-BTC,BAND-GBP,CRV-EUR,DASH-BTC,NMR-EUR,NU-GBP,SKL-BTC,SKL-GBP,SKL-USD,YFI-BTC"


def replay_server_binary() -> Path:
    env = os.environ.get("TICKLAKE_REPLAY_SERVER")
    if env:
        return Path(env)
    # build/ticklake -> build/<preset>/src/cli/ticklake; the server is built next to it.
    return BINARY.resolve().parents[1] / "net" / "ticklake-replay-server"


class ReplayServer:
    def __init__(self, script: str, tmp_path: Path):
        path = tmp_path / "replay.script"
        path.write_text(script)
        binary = replay_server_binary()
        assert binary.exists(), f"{binary} is missing: build with tests enabled (make build)"
        self.proc = subprocess.Popen([str(binary), str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def url(self, path="/"):
        return f"ws://127.0.0.1:{self.port}{path}"

    def stop(self) -> str:
        _, err = self.proc.communicate(timeout=30)  # closing stdin stops the server
        return err


@pytest.fixture
def replay(tmp_path):
    servers = []

    def start(script):
        s = ReplayServer(script, tmp_path)
        servers.append(s)
        return s
    yield start
    for s in servers:
        if s.proc.poll() is None:
            s.stop()


def test_coinbase_recording_reaches_kafka_and_the_sink_once_each_across_a_drop(broker, topic, warehouse, replay):
    lines = COINBASE.read_text().splitlines()
    # Connection 1 dies after line 120; connection 2 starts again at line 100 (a duplicate burst).
    server = replay(f"expect subscribe\nsendfile {COINBASE} 0 120\ndrop\n---\n"
                    f"expect subscribe\nsendfile {COINBASE} 100\n")
    summary_json = warehouse.parent / "produce.json"
    proc = run(["produce", "-b", broker.bootstrap, "-t", topic, "--source", "coinbase", "--symbols", PRODUCTS,
                "--url", server.url(), "--duration", "5", "--partitions", "3", "--no-progress",
                "--summary-json", str(summary_json)], timeout=120)
    server.stop()
    source = [json.loads(l) for l in lines]
    expected = {}
    for m in source:
        if m["type"] in ("match", "last_match"):
            expected[f"coinbase:{m['product_id']}:t:{m['trade_id']}"] = m
        elif m["type"] == "ticker":
            expected[f"coinbase:{m['product_id']}:q:{m['sequence']}"] = m
    burst = sum(1 for m in source[100:120] if m["type"] != "subscriptions")
    assert f"delivered {len(expected)} of {len(expected)}" in proc.stderr, proc.stderr
    assert f"{burst} duplicates dropped, 0 gaps (0 ids missing)" in proc.stderr, proc.stderr
    assert "reconnected" in proc.stderr
    # The summary line of docs/sources.md: 120 + 117 messages, of which 3 are subscription answers.
    assert f"produce: coinbase: 237 messages, {len(expected)} events, {burst} duplicates dropped" in proc.stderr
    assert "3 ignored, 0 malformed, 0 inexact decimals, 2 connects" in proc.stderr, proc.stderr
    counters = json.loads(summary_json.read_text())["source"]
    assert (counters["messages"], counters["events"], counters["duplicates"], counters["gaps"], counters["missing"],
            counters["connects"], counters["disconnects"]) == (237, len(expected), burst, 0, 0, 2, 1)

    got = [json.loads(l) for l in kcat_dump(broker, topic, warehouse.parent / "dump.jsonl").read_text().splitlines()]
    assert len(got) == len(expected)
    assert {e["id"] for e in got} == set(expected)
    for e in got:
        m = expected[e["id"]]
        assert e["symbol"] == m["product_id"] and e["source"] == "coinbase"
        assert e["ts"] == m["time"]
        if e["type"] == "trade":
            assert Decimal(str(e["price"])) == Decimal(m["price"]), e
            assert Decimal(str(e["size"])) == Decimal(m["size"]), e
            assert e["side"] == {"buy": "sell", "sell": "buy"}[m["side"]]
        else:
            assert e["type"] == "quote"
            assert Decimal(str(e["bid"])) == Decimal(m["best_bid"]), e
            assert Decimal(str(e["ask"])) == Decimal(m["best_ask"]), e

    summary, _ = sink(broker, topic, warehouse, fmt="parquet")
    con = duckdb.connect()
    trades = con.execute(f"select count(*), count(distinct id) from read_parquet('{warehouse}/market/trades/**/*.parquet', "
                         "hive_partitioning=true)").fetchone()
    quotes = con.execute(f"select count(*) from read_parquet('{warehouse}/market/quotes/**/*.parquet', "
                         "hive_partitioning=true)").fetchone()
    n_trades = sum(1 for k in expected if ":t:" in k)
    assert trades == (n_trades, n_trades)
    assert quotes[0] == len(expected) - n_trades


def test_alpaca_auth_failure_is_reported_once_and_exits_non_zero(broker, topic, replay):
    stream = (SHARED_DATA / "alpaca_stream_v2.jsonl").read_text().splitlines()
    server = replay(f"send {stream[0]}\nexpect auth\nsend {stream[4]}\n")  # 402 auth failed
    env = dict(os.environ, APCA_API_KEY_ID="AK-TEST", APCA_API_SECRET_KEY="very-secret-value")
    proc = subprocess.run([str(BINARY), "produce", "-b", broker.bootstrap, "-t", topic, "--source", "alpaca",
                           "--symbols", "AAPL", "--url", server.url("/v2/iex"), "--duration", "20", "--no-progress"],
                          capture_output=True, text=True, timeout=60, env=env)
    err = server.stop()
    assert proc.returncode != 0
    assert proc.stderr.count("auth failed") >= 1 and "APCA_API_KEY_ID" in proc.stderr, proc.stderr
    assert proc.stderr.count("not retrying") == 1, proc.stderr
    assert "very-secret-value" not in proc.stderr and "AK-TEST" not in proc.stderr
    assert "1 connections" in err, err


def _ids_binance_spot():
    ids = set()
    for line in (SHARED_DATA / "binance_spot_ws_combined_stream.jsonl").read_text().splitlines():
        d = json.loads(line)["data"]
        if d.get("e") == "aggTrade":
            ids.add(f"binance:{d['s']}:a:{d['a']}")
        elif "u" in d and "e" not in d:
            ids.add(f"binance:{d['s']}:q:{d['u']}")
    return ids


def _ids_alpaca():
    lines = (SHARED_DATA / "alpaca_stream_v2.jsonl").read_text().splitlines()
    ids = set()
    for line in lines[16:18]:
        for m in json.loads(line):
            ids.add(f"alpaca:{m['S']}:t:{m['x']}:{m['i']}" if m["T"] == "t" else
                    f"alpaca:{m['S']}:q:{m['t']}:{m['bx']}:{m['ax']}")
    return ids


def _ids_polygon():
    lines = (SHARED_DATA / "polygon_ws_mock_server_frames.jsonl").read_text().splitlines()
    return {f"polygon:{m['sym']}:t:{m['x']}:{m['i']}" for line in lines[2:] for m in json.loads(line)}


def _ids_yahoo():
    r = json.loads((SHARED_DATA / "yahoo_v8_chart_AAPL_1d_2020-08-31_2020-11-07.json").read_text())["chart"]["result"][0]
    off = r["meta"]["gmtoffset"]
    return {"yahoo:AAPL:1d:" + time.strftime("%Y-%m-%d", time.gmtime(t + off)) for t in r["timestamp"]}


def _ids_alphavantage():
    series = json.loads((SHARED_DATA / "alphavantage_intraday_1min_MSFT.json").read_text())["Time Series (1min)"]
    out = set()
    for local in series:  # December 2017: New York is UTC-5
        t = datetime.datetime.strptime(local, "%Y-%m-%d %H:%M:%S") + datetime.timedelta(hours=5)
        out.add("alphavantage:MSFT:1m:" + t.strftime("%Y-%m-%dT%H:%M:%S.000000Z"))
    return out


def _vendor_cases(tmp_path):
    d = SHARED_DATA
    alpaca = (d / "alpaca_stream_v2.jsonl").read_text().splitlines()
    poly = (d / "polygon_ws_mock_server_frames.jsonl").read_text().splitlines()
    note = tmp_path / "note.json"
    note.write_text('{"Note":"Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per '
                    'minute and 500 calls per day."}')
    return {
        # vendor: (script, args, env, expected ids, duplicates in the script)
        "finnhub": (f"require token=fh-key\nexpect subscribe\nsendfile {d}/finnhub_ws_trades.jsonl 0 3\n",
                    ["--symbols", "BINANCE:BTCUSDT"], {"FINNHUB_API_KEY": "fh-key"},
                    {"finnhub:BINANCE:BTCUSDT:1575526691134:7296.89x0.011467:0"}, 1),
        "binance": (f"sendfile {d}/binance_spot_ws_combined_stream.jsonl\n",
                    ["--symbols", "NKNUSDT,BLZETH,LRCBTC,RUNEEUR", "--channels", "depth@100ms,bookTicker,aggTrade,kline_1m"],
                    {}, _ids_binance_spot(), 0),
        "alpaca": (f"send {alpaca[0]}\nexpect auth\nsend {alpaca[1]}\nexpect subscribe\nsendfile {d}/alpaca_stream_v2.jsonl 16 18\n",
                   ["--symbols", "AAPL,AMD"], {"APCA_API_KEY_ID": "k", "APCA_API_SECRET_KEY": "s"}, _ids_alpaca(), 0),
        "polygon": (f"send {poly[0]}\nexpect auth\nsend {poly[1]}\nexpect subscribe\nsendfile {d}/polygon_ws_mock_server_frames.jsonl 2 4\n",
                    ["--symbols", "AAPL,AMZN"], {"POLYGON_API_KEY": "k"}, _ids_polygon(), 0),
        "yahoo": (f"route /v8/finance/chart/AAPL 200 {d}/yahoo_v8_chart_AAPL_1d_2020-08-31_2020-11-07.json\n",
                  ["--symbols", "AAPL", "--interval", "1d", "--range", "3mo", "--poll-interval", "1"], {}, _ids_yahoo(), None),
        "alphavantage": (f"route /query 200 {note}\nroute /query 200 {d}/alphavantage_intraday_1min_MSFT.json\n",
                         ["--symbols", "MSFT", "--poll-interval", "1", "--rate-limit-wait", "0.5"],
                         {"ALPHAVANTAGE_API_KEY": "k"}, _ids_alphavantage(), None),
    }


@pytest.mark.parametrize("vendor", ["finnhub", "binance", "alpaca", "polygon", "yahoo", "alphavantage"])
def test_every_vendor_delivers_exactly_the_recordings_events(broker, topic, tmp_path, replay, vendor):
    script, args, env_add, expected, duplicates = _vendor_cases(tmp_path)[vendor]
    server = replay(script)
    url = server.url("/") if vendor not in ("yahoo", "alphavantage") else f"http://127.0.0.1:{server.port}"
    proc = subprocess.run([str(BINARY), "produce", "-b", broker.bootstrap, "-t", topic, "--source", vendor,
                           "--url", url, "--duration", "3", "--partitions", "1", "--no-progress", *args],
                          capture_output=True, text=True, timeout=120, env=dict(os.environ, **env_add))
    server.stop()
    assert proc.returncode == 0, proc.stderr
    assert f"delivered {len(expected)} of {len(expected)}" in proc.stderr, proc.stderr
    if duplicates is not None:
        assert f" {duplicates} duplicates dropped" in proc.stderr, proc.stderr
    got = [json.loads(l) for l in kcat_dump(broker, topic, tmp_path / "dump.jsonl").read_text().splitlines()]
    assert sorted(e["id"] for e in got) == sorted(expected)
    assert all(e["source"] == vendor for e in got)


def test_without_duration_a_live_feed_runs_until_ctrl_c_and_then_flushes(broker, topic, replay):
    server = replay(f"expect subscribe\nsendfile {COINBASE}\n")
    proc = subprocess.Popen([str(BINARY), "produce", "-b", broker.bootstrap, "-t", topic, "--source", "coinbase",
                             "--symbols", PRODUCTS, "--url", server.url(), "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    assert proc.poll() is None, "a live feed without --duration stopped by itself"
    sent = time.time()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    server.stop()
    assert time.time() - sent < 5, "Ctrl-C took too long to stop the feed"
    assert proc.returncode == 0, err
    assert "delivered 214 of 214" in err, err
