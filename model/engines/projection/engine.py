"""The quarterly projection: operations to receivables to the borrowing base to the revolver
to covenants, for many scenarios at once.

How a projection steps
----------------------
Operations step monthly, the facility by event day (:mod:`model.engines.projection.grid`).
Every amount is kept in integer cents, so the arithmetic is exact and the same in every
scenario of a block (arrays ``[scenario]``, one step per event day).

*Months.* A quarter's flows (revenue, EBITDA, depreciation, taxes, capex ...) are split over
its months: the first two get ``floor(cents / 3)`` each, the third the rest. Dividends and
repurchases are paid on the quarter's last month end. At each month end:

* domestic revenue = revenue - foreign revenue, foreign revenue = round(revenue x
  foreign_revenue_share); receivables = round(revenue of the segment x DSO / days in the
  month); the month's Borrowing Base Certificate reports round(receivables x (1 -
  ineligible share)) in whole dollars, applying from its date plus the certificate lag
  (shares are kept in millionths and days in hundredths of a day, and every product is
  computed in integers, so each rounding is exact);
* payables = round(max(0, revenue - EBITDA) x payables_days / days in the month);
  deferred revenue, other current liabilities and short-term investments are the
  quarter's balances;
* operating cash = EBITDA - one-time costs - the increase in receivables + the increase in
  payables, deferred revenue and other current liabilities (the ``operating_cash``
  column); then income taxes paid, unfunded capex and interest on other debt are paid, and
  at a quarter end dividends and repurchases (the columns of those names hold what was
  paid: an Event of Default can block the last two). Funded capex adds to other debt.
  (Rounding is half up throughout.)

*Event days*, in this order:

1. the certificate whose day it is applies;
2. interest for the previous month (on the first day of a month) and the facility's
   one-time fees are paid from cash;
3. a balance above min(line, Borrowing Base) (after a step-down of the over-advance, a
   lower certificate, or the maturity of a line that is repaid) is repaid at once;
4. on a month end, the month's operating cash arrives and its payments go out;
5. the revolver policy: below ``minimum_cash`` the revolver is drawn up to availability;
   above ``repay_above`` the surplus repays it; under cash dominion (liquidity below the
   threshold of the day, Sec. 6.3(c) for SVB) collections go to the Obligations, which
   the model reads as: everything above ``minimum_cash`` repays the revolver;
6. cash still below zero is a **funding gap**: cash needed beyond availability. It is
   recorded (first date, amount) and added as outside funding so the projection can go on;
   it is never hidden.

*An Event of Default* (:class:`Defaults`, decided from the covenant results by
:mod:`model.engines.projection.result`) changes the days it covers, as the facility's
``events_of_default`` terms say: no new advance (availability, and so liquidity, counts
nothing the bank would not lend; a shortfall is a funding gap), cash dominion (step 5
repays everything above ``minimum_cash``), no dividend or repurchase at a quarter end
(recorded as blocked), and interest at the rate plus ``default_rate_margin``. A waiver's
fee is paid on its day with the facility's fees.

Draws and repayments move cash and availability by the same amount, so liquidity (cash
plus availability) after step 5 equals max(0, cash + availability before it): cash
dominion is decided on it, and is the same flag the daily ledger would show.

No circular reference
---------------------
Interest accrues daily on each end-of-day balance (revolver tranche at base + margin, the
over-advance in use at base + margin + the over-advance margin; ACT/360 or ACT/365F) and
a month's interest, summed exactly and rounded once to the cent, is paid on the first day
of the next month, in arrears. So the draw that keeps cash at its minimum on a month end
never depends on interest accrued on that draw in the same step: interest of a month is
known before it is paid. No iteration is used and there is no residual. (The interest of
the horizon's last month accrues in the P&L; it is paid after the horizon.) The payment
date is a labelled assumption of the model: the agreement's Sec. 2.4 is not in the
documents.

Exactness
---------
The Borrowing Base is rate x eligible receivables in whole dollars with whole-percent
rates, so it is whole cents; interest is balance (cents) x rate (millionths) x days,
summed in integers and divided once. Oracle: fed the projection's certificates, cash,
draws and base rate path, :func:`model.engines.facility.facility_ledger` gives the same
daily balances, availability, liquidity, triggers and interest, to the cent (tested).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from model.dates.periods import month_end
from model.engines.projection.block import ScenarioBlock, money_cents
from model.engines.projection.grid import EventGrid, event_grid, rate_micro
from model.errors import InputError
from model.terms.scenarios import Scenario

__all__ = [
    "run_block",
    "block_grid",
    "Run",
    "Defaults",
    "PAID_MONTHLY",
    "DISTRIBUTIONS",
    "MONTHLY",
    "EVENT",
    "EVENT_STATES",
    "EVENT_FLOWS",
    "QUARTERLY_FLOWS",
    "round_half_up",
    "micro",
    "scaled",
]

I64 = NDArray[np.int64]

QUARTERLY_FLOWS = (
    "revenue",
    "ebitda",
    "depreciation",
    "amortization",
    "non_cash_items",
    "one_time_costs",
    "other_debt_interest",
    "income_tax_expense",
    "income_taxes_paid",
    "capex_unfunded",
    "capex_funded",
)
"""Drivers given per quarter and split over its months."""

MONTHLY = (
    *QUARTERLY_FLOWS,
    "dividends",
    "repurchases",
    "receivables_domestic",
    "receivables_foreign",
    "eligible_domestic",
    "eligible_foreign",
    "payables",
    "deferred_revenue",
    "other_current_liabilities",
    "short_term_investments",
    "other_debt",
    "operating_cash",
    "distributions_blocked",
    "interest_accrued",
    "interest_revolver_accrued",
    "interest_over_advance_accrued",
)
"""The monthly arrays of a run (cents)."""

EVENT_STATES = (
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
"""Event arrays that hold a state (the balance at the end of the event day)."""
EVENT_FLOWS = ("draw", "repayment", "forced_repayment", "interest_paid", "fees_paid", "funding_gap")
PAID_MONTHLY = ("income_taxes_paid", "capex_unfunded", "other_debt_interest")
"""Paid from cash on every month end, after the operating cash arrives."""
DISTRIBUTIONS = ("dividends", "repurchases")
"""Paid on the quarter's last month end unless an Event of Default blocks them."""
"""Event arrays that hold a flow (the amount on the event day)."""
EVENT = (*EVENT_STATES, *EVENT_FLOWS, "base_rate")
"""The event arrays of a run (cents, base rate in millionths): the state at the end of
each event day, which holds until the next event."""


