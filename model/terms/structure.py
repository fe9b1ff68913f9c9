"""A deal's capital structure and cash policy, written as data (``kind: capital_structure``).

A capital structure lists the borrower's instruments, each with its ``kind``:

``term_loan``
    a floating (or fixed) rate loan drawn at closing (or, in part, later: ``delayed_draw``),
    amortizing by a percentage of its original principal a quarter or by a dated table,
    repaid at maturity; optional prepayment premiums by period and a final-payment fee;
``revolver``
    a commitment with an unused fee and letters of credit, with or without a borrowing
    base (an advance rate on the scenario's eligible receivables);
``pik_note``
    a note whose interest is paid in kind (added to principal), or, for a PIK toggle, in
    cash or in kind as the scenario elects;
``fixed_rate_note``
    a fixed coupon note (its terms inline, or ``file:`` naming a ``kind: fixed_rate_note``
    params file beside it, whose schedule and day count are reused), with conversions.

Every value carries its provenance (``source``: document and section, or a web address
and section; or ``assumption``: why), as everywhere in ``params/``.

The rate of a floating instrument (:class:`RateTerms`) is an index (``term_sofr`` fixed at
the start of each interest period, ``sofr_compounded`` in arrears with a lookback or an
observation shift, ``prime`` each day, or ``fixed``), a credit spread adjustment added to
the index, a floor (and optional cap) on the adjusted index, and a margin or a margin grid
keyed to a covenant metric. The index's path is the scenario's (a rate-path file per
index): an index level is market data, not a term.

The cash policy (:class:`CashPolicy`) is the order of payments on each payment date, the
minimum cash, the revolver that funds a shortfall, and the mandatory prepayments: an
excess cash flow sweep whose percentage steps down with a metric (leverage), tested
as the agreement says, and an asset-sale sweep. Covenants are the existing
:class:`~model.terms.covenants.Covenant` terms on the metrics of the deal's compliance
file; equity cures have their limits (:class:`EquityCure`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from model.dates import DayCount
from model.dates.periods import is_quarter_end
from model.terms.compliance import ComplianceTerms
from model.terms.covenants import Covenant
from model.terms.fields import (
    Amount,
    Date,
    Flag,
    Frozen,
    Money,
    Name,
    PositiveMoney,
    Provenanced,
    Rate,
    SignedAmount,
    Sourced,
    Whole,
)
from model.terms.files import ParamsFile, raise_located, validate
from model.terms.notes import LoadReference, NoteFile

__all__ = [
    "INDEXES",
    "PAYMENT_STEPS",
    "SENIORITY",
    "GridLevel",
    "MarginGrid",
    "RateTerms",
    "AmortizationStep",
    "Amortization",
    "PremiumPeriod",
    "DelayedDraw",
    "TermLoan",
    "BorrowingBase",
    "LettersOfCredit",
    "Revolver",
    "PikNote",
    "FixedNote",
    "Instrument",
    "SweepLevel",
    "ExcessCashFlowSweep",
    "AssetSaleSweep",
    "CashPolicy",
    "EquityCure",
    "CarryForward",
    "Annualized",
    "EventsOfDefault",
    "CapitalStructureTerms",
    "CapitalStructure",
    "build_capital_structure",
]

INDEXES = ("term_sofr", "sofr_compounded", "prime", "fixed")
"""The base indexes a floating instrument can name."""

PAYMENT_STEPS = (
    "interest",
    "scheduled_amortization",
    "maturities",
    "mandatory_prepayments",
    "revolver",
    "minimum_cash",
)
"""The steps of a payment date, in the order the cash policy lists them."""

SENIORITY = ("senior_secured", "senior_unsecured", "subordinated")

Index = Literal["term_sofr", "sofr_compounded", "prime", "fixed"]
MAX_MARGIN = Decimal("0.25")


def _bounds_problems(levels: tuple[Any, ...], what: str) -> list[str]:
    """Ranges ``(above, up_to]`` must run from -inf to +inf with no gap or overlap."""
    out = []
    if not levels:
        return [f"{what} needs at least one level"]
    if levels[0].above is not None:
        out.append(
            f"{what}: the first level must have no 'above' (it covers everything up to "
            f"{levels[0].up_to}); got above {levels[0].above}"
        )
    if levels[-1].up_to is not None:
        out.append(f"{what}: the last level must have no 'up_to' (it covers the rest)")
    for i, (a, b) in enumerate(zip(levels, levels[1:], strict=False)):
        if a.up_to is None:
            out.append(f"{what}: level {i} is open-ended (no up_to) but another level follows")
        elif b.above is None or b.above < a.up_to:
            out.append(
                f"{what}: levels {i} and {i + 1} overlap (level {i} runs up to {a.up_to}, "
                f"level {i + 1} starts above {b.above})"
            )
        elif b.above > a.up_to:
            out.append(
                f"{what}: a gap between levels {i} and {i + 1}: nothing covers {a.up_to} to "
                f"{b.above}"
            )
    for i, lv in enumerate(levels):
        if lv.above is not None and lv.up_to is not None and lv.up_to <= lv.above:
            out.append(f"{what}: level {i} runs from above {lv.above} up to {lv.up_to}: empty")
    return out


class GridLevel(Provenanced):
    """One level of a pricing grid: the metric ``above`` (exclusive) and ``up_to``
    (inclusive); the margin and, for a revolver, its unused fee."""

    above: Amount | None = None
    up_to: Amount | None = None
    margin: SignedAmount
    unused_fee: Rate | None = None

    @model_validator(mode="after")
    def _margin(self) -> GridLevel:
        if not -MAX_MARGIN < self.margin < MAX_MARGIN:
            raise ValueError(f"margin {self.margin} is a decimal fraction (0.0275 for 2.75%)")
        return self

    def shown_value(self) -> Any:
        lo = "" if self.above is None else f"> {self.above}"
        hi = "" if self.up_to is None else f"<= {self.up_to}"
        return f"{lo} {hi}".strip() + f": {self.margin}"


class MarginGrid(Frozen):
    """A margin keyed to a metric of the compliance file (leverage) at the last quarter
    end tested, or to the revolver's availability as a share of the commitment; applied from
    the first interest period that starts ``lag_days`` or more after that quarter end."""

    keyed_to: Name
    lag_days: Sourced[Whole]
    levels: tuple[GridLevel, ...]
    initial_level: Sourced[Whole]

    @model_validator(mode="after")
    def _levels(self) -> MarginGrid:
        problems = _bounds_problems(self.levels, "margin_grid")
        if problems:
            raise ValueError(problems[0])
        if not 0 <= self.initial_level.value < len(self.levels):
            raise ValueError(
                f"initial_level {self.initial_level.value} is not a level (0 to "
                f"{len(self.levels) - 1}, counted from the first)"
            )
        return self

    def level(self, x: Decimal) -> GridLevel:
        return next(
            lv
            for lv in self.levels
            if (lv.above is None or x > lv.above) and (lv.up_to is None or x <= lv.up_to)
        )


class RateTerms(Frozen):
    """How a floating (or fixed) instrument's rate is set; see the module docstring."""

    index: Sourced[Index]
    fixed_rate: Sourced[Rate] | None = None
    margin: Sourced[SignedAmount] | None = None
    margin_grid: MarginGrid | None = None
    spread_adjustment: Sourced[Rate] | None = None
    floor: Sourced[Rate] | None = None
    cap: Sourced[Rate] | None = None
    lookback_days: Sourced[Whole] | None = None
    observation_shift: Sourced[Flag] | None = None
    fixing_days: Sourced[Whole] | None = None
    day_count: Sourced[DayCount]

    @model_validator(mode="before")
    @classmethod
    def _dc(cls, data: Any) -> Any:
        if isinstance(data, dict):
            v = data.get("day_count")
            if isinstance(v, dict) and "value" in v:
                try:
                    data = {**data, "day_count": {**v, "value": DayCount.parse(v["value"])}}
                except ValueError as exc:
                    raise ValueError(f"day_count: {exc}") from None
        return data

    @model_validator(mode="after")
    def _check(self) -> RateTerms:
        idx = self.index.value
        if idx == "fixed":
            if self.fixed_rate is None:
                raise ValueError("a fixed index needs fixed_rate")
            for k in ("margin_grid", "floor", "cap", "spread_adjustment", "lookback_days"):
                if getattr(self, k) is not None:
                    raise ValueError(f"{k} does not apply to a fixed rate")
        elif self.fixed_rate is not None:
            raise ValueError(f"fixed_rate goes with index 'fixed', not {idx!r}")
        if idx != "fixed" and (self.margin is None) == (self.margin_grid is None):
            raise ValueError("give exactly one of margin and margin_grid")
        if self.margin is not None and not -MAX_MARGIN < self.margin.value < MAX_MARGIN:
            raise ValueError(f"margin {self.margin.value} is a decimal fraction (0.0275 for 2.75%)")
        if self.floor is not None and self.cap is not None and self.floor.value > self.cap.value:
            raise ValueError(f"the floor {self.floor.value} is above the cap {self.cap.value}")
        if idx != "sofr_compounded":
            for k in ("lookback_days", "observation_shift"):
                if getattr(self, k) is not None:
                    raise ValueError(f"{k} applies to index sofr_compounded only, not {idx!r}")
        elif self.lookback_days is None:
            raise ValueError("sofr_compounded needs lookback_days (0 for none)")
        if self.lookback_days is not None and not 0 <= self.lookback_days.value <= 10:
            raise ValueError(
                f"lookback_days is 0 to 10 business days (got {self.lookback_days.value})"
            )
        if self.fixing_days is not None and idx != "term_sofr":
            raise ValueError(f"fixing_days applies to index term_sofr only, not {idx!r}")
        if self.day_count.value not in (
            DayCount.ACT_360,
            DayCount.ACT_365F,
            DayCount.THIRTY_360_US,
        ):
            raise ValueError(
                f"day_count {self.day_count.value} is not one of ACT/360, ACT/365F, 30/360 US"
            )
        return self

    def margin_at(self, key: Decimal | None) -> Decimal:
        """The margin when the grid's metric is ``key`` (the grid's top level when unknown)."""
        if self.margin is not None:
            return self.margin.value
        if self.margin_grid is None:
            return Decimal(0)
        if key is None:
            return self.margin_grid.levels[-1].margin
        return self.margin_grid.level(key).margin


