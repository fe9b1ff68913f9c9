"""The deal's timeline in reports: reported quarters marked as reported, then the forecast
(labelled with its as-of date), in the same tables; a forecast made at an earlier date
beside the reported figures of the quarters it overlaps; the bridge from the company's
EBITDA to the covenant's; and one shape of per-quarter key figures for every report, so
the same quarter shows the same figure wherever it appears (tested across the JSON).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from model.engines.projection.reported import FIGURES
from model.reports.tables import Table, table
from model.terms.actuals import Actuals

__all__ = [
    "quarter_key_figures",
    "timeline_table",
    "timeline_covenant_table",
    "forecast_vs_actual_table",
    "ebitda_bridge",
]

_HEADERS = {
    "revenue": "Revenue",
    "ebitda": "EBITDA (covenant basis)",
    "net_income": "Net income",
    "cash": "Cash at the Bank",
    "outstanding": "Revolver outstanding",
    "liquidity": "Liquidity (cash + availability)",
    "min_liquidity": "Lowest liquidity in the quarter",
    "receivables": "Receivables",
}


def _number(x: Any, places: int = 2) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), places)


def _basis(basis: str, as_of: Any) -> str:
    return "reported" if basis == "reported" else f"forecast as of {as_of}"


def quarter_key_figures(
    figures: pd.DataFrame, covenants: pd.DataFrame, units: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """Per quarter end (ISO date): ``basis`` (``reported`` or ``forecast``), ``as_of``
    (a forecast's opening quarter end, else None), each figure of the timeline to the cent
    and each covenant's ``status_code``, ``required``, ``actual`` and ``headroom`` (ratios
    to 4 places). ``figures`` and ``covenants`` are those of
    :func:`model.engines.projection.timeline` (or a history shaped like them)."""
    out: dict[str, dict[str, Any]] = {}
    for q, r in figures.iterrows():
        row: dict[str, Any] = {
            "basis": r.get("basis", "reported"),
            "as_of": None if pd.isna(r.get("as_of")) else str(r.get("as_of")),
        }
        row.update({k: _number(r[k]) for k in FIGURES})
        cov = (
            covenants.xs(q, level="quarter_end")
            if q in covenants.index.get_level_values(0)
            else None
        )
        row["covenants"] = {}
        if cov is not None:
            for cid, c in cov.iterrows():
                places = 2 if units.get(str(cid)) == "usd" else 4
                row["covenants"][str(cid)] = {
                    "status_code": c["status_code"],
                    **{k: _number(c[k], places) for k in ("required", "actual", "headroom")},
                }
        out[q.isoformat() if isinstance(q, dt.date) else str(q)] = row
    return out


def timeline_table(figures: pd.DataFrame, title: str, table_id: str, sheet: str) -> Table:
    """The timeline's figures, one row per quarter, with its basis."""
    frame = figures[list(FIGURES)].copy()
    frame.insert(
        0, "basis", [_basis(b, a) for b, a in zip(figures["basis"], figures["as_of"], strict=True)]
    )
    columns: dict[str, tuple[str, str]] = {"basis": ("Basis", "text")}
    columns.update({k: (_HEADERS[k], "usd_whole") for k in FIGURES})
    return table(
        frame,
        title,
        table_id,
        columns=columns,
        index=("Quarter end", "date"),
        sheet=sheet,
        note="Reported: the deal's actuals (params), tested as the covenant report tests them. "
        "Forecast: the projection, from its as-of date.",
    )


def timeline_covenant_table(
    covenants: pd.DataFrame,
    order: list[str],
    titles: Mapping[str, str],
    kinds: Mapping[str, str],
    title: str,
    table_id: str,
    sheet: str,
) -> Table:
    """Each covenant's status and headroom by quarter, reported then forecast."""
    cols: dict[str, Any] = {}
    spec: dict[str, tuple[str, str]] = {}
    quarters = list(dict.fromkeys(covenants.index.get_level_values("quarter_end")))
    basis = covenants.groupby(level="quarter_end", sort=False).first()
    cols["basis"] = [_basis(basis.loc[q, "basis"], basis.loc[q, "as_of"]) for q in quarters]
    spec["basis"] = ("Basis", "text")
    for cid in order:
        rows = covenants.xs(cid, level="covenant").reindex(quarters)
        cols[f"{cid}:status"] = rows["status_code"].fillna("").to_list()
        cols[f"{cid}:headroom"] = rows["headroom"].to_list()
        spec[f"{cid}:status"] = (titles[cid], "status")
        spec[f"{cid}:headroom"] = ("Headroom", kinds[cid])
    frame = pd.DataFrame(cols, index=pd.Index(quarters, name="quarter_end"))
    return table(frame, title, table_id, columns=spec, index=("Quarter end", "date"), sheet=sheet)


def forecast_vs_actual_table(frame: pd.DataFrame, as_of: dt.date, name: str) -> Table:
    """The forecast as of ``as_of`` beside the reported figures, with the variance."""
    spec: dict[str, tuple[str, str]] = {}
    for c in frame.columns:
        figure, _, what = str(c).rpartition("_")
        words = {
            "forecast": f"forecast as of {as_of}",
            "reported": "reported",
            "variance": "variance",
        }
        label = _HEADERS.get(figure, figure.replace("_", " ").capitalize())
        kind = "status" if frame[c].dtype == object else "usd_whole"
        spec[str(c)] = (f"{label}, {words.get(what, what)}", kind)
    return table(
        frame,
        f"Forecast as of {as_of} against the reported quarters, scenario {name}",
        "projection-forecast-vs-actual",
        columns=spec,
        index=("Quarter end", "date"),
        sheet="Forecast vs actual",
        note="Variance: forecast less reported. The reported figures stand: the forecast never "
        "replaces them.",
    )


def ebitda_bridge(actuals: Actuals, figures: pd.DataFrame) -> Table:
    """From the company's Adjusted EBITDA (its own measure) to the covenant's EBITDA, as
    the compliance file builds it from the line items, for each reported quarter."""
    rows = []
    for q in figures.index:
        if q not in actuals.quarters:
            continue
        items = actuals.quarter(q)
        if "company_adjusted_ebitda" not in set(items):
            continue
        company = float(items["company_adjusted_ebitda"])
        covenant = float(figures.loc[q, "ebitda"])
        rows.append(
            {
                "quarter_end": q,
                "company": company,
                "covenant": covenant,
                "difference": covenant - company,
            }
        )
    frame = pd.DataFrame(rows).set_index("quarter_end")
    return table(
        frame,
        "From the company's Adjusted EBITDA to the covenant's EBITDA, reported quarters",
        "ebitda-bridge",
        columns={
            "company": ("Adjusted EBITDA (company definition)", "usd_whole"),
            "covenant": (
                "EBITDA as the covenant builds it (net income + interest, taxes, D&A, non-cash, one-time)",
                "usd_whole",
            ),
            "difference": ("Difference (covenant less company)", "usd_whole"),
        },
        index=("Quarter end", "date"),
        sheet="EBITDA bridge",
        note="The company's measure is context only: covenants are tested, and projections driven, "
        "on the covenant's EBITDA.",
    )