@dataclass(frozen=True)
class Defaults:
    """Where an Event of Default continues, per scenario and event (``active``
    [scenario, event]), and the waiver fees paid on each event (cents)."""

    active: NDArray[np.bool_]
    waiver_fee: I64

    @classmethod
    def none(cls, n: int, events: int) -> Defaults:
        return cls(np.zeros((n, events), dtype=bool), np.zeros((n, events), dtype=np.int64))

    def same_as(self, other: Defaults) -> bool:
        return bool(
            np.array_equal(self.active, other.active)
            and np.array_equal(self.waiver_fee, other.waiver_fee)
        )


@dataclass(frozen=True)
class Run:
    """A block's projection as arrays: ``monthly[name]`` [scenario, month] and
    ``event[name]`` [scenario, event] in cents; ``dominion``, ``agings``,
    ``springing_day`` and ``default`` (an Event of Default continues) flags per event;
    the grid."""

    block: ScenarioBlock
    grid: EventGrid
    monthly: Mapping[str, I64]
    event: Mapping[str, I64]
    dominion: NDArray[np.bool_]
    agings: NDArray[np.bool_]
    springing_day: NDArray[np.bool_]
    default: NDArray[np.bool_]


def _split(q_cents: I64) -> I64:
    """[scenario, quarter] cents -> [scenario, month]: floor(x / 3), floor(x / 3), the rest."""
    part = np.floor_divide(q_cents, 3)
    last = q_cents - 2 * part
    return np.stack([part, part, last], axis=2).reshape(q_cents.shape[0], -1)


