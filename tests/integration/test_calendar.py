"""ticklake's exchange calendar against an independent one: the `exchange_calendars` package
(PyPI, pinned in setup/requirements-test.txt), used here only as a checker.

For each exchange we claim, every session date from 2000-01-01 to the end of the last
non-provisional year (or the end of exchange_calendars' own range, if earlier), with its
open, close and lunch break in UTC, must match, except the differences listed in
KNOWN_DIFFERENCES (single days) and KNOWN_SPANS (a rule over a date range, e.g. hours before a
reform), each with the reason we believe ticklake's answer. The lists must be exact: a
difference that disappears, or a span that no longer explains any, fails the test too, so the
lists never go stale. Each exchange prints its count of differences.
"""
import csv
import io

import pandas as pd
import pytest

from conftest import run

exchange_calendars = pytest.importorskip("exchange_calendars")

FIRST = "2000-01-01"
LAST_CONFIRMED = "2027-12-31"  # ExchangeCalendar::last_confirmed_year() of each exchange below

# (date, what) -> why. `what` is "only_ticklake", "only_exchange_calendars", "open" or "close".
def _xetra_not_modelled():
    """Xetra closures and early closes ticklake's rules do not have (no source of ours confirmed
    them, so they are not written in as facts): exchange_calendars closes Xetra on Whit Monday in
    2007 and 2015-2021, on German Unity Day 2014-2019 and on Reformation Day 2017, and closes at
    14:00 Frankfurt on the last trading day before New Year's Eve from 2010 on."""
    why_closed = "Xetra closure not modelled by ticklake (see _xetra_not_modelled)"
    why_early = "Xetra 14:00 year-end close not modelled by ticklake (see _xetra_not_modelled)"
    closed = ["2007-05-28", "2015-05-25", "2016-05-16", "2017-06-05", "2018-05-21", "2019-06-10", "2020-06-01",
              "2021-05-24", "2014-10-03", "2016-10-03", "2017-10-03", "2018-10-03", "2019-10-03", "2017-10-31"]
    early = ["2010-12-30", "2011-12-30", "2012-12-28", "2013-12-30", "2014-12-30", "2015-12-30", "2016-12-30",
             "2017-12-29", "2018-12-28", "2019-12-30", "2020-12-30", "2021-12-30", "2022-12-30", "2023-12-29",
             "2024-12-30", "2025-12-30", "2026-12-30"]
    known = {(d, "only_ticklake"): why_closed for d in closed}
    known.update({(d, "close"): why_early for d in early})
    return known


def _hong_kong():
    """Hong Kong: typhoon (signal 8) and black-rainstorm days with no trading are weather, not
    rules, and ticklake has no source of its own for most of them (exchange_calendars closes
    these); 2023-09-01 (Saola) and 2023-09-08 (black rainstorm) ticklake closes from HKEX's
    notices, exchange_calendars trades them. Before 2012, exchange_calendars trades a full day on
    some Lunar New Year's Eves where ticklake (HKEX's half-day rule) closes at noon."""
    weather = "severe-weather closure: not modelled by ticklake (see _hong_kong)"
    known = {(d, "only_ticklake"): weather for d in
             ["2001-07-06", "2001-07-25", "2008-08-06", "2008-08-22", "2011-09-29", "2013-08-14", "2016-08-02",
              "2016-10-21", "2017-08-23", "2020-10-13", "2021-10-13", "2023-07-17", "2024-09-06"]}
    known.update({(d, "only_exchange_calendars"): "HKEX did not trade (Saola; black rainstorm)"
                  for d in ["2023-09-01", "2023-09-08"]})
    known.update({(d, "close"): "Lunar New Year's Eve half day (HKEX rule), full day in exchange_calendars"
                  for d in ["2001-01-23", "2002-02-11", "2004-01-21", "2005-02-08", "2008-02-06", "2011-02-02"]})
    return known


KNOWN_DIFFERENCES = {
    "XNYS": {},  # exact
    "XLON": {},  # exact
    "XETR": _xetra_not_modelled(),
    "XTKS": {},
    "XHKG": _hong_kong(),
    # The May Day closure of 2003 ran to May 7 in the notice ticklake follows; exchange_calendars
    # closes 2003-05-08 and 05-09 as well (no source of ours confirms the extension).
    "XSHG": {("2003-05-08", "only_ticklake"): "not in the notice ticklake follows",
             ("2003-05-09", "only_ticklake"): "not in the notice ticklake follows"},
}

