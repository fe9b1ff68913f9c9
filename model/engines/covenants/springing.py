"""Springing tests: does a covenant apply to a quarter?

A covenant with a springing condition (:class:`model.terms.covenants.Condition`, e.g.
liquidity < $20,000,000) applies "for any fiscal quarter in which" the condition holds.
Documents rarely say whether that is read at the quarter end or on any day, so both
readings exist (:data:`READINGS`): ``any_day`` (the default, the stricter: the test
applies if the condition held on any day of the quarter, from a daily series such as the
facility ledger's ``liquidity`` column) or ``quarter_end``.

Days of the quarter a daily series does not cover are unknown and are taken as meeting
the condition (stricter), and the reason says so. With no reading at all the condition
is taken to spring. Each answer comes with a reason that states the reading, the figure
and the days it was decided on.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

import pandas as pd

from model.dates.periods import quarter_start, read_quarter_end
from model.errors import InputError
from model.terms.covenants import Condition
from model.values import format_money, read_amount, read_choice, read_date, read_money

__all__ = [
    "READINGS",
    "missing_days",
    "COMPARE",
    "Springing",
    "springing_applies",
    "springing_on",
    "daily_series",
    "quarter_window",
]

READINGS = ("any_day", "quarter_end")
"""Readings of "for any fiscal quarter in which ...": any day of the quarter (stricter,
the default) or at quarter end."""

COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
"""A condition's comparison as a function: ``COMPARE["<"](figure, amount)``."""


class Springing(NamedTuple):
    """Whether the test applies, why (the reading and the figure), and the figure decided
    on (the minimum over the quarter for ``any_day``, the quarter-end value otherwise)."""

    applies: bool
    reason: str
    observed: Decimal | None


def _daily_index(index: pd.Index, name: str) -> pd.DatetimeIndex:
    """The days of a daily series' index, each read with :func:`model.values.read_date`
    (ISO dates only; a time of day is refused, not dropped). An index of midnight
    Timestamps, as a ledger has, is taken as it is."""
    if isinstance(index, pd.DatetimeIndex) and index.tz is None and not index.hasnans:
        midnight = index.normalize() == index
        if midnight.all():
            return index
        i = int((~midnight).argmax())
        read_date(index[i], f"{name}.index[{i}]")  # raises: a time of day
    days = [read_date(v, f"{name}.index[{i}]") for i, v in enumerate(index)]
    return pd.DatetimeIndex(pd.to_datetime(days))


def daily_series(values: Any, name: str = "liquidity") -> pd.Series | None:
    """A daily series indexed by date from a Series or a ledger DataFrame (its ``name``
    column); None for anything else (a single figure).

    Every index value is a date read by :func:`model.values.read_date`: ``"01/07/2008"``
    is refused as ambiguous, a time of day is refused (never dropped), and the error
    names the position (``liquidity.index[3]``).

    >>> daily_series(pd.Series([1.0], index=["2008-07-01"])).index[0].date()
    datetime.date(2008, 7, 1)
    >>> daily_series(pd.Series([1.0], index=["01/07/2008"]))
    Traceback (most recent call last):
    ...
    model.errors.InputError: liquidity.index[0]: '01/07/2008' is not an ISO date (YYYY-MM-DD): day-first and month-first dates are refused as ambiguous
    """
    if isinstance(values, pd.DataFrame):
        if name not in values.columns:
            raise InputError(f"a daily ledger DataFrame must have a {name!r} column", key=name)
        values = values[name]
    if isinstance(values, pd.Series):
        s = values.copy()
        s.index = _daily_index(s.index, name)
        return s.sort_index()
    return None


def quarter_window(series: pd.Series, quarter_end: dt.date) -> pd.Series:
    """The part of a daily series inside the fiscal quarter ending ``quarter_end``."""
    start = quarter_start(quarter_end)
    return series[
        (series.index >= pd.Timestamp(start)) & (series.index <= pd.Timestamp(quarter_end))
    ]


def missing_days(
    days: Sequence[dt.date], start: dt.date, end: dt.date
) -> list[tuple[dt.date, dt.date]]:
    """Runs of calendar days in [start, end] not in ``days``, as (first, last) pairs.

    >>> missing_days([dt.date(2008, 4, 2)], dt.date(2008, 4, 1), dt.date(2008, 4, 4))
    [(datetime.date(2008, 4, 1), datetime.date(2008, 4, 1)), (datetime.date(2008, 4, 3), datetime.date(2008, 4, 4))]
    """
    have = set(days)
    out: list[tuple[dt.date, dt.date]] = []
    d = start
    one = dt.timedelta(days=1)
    while d <= end:
        if d not in have:
            first = d
            while d + one <= end and d + one not in have:
                d += one
            out.append((first, d))
        d += one
    return out


def _money(x: Any) -> str:
    return format_money(x, cents=None)


def _single_figure(
    cond: Condition, value: Decimal, reading: str, trig: str, name: str
) -> Springing:
    holds = bool(COMPARE[cond.comparison](value, cond.amount))
    verdict = "test applies" if holds else "test does not apply"
    if reading == "quarter_end":
        shown = trig if holds else "not " + trig
        return Springing(
            holds, f"quarter-end reading: {name} {_money(value)} {shown}: {verdict}", value
        )
    return Springing(
        holds,
        f"the condition is read on any day of the quarter, but only one figure is given "
        f"({_money(value)}, read as the quarter's only day): {'' if holds else 'not '}{trig}: "
        f"{verdict}; a daily ledger would give the any-day reading",
        value,
    )


