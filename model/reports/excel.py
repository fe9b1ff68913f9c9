"""The same tables in Excel: one workbook per report.

:func:`write_workbook` writes ``<output_dir>/<name>.xlsx`` with XlsxWriter:

* every :class:`~model.reports.tables.Table` on its own sheet, numbers as numbers with the
  number format of their kind (dollars, percentages, ratios, dates), the header row bold
  and frozen, column widths from their contents;
* a sheet of the covenant build-ups (:func:`schedule_rows`, named after the deal's
  certificate schedule), when a compliance test is given, with **live
  formulas**: each input line is a value cell (shaded, to be changed), each computed line an
  Excel formula over the cells of the lines it combines (``=C5+C6+C7``, ``=C11-C12``,
  ``=ROUND(C8/C13,4)``: the operations of the deal's build-up, not a copy of the results),
  and beside each metric its compliance test (required level, ``=IF(...)`` complies,
  headroom), so an analyst can change an input and see the covenant recompute;
* a "Summary" sheet first when the notebook gives its headline and banners (the answer
  and the warnings, as on the report's first screen);
* a "Sources and assumptions" sheet and an "Inputs used" sheet;
* the report's own sheets after the Summary (``sheets``: the projection's live build-ups,
  :mod:`model.reports.excel_projection`);
* every sheet set up to print: Letter landscape, one page wide, header row repeated, every
  row with wrapped text as tall as its lines (:func:`fit_row`), so nothing overprints.

Formula cells also carry the value the model computed, so a reader that does not
recalculate (openpyxl) sees the same figures. The file is written to a temporary name
and renamed into place: a report is never half-written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from model import paths
from model.engines.covenants.metrics import MetricBuildUp, ScheduleLine
from model.errors import InputError
from model.reports.tables import Table, cell
from model.terms.compliance import Metric
from model.terms.facility import Facility
from model.values import is_missing

__all__ = [
    "write_workbook",
    "ScheduleTest",
    "sheet_name",
    "print_setup",
    "fit_row",
    "schedule_rows",
    "Sheets",
    "column_letters",
]

_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique worksheet name (at most 31 characters, no ``[]:*?/\\``).

    A longer title is cut at the last whole word that fits.

    >>> sheet_name("Compliance: 2008-03-31", set())
    'Compliance 2008-03-31'
    >>> sheet_name("Quarterly covenant compliance certificate schedule", set())
    'Quarterly covenant compliance'
    """
    base = _BAD.sub("", title).strip()
    if len(base) > 31:
        cut = base[:32].rfind(" ")
        base = base[:cut] if cut >= 12 else base[:31]
    base = base.strip() or "Sheet"
    name, i = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({i})"
        name, i = base[: 31 - len(suffix)] + suffix, i + 1
    taken.add(name)
    return name


def print_setup(ws: Worksheet, title: str, header_rows: int = 1) -> None:
    """Print as a report: US Letter landscape, one page wide, the header row repeated on
    every page, the sheet's title at the top left and the page number at the right."""
    ws.set_landscape()
    ws.set_paper(1)  # Letter
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.6)
    if header_rows:
        ws.repeat_rows(0, header_rows - 1)
    if len(title) > 90:  # beside "Page n of m" on one line
        title = title[: title[:88].rfind(" ")].rstrip(" ,;:") + " …"
    ws.set_header(f"&L{title.replace('&', '&&')}&RPage &P of &N")


