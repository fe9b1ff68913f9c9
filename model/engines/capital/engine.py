"""The projection of a capital structure: every instrument, the cash policy and the
covenants, quarter by quarter, for many scenarios at once.

How a projection steps
----------------------
Days are counted from the opening quarter end (day 0). Every balance is kept in integer
cents in arrays ``[scenario]``; the engine steps from one *event day* to the next (quarter
ends, each instrument's interest payment dates and period starts, amortization dates,
funding, conversions and maturities, the excess cash flow payment dates and the days a
covenant failure becomes known). Between two event days no balance changes, so an
instrument's interest for the span is ``balance x (sum of (index part + margin) x day
weight)``, read from cumulative sums (:mod:`model.engines.capital.rates`); it accrues
unrounded and is paid, rounded half up to the cent once, on the instrument's payment day.
Interest is known before it is paid, so there is no circular reference.

A fixed coupon note accrues as the notes engine accrues it (one implementation): its day
weights are :meth:`~model.engines.notes.FixedRateNote.accrual_weights` (the note's schedule,
day count and reference periods), a note named by its file takes its principal events
(conversions, exchanges, redemptions) from the file, and the principal that leaves on such
an event is paid its accrued interest that day, rounded on its own. A quarter's interest
runs from the last quarter end (included) to its own (excluded), the convention of an
accrual to a date; its expense is what was paid plus the change in what is accrued and
unpaid, each instrument's accrual rounded to the cent at both ends, so the quarters add
up to what is paid, cent for cent (``tests/engines/capital/test_notes_in_capital.py``
checks the iBasis 8% notes against the notes engine).

On an event day, in this order:

1. accrual to the day (interest; the revolver's unused fee on the commitment less loans
   and letters of credit, and the letter of credit fee);
2. delayed draws fund (cash in), conversions retire principal (shares out) and the
   principal leaving is paid its accrued interest;
3. on a quarter end, the quarter's operating cash arrives: EBITDA - capex - cash taxes -
   the increase in working capital + asset-sale proceeds - dividends (a labelled model
   assumption: the quarter's flows are received at its end);
4. the steps of the cash policy, in the deal's ``order``:

   * ``interest``: accrued interest of the instruments whose payment day it is, paid in
     cash, or added to principal for a PIK note (a PIK toggle as the scenario elects);
     the revolver's fees on its payment days;
   * ``scheduled_amortization``: the installment of the day (after any reduction by
     earlier prepayments, ``prepayments_reduce``), at most the balance (the quarter's
     ``scheduled_repayments``);
   * ``maturities``: the balance of an instrument maturing that day, with its final
     payment fee (the quarter's ``maturities``, apart from the installments, so a fixed
     charge test can leave the bullet out); a revolver lends nothing after its maturity;
   * ``mandatory_prepayments``: the excess cash flow sweep due that day, the asset-sale
     sweep of the quarter and the scenario's voluntary prepayment (with its premium),
     applied to the instruments named, in order;
   * ``revolver``: cash above the minimum repays the revolver;
   * ``minimum_cash``: cash below the minimum is drawn on the revolver, up to availability
     (commitment or borrowing base, less loans and letters of credit; nothing after an
     Event of Default that stops advances);

5. cash still below zero is drawn on the revolver up to availability, and what is left is
   a **funding gap**: recorded (first day, amount) and added as outside funding so the
   projection goes on; it is never hidden;
6. on a quarter end, the covenants of the quarter are tested on the compliance file's
   build-ups of the projected line items (:func:`quarter_items`), flows summed over each
   covenant's window (quarters before the opening from the scenario's history), balances at
   the quarter end. A covenant named by ``equity_cure`` that fails is cured when the
   scenario's policy says ``apply`` and the limits allow (no more than ``per_window`` cures
   in any ``window_quarters`` consecutive quarters, ``over_life`` in all): the smallest
   amount, in cents, that makes every failing curable covenant comply (found by bisection
   on the build-up itself), counted in the ``counts_in`` line item of the quarter (so in the
   next trailing windows too), received in cash, and not netted against debt in the cured
   test. A failure left uncured is an **Event of Default** from the day its certificate is
   due (the quarterly one, or the annual one at a fiscal year end): default interest and, where the terms say so, no new advance.
   At a fiscal year end the excess cash flow sweep is computed (the ``metric`` over the
   year, its percentage at the level of ``keyed_to``, less the year's voluntary
   prepayments) and falls due ``payment_days`` later. The margin grid's metric (trailing
   four quarters) is recorded and applies from the first interest period that starts
   ``lag_days`` after the quarter end. The grid's and the sweep's keys read the figures
   without the cures: a cure counts for the financial covenants only, never for pricing
   or the sweep's step-downs (as agreements with cure rights say).

Tested against a plain per-scenario, day-by-day reference implementation
(``tests/capital_reference.py``), to the cent, and the floating coupons against QuantLib.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from model.dates import DayCount, new_york_banking_calendar, year_fraction_exact
from model.dates.periods import measurement_window
from model.engines.capital.rates import cumulative_at, day_weights, index_segments
from model.engines.notes.accrual import FixedRateNote, period_weights
from model.engines.projection.covenants import metric_arrays
from model.errors import InputError
from model.terms.capital_scenario import CapitalScenario
from model.terms.structure import (
    CapitalStructure,
    FixedNote,
    PikNote,
    Revolver,
    TermLoan,
)

__all__ = ["Leg", "CapitalResult", "project_capital", "run_capital_block", "STATUS"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

STATUS = ("complies", "amber", "breach", "cured", "not_required", "undefined", "no_threshold")
"""A covenant's status in a projected quarter."""

SPRINGING = ("revolver_utilisation", "availability", "liquidity")
"""What a springing condition may read in a capital projection."""


SNAP = 4
"""Decimals of a cent an amount is snapped to before it is rounded to the cent: interest
summed in binary floating point can fall a hair below an exact half cent (3,430,000 x
3.51% x 31/360 = 10,367.175 dollars); snapped to 1/10,000 of a cent first, it rounds half
up as the exact figure does. Sums stay far inside that tolerance (tested against the
reference implementation)."""


def _half_up(x: Any) -> I64:
    """Half up (away from zero) to whole cents, after snapping to :data:`SNAP` decimals."""
    y = np.round(np.asarray(x, dtype=np.float64), SNAP)
    return (np.sign(y) * np.floor(np.abs(y) + 0.5)).astype(np.int64)


def _cents(x: Decimal | float) -> int:
    return int((Decimal(str(x)) * 100).to_integral_value(rounding="ROUND_HALF_UP"))


@dataclass
class Leg:
    """One instrument as the engine reads it (built by :func:`legs`)."""

    id: str
    kind: str
    seniority: str
    terms: Any
    groups: list[tuple[NDArray[np.int64], list[tuple[int, int]], F64]]  # scenarios, pieces, rates
    weights: F64  # [D] day weights from the grid's first day
    cum_weight: F64  # [D + 1]
    pay_days: frozenset[int]
    period_starts: tuple[int, ...]
    funded_day: int | None
    funded_amount: int
    maturity_day: int | None
    original: int
    scheduled: dict[int, int] = field(default_factory=dict)
    delayed: dict[int, int] = field(default_factory=dict)
    # day -> the principal events of the day, in the file's order: (principal leaving,
    # shares issued, principal paid in cash)
    conversions: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)
    pik: str = "cash"  # cash | pik
    offset: int = 0  # grid index of the opening (days of the period in course before it)
    accrual_start: int = 0  # day (from the opening, <= 0) the period in course began
    cum_at: F64 = field(default_factory=lambda: np.zeros((0, 0)))
    col: dict[int, int] = field(default_factory=dict)

    def prepare(self, days: NDArray[np.int64], scenarios: int) -> None:
        """The sum of index part x day weight before each of ``days`` (grid days), for every
        scenario: all the engine reads of the index (:func:`~model.engines.capital.rates.cumulative_at`)."""
        self.cum_at = np.zeros((scenarios, days.shape[0]))
        for members, pieces, rates in self.groups:
            self.cum_at[members] = cumulative_at(pieces, rates, self.cum_weight, days)
        self.col = {int(d): j for j, d in enumerate(days)}

    def cum(self, day: int) -> F64:
        return self.cum_at[:, self.col[day]]


