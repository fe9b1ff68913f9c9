"""Covenant terms as data: id, section, metric, direction, threshold schedule, springing condition.

Conditions are structured data (metric, comparison, amount), never expressions that
get evaluated. A threshold step with ``amount: null`` means the documents do not
give the number (the Adjusted Quick Ratio of Sec. 6.9(i)): the test then reports
"threshold not provided" instead of passing or failing.

YAML form (one entry of a facility version's ``covenants`` list)::

    - id: consolidated_ebitda
      title: Minimum Consolidated EBITDA
      section: "Loan Agreement Sec. 6.9(ii), as amended by First Loan Modification Sec. 3.A.VII"
      metric: consolidated_ebitda
      direction: min
      unit: usd
      thresholds:
        - {from_quarter: 2008-03-31, to_quarter: 2008-06-30, amount: 7500000,
           source: "First Loan Modification Sec. 3.A.VII, new 6.9(ii)(a)"}
        - {from_quarter: 2008-09-30, to_quarter: 2008-09-30, amount: 9000000, source: "..."}
        - {from_quarter: 2008-12-31, to_quarter: null, amount: 10000000, source: "..."}
      springing: null
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import field_validator, model_validator

from model.terms.common import Frozen
from model.values import is_quarter_end, next_quarter_end

__all__ = [
    "ThresholdStep",
    "Condition",
    "Covenant",
    "Comparison",
    "METRICS",
    "CovenantVersion",
    "CovenantBook",
    "load_covenant_book",
]

Comparison = Literal["<", "<=", ">", ">="]

METRICS: dict[str, str] = {
    "adjusted_quick_ratio": "Adjusted Quick Ratio (Schedule 1, I, line J)",
    "consolidated_ebitda": "Consolidated EBITDA (Schedule 1, II, line H)",
    "borrower_cash_flow": "Cash Flow of Borrower and Existing Domestic Subsidiaries (Schedule 1, III, line F)",
    "borrower_ebitda": "EBITDA of Borrower and Existing Domestic Subsidiaries (original Sec. 6.9(iii))",
    "liquidity": "Unrestricted cash and Cash Equivalents at Bank plus the Availability Amount",
}
"""Metric names a covenant or condition may use, with what each means."""


class ThresholdStep(Frozen):
    """The required level for fiscal quarters ending ``from_quarter`` through ``to_quarter``
    (both inclusive; ``to_quarter: null`` = every quarter thereafter)."""

    from_quarter: dt.date
    to_quarter: dt.date | None = None
    amount: Decimal | None
    source: str | None = None
    assumption: str | None = None
    note: str | None = None

    @field_validator("amount")
    @classmethod
    def _not_negative(cls, v: Decimal | None) -> Decimal | None:
        if v is not None and v < 0:
            raise ValueError(
                f"a covenant threshold must not be negative (got {v}); Sec. 6.9 levels are "
                "minimum dollars or ratios"
            )
        return v

    @model_validator(mode="after")
    def _check(self) -> ThresholdStep:
        for name in ("from_quarter", "to_quarter"):
            d = getattr(self, name)
            if d is not None and not is_quarter_end(d):
                raise ValueError(
                    f"{name} {d} is not a fiscal quarter end (Mar 31, Jun 30, Sep 30, Dec 31)"
                )
        if self.to_quarter is not None and self.to_quarter < self.from_quarter:
            raise ValueError(
                f"to_quarter {self.to_quarter} is before from_quarter {self.from_quarter}"
            )
        if not (self.source or self.assumption):
            raise ValueError("every threshold needs a 'source' or an 'assumption'")
        return self


class Condition(Frozen):
    """A springing condition: the covenant applies when ``metric comparison amount`` holds
    (e.g. liquidity < 20,000,000)."""

    metric: str
    comparison: Comparison
    amount: Decimal
    source: str | None = None
    assumption: str | None = None

    @field_validator("amount")
    @classmethod
    def _not_negative(cls, v: Decimal) -> Decimal:
        if v < 0:
            raise ValueError(
                f"a springing amount must not be negative (got {v}); Sec. 6.9(iii) triggers "
                "are liquidity levels in dollars"
            )
        return v

    @model_validator(mode="after")
    def _check(self) -> Condition:
        if self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}; known: {', '.join(METRICS)}")
        if not (self.source or self.assumption):
            raise ValueError("a condition needs a 'source' or an 'assumption'")
        return self


class Covenant(Frozen):
    """A financial covenant: a metric that must stay at least (``min``) or at most (``max``)
    a threshold that may step by fiscal quarter, optionally only when a condition springs it."""

    id: str
    title: str
    section: str
    metric: str
    direction: Literal["min", "max"]
    unit: Literal["usd", "ratio"]
    thresholds: tuple[ThresholdStep, ...]
    springing: Condition | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Covenant:
        if self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}; known: {', '.join(METRICS)}")
        if not self.thresholds:
            raise ValueError("a covenant needs at least one threshold step")
        steps = sorted(self.thresholds, key=lambda s: s.from_quarter)
        for a, b in zip(steps, steps[1:], strict=False):
            if a.to_quarter is None:
                raise ValueError(
                    f"threshold from {a.from_quarter} is open-ended but another step follows"
                )
            nxt = next_quarter_end(a.to_quarter)
            if b.from_quarter < nxt:
                raise ValueError(f"threshold steps overlap at {b.from_quarter}")
            if b.from_quarter > nxt:
                raise ValueError(
                    f"threshold schedule has a gap: no step covers the quarter ending {nxt}"
                )
        return self

    def step_for(self, quarter_end: dt.date) -> ThresholdStep | None:
        """The threshold step covering ``quarter_end``, or None before the first step."""
        for s in self.thresholds:
            if s.from_quarter <= quarter_end and (
                s.to_quarter is None or quarter_end <= s.to_quarter
            ):
                return s
        return None


class CovenantVersion(Frozen):
    """The financial covenants of one version of the terms (what ``FacilityTerms``
    carries as ``.covenants``), for use where no facility file is at hand."""

    version_name: str
    effective_date: dt.date
    source: str | None = None
    covenants: tuple[Covenant, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> CovenantVersion:
        ids = [c.id for c in self.covenants]
        dups = sorted({i for i in ids if ids.count(i) > 1})
        if dups:
            raise ValueError(f"covenant id(s) repeated: {', '.join(dups)}")
        return self


class CovenantBook(Frozen):
    """Covenants by version, with the same look-ups as a facility: ``.versions``
    (``[(name, effective_date), ...]``), ``.terms_as_of(date)`` and ``.version(name)``.

    Examples
    --------
    >>> book = load_covenant_book("tests/fixtures/covenants_svb.yaml")
    >>> book.versions[1]
    ('first_modification', datetime.date(2008, 4, 28))
    >>> book.terms_as_of(dt.date(2008, 5, 15)).version_name
    'first_modification'
    """

    name: str
    entries: tuple[CovenantVersion, ...]

    @property
    def versions(self) -> list[tuple[str, dt.date]]:
        return [
            (v.version_name, v.effective_date)
            for v in sorted(self.entries, key=lambda v: v.effective_date)
        ]

    def version(self, name: str) -> CovenantVersion:
        for v in self.entries:
            if v.version_name == name:
                return v
        raise ValueError(
            f"unknown version {name!r}; known: {', '.join(n for n, _ in self.versions)}"
        )

    def terms_as_of(self, date: dt.date) -> CovenantVersion:
        in_force = [v for v in self.entries if v.effective_date <= date]
        if not in_force:
            raise ValueError(
                f"no version of the terms is in force on {date} (first: {self.versions[0][1]})"
            )
        return max(in_force, key=lambda v: v.effective_date)


def load_covenant_book(path: str) -> CovenantBook:
    """Load a YAML file of covenants by version (``name``, ``entries: [{version_name,
    effective_date, covenants: [...]}]``), validated with line numbers like any params file."""
    from model.params import read, validate

    pf = read(path)
    data = {k: v for k, v in pf.data.items() if k != "kind"}
    return validate(CovenantBook, data, pf)
