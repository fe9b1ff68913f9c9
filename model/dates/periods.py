"""Periods: fiscal quarters, months and the measurement windows of covenants.

Fiscal quarters end on calendar quarter ends (March 31, June 30, September 30,
December 31); a fiscal year ends on one of them (``fiscal_year_end_month`` 3, 6, 9 or
12: iBasis's fiscal year is the calendar year). A covenant is measured over one of
:data:`MEASUREMENT_PERIODS`:

* ``fiscal_quarter``: the quarter itself;
* ``trailing_four_quarters``: the quarter and the three before it (flows are summed);
* ``year_to_date``: the quarters of the fiscal year up to and including the quarter.

Examples
--------
>>> [d.isoformat() for d in measurement_window(dt.date(2008, 6, 30), "trailing_four_quarters")]
['2007-09-30', '2007-12-31', '2008-03-31', '2008-06-30']
>>> [d.isoformat() for d in measurement_window(dt.date(2008, 12, 31), "year_to_date", 6)]
['2008-09-30', '2008-12-31']
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from model.errors import InputError
from model.values import read_choice, read_date

__all__ = [
    "LAST_DATE",
    "FIRST_DATE",
    "out_of_range",
    "MEASUREMENT_PERIODS",
    "FISCAL_YEAR_END_MONTHS",
    "month_end",
    "is_month_end",
    "is_quarter_end",
    "read_quarter_end",
    "quarter_start",
    "next_quarter_end",
    "previous_quarter_end",
    "quarter_ends_between",
    "month_ends_between",
    "measurement_window",
    "window_ending",
]

MEASUREMENT_PERIODS = ("fiscal_quarter", "trailing_four_quarters", "year_to_date")
FISCAL_YEAR_END_MONTHS = (3, 6, 9, 12)
_QUARTER_ENDS = {(3, 31), (6, 30), (9, 30), (12, 31)}


LAST_DATE = dt.date.max
"""The last date this model handles, 9999-12-31 (the last a calendar date can be)."""
FIRST_DATE = dt.date.min
"""The first date this model handles, 0001-01-01."""


def out_of_range(what: str, later: bool = True) -> InputError:
    """The error for a date computed past the dates this model handles (``what`` says
    which: "the quarter after 9999-12-31")."""
    if later:
        return InputError(
            f"{what} is beyond the last date this model handles ({LAST_DATE.isoformat()})"
        )
    return InputError(
        f"{what} is before the first date this model handles ({FIRST_DATE.isoformat()})"
    )


def month_end(year: int, month: int) -> dt.date:
    """The last day of ``month``.

    >>> month_end(2008, 2)
    datetime.date(2008, 2, 29)
    >>> month_end(10000, 3)
    Traceback (most recent call last):
    ...
    model.errors.InputError: the month 10000-03 is beyond the last date this model handles (9999-12-31)
    """
    if year > LAST_DATE.year:
        raise out_of_range(f"the month {year}-{month:02d}")
    if year < FIRST_DATE.year:
        raise out_of_range(f"the month {year:04d}-{month:02d}", later=False)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def is_month_end(d: dt.date) -> bool:
    """Whether ``d`` is the last day of its month."""
    return d == month_end(d.year, d.month)


def is_quarter_end(d: dt.date) -> bool:
    """A fiscal quarter end: Mar 31, Jun 30, Sep 30 or Dec 31.

    >>> is_quarter_end(dt.date(2008, 6, 30)), is_quarter_end(dt.date(2008, 6, 29))
    (True, False)
    """
    return (d.month, d.day) in _QUARTER_ENDS


def read_quarter_end(
    value: Any, key: str = "quarter_end", *, file: str | None = None, line: int | None = None
) -> dt.date:
    """A fiscal quarter end, read with :func:`model.values.read_date`.

    >>> read_quarter_end("2008-03-31")
    datetime.date(2008, 3, 31)
    >>> read_quarter_end("2008-03-30")
    Traceback (most recent call last):
    ...
    model.errors.InputError: quarter_end: 2008-03-30 is not a fiscal quarter end (Mar 31, Jun 30, Sep 30, Dec 31)
    """
    d = read_date(value, key, file=file, line=line)
    if not is_quarter_end(d):
        rule = f"{d} is not a fiscal quarter end (Mar 31, Jun 30, Sep 30, Dec 31)"
        raise InputError(rule, key=key, file=file, line=line)
    return d


def quarter_start(quarter_end: dt.date) -> dt.date:
    """First day of the fiscal quarter ending ``quarter_end``.

    >>> quarter_start(dt.date(2008, 3, 31))
    datetime.date(2008, 1, 1)
    """
    q = read_quarter_end(quarter_end)
    return dt.date(q.year, q.month - 2, 1)


def next_quarter_end(quarter_end: dt.date) -> dt.date:
    """The fiscal quarter end after ``quarter_end``.

    >>> next_quarter_end(dt.date(2008, 12, 31))
    datetime.date(2009, 3, 31)
    """
    q = read_quarter_end(quarter_end)
    if q == LAST_DATE:
        raise out_of_range(f"the quarter after {q}")
    m = q.month + 3
    return month_end(q.year + (m - 1) // 12, (m - 1) % 12 + 1)


def previous_quarter_end(quarter_end: dt.date) -> dt.date:
    """The fiscal quarter end before ``quarter_end``.

    >>> previous_quarter_end(dt.date(2008, 3, 31))
    datetime.date(2007, 12, 31)
    """
    q = read_quarter_end(quarter_end)
    start = quarter_start(q)
    if start == FIRST_DATE:
        raise out_of_range(f"the quarter before {q}", later=False)
    return start - dt.timedelta(days=1)


def quarter_ends_between(start: Any, end: Any) -> list[dt.date]:
    """Fiscal quarter ends in ``[start, end]``.

    >>> [d.isoformat() for d in quarter_ends_between("2007-12-31", "2008-06-30")]
    ['2007-12-31', '2008-03-31', '2008-06-30']
    """
    s, e = read_date(start, "start"), read_date(end, "end")
    out: list[dt.date] = []
    d = month_end(s.year, 3 * ((s.month - 1) // 3 + 1))
    while d <= e:
        if d >= s:
            out.append(d)
        if d == LAST_DATE:
            break
        d = next_quarter_end(d)
    return out


def month_ends_between(start: Any, end: Any) -> list[dt.date]:
    """Month ends in ``[start, end]``.

    >>> [d.isoformat() for d in month_ends_between("2008-01-15", "2008-03-31")]
    ['2008-01-31', '2008-02-29', '2008-03-31']
    """
    s, e = read_date(start, "start"), read_date(end, "end")
    out: list[dt.date] = []
    y, m = s.year, s.month
    while month_end(y, m) <= e:
        if month_end(y, m) >= s:
            out.append(month_end(y, m))
        if month_end(y, m) == LAST_DATE:
            break
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def measurement_window(
    quarter_end: dt.date, period: str = "fiscal_quarter", fiscal_year_end_month: int = 12
) -> list[dt.date]:
    """The fiscal quarter ends whose figures a covenant measured over ``period`` uses
    for ``quarter_end`` (see the module docstring), oldest first."""
    return window_ending(read_quarter_end(quarter_end), period, fiscal_year_end_month)


def window_ending(
    q: dt.date, period: str = "fiscal_quarter", fiscal_year_end_month: int = 12
) -> list[dt.date]:
    """:func:`measurement_window` of a quarter end already read (the engines' inner
    calls: the quarter end is parsed once, at the public function)."""
    p = read_choice(period, MEASUREMENT_PERIODS, "measurement_period")
    if fiscal_year_end_month not in FISCAL_YEAR_END_MONTHS:
        raise InputError(
            f"a fiscal year ends on a calendar quarter end: month 3, 6, 9 or 12 (got "
            f"{fiscal_year_end_month!r})",
            key="fiscal_year_end_month",
        )
    if p == "fiscal_quarter":
        return [q]
    if p == "trailing_four_quarters":
        out = [q]
        for _ in range(3):
            out.insert(0, previous_quarter_end(out[0]))
        return out
    out = [q]
    while out[0].month != (fiscal_year_end_month % 12) + 3:
        out.insert(0, previous_quarter_end(out[0]))
    return out
