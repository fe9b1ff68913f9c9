"""Covenant metrics built up line by line, as the deal's compliance certificate schedule
defines them (the ``metrics`` of its ``kind: compliance_certificate`` params file).

A metric is a list of lines (:class:`model.terms.compliance.MetricLine`): an ``input``
line reads a line item of the actuals; a computed line combines earlier lines with one
operation: ``sum``, ``difference`` (the first less the others), ``product`` or ``ratio``
(the first divided by the second, kept to the metric's ``ratio_places`` decimals, half
up). The metric's value is its last line. Nothing is evaluated: the operation is a name
from :data:`model.terms.compliance.OPERATIONS`.

Measurement periods
-------------------
A covenant is measured over its ``measurement_period``
(:func:`model.dates.measurement_window`). :func:`period_items` gives the line items of
that window: ``flow`` items (net income, interest expense) are summed over the window's
quarters, ``balance`` items (cash at bank, funded debt) are taken at the quarter end.
Every quarter of the window must be in the actuals.

Inputs are read with :func:`model.values.read_money`: text, booleans, NaN, infinities
and fractions of a cent are errors naming the metric, the quarter, the line and the line
item, and so is a negative amount unless the deal's line item ``may_be_negative``.

Examples
--------
>>> from model.terms import load
>>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
>>> ebitda = fac.compliance.metric("consolidated_ebitda")
>>> m = build_metric(ebitda, {"net_income": -2100000, "interest_expense": 400000,
...     "depreciation": 4200000, "amortization": 3900000, "income_tax_expense": 500000,
...     "non_cash_items": 900000, "kpn_transaction_costs": 200000}, fac.compliance.line_items)
>>> m.value, m.line("H").formula
(Decimal('8000000'), 'A + B + C + D + E + F + G')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import pandas as pd

from model.dates.periods import MEASUREMENT_PERIODS, read_quarter_end, window_ending
from model.errors import InputError, NotFoundError, UndefinedMetricError
from model.terms.actuals import Actuals, Entry, MissingLineItemError, QuarterActuals
from model.terms.compliance import ComplianceTerms, LineItem, Metric, MetricLine
from model.values import read_choice, read_money

__all__ = [
    "UNDEFINED",
    "ScheduleLine",
    "MetricBuildUp",
    "build_metric",
    "period_items",
    "items_over",
    "metric_of",
    "least_reliable",
    "PROVENANCE_ORDER",
]

PROVENANCE_ORDER = ("reported", "estimate", "illustrative")
"""From the most to the least reliable: a figure summed over quarters takes the least
reliable kind of its parts."""

_SIGN = {
    "sum": " + ",
    "difference": " - ",
    "product": " x ",
    "ratio": " / ",
    "minimum": " min ",
    "maximum": " max ",
    "constant": "",
}


@dataclass(frozen=True)
class ScheduleLine:
    """One line of a metric's build-up: its letter, the text, the amount and how it was
    obtained.

    ``formula`` is ``"input: <line_item>"`` for a line read from the actuals, or the
    arithmetic (``"A + B + C"``) for a computed line; ``kind`` is the provenance of an
    input (``reported``, ``estimate``, ``illustrative``; ``input`` when the figures came
    without provenance) or ``computed``. ``amount`` is None for a line that cannot be
    computed (a ratio whose denominator is not positive, or a line built on one).
    """

    letter: str
    label: str
    amount: Decimal | None
    formula: str
    line_item: str | None = None
    kind: str = "computed"
    unit: str = "usd"


@dataclass(frozen=True)
class MetricBuildUp:
    """A covenant metric with its lines; ``value`` is the last line.

    ``period`` is the measurement period it was built over (``fiscal_quarter``,
    ``trailing_four_quarters``, ``year_to_date``) and ``quarters`` the quarter ends of that
    window, oldest first. ``undefined`` says why the value cannot be computed (a ratio
    whose denominator is not positive), or is None.
    """

    metric: str
    title: str
    section: str
    lines: tuple[ScheduleLine, ...]
    unit: str = "usd"
    heading: str = ""
    period: str = "fiscal_quarter"
    quarters: tuple[dt.date, ...] = ()
    undefined: str | None = None

    @property
    def value(self) -> Decimal:
        """The metric's value (its last line).

        Raises
        ------
        UndefinedMetricError
            The value cannot be computed (``undefined`` says why).
        """
        amount = self.lines[-1].amount
        if amount is None:
            raise UndefinedMetricError(
                f"{self.title}: {self.undefined or 'cannot be computed'}: the ratio is undefined"
            )
        return amount

    def line(self, letter: str) -> ScheduleLine:
        """The line called ``letter``."""
        for ln in self.lines:
            if ln.letter == letter:
                return ln
        raise NotFoundError(
            f"{self.title}: no line {letter!r}; lines: {', '.join(x.letter for x in self.lines)}"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per line: letter (index), label, amount (Decimal), formula, kind."""
        return pd.DataFrame(
            [
                {
                    "line": ln.letter,
                    "label": ln.label,
                    "amount": ln.amount,
                    "formula": ln.formula,
                    "kind": ln.kind,
                }
                for ln in self.lines
            ]
        ).set_index("line")


