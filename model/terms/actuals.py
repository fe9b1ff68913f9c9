"""Quarterly actuals: the line items of Schedule 1 to the Compliance Certificate, with provenance.

An actuals file is a long ("tidy") CSV, one value per row::

    quarter_end,line_item,value,kind,source
    2008-03-31,net_income,-2100000,reported,"iBasis Q1 2009 earnings release ... ($-2.1 million)"
    2008-03-31,interest_expense,400000,illustrative,"not public: ..."

* ``quarter_end``: ISO date of a fiscal quarter end (Mar 31, Jun 30, Sep 30, Dec 31);
* ``line_item``: one of :data:`LINE_ITEMS` (the Schedule 1 line it feeds is listed there);
* ``value``: US dollars, exact (read as :class:`decimal.Decimal`, never as float);
  only the items in :data:`MAY_BE_NEGATIVE` (net income, the EBITDA figures, income
  tax expense, non-cash items) may be negative;
* ``kind``: ``reported`` (a public figure; ``source`` names the filing),
  ``estimate`` (inferred from a public statement that does not give the exact figure,
  e.g. net income "at breakeven"; ``note`` says how) or ``illustrative`` (a made-up
  value; ``source`` says why it is there);
* ``source``: provenance text, never empty;
* ``note`` (optional column): anything else the analyst should see.

So an analyst always sees which numbers are real. The same data can be given as YAML
(``kind: actuals``, see :func:`build_actuals`).

Errors are :class:`model.params.ParamsError` naming the file, the row (as its line
number in the file), the column and the rule.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd

from model import paths
from model.params import ParamsError, ParamsFile, Problem
from model.values import as_date, is_quarter_end

__all__ = [
    "LINE_ITEMS",
    "KINDS",
    "MAY_BE_NEGATIVE",
    "Actuals",
    "QuarterActuals",
    "ActualsError",
    "MissingLineItemError",
    "QuarterNotInActualsError",
    "load_actuals_csv",
    "build_actuals",
    "parse_quarter_end",
]

LINE_ITEMS: dict[str, str] = {
    # Schedule 1, I. Adjusted Quick Ratio (Sec. 6.9(i))
    "cash_at_bank": "I.A Unrestricted cash and cash equivalents of Borrower and Subsidiaries at Bank",
    "net_billed_receivables": "I.B Net billed accounts receivable of Borrower and Subsidiaries",
    "short_term_investments": "I.C Investments with maturities of fewer than 12 months",
    "obligations_to_bank": "I.E Obligations to Bank",
    "liabilities_due_within_one_year": "I.F Liabilities (incl. all Indebtedness) maturing within one year",
    "deferred_revenue": "I.H Amounts received or invoiced in advance of performance, not yet revenue",
    # Schedule 1, II. Consolidated EBITDA (Sec. 6.9(ii))
    "net_income": "II.A Net Income",
    "interest_expense": "II.B Interest Expense",
    "depreciation": "II.C Depreciation expense (to the extent deducted from Net Income)",
    "amortization": "II.D Amortization expense (to the extent deducted from Net Income)",
    "income_tax_expense": "II.E Income Tax Expense",
    "non_cash_items": "II.F Reasonable non-cash items (stock compensation, purchase accounting)",
    "kpn_transaction_costs": "II.G One-time transaction costs of the KPN transaction",
    # Schedule 1, III. Cash Flow of Borrower and Existing Domestic Subsidiaries (Sec. 6.9(iii))
    "borrower_ebitda": "III.A EBITDA of Borrower and its Existing Domestic Subsidiaries",
    "unfunded_capex": "III.B Unfunded Capital Expenditures",
    "income_taxes_paid": "III.C Income Taxes to the extent paid in cash",
    "dividends_and_distributions": "III.D Dividends and Distributions",
    # context, not part of any covenant
    "revenue": "Revenue (context only; not a covenant line)",
    "company_adjusted_ebitda": (
        "Adjusted EBITDA as the company defines it (context only; NOT the covenant's "
        "Consolidated EBITDA)"
    ),
    "liquidity_quarter_end": (
        "Unrestricted cash and Cash Equivalents at Bank plus Availability Amount at quarter end "
        "(springing conditions, Sec. 6.9(iii))"
    ),
}
"""Known line items -> what they are and the Schedule 1 line they feed."""

KINDS: dict[str, str] = {
    "reported": "a public figure; 'source' names the filing",
    "estimate": (
        "inferred from a public statement that does not give the exact figure (e.g. 'at "
        "breakeven'); 'source' names the statement, 'note' says how the number was chosen"
    ),
    "illustrative": "a made-up sample value; 'source' says why it is there",
}

MAY_BE_NEGATIVE: frozenset[str] = frozenset(
    {
        "net_income",  # II.A: a net loss
        "income_tax_expense",  # II.E: a tax benefit
        "non_cash_items",  # II.F: purchase-accounting adjustments may go either way
        "borrower_ebitda",  # III.A: EBITDA may be negative
        "company_adjusted_ebitda",  # context only
    }
)
"""Line items that may be negative. Every other Schedule 1 input (cash, receivables,
investments, obligations, liabilities, deferred revenue, interest, depreciation,
amortization, KPN costs, capital expenditures, taxes paid, dividends) and the liquidity
figure is an amount that is zero or more."""

REQUIRED_COLUMNS = ("quarter_end", "line_item", "value", "kind", "source")
OPTIONAL_COLUMNS = ("note",)


class ActualsError(ValueError):
    """Actuals cannot answer a question asked of them (a missing quarter or line item)."""


class QuarterNotInActualsError(ActualsError, KeyError):
    """The quarter asked for is not in the actuals."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class MissingLineItemError(ActualsError, KeyError):
    """A line item a metric needs is not in the actuals for that quarter."""

    def __str__(self) -> str:
        return str(self.args[0])


