"""Facility terms as data: a loan agreement, its amendments and the terms in force on a date.

A ``kind: facility`` params file holds the agreement as originally in force
(``original``), a list of ``amendments``, each with an effective date and the terms it
``changes``, and the name of its compliance file (``compliance_file``: line items,
metric build-ups, reporting requirements and certificate wording,
:mod:`model.terms.compliance`). :func:`build_facility` validates every version once and
returns a :class:`Facility`; engines take the :class:`FacilityTerms` of a version, or
the :class:`Facility` itself and pick the version in force on each date with
:meth:`Facility.terms_as_of`.

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
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import BeforeValidator, ValidationInfo, field_validator, model_validator

from model.dates import DayCount
from model.errors import InputError, NotFoundError
from model.terms.compliance import ComplianceTerms
from model.terms.covenants import Covenant
from model.terms.fields import (
    Amount,
    Date,
    Days,
    Flag,
    Frozen,
    Money,
    Name,
    PositiveMoney,
    Provenanced,
    Rate,
    Sourced,
    Whole,
)
from model.terms.files import ParamsFile, located_checks, raise_located, validate
from model.terms.notes import LoadReference
from model.terms.provenance import assumptions, walk_terms
from model.values import POSITIVE_RULE, read_date, read_rate

__all__ = [
    "AdvanceRate",
    "DateStep",
    "StepSchedule",
    "BorrowingBaseTerms",
    "EligibilityRules",
    "InterestTerms",
    "FeePeriod",
    "TerminationFeeTerms",
    "TriggerTerms",
    "IndebtednessBasket",
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
over-advance rate (revolver + the additional over-advance margin)."""


AdvanceRate = Annotated[Decimal, BeforeValidator(lambda v: read_rate(v, "", inclusive=True))]
"""A Borrowing Base advance rate: 0 <= rate <= 1 (100%), read by :func:`model.values.read_rate`."""

MARGIN_LOW, MARGIN_HIGH = Decimal("-0.1"), Decimal("0.2")
"""A margin over the base rate is a decimal fraction from -10% up to 20%."""

Margin = Annotated[
    Decimal, BeforeValidator(lambda v: read_rate(v, "", low=MARGIN_LOW, high=MARGIN_HIGH))
]
"""A margin over a base rate (may be negative), read by :func:`model.values.read_rate`."""


class DateStep(Frozen):
    """One step of a dated schedule: ``amount`` from ``from_date`` through ``to_date``
    (both inclusive; ``to_date: null`` = thereafter)."""

    from_date: Date
    to_date: Date | None = None
    amount: Money
    note: str | None = None

    @model_validator(mode="after")
    def _order(self) -> DateStep:
        if self.to_date is not None and self.to_date < self.from_date:
            raise ValueError(f"to_date {self.to_date} is before from_date {self.from_date}")
        return self

    def covers(self, d: dt.date) -> bool:
        return self.from_date <= d and (self.to_date is None or d <= self.to_date)


class StepSchedule(Provenanced):
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
    reference: str | None = None

    @model_validator(mode="after")
    def _check(self) -> StepSchedule:
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
        return next((s for s in self.steps if s.covers(d)), None)

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

    def shown_value(self) -> Any:
        return self.describe()


class EligibilityRules(Frozen):
    """Receivables eligibility (gross -> eligible accounts). Where the agreement's
    definitions are not in the documents, every rule is an assumption the user can override."""

    past_due_days: Sourced[Days]
    cross_aging_pct: Sourced[Amount]
    concentration_pct: Sourced[Amount]
    exclude_affiliates: Sourced[Flag]
    foreign_requires_insurance: Sourced[Flag]

    @field_validator("past_due_days")
    @classmethod
    def _days(cls, v: Sourced[int]) -> Sourced[int]:
        if v.value <= 0:
            raise ValueError(f"past_due_days {POSITIVE_RULE} (got {v.value})")
        return v

    @field_validator("cross_aging_pct", "concentration_pct")
    @classmethod
    def _pct(cls, v: Sourced[Decimal]) -> Sourced[Decimal]:
        if not (Decimal(0) < v.value <= Decimal(1)):
            raise ValueError(f"must be a fraction in (0, 1] (write 0.25 for 25%), got {v.value}")
        return v


