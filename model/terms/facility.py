"""Facility terms as data: a loan agreement, its amendments and the terms in force on a date.

A ``kind: facility`` params file holds the agreement as originally in force
(``original``) and a list of ``amendments``, each with an effective date and the
terms it ``changes``. :func:`build_facility` validates every version once and
returns a :class:`Facility`; engines (:mod:`model.facility`, :mod:`model.ledger`,
:mod:`model.fees`, :mod:`model.sizing`, :mod:`model.covenants`) take the
:class:`FacilityTerms` of a version, or the :class:`Facility` itself and pick the
version in force on each date with :meth:`Facility.terms_as_of`.

How an amendment applies
------------------------
``changes`` is merged into the previous version's terms: mappings merge key by key;
a term (a mapping with ``value``, or a step schedule with ``steps``) and a list are
replaced whole; ``null`` removes an optional term. ``covenants`` is special: it is a
mapping ``{replace: {old_id: <covenant>}}`` (the new covenant takes the old one's
place, e.g. original Sec. 6.9(iii) Borrower EBITDA -> Borrower Cash Flow) and
``{add: [<covenant>, ...]}``.

Step schedules
--------------
Amounts that change by date (the Borrowing Base clause (c) over-advance, the
cash-dominion thresholds of Sec. 6.3(c)) are :class:`StepSchedule` s of
:class:`DateStep` s with inclusive ``from_date`` and ``to_date`` (``null`` =
thereafter), exactly as the text draws the boundaries: a step must start the day
after the previous one ends (no gap, no overlap).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Literal, cast

import pandas as pd
from pydantic import AfterValidator, BaseModel, field_validator, model_validator

from model.params import ParamsFile, validate
from model.terms.common import Frozen, Money, PositiveMoney, Rate, Sourced
from model.terms.covenants import Condition, Covenant, ThresholdStep
from model.values import as_date

__all__ = [
    "AdvanceRate",
    "DateStep",
    "StepSchedule",
    "BorrowingBaseTerms",
    "EligibilityRules",
    "InterestTerms",
    "TerminationFeeTerms",
    "TriggerTerms",
    "IndebtednessTerms",
    "DistributionTerms",
    "OneTimeFee",
    "FacilityTerms",
    "Facility",
    "build_facility",
    "AGINGS_MEASURES",
    "EXCESS_PRICING",
]

AGINGS_MEASURES = ("either", "sum")
"""Readings of Sec. 6.2(a)(ix) "cash ... at Bank and/or the Availability Amount ... is less
than $15,000,000": ``either`` (cash below, or availability below: the stricter reading of
"and/or") or ``sum`` (cash plus availability, as Sec. 6.3(c) and 6.9(iii) say "plus")."""

EXCESS_PRICING = ("revolver", "over_advance")
"""How a balance above min(line, Borrowing Base) is priced: at the revolver rate, or at the
over-advance rate (revolver + the First Loan Modification Additional Interest Rate Margin)."""


def _advance_rate(v: Decimal) -> Decimal:
    if not (Decimal(0) <= v <= Decimal(1)):
        raise ValueError(
            f"an advance rate is a decimal fraction between 0 and 1 (write 0.80 for 80%), got {v}"
        )
    return v


AdvanceRate = Annotated[Decimal, AfterValidator(_advance_rate)]
"""A Borrowing Base advance rate: 0 <= rate <= 1 (100%)."""


class DateStep(Frozen):
    """One step of a dated schedule: ``amount`` from ``from_date`` through ``to_date``
    (both inclusive; ``to_date: null`` = thereafter)."""

    from_date: dt.date
    to_date: dt.date | None = None
    amount: Money
    note: str | None = None

    @model_validator(mode="after")
    def _order(self) -> DateStep:
        if self.to_date is not None and self.to_date < self.from_date:
            raise ValueError(f"to_date {self.to_date} is before from_date {self.from_date}")
        return self

    def covers(self, d: dt.date) -> bool:
        return self.from_date <= d and (self.to_date is None or d <= self.to_date)


class StepSchedule(Frozen):
    """A dated step schedule with its provenance.

    Examples
    --------
    >>> s = StepSchedule(source="x", steps=[
    ...     {"from_date": "2008-04-28", "to_date": "2008-05-31", "amount": 15000000},
    ...     {"from_date": "2008-06-01", "amount": 0}])
    >>> s.amount_on(dt.date(2008, 5, 31)), s.amount_on(dt.date(2008, 6, 1))
    (Decimal('15000000'), Decimal('0'))
    """

    steps: tuple[DateStep, ...]
    source: str | None = None
    assumption: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> StepSchedule:
        if not (self.source or self.assumption):
            raise ValueError("a step schedule needs a 'source' or an 'assumption'")
        if not self.steps:
            raise ValueError("a step schedule needs at least one step")
        for a, b in zip(self.steps, self.steps[1:], strict=False):
            if a.to_date is None:
                raise ValueError(
                    f"step from {a.from_date} is open-ended (to_date: null) "
                    "but another step follows"
                )
            nxt = a.to_date + dt.timedelta(days=1)
            if b.from_date < nxt:
                raise ValueError(
                    f"steps overlap: step from {b.from_date} starts on or before {a.to_date}, "
                    "where the previous step ends"
                )
            if b.from_date > nxt:
                raise ValueError(
                    f"steps have a gap: no step covers {nxt} "
                    f"(previous step ends {a.to_date}, next starts {b.from_date})"
                )
        return self

    @property
    def start(self) -> dt.date:
        return self.steps[0].from_date

    def step_on(self, d: dt.date) -> DateStep | None:
        for s in self.steps:
            if s.covers(d):
                return s
        return None

    def amount_on(self, d: dt.date) -> Decimal | None:
        """The amount in force on ``d``; ``None`` before the first step or after a closed
        last one."""
        s = self.step_on(d)
        return None if s is None else s.amount

    def boundaries(self) -> list[dt.date]:
        """Every date on which a step starts (the days where the amount can change)."""
        return [s.from_date for s in self.steps]

    def describe(self) -> str:
        parts = []
        for s in self.steps:
            to = s.to_date.isoformat() if s.to_date else "thereafter"
            parts.append(f"{s.from_date.isoformat()}..{to}: {s.amount:,.0f}")
        return "; ".join(parts)


class EligibilityRules(Frozen):
    """Receivables eligibility (gross -> Eligible Accounts). The definitions of Eligible
    Domestic/Foreign Accounts are in the Loan Agreement, not in these documents: every rule
    is an assumption the user can override."""

    past_due_days: Sourced[int]
    cross_aging_pct: Sourced[Decimal]
    concentration_pct: Sourced[Decimal]
    exclude_affiliates: Sourced[bool]
    foreign_requires_insurance: Sourced[bool]

    @field_validator("past_due_days")
    @classmethod
    def _days(cls, v: Sourced[int]) -> Sourced[int]:
        if v.value <= 0:
            raise ValueError(f"past_due_days must be > 0 (got {v.value})")
        return v

    @field_validator("cross_aging_pct", "concentration_pct")
    @classmethod
    def _pct(cls, v: Sourced[Decimal]) -> Sourced[Decimal]:
        if not (Decimal(0) < v.value <= Decimal(1)):
            raise ValueError(f"must be a fraction in (0, 1] (write 0.25 for 25%), got {v.value}")
        return v


class BorrowingBaseTerms(Frozen):
    """The Borrowing Base definition (Loan Agreement Sec. 13.1): advance rates on
    eligible domestic and foreign accounts plus, after the First Loan Modification,
    the stepping-down clause (c) amount.

    ``certificate_lag_days``: days from a Borrowing Base Certificate's as-of date to the
    day its figures apply (an assumption: 0 applies them from the as-of date; Exhibit B
    has the certificate "Monthly within 30 days")."""

    domestic_advance_rate: Sourced[AdvanceRate]
    foreign_advance_rate: Sourced[AdvanceRate]
    over_advance: StepSchedule | None = None
    over_advance_cap: Sourced[Money] | None = None
    certificate_lag_days: Sourced[int]

    @field_validator("certificate_lag_days")
    @classmethod
    def _lag(cls, v: Sourced[int]) -> Sourced[int]:
        if not (0 <= v.value <= 366):
            raise ValueError(
                f"certificate_lag_days is a number of days from 0 to 366 (got {v.value})"
            )
        return v

    @model_validator(mode="after")
    def _cap(self) -> BorrowingBaseTerms:
        if self.over_advance is not None and self.over_advance_cap is not None:
            top = max(s.amount for s in self.over_advance.steps)
            if top > self.over_advance_cap.value:
                raise ValueError(
                    f"over_advance step amount {top:,} exceeds over_advance_cap "
                    f"{self.over_advance_cap.value:,}"
                )
        if self.over_advance is not None and self.over_advance.steps[-1].to_date is not None:
            raise ValueError(
                "over_advance schedule must end with an open step (to_date: null; "
                "clause (c)(v) 'thereafter, $0')"
            )
        return self


class InterestTerms(Frozen):
    """Revolver interest (Loan Agreement Sec. 2.4). The base rate and margin of Sec.
    2.4(a)-(f) are not in these documents: the rate path (prime or LIBOR by date) is an
    input and ``margin`` an assumption. ``excess_over_limit_pricing`` (an assumption: the
    documents do not price it) says at which rate a balance above min(line, Borrowing
    Base) accrues: ``revolver`` or ``over_advance`` (revolver + the additional margin)."""

    base_rate_index: Sourced[Literal["prime", "libor"]]
    margin: Sourced[Decimal]
    day_count: Sourced[str]
    payment_frequency: Sourced[Literal["monthly"]]
    over_advance_margin: Sourced[Rate] | None = None
    excess_over_limit_pricing: Sourced[Literal["revolver", "over_advance"]]

    @field_validator("day_count")
    @classmethod
    def _day_count(cls, v: Sourced[str]) -> Sourced[str]:
        from model.daycount import DayCount

        conv = DayCount.parse(v.value)
        if conv not in (DayCount.ACT_360, DayCount.ACT_365F):
            raise ValueError(
                f"daily accrual on actual balances needs an actual-day convention: "
                f"'ACT/360' or 'ACT/365F' (got {v.value!r})"
            )
        return v

    @field_validator("margin")
    @classmethod
    def _margin(cls, v: Sourced[Decimal]) -> Sourced[Decimal]:
        if not (Decimal("-0.1") < v.value < Decimal("0.2")):
            raise ValueError(f"margin is a decimal fraction (write 0.005 for 0.50%), got {v.value}")
        return v


class TerminationFeeTerms(Frozen):
    """Sec. 4.1(c) termination fee: ``first_rate`` of ``base_amount`` within
    ``first_period_months`` of the Effective Date, ``second_rate`` from then up to but
    not including the first anniversary, then none."""

    base_amount: Sourced[PositiveMoney]
    first_rate: Sourced[Rate]
    first_period_months: Sourced[int]
    second_rate: Sourced[Rate]
    second_period_end_months: Sourced[int]
    effective_date: Sourced[dt.date]

    @field_validator("first_period_months")
    @classmethod
    def _first(cls, v: Sourced[int]) -> Sourced[int]:
        if v.value <= 0:
            raise ValueError(
                f"first_period_months must be a positive number of months (got {v.value})"
            )
        return v

    @model_validator(mode="after")
    def _periods(self) -> TerminationFeeTerms:
        a, b = self.first_period_months.value, self.second_period_end_months.value
        if b <= a:
            raise ValueError(
                f"second_period_end_months ({b}) must be after first_period_months ({a}): "
                "the second period runs from the end of the first"
            )
        return self


class TriggerTerms(Frozen):
    """Liquidity triggers: the agings-report right (Sec. 6.2(a)(ix), added by the First
    Loan Modification) and the cash-dominion thresholds (Sec. 6.3(c)).

    ``agings_measure`` is the reading of "cash ... and/or the Availability Amount" in
    Sec. 6.2(a)(ix) (see :data:`AGINGS_MEASURES`), required with ``agings_reports_below``."""

    agings_reports_below: Sourced[Money] | None = None
    agings_measure: Sourced[Literal["either", "sum"]] | None = None
    cash_dominion_below: StepSchedule

    @model_validator(mode="after")
    def _measure(self) -> TriggerTerms:
        if self.agings_reports_below is not None and self.agings_measure is None:
            raise ValueError(
                "agings_reports_below needs agings_measure: 'either' (cash or availability "
                "below the threshold) or 'sum' (cash plus availability below it)"
            )
        return self


class IndebtednessTerms(Frozen):
    """Permitted Indebtedness clause (g)."""

    aggregate_limit: Sourced[Money]
    kpn_limit: Sourced[Money]
    other_limit: Sourced[Money] | None = None


class DistributionTerms(Frozen):
    """Sec. 7.7(b): employee stock repurchases (iii) and the repurchase program basket (v)."""

    employee_repurchase_per_year: Sourced[Money]
    repurchase_program_basket: Sourced[Money] | None = None


class OneTimeFee(Frozen):
    """A fee due on a date (First Loan Modification Sec. 4)."""

    name: str
    date: dt.date
    amount: Money
    source: str


class FacilityTerms(Frozen):
    """The terms of one version of the facility, in force from ``effective_date``.

    Frozen data: engines compute, terms do not.
    """

    version_name: str
    title: str
    effective_date: dt.date
    revolving_line: Sourced[PositiveMoney]
    borrowing_base: BorrowingBaseTerms
    eligibility: EligibilityRules
    interest: InterestTerms
    termination_fee: TerminationFeeTerms
    triggers: TriggerTerms
    permitted_indebtedness: IndebtednessTerms
    distributions: DistributionTerms
    fees: tuple[OneTimeFee, ...] = ()
    definitions: dict[str, Sourced[str]] = {}
    covenants: tuple[Covenant, ...]

    @model_validator(mode="after")
    def _check(self) -> FacilityTerms:
        if self.triggers.cash_dominion_below.start > self.effective_date:
            raise ValueError(
                f"triggers.cash_dominion_below must cover the version from its effective date "
                f"{self.effective_date} "
                f"(first step starts {self.triggers.cash_dominion_below.start})"
            )
        oa = self.borrowing_base.over_advance
        if oa is not None and oa.start < self.effective_date:
            raise ValueError(
                f"borrowing_base.over_advance starts {oa.start}, before the version's effective "
                f"date {self.effective_date}"
            )
        if oa is not None and self.interest.over_advance_margin is None:
            raise ValueError("an over_advance schedule needs interest.over_advance_margin")
        ids = [c.id for c in self.covenants]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"covenant ids repeat: {', '.join(sorted(dup))}")
        return self

    @property
    def line(self) -> Decimal:
        """The Revolving Line amount in dollars."""
        return self.revolving_line.value

    def assumptions(self) -> pd.DataFrame:
        """Every term of this version that rests on an assumption, not on the documents.

        Walks all the terms, step schedules and covenant threshold steps and springing
        conditions included (``model.terms.common.provenance`` lists only ``Sourced``
        values): a row per item with an ``assumption``.

        Returns
        -------
        DataFrame
            Columns ``term`` (key path), ``value`` (as text) and ``assumption`` (why).

        Examples
        --------
        >>> from model.params import load
        >>> t = load("params/facilities/svb-loan-agreement.yaml").version("first_modification")
        >>> a = t.assumptions().set_index("term")
        >>> a.loc["triggers.agings_measure", "value"], a.loc["interest.margin", "value"]
        ('either', '0.0')
        >>> a.loc["covenants[adjusted_quick_ratio].thresholds[2007-12-31..]", "value"]
        'not provided'
        """
        rows: list[dict[str, str]] = []
        _assumption_rows(self, "", rows)
        return pd.DataFrame(rows, columns=["term", "value", "assumption"])

    def covenant(self, id_: str) -> Covenant:
        for c in self.covenants:
            if c.id == id_:
                return c
        raise KeyError(
            f"no covenant {id_!r} in version {self.version_name}; have: "
            + ", ".join(c.id for c in self.covenants)
        )


# --- the file ------------------------------------------------------------------------------


class _Agreement(Frozen):
    title: str
    date: Sourced[dt.date]


class _Amendment(Frozen):
    name: str
    title: str
    effective_date: Sourced[dt.date]
    changes: dict[str, Any]


class _FacilityFile(Frozen):
    kind: Literal["facility"]
    name: str
    borrower: str
    bank: str
    agreement: _Agreement
    original: dict[str, Any]
    amendments: list[_Amendment] = []

    @field_validator("amendments")
    @classmethod
    def _names(cls, v: list[_Amendment]) -> list[_Amendment]:
        names = [a.name for a in v]
        if "original" in names or len(set(names)) != len(names):
            raise ValueError("amendment names must be unique and not 'original'")
        return v


def _is_leaf(node: Any) -> bool:
    return isinstance(node, dict) and ("value" in node or "steps" in node)


def _merge(base: Any, changes: Any) -> Any:
    if not isinstance(base, dict) or not isinstance(changes, dict) or _is_leaf(changes):
        return copy.deepcopy(changes)
    out = copy.deepcopy(base)
    for k, v in changes.items():
        if v is None:
            out[k] = None
        elif k in out and isinstance(out[k], dict) and not _is_leaf(out[k]):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _apply_covenant_changes(
    base: list[dict[str, Any]], changes: Any, pf: ParamsFile, loc: tuple[Any, ...]
) -> list[dict[str, Any]]:
    if not isinstance(changes, dict) or set(changes) - {"replace", "add"}:
        raise pf.error(loc, "covenant changes are a mapping with 'replace' and/or 'add'")
    out = copy.deepcopy(base)
    ids = [c.get("id") for c in out]
    for old_id, new in (changes.get("replace") or {}).items():
        if old_id not in ids:
            raise pf.error(
                loc + ("replace", old_id),
                f"replaces covenant {old_id!r}, which the previous version does not have "
                f"(have: {', '.join(map(str, ids))})",
            )
        out[ids.index(old_id)] = copy.deepcopy(new)
    out.extend(copy.deepcopy(changes.get("add") or []))
    return out


def build_facility(pf: ParamsFile) -> Facility:
    """Builder for ``kind: facility`` (see :func:`model.params.load`).

    Examples
    --------
    >>> from model.params import load
    >>> fac = load("params/facilities/svb-loan-agreement.yaml")
    >>> [(n, d.isoformat()) for n, d in fac.versions]
    [('original', '2007-10-02'), ('first_modification', '2008-04-28')]
    >>> fac.terms_as_of(dt.date(2008, 4, 27)).line, fac.terms_as_of(dt.date(2008, 4, 28)).line
    (Decimal('35000000'), Decimal('50000000'))
    """
    f = validate(_FacilityFile, pf.data, pf)
    agreement_date = f.agreement.date.value
    versions: list[FacilityTerms] = []
    data = dict(f.original)
    data.update(version_name="original", title=f.agreement.title, effective_date=agreement_date)
    versions.append(validate(FacilityTerms, data, pf, ("original",)))
    prev_date = agreement_date
    for i, am in enumerate(f.amendments):
        loc = ("amendments", i)
        d = am.effective_date.value
        if d < agreement_date:
            raise pf.error(
                loc + ("effective_date", "value"),
                f"amendment {am.name!r} is effective {d}, "
                f"before the agreement date {agreement_date}",
            )
        if d <= prev_date and i > 0:
            raise pf.error(
                loc + ("effective_date", "value"),
                f"amendment {am.name!r} is effective {d}, "
                f"not after the previous amendment ({prev_date})",
            )
        prev_date = d
        changes = dict(am.changes)
        for k in ("version_name", "effective_date", "title"):
            if k in changes:
                raise pf.error(
                    loc + ("changes", k), f"'{k}' is set from the amendment header, not in changes"
                )
        cov_changes = changes.pop("covenants", None)
        merged = _merge(data, changes)
        if cov_changes is not None:
            merged["covenants"] = _apply_covenant_changes(
                data.get("covenants", []), cov_changes, pf, loc + ("changes", "covenants")
            )
        merged.update(version_name=am.name, title=am.title, effective_date=d)
        versions.append(validate(FacilityTerms, merged, pf, loc + ("changes",)))
        data = merged
    return Facility(
        name=f.name,
        borrower=f.borrower,
        bank=f.bank,
        agreement_date=agreement_date,
        file=pf.name,
        all_versions=tuple(versions),
    )


# --- the facility ---------------------------------------------------------------------------


_SECTION = re.compile(r"6\.\d+\([ivx]+\)")


def _show(v: Any) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, Decimal):
        if abs(v) >= 1000:
            return f"{v:,.0f}" if v == v.to_integral_value() else f"{v:,.2f}"
        return str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _covenant_text(c: Covenant) -> str:
    cmp = ">=" if c.direction == "min" else "<="
    steps = []
    for s in c.thresholds:
        to = s.to_quarter.isoformat() if s.to_quarter else "on"
        amt = (
            "not provided"
            if s.amount is None
            else (f"{s.amount:,.2f}" if c.unit == "usd" else f"{s.amount}:1.00")
        )
        steps.append(f"quarters {s.from_quarter.isoformat()}..{to}: {amt}")
    text = f"{c.title} ({c.metric} {cmp}) " + "; ".join(steps)
    if c.springing is not None:
        sp = c.springing
        text += f"; applies when {sp.metric} {sp.comparison} {sp.amount:,}"
    return text


def _flatten(obj: Any, path: str, out: dict[str, tuple[str, str]]) -> None:
    if isinstance(obj, Sourced):
        out[path] = (_show(obj.value), obj.provenance)
    elif isinstance(obj, StepSchedule):
        out[path] = (obj.describe(), obj.source or f"ASSUMPTION: {obj.assumption}")
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            _flatten(getattr(obj, name), f"{path}.{name}" if path else name, out)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _flatten(v, f"{path}.{k}", out)
    elif obj is None:
        out[path] = ("(none)", "")


def _assumption_rows(obj: Any, path: str, rows: list[dict[str, str]]) -> None:
    if isinstance(obj, BaseModel):
        text = getattr(obj, "assumption", None)
        if isinstance(text, str) and text.strip():
            if isinstance(obj, Sourced):
                value = _show(obj.value)
            elif isinstance(obj, StepSchedule):
                value = obj.describe()
            elif isinstance(obj, ThresholdStep):
                value = "not provided" if obj.amount is None else _show(obj.amount)
            elif isinstance(obj, Condition):
                value = f"{obj.metric} {obj.comparison} {_show(obj.amount)}"
            else:  # pragma: no cover - every model with an assumption is listed above
                value = str(obj)
            rows.append({"term": path, "value": value, "assumption": text.strip()})
        for name in type(obj).model_fields:
            if isinstance(obj, Covenant) and name == "thresholds":
                for st in obj.thresholds:
                    to = st.to_quarter.isoformat() if st.to_quarter else ""
                    _assumption_rows(
                        st, f"{path}.thresholds[{st.from_quarter.isoformat()}..{to}]", rows
                    )
                continue
            _assumption_rows(getattr(obj, name), f"{path}.{name}" if path else name, rows)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _assumption_rows(v, f"{path}.{k}", rows)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            key = v.id if isinstance(v, Covenant) else (v.name if isinstance(v, OneTimeFee) else i)
            _assumption_rows(v, f"{path}[{key}]", rows)


def _term_rows(t: FacilityTerms) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for name in (
        "revolving_line",
        "borrowing_base",
        "eligibility",
        "interest",
        "termination_fee",
        "triggers",
        "permitted_indebtedness",
        "distributions",
        "definitions",
    ):
        _flatten(getattr(t, name), name, out)
    for fee in t.fees:
        out[f"fees.{fee.name}"] = (f"{fee.amount:,.2f} on {fee.date.isoformat()}", fee.source)
    for c in t.covenants:
        m = _SECTION.search(c.section)
        slot = f"Sec. {m.group(0)}" if m else c.id
        out[f"covenant {slot}"] = (_covenant_text(c), c.section)
    return out


@dataclass(frozen=True)
class Facility:
    """A loan agreement with its versions (original terms, then each amendment).

    Attributes
    ----------
    versions : list of (name, effective_date)
        In date order, e.g. ``[("original", 2007-10-02), ("first_modification", 2008-04-28)]``.
    """

    name: str
    borrower: str
    bank: str
    agreement_date: dt.date
    file: str
    all_versions: tuple[FacilityTerms, ...] = field(repr=False)

    @property
    def versions(self) -> list[tuple[str, dt.date]]:
        return [(v.version_name, v.effective_date) for v in self.all_versions]

    def version(self, name: str) -> FacilityTerms:
        """The terms of the version called ``name``.

        An unknown name raises ``KeyError`` listing the versions.
        """
        for v in self.all_versions:
            if v.version_name == name:
                return v
        raise KeyError(
            f"no version {name!r} in {self.file}; versions: "
            + ", ".join(v.version_name for v in self.all_versions)
        )

    def assumptions(self) -> pd.DataFrame:
        """Every assumption in every version (see :meth:`FacilityTerms.assumptions`), once,
        with the versions it appears in.

        >>> from model.params import load
        >>> a = load("params/facilities/svb-loan-agreement.yaml").assumptions()
        >>> a.set_index("term").loc["borrowing_base.certificate_lag_days", "versions"]
        'original, first_modification'
        """
        seen: dict[tuple[str, str, str], list[str]] = {}
        for v in self.all_versions:
            for r in v.assumptions().itertuples(index=False):
                # The columns are text (see FacilityTerms.assumptions); pandas-stubs types
                # row fields as any scalar.
                key = cast(tuple[str, str, str], (r.term, r.value, r.assumption))
                seen.setdefault(key, []).append(v.version_name)
        return pd.DataFrame(
            [
                {"term": t, "value": val, "assumption": a, "versions": ", ".join(vs)}
                for (t, val, a), vs in seen.items()
            ],
            columns=["term", "value", "assumption", "versions"],
        )

    def terms_as_of(self, as_of: dt.date | str) -> FacilityTerms:
        """The terms in force on ``as_of``: the last version effective on or before it.

        An amendment applies from its effective date inclusive (First Loan Modification
        Sec. 12: effective when executed, 2008-04-28).

        Raises
        ------
        ValueError
            ``as_of`` is before the agreement date.
        """
        d = as_date(as_of, "as_of")
        if d < self.agreement_date:
            raise ValueError(
                f"as_of {d} is before the agreement date {self.agreement_date}: no terms in force"
            )
        current = self.all_versions[0]
        for v in self.all_versions:
            if v.effective_date <= d:
                current = v
        return current

    def diff(self, a: str, b: str) -> pd.DataFrame:
        """Every term that differs between versions ``a`` and ``b``.

        Returns
        -------
        DataFrame
            Columns ``term``, ``before``, ``after``, ``section`` (the provenance of the
            ``b`` value, or of ``a`` where ``b`` removes the term), one row per changed term.
        """
        ra, rb = _term_rows(self.version(a)), _term_rows(self.version(b))
        rows = []
        for key in list(ra) + [k for k in rb if k not in ra]:
            before, sec_a = ra.get(key, ("(none)", ""))
            after, sec_b = rb.get(key, ("(none)", ""))
            if before != after:
                section = sec_b if after != "(none)" else f"removed in version {b!r} (was: {sec_a})"
                rows.append({"term": key, "before": before, "after": after, "section": section})
        return pd.DataFrame(rows, columns=["term", "before", "after", "section"])
