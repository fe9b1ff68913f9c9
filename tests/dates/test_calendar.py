"""Tests for model.dates.calendar: NY banking days, rolls, extra closures, properties."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings

from model.dates.calendar import BusinessCalendar, Roll, new_york_banking_calendar
from model.errors import InputError

try:
    from strategies import dates
except ImportError:  # pragma: no cover - if tests/ becomes a package
    from tests.strategies import dates

import QuantLib as ql

NY = new_york_banking_calendar()
D = dt.date

# 1990-2060, kept a few days inside the calendar's years so that every roll stays inside too
banking_dates = dates.filter(lambda d: D(1990, 1, 10) <= d <= D(2060, 12, 20))


# (date, is business day, why) - holidays per the Federal Reserve (USNY) calendar.
GOLDEN_DAYS = [
    (D(2004, 7, 5), False, "Independence Day observed: 4 July 2004 was a Sunday"),
    (D(2004, 12, 24), True, "Christmas 2004 on Saturday: the Fed does not close the Friday"),
    (D(2004, 12, 31), True, "New Year's Day 2005 on Saturday: Friday stays open"),
    (D(2008, 5, 26), False, "Memorial Day"),
    (D(2008, 3, 21), True, "Good Friday is a banking day"),
    (D(2004, 11, 11), False, "Veterans Day"),
    (D(2004, 10, 11), False, "Columbus Day"),
    (D(2004, 11, 26), True, "Friday after Thanksgiving is a banking day"),
    (D(2022, 6, 20), False, "Juneteenth observed (19 June 2022 a Sunday)"),
    (D(2021, 6, 18), True, "Juneteenth not yet a Fed holiday in 2021 (first closed 2022)"),
    (D(2004, 6, 18), True, "Note Purchase Agreement date, a Friday"),
    (D(2004, 6, 19), False, "Saturday"),
    (D(2004, 6, 20), False, "Sunday"),
]


@pytest.mark.parametrize(("day", "expected", "why"), GOLDEN_DAYS)
def test_golden_ny_banking_days(day: dt.date, expected: bool, why: str) -> None:
    assert NY.is_business_day(day) is expected, why


def test_vectorized_is_business_day_matches_scalar() -> None:
    days = np.arange("2003-01-01", "2006-01-01", dtype="datetime64[D]")
    vec = NY.is_business_day(days)
    assert vec.dtype == bool and vec.shape == days.shape
    assert list(vec) == [NY.is_business_day(d.item()) for d in days]
    assert 248 <= vec[:365].sum() <= 252  # ~250 banking days a year


# (date, roll, expected, note)
GOLDEN_ROLLS = [
    ("2004-07-03", "following", D(2004, 7, 6), "Sat -> Tue over observed Independence Day"),
    ("2004-07-03", "preceding", D(2004, 7, 2), "Sat -> Fri"),
    ("2004-07-03", "modified following", D(2004, 7, 6), "same month"),
    ("2004-07-05", "modified preceding", D(2004, 7, 2), "holiday -> previous business day"),
    ("2005-04-30", "following", D(2005, 5, 2), "Sat month end -> next month"),
    ("2005-04-30", "modified following", D(2005, 4, 29), "would leave April: go back"),
    ("2004-05-01", "preceding", D(2004, 4, 30), "Sat 1st -> previous month"),
    ("2004-05-01", "modified preceding", D(2004, 5, 3), "would leave May: go forward"),
    ("2004-07-03", "unadjusted", D(2004, 7, 3), "no adjustment"),
    ("2004-06-18", "following", D(2004, 6, 18), "business day unchanged"),
    ("2004-12-25", "modified following", D(2004, 12, 27), "Christmas Saturday -> Monday"),
]


@pytest.mark.parametrize(("day", "roll", "expected", "note"), GOLDEN_ROLLS)
def test_golden_rolls(day: str, roll: str, expected: dt.date, note: str) -> None:
    assert NY.adjust(day, roll) == expected, note
    assert NY.adjust(day, Roll.parse(roll)) == expected, note


def test_add_business_days() -> None:
    assert NY.add_business_days("2004-07-02", 1) == D(2004, 7, 6)  # over Sat, Sun, holiday
    assert NY.add_business_days("2004-07-06", -1) == D(2004, 7, 2)
    assert NY.add_business_days("2004-07-03", 1) == D(2004, 7, 6)  # from a Saturday
    assert NY.add_business_days("2004-07-03", -1) == D(2004, 7, 2)
    assert NY.add_business_days("2004-07-03", 0) == D(2004, 7, 3)
    assert NY.add_business_days("2004-06-18", 10) == D(2004, 7, 2)
    assert NY.add_business_days("2004-12-01", 30) == D(2005, 1, 12)  # 24/12, 31/12 open
    got = NY.add_business_days(["2004-07-02", "2004-07-03"], 1)
    assert list(got.astype(object)) == [D(2004, 7, 6), D(2004, 7, 6)]


def test_quantlib_federal_reserve_calendar_agrees_1990_2060() -> None:
    """Independent oracle: QuantLib's UnitedStates(FederalReserve) calendar."""
    days = np.arange("1990-01-01", "2061-01-01", dtype="datetime64[D]")
    fed = ql.UnitedStates(ql.UnitedStates.FederalReserve)
    expected = [fed.isBusinessDay(ql.Date(d.day, d.month, d.year)) for d in days.astype(object)]
    ours = NY.is_business_day(days)
    assert not (ours != np.array(expected)).any(), days[ours != np.array(expected)][:10]