class AmortizationStep(Provenanced):
    """A percentage of the original principal paid each quarter from ``from_date``."""

    from_date: Date
    rate: Rate


class DatedPayment(Provenanced):
    """A scheduled principal payment on a date."""

    date: Date
    amount: PositiveMoney


class Amortization(Frozen):
    """Scheduled principal: ``percent_per_quarter`` steps (of the original principal, on the
    quarter ends from each step's date) or a dated ``schedule``."""

    percent_per_quarter: tuple[AmortizationStep, ...] | None = None
    schedule: tuple[DatedPayment, ...] | None = None

    @model_validator(mode="after")
    def _one(self) -> Amortization:
        if (self.percent_per_quarter is None) == (self.schedule is None):
            raise ValueError("give exactly one of percent_per_quarter and schedule")
        steps = self.percent_per_quarter or ()
        for a, b in zip(steps, steps[1:], strict=False):
            if b.from_date <= a.from_date:
                raise ValueError("percent_per_quarter steps must be in date order")
        for s in steps:
            if not is_quarter_end(s.from_date):
                raise ValueError(f"from_date {s.from_date} is not a quarter end")
        dates = [p.date for p in self.schedule or ()]
        if dates != sorted(set(dates)):
            raise ValueError("schedule dates must be in order, each once")
        return self


