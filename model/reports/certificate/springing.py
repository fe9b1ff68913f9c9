"""The springing test as the certificate states it (the liquidity reading, the days, the
figures and their kind), and the exceptions the certificate lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from model.dates.periods import quarter_start
from model.engines.covenants.springing import daily_series, missing_days, quarter_window
from model.reports.certificate.words import (
    _COMPARISON,
    _READING_WORDS,
    _first_lower,
    _item_label,
    _level,
    _level_source,
    _quarter,
    _terms_of,
    _version_name,
)
from model.reports.formatting import (
    dollars,
    figure,
    headroom,
    ratio,
)
from model.terms.compliance import ComplianceTerms
from model.terms.covenants import Condition
from model.terms.facility import Facility, FacilityTerms
from model.values import is_missing

# --- the springing test ------------------------------------------------------------------


@dataclass(frozen=True)
class _Liquidity:
    """What the caller says about the springing test's figures, beyond the results: the
    figures given to the evaluation, the reading, a plain description, the provenance."""

    values: Any = None
    reading: str | None = None
    description: str | None = None
    provenance: pd.DataFrame | None = None


_ADJECTIVE = {
    "illustrative": "illustrative sample",
    "estimate": "estimated",
    "reported": "reported",
    "actual": "actual",
}


def _kind(code: Any) -> str:
    """A provenance kind code; ``input`` (source not stated) when missing."""
    return "input" if is_missing(code) else str(code)


def _given_words(kind: str, noun: str) -> str:
    """The caller's figures in words: "an illustrative sample daily ledger (not the
    company's figures)", "reported figures", "a figure whose source is not stated"."""
    adjective = _ADJECTIVE.get(kind)
    not_theirs = " (not the company's figures)" if kind == "illustrative" else ""
    if noun == "figures":
        if adjective is None:
            return "figures whose source is not stated"
        return f"{adjective} figures" + (" (not the company's)" if not_theirs else "")
    if adjective is None:
        return f"a {noun} whose source is not stated"
    article = "an" if adjective[0] in "aeiou" else "a"
    return f"{article} {adjective} {noun}{not_theirs}"


def _items_of(r: pd.Series) -> tuple[str, ...]:
    """The line items of the actuals the engine read for a springing test."""
    items = r["liquidity_items"]
    return tuple(str(i) for i in items) if isinstance(items, tuple | list) else ()


def _amount(x: Any, unit: str) -> str:
    return ratio(x) if unit == "ratio" else dollars(x)


def _series_detail(
    series: pd.Series, q: dt.date, reading: str | None, trigger: str, unit: str
) -> str:
    """The quarter's daily figures described: the quarter-end figure, or the lowest and
    the days the figures do not cover (which the test counts as meeting the condition)."""
    window = quarter_window(series, q)
    if window.empty:
        return f"the daily figures do not cover this quarter, so every day of it counts as {trigger} (the stricter reading)"
    days = [d.date() for d in window.index]
    values = list(window)
    if reading == "quarter_end":
        return f"{_amount(values[-1], unit)} on {days[-1]}"
    low = min(values)
    text = f"lowest {_amount(low, unit)} on {days[values.index(low)]}"
    start = quarter_start(q)
    total = (q - start).days + 1
    if len(set(days)) < total:
        gaps = ", ".join(
            a.isoformat() if a == b else f"{a} to {b}" for a, b in missing_days(days, start, q)
        )
        text += (
            f"; the daily figures cover {len(set(days))} of the quarter's {total} days, and the "
            f"days they do not cover ({gaps}) count as {trigger} (the stricter reading)"
        )
    return text


def _provenance_value(provenance: pd.DataFrame | None, items: tuple[str, ...]) -> Any:
    """The value of the one line item ``items`` names, from the provenance; else None."""
    if provenance is None or provenance.empty or len(items) != 1:
        return None
    rows = provenance[provenance["line_item"] == items[0]]
    return None if rows.empty else rows["value"].iloc[0]


_ITEM_KIND_WORDS = {
    "illustrative": "illustrative, not the company's figure",
    "estimate": "an estimate",
    "reported": "reported",
    "actual": "actual",
}


