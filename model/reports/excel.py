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
* every sheet set up to print: Letter landscape, one page wide, header row repeated.

Formula cells also carry the value the model computed, so a reader that does not
recalculate (openpyxl) sees the same figures. The file is written to a temporary name
and renamed into place: a report is never half-written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from model import paths
from model.engines.covenants.metrics import MetricBuildUp
from model.errors import InputError
from model.reports.tables import STATUS_WORDS, Table, cell
from model.terms.compliance import Metric
from model.terms.facility import Facility
from model.values import is_missing

__all__ = ["write_workbook", "ScheduleTest", "sheet_name"]

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


def _print_setup(ws: Worksheet, title: str, header_rows: int = 1) -> None:
    """Print as a report: US Letter landscape, one page wide, the header row repeated on
    every page, the sheet's title at the top left and the page number at the right."""
    ws.set_landscape()
    ws.set_paper(1)  # Letter
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.6)
    if header_rows:
        ws.repeat_rows(0, header_rows - 1)
    ws.set_header(f"&L{title.replace('&', '&&')}&RPage &P of &N")


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
    for j, w in enumerate(widths):
        ws.set_column(j, j, min(max(w + 2, 8), 60), formats["wrap"] if w > 60 else None)
    ws.freeze_panes(1, 1)
    _print_setup(ws, t.title)
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


def _col(j: int) -> str:
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


def schedule_rows(ws: Worksheet, test: ScheduleTest, formats: dict[str, Any]) -> int:
    """Write the metric build-ups with live formulas and each covenant's test; return the
    next free row."""
    comp = test.facility.compliance
    ws.write_row(
        0, 0, ["Line", "Label", "Amount", "How", "", "Covenant test", ""], formats["header"]
    )
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 70, formats["wrap"])
    ws.set_column(2, 2, 18)
    ws.set_column(3, 3, 26)
    ws.set_column(5, 5, 26)
    ws.set_column(6, 6, 22)
    ws.freeze_panes(1, 0)
    row = 2
    for metric_id, build in test.schedule.items():
        metric = comp.metric(metric_id)
        ws.write(row, 0, build.heading or metric.heading, formats["title"])
        row += 1
        where: dict[str, str] = {}
        for ln in build.lines:
            ref = f"C{row + 1}"
            spec = next(x for x in metric.lines if x.line == ln.letter)
            fmt = formats[{"ratio": "ratio4", "percent": "percent"}.get(ln.unit, "usd")]
            ws.write(row, 0, ln.letter)
            ws.write(row, 1, ln.label, formats["wrap"])
            if spec.input is not None:
                ws.write_number(
                    row,
                    2,
                    0.0 if ln.amount is None else float(ln.amount),
                    formats["input_ratio"] if ln.unit == "ratio" else formats["input"],
                )
                ws.write(row, 3, f"input: {spec.input} ({ln.kind})")
            else:
                ws.write_formula(
                    row,
                    2,
                    _formula(metric, ln.letter, spec.operands, where),
                    fmt,
                    "" if ln.amount is None else float(ln.amount),
                )
                ws.write(row, 3, ln.formula)
            where[ln.letter] = ref
            row += 1
        row = _test_rows(ws, test, metric_id, where[build.lines[-1].letter], build, row, formats)
        row += 1
    return row


def _test_rows(
    ws: Worksheet,
    test: ScheduleTest,
    metric_id: str,
    value_cell: str,
    build: MetricBuildUp,
    row: int,
    formats: dict[str, Any],
) -> int:
    """The compliance test of the covenant on ``metric_id`` beside its build-up."""
    res = test.results[test.results["metric"] == metric_id]
    for _, r in res.iterrows():
        ratio = r["unit"] == "ratio"
        top = row - len(build.lines)
        ws.write(top, 5, r["title"], formats["title"])
        ws.write(top + 1, 5, "Required")
        req_cell = f"G{top + 2}"
        if r["required"] is None or is_missing(r["required"]):
            ws.write(top + 1, 6, "not provided")
            ws.write(top + 2, 5, "Complies")
            ws.write(top + 2, 6, STATUS_WORDS.get(str(r["status_code"]), str(r["status_code"])))
            continue
        ws.write_number(
            top + 1, 6, float(r["required"]), formats["input_ratio" if ratio else "input"]
        )
        minimum = r["direction"] == "min"
        cmp = ">=" if minimum else "<="
        ws.write(top + 2, 5, f"Complies ({'actual' if minimum else 'actual'} {cmp} required)")
        applies = bool(r["applies"]) if not is_missing(r["applies"]) else False
        cached = "Yes" if r["status_code"] in ("complies", "amber") else "No"
        if applies:
            ws.write_formula(
                top + 2, 6, f'=IF({value_cell}{cmp}{req_cell},"Yes","No")', None, cached
            )
        else:
            ws.write(top + 2, 6, "Not required (the test does not apply this quarter)")
        ws.write(top + 3, 5, "Headroom")
        head = f"={value_cell}-{req_cell}" if minimum else f"={req_cell}-{value_cell}"
        ws.write_formula(
            top + 3,
            6,
            head,
            formats["ratio4" if ratio else "usd"],
            float(r["headroom"]) if not is_missing(r["headroom"]) else 0,
        )
    return row