class BorrowingBaseTerms(Frozen):
    """The Borrowing Base definition: advance rates on eligible domestic and foreign
    accounts plus, where the agreement has one, a stepping-down over-advance amount.

    ``certificate_lag_days``: days from a Borrowing Base Certificate's as-of date to the
    day its figures apply (0 applies them from the as-of date)."""

    domestic_advance_rate: Sourced[AdvanceRate]
    foreign_advance_rate: Sourced[AdvanceRate]
    over_advance: StepSchedule | None = None
    over_advance_cap: Sourced[Money] | None = None
    certificate_lag_days: Sourced[Days]

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
                "over_advance schedule must end with an open step (to_date: null), as the "
                "amount in force thereafter"
            )
        return self


class InterestTerms(Frozen):
    """Revolver interest: the base rate path is an input, ``margin`` is added to it, the
    over-advance tranche bears ``over_advance_margin`` on top, accrued daily on actual
    balances (``day_count``) and paid ``payment_frequency``.
    ``excess_over_limit_pricing`` says at which rate a balance above min(line, Borrowing
    Base) accrues: ``revolver`` or ``over_advance``."""

    base_rate_index: Sourced[Literal["prime", "libor"]]
    margin: Sourced[Margin]
    day_count: Sourced[str]
    payment_frequency: Sourced[Literal["monthly"]]
    over_advance_margin: Sourced[Rate] | None = None
    excess_over_limit_pricing: Sourced[Literal["revolver", "over_advance"]]

    @field_validator("day_count")
    @classmethod
    def _day_count(cls, v: Sourced[str]) -> Sourced[str]:
        conv = DayCount.parse(v.value)
        if conv not in (DayCount.ACT_360, DayCount.ACT_365F):
            raise ValueError(
                f"daily accrual on actual balances needs an actual-day convention: "
                f"'ACT/360' or 'ACT/365F' (got {v.value!r})"
            )
        return v


class FeePeriod(Provenanced):
    """A termination-fee rate for terminations before ``until_months`` after the
    Effective Date (and on or after the end of the previous period)."""

    until_months: Whole
    rate: Rate

    def shown_value(self) -> Any:
        return f"{self.rate} before {self.until_months} months"


class TerminationFeeTerms(Frozen):
    """The termination fee: ``periods[i].rate`` of ``base_amount`` for terminations from
    the end of the previous period (the Effective Date for the first) up to but not
    including ``until_months`` after the Effective Date; none after the last period."""

    base_amount: Sourced[PositiveMoney]
    effective_date: Sourced[Date]
    periods: tuple[FeePeriod, ...]

    @model_validator(mode="after")
    def _periods(self) -> TerminationFeeTerms:
        months = [p.until_months for p in self.periods]
        if not months or months[0] <= 0 or months != sorted(set(months)):
            raise ValueError(
                f"termination fee periods end at increasing, positive month counts (got {months})"
            )
        return self


class TriggerTerms(Frozen):
    """Liquidity triggers: the agings-report right (optional) and the cash-dominion
    thresholds. ``agings_measure`` is the reading of "cash ... and/or the Availability
    Amount" (see :data:`AGINGS_MEASURES`), required with ``agings_reports_below``."""

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


class IndebtednessBasket(Provenanced):
    """A basket of permitted indebtedness: its id, what it is and its limit."""

    id: str
    label: str
    limit: Money

    def shown_value(self) -> Any:
        return self.limit


class IndebtednessTerms(Frozen):
    """Permitted indebtedness: an aggregate limit and the baskets within it."""

    aggregate_limit: Sourced[Money]
    baskets: tuple[IndebtednessBasket, ...] = ()

    @model_validator(mode="after")
    def _ids(self) -> IndebtednessTerms:
        ids = [b.id for b in self.baskets]
        if len(set(ids)) != len(ids):
            raise ValueError("indebtedness basket ids repeat")
        return self


class DistributionTerms(Frozen):
    """Permitted distributions: employee stock repurchases per year and a stock
    repurchase program basket (optional)."""

    employee_repurchase_per_year: Sourced[Money]
    repurchase_program_basket: Sourced[Money] | None = None


class DefaultTerms(Frozen):
    """What an Event of Default does while it continues, each consequence with its source:
    when a failed financial covenant test becomes one (``begins``: the day its
    Compliance Certificate is due), whether the bank makes new advances, whether
    collections go to the Obligations (cash dominion), whether dividends and stock
    repurchases are blocked, and the margin added to the interest rate."""

    begins: Sourced[Literal["certificate_due"]]
    no_new_advances: Sourced[Flag]
    cash_dominion: Sourced[Flag]
    distributions_blocked: Sourced[Flag]
    default_rate_margin: Sourced[Rate]


