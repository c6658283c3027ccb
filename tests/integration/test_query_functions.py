"""The SQL function library (src/query/functions/*.sql) on DuckDB-Python 1.4.4, the version the
engine embeds.

Every function is checked against a computation written here in plain Python (or against values
worked out by hand), never against its own earlier output:
- golden files (src/query/tests/golden/<name>.sql + .expected): each query is run and its CSV
  compared byte for byte with .expected; separately, every .expected is checked against a
  Python reference computed from the fixture tables, so re-recording cannot hide a wrong answer;
- real data from shared/data (Binance trades, Alpha Vantage MSFT minute bars, the tutorial's
  daily index bars) against Python computations over the files read without DuckDB.

Set TICKLAKE_GOLDEN_UPDATE=1 to rewrite the .expected files (the reference checks still run).
"""
import io
import math
import os
import zipfile
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, SHARED_DATA, run

FUNCTIONS = [ROOT / "src/query/functions/market.sql", ROOT / "src/query/functions/athena.sql"]
GOLDEN = ROOT / "src/query/tests/golden"
UTC = timezone.utc
NY = ZoneInfo("America/New_York")
EPOCH = datetime(1970, 1, 1)


_CALENDAR_SQL = []


def calendar_sql():
    """The exchange calendars' tables, as the engine loads them before the function files: made
    by the C++ calendar (`ticklake calendar --format sql`), so the binary is needed."""
    if not _CALENDAR_SQL:
        _CALENDAR_SQL.append(run(["calendar", "--format", "sql"]).stdout)
    return _CALENDAR_SQL[0]


