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
from functools import cached_property
from typing import Any, Literal

from pydantic import ValidationInfo, field_validator, model_validator

from model.dates.periods import FISCAL_YEAR_END_MONTHS
from model.errors import NotFoundError
from model.terms.fields import Days, Flag, Frozen, Name, Provenanced, SignedAmount, Sourced, Whole
from model.terms.files import ParamsFile, located_checks, raise_located, validate
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
    "QUESTION_MARKERS",
    "PERIOD_MARKERS",
]

OPERATIONS = ("sum", "difference", "product", "ratio", "minimum", "maximum", "constant")
"""How a computed line combines earlier lines (``minimum``: the least of them, a cap;
``maximum``: the greatest, a floor such as "not less than zero"; ``constant``: a number the
agreement states, such as a 20% cap on add-backs or a cap on netted cash, with no
operands)."""

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


PeriodName = Literal["fiscal_quarter", "trailing_four_quarters", "year_to_date"]


class LineItem(Frozen):
    """A figure the borrower reports each quarter."""

    label: str
    measure: Literal["flow", "balance"]
    may_be_negative: Flag = False
    note: str | None = None
    cure: Flag = False
    """An equity contribution counted as a cure (added to EBITDA by the build-ups, never
    debt reduction): a covenant that complies only with it is reported as cured, with the
    amount and the figure without it."""


class MetricLine(Frozen):
    """One line of a metric's build-up: an input line item, or one operation on earlier lines."""

    line: Name
    label: str
    input: str | None = None
    sum: tuple[Name, ...] | None = None
    difference: tuple[Name, ...] | None = None
    product: tuple[Name, ...] | None = None
    ratio: tuple[Name, ...] | None = None
    minimum: tuple[Name, ...] | None = None
    maximum: tuple[Name, ...] | None = None
    constant: SignedAmount | None = None
    unit: Literal["usd", "ratio", "percent"] | None = None
    """How a ``constant`` line is printed: dollars (a floor of $0), a ratio, or a percentage
    (a cap of 20% written 0.20); default ratio. Computed lines take their unit from their
    operation."""

    @model_validator(mode="after")
    def _one_source(self) -> MetricLine:
        given = [op for op in ("input", *OPERATIONS) if getattr(self, op) is not None]
        if len(given) != 1:
            raise ValueError(
                f"line {self.line}: give exactly one of input, {', '.join(OPERATIONS)} "
                f"(got {', '.join(given) or 'none'})"
            )
        if self.unit is not None and self.constant is None:
            raise ValueError(
                f"line {self.line}: unit is for a constant line; an input or a computed line "
                "takes its unit from the line item or the operation"
            )
        if self.ratio is not None and len(self.ratio) != 2:
            raise ValueError(f"line {self.line}: a ratio divides one line by another: [X, Y]")
        for op in ("sum", "difference", "product", "minimum", "maximum"):
            operands = getattr(self, op)
            if operands is not None and len(operands) < 2:
                raise ValueError(f"line {self.line}: {op} needs at least two lines")
        return self

    @cached_property
    def operation(self) -> str:
        """``input`` or the operation's name."""
        return next(op for op in ("input", *OPERATIONS) if getattr(self, op) is not None)

    @cached_property
    def operands(self) -> tuple[str, ...]:
        """The lines an operation combines (empty for an input)."""
        if self.input is not None or self.constant is not None:
            return ()
        return tuple(getattr(self, self.operation))


class Metric(Provenanced):
    """A covenant metric and its build-up, line by line; its value is the last line."""

    id: str
    title: str
    section: str
    heading: str
    unit: Literal["usd", "ratio"]
    ratio_places: Whole = 4
    lines: tuple[MetricLine, ...]
    period: PeriodName | None = None
    """The period the metric is measured over where no covenant tests it (a figure the
    certificate reports for another clause: excess cash flow for a sweep); a covenant's
    ``measurement_period`` governs where one tests it."""

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