class OneTimeFee(Provenanced):
    """A fee due on a date."""

    name: str
    date: Date
    amount: Money

    def shown_value(self) -> Any:
        return f"{self.amount:,.2f} on {self.date.isoformat()}"


class FacilityTerms(Frozen):
    """The terms of one version of the facility, in force from ``effective_date``.

    Frozen data: engines compute, terms do not.
    """

    version_name: str
    title: str
    effective_date: dt.date
    compliance: ComplianceTerms
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
    events_of_default: DefaultTerms | None = None

    @field_validator("fees")
    @classmethod
    def _fee_names(cls, v: tuple[OneTimeFee, ...]) -> tuple[OneTimeFee, ...]:
        names = [f.name for f in v]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(
                f"one-time fee names repeat: {', '.join(dup)} (each fee is named once; two "
                "fees of the same kind need different names)"
            )
        return v

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> FacilityTerms:
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
        if not located_checks(info):
            problems = self.covenant_problems()
            if problems:
                raise ValueError(problems[0][1])
        return self

    def covenant_problems(self) -> list[tuple[tuple[Any, ...], str]]:
        """Covenants that repeat an id or name a metric the compliance file does not
        define, as ``(path under the covenant, rule)`` with the covenant's position first
        (``(2, "metric")``); the builder reports them at their lines."""
        out: list[tuple[tuple[Any, ...], str]] = []
        seen: set[str] = set()
        metrics = [m.id for m in self.compliance.metrics]
        for i, c in enumerate(self.covenants):
            if c.id in seen:
                out.append(((i, "id"), f"covenant ids repeat: {c.id}"))
            seen.add(c.id)
            where: list[tuple[tuple[Any, ...], str]] = [((i, "metric"), c.metric)]
            if c.springing is not None:
                where.append(((i, "springing", "metric"), c.springing.metric))
            for loc, metric in where:
                if metric not in metrics:
                    out.append(
                        (
                            loc,
                            f"covenant {c.id!r} names metric {metric!r}, which the compliance "
                            f"file does not define (metrics: {', '.join(metrics)})",
                        )
                    )
        return out

    @property
    def line(self) -> Decimal:
        """The Revolving Line amount in dollars."""
        return self.revolving_line.value

    def assumptions(self) -> pd.DataFrame:
        """Every term of this version that rests on an assumption, not on the documents:
        ``term`` (key path), ``value`` (as text) and ``assumption`` (why).

        Examples
        --------
        >>> from model.terms import load
        >>> t = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml").version("first_modification")
        >>> a = t.assumptions().set_index("term")
        >>> a.loc["triggers.agings_measure", "value"], a.loc["interest.margin", "value"]
        ('either', '0.0')
        >>> a.loc["covenants[adjusted_quick_ratio].thresholds[2007-12-31..]", "value"]
        'not provided'
        """
        return assumptions(self)

    def covenant(self, id_: str) -> Covenant:
        """The covenant called ``id_``."""
        for c in self.covenants:
            if c.id == id_:
                return c
        raise NotFoundError(
            f"no covenant {id_!r} in version {self.version_name!r}; have: "
            + ", ".join(c.id for c in self.covenants)
        )

    def unit(self, covenant: Covenant) -> str:
        """``usd`` or ``ratio``: the unit of the covenant's metric."""
        return self.compliance.metric(covenant.metric).unit


# --- the file ------------------------------------------------------------------------------


class _Agreement(Frozen):
    title: str
    date: Sourced[Date]


class _Amendment(Frozen):
    name: Name
    title: str
    effective_date: Sourced[Date]
    changes: dict[str, Any]


class _FacilityFile(Frozen):
    kind: Literal["facility"]
    name: str
    borrower: Name
    bank: Name
    compliance_file: Name
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


Locs = list[tuple[Any, ...]]
"""Where each covenant of a version is written in the file (its key path), in order."""


def _apply_covenant_changes(
    base: list[dict[str, Any]], locs: Locs, changes: Any, pf: ParamsFile, loc: tuple[Any, ...]
) -> tuple[list[dict[str, Any]], Locs]:
    if not isinstance(changes, dict) or set(changes) - {"replace", "add"}:
        raise pf.error(loc, "covenant changes are a mapping with 'replace' and/or 'add'")
    out, where = copy.deepcopy(base), list(locs)
    ids = [c.get("id") if isinstance(c, dict) else None for c in out]
    replace = changes.get("replace") or {}
    if not isinstance(replace, dict):
        raise pf.error(loc + ("replace",), "replace is a mapping of covenant id -> covenant")
    for old_id, new in replace.items():
        if old_id not in ids:
            raise pf.error(
                loc + ("replace", old_id),
                f"replaces covenant {old_id!r}, which the previous version does not have "
                f"(have: {', '.join(map(str, ids))})",
            )
        out[ids.index(old_id)] = copy.deepcopy(new)
        where[ids.index(old_id)] = loc + ("replace", old_id)
    add = changes.get("add") or []
    if not isinstance(add, list):
        raise pf.error(loc + ("add",), "add is a list of covenants")
    out.extend(copy.deepcopy(add))
    where.extend(loc + ("add", k) for k in range(len(add)))
    return out, where