class PremiumPeriod(Provenanced):
    """A prepayment premium (a share of the amount prepaid) for prepayments up to ``until``.
    ``applies_to``: every voluntary prepayment (the default), or only a repricing event (a
    soft call), which the projection does not model: such a premium is recorded, never
    charged on a voluntary prepayment."""

    until: Date
    rate: Rate
    applies_to: Literal["voluntary_prepayments", "repricing_event"] = "voluntary_prepayments"


class DelayedDraw(Provenanced):
    """Part of the principal drawn after closing, on ``date``."""

    date: Date
    amount: PositiveMoney


class _Instrument(Frozen):
    id: Name
    title: str
    seniority: Sourced[Literal["senior_secured", "senior_unsecured", "subordinated"]]
    interest_months: Sourced[Whole]

    @model_validator(mode="after")
    def _months(self) -> _Instrument:
        if self.interest_months.value not in (1, 3, 6):
            raise ValueError(
                f"interest_months is 1, 3 or 6 (interest paid monthly, quarterly or "
                f"semi-annually); got {self.interest_months.value}"
            )
        return self


class TermLoan(_Instrument):
    """A term loan (see the module docstring)."""

    kind: Literal["term_loan"]
    principal: Sourced[PositiveMoney]
    funded: Sourced[Date]
    maturity: Sourced[Date]
    rate: RateTerms
    amortization: Amortization | None = None
    delayed_draw: tuple[DelayedDraw, ...] = ()
    prepayment_premium: tuple[PremiumPeriod, ...] = ()
    final_payment_fee: Sourced[Rate] | None = None
    prepayments_reduce: Sourced[Literal["next_installments", "final_payment"]] | None = None

    @model_validator(mode="after")
    def _loan(self) -> TermLoan:
        if self.maturity.value <= self.funded.value:
            raise ValueError(
                f"maturity {self.maturity.value} is not after funding {self.funded.value}"
            )
        p = self.principal.value
        drawn = sum((d.amount for d in self.delayed_draw), Decimal(0))
        if drawn >= p:
            raise ValueError(
                f"delayed draws of {drawn:,} leave nothing funded at closing of a principal of {p:,}"
            )
        if self.amortization is not None:
            if self.amortization.schedule is not None:
                total = sum((x.amount for x in self.amortization.schedule), Decimal(0))
                if total > p:
                    raise ValueError(
                        f"the amortization schedule repays {total:,}, more than the principal {p:,}"
                    )
                late = [x.date for x in self.amortization.schedule if x.date > self.maturity.value]
                if late:
                    raise ValueError(f"an amortization payment on {late[0]} is after maturity")
            else:
                total = sum(
                    (
                        s.rate * p * len(_quarter_ends(s.from_date, _step_end(self, i)))
                        for i, s in enumerate(self.amortization.percent_per_quarter or ())
                    ),
                    Decimal(0),
                )
                if total > p:
                    raise ValueError(
                        f"percent_per_quarter repays {total:,.2f} before maturity, more than the "
                        f"principal {p:,}"
                    )
        for a, b in zip(self.prepayment_premium, self.prepayment_premium[1:], strict=False):
            if b.until <= a.until:
                raise ValueError("prepayment_premium periods must be in date order")
        return self

    def scheduled(self) -> dict[dt.date, Decimal]:
        """Scheduled principal by date (before maturity; the rest is due at maturity)."""
        a = self.amortization
        if a is None:
            return {}
        if a.schedule is not None:
            return {x.date: x.amount for x in a.schedule if x.date < self.maturity.value}
        out: dict[dt.date, Decimal] = {}
        p = self.principal.value
        for i, s in enumerate(a.percent_per_quarter or ()):
            for q in _quarter_ends(s.from_date, _step_end(self, i)):
                if q < self.maturity.value:
                    out[q] = (s.rate * p).quantize(Decimal("0.01"))
        return out

    def premium_on(self, day: dt.date) -> Decimal:
        """The premium on a voluntary prepayment made on ``day`` (a repricing event's is
        not one)."""
        return next(
            (
                p.rate
                for p in self.prepayment_premium
                if day <= p.until and p.applies_to == "voluntary_prepayments"
            ),
            Decimal(0),
        )


