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
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from model.dates import BusinessCalendar, DayCount, year_fraction

__all__ = [
    "path_on",
    "index_part",
    "index_segments",
    "cumulative_at",
    "day_weights",
    "compounded_rate",
]

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


def index_segments(
    *,
    index: str,
    path: pd.DataFrame | None,
    first: dt.date,
    n_days: int,
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
) -> tuple[list[tuple[int, int]], F64]:
    """The index part as pieces over which it is constant: day ranges ``[a, b)`` (counted
    from ``first``) and the rate of each for every scenario, ``[scenario, piece]``: the
    interest periods for Term SOFR and compounded SOFR, the path's steps for prime, one
    piece for a fixed rate (see the module docstring). Days no piece covers have no rate."""
    s = shift.shape[0]

    def bound(x: F64) -> F64:
        if floor is not None:
            x = np.maximum(x, floor)
        if cap is not None:
            x = np.minimum(x, cap)
        return x

    if index == "fixed":
        return [(0, n_days)], np.full((s, 1), fixed_rate)
    assert path is not None
    origin = np.datetime64(first, "D")
    if index == "prime":
        steps = path["date"].to_numpy(dtype="datetime64[D]")
        cuts = sorted(
            {0, n_days}
            | {
                int((d - origin).astype(np.int64))
                for d in steps
                if 0 < (d - origin).astype(np.int64) < n_days
            }
        )
        pieces = list(zip(cuts, cuts[1:], strict=False))
        starts = np.array(
            [origin + np.timedelta64(a, "D") for a, _ in pieces], dtype="datetime64[D]"
        )
        level = path_on(path, starts)[None, :] + shift[:, None] + spread_adjustment
        return pieces, bound(level)
    pieces, rates = [], []
    for start, end in periods:
        a = int((np.datetime64(start, "D") - origin).astype(np.int64))
        b = int((np.datetime64(end, "D") - origin).astype(np.int64))
        a, b = max(a, 0), min(b, n_days)
        if a >= b:
            continue
        if index == "term_sofr":
            fix = calendar.add_business_days(start, -fixing_days)
            rate = path_on(path, [fix])[0] + shift
        else:
            rate, _ = compounded_rate(
                path, start, end, calendar, lookback, observation_shift, shift
            )
        pieces.append((a, b))
        rates.append(bound(rate + spread_adjustment))
    return pieces, (np.stack(rates, axis=1) if rates else np.zeros((s, 0)))


def index_part(*, days: NDArray[np.datetime64], shift: F64, **terms: Any) -> F64:
    """The index part of the rate for every scenario and day, ``[scenario, day]``: the
    pieces of :func:`index_segments` (given ``terms``: the index, path, periods, calendar,
    adjustment, floor ...) spread over ``days``."""
    pieces, rates = index_segments(
        first=days[0].astype(object), n_days=days.shape[0], shift=shift, **terms
    )
    out = np.zeros((shift.shape[0], days.shape[0]))
    for k, (a, b) in enumerate(pieces):
        out[:, a:b] = rates[:, k : k + 1]
    return out


def cumulative_at(
    pieces: Sequence[tuple[int, int]], rates: F64, cum_weight: F64, at: NDArray[np.int64]
) -> F64:
    """The sum of rate x day weight over the days before each of ``at`` (grid days), for
    every scenario, ``[scenario, len(at)]``: piece by piece, so nothing of size
    scenarios x days is ever built."""
    if not len(pieces):
        return np.zeros((rates.shape[0], at.shape[0]))
    a = np.array([p[0] for p in pieces])
    b = np.array([p[1] for p in pieces])
    inside = np.clip(at[None, :], a[:, None], b[:, None])
    weights = cum_weight[inside] - cum_weight[a][:, None]
    return np.asarray(rates @ weights, dtype=np.float64)