def round_half_up(x: NDArray[np.float64]) -> I64:
    """Half up (away from zero) to an integer."""
    return (np.sign(x) * np.floor(np.abs(x) + 0.5)).astype(np.int64)


def micro(x: NDArray[np.float64]) -> I64:
    """A fraction in millionths (0.375 -> 375000): drivers hold at most six decimals."""
    return np.rint(np.asarray(x, dtype=np.float64) * 1_000_000).astype(np.int64)


def hundredths(x: NDArray[np.float64]) -> I64:
    """Days in hundredths of a day (48.5 -> 4850)."""
    return np.rint(np.asarray(x, dtype=np.float64) * 100).astype(np.int64)


def scaled(amount: I64, numerator: I64 | int, denominator: I64 | int) -> I64:
    """amount x numerator / denominator, exactly, rounded half up (away from zero): the
    integer arithmetic of every share and day count of a month.

    The product is never formed whole: with amount = q x denominator + r (0 <= r <
    denominator), the result is q x numerator + round(r x numerator / denominator), and
    r x numerator < denominator x numerator stays far inside int64 for every driver within
    its bounds (:data:`model.terms.scenarios.DRIVERS`). A part that would still leave int64
    is refused, never wrapped.

    >>> int(scaled(np.int64(10**14), 1_000_000, 100_000_000))  # $1T of receivables, 0% ineligible
    1000000000000
    >>> int(scaled(np.int64(-5), 1, 2)), int(scaled(np.int64(5), -1, 2))
    (-3, -3)
    """
    a = np.asarray(amount, dtype=np.int64)
    n = np.asarray(numerator, dtype=np.int64)
    d = np.asarray(denominator, dtype=np.int64)
    negative = (a < 0) != (n < 0)
    a, n = np.abs(a), np.abs(n)
    q, r = np.divmod(a, d)
    big = int(np.max(q, initial=0)) * int(np.max(n, initial=0))
    if big >= 2**62 or int(np.max(d, initial=1)) * int(np.max(n, initial=0)) >= 2**61:
        raise InputError(
            f"a product of {int(np.max(a, initial=0)) / 100:,.2f} x {int(np.max(n, initial=0))} "
            "leaves the exact integer range (int64) of the projection: a driver is far beyond "
            "its bounds",
            key="drivers",
        )
    frac = (2 * r * n + d) // (2 * d)
    out = q * n + frac
    return np.where(negative & (out != 0), -out, out).astype(np.int64)


def _monthly_drivers(block: ScenarioBlock, grid: EventGrid) -> dict[str, I64]:
    """The month-by-month operating figures (cents), see the module docstring."""
    d = block.drivers
    n_months = len(grid.month_ends)
    out = {k: _split(money_cents(d[k])) for k in QUARTERLY_FLOWS}
    q_of_month = np.repeat(np.arange(len(block.quarter_ends)), 3)
    last_month = np.zeros(n_months, dtype=bool)
    last_month[2::3] = True
    for k in ("dividends", "repurchases"):
        out[k] = np.where(last_month, money_cents(d[k])[:, q_of_month], 0)
    dim = np.array([m.day for m in grid.month_ends], dtype=np.int64)
    foreign = scaled(out["revenue"], micro(d["foreign_revenue_share"])[:, q_of_month], 1_000_000)
    domestic = out["revenue"] - foreign
    for seg, rev_seg in (("domestic", domestic), ("foreign", foreign)):
        ar = scaled(rev_seg, hundredths(d[f"dso_{seg}"])[:, q_of_month], 100 * dim)
        out[f"receivables_{seg}"] = ar
        eligible = 1_000_000 - micro(d[f"ineligible_{seg}"])[:, q_of_month]
        out[f"eligible_{seg}"] = scaled(ar, eligible, 100_000_000) * 100  # whole dollars
    costs = np.maximum(out["revenue"] - out["ebitda"], 0)
    out["payables"] = scaled(costs, hundredths(d["payables_days"])[:, q_of_month], 100 * dim)
    for k in ("deferred_revenue", "other_current_liabilities", "short_term_investments"):
        out[k] = money_cents(d[k])[:, q_of_month]
    return out


