"""Covenant terms as data: id, section, metric, direction, measurement period, threshold
schedule and springing condition.

Conditions are structured data (metric, comparison, amount), never expressions that
get evaluated. A covenant names a metric its deal defines (the ``metrics`` of the
compliance file, :mod:`model.terms.compliance`). A threshold step with ``amount: null``
means the documents do not give the number (the Adjusted Quick Ratio of Sec. 6.9(i)):
the test then reports that the threshold is not provided instead of passing or failing.

YAML form (one entry of a facility version's ``covenants`` list)::

    - id: consolidated_ebitda
      title: Minimum Consolidated EBITDA
      section: "Loan Agreement Sec. 6.9(ii), as amended by First Loan Modification Sec. 3.A.VII"
      reference: "Sec. 6.9(ii)"
      metric: consolidated_ebitda
      direction: min
      measurement_period: fiscal_quarter
      thresholds:
        - {from_quarter: 2008-03-31, to_quarter: 2008-06-30, amount: 7500000,
           source: "First Loan Modification Sec. 3.A.VII, new 6.9(ii)(a)"}
        - {from_quarter: 2008-12-31, to_quarter: null, amount: 10000000, source: "..."}
      springing: null
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import model_validator

from model.dates.periods import MEASUREMENT_PERIODS, is_quarter_end, next_quarter_end
from model.terms.fields import Amount, Date, Frozen, Provenanced
from model.terms.provenance import show_value

__all__ = ["ThresholdStep", "Condition", "Covenant", "Comparison", "COMPARISONS"]

Comparison = Literal["<", "<=", ">", ">="]
COMPARISONS = ("<", "<=", ">", ">=")
MeasurementPeriod = Literal["fiscal_quarter", "trailing_four_quarters", "year_to_date"]
assert MEASUREMENT_PERIODS == ("fiscal_quarter", "trailing_four_quarters", "year_to_date")


class ThresholdStep(Provenanced):
    """The required level for fiscal quarters ending ``from_quarter`` through ``to_quarter``
    (both inclusive; ``to_quarter: null`` = every quarter thereafter); ``amount: null``
    when the documents do not give it."""

    from_quarter: Date
    to_quarter: Date | None = None
    amount: Amount | None

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
        return self

    def shown_value(self) -> Any:
        return "not provided" if self.amount is None else self.amount

    def covers(self, quarter_end: dt.date) -> bool:
        return self.from_quarter <= quarter_end and (
            self.to_quarter is None or quarter_end <= self.to_quarter
        )


class Condition(Provenanced):
    """A springing condition: the covenant applies when ``metric comparison amount`` holds
    (e.g. liquidity < 20,000,000)."""

    metric: str
    comparison: Comparison
    amount: Amount

    def shown_value(self) -> Any:
        return f"{self.metric} {self.comparison} {show_value(self.amount)}"


class Covenant(Frozen):
    """A financial covenant: a metric that must stay at least (``min``) or at most (``max``)
    a threshold that may step by fiscal quarter, measured over ``measurement_period``,
    optionally only when a condition springs it."""

    id: str
    title: str
    section: str
    reference: str
    metric: str
    direction: Literal["min", "max"]
    measurement_period: MeasurementPeriod = "fiscal_quarter"
    thresholds: tuple[ThresholdStep, ...]
    springing: Condition | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Covenant:
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
        return next((s for s in self.thresholds if s.covers(quarter_end)), None)
