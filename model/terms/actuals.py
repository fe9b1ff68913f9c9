"""Quarterly actuals: the line items a deal reports, one value per row, with provenance.

An actuals file is a long ("tidy") CSV::

    quarter_end,line_item,value,kind,source
    2008-03-31,net_income,-2100000,reported,"iBasis Q1 2009 earnings release ... ($-2.1 million)"
    2008-03-31,interest_expense,400000,illustrative,"not public: ..."

* ``quarter_end``: ISO date of a fiscal quarter end (Mar 31, Jun 30, Sep 30, Dec 31);
* ``line_item``: a line item the deal defines (its compliance file's ``line_items``);
* ``value``: US dollars, exact to the cent;
* ``kind``: ``reported`` (a public figure; ``source`` names the filing), ``estimate``
  (inferred from a public statement that does not give the exact figure; ``note`` says
  how) or ``illustrative`` (a made-up value; ``source`` says why it is there);
* ``source``: provenance text, never empty; ``note`` (optional column).

So an analyst always sees which numbers are real. Which line items exist and which may be
negative is the deal's: :meth:`Actuals.check` validates a file against the deal's line
items (the covenant engine does so before it reads a figure), naming the file, line and
column of each problem. The same data can be given as YAML (``kind: actuals``, see
:func:`build_actuals`).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from model import paths
from model.dates.periods import read_quarter_end
from model.errors import InputError, NotFoundError, ParamsError, Problem, UnsafePathError
from model.terms.compliance import LineItem
from model.terms.files import Column, CsvSchema, ParamsFile, read_csv
from model.values import read_choice, read_money, read_name

__all__ = [
    "KINDS",
    "ACTUALS_SCHEMA",
    "Actuals",
    "Entry",
    "QuarterActuals",
    "MissingLineItemError",
    "QuarterNotInActualsError",
    "load_actuals_csv",
    "build_actuals",
]

KINDS: dict[str, str] = {
    "reported": "a public figure; 'source' names the filing",
    "estimate": (
        "inferred from a public statement that does not give the exact figure (e.g. 'at "
        "breakeven'); 'source' names the statement, 'note' says how the number was chosen"
    ),
    "illustrative": "a made-up sample value; 'source' says why it is there",
}

ACTUALS_SCHEMA = CsvSchema(
    "quarterly actuals",
    (
        Column("quarter_end", read_quarter_end),
        Column("line_item", read_name),
        Column("value", lambda v, k, **w: read_money(v, k, negative=True, **w)),
        Column("kind", lambda v, k, **w: read_choice(v, KINDS, k, **w)),
        Column("source", read_name),
        Column("note", read_name, required=False, blank_ok=True),
    ),
)


class QuarterNotInActualsError(NotFoundError):
    """The quarter asked for is not in the actuals."""


class MissingLineItemError(NotFoundError):
    """A line item a metric needs is not in the actuals for that quarter."""


@dataclass(frozen=True)
class Entry:
    """One value with its provenance and its line in the file."""

    value: Decimal
    kind: str
    source: str
    note: str = ""
    line: int | None = None


@dataclass(frozen=True)
class QuarterActuals(Mapping[str, Decimal]):
    """The line items of one fiscal quarter: a read-only mapping ``line_item -> Decimal``.

    Indexing a missing item raises :class:`MissingLineItemError` naming the quarter, the
    item and the file.
    """

    quarter_end: dt.date
    entries: Mapping[str, Entry]
    file: str = "<actuals>"

    def __getitem__(self, item: str) -> Decimal:
        try:
            return self.entries[item].value
        except KeyError:
            raise MissingLineItemError(
                f"{self.file}: quarter {self.quarter_end}: line item {item!r} is missing; "
                f"add a row '{self.quarter_end},{item},<value>,<reported|estimate|illustrative>,<source>'"
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
        return self.at(read_quarter_end(quarter_end))

    def at(self, q: dt.date) -> QuarterActuals:
        """:meth:`quarter` of a quarter end already read."""
        if q not in self.quarters:
            have = ", ".join(d.isoformat() for d in self.quarter_ends) or "none"
            raise QuarterNotInActualsError(
                f"{self.file}: quarter {q} is not in the actuals (quarters present: {have})"
            )
        return self.quarters[q]

    def check(self, line_items: Mapping[str, LineItem]) -> None:
        """Every line item is one the deal defines, and only those that may be negative are.

        Raises
        ------
        ParamsError
            Naming this file, and the line and column of each problem.
        """
        problems: list[Problem] = []
        for q in self.quarter_ends:
            for item, e in self.quarters[q].entries.items():
                if item not in line_items:
                    near = difflib.get_close_matches(item, list(line_items), n=1)
                    hint = f" (did you mean '{near[0]}'?)" if near else ""
                    rule = f"unknown line item '{item}'{hint}; the deal defines: {', '.join(line_items)}"
                    problems.append(Problem("line_item", rule, e.line))
                elif e.value < 0 and not line_items[item].may_be_negative:
                    problems.append(
                        Problem("value", f"{item} must not be negative (got {e.value})", e.line)
                    )
        if problems:
            raise ParamsError.from_problems(self.file, problems)

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
            df = df[df["quarter_end"] == read_quarter_end(quarter_end)]
        return df.reset_index(drop=True)

    @classmethod
    def from_records(
        cls, records: Any, file: str = "<records>", lines: Sequence[int] | None = None
    ) -> Actuals:
        """Build from ``(quarter_end, line_item, value, kind, source[, note])`` tuples,
        validated as a CSV would be. ``lines`` gives each record's line in ``file``
        (default: position + 2, as if under a header)."""
        rows: list[tuple[int, dict[str, Any]]] = []
        problems: list[Problem] = []
        for i, rec in enumerate(records):
            line = lines[i] if lines is not None else i + 2
            values: dict[str, Any] = {}
            for col, raw in zip(ACTUALS_SCHEMA.columns, list(rec) + [None] * 6, strict=False):
                if raw is None or (isinstance(raw, str) and not raw.strip()):
                    if col.required:
                        problems.append(Problem(col.name, "missing value", line))
                    values[col.name] = None
                    continue
                try:
                    values[col.name] = col.read(raw, col.name, file=file, line=line)
                except InputError as exc:
                    problems.append(Problem(col.name, exc.rule, line))
            rows.append((line, values))
        if problems:
            raise ParamsError.from_problems(file, problems)
        return _build(rows, file)


def _build(rows: Sequence[tuple[int, Mapping[str, Any]]], file: str) -> Actuals:
    problems: list[Problem] = []
    data: dict[dt.date, dict[str, Entry]] = {}
    for line, row in rows:
        q, item = row["quarter_end"], row["line_item"]
        if item in data.get(q, {}):
            first = data[q][item].line
            problems.append(
                Problem(
                    "line_item", f"{item!r} for {q} appears twice (first on line {first})", line
                )
            )
            continue
        data.setdefault(q, {})[item] = Entry(
            row["value"], row["kind"], row["source"], row.get("note") or "", line
        )
    if problems:
        raise ParamsError.from_problems(file, problems)
    return Actuals(file, {q: QuarterActuals(q, items, file) for q, items in sorted(data.items())})


def load_actuals_csv(path: Path) -> Actuals:
    """Read and validate a long CSV of quarterly actuals (see the module docstring).

    Raises
    ------
    ParamsError
        Naming the file, and for each bad cell its line, column and rule.

    Examples
    --------
    >>> from model import paths
    >>> a = load_actuals_csv(paths.params_path("deals/ibasis/actuals/ibasis-2008.csv"))
    >>> a.quarter("2008-03-31").entry("revenue").value
    Decimal('324900000')
    """
    try:  # however it is named, a params file is read from params/ only
        path = paths.input_path(path if isinstance(path, Path) else str(path))
    except UnsafePathError as exc:
        raise ParamsError(exc.rule, file=str(path)) from None
    name = paths.shown(path)
    rows = [(r.line, r.values) for r in read_csv(path, ACTUALS_SCHEMA)]
    return _build(rows, name)


_ITEM_KEYS = ("value", "kind", "source", "note")
"""The keys of one line item in YAML actuals (the CSV columns after quarter_end, line_item)."""


def build_actuals(pf: ParamsFile) -> Actuals:
    """Builder for YAML actuals (``kind: actuals``)::

    kind: actuals
    name: "..."            # optional
    quarters:
      2008-03-31:
        net_income: {value: -2100000, kind: reported, source: "..."}

    Each line item is a mapping of ``value``, ``kind``, ``source`` and optionally ``note``
    (another key is an error); problems name the line of the item in the YAML file.
    """
    unknown = [k for k in pf.data if k not in ("kind", "name", "notes", "quarters")]
    if unknown:
        raise pf.error(
            (unknown[0],), "unknown key (YAML actuals hold kind, name, notes and quarters)"
        )
    quarters = pf.data.get("quarters")
    if not isinstance(quarters, dict):
        raise pf.error(("quarters",), "expected a mapping of quarter end -> line items")
    records: list[tuple[Any, ...]] = []
    lines: list[int] = []
    for q, items in quarters.items():
        if not isinstance(items, dict):
            raise pf.error(
                ("quarters", q), "expected a mapping of line item -> {value, kind, source}"
            )
        for item, spec in items.items():
            loc = ("quarters", q, item)
            if not isinstance(spec, dict):
                raise pf.error(loc, "expected a mapping {value, kind, source[, note]}")
            extra = [k for k in spec if k not in _ITEM_KEYS]
            if extra:
                raise pf.error(
                    loc + (extra[0],),
                    f"unknown key {extra[0]!r}; a line item has {', '.join(_ITEM_KEYS)}",
                )
            records.append((q, item, *(spec.get(k) for k in _ITEM_KEYS)))
            lines.append(pf.line_of(loc) or 0)
    return Actuals.from_records(records, pf.name, lines)
