"""Compliance terms as data: the line items a deal reports, how each covenant metric is
built from them, what must be delivered when, and the words of the compliance certificate.

A ``kind: compliance_certificate`` params file holds what a loan agreement's compliance
certificate and its schedule say (for the SVB facility: Exhibit B and its Schedule 1 of
the First Loan Modification Agreement). A facility file names it (``compliance_file``);
code knows the concepts, the file knows the deal.

Metric build-ups are structured data, never expressions: each line of a metric has a
letter, a label, and either an ``input`` (a line item) or one operation on earlier
lines: ``sum`` (all added), ``difference`` (the first less the others), ``product`` or
``ratio`` (the first divided by the second, kept to ``ratio_places`` decimals, half up).
The metric's value is its last line::

    - id: consolidated_ebitda
      title: Consolidated EBITDA
      unit: usd
      lines:
        - {line: A, label: Net Income, input: net_income}
        - {line: B, label: Interest Expense, input: interest_expense}
        - {line: H, label: "Consolidated EBITDA (line A plus line B)", sum: [A, B]}

Line items are ``flow`` (an amount for a period: summed over a covenant's measurement
period, e.g. trailing four quarters) or ``balance`` (an amount at a date: taken at the
quarter end).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import field_validator, model_validator

from model.dates.periods import FISCAL_YEAR_END_MONTHS
from model.errors import NotFoundError
from model.terms.fields import Days, Flag, Frozen, Name, Provenanced, Sourced, Whole
from model.terms.files import ParamsFile, validate
from model.terms.notes import LoadReference
from model.terms.quantities import QUANTITIES

__all__ = [
    "LineItem",
    "MetricLine",
    "Metric",
    "ReportingRequirement",
    "FormCorrection",
    "CertificateRow",
    "CertificateForm",
    "ConsistencyCheck",
    "ProjectedItem",
    "ComplianceTerms",
    "build_compliance",
    "OPERATIONS",
    "PLACEHOLDERS",
]

OPERATIONS = ("sum", "difference", "product", "ratio")
"""How a computed line combines earlier lines."""

PLACEHOLDERS = ("borrower", "bank", "period_end")
"""The only ``{name}`` markers the certificate's text may hold; they are replaced by the
names of the parties and the period end (plain substitution: nothing is evaluated)."""

_ID = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)


def _check_id(v: str, what: str) -> str:
    if not _ID.fullmatch(v):
        raise ValueError(
            f"{what} {v!r} must be lower case letters, digits and underscores, starting "
            "with a letter"
        )
    return v


class LineItem(Frozen):
    """A figure the borrower reports each quarter."""

    label: str
    measure: Literal["flow", "balance"]
    may_be_negative: Flag = False
    note: str | None = None


class MetricLine(Frozen):
    """One line of a metric's build-up: an input line item, or one operation on earlier lines."""

    line: Name
    label: str
    input: str | None = None
    sum: tuple[Name, ...] | None = None
    difference: tuple[Name, ...] | None = None
    product: tuple[Name, ...] | None = None
    ratio: tuple[Name, ...] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> MetricLine:
        given = [op for op in ("input", *OPERATIONS) if getattr(self, op) is not None]
        if len(given) != 1:
            raise ValueError(
                f"line {self.line}: give exactly one of input, {', '.join(OPERATIONS)} "
                f"(got {', '.join(given) or 'none'})"
            )
        if self.ratio is not None and len(self.ratio) != 2:
            raise ValueError(f"line {self.line}: a ratio divides one line by another: [X, Y]")
        for op in ("sum", "difference", "product"):
            operands = getattr(self, op)
            if operands is not None and len(operands) < 2:
                raise ValueError(f"line {self.line}: {op} needs at least two lines")
        return self

    @property
    def operation(self) -> str:
        """``input`` or the operation's name."""
        return next(op for op in ("input", *OPERATIONS) if getattr(self, op) is not None)

    @property
    def operands(self) -> tuple[str, ...]:
        """The lines an operation combines (empty for an input)."""
        return () if self.input is not None else tuple(getattr(self, self.operation))


