"""Scenario terms: the opening position, the horizon, the revolver policy and the operating
drivers of a projection (``kind: scenario`` params files, ``params/deals/ibasis/scenarios/*.yaml``).

A scenario names the deal it projects (``facility_file``, relative to its own folder and
kept inside ``params/``), the base rate path (``base_rate_file``, a dated CSV of kind
``rate_path``) and, optionally, quarterly actuals for the quarters before the horizon that a
covenant measured over trailing quarters needs (``history_file``).

Drivers
-------
Every driver is given per fiscal quarter, as one piece or a list of pieces, each with its
``source`` or ``assumption``::

    revenue:
      - per_quarter: [360800000, 338000000, 299800000, 255500000, 241300000]
        source: "reference/ibasis-quarterly-public.csv (2008-Q2 to 2009-Q2)"
      - growth: 0.0
        assumption: "flat after 2009-Q2"

A piece is one of:

* ``value: x`` (with optional ``quarters: n``): the same value for ``n`` quarters, or for
  every quarter left when it is the last piece;
* ``per_quarter: [x1, x2, ...]``: one value a quarter;
* ``growth: g`` (with optional ``quarters: n`` and ``from: x``): compound growth per quarter
  from the previous piece's last value (or ``from``).

The pieces must cover the horizon: a list longer than the quarters left, or pieces that
stop before the horizon ends, are errors naming the driver and the line. What each driver
means, its unit and its bounds are in :data:`DRIVERS`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from decimal import Decimal
from typing import Any, Literal

import pandas as pd
from pydantic import Field, field_validator, model_validator

from model.dates.periods import is_quarter_end, next_quarter_end
from model.errors import InputError
from model.terms.actuals import Actuals
from model.terms.facility import Facility
from model.terms.fields import Date, Frozen, Money, Name, Provenanced, Sourced, Whole
from model.terms.files import ParamsFile, validate
from model.terms.notes import LoadReference
from model.values import read_amount, read_money, to_cents

__all__ = [
    "DRIVERS",
    "INPUT_WORDS",
    "input_words",
    "DriverSpec",
    "Piece",
    "Opening",
    "Policy",
    "LenderResponse",
    "Ledger",
    "Reported",
    "ReportedTerms",
    "FROM_ACTUALS",
    "Plausibility",
    "ENFORCE",
    "ScenarioTerms",
    "Scenario",
    "build_scenario",
]


Unit = Literal["usd", "usd_balance", "days", "fraction", "rate"]


class DriverSpec(Frozen):
    """What a driver is: its unit (``usd`` a quarter, ``usd_balance`` at each month end,
    ``days``, ``fraction`` or ``rate``), its bounds, and what it means."""

    unit: Unit
    low: Decimal
    high: Decimal
    required: bool = True
    means: str
    label: str = ""
    """A few words for the driver in reports ("DSO, domestic"); :attr:`means` says what it is."""
    plausible: tuple[Decimal, Decimal] | None = None
    """The range a going concern's driver usually keeps (:data:`PLAUSIBLE`): outside it the
    plausibility checks warn; outside :attr:`low` to :attr:`high` the value is refused."""


def _spec(unit: Unit, low: Any, high: Any, means: str, required: bool = True) -> DriverSpec:
    return DriverSpec(
        unit=unit, low=Decimal(low), high=Decimal(high), means=means, required=required
    )


_BIG = Decimal(10) ** 12

GROWTH_LIMIT = Decimal(1)
"""The largest growth a quarter, as a fraction, up or down: +100% (a value doubling every
quarter) is a physical limit of a forecast, not a plausible one (the plausibility checks
warn from :data:`GROWTH_WARNING`); a larger growth is read as a percentage written as a
number (``growth: 2`` for 2%) and refused."""

GROWTH_WARNING = Decimal("0.5")
"""Growth of more than ±50% a quarter is flagged by the plausibility checks."""


DRIVERS: dict[str, DriverSpec] = {
    "revenue": _spec("usd", 0, _BIG, "revenue of the quarter (split evenly over its months)"),
    "ebitda": _spec(
        "usd",
        -_BIG,
        _BIG,
        "EBITDA before non-cash items and one-time costs (give this or ebitda_margin)",
        False,
    ),
    "ebitda_margin": _spec(
        "fraction", -1, 1, "EBITDA as a fraction of revenue (give this or ebitda)", False
    ),
    "depreciation": _spec("usd", 0, _BIG, "depreciation expense of the quarter"),
    "amortization": _spec("usd", 0, _BIG, "amortization expense of the quarter"),
    "non_cash_items": _spec(
        "usd", -_BIG, _BIG, "non-cash items deducted from net income (stock compensation)"
    ),
    "one_time_costs": _spec(
        "usd", 0, _BIG, "one-time costs paid in cash that the covenant's EBITDA adds back", False
    ),
    "other_debt_interest": _spec(
        "usd", 0, _BIG, "interest on indebtedness other than the revolver, paid in cash"
    ),
    "income_tax_expense": _spec("usd", -_BIG, _BIG, "income tax expense in the P&L"),
    "income_taxes_paid": _spec("usd", 0, _BIG, "income taxes paid in cash"),
    "capex_unfunded": _spec("usd", 0, _BIG, "capital expenditures paid from cash"),
    "capex_funded": _spec(
        "usd", 0, _BIG, "capital expenditures financed by other debt (no cash out)"
    ),
    "dividends": _spec("usd", 0, _BIG, "dividends paid at the quarter end"),
    "repurchases": _spec(
        "usd",
        0,
        _BIG,
        "stock repurchased at the quarter end (counts against the repurchase basket)",
    ),
    "foreign_revenue_share": _spec(
        "fraction", 0, 1, "share of revenue billed to foreign account debtors"
    ),
    "dso_domestic": _spec("days", 0, 365, "days of domestic sales outstanding at each month end"),
    "dso_foreign": _spec("days", 0, 365, "days of foreign sales outstanding at each month end"),
    "ineligible_domestic": _spec(
        "fraction", 0, 1, "share of domestic receivables outside the Borrowing Base"
    ),
    "ineligible_foreign": _spec(
        "fraction", 0, 1, "share of foreign receivables outside the Borrowing Base"
    ),
    "payables_days": _spec(
        "days", 0, 365, "days of cash costs (revenue less EBITDA) unpaid at each month end"
    ),
    "deferred_revenue": _spec(
        "usd_balance", 0, _BIG, "amounts billed in advance, at each month end of the quarter"
    ),
    "other_current_liabilities": _spec(
        "usd_balance", 0, _BIG, "other liabilities due within a year, at each month end"
    ),
    "short_term_investments": _spec(
        "usd_balance", 0, _BIG, "investments maturing within 12 months, at each month end"
    ),
    "borrower_ebitda_share": _spec(
        "fraction", -1, 1, "share of EBITDA earned by the Borrower and its domestic subsidiaries"
    ),
    "minimum_cash": _spec(
        "usd_balance",
        0,
        _BIG,
        "minimum operating cash: below it the revolver is drawn, up to availability",
    ),
    "repay_above": _spec("usd_balance", 0, _BIG, "cash target: cash above it repays the revolver"),
    "base_rate_shift": _spec(
        "rate", "-0.2", "0.2", "added to the base rate path (0.01 = +1%)", False
    ),
}
"""Driver name -> its unit, bounds and meaning."""

RENAMED = {"kpn_transaction_costs": "one_time_costs"}
"""Drivers renamed since an earlier version: their old name is refused with the new one."""

PLAUSIBLE: dict[str, tuple[str, str]] = {
    "ebitda_margin": ("-0.3", "0.5"),
    "dso_domestic": ("10", "150"),
    "dso_foreign": ("10", "180"),
    "payables_days": ("5", "150"),
    "ineligible_domestic": ("0", "0.95"),
    "ineligible_foreign": ("0", "0.95"),
    "borrower_ebitda_share": ("0", "1"),
    "base_rate_shift": ("-0.05", "0.05"),
}
"""The plausible range of the drivers whose hard bounds are physical limits (a DSO of 365
days, an EBITDA margin of -100%): a value outside it is a warning of the plausibility checks
(:func:`model.engines.projection.plausibility.plausibility`), never an error. Data, beside
each driver's hard limits (:data:`DRIVERS`)."""

