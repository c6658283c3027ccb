"""ticklake's exchange calendar against an independent one: the `exchange_calendars` package
(PyPI, pinned in setup/requirements-test.txt), used here only as a checker.

For each exchange we claim, every session date from 2000-01-01 to the end of the last
non-provisional year (or the end of exchange_calendars' own range, if earlier), with its
open and close in UTC, must match, except the differences listed in KNOWN_DIFFERENCES, each
with the reason we believe ticklake's answer. The list must be exact: a difference that
disappears fails the test too, so the list never goes stale.
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


KNOWN_DIFFERENCES = {
    "XNYS": {},  # exact
    "XLON": {},  # exact
    "XETR": _xetra_not_modelled(),
}


def ticklake_sessions(mic, first, last):
    out = run(["calendar", mic, "--from", first, "--to", last, "--format", "csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    return {r["date"]: (pd.Timestamp(r["open_utc"]), pd.Timestamp(r["close_utc"]), r["provisional"]) for r in rows}


def reference_sessions(mic, first, last):
    cal = exchange_calendars.get_calendar(mic, start=first)
    end = min(pd.Timestamp(last), cal.last_session)
    sched = cal.schedule.loc[pd.Timestamp(first):end]
    return {d.strftime("%Y-%m-%d"): (o, c) for d, o, c in zip(sched.index, sched["open"], sched["close"])}, end


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
    return diff, len(ref), len(ours)


@pytest.mark.parametrize("mic", sorted(KNOWN_DIFFERENCES))
def test_sessions_match_exchange_calendars(mic):
    diff, n_ref, n_ours = differences(mic)
    unexplained = {k: v for k, v in diff.items() if k not in KNOWN_DIFFERENCES[mic]}
    gone = [k for k in KNOWN_DIFFERENCES[mic] if k not in diff]
    print(f"{mic}: {n_ours} sessions in ticklake, {n_ref} in exchange_calendars, "
          f"{len(diff)} differences ({len(diff) - len(unexplained)} known)")
    assert not unexplained, f"{mic}: {len(unexplained)} unexplained differences: " + \
        "; ".join(f"{d} {w} {v}" for (d, w), v in list(unexplained.items())[:40])
    assert not gone, f"{mic}: listed differences no longer differ (remove them): {gone}"


def test_years_after_the_last_published_one_are_provisional():
    ours = ticklake_sessions("XNYS", "2027-12-01", "2028-01-31")
    assert {p for d, (_, _, p) in ours.items() if d < "2028"} == {"false"}
    assert {p for d, (_, _, p) in ours.items() if d >= "2028"} == {"true"}


def test_unknown_exchange_fails_with_a_message():
    proc = run(["calendar", "XXXX", "--from", "2025-01-01", "--to", "2025-01-31"], check=False)
    assert proc.returncode != 0
    assert "XNYS" in proc.stderr