def parse_quarter_end(value: Any) -> dt.date:
    """A fiscal quarter end from a date, a Timestamp or an ISO string.

    Examples
    --------
    >>> parse_quarter_end("2008-03-31")
    datetime.date(2008, 3, 31)
    >>> parse_quarter_end("2008-03-30")
    Traceback (most recent call last):
    ...
    ValueError: 2008-03-30 is not a fiscal quarter end (Mar 31, Jun 30, Sep 30, Dec 31)
    """
    d = as_date(value, "quarter_end")
    if not is_quarter_end(d):
        raise ValueError(f"{d} is not a fiscal quarter end (Mar 31, Jun 30, Sep 30, Dec 31)")
    return d


@dataclass(frozen=True)
class Entry:
    """One value with its provenance."""

    value: Decimal
    kind: str
    source: str
    note: str = ""
    line: int | None = None


@dataclass(frozen=True)
class QuarterActuals(Mapping[str, Decimal]):
    """The line items of one fiscal quarter: a read-only mapping ``line_item -> Decimal``.

    Indexing a missing item raises :class:`MissingLineItemError` naming the quarter,
    the item, the Schedule 1 line it feeds and the file.
    """

    quarter_end: dt.date
    entries: Mapping[str, Entry]
    file: str = "<actuals>"

    def __getitem__(self, item: str) -> Decimal:
        try:
            return self.entries[item].value
        except KeyError:
            what = LINE_ITEMS.get(item, "unknown line item")
            raise MissingLineItemError(
                f"{self.file}: quarter {self.quarter_end}: line item {item!r} ({what}) is missing; "
                f"add a row '{self.quarter_end},{item},<value>,<reported|illustrative>,<source>'"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, item: str) -> Entry:
        self[item]  # raises the clear error
        return self.entries[item]


