"""The projection workbook's live part: from the projected figures to each covenant test,
as formulas an analyst can change.

:func:`projection_sheets` writes, after the Summary sheet of the projection report:

* **Drivers**: every input of the scenario, its value shaded, with its source or reason.
  They are what the model ran with: the daily facility arithmetic (revolver, Borrowing
  Base, cash dominion) turns them into the projected figures, so a changed driver needs a
  rerun (``model run 04-projection --scenario <name> --set drivers.<driver>=<value>``);
* **Projected figures**: the projected quantities quarter by quarter (shaded, to be
  overridden), with interest expense and net income as formulas of their parts
  (:data:`~model.terms.quantities.INTEREST_EXPENSE`,
  :data:`~model.terms.quantities.NET_INCOME_LESS`);
* **Line items**: each line item of the deal's compliance file, a formula over the
  projected figures as the file's ``projection`` says (``payables + other current
  liabilities + other debt``), with its reason;
* one build-up sheet per projected quarter: the certificate schedule's lines, each input a
  formula over the line items of its measurement window, each computed line the deal's
  arithmetic, and beside each metric its test (required level, whether a springing test
  applies on the quarter's lowest liquidity, complies, headroom).

So an override of a projected figure (EBITDA of one quarter, say) flows through net income
and the line items to the tests of every quarter that measures it. Every formula cell also
carries the model's value, so a previewer or Protected View, which does not recalculate,
shows the model's figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd
from xlsxwriter.workbook import Workbook

from model.engines.covenants.metrics import MetricBuildUp, ScheduleLine
from model.engines.projection.schedules import ScheduleQuarter
from model.reports.excel import (
    ScheduleTest,
    column_letters,
    fit_row,
    print_setup,
    schedule_rows,
    sheet_name,
)
from model.terms.facility import Facility
from model.terms.quantities import INTEREST_EXPENSE, NET_INCOME_LESS, QUANTITIES
from model.terms.scenarios import input_words
from model.values import is_missing

__all__ = ["ProjectedWorkbook", "projection_sheets", "FIGURES_SHEET", "ITEMS_SHEET"]

FIGURES_SHEET = "Projected figures"
ITEMS_SHEET = "Line items"
_FIRST = 2  # the first quarter's column (C) on the figures and line items sheets

_DERIVED = {
    "interest_expense": (INTEREST_EXPENSE, ()),
    "net_income": (("ebitda",), NET_INCOME_LESS),
}
"""The projected figures written as formulas: the parts they add and those they deduct,
as the engine computes them (:mod:`model.terms.quantities`)."""


_WORDS = {
    "min_liquidity": "lowest liquidity of the quarter, any day (cash at the Bank plus "
    "availability): what a springing test reads",
    "borrower_ebitda_share": "the Borrower's share of EBITDA (the scenario's driver)",
}
"""Words for the rows that are not quantities of the compliance file's projection."""


@dataclass(frozen=True)
class ProjectedWorkbook:
    """What the live sheets show: the deal, the scenario's name and inputs (its
    ``provenance()`` frame), the projected quantities the line items read, each quarter by
    quarter in dollars (:func:`~model.engines.projection.schedules.projected_quantities`),
    and the covenant build-ups of each projected quarter."""

    facility: Facility
    scenario: str
    inputs: pd.DataFrame
    quantities: Mapping[str, Sequence[float]]
    quarters: tuple[ScheduleQuarter, ...]

    @property
    def quarter_ends(self) -> list[dt.date]:
        """The projected quarters, in order."""
        return [q.quarter_end for q in self.quarters]


def _short_title(book: ProjectedWorkbook) -> str:
    """The certificate schedule's title, short enough to name a sheet with its quarter: its
    first two words when long."""
    title = book.facility.compliance.certificate.schedule_title
    return title if len(title) <= 20 else " ".join(title.split()[:2])