def _where(metric: Metric, quarter_end: dt.date | None) -> str:
    return f"{metric.title}, quarter {quarter_end}" if quarter_end is not None else metric.title


def _input_line(
    ln: MetricLine,
    metric: Metric,
    items: Mapping[str, Any],
    line_items: Mapping[str, LineItem],
    quarter_end: dt.date | None,
) -> ScheduleLine:
    item = str(ln.input)
    try:
        raw = items[item]
    except KeyError as exc:
        if isinstance(exc, MissingLineItemError):
            raise
        defined = line_items.get(item)
        raise MissingLineItemError(
            f"{_where(metric, quarter_end)}: line {ln.line} needs line item {item!r} "
            f"({defined.label if defined else 'not defined by the deal'}), which is missing "
            "from the actuals"
        ) from None
    negative = bool(line_items[item].may_be_negative) if item in line_items else False
    key = f"{_where(metric, quarter_end)}: line {ln.line} ({item})"
    amount = read_money(raw, key, negative=negative)
    entries = getattr(items, "entries", None)
    entry = entries.get(item) if isinstance(entries, Mapping) else None
    kind = entry.kind if entry is not None else "input"
    return ScheduleLine(ln.line, ln.label, amount, f"input: {item}", item, kind)


class _Undefined(Exception):
    """A ratio line whose denominator is not positive (``reason`` says which)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _combine(ln: MetricLine, metric: Metric, done: Mapping[str, Decimal | None]) -> Decimal | None:
    """The line's amount; None when an operand cannot be computed; raises
    :class:`_Undefined` for a ratio whose denominator is not positive."""
    operands = [done[x] for x in ln.operands]
    if any(v is None for v in operands):
        return None
    values = [v for v in operands if v is not None]
    op = ln.operation
    if op == "constant":
        return ln.constant
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = 50, ROUND_HALF_UP
        if op == "minimum":
            return min(values)
        if op == "maximum":
            return max(values)
        if op == "sum":
            return sum(values, Decimal(0))
        if op == "difference":
            return values[0] - sum(values[1:], Decimal(0))
        if op == "product":
            out = Decimal(1)
            for v in values:
                out *= v
            return out
        num, den = values
        if den <= 0:
            a, b = ln.operands
            raise _Undefined(f"line {ln.line} ({a} / {b}): line {b} is {den}, not positive")
        return (num / den).quantize(Decimal(1).scaleb(-metric.ratio_places))


UNDEFINED = ("raise", "mark")
"""What :func:`build_metric` does with a ratio whose denominator is not positive: raise
:class:`~model.errors.UndefinedMetricError`, or mark the line (and the lines built on it)
as not computable and say why in ``MetricBuildUp.undefined``."""


def build_metric(
    metric: Metric,
    items: Mapping[str, Any],
    line_items: Mapping[str, LineItem] | None = None,
    quarter_end: Any = None,
    *,
    period: str = "fiscal_quarter",
    quarters: Sequence[Any] | None = None,
    undefined: str = "raise",
) -> MetricBuildUp:
    """Build ``metric`` from a period's line items.

    Parameters
    ----------
    metric : Metric
        From the deal's compliance terms (``facility.compliance.metric(id)``).
    items : mapping line_item -> amount
        A quarter's actuals (:class:`model.terms.actuals.QuarterActuals`, whose provenance
        is carried to each line), :func:`period_items` for a longer measurement period, or
        a plain mapping.
    line_items : mapping, optional
        The deal's line items: which may be negative. Without it, none may.
    quarter_end : date, optional
        Named in messages (taken from ``items`` when it has one).
    period : str
        The measurement period ``items`` cover (recorded in the build-up).
    quarters : sequence of dates, optional
        The quarter ends of that period, oldest first (default: the quarter end alone).
    undefined : {"raise", "mark"}
        See :data:`UNDEFINED`.

    Raises
    ------
    MissingLineItemError
        A line item the metric needs is not in ``items``.
    InputError
        A figure that is not an amount of money, or negative where it may not be.
    UndefinedMetricError
        A ratio whose denominator is zero or negative (with ``undefined="raise"``).
    """
    if not isinstance(metric, Metric):
        raise InputError(
            f"metric must be a Metric of the deal's compliance terms, not {type(metric).__name__}",
            key="metric",
        )
    mode = read_choice(undefined, UNDEFINED, "undefined")
    q = quarter_end if quarter_end is not None else getattr(items, "quarter_end", None)
    q = read_quarter_end(q, "quarter_end") if q is not None else None
    window = tuple(
        read_quarter_end(x, f"quarters[{i}]") for i, x in enumerate(quarters or ([q] if q else []))
    )
    return metric_of(metric, items, line_items, q, period=period, window=window, mode=mode)


def metric_of(
    metric: Metric,
    items: Mapping[str, Any],
    line_items: Mapping[str, LineItem] | None,
    q: dt.date | None,
    *,
    period: str,
    window: tuple[dt.date, ...],
    mode: str,
) -> MetricBuildUp:
    """:func:`build_metric` with its dates already read (``window``: the quarter ends of
    the period) and ``mode`` one of :data:`UNDEFINED`."""
    defined = line_items or {}
    done: dict[str, Decimal | None] = {}
    lines: list[ScheduleLine] = []
    reason: str | None = None
    for ln in metric.lines:
        if ln.input is not None:
            sl = _input_line(ln, metric, items, defined, q)
        else:
            try:
                amount = _combine(ln, metric, done)
            except _Undefined as exc:
                if mode == "raise":
                    raise UndefinedMetricError(
                        f"{_where(metric, q)}: {exc.reason}: the ratio is undefined"
                    ) from None
                amount, reason = None, reason or exc.reason
            unit = ln.unit or ("ratio" if ln.operation in ("ratio", "constant") else "usd")
            sl = ScheduleLine(
                ln.line, ln.label, amount, _SIGN[ln.operation].join(ln.operands), unit=unit
            )
        done[ln.line] = sl.amount
        lines.append(sl)
    return MetricBuildUp(
        metric.id,
        metric.title,
        metric.section,
        tuple(lines),
        metric.unit,
        metric.heading,
        period=read_choice(period, MEASUREMENT_PERIODS, "period"),
        quarters=window,
        undefined=reason if lines[-1].amount is None else None,
    )


def least_reliable(kinds: list[str]) -> str:
    """The least reliable of some provenance kinds (:data:`PROVENANCE_ORDER`).

    >>> least_reliable(["reported", "illustrative", "estimate"])
    'illustrative'
    """
    ranked = [k for k in PROVENANCE_ORDER if k in kinds]
    return ranked[-1] if ranked else (kinds[0] if kinds else "input")


def period_items(
    actuals: Actuals,
    quarter_end: Any,
    period: str,
    compliance: ComplianceTerms,
) -> QuarterActuals:
    """The line items of the measurement ``period`` ending ``quarter_end``.

    ``flow`` items are summed over the window's quarters (each must be in the actuals and
    carry the item); ``balance`` items are the quarter end's. A summed figure takes the
    least reliable provenance of its parts, and its source lists the quarters.

    Examples
    --------
    >>> from model.terms import Actuals, load
    >>> comp = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml").compliance
    >>> acts = Actuals.from_records([
    ...     (q, "net_income", v, "reported", "release") for q, v in
    ...     [("2007-09-30", 1), ("2007-12-31", 2), ("2008-03-31", 3), ("2008-06-30", 4)]])
    >>> period_items(acts, "2008-06-30", "trailing_four_quarters", comp)["net_income"]
    Decimal('10')
    """
    return items_over(actuals, read_quarter_end(quarter_end, "quarter_end"), period, compliance)


def items_over(
    actuals: Actuals, q: dt.date, period: str, compliance: ComplianceTerms
) -> QuarterActuals:
    """:func:`period_items` for a quarter end already read."""
    window = window_ending(q, period, compliance.fiscal_year_end_month.value)
    last = actuals.at(q)
    if len(window) == 1:
        return last
    quarters = [actuals.at(w) for w in window]
    entries: dict[str, Entry] = {}
    for item, e in last.entries.items():
        li = compliance.line_items.get(item)
        if li is None or li.measure == "balance":
            entries[item] = e
            continue
        parts = [qa.entry(item) for qa in quarters]
        entries[item] = Entry(
            value=sum((p.value for p in parts), Decimal(0)),
            kind=least_reliable([p.kind for p in parts]),
            source=f"sum of {len(parts)} quarters {window[0]} to {window[-1]}",
        )
    return QuarterActuals(q, entries, actuals.file)