def _periods(
    ins: Any, opening: dt.date, end: dt.date
) -> tuple[list[tuple[dt.date, dt.date]], list[dt.date]]:
    """Interest periods covering ``[opening, end)`` and the payment dates in ``(opening, end]``."""
    months = ins.interest_months.value
    if isinstance(ins, FixedNote) and ins.note is not None:
        bounds = ins.note.terms.period_bounds()
    else:
        from model.dates import generate_schedule

        if isinstance(ins, FixedNote):
            first, last = ins.funded_date, ins.maturity_date
        else:
            first, last = ins.funded.value, ins.maturity.value
        if isinstance(ins, TermLoan | Revolver):
            # interest periods on calendar month ends every `months`, aligned to quarters
            bounds = [first]
            d = first
            while True:
                d = _next_month_end(d, months)
                if d >= last:
                    break
                bounds.append(d)
            bounds.append(last)
        else:
            bounds = generate_schedule(first, last, 12 // months)
    periods = list(zip(bounds, bounds[1:], strict=False))
    keep = [(a, b) for a, b in periods if b > opening and a < end]
    pays = [b for a, b in keep if opening < b <= end]
    return keep, pays


def _fixed_weights(
    ins: FixedNote, periods: Sequence[tuple[dt.date, dt.date]], first: dt.date, n_days: int
) -> list[float]:
    """A fixed note's day weights from the notes engine: a note with a file accrues as
    :class:`~model.engines.notes.FixedRateNote` (its schedule, day count and reference
    periods); inline terms through the same :func:`~model.engines.notes.accrual.period_weights`
    over ``periods`` with the exact day count."""
    if ins.note is not None:
        return FixedRateNote(ins.note).accrual_weights(first, n_days)
    months = ins.interest_months.value
    convention = ins.convention

    def tau(a: dt.date, b: dt.date, i: int) -> Any:
        kwargs: dict[str, Any] = {}
        if convention is DayCount.THIRTY_E_360_ISDA:
            kwargs["maturity"] = ins.maturity_date
        if convention is DayCount.ACT_ACT_ICMA:
            kwargs = {
                "ref_start": periods[i][0],
                "ref_end": periods[i][1],
                "frequency": 12 // months,
            }
        return year_fraction_exact(a, b, convention, **kwargs)

    return period_weights(periods, first, n_days, tau)


def _next_month_end(d: dt.date, months: int) -> dt.date:
    from model.dates import month_end

    y, m = d.year, d.month
    # the next month end whose month is a multiple of `months`
    while True:
        m += 1
        if m > 12:
            y, m = y + 1, 1
        if m % months == 0:
            e = month_end(y, m)
            if e > d:
                return e


def legs(
    structure: CapitalStructure,
    scenarios: Sequence[CapitalScenario],
    opening: dt.date,
    end: dt.date,
    pik_policy: str,
) -> list[Leg]:
    """Each instrument prepared for the block of ``scenarios`` (same opening and horizon)."""
    cal = new_york_banking_calendar()
    shift = np.array([float(s.rate_shift) for s in scenarios])
    # interest accrued before the opening (since the period in course began) is owed too:
    # the day grid starts with the earliest such period
    spans = {ins.id: _periods(ins, opening, end) for ins in structure.instruments}
    starts = [a for periods, _ in spans.values() for a, b in periods if a <= opening < b]
    grid_start = min([opening, *starts])
    offset = (opening - grid_start).days
    n_days = (end - grid_start).days
    days = np.arange(np.datetime64(grid_start, "D"), np.datetime64(end, "D"), dtype="datetime64[D]")

    def day(d: dt.date) -> int:
        return (d - opening).days

    out = []
    for ins in structure.instruments:
        periods, pays = spans[ins.id]
        in_course = [a for a, b in periods if a <= opening < b]
        everyone = np.arange(len(scenarios))
        if isinstance(ins, TermLoan | Revolver):
            r = ins.rate
            idx = r.index.value
            groups = []
            by_path: dict[int, list[int]] = {}
            for i, s in enumerate(scenarios):
                by_path.setdefault(id(s.rate_paths.get(idx)), []).append(i)
            for members in by_path.values():
                path = scenarios[members[0]].rate_paths.get(idx)
                try:
                    pieces, rates = index_segments(
                        index=idx,
                        path=path,
                        first=grid_start,
                        n_days=n_days,
                        periods=periods,
                        shift=shift[members],
                        calendar=cal,
                        spread_adjustment=float(r.spread_adjustment.value)
                        if r.spread_adjustment
                        else 0.0,
                        floor=float(r.floor.value) if r.floor else None,
                        cap=float(r.cap.value) if r.cap else None,
                        fixed_rate=float(r.fixed_rate.value) if r.fixed_rate else 0.0,
                        lookback=r.lookback_days.value if r.lookback_days else 0,
                        observation_shift=bool(r.observation_shift.value)
                        if r.observation_shift
                        else False,
                        fixing_days=r.fixing_days.value if r.fixing_days else 2,
                    )
                except ValueError as exc:
                    sc = scenarios[members[0]]
                    raise InputError(
                        f"{exc}: the {idx} path must cover the interest periods of "
                        f"{ins.id!r} from {grid_start} (and the fixing or lookback days before)",
                        file=sc.file,
                        key=f"rate_paths.{idx}.file",
                    ) from None
                groups.append((np.array(members), pieces, rates))
            convention = r.day_count.value
            origin = ins.funded.value
        elif isinstance(ins, PikNote):
            toggle_cash = ins.toggle.value and pik_policy == "cash"
            rate = ins.cash_rate.value if toggle_cash and ins.cash_rate else ins.pik_rate.value
            groups = [(everyone, [(0, n_days)], np.full((len(scenarios), 1), float(rate)))]
            convention = ins.day_count.value
            origin = ins.funded.value
        else:
            groups = [(everyone, [(0, n_days)], np.full((len(scenarios), 1), float(ins.coupon)))]
            convention = ins.convention
            origin = ins.funded_date
        if isinstance(ins, FixedNote):
            # a fixed coupon accrues as the notes engine accrues it (one implementation)
            w = np.asarray(_fixed_weights(ins, periods, grid_start, n_days), dtype=np.float64)
        else:
            w = day_weights(days, convention, origin)
        cum_weight = np.concatenate([[0.0], np.cumsum(w)])
        if isinstance(ins, FixedNote):
            funded, maturity, original = ins.funded_date, ins.maturity_date, ins.principal_amount
        elif isinstance(ins, Revolver):
            funded, maturity, original = ins.funded.value, ins.maturity.value, ins.commitment.value
        else:
            funded, maturity, original = ins.funded.value, ins.maturity.value, ins.principal.value
        leg = Leg(
            id=ins.id,
            kind=ins.kind,
            seniority=ins.seniority.value,
            terms=ins,
            groups=groups,
            weights=w,
            cum_weight=cum_weight,
            pay_days=frozenset(day(p) for p in pays),
            period_starts=tuple(sorted({day(a) for a, _ in periods})),
            offset=offset,
            accrual_start=day(in_course[0]) if in_course else 0,
            funded_day=day(funded) if opening < funded <= end else None,
            funded_amount=0,
            maturity_day=day(maturity) if opening < maturity <= end else None,
            original=_cents(original),
        )
        if isinstance(ins, TermLoan):
            drawn_later = sum((d.amount for d in ins.delayed_draw), Decimal(0))
            leg.funded_amount = _cents(ins.principal.value - drawn_later)
            leg.scheduled = {
                day(d): _cents(a) for d, a in ins.scheduled().items() if opening < d <= end
            }
            leg.delayed = {
                day(d.date): _cents(d.amount) for d in ins.delayed_draw if opening < d.date <= end
            }
        elif isinstance(ins, PikNote):
            leg.funded_amount = _cents(ins.principal.value)
            leg.pik = "cash" if ins.toggle.value and pik_policy == "cash" else "pik"
        elif isinstance(ins, FixedNote):
            leg.funded_amount = _cents(ins.principal_amount)
            if ins.note is not None:
                # the note file's principal events, as the notes engine reads them: a
                # conversion or an exchange retires principal for shares or new notes, a
                # redemption or a repurchase pays it in cash (at par: the files give no price)
                for ev in ins.note.events:
                    if opening < ev.date <= end:
                        shares = 0
                        if ev.type == "conversion" and ins.note.terms.conversion_price:
                            price = ins.note.terms.conversion_price.value
                            shares = int(Decimal(ev.amount) / Decimal(price))
                        in_cash = (
                            _cents(ev.amount) if ev.type in ("redemption", "repurchase") else 0
                        )
                        leg.conversions.setdefault(day(ev.date), []).append(
                            (_cents(ev.amount), shares, in_cash)
                        )
            else:
                for c in ins.conversions:
                    if opening < c.date <= end:
                        leg.conversions.setdefault(day(c.date), []).append(
                            (_cents(c.principal), c.shares, 0)
                        )
        out.append(leg)
    return out


@dataclass
class CapitalResult:
    """A projection's results (see :func:`project_capital`)."""

    structure: CapitalStructure
    scenarios: tuple[str, ...]
    quarter_ends: tuple[dt.date, ...]
    arrays: dict[str, F64]  # quantity -> [S, Q] dollars
    balances: dict[str, F64]  # instrument -> [S, Q] dollars at each quarter end
    interest: dict[str, F64]  # instrument -> [S, Q] dollars paid (cash or in kind)
    covenants: pd.DataFrame
    sweeps: pd.DataFrame
    funding_gaps: pd.DataFrame
    defaults: pd.DataFrame

    @property
    def quarters(self) -> pd.DataFrame:
        """One row per scenario and quarter end: every quantity and each instrument's balance
        and interest, in dollars."""
        rows = []
        for i, s in enumerate(self.scenarios):
            for j, q in enumerate(self.quarter_ends):
                row: dict[str, Any] = {"scenario": s, "quarter_end": q}
                for k, a in self.arrays.items():
                    row[k] = a[i, j]
                for k, a in self.balances.items():
                    row[f"balance:{k}"] = a[i, j]
                for k, a in self.interest.items():
                    row[f"interest:{k}"] = a[i, j]
                rows.append(row)
        return pd.DataFrame(rows)


OPERATING = (
    "ebitda",
    "depreciation",
    "addbacks",
    "capex",
    "cash_taxes",
    "working_capital_change",
    "asset_sale_proceeds",
    "restricted_payments",
)
"""The scenario's drivers recorded as the quarter's flows."""

FLOW_Q = (
    *OPERATING,
    "cash_interest",
    "pik_interest",
    "facility_fees",
    "interest_expense",
    "scheduled_repayments",
    "maturities",
    "mandatory_prepayments",
    "voluntary_prepayments",
    "prepayment_premiums",
    "revolver_draws",
    "revolver_repayments",
    "equity_cure",
    "funding_gap",
)
BALANCE_Q = (
    "cash",
    "revolver_outstanding",
    "letters_of_credit",
    "availability",
    "liquidity",
    "revolver_utilisation",
    "total_debt",
    "senior_debt",
    "senior_secured_debt",
    "in_default",
    "cures_to_date",
    "net_worth",
)


def quarter_items(structure: CapitalStructure, q: Mapping[str, F64]) -> dict[str, F64]:
    """The compliance file's line items from the projected quantities (``projection:``), in
    cents, ``[S, Q]``."""
    comp = structure.compliance
    out = {}
    for item, how in comp.projection.items():
        total = sum((q[x] for x in how.sum), np.zeros_like(next(iter(q.values()))))
        for x in how.less:
            total = total - q[x]
        out[item] = total
    return out


def _window(
    structure: CapitalStructure,
    items: Mapping[str, F64],
    quarters: Sequence[dt.date],
    qi: int,
    period: str,
    history: Any,
    metric: Any,
    since: dt.date | None = None,
    without_cures: bool = False,
) -> dict[str, F64]:
    """The line items ``metric`` reads, over ``period`` ending with quarter ``qi``. With
    ``since`` (an annualised test), a trailing four quarters that would reach before it
    sums its quarters from ``since`` only, times 4 / their number. ``without_cures``: the
    history's cure line items (``cure: true``) read as zero, as pricing and the sweep read
    them."""
    comp = structure.compliance
    needed = {ln.input for ln in metric.lines if ln.input is not None}
    qe = quarters[qi]
    window = measurement_window(qe, period, comp.fiscal_year_end_month.value)
    factor = 1.0
    if since is not None and period == "trailing_four_quarters" and window[0] < since <= qe:
        window = [w for w in window if w >= since]
        factor = 4.0 / len(window)
    out: dict[str, F64] = {}
    for item, li in comp.line_items.items():
        if item not in items or item not in needed:
            continue
        if li.measure == "balance" or len(window) == 1:
            out[item] = items[item][:, qi]
            continue
        total = np.zeros(items[item].shape[0])
        for w in window:
            if w in quarters[: qi + 1]:
                total = total + items[item][:, quarters.index(w)]
            elif history is not None and w in history.quarter_ends:
                if not (without_cures and li.cure):
                    total = total + float(history.quarter(w)[item] * 100)
            else:
                raise InputError(
                    f"the {period.replace('_', ' ')} ending {qe} needs quarter {w}, before the "
                    "projection: give the scenario a history_file with it",
                    key="history_file",
                )
        # an annualised flow is rounded to the cent, half up, as the reference rounds it
        out[item] = _half_up(total * factor).astype(np.float64) if factor != 1.0 else total
    return out


@dataclass(frozen=True)
class _Line:
    input: str


class _Lines:
    """A stand-in metric that reads the line items named (for :func:`_window`)."""

    def __init__(self, names: Sequence[str]) -> None:
        self.lines = [_Line(n) for n in names]


def _covenant_value(
    st: CapitalStructure,
    first: CapitalScenario,
    items: Mapping[str, F64],
    quarters: Sequence[dt.date],
    qi: int,
    cov: Any,
    metric: Any,
) -> F64:
    """A covenant's metric for every scenario, over its own (perhaps annualised) window."""
    window = _window(
        st, items, quarters, qi, cov.measurement_period, first.history, metric, _since(st, cov.id)
    )
    return metric_arrays(metric, window)


def _since(st: CapitalStructure, covenant_id: str) -> dt.date | None:
    """The first quarter an annualised covenant counts from, if it is annualised."""
    return next((a.first_quarter for a in st.terms.annualized if a.covenant == covenant_id), None)


def run_capital_block(scenarios: Sequence[CapitalScenario]) -> CapitalResult:
    """Project one block of scenarios of the same capital structure, opening and horizon."""
    first = scenarios[0]
    st = first.structure
    t = st.terms
    cp = t.cash_policy
    comp = st.compliance
    opening = first.opening_date
    quarters = first.quarter_ends
    for s in scenarios:
        if s.quarter_ends != quarters or s.structure.file != st.file:
            raise InputError(
                f"scenario {s.name!r} has another capital structure or horizon than "
                f"{first.name!r}: project them separately",
                key="scenarios",
            )
    end = quarters[-1]
    S, Q = len(scenarios), len(quarters)
    pik_policy = first.terms.policy.pik_toggle.value if first.terms.policy.pik_toggle else "pik"
    for sc in scenarios:
        theirs = sc.terms.policy.pik_toggle.value if sc.terms.policy.pik_toggle else "pik"
        if theirs != pik_policy:
            raise InputError(
                f"scenario {sc.name!r} elects {theirs} for the PIK toggle and {first.name!r} "
                f"{pik_policy}: a block projects one election; project them separately",
                key="policy.pik_toggle",
            )
    cure_policy = np.array([s.terms.policy.equity_cure.value == "apply" for s in scenarios])
    # where each scenario's voluntary prepayments go (default: the first term loan)
    first_loan = next((i.id for i in st.instruments if i.kind == "term_loan"), None)
    vol_targets: dict[tuple[str, ...], NDArray[np.bool_]] = {}
    for i, s in enumerate(scenarios):
        vp = s.terms.policy.voluntary_prepayments_to
        to = tuple(vp.value) if vp is not None else ((first_loan,) if first_loan else ())
        vol_targets.setdefault(to, np.zeros(len(scenarios), dtype=bool))[i] = True
    L = legs(st, scenarios, opening, end, pik_policy)
    by_id = {leg.id: leg for leg in L}

    def day(d: dt.date) -> int:
        return (d - opening).days

    q_days = [day(q) for q in quarters]
    qd = {d: i for i, d in enumerate(q_days)}
    # drivers hold at most cents (the scenario checks it), so x 100 in binary is exact
    drv = {
        k: np.rint(
            np.array([[float(x) for x in s.paths[k]] for s in scenarios], dtype=np.float64) * 100
        ).astype(np.int64)
        for k in first.paths
    }

    # certificate due: when a covenant failure is known (the annual one at a fiscal year end)
    req = comp.requirement("quarterly")
    annual = comp.requirement("annual")
    fy_end_month = comp.fiscal_year_end_month.value

    def cert_days(q: dt.date) -> int:
        if q.month == fy_end_month and annual is not None:
            return annual.days_after
        return req.days_after if req is not None else 45

    eod = t.events_of_default
    eod_days = {day(q) + cert_days(q) for q in quarters if day(q) + cert_days(q) <= day(end)}

    ecf = cp.excess_cash_flow
    fy_month = comp.fiscal_year_end_month.value
    ecf_days: set[int] = set()
    if ecf is not None:
        for q in quarters:
            if q.month == fy_month and q.year >= ecf.first_fiscal_year.value:
                dd = day(q) + ecf.payment_days.value
                if dd <= day(end):
                    ecf_days.add(dd)

    grid = _grid_of(st)
    grid_days = {d + grid.lag_days.value for d in q_days} if grid is not None else set()
    events: set[int] = set(q_days) | eod_days | ecf_days | grid_days
    for leg in L:
        events |= set(leg.pay_days) | set(leg.period_starts) | set(leg.scheduled) | set(leg.delayed)
        events |= set(leg.conversions)
        for fd in (leg.funded_day, leg.maturity_day):
            if fd is not None:
                events.add(fd)
    ev = sorted(e for e in events if 0 < e <= day(end))
    off = L[0].offset if L else 0
    needed = np.array(
        sorted({off, *(e + off for e in ev), *(leg.accrual_start + off for leg in L)})
    )
    for leg in L:
        leg.prepare(needed, S)

    # state
    bal = {leg.id: np.zeros(S, dtype=np.int64) for leg in L}
    for leg in L:
        for i, s in enumerate(scenarios):
            ob = s.terms.opening.balances.get(leg.id)
            bal[leg.id][i] = _cents(ob.value) if ob is not None else 0
    installments = {
        leg.id: {d_: np.full(S, a, dtype=np.int64) for d_, a in leg.scheduled.items()} for leg in L
    }
    accrued = {leg.id: np.zeros(S) for leg in L}
    fee_acc = np.zeros(S)
    cash = np.array([_cents(s.terms.opening.cash.value) for s in scenarios], dtype=np.int64)
    # tangible net worth: the opening figure, then net income (EBITDA less depreciation,
    # interest expense and cash taxes), equity cures, less restricted payments
    net_worth = np.array(
        [
            _cents(s.terms.opening.net_worth.value) if s.terms.opening.net_worth else 0
            for s in scenarios
        ],
        dtype=np.int64,
    )
    min_cash = _cents(cp.minimum_cash.value)
    revolver = by_id.get(cp.revolver) if cp.revolver else None
    in_default = np.zeros(S, dtype=bool)
    default_from = np.full(S, -1, dtype=np.int64)
    pending_default: dict[int, NDArray[np.bool_]] = {}
    gap_first = np.full(S, -1, dtype=np.int64)
    ecf_due: dict[int, I64] = {}
    margin = {leg.id: np.zeros(S) for leg in L}
    grid_keys: list[tuple[int, F64]] = []  # (effective day, key [S])
    # a fiscal year's unused limit carried into the next (dollars added to the level)
    carried: dict[str, F64] = {
        cf.covenant: np.array(
            [
                float(sc.terms.opening.carried_forward[cf.covenant].value)
                if cf.covenant in sc.terms.opening.carried_forward
                else 0.0
                for sc in scenarios
            ]
        )
        for cf in st.terms.carry_forward
    }
    vol_fy = np.zeros(S, dtype=np.int64)

    arr = {k: np.zeros((S, Q), dtype=np.float64) for k in (*FLOW_Q, *BALANCE_Q)}
    bal_q = {leg.id: np.zeros((S, Q)) for leg in L}
    int_q = {leg.id: np.zeros((S, Q)) for leg in L}
    flows = {k: np.zeros(S, dtype=np.int64) for k in FLOW_Q}
    int_flow = {leg.id: np.zeros(S, dtype=np.int64) for leg in L}
    acc_start = {leg.id: np.zeros(S) for leg in L}
    cov_rows: list[dict[str, Any]] = []
    sweep_rows: list[dict[str, Any]] = []
    default_rows: list[dict[str, Any]] = []
    cures = np.zeros((S, Q), dtype=bool)
    prior = _prior_cures(scenarios)  # [S, P]: the quarters before the opening with a cure
    items_q: dict[str, F64] = {}

    def margin_for(leg: Leg, start_day: int) -> F64:
        r = getattr(leg.terms, "rate", None)
        if r is None:
            return np.zeros(S)
        if r.margin is not None:
            return np.full(S, float(r.margin.value))
        grid = r.margin_grid
        if grid is None:
            return np.zeros(S)
        key = None
        for eff, k in grid_keys:
            if eff <= start_day:
                key = k
        if key is None:
            return np.full(S, float(grid.levels[grid.initial_level.value].margin))
        return _grid_pick(key, grid.levels, "margin")

    def unused_fee_rate() -> F64:
        assert revolver is not None
        ins = revolver.terms
        if ins.unused_fee is not None:
            return np.full(S, float(ins.unused_fee.value))
        grid = ins.rate.margin_grid
        if grid is None:
            return np.zeros(S)
        key = None
        for eff, k in grid_keys:
            if eff <= prev:
                key = k
        if key is None:
            return np.full(S, float(grid.levels[grid.initial_level.value].unused_fee or 0))
        return _grid_pick(key, grid.levels, "unused_fee")

    def availability(qi_now: int) -> I64:
        if revolver is None:
            return np.zeros(S, dtype=np.int64)
        ins = revolver.terms
        if revolver.maturity_day is not None and prev >= revolver.maturity_day:
            return np.zeros(S, dtype=np.int64)
        limit = np.full(S, revolver.original, dtype=np.int64)
        if ins.borrowing_base is not None:
            recv = drv["eligible_receivables"][:, max(qi_now, 0)]
            bb = _half_up(recv * float(ins.borrowing_base.advance_rate))
            limit = np.minimum(limit, bb)
        lc = drv["letters_of_credit"][:, max(qi_now, 0)]
        out = np.maximum(0, limit - bal[revolver.id] - lc)
        if eod is not None and eod.advances_stop.value:
            out = np.where(in_default, 0, out)
        return out

    def draw(amount: I64) -> None:
        assert revolver is not None
        bal[revolver.id] += amount
        flows["revolver_draws"] += amount

    prev = 0
    qi_cur = 0  # the quarter the current day belongs to
    # interest of the period in course, accrued before the opening on the opening balance
    for leg in L:
        a = leg.accrual_start
        margin[leg.id] = margin_for(leg, a)
        w0 = leg.cum_weight[off] - leg.cum_weight[a + off]
        accrued[leg.id] = bal[leg.id] * ((leg.cum(off) - leg.cum(a + off)) + margin[leg.id] * w0)
    fee_rate = unused_fee_rate() if revolver is not None else np.zeros(S)
    if revolver is not None:
        a = revolver.accrual_start
        w0 = revolver.cum_weight[off] - revolver.cum_weight[a + off]
        lc0 = drv["letters_of_credit"][:, 0]
        lc_rate0 = (
            float(revolver.terms.letters_of_credit.fee_rate.value)
            if revolver.terms.letters_of_credit
            else 0.0
        )
        unused0 = np.maximum(0, revolver.original - bal[revolver.id] - lc0)
        fee_acc = unused0 * fee_rate * w0 + lc0 * lc_rate0 * w0
    for leg in L:
        acc_start[leg.id] = accrued[leg.id].copy()
    fee_start = fee_acc.copy()
    for e in ev:
        # 1. accrual over [prev, e)
        for leg in L:
            w = leg.cum_weight[e + off] - leg.cum_weight[prev + off]
            f = (leg.cum(e + off) - leg.cum(prev + off)) + margin[leg.id] * w
            if eod is not None and leg.id in eod.default_interest_on:
                f = f + np.where(in_default, float(eod.default_margin.value), 0.0) * w
            accrued[leg.id] += bal[leg.id] * f
        if revolver is not None and (revolver.maturity_day is None or prev < revolver.maturity_day):
            # the commitment ends at maturity: no unused or letter of credit fee after it
            w = revolver.cum_weight[e + off] - revolver.cum_weight[prev + off]
            lc = drv["letters_of_credit"][:, qi_cur]
            unused = np.maximum(0, revolver.original - bal[revolver.id] - lc)
            lc_fee = (
                float(revolver.terms.letters_of_credit.fee_rate.value)
                if revolver.terms.letters_of_credit
                else 0.0
            )
            fee_acc += unused * fee_rate * w + lc * lc_fee * w
        prev = e
        qi = qd.get(e)
        # defaults known today
        if e in pending_default:
            newly = pending_default.pop(e) & ~in_default
            in_default |= newly
            default_from = np.where(newly, e, default_from)
        # 2. funding and conversions
        for leg in L:
            if leg.funded_day == e:
                cash += leg.funded_amount
                bal[leg.id] += leg.funded_amount
            if e in leg.delayed:
                cash += leg.delayed[e]
                bal[leg.id] += leg.delayed[e]
            for p, _shares, in_cash in leg.conversions.get(e, ()):
                # each principal event of the day, in turn: the principal leaving is paid its
                # accrued interest now, rounded on its own (as the notes engine settles it),
                # and in cash if redeemed or repurchased; the rest accrues on
                leaving = np.minimum(bal[leg.id], p)
                share = np.divide(leaving, bal[leg.id], out=np.zeros(S), where=bal[leg.id] > 0)
                settled = _half_up(accrued[leg.id] * share)
                accrued[leg.id] = accrued[leg.id] * (1 - share)
                bal[leg.id] -= leaving
                cash -= settled
                flows["cash_interest"] += settled
                int_flow[leg.id] += settled
                if in_cash:
                    paid = np.minimum(leaving, in_cash)
                    cash -= paid
                    flows["voluntary_prepayments"] += paid
        # 3. operating cash at a quarter end
        if qi is not None:
            op = (
                drv["ebitda"][:, qi]
                - drv["capex"][:, qi]
                - drv["cash_taxes"][:, qi]
                - drv["working_capital_change"][:, qi]
                + drv["asset_sale_proceeds"][:, qi]
                - drv["restricted_payments"][:, qi]
            )
            cash += op
            for k in OPERATING:
                flows[k] += drv[k][:, qi]
        # 4. the cash policy's steps
        for step in cp.order.value:
            if step == "interest":
                for leg in L:
                    if e in leg.pay_days or e == leg.maturity_day:
                        amt = _half_up(accrued[leg.id])
                        accrued[leg.id] = np.zeros(S)
                        if leg.kind == "pik_note" and leg.pik == "pik":
                            bal[leg.id] += amt
                            flows["pik_interest"] += amt
                        else:
                            cash -= amt
                            flows["cash_interest"] += amt
                        int_flow[leg.id] += amt
                if revolver is not None and (e in revolver.pay_days or e == revolver.maturity_day):
                    fee = _half_up(fee_acc)
                    fee_acc = np.zeros(S)
                    cash -= fee
                    flows["facility_fees"] += fee
            elif step == "scheduled_amortization":
                for leg in L:
                    inst = installments[leg.id].get(e)
                    if inst is not None:
                        amt = np.minimum(inst, bal[leg.id])
                        bal[leg.id] -= amt
                        cash -= amt
                        flows["scheduled_repayments"] += amt
            elif step == "maturities":
                for leg in L:
                    if leg.maturity_day == e:
                        amt = bal[leg.id].copy()
                        bal[leg.id] -= amt
                        cash -= amt
                        flows["maturities"] += amt
                        fpf = getattr(leg.terms, "final_payment_fee", None)
                        if fpf is not None:
                            fee = np.full(
                                S, _cents(Decimal(leg.original) / 100 * fpf.value), dtype=np.int64
                            )
                            cash -= fee
                            flows["facility_fees"] += fee
            elif step == "mandatory_prepayments":
                if e in ecf_due and ecf is not None:
                    paid = _apply(ecf_due.pop(e), ecf.applied_to, bal, installments, by_id, e)
                    cash -= paid
                    flows["mandatory_prepayments"] += paid
                if qi is not None and cp.asset_sales is not None:
                    due = _half_up(
                        drv["asset_sale_proceeds"][:, qi] * float(cp.asset_sales.rate.value)
                    )
                    paid = _apply(due, cp.asset_sales.applied_to, bal, installments, by_id, e)
                    cash -= paid
                    flows["mandatory_prepayments"] += paid
                if qi is not None and np.any(drv["voluntary_prepayments"][:, qi]):
                    today = opening + dt.timedelta(days=e)
                    for targets, members in vol_targets.items():
                        left = np.where(members, drv["voluntary_prepayments"][:, qi], 0)
                        for name in targets:
                            paid = _apply(left, (name,), bal, installments, by_id, e)
                            premium_on = getattr(by_id[name].terms, "premium_on", None)
                            premium = float(premium_on(today)) if premium_on else 0.0
                            prem = _half_up(paid * premium)
                            left = left - paid
                            cash -= paid + prem
                            flows["voluntary_prepayments"] += paid
                            flows["prepayment_premiums"] += prem
                            if ecf is not None and name in ecf.applied_to:
                                vol_fy += paid  # deducted from the sweep of those loans only
            elif step == "revolver" and revolver is not None:
                surplus = np.maximum(0, cash - min_cash)
                rep = np.minimum(surplus, bal[revolver.id])
                bal[revolver.id] -= rep
                cash -= rep
                flows["revolver_repayments"] += rep
            elif step == "minimum_cash" and revolver is not None:
                short = np.maximum(0, min_cash - cash)
                d_ = np.minimum(short, availability(qi_cur))
                draw(d_)
                cash += d_
        # 5. a shortfall: the revolver, then a funding gap
        if revolver is not None:
            d_ = np.minimum(np.maximum(0, -cash), availability(qi_cur))
            draw(d_)
            cash += d_
        gap = np.maximum(0, -cash)
        gap_first = np.where((gap > 0) & (gap_first < 0), e, gap_first)
        flows["funding_gap"] += gap
        cash += gap
        # 6. a quarter end: record, test, cure, sweep
        if qi is not None:
            for leg in L:
                bal_q[leg.id][:, qi] = bal[leg.id] / 100.0
                int_q[leg.id][:, qi] = int_flow[leg.id] / 100.0
                int_flow[leg.id][:] = 0
            # what was paid, plus the change in what is accrued and unpaid, each instrument's
            # accrual rounded to the cent at both ends (as the notes engine rounds it): the
            # quarters' expense adds up to what is paid over the life, cent for cent
            exp = _half_up(fee_acc) - _half_up(fee_start)
            fee_start = fee_acc.copy()
            for leg in L:
                exp += _half_up(accrued[leg.id]) - _half_up(acc_start[leg.id])
                acc_start[leg.id] = accrued[leg.id].copy()
            flows["interest_expense"] = (
                flows["cash_interest"] + flows["pik_interest"] + flows["facility_fees"] + exp
            )
            for k in FLOW_Q:
                arr[k][:, qi] = flows[k]
                flows[k] = np.zeros(S, dtype=np.int64)
            debt = sum((bal[leg.id] for leg in L), np.zeros(S, dtype=np.int64))
            senior = sum(
                (bal[leg.id] for leg in L if leg.seniority != "subordinated"),
                np.zeros(S, dtype=np.int64),
            )
            secured = sum(
                (bal[leg.id] for leg in L if leg.seniority == "senior_secured"),
                np.zeros(S, dtype=np.int64),
            )
            avail = availability(qi)
            arr["cash"][:, qi] = cash
            arr["revolver_outstanding"][:, qi] = bal[revolver.id] if revolver else 0
            arr["letters_of_credit"][:, qi] = drv["letters_of_credit"][:, qi]
            arr["availability"][:, qi] = avail
            arr["liquidity"][:, qi] = cash + avail
            arr["total_debt"][:, qi] = debt
            arr["senior_debt"][:, qi] = senior
            arr["senior_secured_debt"][:, qi] = secured
            net_worth += (
                drv["ebitda"][:, qi]
                - drv["depreciation"][:, qi]
                - arr["interest_expense"][:, qi].astype(np.int64)
                - drv["cash_taxes"][:, qi]
                - drv["restricted_payments"][:, qi]
            )
            arr["net_worth"][:, qi] = net_worth
            if revolver is not None:
                lcs = drv["letters_of_credit"][:, qi]
                counted = (
                    lcs
                    if (
                        revolver.terms.letters_of_credit
                        and revolver.terms.letters_of_credit.count_in_utilisation.value
                    )
                    else 0
                )
                arr["revolver_utilisation"][:, qi] = (
                    bal[revolver.id] + counted
                ) / revolver.original
            items_q = quarter_items(st, arr)
            newly_failed = _test_quarter(
                st,
                first,
                scenarios,
                arr,
                items_q,
                qi,
                quarters,
                cure_policy,
                cures,
                cov_rows,
                carried,
                prior,
            )
            if quarters[qi].month == fy_month:
                carried = _carry(st, items_q, quarters, qi, first.history, carried)
            # the quarter as certified: the cure counted in EBITDA, its cash not netted
            items_q = quarter_items(st, arr)
            cash += arr["equity_cure"][:, qi].astype(np.int64)
            net_worth += arr["equity_cure"][:, qi].astype(np.int64)  # counts from the next quarter
            arr["cash"][:, qi] = cash
            arr["cures_to_date"][:, qi] = prior.sum(axis=1) + cures[:, : qi + 1].sum(axis=1)
            if np.any(newly_failed):
                known = e + cert_days(quarters[qi])
                if known <= day(end):
                    pending_default[known] = (
                        pending_default.get(known, np.zeros(S, bool)) | newly_failed
                    )
                for i in map(int, np.flatnonzero(newly_failed)):
                    default_rows.append(
                        {
                            "scenario": scenarios[i].name,
                            "quarter_end": quarters[qi],
                            "known": opening + dt.timedelta(days=known),
                        }
                    )
            # the keys of the grid and of the sweep's step-downs read the figures without the
            # cures: a cure counts for the covenants only, never for pricing or the sweep
            plain_q = items_q
            if np.any(cures):
                before = arr["cash"].copy()  # the quarter end's cash before its cure
                before[:, qi] -= arr["equity_cure"][:, qi]
                plain = {**arr, "equity_cure": np.zeros_like(arr["equity_cure"]), "cash": before}
                plain_q = quarter_items(st, plain)
            # the grid's key for later interest periods
            if grid is not None:
                key = _metric_value(
                    st, grid.keyed_to, plain_q, arr, quarters, qi, first.history, True
                )
                grid_keys.append((e + grid.lag_days.value, key))
            # the sweep
            if ecf is not None and quarters[qi].month == fy_month:
                if quarters[qi].year >= ecf.first_fiscal_year.value:
                    ecf_metric = comp.metric(ecf.metric)
                    cf = metric_arrays(
                        ecf_metric,
                        _window(
                            st, items_q, quarters, qi, "year_to_date", first.history, ecf_metric
                        ),
                    )
                    key = _metric_value(
                        st, ecf.keyed_to, plain_q, arr, quarters, qi, first.history, True
                    )
                    rate = _grid_pick(key, ecf.levels, "rate")
                    gross = _half_up(np.maximum(0.0, cf) * 100.0 * rate)
                    after = np.zeros(S, dtype=np.int64)
                    if ecf.deduct_after:
                        lines = _Lines(ecf.deduct_after)
                        year = _window(
                            st, items_q, quarters, qi, "year_to_date", first.history, lines
                        )
                        for name in ecf.deduct_after:
                            after += np.rint(year[name]).astype(np.int64)
                    due = np.maximum(0, gross - vol_fy - after)
                    dd = e + ecf.payment_days.value
                    if dd <= day(end):
                        ecf_due[dd] = ecf_due.get(dd, np.zeros(S, np.int64)) + due
                    sweep_rows.append(
                        {
                            "scenario": _names(scenarios),
                            "fiscal_year_end": np.full(S, quarters[qi], dtype=object),
                            "excess_cash_flow": np.asarray(cf, dtype=np.float64),
                            "keyed_to": np.asarray(key, dtype=np.float64),
                            "rate": rate,
                            "voluntary_deduction": vol_fy / 100.0,
                            "amount": due / 100.0,
                            "due": np.full(S, opening + dt.timedelta(days=dd), dtype=object),
                            "within_horizon": np.full(S, dd <= day(end)),
                        }
                    )
                vol_fy = np.zeros(S, dtype=np.int64)
            arr["in_default"][:, qi] = in_default
            qi_cur = min(qi + 1, Q - 1)
        # margins for periods starting today; the fee rate from today
        for leg in L:
            if e in leg.period_starts:
                margin[leg.id] = margin_for(leg, e)
        if revolver is not None:
            fee_rate = unused_fee_rate()
    for k in (*FLOW_Q, *BALANCE_Q):
        if k not in ("in_default", "cures_to_date", "revolver_utilisation"):
            arr[k] = arr[k] / 100.0
    gaps = pd.DataFrame(
        [
            {
                "scenario": scenarios[i].name,
                "first_date": opening + dt.timedelta(days=int(gap_first[i])),
                "amount": float(arr["funding_gap"][i].sum()),
            }
            for i in range(S)
            if gap_first[i] >= 0
        ],
        columns=["scenario", "first_date", "amount"],
    )
    where = {sc.name: i for i, sc in enumerate(scenarios)}
    defaults = pd.DataFrame(
        [
            {
                **r,
                "in_force": None
                if default_from[where[r["scenario"]]] < 0
                else opening + dt.timedelta(days=int(default_from[where[r["scenario"]]])),
            }
            for r in default_rows
        ],
        columns=["scenario", "quarter_end", "known", "in_force"],
    )
    return CapitalResult(
        structure=st,
        scenarios=tuple(s.name for s in scenarios),
        quarter_ends=quarters,
        arrays=arr,
        balances=bal_q,
        interest=int_q,
        covenants=_frame(cov_rows, ("scenario", "quarter_end"), COVENANT_COLUMNS),
        sweeps=_frame(sweep_rows, ("scenario", "fiscal_year_end"), SWEEP_COLUMNS),
        funding_gaps=gaps,
        defaults=defaults,
    )


_NAMES: dict[int, tuple[Any, NDArray[np.object_]]] = {}


def _names(scenarios: Sequence[CapitalScenario]) -> NDArray[np.object_]:
    """The scenarios' names as an array, computed once per block."""
    key = id(scenarios)
    hit = _NAMES.get(key)
    if hit is None or hit[0] is not scenarios:
        _NAMES.clear()
        hit = (scenarios, np.array([sc.name for sc in scenarios], dtype=object))
        _NAMES[key] = hit
    return hit[1]


COVENANT_COLUMNS = (
    "scenario",
    "quarter_end",
    "covenant",
    "title",
    "direction",
    "required",
    "actual",
    "actual_before_cure",
    "headroom",
    "headroom_pct",
    "status",
    "cure_amount",
    "cures_in_window",
    "cures_to_date",
)
"""The columns of :attr:`CapitalResult.covenants` (present, empty, with no covenant)."""

SWEEP_COLUMNS = (
    "scenario",
    "fiscal_year_end",
    "excess_cash_flow",
    "keyed_to",
    "rate",
    "voluntary_deduction",
    "amount",
    "due",
    "within_horizon",
)
"""The columns of :attr:`CapitalResult.sweeps`."""


def _frame(
    blocks: list[dict[str, Any]], order: tuple[str, ...], columns: tuple[str, ...] = ()
) -> pd.DataFrame:
    """One table from column blocks (one per covenant and quarter, arrays over the
    scenarios), in scenario then time order (stable: covenants keep their order); with no
    block, the empty table with ``columns``."""
    if not blocks:
        return pd.DataFrame(columns=list(columns))
    cols = {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}
    frame = pd.DataFrame(cols)
    pos = {n: i for i, n in enumerate(dict.fromkeys(blocks[0]["scenario"]))}
    frame["_s"] = frame["scenario"].map(pos)
    return (
        frame.sort_values(["_s", order[1]], kind="stable").drop(columns="_s").reset_index(drop=True)
    )


def _grid_of(st: CapitalStructure) -> Any:
    for ins in st.instruments:
        r = getattr(ins, "rate", None)
        if r is not None and r.margin_grid is not None:
            return r.margin_grid
    return None


def _grid_pick(key: F64, levels: Sequence[Any], attr: str) -> F64:
    out = np.full(key.shape, np.nan)
    for lv in reversed(levels):
        inside = np.ones(key.shape, dtype=bool)
        if lv.above is not None:
            inside &= key > float(lv.above)
        if lv.up_to is not None:
            inside &= key <= float(lv.up_to)
        out = np.where(inside, float(getattr(lv, attr) or 0), out)
    # an undefined key (a ratio over non-positive EBITDA) takes the highest level
    return np.where(np.isnan(key), float(getattr(levels[-1], attr) or 0), out)


def _metric_value(
    st: CapitalStructure,
    name: str,
    items: Mapping[str, F64],
    arr: Mapping[str, F64],
    quarters: Sequence[dt.date],
    qi: int,
    history: Any,
    without_cures: bool = False,
) -> F64:
    if name == "availability_share":  # availability as a share of the revolver's commitment
        rv = st.terms.cash_policy.revolver
        commitment = float(st.instrument(rv).commitment.value) * 100 if rv else 0.0
        share = (
            arr["availability"][:, qi] / commitment
            if commitment
            else np.zeros(len(arr["availability"]))
        )
        return np.asarray(share, dtype=np.float64)
    metric = st.compliance.metric(name)
    return metric_arrays(
        metric,
        _window(
            st,
            items,
            quarters,
            qi,
            "trailing_four_quarters",
            history,
            metric,
            without_cures=without_cures,
        ),
    )


def _apply(
    amount: I64,
    applied_to: Sequence[str],
    bal: dict[str, I64],
    installments: dict[str, dict[int, I64]],
    by_id: Mapping[str, Leg],
    today: int,
) -> I64:
    """Pay ``amount`` to the instruments in order, each at most its balance; a term loan's
    later installments are reduced in direct order when its terms say so. Returns what was
    paid."""
    left = amount.copy()
    paid = np.zeros_like(amount)
    for name in applied_to:
        take = np.minimum(left, bal[name])
        bal[name] -= take
        left -= take
        paid += take
        leg = by_id[name]
        how = getattr(leg.terms, "prepayments_reduce", None)
        if how is not None and how.value == "next_installments":
            rest = take.copy()
            for d_ in sorted(installments[name]):
                if d_ <= today:
                    continue
                cut = np.minimum(rest, installments[name][d_])
                installments[name][d_] = installments[name][d_] - cut
                rest -= cut
    return paid


def _prior_cures(scenarios: Sequence[CapitalScenario]) -> NDArray[np.bool_]:
    """[S, P]: for each scenario, a cure in each of the P quarters up to the opening (the
    last column), from ``opening.cures_used``; P spans the earliest of them."""
    from model.dates.periods import quarter_ends_between

    used = [s.cures_used for s in scenarios]
    earliest = min((d for u in used for d in u), default=None)
    if earliest is None:
        return np.zeros((len(scenarios), 0), dtype=bool)
    qs = quarter_ends_between(earliest, scenarios[0].opening_date)
    out = np.zeros((len(scenarios), len(qs)), dtype=bool)
    for i, u in enumerate(used):
        for d in u:
            out[i, qs.index(d)] = True
    return out


def _test_quarter(
    st: CapitalStructure,
    first: CapitalScenario,
    scenarios: Sequence[CapitalScenario],
    arr: dict[str, F64],
    items: dict[str, F64],
    qi: int,
    quarters: Sequence[dt.date],
    cure_policy: NDArray[np.bool_],
    cures: NDArray[np.bool_],
    rows: list[dict[str, Any]],
    carried: Mapping[str, F64] | None = None,
    prior: NDArray[np.bool_] | None = None,
) -> NDArray[np.bool_]:
    """Test the quarter's covenants, cure what the policy and limits allow; return the
    scenarios with a failure left uncured. ``carried``: dollars added to a covenant's level
    for the fiscal year (a carry-forward); ``prior``: the cures of the quarters before the
    opening ([S, P], the last column the opening quarter), which count in the limits."""
    carried = carried or {}
    S0 = len(scenarios)
    prior = np.zeros((S0, 0), dtype=bool) if prior is None else prior
    P = prior.shape[1]
    ext = np.concatenate([prior, cures], axis=1)  # column P + qi is the quarter qi
    t = st.terms
    comp = st.compliance
    S = len(scenarios)
    q = quarters[qi]
    results = []
    for cov in t.covenants:
        step = cov.step_for(q)
        metric = comp.metric(cov.metric)
        actual = _covenant_value(st, first, items, quarters, qi, cov, metric)
        applies = np.ones(S, dtype=bool)
        if cov.springing is not None:
            sp = cov.springing
            if sp.metric not in SPRINGING:
                raise InputError(
                    f"covenant {cov.id!r} springs on {sp.metric!r}; a capital projection reads "
                    f"{', '.join(SPRINGING)}",
                    key="springing",
                )
            reading = arr[sp.metric][:, qi] / (
                1.0 if sp.metric == "revolver_utilisation" else 100.0
            )
            from model.engines.covenants.springing import COMPARE

            applies = np.asarray(COMPARE[sp.comparison](reading, float(sp.amount)), dtype=bool)
        results.append((cov, step, metric, actual, applies))
    failed = np.zeros(S, dtype=bool)
    cure = t.equity_cure
    need = np.zeros(S, dtype=np.int64)
    curable_fail = np.zeros(S, dtype=bool)
    other_fail = np.zeros(S, dtype=bool)
    for cov, step, _metric, actual, applies in results:
        if step is None or step.amount is None:
            continue
        level = float(step.amount) + carried.get(cov.id, 0.0)
        ok = actual >= level if cov.direction == "min" else actual <= level
        bad = applies & ~ok & ~np.isnan(actual)  # an undefined ratio is reported, not a breach
        if cure is not None and cov.id in cure.covenants:
            curable_fail |= bad
        else:
            other_fail |= bad
    cure_amount = np.zeros(S, dtype=np.int64)
    allowed = np.zeros(S, dtype=bool)
    if cure is not None and np.any(curable_fail):
        lo = max(0, P + qi - cure.window_quarters + 1)
        in_window = ext[:, lo : P + qi].sum(axis=1)
        life = ext[:, : P + qi].sum(axis=1)
        allowed = (
            cure_policy
            & curable_fail
            & ~other_fail  # a failure a cure cannot cure stands: no sponsor cures then
            & (in_window < cure.per_window)
            & (life < cure.over_life)
        )
        if not cure.consecutive_allowed and P + qi > 0:
            allowed &= ~ext[:, P + qi - 1]
        if np.any(allowed):
            need = _cure_needed(st, first, items, qi, quarters, results, cure, allowed, carried)
            allowed &= need >= 0
            cure_amount = np.where(allowed, need, 0)
            cures[:, qi] = allowed
            arr["equity_cure"][:, qi] = cure_amount
            item = cure.counts_in
            if item in items:
                items = dict(items)
                items[item] = items[item].copy()
                items[item][:, qi] += cure_amount
    for cov, step, metric, actual, applies in results:
        req: Any = None if step is None or step.amount is None else float(step.amount)
        if req is not None and cov.id in carried:
            req = req + carried[cov.id]  # an array: each scenario's level
        if cure is not None and cov.id in cure.covenants and np.any(cure_amount):
            actual_cured = _covenant_value(st, first, items, quarters, qi, cov, metric)
        else:
            actual_cured = actual
        names = _names(scenarios)
        if req is not None:
            ok_before = (actual >= req) if cov.direction == "min" else (actual <= req)
        if req is None:
            head = np.full(S, np.nan)
            pct = np.full(S, np.nan)
            status = np.full(S, "no_threshold", dtype=object)
        else:
            head = actual_cured - req if cov.direction == "min" else req - actual_cured
            with np.errstate(divide="ignore", invalid="ignore"):
                pct = np.where(
                    np.asarray(req) != 0, head / np.abs(np.asarray(req, dtype=float)), np.nan
                )
            curable = cure is not None and cov.id in cure.covenants
            status = np.select(
                [
                    ~applies,
                    np.isnan(actual_cured),
                    head < 0,
                    (cure_amount > 0) & curable & ~ok_before,
                    pct < 0.10,
                ],
                ["not_required", "undefined", "breach", "cured", "amber"],
                "complies",
            ).astype(object)
        span = cure.window_quarters if cure else 4
        rows.append(
            {
                "scenario": names,
                "quarter_end": np.full(S, q, dtype=object),
                "covenant": np.full(S, cov.id, dtype=object),
                "title": np.full(S, cov.title, dtype=object),
                "direction": np.full(S, cov.direction, dtype=object),
                "required": np.broadcast_to(np.nan if req is None else req, (S,)).astype(float),
                "actual": np.asarray(actual_cured, dtype=np.float64),
                "actual_before_cure": np.asarray(actual, dtype=np.float64),
                "headroom": head,
                "headroom_pct": pct,
                "status": status,
                "cure_amount": cure_amount / 100.0,
                "cures_in_window": np.concatenate([prior, cures], axis=1)[
                    :, max(0, P + qi - span + 1) : P + qi + 1
                ].sum(axis=1),
                "cures_to_date": prior.sum(axis=1) + cures[:, : qi + 1].sum(axis=1),
            }
        )
        failed |= status == "breach"
    del other_fail, need
    return failed


def _carry(
    st: CapitalStructure,
    items: Mapping[str, F64],
    quarters: Sequence[dt.date],
    qi: int,
    history: Any,
    carried: Mapping[str, F64],
) -> dict[str, F64]:
    """At a fiscal year end: each carry-forward for the next fiscal year, ``share`` of the
    year's own level less its actual (not below zero), at most ``cap``."""
    out = {k: np.zeros_like(v) for k, v in carried.items()}
    by_id = {c.id: c for c in st.terms.covenants}
    for cf in st.terms.carry_forward:
        cov = by_id[cf.covenant]
        step = cov.step_for(quarters[qi])
        if step is None or step.amount is None:
            continue
        metric = st.compliance.metric(cov.metric)
        actual = metric_arrays(
            metric, _window(st, items, quarters, qi, "year_to_date", history, metric)
        )
        unused = np.maximum(0.0, float(step.amount) - np.nan_to_num(actual, nan=float(step.amount)))
        amount = np.round(unused * float(cf.share), 2)
        if cf.cap is not None:
            amount = np.minimum(amount, float(cf.cap))
        out[cf.covenant] = amount
    return out


def _cure_needed(
    st: CapitalStructure,
    first: CapitalScenario,
    items: dict[str, F64],
    qi: int,
    quarters: Sequence[dt.date],
    results: Sequence[Any],
    cure: Any,
    allowed: NDArray[np.bool_],
    carried: Mapping[str, F64] | None = None,
) -> I64:
    """The smallest cure, in cents, that makes every failing curable covenant comply (-1
    where no amount up to 10^14 cents would)."""
    item = cure.counts_in
    S = allowed.shape[0]
    carried = carried or {}
    idx = np.flatnonzero(allowed)
    sub = {k: v[idx] for k, v in items.items()}
    # each curable covenant's window, once: a cure adds to the quarter tested, which every
    # window ending there holds, so a trial only moves the cure line item's window total
    tests = []
    for cov, step, metric, _a, applies in results:
        if cov.id not in cure.covenants or step is None or step.amount is None:
            continue
        window = _window(
            st, sub, quarters, qi, cov.measurement_period, first.history, metric, _since(st, cov.id)
        )
        level = float(step.amount) + (carried[cov.id][idx] if cov.id in carried else 0.0)
        tests.append((cov, level, metric, window, applies[idx]))

    def complies(x: I64) -> NDArray[np.bool_]:
        ok = np.ones(idx.shape[0], dtype=bool)
        for cov, req, metric, window, applies in tests:
            since = _since(st, cov.id)
            if since is not None and item in sub:
                # an annualised window scales (and rounds) the cure with the flows: rebuild it
                moved = dict(sub)
                moved[item] = sub[item].copy()
                moved[item][:, qi] += x
                trial = _window(
                    st, moved, quarters, qi, cov.measurement_period, first.history, metric, since
                )
            else:
                trial = dict(window)
                if item in trial:
                    trial[item] = window[item] + x
            v = metric_arrays(metric, trial)
            good = v >= req if cov.direction == "min" else v <= req
            ok &= ~applies | good | np.isnan(v)
        return ok

    # bracket: from $10,485.76 doubling until the cure suffices (at most 10^14 cents), then
    # bisect to the cent
    n = idx.shape[0]
    hi = np.full(n, 2**20, dtype=np.int64)
    ok = complies(hi)
    while not ok.all() and (hi < 10**14).any():
        hi = np.where(ok, hi, np.minimum(hi * 2, 10**14))
        ok = ok | complies(hi)
    reachable = ok
    lo = np.where(hi > 2**20, hi // 2 + 1, 0)
    while np.any(lo < hi):
        mid = (lo + hi) // 2
        good = complies(mid)
        hi = np.where(good, mid, hi)
        lo = np.where(good, lo, mid + 1)
    out = np.full(S, -1, dtype=np.int64)
    out[idx] = np.where(reachable, hi, -1)
    return out


def project_capital(
    scenarios: CapitalScenario | Sequence[CapitalScenario], block_size: int = 1000
) -> CapitalResult:
    """Project one scenario or many (same capital structure, opening and horizon), in
    blocks of ``block_size`` (see the module docstring)."""
    items = [scenarios] if isinstance(scenarios, CapitalScenario) else list(scenarios)
    if not items:
        raise InputError("no scenario to project", key="scenarios")
    parts = [run_capital_block(items[i : i + block_size]) for i in range(0, len(items), block_size)]
    if len(parts) == 1:
        return parts[0]
    head = parts[0]
    return CapitalResult(
        structure=head.structure,
        scenarios=tuple(s for p in parts for s in p.scenarios),
        quarter_ends=head.quarter_ends,
        arrays={k: np.concatenate([p.arrays[k] for p in parts]) for k in head.arrays},
        balances={k: np.concatenate([p.balances[k] for p in parts]) for k in head.balances},
        interest={k: np.concatenate([p.interest[k] for p in parts]) for k in head.interest},
        covenants=pd.concat([p.covenants for p in parts], ignore_index=True),
        sweeps=pd.concat([p.sweeps for p in parts], ignore_index=True),
        funding_gaps=pd.concat([p.funding_gaps for p in parts], ignore_index=True),
        defaults=pd.concat([p.defaults for p in parts], ignore_index=True),
    )