_LABELS = {
    "revenue": "revenue",
    "ebitda": "EBITDA",
    "ebitda_margin": "EBITDA margin",
    "depreciation": "depreciation",
    "amortization": "amortization",
    "non_cash_items": "non-cash items",
    "one_time_costs": "one-time costs added back",
    "other_debt_interest": "interest on other debt",
    "income_tax_expense": "income tax expense",
    "income_taxes_paid": "income taxes paid",
    "capex_unfunded": "capital expenditures paid from cash",
    "capex_funded": "capital expenditures financed by debt",
    "dividends": "dividends",
    "repurchases": "stock repurchases",
    "foreign_revenue_share": "foreign share of revenue",
    "dso_domestic": "DSO, domestic",
    "dso_foreign": "DSO, foreign",
    "ineligible_domestic": "ineligible share, domestic",
    "ineligible_foreign": "ineligible share, foreign",
    "payables_days": "payables days",
    "deferred_revenue": "deferred revenue",
    "other_current_liabilities": "other current liabilities",
    "short_term_investments": "short-term investments",
    "borrower_ebitda_share": "Borrower's share of EBITDA",
    "minimum_cash": "treasury minimum cash",
    "repay_above": "cash above which the revolver is repaid",
    "base_rate_shift": "shift of the base rate",
}
DRIVERS = {
    k: v.model_copy(
        update={
            "label": _LABELS[k],
            "plausible": tuple(Decimal(x) for x in PLAUSIBLE[k]) if k in PLAUSIBLE else None,
        }
    )
    for k, v in DRIVERS.items()
}