class Metric(Provenanced):
    """A covenant metric and its build-up, line by line; its value is the last line."""

    id: str
    title: str
    section: str
    heading: str
    unit: Literal["usd", "ratio"]
    ratio_places: Whole = 4
    lines: tuple[MetricLine, ...]

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return _check_id(v, "metric id")

    @model_validator(mode="after")
    def _lines(self) -> Metric:
        if not self.lines:
            raise ValueError(f"metric {self.id!r} needs at least one line")
        seen: list[str] = []
        for ln in self.lines:
            if ln.line in seen:
                raise ValueError(f"metric {self.id!r}: line {ln.line} appears twice")
            unknown = [x for x in ln.operands if x not in seen]
            if unknown:
                raise ValueError(
                    f"metric {self.id!r}: line {ln.line} uses line(s) {', '.join(unknown)}, "
                    "which do not come before it"
                )
            seen.append(ln.line)
        if not 0 <= self.ratio_places <= 10:
            raise ValueError(f"ratio_places is 0 to 10 (got {self.ratio_places})")
        return self

    def shown_value(self) -> Any:
        return f"{self.title}: {len(self.lines)}-line build-up"

    @property
    def inputs(self) -> list[str]:
        """The line items the metric reads."""
        return [ln.input for ln in self.lines if ln.input is not None]


class ReportingRequirement(Provenanced):
    """One deliverable of the reporting covenants: what, how often, how many days after
    the period (or filing) it is due.

    ``every``: ``month``, ``quarter`` (every fiscal quarter end, the fourth included),
    ``fiscal_year``, ``filing`` (each filing of one of ``forms``; with no ``forms``, any
    filing not listed by another requirement) or ``days_of_month`` (on the given days,
    the last day of a shorter month instead). ``on_request``: only when the bank asks.
    ``certificate``: the compliance certificate goes with it (``quarterly`` or ``annual``).
    """

    id: str
    title: str
    required: str
    every: Literal["month", "quarter", "fiscal_year", "filing", "days_of_month"]
    days_after: Days
    forms: tuple[Name, ...] = ()
    days: tuple[Whole, ...] = ()
    on_request: Flag = False
    certificate: Literal["quarterly", "annual"] | None = None
    reference: str | None = None

    @model_validator(mode="after")
    def _check(self) -> ReportingRequirement:
        _check_id(self.id, "requirement id")
        if (self.every == "days_of_month") != bool(self.days):
            raise ValueError("give days (e.g. [15, 30]) exactly when every is days_of_month")
        if any(not 1 <= d <= 31 for d in self.days):
            raise ValueError(f"days of the month are 1 to 31 (got {list(self.days)})")
        if self.forms and self.every != "filing":
            raise ValueError("forms are only for requirements due on filings (every: filing)")
        if self.certificate == "quarterly" and self.every != "quarter":
            raise ValueError("the quarterly certificate goes with a quarterly requirement")
        if self.certificate == "annual" and self.every != "fiscal_year":
            raise ValueError("the annual certificate goes with a fiscal-year requirement")
        return self

    def shown_value(self) -> Any:
        return self.required


class FormCorrection(Frozen):
    """A typing slip of the printed form and how it is shown."""

    where: str
    printed: str
    used: str


class CertificateRow(Frozen):
    """A financial covenant row of the certificate: the covenant and its title as printed."""

    covenant: str
    title: str


class CertificateForm(Provenanced):
    """The words of the compliance certificate, as the agreement prints them.

    Text may hold the markers ``{borrower}``, ``{bank}`` and ``{period_end}`` only
    (:data:`PLACEHOLDERS`); they are replaced, nothing else is interpreted.
    """

    name: str
    reference: str | None = None
    title: tuple[str, ...]
    names_in_capitals: Flag = False
    certification: str
    ip_block: str | None = None
    reporting_heading: str
    financial_heading: str
    rows: tuple[CertificateRow, ...]
    statement: str
    exceptions_heading: str
    no_exceptions: str
    signature_lines: tuple[str, ...] = ("By", "Name", "Title", "Date")
    bank_use: tuple[str, ...] = ()
    schedule_title: str
    schedule_subtitle: str
    schedule: tuple[str, ...]
    answer_yes: str = "Yes, in compliance"
    answer_no: str = "No, not in compliance"
    form_notes: tuple[str, ...] = ()
    corrections: tuple[FormCorrection, ...] = ()

    @model_validator(mode="after")
    def _markers(self) -> CertificateForm:
        texts = [self.certification, self.statement, self.exceptions_heading, *self.title]
        for text in texts:
            for marker in re.findall(r"\{([^{}]*)\}", text):
                if marker not in PLACEHOLDERS:
                    raise ValueError(
                        f"unknown marker {{{marker}}} in the certificate text; allowed: "
                        + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                    )
        ids = [r.covenant for r in self.rows]
        if len(set(ids)) != len(ids):
            raise ValueError("a covenant has two certificate rows")
        return self

    def shown_value(self) -> Any:
        return self.name

    def fill(self, text: str, **names: str) -> str:
        """Replace the markers in ``text`` (plain substitution)."""
        for key in PLACEHOLDERS:
            text = text.replace("{" + key + "}", names.get(key, "{" + key + "}"))
        return text