def _amended(
    data: dict[str, Any], locs: Locs, am: _Amendment, pf: ParamsFile, loc: tuple[Any, ...]
) -> tuple[dict[str, Any], Locs]:
    """The terms of the previous version with the amendment's changes applied, and where
    each of its covenants is written."""
    changes = dict(am.changes)
    for k in ("version_name", "effective_date", "title", "compliance"):
        if k in changes:
            raise pf.error(
                loc + ("changes", k), f"'{k}' is set from the amendment header, not in changes"
            )
    cov_changes = changes.pop("covenants", None)
    merged = _merge(data, changes)
    if cov_changes is not None:
        merged["covenants"], locs = _apply_covenant_changes(
            data.get("covenants", []), locs, cov_changes, pf, loc + ("changes", "covenants")
        )
    merged.update(version_name=am.name, title=am.title, effective_date=am.effective_date.value)
    return merged, locs


def _version(
    data: dict[str, Any],
    compliance: ComplianceTerms,
    locs: Locs,
    pf: ParamsFile,
    prefix: tuple[Any, ...],
) -> FacilityTerms:
    """Validate one version; its covenants' cross-references are reported at the key path
    and line where each covenant is written."""
    terms = validate(FacilityTerms, {**data, "compliance": compliance}, pf, prefix, located=True)
    problems = [
        (locs[where[0]] + where[1:] if where[0] < len(locs) else prefix, rule)
        for where, rule in terms.covenant_problems()
    ]
    raise_located(pf, problems)
    return terms


def _check_termination_fee(
    terms: FacilityTerms, agreement_date: dt.date, pf: ParamsFile, loc: tuple[Any, ...]
) -> None:
    ed = terms.termination_fee.effective_date.value
    if ed < agreement_date:
        raise pf.error(
            loc + ("termination_fee", "effective_date", "value"),
            f"the termination fee's Effective Date {ed} is before the agreement date "
            f"{agreement_date}",
        )


def _check_amendment_date(
    am: _Amendment, i: int, agreement_date: dt.date, prev: dt.date, pf: ParamsFile
) -> None:
    d, loc = am.effective_date.value, ("amendments", i, "effective_date", "value")
    if d < agreement_date:
        raise pf.error(
            loc,
            f"amendment {am.name!r} is effective {d}, before the agreement date {agreement_date}",
        )
    if d <= prev and i > 0:
        raise pf.error(
            loc,
            f"amendment {am.name!r} is effective {d}, not after the previous amendment ({prev})",
        )


def build_facility(pf: ParamsFile, load_reference: LoadReference) -> Facility:
    """Builder for ``kind: facility`` (see :func:`model.terms.load`).

    Examples
    --------
    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> [(n, d.isoformat()) for n, d in fac.versions]
    [('original', '2007-10-02'), ('first_modification', '2008-04-28')]
    >>> fac.terms_as_of(dt.date(2008, 4, 27)).line, fac.terms_as_of(dt.date(2008, 4, 28)).line
    (Decimal('35000000'), Decimal('50000000'))
    """
    f = validate(_FacilityFile, pf.data, pf)
    compliance = load_reference(
        pf, ("compliance_file",), f.compliance_file, "compliance_certificate"
    )
    agreement_date = f.agreement.date.value
    data = dict(f.original)
    data.update(version_name="original", title=f.agreement.title, effective_date=agreement_date)
    raw = data.get("covenants")
    locs: Locs = (
        [("original", "covenants", j) for j in range(len(raw))] if isinstance(raw, list) else []
    )
    versions = [_version(data, compliance, locs, pf, ("original",))]
    _check_termination_fee(versions[0], agreement_date, pf, ("original",))
    prev = agreement_date
    for i, am in enumerate(f.amendments):
        _check_amendment_date(am, i, agreement_date, prev, pf)
        prev = am.effective_date.value
        data, locs = _amended(data, locs, am, pf, ("amendments", i))
        where = ("amendments", i, "changes")
        versions.append(_version(data, compliance, locs, pf, where))
        if "termination_fee" in am.changes:
            _check_termination_fee(versions[-1], agreement_date, pf, where)
    facility = Facility(
        name=f.name,
        borrower=f.borrower,
        bank=f.bank,
        agreement_date=agreement_date,
        file=pf.name,
        compliance=compliance,
        all_versions=tuple(versions),
    )
    covenant_ids = {c.id for v in versions for c in v.covenants}
    for j, row in enumerate(compliance.certificate.rows):
        if row.covenant not in covenant_ids:
            raise pf.error(
                ("compliance_file",),
                f"the certificate of {f.compliance_file} has a row for covenant "
                f"{row.covenant!r} (rows[{j}]), which no version of this facility has",
            )
    return facility


