"""Tests for model.dates.schedule: note schedules, stubs, end-of-month rule, properties."""

from __future__ import annotations

import datetime as dt

import pytest
import QuantLib as ql
from hypothesis import given, settings
from hypothesis import strategies as st

from model.dates.calendar import new_york_banking_calendar
from model.dates.schedule import add_months, adjust_dates, generate_schedule
from model.errors import InputError

try:
    from strategies import dates
except ImportError:  # pragma: no cover - if tests/ becomes a package
    from tests.strategies import dates

D = dt.date


def test_secured_convertible_notes() -> None:
    """8% Secured Convertible Notes: issued 2004-06-18, due 2007-06-18, semiannual."""
    s = generate_schedule("2004-06-18", "2007-06-18", 2)
    assert s == [
        D(2004, 6, 18),
        D(2004, 12, 18),
        D(2005, 6, 18),
        D(2005, 12, 18),
        D(2006, 6, 18),
        D(2006, 12, 18),
        D(2007, 6, 18),
    ]
    pay = adjust_dates(s[1:], new_york_banking_calendar(), "following")
    assert pay[0] == D(2004, 12, 20)  # 18 December 2004 was a Saturday
    assert pay[-1] == D(2007, 6, 18)


def test_five_and_three_quarter_notes_first_coupon() -> None:
    """5 3/4% notes: due 2005-03-15, semiannual, first coupon 2000-09-15."""
    s = generate_schedule("2000-03-15", "2005-03-15", 2, first_coupon="2000-09-15")
    assert s[:3] == [D(2000, 3, 15), D(2000, 9, 15), D(2001, 3, 15)]
    assert s[-1] == D(2005, 3, 15) and len(s) == 11
    assert D(2002, 9, 15) in s and D(2003, 3, 15) in s  # the seed letter's coupon period
    # a later issue date: one short stub to the first coupon
    s2 = generate_schedule("2000-05-01", "2005-03-15", 2, first_coupon="2000-09-15")
    assert s2[:2] == [D(2000, 5, 1), D(2000, 9, 15)] and s2[2:] == s[2:]
    # an earlier issue date: one long stub to the first coupon
    s3 = generate_schedule("2000-01-10", "2005-03-15", 2, first_coupon="2000-09-15")
    assert s3[:3] == [D(2000, 1, 10), D(2000, 9, 15), D(2001, 3, 15)]


def test_short_and_long_front_stub() -> None:
    short = generate_schedule("2004-08-01", "2006-06-18", 2)
    assert short[:3] == [D(2004, 8, 1), D(2004, 12, 18), D(2005, 6, 18)]
    long = generate_schedule("2004-08-01", "2006-06-18", 2, stub="long_front")
    assert long[:2] == [D(2004, 8, 1), D(2005, 6, 18)] and long[1:] == short[2:]
    # on the grid: no stub, both the same
    assert generate_schedule("2004-06-18", "2006-06-18", 2, stub="long_front") == generate_schedule(
        "2004-06-18", "2006-06-18", 2
    )
    # a single short period has nothing to merge with
    assert generate_schedule("2004-08-01", "2004-12-18", 2, stub="long_front") == [
        D(2004, 8, 1),
        D(2004, 12, 18),
    ]


def test_end_of_month_rule() -> None:
    eom = generate_schedule("2007-01-10", "2009-02-28", 2, end_of_month=True)
    assert eom == [
        D(2007, 1, 10),
        D(2007, 2, 28),
        D(2007, 8, 31),
        D(2008, 2, 29),
        D(2008, 8, 31),
        D(2009, 2, 28),
    ]
    plain = generate_schedule("2007-01-10", "2009-02-28", 2)
    assert plain[1:-1] == [D(2007, 2, 28), D(2007, 8, 28), D(2008, 2, 28), D(2008, 8, 28)]
    apr = generate_schedule("2004-04-30", "2005-04-30", 4, end_of_month=True)
    assert apr == [D(2004, 4, 30), D(2004, 7, 31), D(2004, 10, 31), D(2005, 1, 31), D(2005, 4, 30)]
    # no effect when maturity is not a month end; no drift from clamping
    assert generate_schedule("2006-08-30", "2007-08-30", 2, end_of_month=True) == [
        D(2006, 8, 30),
        D(2007, 2, 28),
        D(2007, 8, 30),
    ]