def session(external_access=False):
    """A fresh connection set up the way the engine must: UTC, the calendar tables and the
    function files in order, then external access switched off (everything must keep working
    after that)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(calendar_sql())
    for path in FUNCTIONS:
        con.execute(path.read_text())
    con.execute((GOLDEN / "fixtures.sql").read_text())
    if not external_access:
        con.execute("SET enable_external_access = false")
    return con


@pytest.fixture(scope="module")
def con():
    c = session()
    yield c
    c.close()


def rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


# ---------------------------------------------------------------------------------------------
# Golden files: the canonical CSV is a header of column names, then every value as DuckDB casts
# it to VARCHAR, NULL as an empty field, RFC 4180 quoting (an empty string is ""), "\n" endings.

def render_csv(con, sql):
    body = sql.strip().rstrip(";")
    cur = con.execute(f"SELECT COLUMNS(*)::VARCHAR FROM (\n{body}\n)")
    names = [d[0] for d in cur.description]
    out = io.StringIO()

    def field(v):
        if v is None:
            return ""
        if v == "" or any(ch in v for ch in ',"\r\n'):
            return '"' + v.replace('"', '""') + '"'
        return v

    out.write(",".join(field(n) for n in names) + "\n")
    for r in cur.fetchall():
        out.write(",".join(field(v) for v in r) + "\n")
    return out.getvalue()


def golden_names():
    return sorted(p.stem for p in GOLDEN.glob("*.sql") if p.stem != "fixtures")


@pytest.mark.parametrize("name", golden_names())
def test_golden_output_is_the_expected_csv(con, name):
    got = render_csv(con, (GOLDEN / f"{name}.sql").read_text())
    expected_path = GOLDEN / f"{name}.expected"
    if os.environ.get("TICKLAKE_GOLDEN_UPDATE") == "1":
        expected_path.write_text(got)
    assert expected_path.exists(), f"{expected_path} missing (TICKLAKE_GOLDEN_UPDATE=1 writes it)"
    assert got == expected_path.read_text(), f"golden {name} differs from its .expected"


def parse_csv_line(line):
    """One CSV record: an unquoted empty field is None (NULL), a quoted one an empty string."""
    fields, i = [], 0
    while True:
        if line.startswith('"', i):
            j, buf = i + 1, []
            while True:
                k = line.index('"', j)
                buf.append(line[j:k])
                if line.startswith('""', k):
                    buf.append('"')
                    j = k + 2
                else:
                    break
            fields.append("".join(buf))
            i = k + 1
        else:
            k = line.find(",", i)
            k = len(line) if k < 0 else k
            fields.append(line[i:k] or None)
            i = k
        if i >= len(line):
            return fields
        assert line[i] == ",", f"bad CSV at {i}: {line!r}"
        i += 1


def expected(name):
    """The .expected file as a list of dicts of strings (None for NULL)."""
    header, *lines = (GOLDEN / f"{name}.expected").read_text().split("\n")[:-1]
    names = parse_csv_line(header)
    return [dict(zip(names, parse_csv_line(line))) for line in lines]


def ts(s):
    """A timestamp as DuckDB prints it: naive UTC datetime ('+00' suffix dropped)."""
    if s is None:
        return None
    d = datetime.fromisoformat(s)
    return d.astimezone(UTC).replace(tzinfo=None) if d.tzinfo else d


def num(s):
    return None if s is None else float(s)


def close(a, b, rel=1e-12):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def assert_rows(got, want, keys):
    """got: rows of .expected parsed with `keys` (name -> parser); want: reference dicts."""
    assert len(got) == len(want), f"{len(got)} rows, reference has {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        for k, parse in keys.items():
            gv, wv = parse(g[k]), w[k]
            ok = close(gv, wv) if isinstance(wv, float) or (wv is None and parse is num) else gv == wv
            assert ok, f"row {i} column {k}: file has {g[k]!r}, reference {wv!r}\n{g}\n{w}"


# --- Python references for the market functions --------------------------------------------

def table(con, name):
    cur = con.execute(f"SELECT * FROM {name}")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def utc_floor(t, step):
    us = (t - EPOCH) // timedelta(microseconds=1)
    step_us = step // timedelta(microseconds=1)
    return EPOCH + timedelta(microseconds=us - us % step_us)   # Python % floors: right before 1970


def session_floor(t, step, tz=NY, open_=time(9, 30), close_=time(16, 0)):
    local = t.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)
    o, c = datetime.combine(local.date(), open_), datetime.combine(local.date(), close_)
    if local < o or local >= c:
        return None
    start = o + ((local - o) // step) * step
    return start.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def py_ohlcv(trades, bucket):
    groups = defaultdict(list)
    for t in trades:
        b = bucket(t["ts"])
        if b is not None:
            groups[(t["symbol"], b)].append(t)
    out = []
    for (sym, b), g in sorted(groups.items()):
        by_time = sorted(g, key=lambda t: (t["ts"], t["price"]))
        vol = sum(t["size"] for t in g)
        out.append(dict(symbol=sym, ts=b, open=by_time[0]["price"], high=max(t["price"] for t in g),
                        low=min(t["price"] for t in g), close=by_time[-1]["price"], volume=vol,
                        trade_count=len(g), vwap=sum(t["price"] * t["size"] for t in g) / vol if vol else None))
    return out


def py_fill(bars, grid_for_symbol, method):
    """bars: dicts with symbol, ts, open...; grid_for_symbol(symbol, first, last) -> bar starts."""
    out = []
    by_sym = defaultdict(dict)
    for b in bars:
        by_sym[b["symbol"]][b["ts"]] = b
    for sym in sorted(by_sym):
        have = by_sym[sym]
        known = sorted(have)
        for g in grid_for_symbol(sym, known[0], known[-1]):
            if g in have:
                out.append(dict(have[g], filled=False))
                continue
            if method == "none":
                continue
            prev_t = max(k for k in known if k < g)
            next_t = min(k for k in known if k > g)
            pc, nc = have[prev_t]["close"], have[next_t]["close"]
            if method == "null":
                price, vol = None, None
            elif method == "previous":
                price, vol = pc, 0
            else:
                price, vol = pc + (nc - pc) * ((g - prev_t) / (next_t - prev_t)), 0
            out.append(dict(symbol=sym, ts=g, open=price, high=price, low=price, close=price,
                            volume=None if vol is None else float(vol), trade_count=vol, vwap=None, filled=True))
    return out


def utc_grid(step):
    def grid(sym, first, last):
        t = first
        while t <= last:
            yield t
            t += step
    return grid


def intg(s):
    return None if s is None else int(s)


def boolean(s):
    return None if s is None else {"true": True, "false": False}[s]


OHLCV_KEYS = dict(symbol=str, ts=ts, open=num, high=num, low=num, close=num, volume=num,
                  trade_count=intg, vwap=num)
FILL_KEYS = dict(OHLCV_KEYS, filled=boolean)


def check_ohlcv_utc_1h(con, got):
    assert_rows(got, py_ohlcv(table(con, "trades"), lambda t: utc_floor(t, timedelta(hours=1))), OHLCV_KEYS)
    # the two-hour hole leaves no row for AAA at 16:00 and 17:00 on 03-07
    assert not [r for r in got if r["symbol"] == "AAA" and r["ts"] in ("2025-03-07 16:00:00", "2025-03-07 17:00:00")]


def check_ohlcv_utc_10m_ties(con, got):
    lo, hi = datetime(2025, 3, 10, 14, 50), datetime(2025, 3, 10, 15, 30)
    want = [b for b in py_ohlcv(table(con, "trades"), lambda t: utc_floor(t, timedelta(minutes=10)))
            if lo <= b["ts"] <= hi]
    assert_rows(got, want, OHLCV_KEYS)
    tie = [r for r in got if r["ts"] == "2025-03-10 15:10:00"]
    assert [(num(tie[0]["open"]), num(tie[0]["close"]), intg(tie[0]["trade_count"]))] == [(99.5, 103.0, 2)]


def check_ohlcv_session_us_1h(con, got):
    want = py_ohlcv(table(con, "trades"), lambda t: session_floor(t, timedelta(hours=1)))
    for w in want:
        w["local_start"] = w["ts"].replace(tzinfo=UTC).astimezone(NY).replace(tzinfo=None)
    assert_rows(got, want, dict(OHLCV_KEYS, local_start=ts))
    # by hand: bars open at 14:30 UTC on the EST Friday and at 13:30 UTC on the EDT Monday
    aaa = [r["ts"] for r in got if r["symbol"] == "AAA"]
    assert aaa[0] == "2025-03-07 14:30:00" and "2025-03-10 13:30:00" in aaa
    assert {r["local_start"][11:] for r in got} <= {f"{h:02d}:30:00" for h in range(9, 16)}


def check_ohlcv_session_1d(con, got):
    assert_rows(got, py_ohlcv(table(con, "trades"), lambda t: session_floor(t, timedelta(days=1))), OHLCV_KEYS)
    assert [r["ts"] for r in got] == ["2025-03-07 14:30:00", "2025-03-10 13:30:00", "2025-03-10 13:30:00"]


def check_bar_start(con, got):
    (r,) = got
    by_hand = dict(utc_1h="2025-03-07 15:00:00", utc_15m="2025-03-07 15:45:00",
                   utc_1d_1965="1965-01-05 00:00:00", est_1h="2025-03-07 15:30:00",
                   edt_1h="2025-03-10 15:30:00", before_open=None, at_close=None,
                   tz_input="2025-03-10 13:30:00", ny_local="2025-07-01 09:30:00",
                   tokyo_utc="2025-01-06 00:00:00", from_tz="2025-01-06 14:30:00",
                   local_bar="2025-01-06 10:30:00", local_at_close=None,
                   five_minutes_us="300000000", one_day_us="86400000000")
    for k, v in by_hand.items():
        assert r[k] == v, (k, r[k], v)
    # 7-minute bars count from the epoch: the start is a multiple of 420 s since 1970
    start = ts(r["utc_7m"])
    assert (start - EPOCH).total_seconds() % 420 == 0 and timedelta(0) <= datetime(2025, 3, 7, 15, 45, 10) - start < timedelta(minutes=7)


def check_vwap(con, got):
    sums = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    for t in table(con, "trades"):
        s = sums[(t["symbol"], t["ts"].date())]
        s[0] += t["price"] * t["size"]; s[1] += t["size"]; s[2] += t["price"]; s[3] += 1
    want = [dict(symbol=k[0], day=k[1], vwap=v[0] / v[1], mean_price=v[2] / v[3], volume=v[1])
            for k, v in sorted(sums.items())]
    assert_rows(got, want, dict(symbol=str, day=date.fromisoformat, vwap=num, mean_price=num, volume=num))


def py_returns(series):
    """series: sorted (symbol, ts, value) -> rows with simple and log returns."""
    out, prev = [], {}
    for sym, t, v in series:
        p = prev.get(sym)
        out.append(dict(symbol=sym, ts=t, value=v, simple_return=None if p is None else v / p - 1,
                        log_return=None if p is None else math.log(v / p)))
        prev[sym] = v
    return out


def check_returns_bars(con, got):
    series = sorted((b["symbol"], b["ts"], b["close"]) for b in table(con, "bars"))
    want = [r for r in py_returns(series) if r["ts"] <= datetime(2021, 1, 19)]
    assert_rows(got, want, dict(symbol=str, ts=ts, value=num, simple_return=num, log_return=num))


def check_returns_window(con, got):
    series = sorted((t["symbol"], t["ts"], t["price"]) for t in table(con, "trades") if t["symbol"] == "BBB")
    want = [dict(r, price=r["value"]) for r in py_returns(series)]
    assert_rows(got, want, dict(symbol=str, ts=ts, price=num, simple_return=num, log_return=num))


def check_latest(con, got):
    quotes = table(con, "quotes")
    want = []
    for cut, limit in (("all", datetime.max), ("as_of", datetime(2025, 3, 10, 17, 30))):
        for sym in sorted({q["symbol"] for q in quotes}):
            last = max((q for q in quotes if q["symbol"] == sym and q["ts"] <= limit), key=lambda q: q["ts"])
            want.append(dict(last, cut=cut))
    assert_rows(got, want, dict(cut=str, id=str, symbol=str, ts=ts, bid=num, bid_size=num, ask=num, ask_size=num))
    assert got[3]["ts"] == "2025-03-10 16:58:00"   # BBB's last quote before its quiet spell


def py_asof(con, max_age=None):
    quotes = defaultdict(list)
    for q in table(con, "quotes"):
        quotes[q["symbol"]].append(q)
    out = []
    for t in sorted(table(con, "trades"), key=lambda t: (t["symbol"], t["ts"], t["price"])):
        before = [q for q in quotes[t["symbol"]] if q["ts"] <= t["ts"]]
        q = max(before, key=lambda q: q["ts"]) if before else None
        if q is not None and max_age is not None and t["ts"] - q["ts"] > max_age:
            q = None
        r = dict(symbol=t["symbol"], ts=t["ts"], price=t["price"], quote_ts=None, bid=None, bid_size=None,
                 ask=None, ask_size=None, mid=None, spread=None)
        if q:
            r.update(quote_ts=q["ts"], bid=q["bid"], bid_size=q["bid_size"], ask=q["ask"], ask_size=q["ask_size"],
                     mid=(q["bid"] + q["ask"]) / 2, spread=q["ask"] - q["bid"])
        out.append(r)
    return out


def check_asof_quotes(con, got):
    want = [r for r in py_asof(con) if datetime(2025, 3, 10, 13) <= r["ts"] <= datetime(2025, 3, 10, 14, 40)]
    assert_rows(got, want, dict(symbol=str, ts=ts, price=num, quote_ts=ts, bid=num, ask=num, mid=num, spread=num))
    assert got[0]["ts"] == got[0]["quote_ts"] == "2025-03-10 13:00:00"    # same microsecond counts
    assert [r for r in got if r["symbol"] == "BBB"][0]["quote_ts"] is None  # before BBB's first quote


def check_asof_quotes_max_age(con, got):
    want = [r for r in py_asof(con, timedelta(minutes=3))
            if r["symbol"] == "BBB" and datetime(2025, 3, 10, 16, 30) <= r["ts"] <= datetime(2025, 3, 10, 18)]
    assert_rows(got, want, dict(symbol=str, ts=ts, price=num, quote_ts=ts, bid=num, bid_size=num, ask=num, ask_size=num))
    assert any(r["quote_ts"] is None for r in got) and any(r["quote_ts"] is not None for r in got)


def aaa_hour_bars(con):
    return [b for b in py_ohlcv(table(con, "trades"), lambda t: utc_floor(t, timedelta(hours=1)))
            if b["symbol"] == "AAA" and b["ts"] < datetime(2025, 3, 8)]


def check_fill(method):
    def check(con, got):
        want = py_fill(aaa_hour_bars(con), utc_grid(timedelta(hours=1)), method)
        assert_rows(got, want, FILL_KEYS)
        gaps = [r for r in got if r["ts"] in ("2025-03-07 16:00:00", "2025-03-07 17:00:00")]
        assert len(gaps) == (0 if method == "none" else 2)
    return check


def check_fill_session_previous(con, got):
    trades = table(con, "trades")
    bars = py_ohlcv(trades, lambda t: session_floor(t, timedelta(minutes=30)))
    days = sorted({b["ts"].replace(tzinfo=UTC).astimezone(NY).date() for b in bars})

    def grid(sym, first, last):
        for d in days:
            t = datetime.combine(d, time(9, 30))
            while t < datetime.combine(d, time(16)):
                u = t.replace(tzinfo=NY).astimezone(UTC).replace(tzinfo=None)
                if first <= u <= last:
                    yield u
                t += timedelta(minutes=30)

    want = py_fill(bars, grid, "previous")
    for w in want:
        w["local_start"] = w["ts"].replace(tzinfo=UTC).astimezone(NY).replace(tzinfo=None)
    assert_rows(got, want, dict(symbol=str, ts=ts, local_start=ts, open=num, close=num, volume=num,
                                trade_count=intg, filled=boolean))
    # nothing generated outside 09:30-16:00 New York, nor for BBB before its first day
    assert all("09:30:00" <= r["local_start"][11:] < "16:00:00" for r in got)
    assert min(r["ts"] for r in got if r["symbol"] == "BBB") >= "2025-03-10"


# NYSE facts of 2025 from its published holiday list, and London's and Xetra's; hours local.
NYSE_CLOSED = {date(2025, 1, 9), date(2025, 4, 18), date(2025, 7, 4), date(2030, 7, 4)}
NYSE_EARLY = {date(2025, 7, 3), date(2025, 11, 28), date(2025, 12, 24)}
LSE_CLOSED = {date(2025, 4, 18), date(2025, 4, 21), date(2025, 12, 26)}
LSE_EARLY = {date(2025, 12, 24), date(2021, 12, 31)}
XETRA_CLOSED = {date(2025, 4, 18), date(2025, 4, 21), date(2025, 12, 24), date(2025, 12, 26), date(2021, 12, 31)}


def local_utc(d, hh_mm, zone):
    t = datetime.combine(d, time(*hh_mm), tzinfo=ZoneInfo(zone))
    return t.astimezone(UTC).replace(tzinfo=None)


def check_calendar_sessions(con, got):
    assert len(got) == 13
    for r in got:
        d = date.fromisoformat(r["d"])
        weekday = d.weekday() < 5
        nyse = weekday and d not in NYSE_CLOSED
        assert boolean(r["nyse_trading"]) == nyse, r
        assert ts(r["nyse_open"]) == (local_utc(d, (9, 30), "America/New_York") if nyse else None), r
        close_ny = (13, 0) if d in NYSE_EARLY else (16, 0)
        assert ts(r["nyse_close"]) == (local_utc(d, close_ny, "America/New_York") if nyse else None), r
        lse = weekday and d not in LSE_CLOSED
        assert boolean(r["lse_trading"]) == lse, r
        assert ts(r["lse_open"]) == (local_utc(d, (8, 0), "Europe/London") if lse else None), r
        close_ldn = (12, 30) if d in LSE_EARLY else (16, 30)
        assert ts(r["lse_close"]) == (local_utc(d, close_ldn, "Europe/London") if lse else None), r
        xetra = weekday and d not in XETRA_CLOSED
        assert ts(r["xetra_close"]) == (local_utc(d, (17, 30), "Europe/Berlin") if xetra else None), r
        assert r["nasdaq_tz"] == "America/New_York"
    # DST by hand: 09:30 New York is 14:30 UTC in January and 13:30 UTC in July
    by_day = {r["d"]: r for r in got}
    assert by_day["2025-01-06"]["nyse_open"] == "2025-01-06 14:30:00"
    assert by_day["2025-07-07"]["nyse_open"] == "2025-07-07 13:30:00"
    assert by_day["2025-07-03"]["nyse_close"] == "2025-07-03 17:00:00"


def check_fill_exchange_previous(con, got):
    trades = [("CCC", datetime(2025, 7, 2, 19, 10), 10.0, 1.0), ("CCC", datetime(2025, 7, 3, 13, 40), 11.0, 2.0),
              ("CCC", datetime(2025, 7, 7, 14, 5), 12.0, 1.0)]
    sessions = {date(2025, 7, 2): (16, 0), date(2025, 7, 3): (13, 0), date(2025, 7, 7): (16, 0)}  # closes, New York
    grid = []
    for d, close_hm in sorted(sessions.items()):
        t, end = local_utc(d, (9, 30), "America/New_York"), local_utc(d, close_hm, "America/New_York")
        while t < end:
            grid.append(t)
            t += timedelta(hours=1)
    bar_of = {t: max(g for g in grid if g <= t) for _, t, _, _ in trades}
    first, last = bar_of[trades[0][1]], bar_of[trades[-1][1]]
    want, prev = [], None
    for g in (g for g in grid if first <= g <= last):
        traded = [tr for tr in trades if bar_of[tr[1]] == g]
        if traded:
            prev = traded[-1][2]
        want.append(dict(symbol="CCC", ts=g, local_start=g.replace(tzinfo=UTC).astimezone(NY).replace(tzinfo=None),
                         close=prev, volume=sum(tr[3] for tr in traded), filled=not traded))
    assert_rows(got, want, dict(symbol=str, ts=ts, local_start=ts, close=num, volume=num, filled=boolean))
    # by hand: the early close leaves 13:30..16:30 UTC on 07-03, and no bar on 07-04
    assert [r["ts"] for r in got if r["ts"].startswith("2025-07-03")][-1] == "2025-07-03 16:30:00"
    assert not [r for r in got if r["ts"].startswith("2025-07-04")]


def check_calendar_lunch_breaks(con, got):
    hk = "Asia/Hong_Kong"
    assert len(got) == 4
    by_day = {r["d"]: r for r in got}
    # 2010: HKEX's old hours, 10:00-12:30 and 14:30-16:00; 2025: 09:30-12:00 and 13:00-16:00.
    for d, (o, bs, be, c) in {"2010-07-02": ((10, 0), (12, 30), (14, 30), (16, 0)),
                              "2025-07-02": ((9, 30), (12, 0), (13, 0), (16, 0))}.items():
        day = date.fromisoformat(d)
        r = by_day[d]
        assert [ts(r[k]) for k in ("hk_open", "hk_break_start", "hk_break_end", "hk_close")] == \
            [local_utc(day, hm, hk) for hm in (o, bs, be, c)], r
        assert r["nyse_break_start"] is None
        assert ts(r["sse_break_end"]) == local_utc(day, (13, 0), "Asia/Shanghai")
    # Tokyo: lunch from 11:00 until 2011-11-18, close 15:30 from 2024-11-05.
    assert ts(by_day["2010-07-02"]["tse_break_start"]) == local_utc(date(2010, 7, 2), (11, 0), "Asia/Tokyo")
    assert ts(by_day["2025-07-02"]["tse_close"]) == local_utc(date(2025, 7, 2), (15, 30), "Asia/Tokyo")
    # 2025-10-07, the day after Mid-Autumn: Hong Kong closed, Shanghai in its National Day week.
    assert by_day["2025-10-07"]["hk_open"] is None and by_day["2025-10-07"]["sse_break_end"] is None
    # Christmas Eve: a morning-only half day, no break.
    eve = by_day["2025-12-24"]
    assert ts(eve["hk_close"]) == local_utc(date(2025, 12, 24), (12, 0), hk) and eve["hk_break_start"] is None
    assert {r["sse_regular_break"] for r in got} == {"11:30:00"}


def check_fill_exchange_lunch_break(con, got):
    hk = ZoneInfo("Asia/Hong_Kong")
    day = date(2025, 7, 2)
    trades = [(datetime(2025, 7, 2, 3, 10), 500.0, 1.0), (datetime(2025, 7, 2, 6, 40), 502.0, 2.0)]
    grid = []
    for start, end in (((9, 30), (12, 0)), ((13, 0), (16, 0))):
        t, stop = local_utc(day, start, "Asia/Hong_Kong"), local_utc(day, end, "Asia/Hong_Kong")
        while t < stop:
            grid.append(t)
            t += timedelta(minutes=30)
    bar_of = {t: max(g for g in grid if g <= t) for t, _, _ in trades}
    first, last = bar_of[trades[0][0]], bar_of[trades[-1][0]]
    want, prev = [], None
    for g in (g for g in grid if first <= g <= last):
        traded = [tr for tr in trades if bar_of[tr[0]] == g]
        if traded:
            prev = traded[-1][1]
        want.append(dict(symbol="0700", ts=g, local_start=g.replace(tzinfo=UTC).astimezone(hk).replace(tzinfo=None),
                         close=prev, volume=sum(tr[2] for tr in traded), filled=not traded))
    assert_rows(got, want, dict(symbol=str, ts=ts, local_start=ts, close=num, volume=num, filled=boolean))
    # by hand: 11:30 is the last morning bar, 13:00 the first of the afternoon
    local = [r["local_start"][11:16] for r in got]
    assert "11:30" in local and "13:00" in local and not [t for t in local if "12:00" <= t < "13:00"]


def check_fill_daily_linear(con, got):
    bars = [dict(b) for b in table(con, "bars")]
    want = [r for r in py_fill(bars, utc_grid(timedelta(days=1)), "linear")
            if r["symbol"] == "N225" and datetime(2021, 1, 8) <= r["ts"] <= datetime(2021, 1, 19)]
    assert_rows(got, want, dict(symbol=str, ts=ts, close=num, volume=num, filled=boolean))
    # by hand: 01-13 is a third of the way from 01-12 to 01-18 (the next bar, after the weekend)
    c12, c18 = (num(r["close"]) for r in got if r["ts"] in ("2021-01-12 00:00:00", "2021-01-18 00:00:00"))
    (c13,) = (num(r["close"]) for r in got if r["ts"] == "2021-01-13 00:00:00")
    assert close(c13, c12 + (c18 - c12) / 6)


# --- Python references for the Athena functions ----------------------------------------------

def check_athena_tutorial_monthly(con, got):
    groups = defaultdict(list)
    for b in table(con, "bars"):
        if b["symbol"].startswith("N") and datetime(2021, 1, 1) <= b["ts"] < datetime(2021, 3, 1):
            groups[(b["symbol"], b["ts"].strftime("%Y-%m"))].append(b)
    want = []
    for (sym, month), g in sorted(groups.items()):
        vols = sorted(b["volume"] for b in g)
        want.append(dict(symbol=sym, month=month, days=len(g),
                         avg_close=round(sum(b["close"] for b in g) / len(g), 2),
                         high=max(b["high"] for b in g), low=min(b["low"] for b in g), vols=vols))
    assert_rows(got, want, dict(symbol=str, month=str, days=int, avg_close=num, high=num, low=num))
    for g, w in zip(got, want):
        # an approximate median: between the two middle values of the month
        n = len(w["vols"])
        assert w["vols"][(n - 1) // 2] <= num(g["median_volume"]) <= w["vols"][n // 2]


def check_athena_tutorial_filters(con, got):
    end = datetime(2021, 2, 26)
    want = [dict(symbol=b["symbol"], day=b["ts"].strftime("%Y-%m-%d %a"), close=b["close"],
                 days_since_new_year=(b["ts"] - datetime(2021, 1, 1)).days, dow=b["ts"].isoweekday())
            for b in table(con, "bars") if b["symbol"] == "NYA" and end - timedelta(days=10) < b["ts"] <= end]
    assert_rows(got, want, dict(symbol=str, day=str, close=num, days_since_new_year=int, dow=int))


def check_athena_date_parse(con, got):
    by_hand = dict(iso="2025-01-06 14:30:05", T="2025-01-06 14:30:05", fraction="2025-01-06 14:30:05.25",
                   fraction9="2025-01-06 14:30:05.123456", us_12h="2025-01-06 14:30:05",
                   names="2025-01-06 09:05:00", month_name="2025-01-06 00:00:00",
                   one_digit="2025-01-06 02:05:00", two_digit="2069-01-06 00:00:00",
                   two_digit2="1970-01-06 00:00:00", day_of_yr="2025-02-06 00:00:00",
                   percent="2025-01-06 00:00:00")
    assert {r["name"]: ts(r["parsed"]) for r in got} == {k: ts(v) for k, v in by_hand.items()}


def check_athena_date_format(con, got):
    (r,) = got
    t = datetime(2025, 3, 7, 14, 5, 9, 123456)
    assert r["iso"] == t.strftime("%Y-%m-%d %H:%M:%S")
    assert r["long_date"] == "Friday, March 7, 2025"
    assert r["short_date"] == "Fri Mar 07 25"
    assert r["time_12h"] == "02:05:09 PM"
    assert r["time_us"] == "14:05:09.123456"
    assert r["unpadded"] == "04|04|4|4|AM|3|066"
    assert r["iso_week"] == "2026-W01"   # 2025-12-29 is a Monday in ISO week 1 of 2026
    assert r["literals"] == "100% at 1405, q"
    assert r["from_date"] == "2025/03/07"
    assert r["from_tz"] == "2025-03-07 14:05"


def check_athena_unixtime_iso8601(con, got):
    (r,) = got
    base = datetime(2025, 1, 6, 14, 30)
    assert ts(r["offset_form"]) == base and r["offset_form"].endswith("+00")
    assert ts(r["zulu_us"]) == base.replace(microsecond=123456)
    assert ts(r["hour_only"]) == datetime(2025, 1, 6, 14)
    assert ts(r["date_only"]) == datetime(2025, 1, 6)
    assert r["iso_date"] == "2025-01-06"
    assert r["iso_ts"] == "2025-01-06T14:30:00.500"
    assert r["iso_tstz"] == "2025-01-06T14:30:00.000Z"
    assert r["iso_d"] == "2025-01-06"
    assert ts(r["unix_instant"]) == EPOCH + timedelta(seconds=1736173800) == base
    assert ts(r["unix_fraction"]) == base + timedelta(milliseconds=250)
    assert ts(r["unix_ny_wall_clock"]) == base.replace(tzinfo=UTC).astimezone(NY).replace(tzinfo=None)
    assert ts(r["unix_plus_0530"]) == base + timedelta(hours=5, minutes=30)
    assert float(r["to_unix_ts"]) == (base - EPOCH).total_seconds()
    assert float(r["to_unix_negative"]) == -0.5


def check_athena_date_diff_add(con, got):
    (r,) = got
    ints = dict(trino_days=0, duckdb_days=1, hours=6, negative_seconds=-23400, ms=1234, weeks=2,
                months_end=1, quarters=2, years=1)
    assert {k: int(r[k]) for k in ints} == ints
    stamps = dict(minus_day=datetime(2025, 1, 5, 14, 30), month_end=datetime(2020, 2, 29),
                  quarter=datetime(2021, 2, 28, 8), ms_add=datetime(2025, 1, 6, 0, 0, 1, 500000),
                  upper_unit=datetime(2025, 1, 7, 12), weeks_on_date=datetime(2025, 1, 20),
                  leap_back=datetime(2023, 2, 28), duckdb_form=datetime(2025, 1, 7))
    assert {k: ts(r[k]) for k in stamps} == stamps


def check_athena_approx(con, got):
    trades = table(con, "trades")
    for r in got:
        mine = [t for t in trades if t["symbol"] == r["symbol"]]
        prices = sorted(t["price"] for t in mine)
        assert int(r["distinct_prices"]) == len(set(prices))
        assert int(r["distinct_sides"]) == len({t["side"] for t in mine}) == 2
        n = len(prices)
        assert prices[(n - 1) // 2] <= float(r["median_price"]) <= prices[n // 2]
        sizes = [t["size"] for t in mine]
        assert [float(x) for x in r["size_range"].strip("[]").split(", ")] == [min(sizes), max(sizes)]
    assert [r["symbol"] for r in got] == ["AAA", "BBB"]


def check_athena_collections(con, got):
    (r,) = got
    want = dict(first="10", last="30", past_end=None, before_start=None, map_hit="100.0", map_miss=None,
                map_zero_key="zero", split_part2="XNAS", array_len="3", empty_len="0", map_len="2",
                split_len="4", starts="true", anywhere="true", no_match="false", case_flag="true",
                trino_array_literal="20", trino_map_literal="3")
    assert {k: r[k] for k in want} == want


def check_athena_json(con, got):
    (r,) = got
    want = dict(symbol="BTCUSDT", price_text="16800.5", number="0.25", bool="true", json_null=None,
                object=None, nested="1", array=None, element="3", missing=None, bracket="x",
                not_json=None, reformatted='{"a":[1,2],"b":"c"}', sunday="7", monday="1",
                leap_day_of_year="366")
    assert {k: r[k] for k in want} == want


def check_athena_mysql_time_format(con, got):
    (r,) = got
    assert r == dict(basic="%Y-%m-%d %H:%M:%S", formatting="%-d %-m %-H %-I %f",
                     parsing="%d %m %H %I %n", literals="100%% q %I:%M:%S %p %H:%M:%S")


def check_athena_misc(con, got):
    (r,) = got
    want = dict(joined="a,c", joined_null="a,?,c", joined_numbers="1-2-3", date_text="2025-01-06",
                date_ts="2025-01-06", leap_month_end="2024-02-29", nan_is_nan="true", inf_finite="false",
                minus_inf="true", finite="true", zone="UTC", digit_runs="3", pieces="[a, b, c]",
                toward_zero="-2.0")
    assert {k: r[k] for k in want} == want


def check_athena_tutorial_string_dates(con, got):
    groups = defaultdict(list)
    for b in table(con, "bars"):
        if b["symbol"] in ("NYA", "N225") and datetime(2021, 1, 11) <= b["ts"] <= datetime(2021, 2, 12):
            groups[(b["symbol"], b["ts"].strftime("%Y-%m"))].append(b)
    want = [dict(index=k[0], month=k[1], days=len(g), max_adj=max(b["adj_close"] for b in g),
                 mondays=sum(b["ts"].weekday() == 0 for b in g)) for k, g in sorted(groups.items())]
    assert len(got) == len(want) == 4
    for g, w in zip(got, want):
        assert (g["index"], g["month"], int(g["days"]), float(g["max adj close"]), int(g["mondays"])) == \
               (w["index"], w["month"], w["days"], w["max_adj"], w["mondays"])


CHECKS = {
    "athena_misc": check_athena_misc,
    "athena_tutorial_string_dates": check_athena_tutorial_string_dates,
    "ohlcv_utc_1h": check_ohlcv_utc_1h,
    "ohlcv_utc_10m_ties": check_ohlcv_utc_10m_ties,
    "ohlcv_session_us_1h": check_ohlcv_session_us_1h,
    "ohlcv_session_1d": check_ohlcv_session_1d,
    "bar_start": check_bar_start,
    "vwap": check_vwap,
    "returns_bars": check_returns_bars,
    "returns_window": check_returns_window,
    "latest": check_latest,
    "asof_quotes": check_asof_quotes,
    "asof_quotes_max_age": check_asof_quotes_max_age,
    "fill_utc_none": check_fill("none"),
    "fill_utc_null": check_fill("null"),
    "fill_utc_previous": check_fill("previous"),
    "fill_utc_linear": check_fill("linear"),
    "fill_session_previous": check_fill_session_previous,
    "fill_exchange_previous": check_fill_exchange_previous,
    "calendar_sessions": check_calendar_sessions,
    "calendar_lunch_breaks": check_calendar_lunch_breaks,
    "fill_exchange_lunch_break": check_fill_exchange_lunch_break,
    "fill_daily_linear": check_fill_daily_linear,
    "athena_tutorial_monthly": check_athena_tutorial_monthly,
    "athena_tutorial_filters": check_athena_tutorial_filters,
    "athena_date_parse": check_athena_date_parse,
    "athena_date_format": check_athena_date_format,
    "athena_unixtime_iso8601": check_athena_unixtime_iso8601,
    "athena_date_diff_add": check_athena_date_diff_add,
    "athena_approx": check_athena_approx,
    "athena_collections": check_athena_collections,
    "athena_json": check_athena_json,
    "athena_mysql_time_format": check_athena_mysql_time_format,
}


def test_every_golden_has_a_reference_check():
    assert sorted(CHECKS) == golden_names()


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_golden_expected_matches_the_python_reference(con, name):
    CHECKS[name](con, expected(name))


def test_every_macro_is_used_by_a_golden_query():
    """Each macro the files define appears in some golden .sql (coverage of both files)."""
    import re
    names = set()
    for path in FUNCTIONS:
        names |= set(re.findall(r"CREATE OR REPLACE MACRO (\w+)", path.read_text()))
    used = " ".join((GOLDEN / f"{n}.sql").read_text() for n in golden_names())
    # helpers only reached through the functions that call them
    internal = {"unsupported_mysql_specifier", "two_digit_year_as_trino", "ticklake_session"}
    missing = sorted(n for n in names - internal if not re.search(rf"\b{n}\s*\(", used))
    assert not missing, f"macros without a golden query: {missing}"


# ---------------------------------------------------------------------------------------------
# Real data from shared/data, read by DuckDB into tables before external access is switched
# off; the references read the same files with pyarrow / csv / zipfile.

BTC = SHARED_DATA / "binance_BTCUSDT_trades.parquet"
MSFT = SHARED_DATA / "alphavantage_MSFT_1min_2020-11-23_2020-12-18.csv"
INDEXES = SHARED_DATA / "indexProcessed.csv.zip"


def needs(path):
    return pytest.mark.skipif(not path.exists(), reason=f"{path} not available")


@pytest.fixture(scope="module")
def real():
    c = session(external_access=True)
    if BTC.exists():
        c.execute(f"""CREATE TABLE btc AS SELECT 'BTCUSDT' AS symbol, "timestamp" AS ts, price,
                      quantity AS size, trade_id FROM read_parquet('{BTC}')""")
    if MSFT.exists():
        # minute bars in New York wall-clock time; each bar's close stands for a trade at its start
        c.execute(f"""CREATE TABLE msft AS SELECT 'MSFT' AS symbol,
                      CAST(strptime("time", '%Y-%m-%d %H:%M:%S') AT TIME ZONE 'America/New_York' AS TIMESTAMP) AS ts,
                      CAST(close AS DOUBLE) AS price, CAST(volume AS DOUBLE) AS size
                      FROM read_csv('{MSFT}', all_varchar = true)""")
    if INDEXES.exists():
        rows = index_rows()
        import pyarrow as pa
        arrow = pa.table({"symbol": [r[0] for r in rows], "ts": [r[1] for r in rows],
                          "open": [r[2] for r in rows], "high": [r[3] for r in rows],
                          "low": [r[4] for r in rows], "close": [r[5] for r in rows],
                          "volume": [r[6] for r in rows]})
        c.register("index_arrow", arrow)
        c.execute("""CREATE TABLE idx AS SELECT symbol, ts, '1d' AS interval, open, high, low, close, volume,
                     CAST(NULL AS DOUBLE) AS vwap, CAST(NULL AS BIGINT) AS trade_count FROM index_arrow""")
        c.unregister("index_arrow")
    c.execute("SET enable_external_access = false")
    yield c
    c.close()


def index_rows(symbols=("NYA", "N225", "GDAXI")):
    """(symbol, datetime, open, high, low, close, volume) of a few indexes, from the zip."""
    import csv
    with zipfile.ZipFile(INDEXES) as z, z.open("indexProcessed.csv") as f:
        reader = csv.DictReader(io.TextIOWrapper(f, encoding="utf-8"))
        return [(r["Index"], datetime.fromisoformat(r["Date"]), float(r["Open"]), float(r["High"]),
                 float(r["Low"]), float(r["Close"]), float(r["Volume"]))
                for r in reader if r["Index"] in symbols]


def btc_trades():
    t = pq.read_table(BTC)
    ms = t.column("timestamp").cast("int64").to_pylist()
    return [dict(symbol="BTCUSDT", ts=EPOCH + timedelta(milliseconds=m), price=p, size=q, trade_id=i)
            for m, p, q, i in zip(ms, t.column("price").to_pylist(), t.column("quantity").to_pylist(),
                                  t.column("trade_id").to_pylist())]


def as_dicts(con, sql):
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def assert_same(got, want, cols):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        for k in cols:
            ok = close(g[k], w[k], 1e-9) if isinstance(w[k], float) else g[k] == w[k]
            assert ok, (k, g, w)


@needs(BTC)
def test_binance_trades_10s_bars_and_vwap(real):
    trades = btc_trades()
    want = py_ohlcv(trades, lambda t: utc_floor(t, timedelta(seconds=10)))
    got = as_dicts(real, "SELECT * FROM ohlcv('btc', '10s')")
    assert len(want) == 5   # 00:00:00 .. 00:00:46
    assert_same(got, want, ["symbol", "ts", "open", "high", "low", "close", "volume", "trade_count", "vwap"])
    (total,) = real.execute("SELECT vwap(price, size) FROM btc").fetchone()
    assert close(total, sum(t["price"] * t["size"] for t in trades) / sum(t["size"] for t in trades), 1e-12)


@needs(BTC)
def test_binance_returns_latest_and_approx(real):
    trades = btc_trades()
    bars = py_ohlcv(trades, lambda t: utc_floor(t, timedelta(seconds=1)))
    real.execute("CREATE OR REPLACE TEMP TABLE btc_1s AS FROM ohlcv('btc', '1s')")
    got = as_dicts(real, "SELECT * FROM returns('btc_1s')")
    assert_same(got, py_returns([(b["symbol"], b["ts"], b["close"]) for b in bars]),
                ["ts", "value", "simple_return", "log_return"])
    # log returns telescope: their sum is ln(last close / first close)
    (s,) = real.execute("SELECT sum(log_return) FROM returns('btc_1s')").fetchone()
    assert close(s, math.log(bars[-1]["close"] / bars[0]["close"]), 1e-9)
    (last,) = as_dicts(real, "SELECT trade_id, CAST(ts AS VARCHAR) AS ts FROM latest('btc')")
    newest = max(t["ts"] for t in trades)
    assert last["trade_id"] in {t["trade_id"] for t in trades if t["ts"] == newest}
    assert ts(last["ts"]) == newest
    distinct, median = real.execute("SELECT approx_distinct(trade_id), approx_percentile(price, 0.5) FROM btc").fetchone()
    assert distinct == len({t["trade_id"] for t in trades}) == 2001
    prices = sorted(t["price"] for t in trades)
    # an approximate median: within 1% of the ranks of the exact one
    assert prices[int(0.49 * len(prices))] <= median <= prices[int(0.51 * len(prices))]


@needs(MSFT)
def test_msft_minute_bars_to_us_session_hours(real):
    import csv
    with open(MSFT, newline="") as f:
        minutes = [dict(symbol="MSFT",
                        ts=datetime.fromisoformat(r["time"]).replace(tzinfo=NY).astimezone(UTC).replace(tzinfo=None),
                        price=float(r["close"]), size=float(r["volume"])) for r in csv.DictReader(f)]
    want = py_ohlcv(minutes, lambda t: session_floor(t, timedelta(hours=1)))
    got = as_dicts(real, "SELECT * FROM ohlcv_us_equities('msft', '1h')")
    assert_same(got, want, ["ts", "open", "high", "low", "close", "volume", "trade_count", "vwap"])
    # every bar starts at hh:30 New York time, none at pre-market or after-hours
    assert {(b["ts"].replace(tzinfo=UTC).astimezone(NY).hour, b["ts"].replace(tzinfo=UTC).astimezone(NY).minute)
            for b in want} == {(h, 30) for h in range(9, 16)}
    # seven bars a day, but four on 2020-11-27: the day after Thanksgiving closes at 13:00
    per_day = defaultdict(int)
    for b in want:
        per_day[b["ts"].date()] += 1
    assert per_day.pop(date(2020, 11, 27)) == 4 and set(per_day.values()) == {7}


@needs(MSFT)
def test_msft_session_gaps_filled_from_the_data_calendar(real):
    import csv
    with open(MSFT, newline="") as f:
        minutes = [dict(symbol="MSFT",
                        ts=datetime.fromisoformat(r["time"]).replace(tzinfo=NY).astimezone(UTC).replace(tzinfo=None),
                        price=float(r["close"]), size=float(r["volume"])) for r in csv.DictReader(f)]
    bars = py_ohlcv(minutes, lambda t: session_floor(t, timedelta(minutes=1)))
    days = sorted({b["ts"].replace(tzinfo=UTC).astimezone(NY).date() for b in bars})

    def grid(sym, first, last):
        for d in days:
            t = datetime.combine(d, time(9, 30))
            while t < datetime.combine(d, time(16)):
                u = t.replace(tzinfo=NY).astimezone(UTC).replace(tzinfo=None)
                if first <= u <= last:
                    yield u
                t += timedelta(minutes=1)

    for method in ("previous", "linear"):
        want = py_fill(bars, grid, method)
        got = as_dicts(real, f"SELECT * FROM ohlcv_filled('msft', '1m', '{method}', 'America/New_York', '09:30', '16:00')")
        assert_same(got, want, ["ts", "open", "close", "volume", "trade_count", "filled"])
    assert sum(w["filled"] for w in want) > 0   # the recording has quiet minutes: something to fill


@needs(INDEXES)
def test_index_bars_athena_tutorial_query(real):
    rows = index_rows()
    groups = defaultdict(list)
    for sym, d, o, h, l, c, v in rows:
        if sym.startswith("N") and datetime(2015, 1, 1) <= d < datetime(2021, 1, 1):
            groups[(sym, d.strftime("%Y"))].append(c)
    want = [dict(symbol=k[0], year=k[1], days=len(v), avg_close=sum(v) / len(v), first_day=None)
            for k, v in sorted(groups.items())]
    got = as_dicts(real, """
        SELECT symbol, date_format(ts, '%Y') AS year, count(*) AS days, avg(close) AS avg_close
        FROM idx
        WHERE regexp_like(symbol, '^N')
          AND ts >= date_parse('2015-01-01', '%Y-%m-%d') AND ts < from_iso8601_timestamp('2021-01-01T00:00:00Z')
        GROUP BY 1, 2 ORDER BY 1, 2""")
    assert_same(got, want, ["symbol", "year", "days", "avg_close"])
    assert {g["symbol"] for g in got} == {"NYA", "N225"}


@needs(INDEXES)
def test_index_bars_fill_previous_and_returns(real):
    rows = [r for r in index_rows() if r[0] == "GDAXI" and datetime(2020, 1, 1) <= r[1] < datetime(2021, 1, 1)]
    bars = [dict(symbol=r[0], ts=r[1], open=r[2], high=r[3], low=r[4], close=r[5], volume=r[6],
                 trade_count=None, vwap=None) for r in rows]
    real.execute("""CREATE OR REPLACE TEMP TABLE dax AS FROM idx
                    WHERE symbol = 'GDAXI' AND ts >= TIMESTAMP '2020-01-01' AND ts < TIMESTAMP '2021-01-01'""")
    want = py_fill(bars, utc_grid(timedelta(days=1)), "previous")
    got = as_dicts(real, "SELECT * FROM fill_bars('dax', '1d')")
    assert_same(got, want, ["ts", "open", "high", "low", "close", "volume", "filled"])
    span = (bars[-1]["ts"] - bars[0]["ts"]).days + 1
    assert len(got) == span and sum(g["filled"] for g in got) == span - len(bars)
    got_r = as_dicts(real, "SELECT * FROM returns('dax')")
    assert_same(got_r, py_returns([(b["symbol"], b["ts"], b["close"]) for b in bars]),
                ["ts", "value", "simple_return", "log_return"])


def test_files_load_into_a_fresh_connection_and_work_without_external_access():
    con = duckdb.connect()
    con.execute(calendar_sql())  # market.sql's calendar macros read its tables
    for path in FUNCTIONS:
        con.execute(path.read_text())
    con.execute("SET enable_external_access = false")
    assert con.execute("SELECT date_diff('day', DATE '2025-01-01', DATE '2025-01-31'), "
                       "CAST(bar_start(TIMESTAMP '2025-01-06 14:31', '5m') AS VARCHAR)").fetchone() == (30, "2025-01-06 14:30:00")
    # loading twice is harmless (CREATE OR REPLACE), as when a session reloads the library
    for path in FUNCTIONS:
        con.execute(path.read_text())


def test_athena_functions_do_not_depend_on_market_sql():
    """athena.sql loads alone, so the engine may load the files separately."""
    con = duckdb.connect()
    con.execute(FUNCTIONS[1].read_text())
    assert con.execute("SELECT to_iso8601(from_unixtime(0))").fetchone() == ("1970-01-01T00:00:00.000Z",)


def test_errors_say_what_is_wrong(con):
    for sql, message in (
            ("SELECT date_format(TIMESTAMP '2025-01-06', '%D')", "%D is not supported"),
            ("SELECT date_parse('2025 01', '%Y %U')", "%U is not supported"),
            ("SELECT date_add('fortnight', 1, TIMESTAMP '2025-01-06')", "unknown unit fortnight"),
            ("SELECT element_at([1, 2], 0)", "indices start at 1"),
            ("SELECT bar_start(TIMESTAMP '2025-01-06', '1 month')", "at most days long"),
            ("FROM fill_bars('bars', '1d', 'spline')", "method must be none, null, previous or linear")):
        with pytest.raises(duckdb.Error, match=message):
            con.execute(sql).fetchall()


def test_duckdb_builtins_kept_under_their_other_names(con):
    """What the compatibility macros hide stays reachable: datediff counts boundaries,
    date_add(date, interval) works, approx_count_distinct is the sketch."""
    assert con.execute("SELECT datediff('day', TIMESTAMP '2020-01-01 23:00', TIMESTAMP '2020-01-02 01:00'), "
                       "CAST(date_add(DATE '2025-01-06', INTERVAL 2 DAY) AS VARCHAR), "
                       "approx_count_distinct(x) > 0 FROM range(10) t(x)").fetchone() == (1, "2025-01-08 00:00:00", True)


def test_macros_stay_reachable_after_use_of_another_catalog_with_search_path():
    """The engine may attach the lake as its own catalog and USE it: the macros (in memory.main)
    must then stay on the search path, and still hide the built-ins they replace."""
    con = session()
    con.execute("ATTACH ':memory:' AS lake")
    con.execute("CREATE SCHEMA lake.market")
    con.execute("CREATE TABLE lake.market.t AS SELECT 'A' AS symbol, TIMESTAMP '2025-01-06 00:30' AS ts, 2.0 AS price, 3.0 AS size")
    con.execute("USE lake.market")
    with pytest.raises(duckdb.CatalogException):
        con.execute("SELECT vwap(price, size) FROM t").fetchall()
    con.execute("SET search_path = 'lake.market,memory.main'")
    assert con.execute("SELECT vwap(price, size), max(date_diff('day', ts - INTERVAL 1 HOUR, ts)) FROM t").fetchone() == (2.0, 0)
    assert con.execute("SELECT count(*) FROM ohlcv('t', '1m')").fetchone() == (1,)


LIBDUCKDB = Path(os.environ.get("DUCKDB_HOME", ROOT / ".deps" / "duckdb")) / "lib" / "libduckdb.so"


@pytest.mark.skipif(not LIBDUCKDB.exists(), reason="libduckdb.so not installed (make setup)")
def test_golden_files_match_through_the_c_api_of_the_embedded_libduckdb(tmp_path):
    """The engine will run the same files through libduckdb.so: same answers, same text."""
    import subprocess
    import sys
    calendar_file = tmp_path / "calendar.sql"
    calendar_file.write_text(calendar_sql())
    proc = subprocess.run([sys.executable, str(Path(__file__).with_name("golden_via_c_api.py")),
                           str(LIBDUCKDB), str(ROOT), str(calendar_file)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout == "", f"golden files differing through the C API:\n{proc.stdout}"