INPUT_WORDS: dict[str, str] = {
    "opening.date": "opening date",
    "opening.cash": "opening cash",
    "opening.receivables_domestic": "opening receivables, domestic",
    "opening.receivables_foreign": "opening receivables, foreign",
    "opening.eligible_domestic": "opening eligible receivables, domestic",
    "opening.eligible_foreign": "opening eligible receivables, foreign",
    "opening.revolver_outstanding": "opening revolver balance",
    "opening.other_debt": "opening other debt",
    "opening.payables": "opening payables",
    "opening.deferred_revenue": "opening deferred revenue",
    "opening.other_current_liabilities": "opening other current liabilities",
    "opening.repurchases_to_date": "repurchases before the projection",
    "horizon_quarters": "horizon in quarters",
    "revolver.maturity": "revolver maturity date",
    "revolver.after_maturity": "what happens at the revolver's maturity",
}
"""A scenario input that is not a driver (an opening figure, the horizon, a revolver term)
-> a few words for it in reports; a driver's words are its :attr:`DriverSpec.label`."""


def input_words(term: str) -> str:
    """A few words for the scenario input ``term``, as :meth:`Scenario.provenance` names it;
    a driver's later pieces say so.

    >>> input_words("drivers.dso_domestic"), input_words("drivers.revenue[1]")
    ('DSO, domestic', 'revenue (later quarters)')
    >>> input_words("opening.cash"), input_words("drivers.some_new_thing")
    ('opening cash', 'some new thing')
    """
    base = re.sub(r"\[\d+\]$", "", term.removeprefix("drivers."))
    spec = DRIVERS.get(base)
    words = spec.label if spec is not None else INPUT_WORDS.get(base)
    if words is None:
        words = base.replace(".", " ").replace("_", " ")
    return words + (" (later quarters)" if re.search(r"\[[1-9]\d*\]$", term) else "")


_DEFAULTS = {"one_time_costs": Decimal(0), "base_rate_shift": Decimal(0)}


class Piece(Provenanced):
    """One piece of a driver's path (see the module docstring)."""

    value: Any = None
    per_quarter: tuple[Any, ...] | None = None
    growth: Any = None
    quarters: Whole | None = Field(default=None, ge=1)
    from_: Any = Field(default=None, alias="from")

    model_config = Frozen.model_config | {"populate_by_name": True}

    @model_validator(mode="after")
    def _one_form(self) -> Piece:
        forms = [f for f in ("value", "per_quarter", "growth") if getattr(self, f) is not None]
        if len(forms) != 1:
            raise ValueError(
                f"give exactly one of value, per_quarter, growth (got {', '.join(forms) or 'none'})"
            )
        if self.per_quarter is not None and self.quarters is not None:
            raise ValueError("per_quarter gives its own number of quarters; drop 'quarters'")
        if self.per_quarter is not None and not self.per_quarter:
            raise ValueError("per_quarter needs at least one value")
        if self.from_ is not None and self.growth is None:
            raise ValueError("'from' goes with growth")
        return self

    def shown_value(self) -> Any:
        if self.per_quarter is not None:
            return ", ".join(str(x) for x in self.per_quarter)
        if self.growth is not None:
            return f"growth {self.growth} a quarter"
        return self.value