# --- the facility ---------------------------------------------------------------------------


def _covenant_text(c: Covenant, unit: str) -> str:
    cmp = ">=" if c.direction == "min" else "<="
    steps = []
    for s in c.thresholds:
        to = s.to_quarter.isoformat() if s.to_quarter else "on"
        amt = (
            "not provided"
            if s.amount is None
            else (f"{s.amount:,.2f}" if unit == "usd" else f"{s.amount}:1.00")
        )
        steps.append(f"quarters {s.from_quarter.isoformat()}..{to}: {amt}")
    text = f"{c.title} ({c.metric} {cmp}) " + "; ".join(steps)
    if c.measurement_period != "fiscal_quarter":
        text += f"; measured over {c.measurement_period.replace('_', ' ')}"
    if c.springing is not None:
        sp = c.springing
        text += f"; applies when {sp.metric} {sp.comparison} {sp.amount:,}"
    return text


_DIFF_FIELDS = (
    "revolving_line",
    "borrowing_base",
    "eligibility",
    "interest",
    "termination_fee",
    "triggers",
    "permitted_indebtedness",
    "distributions",
    "definitions",
    "fees",
)


def _term_rows(t: FacilityTerms) -> dict[str, tuple[str, str]]:
    """Key path -> (value as text, provenance) for every term of a version; one row per
    covenant, keyed by its reference."""
    out: dict[str, tuple[str, str]] = {}
    for name in _DIFF_FIELDS:
        for r in walk_terms(getattr(t, name), name):
            out[r.term] = (
                r.text,
                r.provenance if r.kind == "source" else f"ASSUMPTION: {r.provenance}",
            )
    for c in t.covenants:
        out[f"covenant {c.reference}"] = (_covenant_text(c, t.unit(c)), c.section)
    return out


@dataclass(frozen=True)
class Facility:
    """A loan agreement with its versions (original terms, then each amendment) and its
    compliance terms.

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
    compliance: ComplianceTerms = field(repr=False)
    all_versions: tuple[FacilityTerms, ...] = field(repr=False)

    @property
    def versions(self) -> list[tuple[str, dt.date]]:
        return [(v.version_name, v.effective_date) for v in self.all_versions]

    def version(self, name: str) -> FacilityTerms:
        """The terms of the version called ``name``; an unknown name is a
        :class:`~model.errors.NotFoundError` listing the versions."""
        for v in self.all_versions:
            if v.version_name == name:
                return v
        raise NotFoundError(
            f"no version {name!r} in {self.file}; versions: "
            + ", ".join(v.version_name for v in self.all_versions)
        )

    def assumptions(self) -> pd.DataFrame:
        """Every assumption in every version (see :meth:`FacilityTerms.assumptions`), once,
        with the versions it appears in.

        >>> from model.terms import load
        >>> a = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml").assumptions()
        >>> a.set_index("term").loc["borrowing_base.certificate_lag_days", "versions"]
        'original, first_modification'
        """
        seen: dict[tuple[str, str, str], list[str]] = {}
        for v in self.all_versions:
            for r in v.assumptions().to_dict("records"):
                if str(r["term"]).startswith("compliance.projection"):
                    continue  # how a projection reads the line items: listed with projections
                key = (str(r["term"]), str(r["value"]), str(r["assumption"]))
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

        An amendment applies from its effective date inclusive.

        Raises
        ------
        InputError
            ``as_of`` is before the agreement date.
        """
        d = read_date(as_of, "as_of")
        if d < self.agreement_date:
            raise InputError(
                f"{d} is before the agreement date {self.agreement_date}: no terms in force",
                key="as_of",
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
