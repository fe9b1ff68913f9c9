"""Shared hypothesis strategies for date-based tests.

Dates are drawn from 1990-01-01 to 2060-12-31 and weighted toward the days where
day count and schedule rules differ: month ends, 28/29 February (leap and non-leap
years), and the 30th/31st.
"""

from __future__ import annotations

import calendar
import datetime as dt

from hypothesis import strategies as st

MIN_DATE = dt.date(1990, 1, 1)
MAX_DATE = dt.date(2060, 12, 31)

years = st.integers(MIN_DATE.year, MAX_DATE.year)
months = st.integers(1, 12)


@st.composite
def month_ends(draw: st.DrawFn) -> dt.date:
    """The last day of a month."""
    y, m = draw(years), draw(months)
    return dt.date(y, m, calendar.monthrange(y, m)[1])


@st.composite
def february_ends(draw: st.DrawFn) -> dt.date:
    """28 February or 29 February (the latter only in leap years), either may be month end."""
    y = draw(years)
    day = draw(st.sampled_from([28, 29])) if calendar.isleap(y) else 28
    return dt.date(y, 2, day)


@st.composite
def thirtieths_and_thirty_firsts(draw: st.DrawFn) -> dt.date:
    """A 30th or 31st (clamped to the month's length, so also month ends)."""
    y, m = draw(years), draw(months)
    return dt.date(y, m, min(draw(st.sampled_from([30, 31])), calendar.monthrange(y, m)[1]))


any_dates = st.dates(MIN_DATE, MAX_DATE)

dates = st.one_of(
    any_dates,
    month_ends(),
    february_ends(),
    thirtieths_and_thirty_firsts(),
)
"""Any date in range, about three quarters of the draws on an edge day."""


@st.composite
def date_pairs(draw: st.DrawFn) -> tuple[dt.date, dt.date]:
    """Two dates in either order (may be equal)."""
    return draw(dates), draw(dates)


@st.composite
def ordered_pairs(draw: st.DrawFn) -> tuple[dt.date, dt.date]:
    """``(a, b)`` with ``a <= b``."""
    a, b = draw(dates), draw(dates)
    return (a, b) if a <= b else (b, a)


@st.composite
def ordered_triples(draw: st.DrawFn) -> tuple[dt.date, dt.date, dt.date]:
    """``(a, b, c)`` with ``a <= b <= c``."""
    a, b, c = sorted([draw(dates), draw(dates), draw(dates)])
    return a, b, c