class Opening(Frozen):
    """The position at the end of ``date`` (a fiscal quarter end); the projection starts
    the next day. Amounts in dollars; the eligible receivables are those of the Borrowing
    Base Certificate in force at the start (whole dollars, as certificates report them)."""

    date: Sourced[Date]
    cash: Sourced[Money] | None = None
    receivables_domestic: Sourced[Money]
    receivables_foreign: Sourced[Money]
    eligible_domestic: Sourced[Money] | None = None
    eligible_foreign: Sourced[Money] | None = None
    revolver_outstanding: Sourced[Money] | None = None
    other_debt: Sourced[Money]
    payables: Sourced[Money]
    deferred_revenue: Sourced[Money] | None = None
    other_current_liabilities: Sourced[Money]
    repurchases_to_date: Sourced[Money]

    @model_validator(mode="after")
    def _check(self) -> Opening:
        if not is_quarter_end(self.date.value):
            raise ValueError(
                f"date {self.date.value} is not a fiscal quarter end: a projection runs whole quarters"
            )
        for seg in ("domestic", "foreign"):
            if getattr(self, f"eligible_{seg}") is None:
                continue
            elig = getattr(self, f"eligible_{seg}").value
            gross = getattr(self, f"receivables_{seg}").value
            if elig > gross:
                raise ValueError(f"eligible_{seg} {elig:,} is above receivables_{seg} {gross:,}")
            if elig != elig.to_integral_value():
                raise ValueError(
                    f"eligible_{seg}: a Borrowing Base Certificate reports whole dollars (got {elig})"
                )
        return self

    def amount(self, name: str) -> Decimal:
        """The opening amount called ``name`` (dollars)."""
        given = getattr(self, name)
        if given is None:  # build_scenario fills these from the reported actuals or refuses
            raise ValueError(f"opening.{name} is not given")
        return Decimal(given.value)


FROM_ACTUALS = {
    "cash": "cash_at_bank",
    "revolver_outstanding": "obligations_to_bank",
    "deferred_revenue": "deferred_revenue",
}
"""Opening figure -> the line item of the deal's actuals that gives it at a reported
quarter end (receivables are checked as a sum, domestic plus foreign, against
``net_billed_receivables``)."""


class Ledger(Frozen):
    """The daily facility ledger of the reported quarters, as notebook 03 reads it: the
    Borrowing Base Certificates, the cash at the Bank and the advances, from ``start`` with
    ``opening_balance`` outstanding to ``end`` (files relative to the scenario's folder;
    ``provenance``: ``illustrative`` sample inputs or the Bank's ``actual`` data)."""

    receivables_file: Name
    cash_file: Name
    draws_file: Name
    opening_balance: Sourced[Money]
    start: Sourced[Date]
    end: Sourced[Date]
    provenance: Sourced[Literal["illustrative", "actual"]]


class ReportedTerms(Frozen):
    """Where the deal's reported quarters are: its quarterly actuals (``actuals_file``) and
    the daily ledger behind their any-day springing test (optional)."""

    actuals_file: Name
    ledger: Ledger | None = None


class Policy(Frozen):
    """The revolver's maturity and what the model does after it."""

    maturity: Sourced[Date]
    after_maturity: Sourced[Literal["repay", "renew"]]


class LenderResponse(Frozen):
    """What the bank does when a covenant fails: ``enforce`` (the default: the Event of
    Default continues to the end of the horizon, with the consequences the facility's
    ``events_of_default`` terms give) or ``waive`` (the bank enforces until
    ``waiver_date``, then waives every Event of Default that began on or before it, for
    ``waiver_fee`` paid that day; a covenant failing after it is a new Event of Default,
    enforced)."""

    response: Sourced[Literal["enforce", "waive"]]
    waiver_date: Sourced[Date] | None = None
    waiver_fee: Sourced[Money] | None = None

    @model_validator(mode="after")
    def _waiver(self) -> LenderResponse:
        waive = self.response.value == "waive"
        given = [k for k in ("waiver_date", "waiver_fee") if getattr(self, k) is not None]
        if waive and len(given) != 2:
            raise ValueError("response 'waive' needs waiver_date and waiver_fee")
        if not waive and given:
            raise ValueError(f"response 'enforce' takes no {' or '.join(given)}")
        return self