def _operating_cash(block: ScenarioBlock, m: dict[str, I64]) -> None:
    """Adds ``operating_cash`` (the month end's operating flow, before the payments of
    :data:`PAID_MONTHLY` and :data:`DISTRIBUTIONS`) and ``other_debt``."""
    o = {k: money_cents(v) for k, v in block.opening.items()}

    def increase(name: str, opening: I64) -> I64:
        bal = m[name]
        return bal - np.concatenate([opening[:, None], bal[:, :-1]], axis=1)

    ar = m["receivables_domestic"] + m["receivables_foreign"]
    ar_up = ar - np.concatenate(
        [(o["receivables_domestic"] + o["receivables_foreign"])[:, None], ar[:, :-1]], axis=1
    )
    m["operating_cash"] = (
        m["ebitda"]
        - m["one_time_costs"]
        - ar_up
        + increase("payables", o["payables"])
        + increase("deferred_revenue", o["deferred_revenue"])
        + increase("other_current_liabilities", o["other_current_liabilities"])
    )
    m["other_debt"] = o["other_debt"][:, None] + np.cumsum(m["capex_funded"], axis=1)


@dataclass
class _State:
    cash: I64
    outstanding: I64
    eligible_domestic: I64
    eligible_foreign: I64
    num_revolver: I64  # interest accrued this month: cents x millionths x days
    num_over_advance: I64


def _limit(g: EventGrid, e: int, s: _State) -> tuple[I64, I64, I64]:
    """(limit, Borrowing Base, receivables base) on event ``e``, in cents."""
    rec_base = (
        g.domestic_pct[e] * s.eligible_domestic + g.foreign_pct[e] * s.eligible_foreign
    ) // 100
    bb = rec_base + g.over_advance[e]
    limit = np.minimum(g.line[e], bb)
    if g.matured[e]:
        limit = np.zeros_like(limit)
    return limit, bb, rec_base


def _policy(cash: I64, outstanding: I64, avail: I64, low: I64, high: I64) -> tuple[I64, I64]:
    """(draw, repayment): below ``low`` draw up to availability; above ``high`` repay."""
    draw = np.where(cash < low, np.minimum(low - cash, avail), 0)
    repay = np.where((cash > high) & (draw == 0), np.minimum(outstanding, cash - high), 0)
    return draw, np.maximum(repay, 0)


def _step(
    g: EventGrid,
    e: int,
    s: _State,
    m: dict[str, I64],
    policy: tuple[I64, I64],
    shift: I64,
    rec: dict[str, I64],
    paid_interest: I64,
    defaults: Defaults,
) -> None:
    """One event day for every scenario (the numbered steps of the module docstring)."""
    c = g.certificate[e]
    if c >= 0:
        s.eligible_domestic = m["eligible_domestic"][:, c]
        s.eligible_foreign = m["eligible_foreign"][:, c]
    in_default = defaults.active[:, e]
    fees = g.fees[e] + defaults.waiver_fee[:, e]
    pay = fees.copy()
    if g.pay_interest_for[e] >= 0:
        pay = pay + paid_interest[:, g.pay_interest_for[e]]
    s.cash = s.cash - pay
    limit, bb, rec_base = _limit(g, e, s)
    forced = np.maximum(s.outstanding - limit, 0)
    s.outstanding = s.outstanding - forced
    s.cash = s.cash - forced
    if g.month_end[e]:
        _month_end(g, e, s, m, in_default)
    lends = ~(in_default & g.eod_no_advances[e])
    avail = np.where(lends, np.maximum(limit - s.outstanding, 0), 0)
    liquidity = np.maximum(s.cash + avail, 0)
    dominion = (liquidity < g.dominion_below[e]) | (in_default & g.eod_dominion[e])
    low, high = policy
    q = g.quarter[e]
    draw, repay = _policy(
        s.cash, s.outstanding, avail, low[:, q], np.where(dominion, low[:, q], high[:, q])
    )
    s.outstanding = s.outstanding + draw - repay
    s.cash = s.cash + draw - repay
    gap = np.maximum(-s.cash, 0)
    s.cash = s.cash + gap
    avail = np.where(lends, np.maximum(limit - s.outstanding, 0), 0)
    excess = np.maximum(s.outstanding - limit, 0)
    oa_used = np.minimum(g.over_advance[e], np.maximum(s.outstanding - rec_base, 0))
    at_oa = oa_used + (excess if g.excess_at_over_advance_rate[e] else 0)
    base = g.base_rate[e] + shift
    margin = g.margin[e] + np.where(in_default, g.default_margin[e], 0)
    n = g.length[e]
    s.num_revolver = s.num_revolver + (s.outstanding - at_oa) * (base + margin) * n
    s.num_over_advance = s.num_over_advance + at_oa * (base + margin + g.over_advance_margin[e]) * n
    for name, v in (
        ("cash", s.cash),
        ("outstanding", s.outstanding),
        ("limit", limit),
        ("borrowing_base", bb),
        ("receivables_base", rec_base),
        ("availability", avail),
        ("liquidity", s.cash + avail),
        ("over_advance_used", oa_used),
        ("excess", excess),
        ("draw", draw),
        ("repayment", repay),
        ("forced_repayment", forced),
        ("interest_paid", pay - fees),
        ("fees_paid", fees),
        ("funding_gap", gap),
        ("eligible_domestic", s.eligible_domestic),
        ("eligible_foreign", s.eligible_foreign),
        ("base_rate", base),
    ):
        rec[name][:, e] = v