def _quarter_end_of_series(
    cond: Condition, q: dt.date, window: pd.Series, values: list[Decimal], trig: str, name: str
) -> Springing:
    last_day = window.index[-1].date()
    if last_day != q:
        raise InputError(
            f"quarter-end reading for {q}: the daily ledger ends on {last_day}, before the "
            f"quarter end; give the quarter-end {name} as a number (or in the actuals) instead "
            "of reading the last ledger day",
            key=name,
        )
    value = values[-1]
    holds = bool(COMPARE[cond.comparison](value, cond.amount))
    verdict = "test applies" if holds else "test does not apply"
    return Springing(
        holds,
        f"quarter-end reading (daily ledger): {name} {_money(value)} on {q} "
        f"{'' if holds else 'not '}{trig}: {verdict}",
        value,
    )


def _any_day_of_series(
    cond: Condition, q: dt.date, window: pd.Series, values: list[Decimal], trig: str, name: str
) -> Springing:
    start = quarter_start(q)
    days = (q - start).days + 1
    covered = [d.date() for d in window.index]
    n_covered = len(set(covered))
    hits = [
        d for d, v in zip(covered, values, strict=True) if COMPARE[cond.comparison](v, cond.amount)
    ]
    low = min(values)
    low_day = covered[values.index(low)]
    head = "any-day reading (daily ledger)"
    if hits:
        coverage = "" if n_covered >= days else f"; ledger covers {n_covered} of {days} days"
        return Springing(
            True,
            f"{head}: {name} {trig} on {len(hits)} day(s), first {hits[0]}; minimum "
            f"{_money(low)} on {low_day}: test applies{coverage}",
            low,
        )
    if n_covered < days:
        gaps = ", ".join(
            f"{a}" if a == b else f"{a} to {b}" for a, b in missing_days(covered, start, q)
        )
        return Springing(
            True,
            f"{head}: {name} never {trig} on the days covered (minimum {_money(low)} on "
            f"{low_day}); ledger covers {n_covered} of {days} days; days not covered ({gaps}) "
            f"treated as {trig} (stricter, {name} unknown): test applies",
            low,
        )
    return Springing(
        False,
        f"{head}: {name} never {trig}; minimum {_money(low)} on {low_day}: test does not apply",
        low,
    )


def springing_applies(
    condition: Condition,
    quarter_end: Any,
    reading_values: Any,
    reading: str = "any_day",
) -> Springing:
    """Whether a springing ``condition`` (e.g. liquidity < $20,000,000) holds for a quarter.

    Parameters
    ----------
    condition : Condition
        Metric, comparison and amount (structured data; nothing is evaluated).
    quarter_end : date or ISO str
    reading_values : number, pandas Series or DataFrame, or None
        The condition metric's figures: a number is one (quarter-end) reading; a Series
        indexed by date (or a ledger DataFrame with a column named as the metric) gives
        daily readings; ``None``: not known (the condition is taken to spring).
    reading : {"any_day", "quarter_end"}

    Raises
    ------
    InputError
        A daily series with no day in the quarter, or (``quarter_end`` reading) one that
        ends before the quarter end; an unknown reading; a figure that is not an amount,
        or negative (liquidity is cash plus availability: never below zero).

    Examples
    --------
    >>> cond = Condition(metric="liquidity", comparison="<", amount=20000000, source="6.9(iii)")
    >>> springing_applies(cond, dt.date(2008, 6, 30), Decimal("19999999.99"), "quarter_end")[:2]
    (True, 'quarter-end reading: liquidity $19,999,999.99 < $20,000,000: test applies')
    >>> springing_applies(cond, dt.date(2008, 6, 30), 20000000, "quarter_end").applies
    False
    >>> daily = pd.Series(25000000, index=pd.date_range("2008-05-01", "2008-06-30"))
    >>> ok, why, _ = springing_applies(cond, dt.date(2008, 6, 30), daily)
    >>> ok, why.split("; ")[1]
    (True, 'ledger covers 61 of 91 days')
    """
    return springing_on(condition, read_quarter_end(quarter_end), reading_values, reading)


def springing_on(
    condition: Condition, q: dt.date, reading_values: Any, reading: str = "any_day"
) -> Springing:
    """:func:`springing_applies` for a quarter end already read."""
    read_choice(reading, READINGS, "springing_reading")
    name = condition.metric
    trig = f"{condition.comparison} {_money(condition.amount)}"
    if reading_values is None:
        return Springing(True, f"{name} not provided: tested as if {name} {trig} (stricter)", None)
    series = daily_series(reading_values, name)
    if series is None:
        value = read_money(reading_values, name)
        return _single_figure(condition, value, reading, trig, name)
    window = quarter_window(series, q)
    if window.empty:
        raise InputError(
            f"the daily {name} has no observation in the quarter {quarter_start(q)} to {q}",
            key=name,
        )
    values = [
        read_amount(v, f"{name} on {d.date()}")
        for d, v in zip(window.index, window.to_numpy(), strict=True)
    ]
    if reading == "quarter_end":
        return _quarter_end_of_series(condition, q, window, values, trig, name)
    return _any_day_of_series(condition, q, window, values, trig, name)