def _threshold(value: str, why: str) -> Sourced[Decimal]:
    return Sourced[Decimal](value=Decimal(value), assumption=why)


class Plausibility(Frozen):
    """Thresholds of the plausibility checks of a projection
    (:func:`model.engines.projection.plausibility`): each crossing is a warning in the
    reports, never an error. Every threshold is a labelled assumption a scenario may
    override under ``plausibility:``."""

    min_capex_to_da: Sourced[Decimal] = _threshold(
        "0.5",
        "Capital expenditures below half of depreciation and amortization over the horizon "
        "shrink the asset base: a warning.",
    )
    min_taxes_paid_to_expensed: Sourced[Decimal] = _threshold(
        "0.5",
        "Income taxes paid in cash below half of the tax expense over the horizon (where the "
        "expense is positive): a warning.",
    )
    max_cash_build_to_ebitda: Sourced[Decimal] = _threshold(
        "0.5",
        "Cash growing by more than half of the cumulative EBITDA over the horizon, with no "
        "use for it: a warning.",
    )
    max_dso_change_days: Sourced[Decimal] = _threshold(
        "15",
        "Days of sales outstanding more than 15 days from those implied by the opening "
        "receivables and the first quarter's revenue: a warning.",
    )
    min_margin: Sourced[Decimal] = _threshold(
        "0",
        "A margin over the base rate at or below this is unusual for a bank line: a warning.",
    )
    max_revenue_growth: Sourced[Decimal] = _threshold(
        str(GROWTH_WARNING),
        "Revenue changing by more than 50% from one quarter to the next is unusual for a "
        "going concern: a warning (beyond 100% a quarter a growth driver is refused).",
    )


ENFORCE = LenderResponse(
    response=Sourced[Literal["enforce", "waive"]](
        value="enforce",
        assumption="No lender response given: the bank enforces (the default of the model).",
    )
)
"""The lender response of a scenario that gives none."""


class ScenarioTerms(Frozen):
    """A ``kind: scenario`` params file, before its drivers are expanded to the horizon."""

    kind: Literal["scenario"]
    name: Name
    title: str
    description: str = ""
    facility_file: Name
    base_rate_file: Name
    history_file: Name | None = None
    reported: ReportedTerms | None = None
    opening: Opening
    horizon_quarters: Sourced[Whole]
    revolver: Policy
    lender: LenderResponse = ENFORCE
    plausibility: Plausibility = Plausibility()
    drivers: dict[str, tuple[Piece, ...]]

    @field_validator("drivers", mode="before")
    @classmethod
    def _pieces(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: [p] if isinstance(p, dict) else p for k, p in v.items()}
        return v

    @field_validator("horizon_quarters")
    @classmethod
    def _horizon(cls, v: Sourced[int]) -> Sourced[int]:
        if not 1 <= v.value <= 200:
            raise ValueError(f"horizon_quarters is 1 to 200 quarters (got {v.value})")
        return v


class Reported(Frozen):
    """The deal's reported quarters as loaded: the actuals and, when given, the ledger's
    inputs (dated frames) and terms."""

    actuals: Actuals
    ledger: Ledger | None = None
    receivables: pd.DataFrame | None = None
    cash: pd.DataFrame | None = None
    draws: pd.DataFrame | None = None

    @property
    def last_quarter(self) -> dt.date:
        """The last quarter end the actuals report."""
        return self.actuals.quarter_ends[-1]


class Scenario(Frozen):
    """A validated scenario: its terms, the deal, the base rate path, the optional history,
    and every driver expanded to one value a quarter (``paths``, dollars or fractions as
    :class:`~decimal.Decimal`)."""

    terms: ScenarioTerms
    facility: Facility
    base_rate: pd.DataFrame
    history: Actuals | None = None
    reported: Reported | None = None
    quarter_ends: tuple[dt.date, ...]
    paths: dict[str, tuple[Decimal, ...]]

    @property
    def name(self) -> str:
        return self.terms.name

    def provenance(self) -> pd.DataFrame:
        """Every driver piece and opening figure with its source or assumption."""
        from model.terms.provenance import provenance

        return provenance(self.terms)