def _month_end(
    g: EventGrid, e: int, s: _State, m: dict[str, I64], in_default: NDArray[np.bool_]
) -> None:
    """Step 4: the month's operating cash arrives and its payments go out; at a quarter end
    the dividends and repurchases, unless an Event of Default blocks them (the monthly
    ``dividends`` and ``repurchases`` become what was paid)."""
    k = g.month[e]
    s.cash = s.cash + m["operating_cash"][:, k] - sum(m[x][:, k] for x in PAID_MONTHLY)
    blocked = in_default & g.eod_blocks_distributions[e]
    for x in DISTRIBUTIONS:
        due = m[x][:, k].copy()
        m[x][:, k] = np.where(blocked, 0, due)
        m["distributions_blocked"][:, k] += np.where(blocked, due, 0)
        s.cash = s.cash - m[x][:, k]


def _round_div(num: I64, den: int) -> I64:
    """num / den rounded half up, for num >= 0."""
    return (2 * num + den) // (2 * den)


def _check_ranges(block: ScenarioBlock, g: EventGrid) -> I64:
    shift = np.array(
        [rate_micro(x, "base_rate_shift") for x in block.drivers["base_rate_shift"][:, 0]],
        dtype=np.int64,
    )
    if not (block.drivers["base_rate_shift"] == block.drivers["base_rate_shift"][:, :1]).all():
        raise InputError(
            "base_rate_shift must be the same in every quarter of a scenario (it shifts the whole path)",
            key="drivers[base_rate_shift]",
        )
    low = int((g.base_rate.min() + g.margin.min()) + shift.min())
    if low < 0:
        raise InputError(
            "base rate + margin + base_rate_shift is below zero", key="drivers[base_rate_shift]"
        )
    if int(g.line.max()) > 100_000_000_000:
        raise InputError(
            "the projection computes interest exactly for lines up to $1,000,000,000",
            key="revolving_line",
        )
    high = money_cents(block.drivers["repay_above"])
    low_cash = money_cents(block.drivers["minimum_cash"])
    if (high < low_cash).any():
        s, q = np.argwhere(high < low_cash)[0]
        raise InputError(
            f"repay_above {high[s, q] / 100:,.2f} is below minimum_cash {low_cash[s, q] / 100:,.2f} "
            f"(scenario {block.names[s]!r}, quarter {block.quarter_ends[q]})",
            key="drivers[repay_above]",
        )
    return shift


def block_grid(block: ScenarioBlock) -> EventGrid:
    """The event grid of a block's deal, horizon, base rate, revolver and lender response."""
    waiver = block.lender.waiver_date
    return event_grid(
        block.facility,
        block.opening_date,
        block.quarter_ends,
        block.base_rate,
        block.maturity,
        block.after_maturity,
        None if waiver is None else waiver.value,
        block.reported_defaults,
    )