def _formats(wb: Workbook) -> dict[str, Any]:
    from model.reports.tables import _EXCEL_FORMATS

    out: dict[str, Any] = {k: wb.add_format({"num_format": v}) for k, v in _EXCEL_FORMATS.items()}
    out["header"] = wb.add_format(
        {"bold": True, "bg_color": "#F3F4F6", "bottom": 1, "text_wrap": True, "valign": "top"}
    )
    out["title"] = wb.add_format({"bold": True})
    out["wrap"] = wb.add_format({"text_wrap": True, "valign": "top"})
    out["note"] = wb.add_format({"italic": True, "font_color": "#444444"})
    out["input"] = wb.add_format({"num_format": _EXCEL_FORMATS["usd"], "bg_color": "#FFF2CC"})
    out["input_ratio"] = wb.add_format({"num_format": "0.0000", "bg_color": "#FFF2CC"})
    out["ratio4"] = wb.add_format({"num_format": "0.0000"})
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
) -> Path | None:
    """Write ``<output_dir>/<name>.xlsx`` (see the module docstring) and return its path;
    with an empty ``output_dir``, nothing (None). ``summary``: the report's headline and
    banners (:func:`~model.reports.tables.headline`, :func:`~model.reports.tables.banner`),
    written first, on a "Summary" sheet."""
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
            _print_setup(ws, "Summary", header_rows=0)
        if schedule is not None:
            title = schedule.facility.compliance.certificate.schedule_title
            ws = wb.add_worksheet(sheet_name(title, taken))
            schedule_rows(ws, schedule, formats)
            _print_setup(ws, title, header_rows=0)
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
            _print_setup(ws, "Inputs used", header_rows=0)
        wb.close()
    return target


def _summary_sheet(ws: Worksheet, rows: Sequence[tuple[str, str]], formats: dict[str, Any]) -> None:
    """The report's answer first: each headline or banner as a bold title row, then its
    (label, figure) rows; the figures as the report writes them."""
    r = 0
    for label, text in rows:
        if label and not text:  # the title of a headline or banner
            r += 1 if r else 0
            ws.write(r, 0, label, formats["title"])
        else:
            ws.write(r, 0, label)
            ws.write(r, 1, text, formats["wrap"])
        r += 1
    ws.set_column(0, 0, 60, formats["wrap"])
    ws.set_column(1, 1, 70)


def _inputs_sheet(ws: Worksheet, inputs: Mapping[str, Any], formats: dict[str, Any]) -> None:
    row = 0
    for section, items in inputs.items():
        ws.write(row, 0, section.replace("_", " ").capitalize(), formats["title"])
        row += 1
        if isinstance(items, Mapping):
            for k, v in items.items():
                ws.write(row, 0, str(k))
                ws.write(row, 1, _plain(v))
                row += 1
        elif isinstance(items, list):
            for it in items:
                values = list(it.values()) if isinstance(it, Mapping) else [it]
                for j, v in enumerate(values):
                    ws.write(row, j, _plain(v))
                row += 1
        else:
            ws.write(row, 0, _plain(items))
            row += 1
        row += 1
    ws.set_column(0, 0, 34)
    ws.set_column(1, 3, 60)


def _plain(v: Any) -> Any:
    if isinstance(v, bool | int | float | str) or v is None:
        return v
    if isinstance(v, Decimal):
        return float(v)
    return str(v)