def _read(value: Any, name: str, spec: DriverSpec) -> Decimal:
    if spec.unit in ("usd", "usd_balance"):
        # the terms' strict reader of money: digits only, no exponent ("3.61E+08" is refused)
        try:
            d = read_money(value, name, negative=spec.low < 0)
        except InputError as exc:
            raise ValueError(exc.rule) from None
    else:
        d = read_amount(value, name, negative=True)
    if not spec.low <= d <= spec.high:
        raise ValueError(
            f"{name}: {d} is outside {spec.low} to {spec.high} ({spec.unit}: {spec.means})"
        )
    if spec.unit in ("usd", "usd_balance") and d != d.quantize(Decimal("0.01")):
        raise ValueError(f"{name}: an amount of money has at most two decimals, cents (got {d})")
    if spec.unit == "days" and d != d.quantize(Decimal("0.01")):
        raise ValueError(f"{name}: days have at most two decimals (got {d})")
    if spec.unit in ("fraction", "rate") and d != d.quantize(Decimal("0.000001")):
        raise ValueError(f"{name}: {d} has more than six decimals")
    return d


def _expand(
    name: str,
    pieces: tuple[Piece, ...],
    n: int,
    pf: ParamsFile,
    specs: dict[str, DriverSpec] | None = None,
) -> tuple[Decimal, ...]:
    """One value a quarter for ``n`` quarters from the pieces of a driver (``specs``: the
    drivers of the scenario's kind, :data:`DRIVERS` by default)."""
    spec = (DRIVERS if specs is None else specs)[name]
    out: list[Decimal] = []
    for i, p in enumerate(pieces):
        loc = ("drivers", name, i)
        left = n - len(out)
        last = i == len(pieces) - 1
        if left <= 0:
            raise pf.error(loc, f"this piece starts after the {n}-quarter horizon has been covered")
        try:
            if p.per_quarter is not None:
                if len(p.per_quarter) > left:
                    raise ValueError(
                        f"per_quarter has {len(p.per_quarter)} values but only {left} quarter(s) of "
                        f"the {n}-quarter horizon are left"
                    )
                out += [
                    _read(x, f"{name}[{len(out) + j}]", spec) for j, x in enumerate(p.per_quarter)
                ]
                continue
            count = p.quarters if p.quarters is not None else (left if last else None)
            if count is None:
                raise ValueError("give 'quarters' for every piece but the last")
            if count > left:
                raise ValueError(
                    f"quarters is {count} but only {left} quarter(s) of the horizon are left"
                )
            if p.value is not None:
                out += [_read(p.value, name, spec)] * count
                continue
            g = read_amount(p.growth, f"{name}.growth", negative=True)
            if g <= -1:
                raise ValueError(f"growth {g} would take the value to zero or below")
            if abs(g) > GROWTH_LIMIT:
                raise ValueError(
                    f"growth is a fraction a quarter: {g} is {g * 100:+,.0f}% a quarter, beyond "
                    f"the limit of ±{GROWTH_LIMIT:.0%}; for {g}% a quarter write "
                    f"{(g / 100).normalize():f}"
                )
            start = p.from_ if p.from_ is not None else (out[-1] if out else None)
            if start is None:
                raise ValueError("growth needs a previous piece or 'from'")
            x = _read(start, f"{name}.from", spec)
            for _ in range(count):
                x = to_cents(x * (1 + g)) if spec.unit.startswith("usd") else x * (1 + g)
                out.append(_read(x, name, spec))
        except ValueError as exc:
            raise pf.error(loc, str(exc)) from None
    if len(out) < n:
        raise pf.error(
            ("drivers", name),
            f"the pieces cover {len(out)} quarter(s); the horizon is {n} (horizon_quarters): add a "
            "piece, or end with one that has no 'quarters' to cover the rest",
        )
    return tuple(out)


