"""A plain reference implementation of the quarterly projection, one scenario at a time.

Written from the specification, the module docstrings of
:mod:`model.engines.projection.engine` ("How a projection steps", "No circular reference",
"Exactness") and :mod:`model.engines.projection.grid`, and not from the engine's code. It is
slow on purpose and built for clarity:

* it walks the calendar **one day at a time**: every day runs the numbered steps 1 to 6,
  whether or not anything happens on it, so it does not rely on the engine's event grid
  (the grid's claim "between two event days nothing changes" is tested, not assumed);
* money is kept in Python ints (cents); rates, shares and interest in
  :class:`fractions.Fraction`, so every rounding is the one the specification asks for;
* each day's facility terms come from the deal (:meth:`Facility.terms_as_of`), the
  Borrowing Base from the scalar facility engine
  (:func:`model.engines.facility.borrowing_base.borrowing_base`, exact Decimals) and the
  thresholds straight from the terms;
* the covenants of each quarter are tested by the scalar covenant engine
  (:func:`model.engines.covenants.evaluate.evaluate_covenants`) on the quarter's line items
  and the daily liquidity.

It is the oracle the vectorised engine is held to (``test_reference.py``).

Decisions where the specification is silent or could be read two ways
----------------------------------------------------------------------
D1  The quarterly flows that are split over the months are the drivers whose unit is ``usd``
    ("a quarter") in :data:`model.terms.scenarios.DRIVERS`, except dividends and
    repurchases, which are paid whole on the quarter's last month end. A negative flow
    (EBITDA, non-cash items, tax expense) is split with ``floor`` too, as written:
    floor(-10 / 3) = -4, -4 and -2 for the third month.
D2  "revenue" in the receivables and payables formulas is the month's revenue (after the
    split); "days in the month" is the calendar month's length.
D3  The certificate's eligible amount is round(receivables_cents x (1 - ineligible) / 100)
    whole dollars, half up (a certificate reports whole dollars).
D4  An "increase" is against the previous month end; for the first month against the
    opening figures (receivables = opening domestic + foreign). Short-term investments are
    a balance only; they do not move cash.
D5  Interest "for the previous month" is paid on the first day of a month only when that
    month is part of the projection: nothing is paid on the projection's first day for
    the month before the opening date, which the projection does not accrue.
D6  The one-time fees due on a day are those the terms in force that day list with that
    date, each once (a later version that carries an earlier version's fee list does not
    make a fee due twice).
D7  Step 3's repayment "at once" is paid from cash even when cash goes below zero; step 6
    then records the shortfall as a funding gap.
D8  Cash dominion is decided on max(0, cash + availability) after step 4 (the docstring:
    liquidity after step 5 equals it), with a strict "<" (Sec. 6.3(c): "no less than").
    A draw happens when cash < minimum_cash, a repayment when cash > repay_above (or, under
    dominion, > minimum_cash); both strict.
D9  Interest accrues for each day on the balance at the end of that day (after steps 1-6),
    at that day's base rate (the last rate dated on or before the day, plus the scenario's
    shift) and that day's margins and day count. The over-advance in use is
    min(over-advance amount, max(0, outstanding - receivables base)); a balance above the
    limit would accrue at the over-advance rate when ``excess_over_limit_pricing`` is
    ``over_advance`` (after step 3 there is none at the end of a day).
D10 A month's interest is the exact sum over its days of both tranches together, rounded
    once, half up, to the cent; the horizon's last month is accrued (P&L) but not paid.
D11 ``after_maturity: repay`` makes the limit zero from the maturity date, inclusive.
D12 Days under a trigger count the days whose end-of-day figures meet it with the terms in
    force that day: cash dominion (liquidity < threshold), agings (``either``: cash or
    availability below the threshold; ``sum``: liquidity below it), the springing covenant
    of the version in force (liquidity compared to its amount with its comparison).
D13 The P&L, which the engine docstring does not spell out (result.py: "the P&L to net
    income"): net income = EBITDA - one-time costs - depreciation - amortization - non-cash
    items - interest expense - income tax expense, with interest expense = revolver interest
    accrued + facility fees paid + other-debt interest. (The compliance file's Consolidated
    EBITDA build-up then gives back the EBITDA driver.) Borrower EBITDA = the quarter's
    EBITDA x borrower_ebitda_share, half up to the cent ("half up throughout").
D14 Quarter-end figures are those at the end of the quarter's last day; the lowest
    liquidity is the lowest end-of-day liquidity of the quarter.
D15 A certificate dated a month end applies from that date plus the lag of the terms in
    force on its date (when inside the horizon); the opening certificate (the opening
    eligible figures, "the certificate in force at the start") applies from the start.
D16 Drivers read from a ScenarioBlock (floats) are taken at their shortest decimal
    representation (``Decimal(repr(x))``): the number that was typed or that
    :meth:`ScenarioBlock.shocked` rounded to.
D17 An Event of Default (the engine docstring, "An Event of Default"; the facility's
    ``events_of_default`` terms): on the day a quarter's Compliance Certificate is due
    (:func:`certificate_due_date`), before anything else, the quarter's covenants are
    tested by the scalar covenant engine on the days walked so far; a breach starts an
    Event of Default that day. Under ``enforce`` it never ends; under ``waive`` the waiver
    day is still a day of default (its fee is paid with the day's fees) and the default
    ends at its end. While it continues: availability counts nil (no draw, liquidity is
    cash), cash dominion holds, the quarter end's dividends and repurchases are not paid
    (recorded as blocked), and each day accrues at the rate plus the default margin.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from model.engines.covenants.evaluate import evaluate_covenants
from model.engines.covenants.reporting import certificate_due_date
from model.engines.covenants.springing import COMPARE
from model.engines.facility.borrowing_base import BorrowingBase, borrowing_base
from model.engines.projection.block import ScenarioBlock
from model.terms.facility import Facility, FacilityTerms
from model.terms.scenarios import DRIVERS, Scenario

__all__ = ["Inputs", "Month", "Reference", "inputs_of", "reference_projection", "half_up"]

ONE_DAY = dt.timedelta(days=1)
AT_QUARTER_END = ("dividends", "repurchases")
PAID_MONTHLY = ("income_taxes_paid", "capex_unfunded", "other_debt_interest")
FLOWS = tuple(k for k, s in DRIVERS.items() if s.unit == "usd" and k not in AT_QUARTER_END)
BALANCES = ("deferred_revenue", "other_current_liabilities", "short_term_investments")
OPENING = (
    "cash",
    "receivables_domestic",
    "receivables_foreign",
    "eligible_domestic",
    "eligible_foreign",
    "revolver_outstanding",
    "other_debt",
    "payables",
    "deferred_revenue",
    "other_current_liabilities",
)
EVENT_SUMS = ("draw", "repayment", "forced_repayment", "interest_paid", "fees_paid", "funding_gap")
DAY_END = (
    "cash",
    "outstanding",
    "limit",
    "borrowing_base",
    "receivables_base",
    "availability",
    "liquidity",
    "over_advance_used",
    "excess",
    "eligible_domestic",
    "eligible_foreign",
)


# --- arithmetic ------------------------------------------------------------------------------


def half_up(x: Fraction | int) -> int:
    """``x`` rounded to an integer, halves away from zero (the specification's "half up")."""
    q = Fraction(x)
    n = math.floor(abs(q) + Fraction(1, 2))
    return n if q >= 0 else -n


def cents(amount: Decimal) -> int:
    """Dollars (exact) as integer cents; refuses fractions of a cent."""
    c = Decimal(amount) * 100
    if c != c.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of cents")
    return int(c)


def dollars(c: int) -> Decimal:
    """Integer cents as exact dollars."""
    return Decimal(c).scaleb(-2)


def split(quarter_cents: int, k: int) -> int:
    """Month ``k`` (0, 1, 2) of a quarter's flow: floor(x / 3) twice, then the rest (D1)."""
    part = quarter_cents // 3
    return part if k < 2 else quarter_cents - 2 * part


def month_ends_of(quarter_end: dt.date) -> list[dt.date]:
    """The three month ends of the fiscal (calendar) quarter ending ``quarter_end``."""
    out = []
    for m in range(quarter_end.month - 2, quarter_end.month + 1):
        out.append(dt.date(quarter_end.year, m, calendar.monthrange(quarter_end.year, m)[1]))
    return out


# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    """One scenario's inputs, exact: drivers per quarter and opening figures as Decimals."""

    name: str
    facility: Facility
    opening_date: dt.date
    quarter_ends: tuple[dt.date, ...]
    base_rates: tuple[tuple[dt.date, Decimal], ...]
    maturity: dt.date
    after_maturity: str
    drivers: dict[str, tuple[Decimal, ...]]
    opening: dict[str, Decimal]
    response: str = "enforce"
    waiver_date: dt.date | None = None
    waiver_fee: Decimal = Decimal(0)
    reported_defaults: tuple[dt.date, ...] = ()


def _exact(x: Any) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(repr(float(x)))  # D16


def _rates(frame: pd.DataFrame) -> tuple[tuple[dt.date, Decimal], ...]:
    return tuple(
        (pd.Timestamp(d).date(), _exact(r))
        for d, r in zip(frame["date"], frame["rate"], strict=True)
    )


def _lender(lender: Any) -> dict[str, Any]:
    return {
        "response": lender.response.value,
        "waiver_date": None if lender.waiver_date is None else lender.waiver_date.value,
        "waiver_fee": Decimal(0) if lender.waiver_fee is None else lender.waiver_fee.value,
    }


def inputs_of(source: Scenario | ScenarioBlock, index: int = 0) -> Inputs:
    """The inputs of a loaded scenario, or of scenario ``index`` of a block."""
    if isinstance(source, Scenario):
        t = source.terms
        return Inputs(
            **_lender(t.lender),
            reported_defaults=ScenarioBlock.from_scenarios(source).reported_defaults,
            name=source.name,
            facility=source.facility,
            opening_date=t.opening.date.value,
            quarter_ends=source.quarter_ends,
            base_rates=_rates(source.base_rate),
            maturity=t.revolver.maturity.value,
            after_maturity=t.revolver.after_maturity.value,
            drivers={k: tuple(v) for k, v in source.paths.items()},
            opening={k: t.opening.amount(k) for k in OPENING},
        )
    return Inputs(
        **_lender(source.lender),
        reported_defaults=source.reported_defaults,
        name=source.names[index],
        facility=source.facility,
        opening_date=source.opening_date,
        quarter_ends=source.quarter_ends,
        base_rates=_rates(source.base_rate),
        maturity=source.maturity,
        after_maturity=source.after_maturity,
        drivers={k: tuple(_exact(x) for x in v[index]) for k, v in source.drivers.items()},
        opening={k: _exact(source.opening[k][index]) for k in OPENING},
    )


# --- months ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    """One month end's operations (cents): the month's flows, the balances at its end and
    the operating cash that arrives on it (before the month's payments)."""

    end: dt.date
    quarter: int
    flows: dict[str, int]
    balances: dict[str, int]
    operating_cash: int


def _month_balances(dr: dict[str, Decimal], flows: dict[str, int], days: int) -> dict[str, int]:
    """Receivables, certificates and payables at a month end (D2, D3)."""
    rev = flows["revenue"]
    foreign = half_up(rev * Fraction(dr["foreign_revenue_share"]))
    out: dict[str, int] = {}
    for seg, seg_rev in (("domestic", rev - foreign), ("foreign", foreign)):
        ar = half_up(seg_rev * Fraction(dr[f"dso_{seg}"]) / days)
        out[f"receivables_{seg}"] = ar
        whole_dollars = half_up(ar * (1 - Fraction(dr[f"ineligible_{seg}"])) / 100)
        out[f"eligible_{seg}"] = 100 * whole_dollars
    costs = max(0, rev - flows["ebitda"])
    out["payables"] = half_up(costs * Fraction(dr["payables_days"]) / days)
    for name in BALANCES:
        out[name] = cents(dr[name])
    return out


def _operating_cash(flows: dict[str, int], now: dict[str, int], before: dict[str, int]) -> int:
    """EBITDA - one-time costs - increase in receivables + increase in payables, deferred
    revenue and other current liabilities (D4); the payments go out after it."""

    def up(name: str) -> int:
        return now[name] - before[name]

    return (
        flows["ebitda"]
        - flows["one_time_costs"]
        - (up("receivables_domestic") + up("receivables_foreign"))
        + up("payables")
        + up("deferred_revenue")
        + up("other_current_liabilities")
    )


def monthly_operations(inp: Inputs) -> list[Month]:
    """Every month of the horizon, in order."""
    before = {
        k: cents(inp.opening[k])
        for k in (
            "receivables_domestic",
            "receivables_foreign",
            "payables",
            "deferred_revenue",
            "other_current_liabilities",
        )
    }
    other_debt = cents(inp.opening["other_debt"])
    out = []
    for qi, q in enumerate(inp.quarter_ends):
        dr = {k: v[qi] for k, v in inp.drivers.items()}
        for k, end in enumerate(month_ends_of(q)):
            flows = {name: split(cents(dr[name]), k) for name in FLOWS}
            for name in AT_QUARTER_END:
                flows[name] = cents(dr[name]) if k == 2 else 0
            now = _month_balances(dr, flows, end.day)
            other_debt += flows["capex_funded"]
            now["other_debt"] = other_debt
            out.append(Month(end, qi, flows, now, _operating_cash(flows, now, before)))
            before = now
    return out


# --- days ------------------------------------------------------------------------------------


@dataclass
class _State:
    cash: int
    outstanding: int
    eligible_domestic: int  # cents, of the certificate in force
    eligible_foreign: int
    accrued: Fraction = Fraction(0)  # interest of the current month so far (cents)
    interest: dict[tuple[int, int], int] = field(default_factory=dict)  # (year, month) -> cents
    default: bool = False  # an Event of Default continues (D17)
    paid: dict[dt.date, dict[str, int]] = field(default_factory=dict)  # month end -> paid, blocked


def _base_rate(inp: Inputs, day: dt.date) -> Fraction:
    rate = None
    for d, r in inp.base_rates:
        if d <= day:
            rate = r
    if rate is None:
        raise ValueError(f"no base rate on or before {day}")
    return Fraction(rate) + Fraction(inp.drivers["base_rate_shift"][0])


def _quarter_of(inp: Inputs, day: dt.date) -> int:
    return next(i for i, q in enumerate(inp.quarter_ends) if day <= q)


def _certificates(inp: Inputs, months: list[Month]) -> dict[dt.date, Month]:
    """The day each month's certificate applies (D15)."""
    out = {}
    for m in months:
        lag = inp.facility.terms_as_of(m.end).borrowing_base.certificate_lag_days.value
        out[m.end + dt.timedelta(days=lag)] = m
    return out


def _limit(inp: Inputs, t: FacilityTerms, day: dt.date, bb: BorrowingBase) -> int:
    """min(line, Borrowing Base), or 0 after the maturity of a line that is repaid (D11)."""
    if inp.after_maturity == "repay" and day >= inp.maturity:
        return 0
    return cents(min(t.line, bb.total))


def _pay_interest_and_fees(
    inp: Inputs, s: _State, t: FacilityTerms, day: dt.date, start: dt.date
) -> tuple[int, int]:
    """Step 2: last month's interest on the first of a month (D5), the day's fees (D6), a
    waiver's fee (D17)."""
    interest = 0
    if day.day == 1 and day != start:
        prev = day - ONE_DAY
        interest = s.interest[(prev.year, prev.month)]
    fees = sum(cents(f.amount) for f in t.fees if f.date == day)
    if s.default and inp.response == "waive" and day == inp.waiver_date:
        fees += cents(inp.waiver_fee)
    s.cash -= interest + fees
    return interest, fees


def _policy(
    inp: Inputs, s: _State, q: int, avail: int, threshold: Decimal, swept: bool
) -> tuple[int, int]:
    """Step 5 (D8): draw below minimum_cash, repay above repay_above or under dominion
    (``swept``: an Event of Default's cash dominion, D17)."""
    low = cents(inp.drivers["minimum_cash"][q])
    high = cents(inp.drivers["repay_above"][q])
    dominion = max(0, s.cash + avail) < cents(threshold)
    if dominion or swept:
        high = low
    draw = repay = 0
    if s.cash < low:
        draw = min(low - s.cash, avail)
    elif s.cash > high:
        repay = min(s.outstanding, s.cash - high)
    s.cash += draw - repay
    s.outstanding += draw - repay
    return draw, repay


def _accrue(
    s: _State, inp: Inputs, t: FacilityTerms, day: dt.date, bb: BorrowingBase, limit: int
) -> tuple[int, int]:
    """One day's interest on the end-of-day balance (D9); returns (OA in use, excess)."""
    receivables_base = cents(bb.receivables_base)
    oa_used = min(cents(bb.over_advance), max(0, s.outstanding - receivables_base))
    excess = max(0, s.outstanding - limit)
    at_oa = oa_used + (
        excess if t.interest.excess_over_limit_pricing.value == "over_advance" else 0
    )
    base = _base_rate(inp, day)
    margin = Fraction(t.interest.margin.value)
    oa_margin = (
        Fraction(t.interest.over_advance_margin.value) if t.interest.over_advance_margin else 0
    )
    year = {"ACT/360": 360, "ACT/365F": 365}[t.interest.day_count.value]
    if s.default:
        base += Fraction(_eod(inp, day).default_rate_margin.value)
    s.accrued += (
        (s.outstanding - at_oa) * (base + margin) + at_oa * (base + margin + oa_margin)
    ) / year
    return oa_used, excess


def _eod(inp: Inputs, day: dt.date) -> Any:
    """The events_of_default terms in force on ``day``."""
    t = inp.facility.terms_as_of(day)
    assert t.events_of_default is not None
    return t.events_of_default


def _triggers(
    t: FacilityTerms, day: dt.date, cash: int, avail: int, default: bool
) -> dict[str, bool]:
    """The day's trigger flags on its end-of-day figures (D12)."""
    liq = cash + avail
    tr = t.triggers
    agings = False
    if tr.agings_reports_below is not None:
        thr = cents(tr.agings_reports_below.value)
        if tr.agings_measure is not None and tr.agings_measure.value == "either":
            agings = cash < thr or avail < thr
        else:
            agings = liq < thr
    springs = False
    for c in t.covenants:
        if c.springing is not None and c.springing.metric == "liquidity":
            springs = bool(COMPARE[c.springing.comparison](liq, cents(c.springing.amount)))
            break
    return {
        "cash_dominion": liq < cents(tr.cash_dominion_below.amount_on(day))
        or (
            default and t.events_of_default is not None and t.events_of_default.cash_dominion.value
        ),
        "agings_reports_required": agings,
        "cash_flow_covenant_springs": springs,
    }


def _day(
    inp: Inputs,
    s: _State,
    day: dt.date,
    start: dt.date,
    months_by_end: dict[dt.date, Month],
    certs: dict[dt.date, Month],
) -> dict[str, Any]:
    """Steps 1 to 6 of one calendar day, then the day's interest accrual."""
    t = inp.facility.terms_as_of(day)
    q = _quarter_of(inp, day)
    if day in certs:  # 1. the certificate whose day it is applies
        s.eligible_domestic = certs[day].balances["eligible_domestic"]
        s.eligible_foreign = certs[day].balances["eligible_foreign"]
    interest, fees = _pay_interest_and_fees(inp, s, t, day, start)  # 2.
    bb = borrowing_base(t, day, dollars(s.eligible_domestic), dollars(s.eligible_foreign))
    limit = _limit(inp, t, day, bb)
    forced = max(0, s.outstanding - limit)  # 3. a balance above the limit is repaid at once
    s.outstanding -= forced
    s.cash -= forced
    if day in months_by_end:  # 4. the month's operating cash arrives, its payments go out
        _month_end(inp, s, t, months_by_end[day])
    lends = not (
        s.default and t.events_of_default is not None and t.events_of_default.no_new_advances.value
    )
    avail = limit - s.outstanding if lends else 0  # >= 0 after step 3
    swept = (
        s.default and t.events_of_default is not None and t.events_of_default.cash_dominion.value
    )
    draw, repay = _policy(
        inp, s, q, avail, t.triggers.cash_dominion_below.amount_on(day), bool(swept)
    )
    gap = max(0, -s.cash)  # 6. a funding gap, recorded and funded from outside
    s.cash += gap
    avail = limit - s.outstanding if lends else 0
    oa_used, excess = _accrue(s, inp, t, day, bb, limit)
    return {
        "date": day,
        "quarter": q,
        "version": t.version_name,
        "cash": s.cash,
        "outstanding": s.outstanding,
        "limit": limit,
        "borrowing_base": cents(bb.total),
        "receivables_base": cents(bb.receivables_base),
        "availability": avail,
        "liquidity": s.cash + avail,
        "over_advance_used": oa_used,
        "excess": excess,
        "eligible_domestic": s.eligible_domestic,
        "eligible_foreign": s.eligible_foreign,
        "draw": draw,
        "repayment": repay,
        "forced_repayment": forced,
        "interest_paid": interest,
        "fees_paid": fees,
        "funding_gap": gap,
        "base_rate": _base_rate(inp, day),
        "event_of_default": s.default,
        **_triggers(t, day, s.cash, avail, s.default),
    }


def _month_end(inp: Inputs, s: _State, t: FacilityTerms, m: Month) -> None:
    """Step 4 (D17 for the distributions)."""
    s.cash += m.operating_cash - sum(m.flows[k] for k in PAID_MONTHLY)
    eod = t.events_of_default
    blocked = s.default and eod is not None and eod.distributions_blocked.value
    paid = {k: 0 if blocked else m.flows[k] for k in AT_QUARTER_END}
    paid["distributions_blocked"] = sum(m.flows[k] for k in AT_QUARTER_END) if blocked else 0
    s.cash -= paid["dividends"] + paid["repurchases"]
    s.paid[m.end] = paid


def daily_walk(
    inp: Inputs, months: list[Month], cushion: Any = Decimal("0.10")
) -> tuple[list[dict[str, Any]], dict[tuple[int, int], int], dict[dt.date, dict[str, int]]]:
    """Every day from the day after the opening date to the last quarter end; returns the
    day rows, each month's interest (cents, by (year, month)) and what each month end paid
    of its dividends and repurchases (D17)."""
    start, end = inp.opening_date + ONE_DAY, inp.quarter_ends[-1]
    s = _State(
        cash=cents(inp.opening["cash"]),
        outstanding=cents(inp.opening["revolver_outstanding"]),
        eligible_domestic=cents(inp.opening["eligible_domestic"]),
        eligible_foreign=cents(inp.opening["eligible_foreign"]),
    )
    months_by_end = {m.end: m for m in months}
    certs = _certificates(inp, months)
    dues = {certificate_due_date(inp.facility, q): qi for qi, q in enumerate(inp.quarter_ends)}
    w = inp.waiver_date if inp.response == "waive" else None
    s.default = any(  # D17: inherited from the reported quarters
        d < start and not (w is not None and d <= w < start) for d in inp.reported_defaults
    )
    rows: list[dict[str, Any]] = []
    day = start
    while day <= end:
        if day in inp.reported_defaults:
            s.default = True
        if day in dues and not s.default:  # D17: the certificate due today is tested
            qi = dues[day]
            ms = [m for m in months if m.quarter == qi]
            ds = [r for r in rows if r["quarter"] == qi]
            row = pd.Series(_quarter(inp, qi, ms, ds, s.interest, s.paid))
            tested = _quarter_covenants(inp, qi, row, ds, cushion)
            s.default = bool((tested["status_code"] == "breach").any())
        rows.append(_day(inp, s, day, start, months_by_end, certs))
        if s.default and inp.response == "waive" and day == inp.waiver_date:
            s.default = False
        if (day + ONE_DAY).month != day.month or day == end:
            s.interest[(day.year, day.month)] = half_up(s.accrued)  # D10
            s.accrued = Fraction(0)
        day += ONE_DAY
    return rows, s.interest, s.paid


# --- quarters and covenants ------------------------------------------------------------------


def _quarter(
    inp: Inputs,
    qi: int,
    ms: list[Month],
    ds: list[dict[str, Any]],
    interest: dict[tuple[int, int], int],
    paid: dict[dt.date, dict[str, int]],
) -> dict[str, Any]:
    out: dict[str, Any] = {k: sum(m.flows[k] for m in ms) for k in FLOWS}
    for k in (*AT_QUARTER_END, "distributions_blocked"):  # what was paid (D17)
        out[k] = sum(paid[m.end][k] for m in ms if m.end in paid)
    out["operating_cash"] = sum(m.operating_cash for m in ms)
    out["revolver_interest"] = sum(interest[(m.end.year, m.end.month)] for m in ms)
    for k in EVENT_SUMS:
        out[k] = sum(r[k] for r in ds)
    out["facility_fees"] = out["fees_paid"]
    out["interest_expense"] = (
        out["revolver_interest"] + out["facility_fees"] + out["other_debt_interest"]
    )
    out["net_income"] = (  # D13
        out["ebitda"]
        - out["one_time_costs"]
        - out["depreciation"]
        - out["amortization"]
        - out["non_cash_items"]
        - out["interest_expense"]
        - out["income_tax_expense"]
    )
    share = Fraction(inp.drivers["borrower_ebitda_share"][qi])
    out["borrower_ebitda"] = half_up(out["ebitda"] * share)
    out.update(ms[-1].balances)
    out["receivables"] = out["receivables_domestic"] + out["receivables_foreign"]
    out.update({k: ds[-1][k] for k in DAY_END})  # D14
    out["revolver_outstanding"] = out["outstanding"]
    out["min_liquidity"] = min(r["liquidity"] for r in ds)
    out["peak_outstanding"] = max(r["outstanding"] for r in ds)
    for k, flag in (
        ("days_cash_dominion", "cash_dominion"),
        ("days_agings", "agings_reports_required"),
        ("days_below_springing", "cash_flow_covenant_springs"),
        ("days_in_default", "event_of_default"),
    ):
        out[k] = sum(1 for r in ds if r[flag])
    return out


def _covenants(
    inp: Inputs, quarters: pd.DataFrame, days: pd.DataFrame, cushion: Any
) -> pd.DataFrame:
    """Each quarter's covenants by the scalar covenant engine (D13): line items from the
    compliance file's ``projection`` mapping, the springing test on the daily liquidity."""
    frames = []
    for qi, q in enumerate(inp.quarter_ends):
        window = days[days["quarter"] == qi]
        rows = [
            {"date": d, "liquidity": x}
            for d, x in zip(window.index, window["liquidity"], strict=True)
        ]
        r = _quarter_covenants(inp, qi, quarters.loc[q], rows, cushion)
        frames.append(r.assign(quarter_end=q).reset_index().set_index(["quarter_end", "covenant"]))
    return pd.concat(frames)


def _quarter_covenants(
    inp: Inputs, qi: int, row: pd.Series, ds: list[dict[str, Any]], cushion: Any
) -> pd.DataFrame:
    """One quarter's covenants by the scalar covenant engine on its figures and days."""
    comp = inp.facility.compliance
    liquidity = pd.Series(
        [dollars(int(r["liquidity"])) for r in ds],
        index=pd.DatetimeIndex([pd.Timestamp(r["date"]) for r in ds]),
    )
    items = {
        item: dollars(sum(int(row[k]) for k in spec.sum) - sum(int(row[k]) for k in spec.less))
        for item, spec in comp.projection.items()
    }
    return evaluate_covenants(inp.facility, inp.quarter_ends[qi], items, liquidity, cushion=cushion)


@dataclass(frozen=True)
class Reference:
    """The reference projection of one scenario.

    ``months``: the month ends' operations; ``days``: one row per calendar day (state at the
    end of the day and the day's flows, cents); ``quarters``: one row per quarter end
    (cents, counts of days); ``covenants``: the scalar covenant engine's rows, indexed by
    (quarter_end, covenant).
    """

    inputs: Inputs
    months: list[Month]
    interest: dict[tuple[int, int], int]
    days: pd.DataFrame
    quarters: pd.DataFrame
    covenants: pd.DataFrame


def reference_projection(
    source: Scenario | ScenarioBlock,
    index: int = 0,
    *,
    cushion: Any = Decimal("0.10"),
    with_covenants: bool = True,
) -> Reference:
    """Project one scenario (a loaded Scenario, or scenario ``index`` of a block)."""
    inp = inputs_of(source, index)
    months = monthly_operations(inp)
    rows, interest, paid = daily_walk(inp, months, cushion)
    days = pd.DataFrame(rows).set_index("date")
    quarters = pd.DataFrame(
        [
            _quarter(
                inp,
                qi,
                [m for m in months if m.quarter == qi],
                [r for r in rows if r["quarter"] == qi],
                interest,
                paid,
            )
            for qi in range(len(inp.quarter_ends))
        ],
        index=pd.Index(inp.quarter_ends, name="quarter_end"),
    )
    covenants = _covenants(inp, quarters, days, cushion) if with_covenants else pd.DataFrame()
    return Reference(inp, months, interest, days, quarters, covenants)