def _step_end(loan: TermLoan, i: int) -> dt.date:
    steps = loan.amortization.percent_per_quarter if loan.amortization else None
    assert steps is not None
    if i + 1 < len(steps):
        return steps[i + 1].from_date - dt.timedelta(days=1)
    return loan.maturity.value - dt.timedelta(days=1)


def _quarter_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    from model.dates.periods import next_quarter_end

    out = []
    q = start
    while q <= end:
        out.append(q)
        q = next_quarter_end(q)
    return out


class BorrowingBase(Provenanced):
    """Availability capped at ``advance_rate`` x the scenario's eligible receivables."""

    advance_rate: Rate


class LettersOfCredit(Frozen):
    """Letters of credit issued under the revolver: they use the commitment; their fee."""

    sublimit: Sourced[Money]
    fee_rate: Sourced[Rate]
    count_in_utilisation: Sourced[Flag]


class Revolver(_Instrument):
    """A revolving line (see the module docstring)."""

    kind: Literal["revolver"]
    commitment: Sourced[PositiveMoney]
    funded: Sourced[Date]
    maturity: Sourced[Date]
    rate: RateTerms
    unused_fee: Sourced[Rate] | None = None
    letters_of_credit: LettersOfCredit | None = None
    borrowing_base: BorrowingBase | None = None

    @model_validator(mode="after")
    def _rev(self) -> Revolver:
        if self.maturity.value <= self.funded.value:
            raise ValueError(f"maturity {self.maturity.value} is not after {self.funded.value}")
        grid = self.rate.margin_grid
        has_grid_fee = grid is not None and any(lv.unused_fee is not None for lv in grid.levels)
        if self.unused_fee is not None and has_grid_fee:
            raise ValueError("give the unused fee once: unused_fee or the grid's unused_fee")
        if grid is not None and has_grid_fee and any(lv.unused_fee is None for lv in grid.levels):
            raise ValueError("every grid level needs an unused_fee when one has it")
        lc = self.letters_of_credit
        if lc is not None and lc.sublimit.value > self.commitment.value:
            raise ValueError(
                f"the letter of credit sublimit {lc.sublimit.value:,} exceeds the commitment "
                f"{self.commitment.value:,}"
            )
        return self

    def unused_fee_at(self, key: Decimal | None) -> Decimal:
        if self.unused_fee is not None:
            return self.unused_fee.value
        grid = self.rate.margin_grid
        if grid is None:
            return Decimal(0)
        lv = grid.levels[-1] if key is None else grid.level(key)
        return lv.unused_fee or Decimal(0)