def _drivers(ws: Any, book: ProjectedWorkbook, formats: dict[str, Any]) -> None:
    note = (
        f"The inputs of scenario {book.scenario}, as the model ran them. The model's daily "
        "facility arithmetic turns them into the sheet Projected figures; to change one, "
        f"rerun: model run 04-projection --scenario {book.scenario} --set "
        "drivers.<driver>=<value>. To see the covenants move at once, override a projected "
        f"figure there. The sheets after the {_short_title(book)} sheets hold the model's "
        "values: they do not follow an override."
    )
    widths = [34, 34, 16, 12, 70]
    for j, w in enumerate(widths):
        ws.set_column(j, j, w, formats["wrap"])
    ws.merge_range(0, 0, 0, 4, note, formats["note_wrap"])
    fit_row(ws, 0, [(note, sum(widths))])
    heads = ["Input", "Name (for --set)", "Value", "Kind", "Source or assumption"]
    ws.write_row(2, 0, heads, formats["header"])
    for i, r in enumerate(book.inputs.to_dict("records"), start=3):
        term, provenance = str(r["term"]), str(r["provenance"])
        words = input_words(term)
        ws.write(i, 0, words[:1].upper() + words[1:], formats["wrap"])
        ws.write(i, 1, term, formats["wrap"])
        value: Any = r["value"]
        if isinstance(value, str):
            try:  # a number written as text in the params file ("0.46") is a number here
                number = Decimal(value)
                value = float(number) if number.is_finite() else value
            except InvalidOperation:
                pass
        if isinstance(value, bool) or is_missing(value):
            ws.write(i, 2, "" if is_missing(value) else str(value), formats["input_text"])
        elif isinstance(value, int | float) or hasattr(value, "as_tuple"):
            ws.write_number(i, 2, float(value), formats["input_number"])
        else:
            ws.write(i, 2, str(value), formats["input_text"])
        kind = {"source": "reported"}.get(str(r["kind"]), str(r["kind"]))
        ws.write(i, 3, kind)
        ws.write(i, 4, provenance, formats["wrap"])
        fit_row(ws, i, [(provenance, widths[4]), (term, widths[1]), (words, widths[0])])
    ws.freeze_panes(3, 1)
    print_setup(ws, "Drivers", header_rows=3)


def _quarter_header(
    ws: Any, quarters: Sequence[dt.date], first: str, formats: dict[str, Any]
) -> None:
    ws.write(0, 0, first, formats["header"])
    ws.write(0, 1, "Name", formats["header"])
    for j, q in enumerate(quarters):
        ws.write(0, _FIRST + j, q.isoformat(), formats["header"])


def _figures(ws: Any, book: ProjectedWorkbook, formats: dict[str, Any]) -> dict[str, int]:
    """The projected quantities; returns the row of each."""
    names = list(book.quantities)
    quarters = book.quarter_ends
    _quarter_header(ws, quarters, "Projected figure (dollars)", formats)
    rows = {n: i for i, n in enumerate(names, start=1)}
    for n, i in rows.items():
        words = _WORDS.get(n) or QUANTITIES.get(n, n.replace("_", " "))
        label = words[:1].upper() + words[1:]
        ws.write(i, 0, label, formats["wrap"])
        ws.write(i, 1, n)
        fit_row(ws, i, [(label, 48)])
        for j in range(len(quarters)):
            c = column_letters(_FIRST + j)
            value = book.quantities[n][j]
            if n == "borrower_ebitda" and {"ebitda", "borrower_ebitda_share"} <= set(rows):
                share = f"{c}{rows['borrower_ebitda_share'] + 1}"
                formula = f"=ROUND({c}{rows['ebitda'] + 1}*{share},2)"
                ws.write_formula(i, _FIRST + j, formula, formats["usd"], value)
            elif n == "borrower_ebitda_share":
                ws.write_number(i, _FIRST + j, value, formats["input_ratio"])
            elif n in _DERIVED and all(p in rows for p in (*_DERIVED[n][0], *_DERIVED[n][1])):
                add, deduct = _DERIVED[n]
                plus = "+".join(f"{c}{rows[p] + 1}" for p in add)
                less = "".join(f"-{c}{rows[p] + 1}" for p in deduct)
                ws.write_formula(i, _FIRST + j, f"={plus}{less}", formats["usd"], value)
            else:
                ws.write_number(i, _FIRST + j, value, formats["input"])
    note = (
        "Shaded: the model's projected figures, to override. Formulas: interest expense, net "
        "income and the Borrower's EBITDA (EBITDA x its share). The rest do not follow an "
        "override here: cash, the revolver, availability and liquidity come from the model's "
        "daily facility arithmetic (a changed cash or revolver balance does not recompute "
        "interest, the Borrowing Base or liquidity; override the lowest liquidity to flip a "
        "springing test). A changed depreciation moves net income, not the covenant's EBITDA, "
        "which adds it back."
    )
    last = len(rows) + 2
    ws.merge_range(last, 0, last, _FIRST + len(quarters) - 1, note, formats["note_wrap"])
    fit_row(ws, last, [(note, 48 + 24 + 17 * len(quarters))])
    ws.set_column(0, 0, 48, formats["wrap"])
    ws.set_column(1, 1, 24, formats["top"])
    ws.set_column(_FIRST, _FIRST + len(quarters) - 1, 17, formats["top"])
    ws.freeze_panes(1, 2)
    print_setup(ws, FIGURES_SHEET)
    return rows