QUESTION_MARKERS = ("line", "comparison", "required")
"""The markers of the schedule's question: the metric's last line, the comparison
(``comparison_min`` or ``comparison_max``) and the required level (or the blank)."""

PERIOD_MARKERS = ("period_end", "quarters")
"""The markers of a measurement period's words: the period's last quarter end and the
number of quarters it spans."""

_DEFAULT_PERIOD_WORDS: dict[PeriodName, str] = {
    "fiscal_quarter": "",
    "trailing_four_quarters": "trailing four fiscal quarters ending {period_end}",
    "year_to_date": "fiscal year to date ending {period_end} ({quarters} quarters)",
}


def _markers_problem(text: str, allowed: tuple[str, ...], where: str) -> str | None:
    for marker in re.findall(r"\{([^{}]*)\}", text):
        if marker not in allowed:
            return (
                f"unknown marker {{{marker}}} in the certificate's {where}; allowed: "
                + ", ".join("{" + p + "}" for p in allowed)
            )
    return None


class CertificateForm(Provenanced):
    """The words of the compliance certificate, as the agreement prints them.

    Text may hold the markers ``{borrower}``, ``{bank}`` and ``{period_end}`` only
    (:data:`PLACEHOLDERS`); they are replaced, nothing else is interpreted. The
    schedule's ``question`` holds :data:`QUESTION_MARKERS`, the words of each
    measurement period (``period_words``) :data:`PERIOD_MARKERS`.

    The words every certificate prints in its own language have defaults (the labels
    ``TO`` / ``FROM`` / ``Date``, the table headers, the schedule's question and its
    blanks); a deal whose form words them otherwise says so in its compliance file.
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
    to_label: str = "TO"
    from_label: str = "FROM"
    date_label: str = "Date"
    period_label: str = "Period ending"
    reporting_columns: tuple[str, str, str, str] = (
        "Reporting Covenant",
        "Required",
        "Complies",
        "Detail",
    )
    financial_columns: tuple[str, str, str, str] = (
        "Financial Covenant",
        "Required",
        "Actual",
        "Complies",
    )
    schedule_columns: tuple[str, str, str, str] = ("Line", "Item", "Amount", "How")
    question: str = "Is line {line} {comparison} {required}?"
    comparison_min: str = "equal to or greater than"
    comparison_max: str = "equal to or less than"
    amount_blank: str = "$________"
    ratio_blank: str = "____:1.00"
    period_words: dict[PeriodName, str] = _DEFAULT_PERIOD_WORDS

    @model_validator(mode="after")
    def _markers(self, info: ValidationInfo) -> CertificateForm:
        if not located_checks(info):
            problems = self.marker_problems()
            if problems:
                raise ValueError(problems[0][1])
        ids = [r.covenant for r in self.rows]
        if len(set(ids)) != len(ids):
            raise ValueError("a covenant has two certificate rows")
        return self

    def marker_problems(self) -> list[tuple[tuple[Any, ...], str]]:
        """Markers the form's text may not hold, as ``(key path under the form, rule)``."""
        checks: list[tuple[tuple[Any, ...], str, tuple[str, ...]]] = [
            ((name,), text, PLACEHOLDERS)
            for name in ("certification", "statement", "exceptions_heading", "no_exceptions")
            if (text := getattr(self, name))
        ]
        if self.ip_block:
            checks.append((("ip_block",), self.ip_block, PLACEHOLDERS))
        for name in ("title", "bank_use"):
            checks += [((name, k), t, PLACEHOLDERS) for k, t in enumerate(getattr(self, name))]
        checks.append((("question",), self.question, QUESTION_MARKERS))
        checks += [(("period_words", k), t, PERIOD_MARKERS) for k, t in self.period_words.items()]
        out = []
        for loc, text, allowed in checks:
            problem = _markers_problem(text, allowed, str(loc[0]))
            if problem:
                out.append((loc, problem))
        return out

    def period_text(self, period: str, quarters: tuple[Any, ...]) -> str:
        """The words of a measurement ``period`` over ``quarters`` (empty for the fiscal
        quarter, unless the form words it): "trailing four fiscal quarters ending 2019-12-31".
        """
        given = {str(k): v for k, v in (*_DEFAULT_PERIOD_WORDS.items(), *self.period_words.items())}
        words = given.get(period, "")
        if not words or not quarters:
            return ""
        end = quarters[-1]
        end_text = end.isoformat() if hasattr(end, "isoformat") else str(end)
        return (
            str(words).replace("{period_end}", end_text).replace("{quarters}", str(len(quarters)))
        )

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
    def _references(self, info: ValidationInfo) -> ComplianceTerms:
        if not located_checks(info):
            problems = self.reference_problems()
            if problems:
                raise ValueError(problems[0][1])
        return self

    def reference_problems(self) -> list[tuple[tuple[Any, ...], str]]:
        """Cross-references between the parts of the file that do not hold, as ``(key path,
        rule)`` at the offending entry: :func:`build_compliance` reports them at their lines."""
        out: list[tuple[tuple[Any, ...], str]] = [
            (("certificate", *loc), rule) for loc, rule in self.certificate.marker_problems()
        ]
        if self.fiscal_year_end_month.value not in FISCAL_YEAR_END_MONTHS:
            out.append(
                (
                    ("fiscal_year_end_month", "value"),
                    "fiscal_year_end_month: a fiscal year ends on a calendar quarter end, month "
                    f"3, 6, 9 or 12 (got {self.fiscal_year_end_month.value})",
                )
            )
        ids: list[str] = []
        for j, m in enumerate(self.metrics):
            if m.id in ids:
                out.append(((("metrics", j, "id")), f"metric ids repeat: {m.id}"))
            ids.append(m.id)
            for k, ln in enumerate(m.lines):
                if ln.input is not None and ln.input not in self.line_items:
                    out.append(
                        (
                            ("metrics", j, "lines", k, "input"),
                            f"metric {m.id!r} reads line item(s) {ln.input}, which line_items "
                            f"does not define (defined: {', '.join(self.line_items)})",
                        )
                    )
        for k, mid in enumerate(self.certificate.schedule):
            if mid not in ids:
                out.append(
                    (
                        ("certificate", "schedule", k),
                        f"certificate.schedule names metric {mid!r}, which is not defined "
                        f"(metrics: {', '.join(ids)})",
                    )
                )
        for k, c in enumerate(self.consistency_checks):
            for field in ("item", "at_least"):
                item = getattr(c, field)
                if item not in self.line_items:
                    out.append(
                        (
                            ("consistency_checks", k, field),
                            f"consistency_checks names line item {item!r}, which is not defined",
                        )
                    )
        for name in self.projection:
            if name not in self.line_items:
                out.append(
                    (
                        ("projection", name),
                        f"projection names line item(s) {name}, which are not defined",
                    )
                )
        seen: list[str] = []
        for j, r in enumerate(self.reporting):
            if r.id in seen:
                out.append((("reporting", j, "id"), f"reporting requirement ids repeat: {r.id}"))
            seen.append(r.id)
        for kind in ("quarterly", "annual"):
            carriers = [j for j, r in enumerate(self.reporting) if r.certificate == kind]
            if len(carriers) > 1:
                out.append(
                    (
                        ("reporting", carriers[1], "certificate"),
                        f"two reporting requirements carry the {kind} certificate",
                    )
                )
        return out

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
    """Builder for ``kind: compliance_certificate``: cross-references between its parts
    (a metric reading an undefined line item, a repeated metric id, a schedule entry that
    names no metric) are reported at the offending entry's key path and line."""
    terms = validate(ComplianceTerms, pf.data, pf, located=True)
    raise_located(pf, terms.reference_problems())
    return terms
