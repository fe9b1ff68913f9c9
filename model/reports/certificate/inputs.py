"""The inputs and assumptions behind a certificate, in notes a bank reads: the liquidity's
source, each line item's provenance, the levels carried or given for the run."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from model.engines.covenants.metrics import MetricBuildUp
from model.engines.covenants.springing import daily_series
from model.errors import InputError
from model.reports.certificate.draft import _Deal
from model.reports.certificate.springing import _items_of, _kind, _Liquidity
from model.reports.certificate.words import (
    _RELIABLE,
    _and,
    _item_label,
    _level_source,
    _without_paths,
    looks_technical,
)
from model.reports.formatting import (
    figure,
    statement_figure,
)
from model.terms.compliance import ComplianceTerms
from model.terms.facility import Facility
from model.values import is_missing

# --- inputs and assumptions ------------------------------------------------------------

_NOTE_NOUNS = {
    "daily ledger": "a daily ledger",
    "figure": "a single figure",
    "figures": "figures given for the test",
}


def _liquidity_notes(
    comp: ComplianceTerms | None, results: pd.DataFrame, liq: _Liquidity
) -> list[str]:
    """Where the figures of each springing test came from, marked when illustrative."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for _, r in results.iterrows():
        if is_missing(r["springing_metric"]) or is_missing(r["liquidity_source"]):
            continue
        metric = str(r["springing_metric"])
        title = comp.metric(metric).title if comp is not None else metric.replace("_", " ")
        items = _items_of(r)
        if items:
            words = "the quarterly figures, line " + "; ".join(
                f'"{_item_label(comp, i)}"' for i in items
            )
        else:
            daily = liq.values is not None and daily_series(liq.values, metric) is not None
            noun = "daily ledger" if daily else "figure" if liq.values is not None else "figures"
            words = liq.description or _NOTE_NOUNS[noun]
        refs = groups.setdefault((_kind(r["liquidity_kind"]), title, words), [])
        if not is_missing(r["reference"]) and str(r["reference"]) not in refs:
            refs.append(str(r["reference"]))
    out = []
    for (kind, title, words), refs in groups.items():
        what = f"{title} for the springing test" + (f" ({', '.join(refs)})" if refs else "")
        if kind == "illustrative":
            out.append(f"ILLUSTRATIVE {what}: {words}. Not the company's figures.")
        elif kind == "estimate":
            out.append(f"ESTIMATED {what}: {words}.")
        elif kind in _RELIABLE:
            out.append(f"{kind.capitalize()} {what}: {words}.")
        else:
            out.append(f"{what[:1].upper()}{what[1:]}: {words}; its source is not stated.")
    return out


def _why(text: Any, kind: str) -> str:
    """A provenance note or source without paths, and without a leading ``KIND:``."""
    plain = _without_paths(str(text))
    return re.sub(rf"^{kind}\s*:\s*", "", plain, flags=re.IGNORECASE)


def _provenance_notes(
    comp: ComplianceTerms | None, provenance: pd.DataFrame, used: set[str]
) -> list[str]:
    """Which of the inputs used are illustrative, estimates or reported, and their sources."""
    p = provenance[provenance["line_item"].isin(used)]
    if comp is not None:  # in the order of the compliance file's line items
        order = {item: k for k, item in enumerate(comp.line_items)}
        p = p.sort_values("line_item", key=lambda s: s.map(order), kind="stable")
    out = []
    illustrative = [_item_label(comp, i) for i in p[p["kind"] == "illustrative"]["line_item"]]
    if illustrative:
        out.append("ILLUSTRATIVE (not the company's figures): " + "; ".join(illustrative) + ".")
    row: Any  # a provenance row: line_item, source, note are text, value a number
    for row in p[p["kind"] == "estimate"].itertuples():
        why = _why(row.source if is_missing(row.note) else row.note, "estimate")
        label = _item_label(comp, row.line_item)
        out.append(
            f"ESTIMATE (exact figure not public): {label} {statement_figure(row.value, 'usd')}: {why}."
        )
    for row in p[p["kind"] == "reported"].itertuples():
        note = "" if is_missing(row.note) else f" ({_why(row.note, 'reported')})"
        label = _item_label(comp, row.line_item)
        out.append(
            f"Reported: {label} {statement_figure(row.value, 'usd')}: {_why(row.source, 'reported')}{note}."
        )
    return out


def _inputs(
    comp: ComplianceTerms | None,
    results: pd.DataFrame,
    schedule: Mapping[str, MetricBuildUp],
    liq: _Liquidity,
) -> list[str]:
    out = _liquidity_notes(comp, results, liq)
    if liq.provenance is not None and not liq.provenance.empty:
        used = {ln.line_item for b in schedule.values() for ln in b.lines if ln.line_item}
        springing = {i for _, r in results.iterrows() for i in _items_of(r)}
        out += _provenance_notes(comp, liq.provenance, used | springing)
    return out


def _description(text: str | None) -> str | None:
    """The caller's plain description of the springing figures: no path, no module."""
    if text is None or not text.strip():
        return None
    if looks_technical(text):
        raise InputError(
            f"{text!r}: a plain description for the bank, without file paths, params files "
            "or module names (the certificate prints it as it is)",
            key="liquidity_description",
        )
    return text.strip()


def certificate_inputs(
    results: pd.DataFrame,
    schedule: Mapping[str, MetricBuildUp],
    provenance: pd.DataFrame | None = None,
    *,
    facility: Facility | None = None,
    liquidity: Any = None,
    liquidity_description: str | None = None,
) -> list[str]:
    """The certificate's "Inputs" notes: where the springing figures came from, and which
    of the line items used are illustrative, estimates or reported (with their sources).

    Parameters
    ----------
    results : DataFrame
        :func:`model.engines.covenants.evaluate_covenants` output.
    schedule : mapping metric id -> MetricBuildUp
        :func:`model.engines.covenants.schedule_1` output.
    provenance : DataFrame, optional
        ``Actuals.provenance(quarter)``.
    facility : Facility, optional
        Names the line items by their labels in the compliance file (without it, by their
        ids in words).
    liquidity, liquidity_description
        As for :func:`render_certificate`.
    """
    comp = facility.compliance if facility is not None else None
    liq = _Liquidity(liquidity, None, _description(liquidity_description), provenance)
    return _inputs(comp, results, schedule, liq)


def _level_notes(deal: _Deal) -> list[str]:
    """Levels that are not the documents' (overrides, then user inputs), then the amber
    flags and their cushion."""
    printed = {row.covenant: row.title for row in deal.form.rows}
    notes: dict[str, list[str]] = {"override": [], "user_input": []}
    amber = []
    for cid, r in deal.results.iterrows():
        kind, title = str(r["threshold_kind"]), printed.get(str(cid), str(r["title"]))
        if kind in notes:
            level = figure(r["required"], str(r["unit"]))
            source = _level_source(deal.facility, deal.terms, str(cid), r)
            notes[kind].append(f"{title}: required level {level} is {source}.")
        if r["status_code"] == "amber":
            amber.append(title)
    out = notes["override"] + notes["user_input"]
    if amber:
        cushion = float(deal.results["cushion"].iloc[0])
        are = "is" if len(amber) == 1 else "are"
        out.append(
            f"Amber flag: {_and(amber)} {are} in compliance with headroom under {cushion:.0%} "
            "of the required level."
        )
    return out
