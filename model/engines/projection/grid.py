"""The days on which something happens in a projection, and the facility terms of each.

Between two event days nothing changes: balances, cash, the borrowing base, the rates and
the thresholds are constant, so a projection steps from event day to event day and
accrues interest on each run of days at once. The event days are the projection's first
day, every first day of a month (interest for the month before is paid), every month end
(the month's operations settle and its Borrowing Base Certificate is dated), the day each
certificate applies (its date plus the certificate lag), every day the facility's terms
change (an amendment, a step of the over-advance, a step of the cash-dominion
threshold), every change of the base rate, the day of each one-time fee, and the
revolver's maturity, the day each quarter's Compliance Certificate is due (a failed test
becomes an Event of Default that day) and the day of a lender's waiver. The grid is the
same for every scenario of a block.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from model.dates.periods import month_end, month_ends_between
from model.engines.covenants.reporting import certificate_due_date
from model.engines.facility.borrowing_base import over_advance_amount
from model.errors import InputError
from model.terms.facility import Facility, FacilityTerms
from model.values import read_amount

__all__ = ["EventGrid", "event_grid", "rate_micro"]

I64 = NDArray[np.int64]


def rate_micro(x: object, what: str) -> int:
    """A rate as an integer number of millionths (0.0525 -> 52500); a rate with more than
    six decimals is refused (interest is computed exactly in integer arithmetic)."""
    d = read_amount(x, what, negative=True)
    micro = d * 1_000_000
    if micro != micro.to_integral_value():
        raise InputError(f"{d} has more than six decimals", key=what)
    return int(micro)


def _percent(x: object, what: str) -> int:
    """An advance rate in whole percent (0.80 -> 80): the projection keeps the Borrowing
    Base in whole cents, which needs whole-percent rates on whole-dollar certificates."""
    d = read_amount(x, what)
    pct = d * 100
    if pct != pct.to_integral_value():
        raise InputError(
            f"{d} is not a whole percent: the projection computes the Borrowing Base in whole "
            "cents from whole-dollar certificates",
            key=what,
        )
    return int(pct)


def _cents(x: object, what: str) -> int:
    return int(read_amount(x, what) * 100)


@dataclass(frozen=True)
class EventGrid:
    """Event days and, per event, the common parameters of that day (see the module
    docstring). Arrays are indexed by event; money in cents, rates in millionths."""

    start: dt.date
    end: dt.date
    days: tuple[dt.date, ...]
    length: I64  # days until the next event (the run the state holds for)
    month: I64  # index of the calendar month of the event (0 = the first month)
    quarter: I64  # index of the fiscal quarter of the event
    month_end: NDArray[np.bool_]  # the month's operations settle on this day
    pay_interest_for: I64  # month whose interest is paid this day, -1 if none
    fees: I64  # one-time fees due this day (cents)
    certificate: I64  # month whose certificate applies from this day; -1 the opening one; -2 none
    version: tuple[str, ...]
    line: I64
    domestic_pct: I64
    foreign_pct: I64
    over_advance: I64
    dominion_below: I64
    agings_below: I64  # -1 when the version has no agings right
    agings_either: NDArray[np.bool_]
    springing_below: I64  # -1 when the version has no springing liquidity test
    springing_strict: NDArray[np.bool_]  # '<' (True) or '<=' (False)
    base_rate: I64
    margin: I64
    over_advance_margin: I64
    excess_at_over_advance_rate: NDArray[np.bool_]
    matured: NDArray[np.bool_]
    due_quarter: I64  # quarter whose Compliance Certificate is due this day, -1 if none
    waiver_day: NDArray[np.bool_]  # the lender's waiver takes effect this day
    eod_no_advances: NDArray[np.bool_]  # while an Event of Default continues (terms of the day)
    eod_dominion: NDArray[np.bool_]
    eod_blocks_distributions: NDArray[np.bool_]
    default_margin: I64  # added to the rate while an Event of Default continues (millionths)
    day_count_denominator: int
    month_ends: tuple[dt.date, ...]
    quarter_ends: tuple[dt.date, ...]

    @property
    def size(self) -> int:
        return len(self.days)

    def days_of_quarter(self, q: int) -> int:
        return int(self.length[self.quarter == q].sum())


def _term_days(fac: Facility, start: dt.date, end: dt.date) -> set[dt.date]:
    out: set[dt.date] = set()
    for v in fac.all_versions:
        out.add(v.effective_date)
        oa = v.borrowing_base.over_advance
        if oa is not None:
            out.update(oa.boundaries())
        out.update(v.triggers.cash_dominion_below.boundaries())
        out.update(f.date for f in v.fees)
    return {d for d in out if start <= d <= end}


def _terms_row(t: FacilityTerms, d: dt.date, lag: int) -> dict[str, object]:
    bb, tr, it = t.borrowing_base, t.triggers, t.interest
    spring = next(
        (
            c.springing
            for c in t.covenants
            if c.springing is not None and c.springing.metric == "liquidity"
        ),
        None,
    )
    if spring is not None and spring.comparison not in ("<", "<="):
        raise InputError(
            f"the projection reads springing liquidity tests 'below' a level ('<' or '<='), not "
            f"{spring.comparison!r}",
            key=f"version {t.version_name}",
        )
    agings = tr.agings_reports_below
    oa_margin = it.over_advance_margin
    eod = t.events_of_default
    if eod is None:
        raise InputError(
            f"version {t.version_name!r} has no events_of_default terms: the projection needs "
            "what an Event of Default does (no_new_advances, cash_dominion, "
            "distributions_blocked, default_rate_margin, each with its source)",
            key="events_of_default",
        )
    return {
        "eod_no_advances": eod.no_new_advances.value,
        "eod_dominion": eod.cash_dominion.value,
        "eod_blocks_distributions": eod.distributions_blocked.value,
        "default_margin": rate_micro(eod.default_rate_margin.value, "default_rate_margin"),
        "version": t.version_name,
        "line": _cents(t.line, "revolving_line"),
        "domestic_pct": _percent(
            bb.domestic_advance_rate.value, "borrowing_base.domestic_advance_rate"
        ),
        "foreign_pct": _percent(
            bb.foreign_advance_rate.value, "borrowing_base.foreign_advance_rate"
        ),
        "over_advance": _cents(over_advance_amount(t, d), "over_advance"),
        "dominion_below": _cents(tr.cash_dominion_below.amount_on(d), "cash_dominion_below"),
        "agings_below": -1 if agings is None else _cents(agings.value, "agings_reports_below"),
        "agings_either": tr.agings_measure is not None and tr.agings_measure.value == "either",
        "springing_below": -1 if spring is None else _cents(spring.amount, "springing"),
        "springing_strict": spring is None or spring.comparison == "<",
        "margin": rate_micro(it.margin.value, "interest.margin"),
        "over_advance_margin": 0
        if oa_margin is None
        else rate_micro(oa_margin.value, "over_advance_margin"),
        "excess_at_over_advance_rate": it.excess_over_limit_pricing.value == "over_advance",
        "lag": lag,
        "denominator": 360 if it.day_count.value == "ACT/360" else 365,
    }


def _base_rates(base_rate: pd.DataFrame, days: list[dt.date]) -> list[int]:
    dates = [pd.Timestamp(x).date() for x in base_rate["date"]]
    rates = [rate_micro(r, "base_rate") for r in base_rate["rate"]]
    out = []
    for d in days:
        i = (
            np.searchsorted(np.array(dates, dtype="datetime64[D]"), np.datetime64(d), side="right")
            - 1
        )
        if i < 0:
            raise InputError(
                f"no base rate on or before {d} (first rate {dates[0]})", key="base_rate"
            )
        out.append(rates[i])
    return out


def event_grid(
    facility: Facility,
    opening_date: dt.date,
    quarter_ends: tuple[dt.date, ...],
    base_rate: pd.DataFrame,
    maturity: dt.date,
    after_maturity: str,
    waiver_date: dt.date | None = None,
    default_days: tuple[dt.date, ...] = (),
) -> EventGrid:
    """The event days of a projection from the day after ``opening_date`` to the last
    quarter end, with the facility terms of each day."""
    start, end = opening_date + dt.timedelta(days=1), quarter_ends[-1]
    due: dict[dt.date, int] = {}
    for qi, q in enumerate(quarter_ends):
        d = certificate_due_date(facility, q)
        if d is not None and start <= d <= end:
            due[d] = qi
    mends = month_ends_between(start, end)
    lags = {v.borrowing_base.certificate_lag_days.value for v in facility.all_versions}
    if len(lags) != 1:
        raise InputError(
            "the certificate lag differs between versions; the projection needs one lag",
            key="borrowing_base.certificate_lag_days",
        )
    lag = lags.pop()
    firsts = [month_end(d.year, d.month) + dt.timedelta(days=1) for d in mends[:-1]]
    cert_days = {d + dt.timedelta(days=lag): i for i, d in enumerate(mends)}
    rate_days = {pd.Timestamp(x).date() for x in base_rate["date"]}
    days = sorted(
        {
            start,
            *mends,
            *firsts,
            *(d for d in cert_days if d <= end),
            *_term_days(facility, start, end),
        }
        | {d for d in rate_days if start <= d <= end}
        | ({maturity} if start <= maturity <= end else set())
        | set(due)
        | {
            d
            for d in (
                (waiver_date, waiver_date + dt.timedelta(days=1)) if waiver_date is not None else ()
            )
            if start <= d <= end
        }  # the waiver's day, and the next, from which the default no longer continues
        | {d for d in default_days if start <= d <= end}  # inherited from reported quarters
    )
    rows = [_terms_row(facility.terms_as_of(d), d, lag) for d in days]
    month_index = {(d.year, d.month): i for i, d in enumerate(mends)}
    unique = {
        (f.date, f.name): _cents(f.amount, "fees") for v in facility.all_versions for f in v.fees
    }
    fees: dict[dt.date, int] = {}
    for (day, _name), cents in unique.items():  # a fee a later version keeps is paid once
        fees[day] = fees.get(day, 0) + cents
    qe = np.array(quarter_ends, dtype="datetime64[D]")
    dd = np.array(days, dtype="datetime64[D]")
    length = np.diff(np.append(dd, np.datetime64(end) + 1)).astype(np.int64)
    first_month = mends[0]
    return EventGrid(
        start=start,
        end=end,
        days=tuple(days),
        length=length,
        month=np.array([month_index[(d.year, d.month)] for d in days], dtype=np.int64),
        quarter=np.searchsorted(qe, dd, side="left").astype(np.int64),
        month_end=np.array([d in set(mends) for d in days]),
        pay_interest_for=np.array(
            [
                month_index[(d.year, d.month)] - 1 if d.day == 1 and d > first_month else -1
                for d in days
            ],
            dtype=np.int64,
        ),
        fees=np.array([fees.get(d, 0) if d >= start else 0 for d in days], dtype=np.int64),
        certificate=np.array(
            [-1 if d == start and lag > 0 else cert_days.get(d, -2) for d in days], dtype=np.int64
        ),
        version=tuple(str(r["version"]) for r in rows),
        line=np.array([r["line"] for r in rows], dtype=np.int64),
        domestic_pct=np.array([r["domestic_pct"] for r in rows], dtype=np.int64),
        foreign_pct=np.array([r["foreign_pct"] for r in rows], dtype=np.int64),
        over_advance=np.array([r["over_advance"] for r in rows], dtype=np.int64),
        dominion_below=np.array([r["dominion_below"] for r in rows], dtype=np.int64),
        agings_below=np.array([r["agings_below"] for r in rows], dtype=np.int64),
        agings_either=np.array([r["agings_either"] for r in rows], dtype=bool),
        springing_below=np.array([r["springing_below"] for r in rows], dtype=np.int64),
        springing_strict=np.array([r["springing_strict"] for r in rows], dtype=bool),
        base_rate=np.array(_base_rates(base_rate, days), dtype=np.int64),
        margin=np.array([r["margin"] for r in rows], dtype=np.int64),
        over_advance_margin=np.array([r["over_advance_margin"] for r in rows], dtype=np.int64),
        excess_at_over_advance_rate=np.array(
            [r["excess_at_over_advance_rate"] for r in rows], dtype=bool
        ),
        matured=np.array([after_maturity == "repay" and d >= maturity for d in days], dtype=bool),
        due_quarter=np.array([due.get(d, -1) for d in days], dtype=np.int64),
        waiver_day=np.array([d == waiver_date for d in days], dtype=bool),
        eod_no_advances=np.array([r["eod_no_advances"] for r in rows], dtype=bool),
        eod_dominion=np.array([r["eod_dominion"] for r in rows], dtype=bool),
        eod_blocks_distributions=np.array(
            [r["eod_blocks_distributions"] for r in rows], dtype=bool
        ),
        default_margin=np.array([r["default_margin"] for r in rows], dtype=np.int64),
        day_count_denominator=int(rows[0]["denominator"]),  # type: ignore[call-overload]
        month_ends=tuple(mends),
        quarter_ends=quarter_ends,
    )
