"""Tables for people: every report's tables through one formatter, in HTML and in Excel.

A :class:`Table` is a DataFrame with, for each column, a header in words and a kind that
says how its values are written (:data:`KINDS`):

The kinds and how each is written are :data:`model.reports.formatting.KINDS` (the one
formatter, :func:`model.reports.formatting.cell`).

Missing values are written ``—``. Numbers are right-aligned and never wrap inside a value;
a wide table scrolls sideways instead of squeezing its columns; nothing is truncated.
Column kinds and headers of the engines' columns are known (:data:`COLUMNS`); other columns
take their kind from their values. HTML ids are fixed (``table_id``), so the same table
gives the same HTML (what nbval compares).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from model.errors import InputError
from model.reports.formatting import EXCEL_FORMATS, KINDS, STATUS_WORDS, cell
from model.values import is_missing

__all__ = [
    "KINDS",
    "COLUMNS",
    "STATUS_COLOURS",
    "STATUS_WORDS",
    "Table",
    "table",
    "cell",
    "Html",
    "headline",
    "banner",
    "details",
    "status_chip",
]

STATUS_COLOURS = {
    "complies": "#1b7f3b",
    "amber": "#b36b00",
    "breach": "#b3261e",
    "undefined": "#b3261e",
    "not_required": "#5f6368",
    "threshold_not_provided": "#5f6368",
    "no_threshold": "#5f6368",
}
"""One green, amber and red for every report, chart and certificate; grey for a test that
does not apply or has no level."""

COLUMNS: dict[str, tuple[str, str]] = {
    "quarter_end": ("Quarter end", "date"),
    "date": ("Date", "date"),
    "revenue": ("Revenue", "usd"),
    "ebitda": ("EBITDA", "usd"),
    "net_income": ("Net income", "usd"),
    "interest_expense": ("Interest expense", "usd"),
    "revolver_interest": ("Revolver interest", "usd"),
    "facility_fees": ("Facility fees", "usd"),
    "cash": ("Cash", "usd"),
    "receivables": ("Receivables", "usd"),
    "eligible_domestic": ("Eligible domestic", "usd"),
    "eligible_foreign": ("Eligible foreign", "usd"),
    "borrowing_base": ("Borrowing Base", "usd"),
    "over_advance_limit": ("Over-advance limit", "usd"),
    "limit": ("Limit (lesser of line and base)", "usd"),
    "line": ("Revolving Line", "usd"),
    "outstanding": ("Outstanding", "usd"),
    "revolver_tranche": ("Revolver tranche", "usd"),
    "over_advance_used": ("Over-advance in use", "usd"),
    "availability": ("Availability", "usd"),
    "liquidity": ("Liquidity", "usd"),
    "min_liquidity": ("Lowest liquidity", "usd"),
    "min_liquidity_date": ("Date of lowest liquidity", "date"),
    "min_availability": ("Lowest availability", "usd"),
    "peak_outstanding": ("Peak outstanding", "usd"),
    "funding_gap": ("Funding gap", "usd"),
    "draw": ("Draws", "usd"),
    "repayment": ("Repayments", "usd"),
    "interest": ("Interest", "usd"),
    "fees": ("Fees", "usd"),
    "required": ("Required", "usd"),
    "actual": ("Actual", "usd"),
    "headroom": ("Headroom", "usd"),
    "headroom_pct": ("Headroom, % of required", "percent"),
    "applies": ("Test applies", "yes_no"),
    "complies": ("Complies", "yes_no"),
    "amber": ("Amber", "yes_no"),
    "status_code": ("Status", "status"),
    "cash_dominion": ("Cash dominion", "yes_no"),
    "agings_reports_required": ("Agings reports required", "yes_no"),
    "cash_flow_covenant_springs": ("Springing test applies", "yes_no"),
    "days_cash_dominion": ("Days under cash dominion", "int"),
    "days_agings": ("Days agings may be required", "int"),
    "days_below_springing": ("Days below the springing level", "int"),
    "days_in_default": ("Days under an Event of Default", "int"),
    "event_of_default": ("Event of Default continues", "yes_no"),
    "days_covered": ("Days covered", "int"),
    "days_in_quarter": ("Days in quarter", "int"),
    "days_over_limit": ("Days over the limit", "int"),
    "probability": ("Probability", "percent"),
    "low_95": ("95% low", "percent"),
    "high_95": ("95% high", "percent"),
    "base_rate": ("Base rate", "rate"),
    "version": ("Terms version", "text"),
    "first_breach": ("First breach", "date"),
    "first_breach_covenant": ("Covenant breached first", "text"),
    "breakeven_decline": ("Largest decline with no breach", "percent"),
    "first_failing_decline": ("First decline with a breach", "percent"),
    "capacity": ("Capacity", "usd"),
    "basket_remaining": ("Basket remaining", "usd"),
    "term": ("Term", "text"),
    "value": ("Value", "text"),
    "kind": ("Kind", "text"),
    "provenance": ("Source or assumption", "text"),
    "source": ("Source", "text"),
    "assumption": ("Assumption", "text"),
}
"""Headers in words and kinds of the columns the engines return."""


def _infer(values: pd.Series) -> str:
    sample = [v for v in values if not is_missing(v)]
    if not sample:
        return "text"
    if all(isinstance(v, bool | np.bool_) for v in sample):
        return "yes_no"
    if all(isinstance(v, dt.date | pd.Timestamp) for v in sample):
        return "date"
    if all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in sample):
        return "int"
    if all(isinstance(v, int | float | Decimal | np.integer | np.floating) for v in sample):
        return "usd"
    return "text"


@dataclass(frozen=True)
class Table:
    """A table with a header in words and a kind for every column (and the index)."""

    frame: pd.DataFrame
    title: str
    table_id: str
    headers: Mapping[str, str]
    kinds: Mapping[str, str]
    note: str = ""
    index_header: str = ""
    index_kind: str = "text"
    sheet: str = ""
    _extra: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def formatted(self) -> pd.DataFrame:
        """The table as text, every value written by the rules of its kind."""
        out = pd.DataFrame(
            {
                self.headers[c]: [cell(v, self.kinds[c]) for v in self.frame[c]]
                for c in self.frame.columns
            },
        )
        out.index = [cell(v, self.index_kind) for v in self.frame.index]
        return out

    def to_html(self) -> str:
        """The table as HTML: a caption, a header in words, numbers right-aligned, status
        chips coloured, the whole inside a container that scrolls sideways when wide."""
        cols = list(self.frame.columns)
        head = "".join(
            f"<th scope='col' class='{_cell_class(self.kinds[c])}'>{html.escape(self.headers[c])}</th>"
            for c in cols
        )
        corner = f"<th scope='col'>{html.escape(self.index_header)}</th>"
        rows = []
        for idx, r in self.frame.iterrows():
            cells = [f"<th scope='row'>{html.escape(cell(idx, self.index_kind))}</th>"]
            for c in cols:
                kind = self.kinds[c]
                text = html.escape(cell(r[c], kind))
                cls = _cell_class(kind)
                if kind == "status" and str(r[c]) in STATUS_COLOURS:
                    text = status_chip(str(r[c]))
                cells.append(f"<td class='{cls}'>{text}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        note = f"<p class='table-note'>{html.escape(self.note)}</p>" if self.note else ""
        return (
            f"<div class='model-table' id='{self.table_id}'>{_TABLE_CSS}"
            f"<table><caption>{html.escape(self.title)}</caption><thead><tr>{corner}{head}</tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>{note}</div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def excel_format(self, column: str) -> str | None:
        """The Excel number format of a column (None: text)."""
        return EXCEL_FORMATS.get(self.kinds[column])


def _cell_class(kind: str) -> str:
    """``num`` (right-aligned) for numbers, else the kind."""
    return "num" if kind not in ("text", "yes_no", "status", "date") else kind


_TABLE_CSS = (
    # Alignment is !important: the notebook export's own style sheet right-aligns every
    # cell with a more specific selector (``:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon
    # td``), which would push labels and text to the right.
    "<style>"
    ".model-table{overflow-x:auto;max-width:100%;margin:0.6em 0 1.2em 0}"
    ".model-table table,table.model-table{border-collapse:collapse;font-size:13px;"
    "font-family:system-ui,sans-serif;table-layout:auto}"
    ".model-table caption{text-align:left!important;font-weight:600;padding:0 0 0.3em 0}"
    ".model-table th,.model-table td{padding:3px 8px;border-bottom:1px solid #ddd;"
    "white-space:nowrap;vertical-align:top;text-align:left!important}"
    ".model-table thead th{background:#f3f4f6}"
    ".model-table th.num,.model-table td.num{text-align:right!important;"
    "font-variant-numeric:tabular-nums}"
    ".model-table tbody th{font-weight:500}"
    ".model-table td.text{white-space:normal;min-width:12em;max-width:48em}"
    ".model-table .chip{display:inline-block;padding:0 6px;border-radius:8px;color:#fff}"
    ".model-table .table-note{font-size:12px;color:#444;margin:0.3em 0}"
    "</style>"
)


def table(
    frame: pd.DataFrame | pd.Series,
    title: str,
    table_id: str,
    *,
    columns: Mapping[str, tuple[str, str] | str] | None = None,
    note: str = "",
    index: tuple[str, str] | None = None,
    sheet: str = "",
) -> Table:
    """A :class:`Table` from a DataFrame.

    Parameters
    ----------
    columns : mapping column -> (header, kind) or header, optional
        Overrides for the known columns (:data:`COLUMNS`); others take a header from their
        name and a kind from their values.
    index : (header, kind), optional
        For the row labels (default: the index name, written as text or dates).
    """
    df = frame.to_frame() if isinstance(frame, pd.Series) else frame
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"needs a DataFrame, not {type(frame).__name__}", key="frame")
    given = dict(columns or {})
    headers, kinds = {}, {}
    for c in df.columns:
        spec = given.get(c, COLUMNS.get(str(c)))
        if isinstance(spec, str):
            spec = (spec, COLUMNS.get(str(c), ("", _infer(df[c])))[1])
        header, kind = (
            spec if spec is not None else (str(c).replace("_", " ").capitalize(), _infer(df[c]))
        )
        if kind not in KINDS:
            raise InputError(
                f"unknown column kind {kind!r} for {c!r}; kinds: {', '.join(KINDS)}", key="columns"
            )
        headers[c], kinds[c] = header, kind
    if index is None:
        name = str(df.index.name or "")
        index = (
            COLUMNS.get(name, (name.replace("_", " ").capitalize(), "text"))[0],
            "date" if _infer(pd.Series(list(df.index))) == "date" else "text",
        )
    return Table(df, title, table_id, headers, kinds, note, index[0], index[1], sheet or title[:31])


def status_chip(code: str) -> str:
    """A status code as a coloured chip (HTML), in words."""
    colour = STATUS_COLOURS.get(code, "#5f6368")
    return f"<span class='chip' style='background:{colour}'>{html.escape(STATUS_WORDS.get(code, code))}</span>"


@dataclass(frozen=True)
class Html:
    """A piece of HTML a notebook shows as it is (its output is this HTML). A headline or
    a banner also keeps what it says as rows of (label, text), for a workbook's summary
    sheet (:func:`model.reports.excel.write_workbook`)."""

    text: str
    rows: tuple[tuple[str, str], ...] = ()

    def _repr_html_(self) -> str:
        return self.text


def banner(lines: Sequence[str], title: str = "Illustrative inputs") -> Html:
    """A prominent warning box, e.g. which inputs are illustrative or estimates; empty when
    there is nothing to say."""
    if not lines:
        return Html("")
    items = "".join(f"<li>{html.escape(x)}</li>" for x in lines)
    return Html(
        "<div class='model-banner' style='border:2px solid #b36b00;background:#fff7e6;padding:8px 14px;margin:8px 0;"
        "font-family:system-ui,sans-serif'>"
        f"<strong>{html.escape(title)}</strong><ul style='margin:4px 0'>{items}</ul></div>",
        ((title, ""), *(("", str(x)) for x in lines)),
    )


def headline(
    title: str, figures: Sequence[tuple[str, str]], statuses: Sequence[tuple[str, str, str]] = ()
) -> Html:
    """The answer on one screen: figures as (label, value in words) and covenant statuses
    as (covenant title, status code, headroom in words)."""
    cards = "".join(
        "<div style='display:inline-block;min-width:12em;margin:4px 14px 4px 0;vertical-align:top'>"
        f"<div style='font-size:12px;color:#555'>{html.escape(label)}</div>"
        f"<div style='font-size:20px;font-weight:600;white-space:nowrap'>{html.escape(value)}</div></div>"
        for label, value in figures
    )
    chips = "".join(
        "<tr><td style='padding:2px 10px 2px 0'>"
        + html.escape(name)
        + "</td><td>"
        + status_chip(code)
        + "</td><td class='num' style='padding-left:10px;white-space:nowrap'>"
        + html.escape(room)
        + "</td></tr>"
        for name, code, room in statuses
    )
    status = (
        "<table class='model-table' style='margin-top:6px;border-collapse:collapse;font-size:13px'>"
        "<tr><th>Covenant</th><th>Status</th><th class='num'>Headroom</th></tr>"
        f"{chips}</table>"
        if statuses
        else ""
    )
    return Html(
        f"<div class='model-headline' style='font-family:system-ui,sans-serif;margin:6px 0 12px 0'><h3 style='margin:4px 0'>"
        f"{html.escape(title)}</h3>{cards}{status}{_TABLE_CSS}</div>",
        (
            (title, ""),
            *((str(label), str(value)) for label, value in figures),
            *(
                (str(name), f"{STATUS_WORDS.get(code, code)}; headroom {room}")
                for name, code, room in statuses
            ),
        ),
    )


def details(title: str, body: Any) -> Html:
    """Reference material folded: ``<details>`` with a summary line; ``body`` is HTML text
    or anything with ``_repr_html_`` (a Table)."""
    inner = body._repr_html_() if hasattr(body, "_repr_html_") else str(body)
    return Html(f"<details><summary>{html.escape(title)}</summary>{inner}</details>")