def _check_opening_revolver(t: ScenarioTerms, facility: Facility, pf: ParamsFile) -> None:
    """The opening balance of the revolver is held to the facility's rules at the opening
    date, as the daily ledger holds it: not above the Revolving Line then, and none under a
    revolver that has matured before the projection opens."""
    d0 = t.opening.date.value
    if t.opening.revolver_outstanding is None:
        return
    balance = t.opening.revolver_outstanding.value
    line = facility.terms_as_of(d0).line
    if balance > line:
        raise pf.error(
            ("opening", "revolver_outstanding"),
            f"{balance:,.2f} is above the Revolving Line ({line:,.2f}) in force on {d0}",
        )
    maturity = t.revolver.maturity.value
    if maturity <= d0 and balance > 0:
        raise pf.error(
            ("revolver", "maturity"),
            f"the revolver matures on {maturity}, on or before the projection opens ({d0}), "
            f"yet {balance:,.2f} is outstanding under it: give the maturity of the line in force "
            "(or renew it), or open with no balance",
        )


def _paths(t: ScenarioTerms, pf: ParamsFile) -> dict[str, tuple[Decimal, ...]]:
    n = t.horizon_quarters.value
    for name in t.drivers:
        if name not in DRIVERS:
            near = difflib.get_close_matches(name, list(DRIVERS), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            if name in RENAMED:
                hint = f" (renamed '{RENAMED[name]}': the deal's compliance file says which line item it is)"
            raise pf.error(
                ("drivers", name), f"unknown driver{hint}; drivers: {', '.join(DRIVERS)}"
            )
    if ("ebitda" in t.drivers) == ("ebitda_margin" in t.drivers):
        raise pf.error(("drivers",), "give exactly one of ebitda and ebitda_margin")
    missing = [k for k, s in DRIVERS.items() if s.required and k not in t.drivers]
    if missing:
        raise pf.error(("drivers",), f"missing driver(s): {', '.join(missing)}")
    out = {name: _expand(name, pieces, n, pf) for name, pieces in t.drivers.items()}
    if "ebitda" not in out:
        out["ebitda"] = tuple(
            to_cents(r * m) for r, m in zip(out["revenue"], out["ebitda_margin"], strict=True)
        )
    for name, default in _DEFAULTS.items():
        out.setdefault(name, (default,) * n)
    for i, (r, e) in enumerate(zip(out["revenue"], out["ebitda"], strict=True)):
        if e > r:
            raise pf.error(
                ("drivers", "ebitda" if "ebitda" in t.drivers else "ebitda_margin"),
                f"EBITDA of quarter {i + 1} ({e:,}) is above its revenue ({r:,}): EBITDA is what "
                "is left of revenue after operating costs",
            )
    return out


def _load_reported(r: ReportedTerms, pf: ParamsFile, load_reference: LoadReference) -> Reported:
    loc = ("reported",)
    actuals = load_reference(pf, (*loc, "actuals_file"), r.actuals_file, "actuals")
    if r.ledger is None:
        return Reported(actuals=actuals)
    lg = r.ledger
    frames = {
        k: load_reference(pf, (*loc, "ledger", f"{k}_file"), getattr(lg, f"{k}_file"), k)
        for k in ("receivables", "cash", "draws")
    }
    return Reported(actuals=actuals, ledger=lg, **frames)


def _in_force(frame: pd.DataFrame, day: dt.date) -> pd.Series | None:
    """The row of a dated step input in force on ``day`` (the last dated on or before it)."""
    rows = frame[frame["date"] <= pd.Timestamp(day)]
    return None if rows.empty else rows.iloc[-1]


def _opening(t: ScenarioTerms, reported: Reported | None, pf: ParamsFile) -> ScenarioTerms:
    """The opening position, its figures that the reported actuals give taken from them.

    A figure the scenario gives must agree with the actuals to the cent (an error naming
    both files otherwise); a figure it leaves out is taken from them, its source saying
    where. Without actuals for the opening date, every figure must be given.
    """
    o = t.opening
    q = o.date.value
    known: dict[str, tuple[Decimal, str, bool]] = {}  # value, where, reported (not a sample)
    if reported is not None and q in reported.actuals.quarters:
        items = reported.actuals.quarter(q)
        for name, item in FROM_ACTUALS.items():
            kind = items.entry(item).kind
            where = f"{reported.actuals.file}, {item} {q} ({kind})"
            known[name] = (Decimal(items[item]), where, kind == "reported")
        total = Decimal(items["net_billed_receivables"])
        given = o.amount("receivables_domestic") + o.amount("receivables_foreign")
        if given != total:
            raise pf.error(
                ("opening", "receivables_domestic"),
                f"receivables_domestic + receivables_foreign = {given:,} contradicts "
                f"{reported.actuals.file}: net_billed_receivables {q} is {total:,}",
            )
    if reported is not None and reported.receivables is not None:
        cert = _in_force(reported.receivables, q)
        if cert is not None:
            lg = reported.ledger
            shown = lg.receivables_file if lg else "receivables"
            actual = lg is not None and lg.provenance.value == "actual"
            for seg in ("domestic", "foreign"):
                known[f"eligible_{seg}"] = (
                    Decimal(str(cert[f"eligible_{seg}"])),
                    f"the Borrowing Base Certificate of {cert['date'].date()} in {shown}",
                    actual,
                )
    update: dict[str, Any] = {}
    for name in (*FROM_ACTUALS, "eligible_domestic", "eligible_foreign"):
        given_v = getattr(o, name)
        if name in known:
            value, where, is_reported = known[name]
            if given_v is not None and Decimal(given_v.value) != value:
                raise pf.error(
                    ("opening", name),
                    f"{Decimal(given_v.value):,} contradicts the reported figure {value:,} "
                    f"({where}): leave it out to take the reported one",
                )
            if given_v is None:
                # a sample figure of the actuals stays labelled as one
                update[name] = (
                    Sourced[Money](value=value, source=where)
                    if is_reported
                    else Sourced[Money](
                        value=value,
                        assumption=f"ILLUSTRATIVE sample value of the deal's reported quarters: {where}",
                    )
                )
        elif given_v is None:
            raise pf.error(
                ("opening", name),
                f"not given, and no reported figure for {q} gives it (reported.actuals_file)",
            )
    return t if not update else t.model_copy(update={"opening": o.model_copy(update=update)})


def build_scenario(pf: ParamsFile, load_reference: LoadReference) -> Scenario:
    """Builder for ``kind: scenario`` (see :func:`model.terms.load`)."""
    t = validate(ScenarioTerms, pf.data, pf)
    facility = load_reference(pf, ("facility_file",), t.facility_file, "facility")
    base_rate = load_reference(pf, ("base_rate_file",), t.base_rate_file, "rate_path")
    history = (
        None
        if t.history_file is None
        else load_reference(pf, ("history_file",), t.history_file, "actuals")
    )
    reported = None if t.reported is None else _load_reported(t.reported, pf, load_reference)
    t = _opening(t, reported, pf)
    paths = _paths(t, pf)
    q = t.opening.date.value
    quarters = []
    for _ in range(t.horizon_quarters.value):
        if q.year >= 9999:
            raise pf.error(
                ("horizon_quarters",),
                f"the horizon runs past 9999-12-31, the last date this model handles (opening "
                f"{t.opening.date.value}, {t.horizon_quarters.value} quarters)",
            )
        q = next_quarter_end(q)
        quarters.append(q)
    if t.revolver.maturity.value <= facility.agreement_date:
        raise pf.error(
            ("revolver", "maturity"),
            f"{t.revolver.maturity.value} is not after the facility's agreement date "
            f"{facility.agreement_date}: a maturity on or before the agreement is a typo",
        )
    if pd.Timestamp(base_rate["date"].iloc[0]).date() > t.opening.date.value + dt.timedelta(days=1):
        raise pf.error(
            ("base_rate_file",),
            f"the base rate path starts {base_rate['date'].iloc[0].date()}, after the projection "
            f"starts ({t.opening.date.value + dt.timedelta(days=1)})",
        )
    if t.opening.date.value < facility.agreement_date:
        raise pf.error(
            ("opening", "date"),
            f"{t.opening.date.value} is before the facility's agreement date {facility.agreement_date}",
        )
    _check_opening_revolver(t, facility, pf)
    return Scenario(
        terms=t,
        facility=facility,
        base_rate=base_rate,
        history=history,
        reported=reported,
        quarter_ends=tuple(quarters),
        paths=paths,
    )