def _items(
    ws: Any, book: ProjectedWorkbook, figure_rows: dict[str, int], formats: dict[str, Any]
) -> dict[str, int]:
    """The line items as formulas of the projected figures; returns the row of each."""
    comp = book.facility.compliance
    quarters = book.quarter_ends
    _quarter_header(ws, quarters, "Line item (dollars)", formats)
    last = _FIRST + len(quarters)
    ws.write(0, last, "From the projected figures", formats["header"])
    ws.write(0, last + 1, "Why", formats["header"])
    rows: dict[str, int] = {}
    for i, (item, spec) in enumerate(comp.projection.items(), start=1):
        rows[item] = i
        li = comp.line_items.get(item)
        label = li.label if li is not None else item.replace("_", " ")
        ws.write(i, 0, label, formats["wrap"])
        ws.write(i, 1, item)
        for j in range(len(quarters)):
            c = column_letters(_FIRST + j)
            ref = f"'{FIGURES_SHEET}'!{c}"
            formula = (
                "="
                + "+".join(f"{ref}{figure_rows[s] + 1}" for s in spec.sum)
                + "".join(f"-{ref}{figure_rows[s] + 1}" for s in spec.less)
            )
            cached = round(
                sum(book.quantities[s][j] for s in spec.sum)
                - sum(book.quantities[s][j] for s in spec.less),
                2,
            )
            ws.write_formula(i, _FIRST + j, formula, formats["usd"], cached)
        how = " + ".join(s.replace("_", " ") for s in spec.sum) + "".join(
            f" - {s.replace('_', ' ')}" for s in spec.less
        )
        why = spec.assumption or spec.source or ""
        ws.write(i, last, how, formats["wrap"])
        ws.write(i, last + 1, why, formats["wrap"])
        fit_row(ws, i, [(label, 34), (how, 24), (why, 40)])
    ws.set_column(0, 0, 34, formats["wrap"])
    ws.set_column(1, 1, 26, formats["top"])
    ws.set_column(_FIRST, last - 1, 17, formats["top"])
    ws.set_column(last, last, 24, formats["wrap_indent"])
    ws.set_column(last + 1, last + 1, 40, formats["wrap"])
    ws.freeze_panes(1, 2)
    print_setup(ws, ITEMS_SHEET)
    return rows


def projection_sheets(
    book: ProjectedWorkbook,
) -> Callable[[Workbook, dict[str, Any], set[str]], None]:
    """The live sheets of the projection workbook (see the module docstring), for
    :func:`~model.reports.excel.write_workbook`'s ``sheets``."""
    return lambda wb, formats, taken: _write(wb, book, formats, taken)


def _write(wb: Workbook, book: ProjectedWorkbook, formats: dict[str, Any], taken: set[str]) -> None:
    _drivers(wb.add_worksheet(sheet_name("Drivers", taken)), book, formats)
    figure_rows = _figures(wb.add_worksheet(sheet_name(FIGURES_SHEET, taken)), book, formats)
    item_rows = _items(wb.add_worksheet(sheet_name(ITEMS_SHEET, taken)), book, figure_rows, formats)
    quarters = book.quarter_ends

    def link(ln: ScheduleLine, build: MetricBuildUp) -> str | None:
        if ln.line_item not in item_rows or not all(q in quarters for q in build.quarters):
            return None
        cols = sorted(_FIRST + quarters.index(q) for q in build.quarters)
        row = item_rows[ln.line_item] + 1
        ref = f"'{ITEMS_SHEET}'!"
        if len(cols) == 1:
            return f"={ref}{column_letters(cols[0])}{row}"
        if cols == list(range(cols[0], cols[-1] + 1)):
            return f"=SUM({ref}{column_letters(cols[0])}{row}:{column_letters(cols[-1])}{row})"
        return "=" + "+".join(f"{ref}{column_letters(c)}{row}" for c in cols)

    title = book.facility.compliance.certificate.schedule_title
    short = _short_title(book)
    for sq in book.quarters:
        name = sheet_name(f"{short} {sq.quarter_end}", taken)
        ws = wb.add_worksheet(name)
        j = quarters.index(sq.quarter_end)
        low = (
            f"='{FIGURES_SHEET}'!{column_letters(_FIRST + j)}{figure_rows['min_liquidity'] + 1}"
            if "min_liquidity" in figure_rows
            else None
        )
        schedule_rows(
            ws,
            ScheduleTest(book.facility, sq.results, sq.schedule),
            formats,
            link=link,
            liquidity=(low, sq.liquidity_low),
            title=f"Projected quarter ended {sq.quarter_end}, scenario {book.scenario}",
        )
        print_setup(ws, f"{title}, projected quarter ended {sq.quarter_end}", header_rows=1)
