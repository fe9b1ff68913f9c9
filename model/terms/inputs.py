"""Dated inputs of the facility engines: receivables certificates, cash, draws, the base
rate path and open invoices, read from CSV files in ``params/`` (or given as DataFrames).

Each kind has a fixed set of columns (:data:`SCHEMAS`); a file is read with
:func:`model.terms.files.read_csv`, so a misspelt column, a short row, a bad date or
amount is an error naming the file, line and column. :func:`read_dated_csv` returns a
DataFrame with ``date`` (and ``invoice_date``, ``aged_as_of``) as datetimes, amounts as
floats of exact cents, flags as booleans and names cleaned (:func:`model.values.read_name`).
"""

from __future__ import annotations

import csv
import difflib
import os
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from model import paths
from model.errors import InputError, ParamsError, Problem, UnsafePathError
from model.terms.files import Column, CsvRow, CsvSchema, read_csv, read_text
from model.values import read_date, read_flag, read_money, read_name, read_rate

__all__ = ["SCHEMAS", "MAX_BASE_RATE", "read_dated_csv", "input_kind", "csv_kind"]

MAX_BASE_RATE = Decimal("0.5")
"""Base rates are decimal fractions: 0 <= rate < 0.5 (50%) is accepted; 5.0 is a typo for 0.05."""

_money = read_money
_signed = partial(read_money, negative=True)


def _rate(value: Any, key: str, **where: Any) -> Any:
    return read_rate(value, key, high=MAX_BASE_RATE, **where)


def _col(
    name: str, read: Callable[..., Any], required: bool = True, blank_ok: bool = False
) -> Column:
    return Column(name, read, required=required, blank_ok=blank_ok)


SCHEMAS: dict[str, CsvSchema] = {
    "receivables": CsvSchema(
        "receivables certificates (Borrowing Base Certificates by as-of date)",
        (
            _col("date", read_date),
            _col("eligible_domestic", _money),
            _col("eligible_foreign", _money),
            _col("gross_domestic", _money, required=False, blank_ok=True),
            _col("gross_foreign", _money, required=False, blank_ok=True),
        ),
    ),
    "cash": CsvSchema("cash at the Bank by date", (_col("date", read_date), _col("cash", _money))),
    "draws": CsvSchema(
        "draws (+) and repayments (-) by date", (_col("date", read_date), _col("amount", _signed))
    ),
    "rate_path": CsvSchema(
        "base rate path by effective date", (_col("date", read_date), _col("rate", _rate))
    ),
    "invoices": CsvSchema(
        "open invoices with their aging date",
        (
            _col("customer", read_name),
            _col("invoice_date", read_date),
            _col("amount", _money),
            _col("foreign", read_flag),
            _col("affiliate", read_flag),
            _col("insured", read_flag),
            _col("aged_as_of", read_date),
        ),
    ),
}
"""Input kind -> its columns."""

_DATE_COLUMNS = ("date", "invoice_date", "aged_as_of")


def input_kind(header: list[str]) -> str:
    """The input kind whose required columns a header has (for files read without a kind)."""
    fits = [k for k, s in SCHEMAS.items() if all(c.name in header for c in s.columns if c.required)]
    if len(fits) == 1:
        return fits[0]
    names = ", ".join(f"{k} ({s.header_hint()})" for k, s in SCHEMAS.items())
    guess = difflib.get_close_matches(
        ",".join(header), [s.header_hint() for s in SCHEMAS.values()], n=1
    )
    hint = f"; nearest: {guess[0]}" if guess else ""
    raise InputError(
        f"the header {','.join(header)} matches no input kind{hint}; kinds: {names}", key="header"
    )


def _frame(rows: list[dict[str, Any]], schema: CsvSchema) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=schema.names)
    for c in schema.columns:
        if c.name in _DATE_COLUMNS:
            df[c.name] = pd.to_datetime(df[c.name])
        elif c.read in (_money, _signed, _rate):
            df[c.name] = [None if v is None else float(v) for v in df[c.name]]
            df[c.name] = df[c.name].astype(float)
    present = [c.name for c in schema.columns if c.required or df[c.name].notna().any()]
    return df[present]


def read_dated_csv(path: str | os.PathLike[str], kind: str | None = None) -> pd.DataFrame:
    """Read an input CSV of ``kind`` (see :data:`SCHEMAS`; ``#`` lines before the header
    are comments, every line after it is a row).

    A name given as text must lie inside ``params/`` (:func:`model.paths.input_path`).
    Without ``kind`` the kind is the one whose columns the header has.

    Raises
    ------
    ParamsError
        Naming the file, and the line and column of each bad cell, an unknown or missing
        column, a short or long row, a date given twice in a step input (receivables, cash,
        rate path: one figure in force from each date).

    Examples
    --------
    >>> read_dated_csv("params/deals/ibasis/scenarios/svb-cash-sample.csv", "cash").columns.tolist()
    ['date', 'cash']
    """
    try:
        p = paths.input_path(path)
    except UnsafePathError as exc:
        raise ParamsError(exc.rule, file=str(path)) from None
    if kind is None:
        kind = csv_kind(p)
    if not isinstance(kind, str) or kind not in SCHEMAS:
        raise InputError(f"unknown input kind {kind!r}; kinds: {', '.join(SCHEMAS)}", key="kind")
    schema = SCHEMAS[kind]
    rows = read_csv(p, schema)
    if kind in _ONE_ROW_PER_DATE:
        _check_dates_unique(rows, paths.shown(p))
    return _frame([r.values for r in rows], schema)


def csv_kind(p: Path) -> str:
    """The kind of a CSV from its header, read as :func:`model.terms.files.read_csv` reads
    it (the csv module: a quoted column name is the name)."""
    for number, line in enumerate(read_text(p).splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                header = [h.strip() for h in next(csv.reader([line], strict=True))]
            except csv.Error as exc:
                raise ParamsError(
                    f"not valid CSV: {exc}", key="header", file=paths.shown(p), line=number
                ) from None
            try:
                return input_kind(header)
            except InputError as exc:
                raise ParamsError(
                    exc.rule, key="header", file=paths.shown(p), line=number
                ) from None
    raise ParamsError("the file is empty: expected a header line", file=paths.shown(p))


_ONE_ROW_PER_DATE = ("receivables", "cash", "rate_path")
"""Step inputs: the figure in force from each date, so a date may appear once (draws may
repeat a date: each is a separate draw or repayment)."""


def _check_dates_unique(rows: list[CsvRow], shown: str) -> None:
    first: dict[Any, int] = {}
    problems = []
    for r in rows:
        d = r.values.get("date")
        if d in first:
            rule = f"{d} appears twice (first on line {first[d]}): give one row per date"
            problems.append(Problem("date", rule, r.line))
        else:
            first[d] = r.line
    if problems:
        raise ParamsError.from_problems(shown, problems)
