"""Index rates of floating instruments, day by day, for many scenarios at once.

An instrument's interest for a day is ``balance x (index part + margin) x day weight``.
:func:`index_part` gives the index part for every day of the horizon and every scenario
(arrays ``[scenario, day]``), as the instrument's rate terms say:

``term_sofr``
    the rate of the path on the fixing date (``fixing_days`` business days before the
    interest period starts: two U.S. Government Securities Business Days by convention),
    for every day of the period;
``sofr_compounded``
    SOFR compounded in arrears over the interest period (the ARRC convention, as
    QuantLib's ``OvernightIndexedCoupon``): for each business day ``i`` of the period,
    the rate ``r_i`` of the business day ``lookback_days`` before it (before the business
    day on or before it, for the period's first day when that is a holiday), weighted by
    the calendar days ``n_i`` to the next business day or the period's end; with
    ``observation_shift`` the business days and their weights are those of the
    observation period (from the business day on or before the start to the one on or after
    the end, both shifted ``lookback_days`` business days earlier). The period rate is
    ``(prod(1 + r_i n_i / 360) - 1) x 360 / N``, N the days weighted; it accrues over the
    interest period. These are QuantLib's conventions, to 1e-16 (tested);
``prime``
    the rate of the path in force on the day;
``fixed``
    the fixed rate.

The scenario's parallel ``shift`` is added to the path. Then the credit spread adjustment
is added, and the floor (and cap) bound the adjusted index of the period (of the day, for
``prime``). The margin is added by the engine, since a margin grid depends on the
projection itself.

Day weights (:func:`day_weights`): ``1/360`` (ACT/360), ``1/365`` (ACT/365F), or the
increments of the 30/360 year fraction from the instrument's first day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from model.dates import BusinessCalendar, DayCount, year_fraction

__all__ = ["path_on", "index_part", "day_weights", "compounded_rate"]

F64 = NDArray[np.float64]


def path_on(path: pd.DataFrame, days: Sequence[dt.date] | NDArray[np.datetime64]) -> F64:
    """The rate of a ``date,rate`` path in force on each day (the last entry on or before
    it); a day before the path's first date is an error of the caller (the scenario checks
    that the path starts early enough)."""
    dates = path["date"].to_numpy(dtype="datetime64[D]")
    rates = path["rate"].to_numpy(dtype=np.float64)
    order = np.argsort(dates, kind="stable")
    dates, rates = dates[order], rates[order]
    d = np.asarray(days, dtype="datetime64[D]")
    i = np.searchsorted(dates, d, side="right") - 1
    if np.any(i < 0):
        raise ValueError(f"the rate path starts {dates[0]}, after {d[i < 0][0]}")
    return np.asarray(rates[i], dtype=np.float64)


def compounded_rate(
    path: pd.DataFrame,
    start: dt.date,
    end: dt.date,
    calendar: BusinessCalendar,
    lookback: int,
    observation_shift: bool,
    shift: F64,
) -> tuple[F64, int]:
    """SOFR compounded in arrears over ``[start, end)`` for each scenario's ``shift``;
    returns the rate and the days it is weighted over (see the module docstring)."""
    if observation_shift:
        first = np.datetime64(
            calendar.add_business_days(calendar.adjust(start, "preceding"), -lookback), "D"
        )
        last = np.datetime64(
            calendar.add_business_days(calendar.adjust(end, "following"), -lookback), "D"
        )
        span = np.arange(first, last, dtype="datetime64[D]")
        bdays = span[np.asarray(calendar.is_business_day(span), dtype=bool)]
        obs = bdays
    else:
        first = np.datetime64(start, "D")
        last = np.datetime64(end, "D")
        inner = np.arange(first + 1, last, dtype="datetime64[D]")
        bdays = np.concatenate(
            [[first], inner[np.asarray(calendar.is_business_day(inner), dtype=bool)]]
        )
        on_or_before = np.asarray(calendar.adjust(bdays, "preceding"), dtype="datetime64[D]")
        obs = np.asarray(calendar.add_business_days(on_or_before, -lookback), dtype="datetime64[D]")
    nxt = np.append(bdays[1:], last)
    weights = (nxt - bdays).astype(np.int64)
    r = path_on(path, obs)[None, :] + shift[:, None]
    growth = np.prod(1.0 + r * weights[None, :] / 360.0, axis=1)
    n = int((last - first) // np.timedelta64(1, "D"))
    return (growth - 1.0) * 360.0 / n, n


def day_weights(days: NDArray[np.datetime64], convention: DayCount, origin: dt.date) -> F64:
    """The weight of each day ``d`` (interest from ``d`` to ``d + 1``) in year fractions."""
    if convention == DayCount.ACT_360:
        return np.full(days.shape, 1.0 / 360.0)
    if convention == DayCount.ACT_365F:
        return np.full(days.shape, 1.0 / 365.0)
    ends = np.append(days[1:], days[-1] + np.timedelta64(1, "D"))
    cum_start = np.asarray(year_fraction(origin, days, convention), dtype=np.float64)
    cum_end = np.asarray(year_fraction(origin, ends, convention), dtype=np.float64)
    return cum_end - cum_start


def index_part(
    *,
    index: str,
    path: pd.DataFrame | None,
    days: NDArray[np.datetime64],
    periods: Sequence[tuple[dt.date, dt.date]],
    shift: F64,
    calendar: BusinessCalendar,
    spread_adjustment: float = 0.0,
    floor: float | None = None,
    cap: float | None = None,
    fixed_rate: float = 0.0,
    lookback: int = 0,
    observation_shift: bool = False,
    fixing_days: int = 2,
) -> F64:
    """The index part of the rate for every scenario and day (see the module docstring):
    ``[scenario, day]``; ``periods`` are the interest periods ``[start, end)`` covering
    ``days``."""
    s, n = shift.shape[0], days.shape[0]
    out = np.zeros((s, n))
    if index == "fixed":
        out[:] = fixed_rate
        return out

    def bound(x: F64) -> F64:
        if floor is not None:
            x = np.maximum(x, floor)
        if cap is not None:
            x = np.minimum(x, cap)
        return x

    if index == "prime":
        assert path is not None
        return bound(path_on(path, days)[None, :] + shift[:, None] + spread_adjustment)
    assert path is not None
    first = days[0]
    for start, end in periods:
        a = int((np.datetime64(start, "D") - first).astype(np.int64))
        b = int((np.datetime64(end, "D") - first).astype(np.int64))
        a, b = max(a, 0), min(b, n)
        if a >= b:
            continue
        if index == "term_sofr":
            fix = calendar.add_business_days(start, -fixing_days)
            rate = path_on(path, [fix])[0] + shift
        else:
            rate, _ = compounded_rate(
                path, start, end, calendar, lookback, observation_shift, shift
            )
        out[:, a:b] = bound(rate + spread_adjustment)[:, None]
    return out
