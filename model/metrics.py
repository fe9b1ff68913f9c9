"""Covenant metrics built up line by line exactly as Schedule 1 to the Compliance Certificate.

Source: First Loan Modification Agreement (2008-04-28), Exhibit B (Compliance
Certificate), Schedule 1, "Financial Covenants of Borrower":

* I. Adjusted Quick Ratio (Sec. 6.9(i)), lines A-J;
* II. Consolidated EBITDA of Borrower and its Subsidiaries (Sec. 6.9(ii)), lines A-H,
  including the add-back of the KPN transaction costs (line G);
* III. Cash Flow of Borrower and its Existing Domestic Subsidiaries (Sec. 6.9(iii)),
  lines A, B, C, D, F (the Schedule has no line E; the letters are kept as printed).

The original agreement's Borrower EBITDA covenant (original Sec. 6.9(iii), deleted by
Sec. 3.A.VII) has no Schedule in these documents; :func:`borrower_ebitda` reports it
as one line (the EBITDA of Borrower and its Existing Domestic Subsidiaries, the same
figure as Schedule 1 III line A).

Every function takes a quarter's line items (a :class:`model.terms.actuals.QuarterActuals`
or any mapping ``line_item -> amount``) and returns a :class:`MetricBuildUp` whose
lines show the arithmetic. Amounts are :class:`decimal.Decimal` dollars, exact.
Every input is parsed with :func:`model.values.as_money`: text, booleans, NaN and
infinities are errors naming the metric, the quarter, the line and the line item, and
so is a negative amount unless the item may be negative
(:data:`model.terms.actuals.MAY_BE_NEGATIVE`: net income, EBITDA, income tax expense,
non-cash items).

Corrections of the printed form
-------------------------------
The labels follow Schedule 1 as filed, with the obvious typing slips corrected; each
correction is listed in :data:`FORM_CORRECTIONS` (and printed under "Notes on the form"
on the certificate), so nothing is changed silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import pandas as pd

from model.terms.actuals import LINE_ITEMS, MAY_BE_NEGATIVE, MissingLineItemError
from model.values import as_money

__all__ = [
    "ScheduleLine",
    "MetricBuildUp",
    "adjusted_quick_ratio",
    "consolidated_ebitda",
    "borrower_cash_flow",
    "borrower_ebitda",
    "liquidity_quarter_end",
    "compute_metric",
    "schedule_1",
    "METRIC_BUILDERS",
    "RATIO_PLACES",
    "FORM_CORRECTIONS",
]

RATIO_PLACES = Decimal("0.0001")
"""Ratios are kept to 4 decimal places (half up); the agreement does not say."""

FORM_CORRECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "Schedule 1, I, line C",
        "of Borrower and it Subsidiaries",
        "of Borrower and its Subsidiaries",
    ),
    (
        "Schedule 1, I, line F",
        "that matures within one (1)",
        "that matures within one (1) year",
    ),
    (
        "Schedule 1, I, question",
        "Is line J equal to or greater than ___:1:00?",
        "Is line J equal to or greater than ___:1.00?",
    ),
    (
        "Schedule 1, II, heading",
        "Borrower and its Subsidiaries(Section 6.9(ii))",
        "Borrower and its Subsidiaries (Section 6.9(ii))",
    ),
    (
        "Schedule 1, II, line H",
        "(line A plus line B ... plus line G",
        "(line A plus line B ... plus line G)",
    ),
    (
        "Schedule 1, III, line F",
        "Cash Flow (line A minus line B minus line C minus line D",
        "Cash Flow (line A minus line B minus line C minus line D)",
    ),
)
"""(where, as printed in the filed Exhibit B, as used here): the typing slips of the
printed Schedule 1 that the labels correct. The line letters are kept as printed
(section III has no line E)."""


@dataclass(frozen=True)
class ScheduleLine:
    """One line of Schedule 1: its letter, the text, the amount and how it was obtained.

    ``formula`` is ``"input: <line_item>"`` for a line read from actuals, or the
    arithmetic (``"A + B + C"``) for a computed line.
    """

    letter: str
    label: str
    amount: Decimal
    formula: str
    line_item: str | None = None
    kind: str = "computed"  # reported | illustrative | computed | input
    unit: str = "usd"


@dataclass(frozen=True)
class MetricBuildUp:
    """A covenant metric with its Schedule 1 lines; ``value`` is the last line."""

    metric: str
    title: str
    section: str
    lines: tuple[ScheduleLine, ...]
    unit: str = "usd"

    @property
    def value(self) -> Decimal:
        return self.lines[-1].amount

    def line(self, letter: str) -> ScheduleLine:
        for ln in self.lines:
            if ln.letter == letter:
                return ln
        raise KeyError(f"{self.title}: no line {letter!r}")

    def to_frame(self) -> pd.DataFrame:
        """One row per line: letter, label, amount (Decimal), formula, kind."""
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


def _quarter(items: Mapping[str, Any], quarter_end: dt.date | None) -> dt.date | None:
    return quarter_end if quarter_end is not None else getattr(items, "quarter_end", None)


def _input(
    items: Mapping[str, Any],
    letter: str,
    label: str,
    item: str,
    metric: str,
    quarter_end: dt.date | None = None,
) -> ScheduleLine:
    try:
        raw = items[item]
    except KeyError as exc:
        if isinstance(exc, MissingLineItemError):
            raise
        raise MissingLineItemError(
            f"{metric}: line {letter} needs line item {item!r} ({LINE_ITEMS.get(item, '?')}), "
            "which is missing from the actuals"
        ) from None
    kind = "input"
    entry = getattr(items, "entries", {}).get(item) if hasattr(items, "entries") else None
    if entry is not None:
        kind = entry.kind
    q = _quarter(items, quarter_end)
    where = f"{metric}, quarter {q}" if q is not None else metric
    amount = as_money(
        raw, f"{where}: line {letter} ({item})", allow_negative=item in MAY_BE_NEGATIVE
    )
    return ScheduleLine(letter, label, amount, f"input: {item}", item, kind)


def adjusted_quick_ratio(
    items: Mapping[str, Any], quarter_end: dt.date | None = None
) -> MetricBuildUp:
    """Adjusted Quick Ratio, Schedule 1 section I, lines A-J.

    Notes
    -----
    D = A + B + C (Quick Assets); G = E + F (Current Liabilities); I = G - H;
    J = D / I, kept to 4 decimal places (half up). Source: Compliance Certificate
    (Exhibit B), Schedule 1, I; Loan Agreement Sec. 6.9(i). If line I is zero or
    negative the ratio is undefined and an error is raised.

    Examples
    --------
    >>> m = adjusted_quick_ratio({"cash_at_bank": 30, "net_billed_receivables": 150,
    ...     "short_term_investments": 0, "obligations_to_bank": 20,
    ...     "liabilities_due_within_one_year": 130, "deferred_revenue": 10})
    >>> m.line("D").amount, m.line("G").amount, m.line("I").amount, m.value
    (Decimal('180'), Decimal('150'), Decimal('140'), Decimal('1.2857'))
    """
    name = "Adjusted Quick Ratio"
    a = _input(
        items,
        "A",
        "Aggregate value of the unrestricted cash and cash equivalents of Borrower and its Subsidiaries at Bank",
        "cash_at_bank",
        name,
        quarter_end,
    )
    b = _input(
        items,
        "B",
        "Aggregate value of the net billed accounts receivable of Borrower and its Subsidiaries",
        "net_billed_receivables",
        name,
        quarter_end,
    )
    c = _input(
        items,
        "C",
        "Aggregate value of the Investments with maturities of fewer than 12 months of Borrower and its Subsidiaries",  # printed "it Subsidiaries": FORM_CORRECTIONS
        "short_term_investments",
        name,
        quarter_end,
    )
    d = ScheduleLine(
        "D",
        "Quick Assets (the sum of lines A through C)",
        a.amount + b.amount + c.amount,
        "A + B + C",
    )
    e = _input(
        items,
        "E",
        "Aggregate value of Obligations to Bank",
        "obligations_to_bank",
        name,
        quarter_end,
    )
    f = _input(
        items,
        "F",
        "Aggregate value of liabilities of Borrower and its Subsidiaries (including all Indebtedness) that matures within one (1) year",  # printed without "year": FORM_CORRECTIONS
        "liabilities_due_within_one_year",
        name,
        quarter_end,
    )
    g = ScheduleLine(
        "G", "Current Liabilities (the sum of lines E and F)", e.amount + f.amount, "E + F"
    )
    h = _input(
        items,
        "H",
        "Aggregate value of all amounts received or invoiced by Borrower in advance of performance under contracts and not yet recognized as revenue",
        "deferred_revenue",
        name,
        quarter_end,
    )
    i = ScheduleLine("I", "Line G minus line H", g.amount - h.amount, "G - H")
    if i.amount <= 0:
        raise ValueError(
            f"{name}: line I (G - H) is {i.amount}, not positive: the ratio D / I is undefined"
        )
    with localcontext() as ctx:  # the division itself rounds half up too (no double rounding bias)
        ctx.prec, ctx.rounding = 50, ROUND_HALF_UP
        j_val = (d.amount / i.amount).quantize(RATIO_PLACES)
    j = ScheduleLine(
        "J", "Adjusted Quick Ratio (line D divided by line I)", j_val, "D / I", unit="ratio"
    )
    return MetricBuildUp(
        "adjusted_quick_ratio",
        name,
        "Sec. 6.9(i); Schedule 1, I",
        (a, b, c, d, e, f, g, h, i, j),
        unit="ratio",
    )


def consolidated_ebitda(
    items: Mapping[str, Any], quarter_end: dt.date | None = None
) -> MetricBuildUp:
    """Consolidated EBITDA of Borrower and its Subsidiaries, Schedule 1 section II, lines A-H.

    Notes
    -----
    H = A + B + C + D + E + F + G: Net Income plus Interest Expense, Depreciation,
    Amortization, Income Tax Expense, reasonable non-cash items (stock compensation,
    purchase accounting) and the one-time KPN transaction costs (line G). Source:
    Exhibit B, Schedule 1, II; Sec. 6.9(ii) as amended by Sec. 3.A.VII.

    Examples
    --------
    >>> m = consolidated_ebitda({"net_income": -2100000, "interest_expense": 400000,
    ...     "depreciation": 4200000, "amortization": 3900000, "income_tax_expense": 500000,
    ...     "non_cash_items": 900000, "kpn_transaction_costs": 200000})
    >>> m.value
    Decimal('8000000')
    """
    name = "Consolidated EBITDA"
    spec = [
        ("A", "Net Income", "net_income"),
        ("B", "Interest Expense", "interest_expense"),
        ("C", "Depreciation expense (to the extent deducted from Net Income)", "depreciation"),
        ("D", "Amortization expense (to the extent deducted from Net Income)", "amortization"),
        ("E", "Income Tax Expense", "income_tax_expense"),
        (
            "F",
            "Reasonable non-cash items deducted in determining Net Income including, but not limited to, the value of any stock compensation and adjustments for purchase accounting",
            "non_cash_items",
        ),
        (
            "G",
            "One-time transaction costs relating to the transaction in which, among other things, KPN, B.V. acquires 51% of the equity of Borrower",
            "kpn_transaction_costs",
        ),
    ]
    lines = [_input(items, letter, label, item, name, quarter_end) for letter, label, item in spec]
    total = sum((ln.amount for ln in lines), Decimal(0))
    h = ScheduleLine(
        "H",
        "Consolidated EBITDA (line A plus line B plus line C plus line D plus line E plus line F plus line G)",
        total,
        "A + B + C + D + E + F + G",
    )
    return MetricBuildUp("consolidated_ebitda", name, "Sec. 6.9(ii); Schedule 1, II", (*lines, h))


def borrower_cash_flow(
    items: Mapping[str, Any], quarter_end: dt.date | None = None
) -> MetricBuildUp:
    """Cash Flow of Borrower and its Existing Domestic Subsidiaries, Schedule 1 section III.

    Notes
    -----
    F = A - B - C - D: EBITDA less Unfunded Capital Expenditures, less income taxes
    paid in cash, less dividends and distributions ("Cash Flow", Sec. 13.1 as added by
    Sec. 3.A.II; Schedule 1, III). The Schedule has no line E; letters are as printed.

    Examples
    --------
    >>> m = borrower_cash_flow({"borrower_ebitda": 3000000, "unfunded_capex": 600000,
    ...     "income_taxes_paid": 100000, "dividends_and_distributions": 0})
    >>> [ln.letter for ln in m.lines], m.value
    (['A', 'B', 'C', 'D', 'F'], Decimal('2300000'))
    """
    name = "Borrower Cash Flow"
    a = _input(items, "A", "EBITDA", "borrower_ebitda", name, quarter_end)
    b = _input(items, "B", "Unfunded Capital Expenditures", "unfunded_capex", name, quarter_end)
    c = _input(
        items,
        "C",
        "Income Taxes to the extent paid in Cash",
        "income_taxes_paid",
        name,
        quarter_end,
    )
    d = _input(
        items, "D", "Dividends and Distributions", "dividends_and_distributions", name, quarter_end
    )
    f = ScheduleLine(
        "F",
        "Cash Flow (line A minus line B minus line C minus line D)",
        a.amount - b.amount - c.amount - d.amount,
        "A - B - C - D",
    )
    return MetricBuildUp(
        "borrower_cash_flow", name, "Sec. 6.9(iii) as amended; Schedule 1, III", (a, b, c, d, f)
    )


def borrower_ebitda(items: Mapping[str, Any], quarter_end: dt.date | None = None) -> MetricBuildUp:
    """EBITDA of Borrower and its Existing Domestic Subsidiaries (original Sec. 6.9(iii)).

    Notes
    -----
    The original covenant (deleted by First Loan Modification Sec. 3.A.VII) tested
    this EBITDA directly; its certificate schedule is not in the documents, so it is
    one input line (the same figure as Schedule 1, III, line A).

    Examples
    --------
    >>> borrower_ebitda({"borrower_ebitda": 3500000}).value
    Decimal('3500000')
    """
    a = _input(
        items,
        "A",
        "EBITDA of Borrower and its Existing Domestic Subsidiaries",
        "borrower_ebitda",
        "Borrower EBITDA",
        quarter_end,
    )
    return MetricBuildUp("borrower_ebitda", "Borrower EBITDA", "original Sec. 6.9(iii)", (a,))


def liquidity_quarter_end(
    items: Mapping[str, Any], quarter_end: dt.date | None = None
) -> MetricBuildUp:
    """Unrestricted cash and Cash Equivalents at Bank plus the Availability Amount at
    quarter end (the springing conditions of Sec. 6.9(iii)), as one input line.

    >>> liquidity_quarter_end({"liquidity_quarter_end": 17500000}).value
    Decimal('17500000')
    """
    a = _input(
        items,
        "A",
        "Unrestricted cash and Cash Equivalents at Bank plus Availability Amount",
        "liquidity_quarter_end",
        "Liquidity",
        quarter_end,
    )
    return MetricBuildUp("liquidity", "Liquidity", "Sec. 6.9(iii) condition", (a,))


METRIC_BUILDERS: dict[str, Callable[[Mapping[str, Any], dt.date | None], MetricBuildUp]] = {
    "adjusted_quick_ratio": adjusted_quick_ratio,
    "consolidated_ebitda": consolidated_ebitda,
    "borrower_cash_flow": borrower_cash_flow,
    "borrower_ebitda": borrower_ebitda,
    "liquidity": liquidity_quarter_end,
}
"""Metric name (as in :data:`model.terms.covenants.METRICS`) -> its build-up."""


def compute_metric(
    metric: str, items: Mapping[str, Any], quarter_end: dt.date | None = None
) -> MetricBuildUp:
    """Build ``metric`` from a quarter's line items.

    >>> compute_metric("borrower_ebitda", {"borrower_ebitda": 1}).value
    Decimal('1')
    >>> compute_metric("leverage", {})
    Traceback (most recent call last):
    ...
    ValueError: unknown metric 'leverage'; known: adjusted_quick_ratio, consolidated_ebitda, borrower_cash_flow, borrower_ebitda, liquidity
    """
    if metric not in METRIC_BUILDERS:
        raise ValueError(f"unknown metric {metric!r}; known: {', '.join(METRIC_BUILDERS)}")
    return METRIC_BUILDERS[metric](items, quarter_end)


def schedule_1(
    items: Mapping[str, Any], quarter_end: dt.date | None = None
) -> dict[str, MetricBuildUp]:
    """The three sections of Schedule 1 for one quarter: I, II and III, in that order."""
    return {
        "adjusted_quick_ratio": adjusted_quick_ratio(items, quarter_end),
        "consolidated_ebitda": consolidated_ebitda(items, quarter_end),
        "borrower_cash_flow": borrower_cash_flow(items, quarter_end),
    }