@dataclass(frozen=True)
class Actuals:
    """Quarterly line items with provenance, validated once.

    Attributes
    ----------
    file : str
        Where they were read from.
    quarters : dict
        ``quarter_end -> QuarterActuals``.

    Examples
    --------
    >>> a = Actuals.from_records([
    ...     ("2008-03-31", "net_income", "-2100000", "reported", "Q1 2009 release"),
    ...     ("2008-03-31", "interest_expense", "400000", "illustrative", "sample"),
    ... ])
    >>> a.quarter("2008-03-31")["net_income"]
    Decimal('-2100000')
    >>> a.quarter_ends
    [datetime.date(2008, 3, 31)]
    """

    file: str
    quarters: Mapping[dt.date, QuarterActuals]

    @property
    def quarter_ends(self) -> list[dt.date]:
        return sorted(self.quarters)

    def quarter(self, quarter_end: Any) -> QuarterActuals:
        """The line items of ``quarter_end``; a quarter not in the actuals is an error."""
        q = parse_quarter_end(quarter_end)
        if q not in self.quarters:
            have = ", ".join(d.isoformat() for d in self.quarter_ends) or "none"
            raise QuarterNotInActualsError(
                f"{self.file}: quarter {q} is not in the actuals (quarters present: {have})"
            )
        return self.quarters[q]

    def to_frame(self) -> pd.DataFrame:
        """Long table: quarter_end, line_item, value (Decimal), kind, source, note."""
        rows = [
            {
                "quarter_end": q,
                "line_item": item,
                "value": e.value,
                "kind": e.kind,
                "source": e.source,
                "note": e.note,
            }
            for q in self.quarter_ends
            for item, e in self.quarters[q].entries.items()
        ]
        return pd.DataFrame(
            rows, columns=["quarter_end", "line_item", "value", "kind", "source", "note"]
        )

    def provenance(self, quarter_end: Any | None = None) -> pd.DataFrame:
        """Which values are reported and which illustrative (for one quarter or all)."""
        df = self.to_frame()
        if quarter_end is not None:
            df = df[df["quarter_end"] == parse_quarter_end(quarter_end)]
        return df.reset_index(drop=True)

    @classmethod
    def from_records(cls, records: Any, file: str = "<records>") -> Actuals:
        """Build from ``(quarter_end, line_item, value, kind, source[, note])`` tuples,
        validated as a CSV would be (``line`` = position + 2, as if under a header)."""
        rows = []
        for i, rec in enumerate(records):
            rec = list(rec) + [""] * (6 - len(rec))
            rows.append((i + 2, dict(zip(REQUIRED_COLUMNS + OPTIONAL_COLUMNS, rec, strict=True))))
        return _build(rows, file)


def _build(rows: Sequence[tuple[int, Mapping[str, Any]]], file: str) -> Actuals:
    problems: list[Problem] = []
    data: dict[dt.date, dict[str, Entry]] = {}
    for line, row in rows:

        def bad(col: str, rule: str, line: int = line) -> None:
            problems.append(Problem(f"row {line}, column '{col}'", rule, line))

        raw_q = str(row.get("quarter_end") or "").strip()
        q: dt.date | None
        try:
            q = parse_quarter_end(raw_q)
        except ValueError as exc:
            bad("quarter_end", str(exc))
            q = None
        item = str(row.get("line_item") or "").strip()
        if item not in LINE_ITEMS:
            bad("line_item", f"unknown line item {item!r}; known: {', '.join(LINE_ITEMS)}")
        raw_v = row.get("value")
        value: Decimal | None = None
        if isinstance(raw_v, float):
            bad("value", f"give amounts as exact decimal text, not float ({raw_v!r})")
        else:
            text = str(raw_v if raw_v is not None else "").strip().replace(",", "")
            try:
                value = Decimal(text)
                if not value.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                bad(
                    "value",
                    f"not a number: {raw_v!r} (write dollars, e.g. -2100000 or 350600000.00)",
                )
                value = None
            if (
                value is not None
                and value < 0
                and item in LINE_ITEMS
                and item not in MAY_BE_NEGATIVE
            ):
                bad("value", f"{item} must not be negative (got {text})")
                value = None
        kind = str(row.get("kind") or "").strip()
        if kind not in KINDS:
            bad("kind", f"must be one of {', '.join(KINDS)} (got {kind!r})")
        source = str(row.get("source") or "").strip()
        if not source:
            bad(
                "source",
                "every value needs a source (the filing) or, if illustrative, why it is there",
            )
        note = str(row.get("note") or "").strip()
        if q is not None and item in LINE_ITEMS:
            if item in data.get(q, {}):
                first = data[q][item].line
                bad("line_item", f"{item!r} for {q} appears twice (first on line {first})")
            elif value is not None:
                data.setdefault(q, {})[item] = Entry(value, kind, source, note, line)
    if problems:
        raise ParamsError(file, problems)
    return Actuals(file, {q: QuarterActuals(q, items, file) for q, items in sorted(data.items())})