def text_lines(text: Any, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` characters wide: what the
    row's height must allow, since neither Excel nor LibreOffice grows a row written by
    XlsxWriter to fit its wrapped text when printing.

    >>> text_lines("a" * 30, 20), text_lines("one two", 60), text_lines(None, 10)
    (2, 1, 1)
    """
    if text is None or not isinstance(text, str):
        return 1
    usable = max(int(width * 0.85) - 1, 1)
    return sum(max(1, len(textwrap.wrap(part, usable))) for part in text.split("\n"))


def fit_row(ws: Worksheet, row: int, cells: Sequence[tuple[Any, float]]) -> None:
    """Make ``row`` tall enough for the most lines any of its wrapped ``cells`` (text,
    column width) takes, at 15 points a line (never lower than it was set before)."""
    lines = max((text_lines(text, width) for text, width in cells), default=1)
    was = ws.row_sizes.get(row, [None])[0] or 15  # a row set before keeps its height
    if 15 * lines > was:
        ws.set_row(row, 15 * lines)


def _excel_value(value: Any, kind: str) -> Any:
    if is_missing(value):
        return None
    if kind in ("usd", "usd_whole", "percent", "ratio", "rate", "int"):
        try:
            return float(value)
        except (TypeError, ValueError):
            return str(value)
    if kind == "date":
        if isinstance(value, pd.Timestamp):
            return value.to_pydatetime()
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return dt.datetime(value.year, value.month, value.day)
        return value
    return cell(value, kind)


def _write_table(wb: Workbook, ws: Worksheet, t: Table, formats: dict[str, Any]) -> None:
    bold = formats["header"]
    ws.write(0, 0, t.index_header or "", bold)
    widths = [len(t.index_header or "")]
    for j, c in enumerate(t.frame.columns, start=1):
        ws.write(0, j, t.headers[c], bold)
        widths.append(len(t.headers[c]))
    for i, (idx, row) in enumerate(t.frame.iterrows(), start=1):
        ws.write(i, 0, _excel_value(idx, t.index_kind), formats.get(t.index_kind))
        widths[0] = max(widths[0], len(cell(idx, t.index_kind)))
        for j, c in enumerate(t.frame.columns, start=1):
            kind = t.kinds[c]
            v = _excel_value(row[c], kind)
            if v is None:
                ws.write_blank(i, j, None, formats.get(kind))
            else:
                ws.write(i, j, v, formats.get(kind))
            widths[j] = max(widths[j], len(cell(row[c], kind)))
    shown = [min(max(w + 2, 8), 60) for w in widths]
    for j, w in enumerate(widths):
        ws.set_column(j, j, shown[j], formats["wrap"] if w > 60 else None)
    fit_row(
        ws,
        0,
        [(t.index_header, shown[0])]
        + [(t.headers[c], shown[j]) for j, c in enumerate(t.frame.columns, start=1)],
    )
    wrapped = [j for j, w in enumerate(widths) if w > 60]
    if wrapped:
        for i, (idx, row) in enumerate(t.frame.iterrows(), start=1):
            values = [cell(idx, t.index_kind)] + [cell(row[c], t.kinds[c]) for c in t.frame.columns]
            fit_row(ws, i, [(values[j], shown[j]) for j in wrapped])
    ws.freeze_panes(1, 1)
    print_setup(ws, t.title)
    if t.note:
        ws.write(len(t.frame) + 2, 0, t.note, formats["note"])


@dataclass(frozen=True)
class ScheduleTest:
    """What the build-up sheet shows for one quarter: the deal, the covenant results
    (:func:`~model.engines.covenants.evaluate_covenants`) and the build-ups
    (:func:`~model.engines.covenants.schedule_1`)."""

    facility: Facility
    results: pd.DataFrame
    schedule: Mapping[str, MetricBuildUp]


def column_letters(j: int) -> str:
    """The letters of column ``j`` (0 is ``A``)."""
    return str(xlsxwriter.utility.xl_col_to_name(j))


def _formula(metric: Metric, line: str, ops: Sequence[str], where: Mapping[str, str]) -> str:
    ln = next(x for x in metric.lines if x.line == line)
    cells = [where[x] for x in ops]
    if ln.operation == "sum":
        return "=" + "+".join(cells)
    if ln.operation == "difference":
        return "=" + cells[0] + "".join(f"-{c}" for c in cells[1:])
    if ln.operation == "product":
        return "=" + "*".join(cells)
    if ln.operation == "minimum":
        return "=MIN(" + ",".join(cells) + ")"
    if ln.operation == "maximum":
        return "=MAX(" + ",".join(cells) + ")"
    if ln.operation == "constant":
        return f"={ln.constant}"
    return f"=ROUND({cells[0]}/{cells[1]},{metric.ratio_places})"


Sheets = Callable[[Workbook, dict[str, Any], set[str]], None]
"""A report's own sheets: written into the workbook with its formats and the sheet names
taken so far."""

Liquidity = tuple["str | None", float]
"""The quarter's lowest liquidity for a springing test: a formula over the projected
figures (or None for a value cell), and the model's value."""

Link = Callable[[ScheduleLine, MetricBuildUp], "str | None"]
"""Where an input line of a build-up reads its amount from: an Excel formula over other
sheets (``='Line items'!C5``), or None for a value cell."""


def schedule_rows(
    ws: Worksheet,
    test: ScheduleTest,
    formats: dict[str, Any],
    *,
    link: Link | None = None,
    liquidity: Liquidity | None = None,
    title: str = "",
) -> int:
    """Write the metric build-ups with live formulas and each covenant's test; return the
    next free row. With ``link``, an input line is a formula over the cells it names (the
    projection workbook's line items); without, a shaded value to change. With
    ``liquidity`` (the quarter's lowest daily liquidity: a formula over another sheet, or a
    value), a springing covenant's test applies by a formula over it; ``title`` is written
    above the build-ups (the quarter)."""
    comp = test.facility.compliance
    ws.write_row(
        0, 0, ["Line", "Label", "Amount", "How", "", "Covenant test", ""], formats["header"]
    )
    widths = {0: 6, 1: 60, 2: 18, 3: 30, 5: 34, 6: 20}
    for j, w in widths.items():
        ws.set_column(j, j, w, formats["wrap"] if j in (1, 3, 5) else formats["top"])
    ws.freeze_panes(1, 0)
    if title:
        ws.write(1, 0, title, formats["title"])
    row = 2
    for metric_id, build in test.schedule.items():
        metric = comp.metric(metric_id)
        ws.write(row, 0, build.heading or metric.heading, formats["title"])
        row += 1
        where: dict[str, str] = {}
        top = row
        for ln in build.lines:
            spec = next(x for x in metric.lines if x.line == ln.letter)
            fmt = formats[{"ratio": "ratio4", "percent": "percent"}.get(ln.unit, "usd")]
            cached = "" if ln.amount is None else float(ln.amount)
            ws.write(row, 0, ln.letter)
            ws.write(row, 1, ln.label, formats["wrap"])
            linked = None if spec.input is None or link is None else link(ln, build)
            if linked is not None:
                ws.write_formula(row, 2, linked, fmt, cached)
                how = f"Line items: {spec.input} (projected)"
            elif spec.input is not None:
                ws.write_number(
                    row,
                    2,
                    0.0 if ln.amount is None else float(ln.amount),
                    formats["input_ratio"] if ln.unit == "ratio" else formats["input"],
                )
                how = f"input: {spec.input} ({ln.kind})"
            else:
                ws.write_formula(
                    row, 2, _formula(metric, ln.letter, spec.operands, where), fmt, cached
                )
                how = ln.formula
            ws.write(row, 3, how, formats["wrap"])
            fit_row(ws, row, [(ln.label, widths[1]), (how, widths[3])])
            where[ln.letter] = f"C{row + 1}"
            row += 1
        used = _test_rows(
            ws, test, metric_id, where[build.lines[-1].letter], top, formats, liquidity
        )
        row = max(row, used) + 1
    return row


def _test_rows(
    ws: Worksheet,
    test: ScheduleTest,
    metric_id: str,
    value_cell: str,
    top: int,
    formats: dict[str, Any],
    liquidity: Liquidity | None,
) -> int:
    """The compliance test of the covenant on ``metric_id`` beside its build-up, from row
    ``top``; returns the row after the last one written. A level the documents leave blank
    is a shaded empty cell: an analyst who knows it types it in and the test computes."""
    res = test.results[test.results["metric"] == metric_id]
    r0 = top
    for cid, r in res.iterrows():
        ratio = r["unit"] == "ratio"
        at = r0
        ws.write(at, 5, r["title"], formats["title"])
        fit_row(ws, at, [(r["title"], 34)])
        req_cell = f"G{at + 2}"
        minimum = r["direction"] == "min"
        cmp = ">=" if minimum else "<="
        head = f"{value_cell}-{req_cell}" if minimum else f"{req_cell}-{value_cell}"
        fmt = formats["ratio4" if ratio else "usd"]
        if r["required"] is None or is_missing(r["required"]):
            ws.write(at + 1, 5, "Required (not in the documents: type it)")
            fit_row(ws, at + 1, [("Required (not in the documents: type it)", 34)])
            ws.write_blank(at + 1, 6, None, formats["input_ratio" if ratio else "input"])
            ws.write(at + 2, 5, f"Complies (actual {cmp} required)")
            ws.write_formula(
                at + 2,
                6,
                f'=IF({req_cell}="","Level not provided",IF({value_cell}{cmp}{req_cell},"Yes","No"))',
                None,
                "Level not provided",
            )
            ws.write(at + 3, 5, "Headroom")
            ws.write_formula(at + 3, 6, f'=IF({req_cell}="","",{head})', fmt, "")
            r0 = at + 5
            continue
        ws.write(at + 1, 5, "Required")
        ws.write_number(
            at + 1, 6, float(r["required"]), formats["input_ratio" if ratio else "input"]
        )
        test_ = f'IF({value_cell}{cmp}{req_cell},"Yes","No")'
        status = str(r["status_code"])
        cached = {"complies": "Yes", "amber": "Yes", "breach": "No"}.get(status, "Not required")
        at_complies = at + 2
        applies = not is_missing(r["applies"]) and bool(r["applies"])
        springing = _springing(test, str(cid), r)
        if springing is not None and liquidity is not None:
            comparison, amount = springing
            formula, value = liquidity
            ws.write(at + 2, 5, "Lowest liquidity in the quarter")
            if formula is None:
                ws.write_number(at + 2, 6, value, formats["input"])
            else:
                ws.write_formula(at + 2, 6, formula, formats["usd"], value)
            ws.write(at + 3, 5, "Springing level (the test applies below it)")
            fit_row(ws, at + 3, [("Springing level (the test applies below it)", 34)])
            ws.write_number(at + 3, 6, amount, formats["input"])
            ws.write(at + 4, 5, f"Test applies (lowest liquidity {comparison} springing level)")
            fit_row(
                ws, at + 4, [(f"Test applies (lowest liquidity {comparison} springing level)", 34)]
            )
            ws.write_formula(
                at + 4,
                6,
                f'=IF(G{at + 3}{comparison}G{at + 4},"Yes","No")',
                None,
                "Yes" if applies else "No",
            )
            test_ = f'IF(G{at + 5}="No","Not required",{test_})'
            at_complies = at + 5
            ws.write(at_complies, 5, f"Complies (actual {cmp} required)")
            ws.write_formula(at_complies, 6, "=" + test_, None, cached)
        elif not applies:
            ws.write(at_complies, 5, "Complies (the test does not apply this quarter)")
            fit_row(ws, at_complies, [("Complies (the test does not apply this quarter)", 34)])
            ws.write(at_complies, 6, "Not required")
        else:
            ws.write(at_complies, 5, f"Complies (actual {cmp} required)")
            ws.write_formula(at_complies, 6, "=" + test_, None, cached)
        label = "Headroom" if applies else "Headroom (as if the test applied)"
        ws.write(at_complies + 1, 5, label)
        fit_row(ws, at_complies + 1, [(label, 34)])
        ws.write_formula(
            at_complies + 1,
            6,
            "=" + head,
            fmt,
            float(r["headroom"]) if not is_missing(r["headroom"]) else 0,
        )
        r0 = at_complies + 3
    return r0


def _springing(test: ScheduleTest, cid: str, r: Any) -> tuple[str, float] | None:
    """The springing condition of covenant ``cid`` in the version that governs the row:
    its comparison and amount, when it springs on liquidity."""
    if is_missing(r.get("springing_metric")) or r.get("springing_metric") != "liquidity":
        return None
    terms = test.facility.version(str(r["version"]))
    cov = next((c for c in terms.covenants if c.id == cid), None)
    if cov is None or cov.springing is None:
        return None
    return cov.springing.comparison, float(cov.springing.amount)


def _formats(wb: Workbook) -> dict[str, Any]:
    from model.reports.formatting import EXCEL_FORMATS

    out: dict[str, Any] = {
        k: wb.add_format({"num_format": v, "valign": "top"}) for k, v in EXCEL_FORMATS.items()
    }
    out["header"] = wb.add_format(
        {"bold": True, "bg_color": "#F3F4F6", "bottom": 1, "text_wrap": True, "valign": "top"}
    )
    out["title"] = wb.add_format({"bold": True, "valign": "top"})
    out["top"] = wb.add_format({"valign": "top"})
    out["wrap"] = wb.add_format({"text_wrap": True, "valign": "top"})
    out["note"] = wb.add_format({"italic": True, "font_color": "#444444"})
    out["input"] = wb.add_format(
        {"num_format": EXCEL_FORMATS["usd"], "bg_color": "#FFF2CC", "valign": "top"}
    )
    out["input_ratio"] = wb.add_format(
        {"num_format": "0.0000", "bg_color": "#FFF2CC", "valign": "top"}
    )
    out["ratio4"] = wb.add_format({"num_format": "0.0000", "valign": "top"})
    out["input_text"] = wb.add_format({"bg_color": "#FFF2CC", "text_wrap": True, "valign": "top"})
    out["input_number"] = wb.add_format(
        {"num_format": "#,##0.####", "bg_color": "#FFF2CC", "valign": "top"}
    )
    out["wrap_indent"] = wb.add_format({"text_wrap": True, "valign": "top", "indent": 1})
    out["note_wrap"] = wb.add_format(
        {"italic": True, "font_color": "#444444", "text_wrap": True, "valign": "top"}
    )
    return out


def write_workbook(
    output_dir: str | os.PathLike[str],
    name: str,
    tables: Sequence[Table],
    *,
    schedule: ScheduleTest | None = None,
    sources: pd.DataFrame | None = None,
    inputs: Mapping[str, Any] | None = None,
    summary: Sequence[Any] = (),
    sheets: Sheets | None = None,
) -> Path | None:
    """Write ``<output_dir>/<name>.xlsx`` (see the module docstring) and return its path;
    with an empty ``output_dir``, nothing (None). ``summary``: the report's headline and
    banners (:func:`~model.reports.tables.headline`, :func:`~model.reports.tables.banner`),
    written first, on a "Summary" sheet. ``sheets`` writes the report's own sheets after it
    (the projection's live build-ups: :func:`model.reports.excel_projection.projection_sheets`)."""
    if not tables and schedule is None:
        raise InputError("give at least one table or a schedule", key="tables")
    for t in tables:
        if not isinstance(t, Table):
            raise InputError(
                f"tables are model Tables (model.table), not {type(t).__name__}", key="tables"
            )
    folder = paths.output_folder(output_dir)
    if folder is None:
        return None
    target = paths.safe_join(folder, f"{name}.xlsx")
    target.parent.mkdir(parents=True, exist_ok=True)
    with paths.atomic_target(target) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp), {"nan_inf_to_errors": True, "default_date_format": "yyyy-mm-dd"}
        )
        formats = _formats(wb)
        taken: set[str] = set()
        rows = [row for part in summary for row in getattr(part, "rows", ())]
        if rows:
            ws = wb.add_worksheet(sheet_name("Summary", taken))
            _summary_sheet(ws, rows, formats)
            print_setup(ws, "Summary", header_rows=0)
        if sheets is not None:
            sheets(wb, formats, taken)
        if schedule is not None:
            title = schedule.facility.compliance.certificate.schedule_title
            ws = wb.add_worksheet(sheet_name(title, taken))
            schedule_rows(ws, schedule, formats)
            print_setup(ws, title, header_rows=0)
        for t in tables:
            _write_table(wb, wb.add_worksheet(sheet_name(t.sheet or t.title, taken)), t, formats)
        if sources is not None and not sources.empty:
            from model.reports.tables import table

            src = table(sources.reset_index(drop=True), "Sources and assumptions", "sources")
            name_ = sheet_name("Sources and assumptions", taken)
            _write_table(wb, wb.add_worksheet(name_), src, formats)
        if inputs:
            ws = wb.add_worksheet(sheet_name("Inputs used", taken))
            _inputs_sheet(ws, inputs, formats)
            print_setup(ws, "Inputs used", header_rows=0)
        wb.close()
    return target


def _summary_sheet(ws: Worksheet, rows: Sequence[tuple[str, str]], formats: dict[str, Any]) -> None:
    """The report's answer first: each headline or banner as a bold title row, then its
    (label, figure) rows; the figures as the report writes them, each row as tall as its
    wrapped text."""
    r = 0
    for label, text in rows:
        if label and not text:  # the title of a headline or banner
            r += 1 if r else 0
            ws.write(r, 0, label, formats["title"])
        else:
            ws.write(r, 0, label, formats["wrap"])
            ws.write(r, 1, text, formats["wrap"])
            fit_row(ws, r, [(label, 50), (text, 80)])
        r += 1
    ws.set_column(0, 0, 50, formats["wrap"])
    ws.set_column(1, 1, 80, formats["wrap"])


def _inputs_sheet(ws: Worksheet, inputs: Mapping[str, Any], formats: dict[str, Any]) -> None:
    widths = (34, 60, 60, 60)
    row = 0
    for section, items in inputs.items():
        ws.write(row, 0, section.replace("_", " ").capitalize(), formats["title"])
        row += 1
        if isinstance(items, Mapping):
            entries = [[str(k), _plain(v)] for k, v in items.items()]
        elif isinstance(items, list):
            entries = [
                [_plain(v) for v in (it.values() if isinstance(it, Mapping) else [it])]
                for it in items
            ]
        else:
            entries = [[_plain(items)]]
        for values in entries:
            for j, v in enumerate(values):
                ws.write(row, j, v, formats["wrap"])
            fit_row(ws, row, [(v, widths[min(j, 3)]) for j, v in enumerate(values)])
            row += 1
        row += 1
    ws.set_column(0, 0, widths[0], formats["wrap"])
    ws.set_column(1, 3, widths[1], formats["wrap"])


def _plain(v: Any) -> Any:
    if isinstance(v, bool | int | float | str) or v is None:
        return v
    if isinstance(v, Decimal):
        return float(v)
    return str(v)
