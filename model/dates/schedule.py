"""Coupon schedules: unadjusted period boundaries, generated backward from maturity.

Coupon dates of a fixed-rate note sit a whole number of ``12 / frequency`` months
before maturity; any odd period (the stub) is at the front, from the issue
(effective) date to the first coupon date. Boundaries are *unadjusted*: interest
accrues between them; payment dates are rolled separately with
:func:`adjust_dates` (the notes pay on the next Business Day, interest accruing to
the unadjusted date).

Examples
--------
8% Secured Convertible Notes (issued 2004-06-18, due 2007-06-18, semiannual):

>>> for d in generate_schedule("2004-06-18", "2007-06-18", 2):
...     print(d)
2004-06-18
2004-12-18
2005-06-18
2005-12-18
2006-06-18
2006-12-18
2007-06-18
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

import numpy as np

from model.dates.calendar import BusinessCalendar, Roll
from model.dates.daycount import to_datetime64
from model.dates.periods import out_of_range
from model.errors import InputError

__all__ = ["generate_schedule", "adjust_dates", "add_months", "STUBS", "FREQUENCIES"]

FREQUENCIES = (1, 2, 4, 12)
"""Coupons a year: annual, semiannual, quarterly, monthly."""

STUBS = ("short_front", "long_front")


def _date(value: Any, name: str) -> dt.date:
    arr = to_datetime64(value, name)
    if arr.ndim != 0:
        raise InputError(f"expected a single date, got {value!r}", key=name)
    return cast(dt.date, arr.item())  # a datetime64[D] scalar converts to a date


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def add_months(d: dt.date, n: int, end_of_month: bool = False) -> dt.date:
    """``d`` plus ``n`` months, the day clamped to the target month's length.

    With ``end_of_month=True`` and ``d`` the last day of its month, the result is the
    last day of the target month.

    Examples
    --------
    >>> add_months(dt.date(2004, 8, 31), 6)
    datetime.date(2005, 2, 28)
    >>> add_months(dt.date(2005, 2, 28), 6), add_months(dt.date(2005, 2, 28), 6, True)
    (datetime.date(2005, 8, 28), datetime.date(2005, 8, 31))
    """
    total = d.year * 12 + (d.month - 1) + n
    year, month = divmod(total, 12)
    month += 1
    if not dt.date.min.year <= year <= dt.date.max.year:
        raise out_of_range(f"{d} plus {n} months", later=n > 0)
    last = _last_day(year, month)
    if end_of_month and d.day == _last_day(d.year, d.month):
        return dt.date(year, month, last)
    return dt.date(year, month, min(d.day, last))


def generate_schedule(
    effective: Any,
    maturity: Any,
    frequency: int,
    *,
    stub: str = "short_front",
    end_of_month: bool = False,
    first_coupon: Any = None,
) -> list[dt.date]:
    """Unadjusted period boundaries ``[effective, c1, ..., maturity]``.

    Parameters
    ----------
    effective, maturity : date-like
        Accrual start (issue date) and maturity; ``effective < maturity``.
    frequency : int
        Coupons a year, one of 1, 2, 4, 12.
    stub : {"short_front", "long_front"}
        If ``effective`` is not on the regular grid, the front period is short
        (``effective`` to the first regular date after it) or, with ``long_front``,
        merged with the next regular period into one long period. A long stub needs
        a regular period to merge with; with a single (short) period there is none,
        and the schedule is ``[effective, maturity]``. Not used when
        ``first_coupon`` is given (the dates then define the stub).
    end_of_month : bool
        If true and ``maturity`` is the last day of its month, every coupon date is
        the last day of its month (maturity 2009-02-28 semiannual gives
        2008-08-31, 2008-02-29, ...). No effect when maturity is not a month end.
    first_coupon : date-like, optional
        First coupon date, given by the note's terms. Coupon dates are generated
        backward from maturity down to ``first_coupon``, which must be on that
        grid, and one (stub) period runs from ``effective`` to ``first_coupon``.

    Returns
    -------
    list of datetime.date
        Strictly increasing; first element ``effective``, last ``maturity``.

    Notes
    -----
    Regular date ``k`` is ``maturity - k * 12/frequency`` months, counted from
    maturity each time (so a clamped day, e.g. 28 February, does not carry forward
    to later dates), day clamped to the month's length. This is the backward
    generation of QuantLib's ``DateGeneration::Backward`` with an unadjusted
    convention.

    Raises
    ------
    ValueError
        ``maturity <= effective``, an unknown ``frequency`` or ``stub``, a
        ``first_coupon`` outside ``(effective, maturity]`` or off the coupon grid.

    Examples
    --------
    Short and long front stubs:

    >>> [d.isoformat() for d in generate_schedule("2004-08-01", "2005-06-18", 2)]
    ['2004-08-01', '2004-12-18', '2005-06-18']
    >>> long = generate_schedule("2004-08-01", "2005-06-18", 2, stub="long_front")
    >>> [d.isoformat() for d in long]
    ['2004-08-01', '2005-06-18']

    End-of-month rule:

    >>> eom = generate_schedule("2008-01-15", "2009-02-28", 2, end_of_month=True)
    >>> [d.isoformat() for d in eom]
    ['2008-01-15', '2008-02-29', '2008-08-31', '2009-02-28']

    5 3/4% notes (due 2005-03-15, semiannual, first coupon 2000-09-15):

    >>> s = generate_schedule("2000-03-15", "2005-03-15", 2, first_coupon="2000-09-15")
    >>> len(s), s[1].isoformat(), s[-2].isoformat()
    (11, '2000-09-15', '2004-09-15')
    """
    eff = _date(effective, "effective")
    mat = _date(maturity, "maturity")
    if isinstance(frequency, bool) or frequency not in FREQUENCIES:
        raise InputError(
            f"frequency must be one of {FREQUENCIES} coupons a year, got {frequency!r}"
        )
    if stub not in STUBS:
        raise InputError(f"unknown stub {stub!r}; valid: {', '.join(map(repr, STUBS))}", key="stub")
    if mat <= eff:
        raise InputError(f"maturity {mat} must be after the effective date {eff}")
    months = 12 // frequency
    eom = bool(end_of_month) and mat.day == _last_day(mat.year, mat.month)

    def regular(k: int) -> dt.date:
        return add_months(mat, -k * months, eom)

    if first_coupon is not None:
        fc = _date(first_coupon, "first_coupon")
        if not eff < fc <= mat:
            raise InputError(
                f"first_coupon {fc} must be after the effective date {eff} and not after "
                f"maturity {mat}"
            )
        dates = [mat]
        k = 1
        while regular(k) > fc:
            dates.append(regular(k))
            k += 1
        if fc != mat and regular(k) != fc:
            raise InputError(
                f"first_coupon {fc} is not a whole number of {months}-month periods before "
                f"maturity {mat} (nearest regular dates {regular(k)} and {regular(k - 1)})"
            )
        if fc != mat:
            dates.append(fc)
        dates.append(eff)
        return dates[::-1]

    dates = [mat]
    k = 1
    while regular(k) > eff:
        dates.append(regular(k))
        k += 1
    is_stub = regular(k) != eff
    if stub == "long_front" and is_stub and len(dates) > 1:
        dates.pop()  # first regular date after effective: merge stub into next period
    dates.append(eff)
    return dates[::-1]


def adjust_dates(
    dates: Iterable[Any], calendar: BusinessCalendar, roll: str | Roll = Roll.FOLLOWING
) -> list[dt.date]:
    """Payment dates: each date rolled to a business day of ``calendar`` by ``roll``.

    Examples
    --------
    >>> from model.dates.calendar import new_york_banking_calendar
    >>> adjust_dates(["2004-12-18", "2005-06-18"], new_york_banking_calendar(), "following")
    [datetime.date(2004, 12, 20), datetime.date(2005, 6, 20)]
    """
    if not isinstance(calendar, BusinessCalendar):
        raise InputError(
            f"must be a BusinessCalendar (e.g. new_york_banking_calendar()), not "
            f"{type(calendar).__name__} {calendar!r}; the arguments are (dates, calendar, roll)",
            key="calendar",
        )
    if isinstance(dates, str | dt.date) or not isinstance(dates, Iterable):
        raise InputError(
            f"must be a list of dates, not {type(dates).__name__} {dates!r}", key="dates"
        )
    items = list(dates)
    if not items:
        return []
    days = np.atleast_1d(to_datetime64(items, "dates"))
    return list(np.asarray(calendar.adjust(days, roll)).astype(object))