def _display_name(p: Path) -> str:
    try:
        return str(p.relative_to(paths.ROOT))
    except ValueError:
        return str(p)


def load_actuals_csv(path: str | Path) -> Actuals:
    """Read and validate a long CSV of quarterly actuals (see the module docstring).

    Parameters
    ----------
    path : str or Path
        Relative paths are taken from the project root.

    Returns
    -------
    Actuals

    Raises
    ------
    ParamsError
        Naming the file, and for each bad cell the row (line number), column and rule.

    Examples
    --------
    >>> a = load_actuals_csv("params/actuals/ibasis-2008.csv")
    >>> a.quarter("2008-03-31").entry("revenue").value
    Decimal('324900000')
    """
    try:
        p = paths.input_path(path)
    except paths.UnsafePathError as exc:
        raise ParamsError(str(path), [Problem("", str(exc))]) from None
    name = _display_name(p)
    if not p.is_file():
        raise ParamsError(name, [Problem("", f"file not found ({p})")])
    with p.open(newline="", encoding="utf-8") as fh:
        lines = [ln for ln in fh]
    # skip leading comment lines ('#'), keeping line numbers true to the file
    start = 0
    while start < len(lines) and lines[start].lstrip().startswith("#"):
        start += 1
    reader = csv.DictReader(lines[start:])
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        rule = []
        if missing:
            rule.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            rule.append(f"unknown column(s) {', '.join(unknown)}")
        raise ParamsError(
            name,
            [
                Problem(
                    "header",
                    "; ".join(rule) + f"; expected {','.join(REQUIRED_COLUMNS)}[,note]",
                    start + 1,
                )
            ],
        )
    rows = []
    for row in reader:
        line = start + reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        rows.append((line, row))
    return _build(rows, name)


def build_actuals(pf: ParamsFile) -> Actuals:
    """Builder for YAML actuals (``kind: actuals``)::

        kind: actuals
        quarters:
          2008-03-31:
            net_income: {value: -2100000, kind: reported, source: "..."}

    Values must be integers or quoted decimals (a float would lose cents).
    """
    quarters = pf.data.get("quarters")
    if not isinstance(quarters, dict):
        raise pf.error(("quarters",), "expected a mapping of quarter end -> line items")
    rows = []
    for q, items in quarters.items():
        if not isinstance(items, dict):
            raise pf.error(
                ("quarters", q), "expected a mapping of line item -> {value, kind, source}"
            )
        for item, spec in items.items():
            line = pf.line_of(("quarters", q, item)) or 0
            spec = spec if isinstance(spec, dict) else {"value": spec}
            value = spec.get("value")
            rows.append(
                (
                    line,
                    {
                        "quarter_end": q.isoformat() if isinstance(q, dt.date) else q,
                        "line_item": item,
                        "value": value
                        if isinstance(value, float)
                        else ("" if value is None else str(value)),
                        "kind": spec.get("kind"),
                        "source": spec.get("source"),
                        "note": spec.get("note"),
                    },
                )
            )
    return _build(rows, pf.name)