def run_block(
    block: ScenarioBlock, grid: EventGrid | None = None, defaults: Defaults | None = None
) -> Run:
    """Project one block of scenarios (see the module docstring), with the Events of
    Default of ``defaults`` (none by default)."""
    g = grid or block_grid(block)
    shift = _check_ranges(block, g)
    m = _monthly_drivers(block, g)
    _operating_cash(block, m)
    m["distributions_blocked"] = np.zeros_like(m["dividends"])
    d = defaults or Defaults.none(block.size, g.size)
    o = {k: money_cents(v) for k, v in block.opening.items()}
    n, n_months = block.size, len(g.month_ends)
    s = _State(
        cash=o["cash"],
        outstanding=o["revolver_outstanding"],
        eligible_domestic=o["eligible_domestic"],
        eligible_foreign=o["eligible_foreign"],
        num_revolver=np.zeros(n, dtype=np.int64),
        num_over_advance=np.zeros(n, dtype=np.int64),
    )
    rec = {k: np.zeros((n, g.size), dtype=np.int64) for k in EVENT}
    accrued = np.zeros((n, n_months), dtype=np.int64)
    accrued_rev = np.zeros((n, n_months), dtype=np.int64)
    accrued_oa = np.zeros((n, n_months), dtype=np.int64)
    policy = (money_cents(block.drivers["minimum_cash"]), money_cents(block.drivers["repay_above"]))
    den = g.day_count_denominator * 1_000_000
    for e in range(g.size):
        _step(g, e, s, m, policy, shift, rec, accrued, d)
        last_of_month = e == g.size - 1 or g.month[e + 1] != g.month[e]
        if last_of_month:
            mi = g.month[e]
            accrued[:, mi] = _round_div(s.num_revolver + s.num_over_advance, den)
            accrued_rev[:, mi] = _round_div(s.num_revolver, den)
            accrued_oa[:, mi] = _round_div(s.num_over_advance, den)
            s.num_revolver = np.zeros(n, dtype=np.int64)
            s.num_over_advance = np.zeros(n, dtype=np.int64)
    m["interest_accrued"] = accrued
    m["interest_revolver_accrued"] = accrued_rev
    m["interest_over_advance_accrued"] = accrued_oa
    dominion, agings, springing = _flags(g, rec, d)
    return Run(block, g, m, rec, dominion, agings, springing, d.active)


def _flags(
    g: EventGrid, rec: Mapping[str, I64], d: Defaults
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
    liq, cash, avail = rec["liquidity"], rec["cash"], rec["availability"]
    dominion = (liq < g.dominion_below) | (d.active & g.eod_dominion)
    has_agings = g.agings_below >= 0
    either = (cash < g.agings_below) | (avail < g.agings_below)
    agings = has_agings & np.where(g.agings_either, either, liq < g.agings_below)
    has_spring = g.springing_below >= 0
    below = np.where(g.springing_strict, liq < g.springing_below, liq <= g.springing_below)
    return dominion, agings, has_spring & below


def scenario_block(scenarios: Any) -> ScenarioBlock:
    """A block from a block, one scenario or a sequence of scenarios."""
    if isinstance(scenarios, ScenarioBlock):
        return scenarios
    if isinstance(scenarios, Scenario):
        return ScenarioBlock.from_scenarios(scenarios)
    if isinstance(scenarios, Sequence) and all(isinstance(x, Scenario) for x in scenarios):
        if not scenarios:
            raise InputError("give at least one scenario", key="scenarios")
        names = [s.name for s in scenarios]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise InputError(
                f"scenario name(s) {', '.join(twice)} given more than once: each scenario of a "
                "projection is named by its file, once (its results are indexed by name)",
                key="scenarios",
            )
        return ScenarioBlock.from_scenarios(scenarios)
    raise InputError(
        "give a scenario (load('params/deals/ibasis/scenarios/x.yaml')), a list of them, or a ScenarioBlock",
        key="scenarios",
    )


def month_end_of(grid: EventGrid, month: int) -> dt.date:
    d = grid.month_ends[month]
    return month_end(d.year, d.month)