def test_errors() -> None:
    with pytest.raises(ValueError, match=r"maturity 2004-06-18 must be after"):
        generate_schedule("2004-06-18", "2004-06-18", 2)
    with pytest.raises(ValueError, match=r"frequency must be one of \(1, 2, 4, 12\)"):
        generate_schedule("2004-06-18", "2007-06-18", 3)
    with pytest.raises(ValueError, match=r"unknown stub 'long_back'"):
        generate_schedule("2004-06-18", "2007-06-18", 2, stub="long_back")
    with pytest.raises(ValueError, match=r"first_coupon 2000-09-14 is not a whole number"):
        generate_schedule("2000-03-15", "2005-03-15", 2, first_coupon="2000-09-14")
    with pytest.raises(ValueError, match=r"first_coupon 2000-03-01 must be after"):
        generate_schedule("2000-03-15", "2005-03-15", 2, first_coupon="2000-03-01")
    with pytest.raises(
        InputError, match=r"effective: '2000-02-30' is not a calendar date \(February 2000 has 29"
    ):
        generate_schedule("2000-02-30", "2005-03-15", 2)


@st.composite
def schedule_args(draw: st.DrawFn) -> tuple[dt.date, dt.date, int, bool, str]:
    eff = draw(dates)
    mat = eff + dt.timedelta(days=draw(st.integers(1, 365 * 12)))
    return (
        eff,
        mat,
        draw(st.sampled_from([1, 2, 4, 12])),
        draw(st.booleans()),
        draw(st.sampled_from(["short_front", "long_front"])),
    )


@settings(max_examples=300, deadline=None)
@given(schedule_args())
def test_schedule_properties(args: tuple[dt.date, dt.date, int, bool, str]) -> None:
    eff, mat, freq, eom, stub = args
    s = generate_schedule(eff, mat, freq, stub=stub, end_of_month=eom)
    months = 12 // freq
    assert s[0] == eff and s[-1] == mat
    assert all(a < b for a, b in zip(s, s[1:], strict=False))
    eom_active = eom and (mat + dt.timedelta(1)).month != mat.month
    for k, d in enumerate(reversed(s[1:-1]), start=1):  # regular dates back from maturity
        assert d == add_months(mat, -k * months, eom_active)
    # all periods but the first are regular; the first is at most one (short) or two (long)
    first_len = (s[1] - s[0]).days
    assert first_len <= (366 * months // 12 + 1) * (2 if stub == "long_front" else 1)


@settings(max_examples=200, deadline=None)
@given(schedule_args())
def test_short_front_matches_quantlib_backward(
    args: tuple[dt.date, dt.date, int, bool, str],
) -> None:
    """QuantLib Schedule, DateGeneration.Backward, unadjusted, as an oracle."""
    eff, mat, freq, eom, _ = args
    qd = [ql.Date(d.day, d.month, d.year) for d in (eff, mat)]
    qs = ql.Schedule(
        qd[0],
        qd[1],
        ql.Period(12 // freq, ql.Months),
        ql.NullCalendar(),
        ql.Unadjusted,
        ql.Unadjusted,
        ql.DateGeneration.Backward,
        eom,
    )
    expected = [D(x.year(), x.month(), x.dayOfMonth()) for x in qs.dates()]
    assert generate_schedule(eff, mat, freq, end_of_month=eom) == expected


def test_add_months_past_the_last_date_is_an_input_error() -> None:
    # review 4 (another review): not a ValueError from datetime for year 10000
    assert add_months(D(9999, 11, 30), 1, end_of_month=True) == D(9999, 12, 31)
    with pytest.raises(
        InputError,
        match=r"^9999-12-01 plus 1 months is beyond the last date this model handles \(9999-12-31\)$",
    ):
        add_months(D(9999, 12, 1), 1)


def test_adjust_dates_names_an_argument_in_the_wrong_place() -> None:
    # review 4, finding 10: adjust_dates(dates, "following") forgot the calendar
    with pytest.raises(
        InputError,
        match=r"^calendar: must be a BusinessCalendar \(e.g. new_york_banking_calendar\(\)\), "
        r"not str 'following'; the arguments are \(dates, calendar, roll\)$",
    ):
        adjust_dates(["2008-01-01"], "following")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^dates: must be a list of dates, not str '2008-01-05'$"):
        adjust_dates("2008-01-05", new_york_banking_calendar())  # type: ignore[arg-type]
    assert adjust_dates(["2008-01-05"], new_york_banking_calendar()) == [D(2008, 1, 7)]