def _figures_text(
    comp: ComplianceTerms, title: str, trigger: str, r: pd.Series, liq: _Liquidity
) -> str:
    """Which figures the springing test read, and what they show."""
    unit = comp.metric(str(r["springing_metric"])).unit
    items = _items_of(r)
    if items:
        labels = "; ".join(f'"{_item_label(comp, i)}"' for i in items)
        value = _provenance_value(liq.provenance, items)
        shown = "" if value is None else f", {_amount(value, unit)}"
        how = _ITEM_KIND_WORDS.get(_kind(r["liquidity_kind"]), "source not stated")
        text = (
            f"{title} at the quarter end{shown}, from the quarterly figures, line {labels} ({how})."
        )
        if liq.reading == "any_day":
            text += " No daily figures cover this quarter, so this one figure stands for every day of it."
        return text
    if is_missing(r["liquidity_source"]):
        return (
            f"No {title} figures were given for this quarter, so the test is taken to apply "
            "(the stricter reading)."
        )
    series = None if liq.values is None else daily_series(liq.values, str(r["springing_metric"]))
    noun = (
        "daily ledger" if series is not None else "figure" if liq.values is not None else "figures"
    )
    source = liq.description or _given_words(_kind(r["liquidity_kind"]), noun)
    when = _READING_WORDS.get(liq.reading or "")
    head = f"{title} {when}, from {source}" if when else f"{title}, from {source}"
    if series is not None:
        detail = _series_detail(series, _quarter(r), liq.reading, trigger, unit)
    elif liq.values is not None:
        detail = _amount(liq.values, unit)
        if liq.reading == "any_day":
            detail += ", one figure taken as the quarter's only reading"
    else:
        detail = ""
    return f"{head}: {detail}." if detail else f"{head}."


def _springing_text(comp: ComplianceTerms, cond: Condition, r: pd.Series, liq: _Liquidity) -> str:
    """A springing test in plain sentences: when it applies, the figures read, the outcome."""
    metric = comp.metric(cond.metric)
    title = metric.title
    what = (
        title
        if not metric.heading or metric.heading == title
        else (f"{title} ({_first_lower(metric.heading)})")
    )
    trigger = f"{_COMPARISON[cond.comparison]} {_level(cond.amount, metric.unit)}"
    applies = not is_missing(r["applies"]) and bool(r["applies"])
    outcome = (
        "This quarter the test applies." if applies else "This quarter the test does not apply."
    )
    return " ".join(
        [
            f"Tested only for a quarter in which {what} is {trigger}.",
            _figures_text(comp, title, trigger, r, liq),
            outcome,
        ]
    )


def _condition_note(
    facility: Facility, terms: FacilityTerms, cid: str, r: pd.Series, liq: _Liquidity
) -> str:
    """Why the covenant applies or not, where that is news: a springing condition, or no
    level for the quarter (a plain, always-tested covenant has no note)."""
    if r["threshold_kind"] == "none":
        name = _version_name(facility, terms)
        return f"{name[:1].upper()}{name[1:]} sets no level for the quarter ending {_quarter(r)}."
    cond = terms.covenant(cid).springing
    return "" if cond is None else _springing_text(terms.compliance, cond, r, liq)


# --- exceptions ------------------------------------------------------------------------


def _breach(r: pd.Series) -> str:
    unit = str(r["unit"])
    side = "below the required" if r["direction"] == "min" else "above the maximum"
    gap = "shortfall" if r["direction"] == "min" else "excess"
    return (
        f"{r['title']} ({r['section']}): actual {figure(r['actual'], unit)} is {side} "
        f"{figure(r['required'], unit)} ({gap} {headroom(abs(r['headroom']), unit)})."
    )


def certificate_exceptions(
    results: pd.DataFrame,
    reporting: pd.DataFrame | None = None,
    extra: Sequence[str] = (),
    *,
    facility: Facility | None = None,
) -> list[str]:
    """Exceptions to the certification: failed or unconfirmable covenants (a breach, a
    metric that cannot be computed, treated as not in compliance, a level not provided),
    overridden levels, late reporting, then ``extra``.

    Parameters
    ----------
    results : DataFrame
        :func:`model.engines.covenants.evaluate_covenants` output.
    reporting : DataFrame, optional
        :func:`model.engines.covenants.reporting_summary` output (``complies`` codes
        ``yes``, ``no``, ``n/a``).
    extra : sequence of str
        Further exceptions, listed last.
    facility : Facility, optional
        The terms: with them an overridden level names the documented level it replaces.
    """
    terms = None if facility is None or results.empty else _terms_of(facility, results)
    out = []
    for cid, r in results.iterrows():
        code, where = r["status_code"], f"{r['title']} ({r['section']})"
        if code == "breach":
            out.append(_breach(r))
        elif code == "undefined":
            out.append(
                f"{where}: the metric {r['status']} (no figure to compare with the required "
                f"level {figure(r['required'], str(r['unit']))}); treated as not in compliance."
            )
        elif code == "threshold_not_provided":
            out.append(
                f"{where}: the required level is not in the documents and was not provided; "
                "compliance cannot be certified until it is."
            )
        if r["threshold_kind"] == "override":
            what = (
                "a scenario override of the documented level"
                if facility is None or terms is None
                else _level_source(facility, terms, str(cid), r)
            )
            out.append(
                f"{where}: the required level {figure(r['required'], str(r['unit']))} is "
                f"{what}: this is a scenario, not a certification of the documented covenant."
            )
    if reporting is not None:
        for _, rep in reporting.iterrows():
            if rep["complies"] == "no":
                out.append(
                    f"Reporting covenant '{rep['title']}' ({rep['required']}): {rep['detail']}."
                )
    out.extend(extra)
    return out