class PikNote(_Instrument):
    """A note paying interest in kind (``pik_rate``), or for a toggle, in cash
    (``cash_rate``) when the scenario elects cash."""

    kind: Literal["pik_note"]
    principal: Sourced[PositiveMoney]
    funded: Sourced[Date]
    maturity: Sourced[Date]
    pik_rate: Sourced[Rate]
    cash_rate: Sourced[Rate] | None = None
    toggle: Sourced[Flag]
    day_count: Sourced[DayCount]
    prepayment_premium: tuple[PremiumPeriod, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _dc(cls, data: Any) -> Any:
        return RateTerms._dc(data)  # type: ignore[operator]

    @model_validator(mode="after")
    def _pik(self) -> PikNote:
        if self.maturity.value <= self.funded.value:
            raise ValueError(f"maturity {self.maturity.value} is not after {self.funded.value}")
        if self.toggle.value and self.cash_rate is None:
            raise ValueError("a PIK toggle note needs the cash_rate it pays when it pays in cash")
        if not self.toggle.value and self.cash_rate is not None:
            raise ValueError("cash_rate goes with toggle: true")
        return self


class Conversion(Provenanced):
    """Principal converted into shares on a date."""

    date: Date
    principal: PositiveMoney
    shares: Whole


class FixedNote(_Instrument):
    """A fixed coupon note: ``file`` names its ``kind: fixed_rate_note`` params file (whose
    principal, coupon, day count and schedule are used), or the terms are inline."""

    kind: Literal["fixed_rate_note"]
    file: str | None = None
    principal: Sourced[PositiveMoney] | None = None
    funded: Sourced[Date] | None = None
    maturity: Sourced[Date] | None = None
    coupon_rate: Sourced[Rate] | None = None
    day_count: Sourced[DayCount] | None = None
    conversions: tuple[Conversion, ...] = ()
    note: NoteFile | None = Field(default=None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _dc(cls, data: Any) -> Any:
        return RateTerms._dc(data)  # type: ignore[operator]

    @model_validator(mode="after")
    def _fixed(self) -> FixedNote:
        inline = ("principal", "funded", "maturity", "coupon_rate", "day_count")
        if self.file is None and self.note is None:
            missing = [k for k in inline if getattr(self, k) is None]
            if missing:
                raise ValueError(f"give file, or the terms inline: missing {', '.join(missing)}")
        elif self.file is not None:
            given = [k for k in inline if getattr(self, k) is not None]
            if self.conversions:
                given.append("conversions (the file's events)")
            if given:
                raise ValueError(f"the note's file gives its terms; drop {', '.join(given)}")
        return self

    # the terms, from the file or inline
    @property
    def principal_amount(self) -> Decimal:
        if self.note is not None:
            return self.note.terms.principal.value
        assert self.principal is not None
        return self.principal.value

    @property
    def funded_date(self) -> dt.date:
        if self.note is not None:
            return self.note.terms.issue_date.value
        assert self.funded is not None
        return self.funded.value

    @property
    def maturity_date(self) -> dt.date:
        if self.note is not None:
            return self.note.terms.maturity.value
        assert self.maturity is not None
        return self.maturity.value

    @property
    def coupon(self) -> Decimal:
        if self.note is not None:
            return self.note.terms.coupon_rate.value
        assert self.coupon_rate is not None
        return self.coupon_rate.value

    @property
    def convention(self) -> DayCount:
        if self.note is not None:
            return self.note.terms.day_count.value
        assert self.day_count is not None
        return self.day_count.value


Instrument = Annotated[TermLoan | Revolver | PikNote | FixedNote, Field(discriminator="kind")]
"""One instrument of a capital structure, told apart by its ``kind``."""


class SweepLevel(Provenanced):
    """The share of excess cash flow swept when the metric is in ``(above, up_to]``."""

    above: Amount | None = None
    up_to: Amount | None = None
    rate: Amount

    @model_validator(mode="after")
    def _rate(self) -> SweepLevel:
        if not 0 <= self.rate <= 1:
            raise ValueError(f"a sweep percentage is 0 to 1 (1 = 100%), got {self.rate}")
        return self

    def shown_value(self) -> Any:
        lo = "" if self.above is None else f"> {self.above}"
        hi = "" if self.up_to is None else f"<= {self.up_to}"
        return f"{lo} {hi}".strip() + f": {self.rate}"


class ExcessCashFlowSweep(Frozen):
    """The excess cash flow sweep: for each fiscal year from ``first_fiscal_year``, excess
    cash flow = the compliance file's ``excess_cash_flow`` metric over the year; the
    percentage is the level of ``keyed_to`` at the year end; paid ``payment_days`` after the
    year end, less voluntary prepayments of the year and the compliance line items in
    ``deduct_after`` over the year (deducted after the percentage, as capital expenditures
    are in some agreements), to ``applied_to`` in order."""

    first_fiscal_year: Sourced[Whole]
    metric: Name
    keyed_to: Name
    payment_days: Sourced[Whole]
    levels: tuple[SweepLevel, ...]
    applied_to: tuple[Name, ...]
    deduct_after: tuple[Name, ...] = ()

    @model_validator(mode="after")
    def _levels(self) -> ExcessCashFlowSweep:
        problems = _bounds_problems(self.levels, "excess_cash_flow.levels")
        if problems:
            raise ValueError(problems[0])
        if not self.applied_to:
            raise ValueError("applied_to names at least one instrument")
        return self

    def rate_at(self, x: Decimal) -> Decimal:
        return next(
            lv.rate
            for lv in self.levels
            if (lv.above is None or x > lv.above) and (lv.up_to is None or x <= lv.up_to)
        )


class AssetSaleSweep(Frozen):
    """Net proceeds of asset sales (the scenario's ``asset_sale_proceeds``) prepay
    ``applied_to`` at ``rate`` in the quarter received."""

    rate: Sourced[Amount]
    applied_to: tuple[Name, ...]

    @model_validator(mode="after")
    def _rate(self) -> AssetSaleSweep:
        if not 0 <= self.rate.value <= 1:
            raise ValueError(f"a sweep percentage is 0 to 1 (1 = 100%), got {self.rate.value}")
        return self


class CashPolicy(Frozen):
    """The order of payments and the mandatory prepayments (see the module docstring)."""

    order: Sourced[tuple[str, ...]]
    minimum_cash: Sourced[Money]
    revolver: Name | None = None
    excess_cash_flow: ExcessCashFlowSweep | None = None
    asset_sales: AssetSaleSweep | None = None

    @field_validator("order")
    @classmethod
    def _order(cls, v: Sourced[tuple[str, ...]]) -> Sourced[tuple[str, ...]]:
        steps = list(v.value)
        unknown = [s for s in steps if s not in PAYMENT_STEPS]
        if unknown:
            raise ValueError(
                f"unknown step(s) {', '.join(unknown)}; steps: {', '.join(PAYMENT_STEPS)}"
            )
        twice = sorted({s for s in steps if steps.count(s) > 1})
        if twice:
            raise ValueError(f"order names {', '.join(twice)} more than once")
        missing = [s for s in PAYMENT_STEPS if s not in steps]
        if missing:
            raise ValueError(f"order leaves out {', '.join(missing)}; list every step once")
        return v


class EquityCure(Provenanced):
    """Equity cures: cash contributed after a quarter end, counted in the ``counts_in``
    line item (EBITDA) for the covenants named, never as debt reduction; at most
    ``per_window`` in any ``window_quarters`` consecutive quarters and ``over_life`` in all;
    the amount capped to what the covenant needs (``capped_to_shortfall``)."""

    covenants: tuple[Name, ...]
    counts_in: Name
    per_window: Whole
    window_quarters: Whole
    over_life: Whole
    capped_to_shortfall: Flag
    consecutive_allowed: Flag = True

    @model_validator(mode="after")
    def _limits(self) -> EquityCure:
        if self.per_window < 1:
            raise ValueError(
                f"per_window {self.per_window} of {self.window_quarters}: a cure right allows "
                "at least one cure (leave equity_cure out if there is none)"
            )
        if self.window_quarters < self.per_window:
            raise ValueError(
                f"per_window {self.per_window} exceeds window_quarters {self.window_quarters}"
            )
        if self.over_life < self.per_window:
            raise ValueError(f"over_life {self.over_life} is below per_window {self.per_window}")
        if not self.covenants:
            raise ValueError("covenants names at least one covenant a cure can cure")
        return self


class CarryForward(Provenanced):
    """Part of a fiscal year's unused limit carried into the next: for a ``max`` covenant
    measured over the ``year_to_date`` (capital expenditures), the next fiscal year's level
    is its own plus ``share`` of (this year's own level less the year's actual), at most
    ``cap``; the amount carried is not carried again."""

    covenant: Name
    share: Amount
    cap: Money | None = None

    @model_validator(mode="after")
    def _share(self) -> CarryForward:
        if not 0 < self.share <= 1:
            raise ValueError(f"share is above 0 and at most 1 (1 = 100%), got {self.share}")
        return self


class Annualized(Provenanced):
    """A covenant on the trailing four quarters tested before four quarters have passed
    since ``first_quarter``: its flows are summed from ``first_quarter`` and annualised
    (times 4 over the number of quarters)."""

    covenant: Name
    first_quarter: Date

    @model_validator(mode="after")
    def _quarter(self) -> Annualized:
        if not is_quarter_end(self.first_quarter):
            raise ValueError(f"first_quarter {self.first_quarter} is not a quarter end")
        return self


class EventsOfDefault(Frozen):
    """What an Event of Default does in the projection: from the day a failed covenant is
    known (the quarterly certificate's due day), default interest on ``default_interest_on``
    and, with ``advances_stop``, no new advance under the revolver."""

    default_margin: Sourced[Rate]
    default_interest_on: tuple[Name, ...]
    advances_stop: Sourced[Flag]


class Agreement(Frozen):
    title: str
    date: Sourced[Date]
    address: str | None = None
    parties: tuple[str, ...] = ()


class CapitalStructureTerms(Frozen):
    """A ``kind: capital_structure`` params file."""

    kind: Literal["capital_structure"]
    name: str
    borrower: str
    agent: str | None = None
    agreement: Agreement
    compliance_file: str
    instruments: tuple[Instrument, ...]
    cash_policy: CashPolicy
    covenants: tuple[Covenant, ...] = ()
    equity_cure: EquityCure | None = None
    events_of_default: EventsOfDefault | None = None
    carry_forward: tuple[CarryForward, ...] = ()
    annualized: tuple[Annualized, ...] = ()

    def problems(self, compliance: ComplianceTerms) -> list[tuple[tuple[Any, ...], str]]:
        """Cross-references that do not hold, at the offending entry."""
        out: list[tuple[tuple[Any, ...], str]] = []
        ids: list[str] = []
        for i, ins in enumerate(self.instruments):
            if ins.id in ids:
                out.append((("instruments", i, "id"), f"instrument {ins.id!r} is named twice"))
            ids.append(ins.id)
        by_id = {ins.id: ins for ins in self.instruments}
        metrics = [m.id for m in compliance.metrics]
        cp = self.cash_policy

        def need(loc: tuple[Any, ...], name: str, kinds: tuple[str, ...] | None = None) -> None:
            ins = by_id.get(name)
            if ins is None:
                out.append(
                    (
                        loc,
                        f"names instrument {name!r}, which is not in instruments ({', '.join(ids)})",
                    )
                )
            elif kinds and ins.kind not in kinds:
                out.append((loc, f"{name!r} is a {ins.kind}; a {' or '.join(kinds)} is needed"))

        def metric(loc: tuple[Any, ...], name: str) -> None:
            if name not in metrics and name != "availability_share":
                out.append(
                    (
                        loc,
                        f"names metric {name!r}, which the compliance file does not define "
                        f"({', '.join(metrics)})",
                    )
                )

        if cp.revolver is not None:
            need(("cash_policy", "revolver"), cp.revolver, ("revolver",))
        elif any(ins.kind == "revolver" for ins in self.instruments):
            out.append((("cash_policy",), "name the revolver that funds shortfalls (revolver:)"))
        if cp.excess_cash_flow is not None:
            e = cp.excess_cash_flow
            for j, name in enumerate(e.applied_to):
                need(("cash_policy", "excess_cash_flow", "applied_to", j), name)
            metric(("cash_policy", "excess_cash_flow", "metric"), e.metric)
            metric(("cash_policy", "excess_cash_flow", "keyed_to"), e.keyed_to)
            for j, name in enumerate(e.deduct_after):
                li = compliance.line_items.get(name)
                if li is None or li.measure != "flow":
                    out.append(
                        (
                            ("cash_policy", "excess_cash_flow", "deduct_after", j),
                            f"{name!r} is not a "
                            "flow line item of the compliance file (what the year deducts after the percentage)",
                        )
                    )
        if cp.asset_sales is not None:
            for j, name in enumerate(cp.asset_sales.applied_to):
                need(("cash_policy", "asset_sales", "applied_to", j), name)
        for i, ins in enumerate(self.instruments):
            rate = getattr(ins, "rate", None)
            if rate is not None and rate.margin_grid is not None:
                metric(
                    ("instruments", i, "rate", "margin_grid", "keyed_to"), rate.margin_grid.keyed_to
                )
        cov_ids = []
        for j, c in enumerate(self.covenants):
            if c.id in cov_ids:
                out.append((("covenants", j, "id"), f"covenant {c.id!r} is named twice"))
            cov_ids.append(c.id)
            if c.metric not in metrics:
                out.append(
                    (
                        ("covenants", j, "metric"),
                        f"covenant {c.id!r} tests metric {c.metric!r}, "
                        f"which the compliance file does not define ({', '.join(metrics)})",
                    )
                )
        by_cov = {c.id: c for c in self.covenants}
        for j, cf in enumerate(self.carry_forward):
            found = by_cov.get(cf.covenant)
            if found is None:
                out.append(
                    (
                        ("carry_forward", j, "covenant"),
                        f"names covenant {cf.covenant!r}, which is "
                        f"not in covenants ({', '.join(by_cov)})",
                    )
                )
            elif found.direction != "max" or found.measurement_period != "year_to_date":
                out.append(
                    (
                        ("carry_forward", j, "covenant"),
                        f"covenant {cf.covenant!r} is a "
                        f"{found.direction} over the {found.measurement_period}: a carry-forward "
                        "applies to a "
                        "maximum measured over the year to date (capital expenditures)",
                    )
                )
        for j, an in enumerate(self.annualized):
            found = by_cov.get(an.covenant)
            if found is None:
                out.append(
                    (
                        ("annualized", j, "covenant"),
                        f"names covenant {an.covenant!r}, which is not "
                        f"in covenants ({', '.join(by_cov)})",
                    )
                )
            elif found.measurement_period != "trailing_four_quarters":
                out.append(
                    (
                        ("annualized", j, "covenant"),
                        f"covenant {an.covenant!r} is measured over the "
                        f"{found.measurement_period}: only a trailing four quarters test is annualised",
                    )
                )
        if self.events_of_default is not None:
            for j, name in enumerate(self.events_of_default.default_interest_on):
                need(("events_of_default", "default_interest_on", j), name)
        if self.covenants and compliance.requirement("quarterly") is None:
            out.append(
                (
                    ("compliance_file",),
                    "covenants are tested, but the compliance file has no "
                    "reporting requirement carrying the quarterly certificate (when a breach is known)",
                )
            )
        if self.equity_cure is not None:
            for j, cid in enumerate(self.equity_cure.covenants):
                if cid not in cov_ids:
                    out.append(
                        (
                            ("equity_cure", "covenants", j),
                            f"names covenant {cid!r}, which is not "
                            f"in covenants ({', '.join(cov_ids)})",
                        )
                    )
            if self.equity_cure.counts_in not in compliance.line_items:
                out.append(
                    (
                        ("equity_cure", "counts_in"),
                        f"line item {self.equity_cure.counts_in!r} is not in the compliance file",
                    )
                )
        return out


class CapitalStructure(Frozen):
    """A capital structure with its compliance file loaded."""

    terms: CapitalStructureTerms
    compliance: ComplianceTerms
    file: str

    @property
    def instruments(self) -> tuple[TermLoan | Revolver | PikNote | FixedNote, ...]:
        return self.terms.instruments

    def instrument(self, name: str) -> Any:
        return next(i for i in self.terms.instruments if i.id == name)


def build_capital_structure(pf: ParamsFile, load_reference: LoadReference) -> CapitalStructure:
    """Builder for ``kind: capital_structure``: the file, its compliance file and each note
    file it names, cross-checked at the offending entry's line."""
    data = dict(pf.data)
    terms = validate(CapitalStructureTerms, data, pf)
    compliance = load_reference(
        pf, ("compliance_file",), terms.compliance_file, "compliance_certificate"
    )
    instruments = []
    for i, ins in enumerate(terms.instruments):
        if isinstance(ins, FixedNote) and ins.file is not None:
            note = load_reference(pf, ("instruments", i, "file"), ins.file, "fixed_rate_note")
            ins = ins.model_copy(update={"note": note})
        instruments.append(ins)
    terms = terms.model_copy(update={"instruments": tuple(instruments)})
    raise_located(pf, terms.problems(compliance))
    return CapitalStructure(terms=terms, compliance=compliance, file=pf.name)