def test_dates_outside_the_holidays_package_range_are_refused() -> None:
    with pytest.raises(ValueError, match=r"date 1989-07-03 is outside the years 1990-2100"):
        NY.is_business_day(["2004-07-05", "1989-07-03"])
    with pytest.raises(ValueError, match=r"outside the years"):
        NY.adjust("2101-07-04", "following")


def test_extra_closures_as_data() -> None:
    """An executive-order closing (here a hypothetical one) is added as data."""
    closed = D(2004, 6, 11)
    cal = new_york_banking_calendar(extra_closures=[closed])
    assert NY.is_business_day(closed) and not cal.is_business_day(closed)
    assert cal.adjust(closed, "following") == D(2004, 6, 14)
    assert cal.add_business_days("2004-06-10", 1) == D(2004, 6, 14)
    assert cal.holidays_between("2004-06-01", "2004-07-31") == [closed, D(2004, 7, 5)]
    assert BusinessCalendar(extra_closures=("2004-06-11",)) == cal  # strings converted
    hash(cal)  # frozen value object


def test_errors() -> None:
    with pytest.raises(ValueError, match=r"unknown business-day roll 'nearest'.*'following'"):
        NY.adjust("2004-07-03", "nearest")
    with pytest.raises(ValueError, match=r"valid names: .*'modified preceding'.*'unadjusted'"):
        Roll.parse("modfollowing")
    with pytest.raises(
        InputError, match=r"unknown business-day calendar 'XXNY' \(did you mean 'XNYS'\?\)"
    ) as info:
        BusinessCalendar(code="XXNY")
    # what is wrong for the user (a market code), not which package holds the calendars
    assert "'USNY' (Federal Reserve / New York banking days)" in str(info.value)
    assert "holidays package" not in str(info.value)
    with pytest.raises(
        InputError, match=r"extra_closures: '2004-02-30' is not a calendar date \(February 2004"
    ):
        new_york_banking_calendar(extra_closures=["2004-02-30"])
    with pytest.raises(InputError, match=r"extra_closures: must be a sequence of dates"):
        BusinessCalendar(extra_closures="2004-06-11")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"whole number"):
        NY.add_business_days("2004-07-02", 1.5)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(banking_dates)
def test_roll_properties(d: dt.date) -> None:
    f = NY.adjust(d, "following")
    p = NY.adjust(d, "preceding")
    mf = NY.adjust(d, "modified following")
    mp = NY.adjust(d, "modified preceding")
    for x in (f, p, mf, mp):
        assert NY.is_business_day(x)
    assert f >= d >= p
    assert (mf.year, mf.month) == (d.year, d.month) == (mp.year, mp.month)
    assert mf in (f, p) and mp in (f, p)
    if NY.is_business_day(d):
        assert f == p == mf == mp == d
    # nothing skipped: no business day strictly between p and d, or d and f
    assert not any(NY.is_business_day(p + dt.timedelta(i)) for i in range(1, (f - p).days))
    assert NY.add_business_days(d, 1) > d and NY.is_business_day(NY.add_business_days(d, 1))