class ConsistencyCheck(Frozen):
    """A relation two line items should keep (``item`` at least ``at_least``), and why. A
    figure that breaks it is shown with a warning, never refused: the relation may fail
    for a reason the figures do not show."""

    item: str
    at_least: str
    why: str


class ProjectedItem(Provenanced):
    """How a projection gives a line item: the sum of the projected quantities in ``sum``,
    less those in ``less`` (names from :data:`model.terms.quantities.QUANTITIES`)."""

    sum: tuple[str, ...]
    less: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _known(self) -> ProjectedItem:
        unknown = [q for q in (*self.sum, *self.less) if q not in QUANTITIES]
        if unknown:
            raise ValueError(
                f"unknown projected quantit{'y' if len(unknown) == 1 else 'ies'} "
                f"{', '.join(unknown)}; known: {', '.join(QUANTITIES)}"
            )
        if not self.sum:
            raise ValueError("sum needs at least one projected quantity")
        return self

    def shown_value(self) -> Any:
        less = "".join(f" - {q}" for q in self.less)
        return " + ".join(self.sum) + less


class ComplianceTerms(Frozen):
    """A ``kind: compliance_certificate`` params file."""

    kind: Literal["compliance_certificate"]
    name: str
    fiscal_year_end_month: Sourced[Whole]
    line_items: dict[str, LineItem]
    metrics: tuple[Metric, ...]
    reporting: tuple[ReportingRequirement, ...]
    certificate: CertificateForm
    consistency_checks: tuple[ConsistencyCheck, ...] = ()
    projection: dict[str, ProjectedItem] = {}

    @field_validator("line_items")
    @classmethod
    def _item_ids(cls, v: dict[str, LineItem]) -> dict[str, LineItem]:
        for k in v:
            _check_id(k, "line item")
        return v

    @model_validator(mode="after")
    def _references(self) -> ComplianceTerms:
        if self.fiscal_year_end_month.value not in FISCAL_YEAR_END_MONTHS:
            raise ValueError(
                "fiscal_year_end_month: a fiscal year ends on a calendar quarter end, month 3, "
                f"6, 9 or 12 (got {self.fiscal_year_end_month.value})"
            )
        ids = [m.id for m in self.metrics]
        if len(set(ids)) != len(ids):
            raise ValueError(
                f"metric ids repeat: {', '.join(sorted({i for i in ids if ids.count(i) > 1}))}"
            )
        for m in self.metrics:
            unknown = [i for i in m.inputs if i not in self.line_items]
            if unknown:
                raise ValueError(
                    f"metric {m.id!r} reads line item(s) {', '.join(unknown)}, which line_items "
                    f"does not define (defined: {', '.join(self.line_items)})"
                )
        for mid in self.certificate.schedule:
            if mid not in ids:
                raise ValueError(f"certificate.schedule names metric {mid!r}, which is not defined")
        for c in self.consistency_checks:
            for item in (c.item, c.at_least):
                if item not in self.line_items:
                    raise ValueError(
                        f"consistency_checks names line item {item!r}, which is not defined"
                    )
        unknown = [i for i in self.projection if i not in self.line_items]
        if unknown:
            raise ValueError(
                f"projection names line item(s) {', '.join(unknown)}, which are not defined"
            )
        req = [r.id for r in self.reporting]
        if len(set(req)) != len(req):
            raise ValueError("reporting requirement ids repeat")
        for kind in ("quarterly", "annual"):
            if sum(r.certificate == kind for r in self.reporting) > 1:
                raise ValueError(f"two reporting requirements carry the {kind} certificate")
        return self

    def metric(self, metric_id: str) -> Metric:
        """The metric called ``metric_id`` (a KeyError-free lookup with a clear message)."""
        for m in self.metrics:
            if m.id == metric_id:
                return m
        raise NotFoundError(
            f"no metric {metric_id!r} in {self.name}; metrics: {', '.join(m.id for m in self.metrics)}"
        )

    def requirement(self, certificate: str) -> ReportingRequirement | None:
        """The reporting requirement that carries the ``quarterly`` or ``annual`` certificate."""
        return next((r for r in self.reporting if r.certificate == certificate), None)


def build_compliance(pf: ParamsFile, load_reference: LoadReference) -> ComplianceTerms:
    """Builder for ``kind: compliance_certificate``."""
    return validate(ComplianceTerms, pf.data, pf)