# mic -> [(first day, last day, kinds of difference, why)]: every difference of those kinds in
# the span is explained, and the span must explain at least one.
KNOWN_SPANS = {
    "XTKS": [("2000-01-01", "2011-11-18", {"break_start"},
              "the TSE's morning session ended at 11:00 until it was extended to 11:30 on 2011-11-21; "
              "exchange_calendars uses 11:30 for every year")],
    "XHKG": [("2000-01-01", "2012-03-02", {"break_start", "break_end"},
              "HKEX's hours before its reforms: lunch 12:30-14:30 until 2011-03-04, 12:00-13:30 until "
              "2012-03-02; exchange_calendars uses today's 12:00-13:00 for every year")],
}


def ticklake_sessions(mic, first, last):
    out = run(["calendar", mic, "--from", first, "--to", last, "--format", "csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    ts = lambda text: pd.Timestamp(text) if text else None
    return {r["date"]: (ts(r["open_utc"]), ts(r["close_utc"]), r["provisional"], ts(r["break_start_utc"]),
                        ts(r["break_end_utc"])) for r in rows}


def reference_sessions(mic, first, last):
    cal = exchange_calendars.get_calendar(mic, start=first)
    end = min(pd.Timestamp(last), cal.last_session)
    sched = cal.schedule.loc[pd.Timestamp(first):end]
    none = lambda t: None if pd.isna(t) else t
    return {d.strftime("%Y-%m-%d"): (o, c, none(bs), none(be))
            for d, o, c, bs, be in zip(sched.index, sched["open"], sched["close"], sched["break_start"],
                                       sched["break_end"])}, end


def differences(mic):
    ref, end = reference_sessions(mic, FIRST, LAST_CONFIRMED)
    ours = ticklake_sessions(mic, FIRST, end.strftime("%Y-%m-%d"))
    diff = {}
    for d in sorted(set(ours) | set(ref)):
        if d not in ref:
            diff[(d, "only_ticklake")] = ""
        elif d not in ours:
            diff[(d, "only_exchange_calendars")] = ""
        else:
            if ours[d][0] != ref[d][0]:
                diff[(d, "open")] = f"{ours[d][0]} vs {ref[d][0]}"
            if ours[d][1] != ref[d][1]:
                diff[(d, "close")] = f"{ours[d][1]} vs {ref[d][1]}"
            if ours[d][3] != ref[d][2]:
                diff[(d, "break_start")] = f"{ours[d][3]} vs {ref[d][2]}"
            if ours[d][4] != ref[d][3]:
                diff[(d, "break_end")] = f"{ours[d][4]} vs {ref[d][3]}"
    return diff, len(ref), len(ours)


@pytest.mark.parametrize("mic", sorted(KNOWN_DIFFERENCES))
def test_sessions_match_exchange_calendars(mic):
    diff, n_ref, n_ours = differences(mic)
    spans = KNOWN_SPANS.get(mic, [])
    in_span = lambda d, what, span: span[0] <= d <= span[1] and what in span[2]
    unexplained = {(d, w): v for (d, w), v in diff.items()
                   if (d, w) not in KNOWN_DIFFERENCES[mic] and not any(in_span(d, w, s) for s in spans)}
    gone = [k for k in KNOWN_DIFFERENCES[mic] if k not in diff]
    gone += [s[3] for s in spans if not any(in_span(d, w, s) for d, w in diff)]
    days = len({d for d, _ in diff})
    print(f"{mic}: {n_ours} sessions in ticklake, {n_ref} in exchange_calendars, {len(diff)} differences on "
          f"{days} days ({len(diff) - len(unexplained)} known)")
    assert not unexplained, f"{mic}: {len(unexplained)} unexplained differences: " + \
        "; ".join(f"{d} {w} {v}" for (d, w), v in list(unexplained.items())[:40])
    assert not gone, f"{mic}: listed differences no longer differ (remove them): {gone}"


def test_years_after_the_last_published_one_are_provisional():
    ours = ticklake_sessions("XNYS", "2027-12-01", "2028-01-31")
    assert {p for d, (_, _, p, _, _) in ours.items() if d < "2028"} == {"false"}
    assert {p for d, (_, _, p, _, _) in ours.items() if d >= "2028"} == {"true"}


def test_unknown_exchange_fails_with_a_message():
    proc = run(["calendar", "XXXX", "--from", "2025-01-01", "--to", "2025-01-31"], check=False)
    assert proc.returncode != 0
    assert "XNYS" in proc.stderr
