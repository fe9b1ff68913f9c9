"""A deal's compliance certificate and its schedule, filled from what the engines return:
HTML to print and sign, or Markdown.

Every word of the deal comes from its terms: the certificate's wording from the
compliance file (``facility.compliance.certificate``,
:class:`model.terms.compliance.CertificateForm`: title, certification, headings, row
titles, statement, signature and bank-use blocks, notes on the form and the corrections
of its typing slips), the schedule headings from the metrics, the names of the parties
and of the versions of the terms from the facility file, the names of the line items
from their labels. The templates (``model/reports/templates/certificate.*.j2``) only lay
the page out.

Reporting only: nothing here computes a covenant. :func:`render_certificate` takes the
result of :func:`model.engines.covenants.evaluate_covenants`, the metric build-ups of
:func:`model.engines.covenants.schedule_1` and, optionally, the reporting-covenant answers
of :func:`model.engines.covenants.reporting_summary`, the actuals' provenance and the
springing test's daily figures. It reads the engine's codes (``status_code``,
``threshold_kind``, ``direction``, ``unit``, ``applies``, ``liquidity_kind``,
``liquidity_items``) and the terms, and words what it prints in plain sentences a bank
reads: the engine's own sentences (``applies_reason``, ``threshold_source``,
``version_basis``, ``liquidity_source``) are never printed, nor any identifier of the
code or of the params (a line item's id, a file path).

A certificate is a DRAFT unless every figure on it is reported (each input line of the
schedule, and the springing test's figures): the HTML page then carries a large, light
"DRAFT" behind its text and a banner saying which figures are illustrative or
estimates; the Markdown opens with the same line. The answers take the colours of every
report (:data:`model.reports.tables.STATUS_COLOURS`): a test that is not required is
grey. The HTML prints on US Letter, headings kept with their tables; every style rule is
scoped to the certificate, so embedding it in another page restyles nothing else.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import markupsafe
import pandas as pd

from model import paths
from model.dates.periods import quarter_start
from model.engines.covenants.evaluate import carried_terms
from model.engines.covenants.metrics import MetricBuildUp, ScheduleLine
from model.engines.covenants.reporting import governing_due_date
from model.engines.covenants.springing import READINGS, daily_series, missing_days, quarter_window
from model.errors import InputError
from model.reports.formatting import (
    MISSING,
    actual_text,
    complies_word,
    dollars,
    figure,
    headroom,
    ratio,
    reporting_answer,
    required_text,
    statement_figure,
)
from model.reports.tables import STATUS_COLOURS
from model.terms.compliance import CertificateForm, ComplianceTerms
from model.terms.covenants import Condition
from model.terms.facility import Facility, FacilityTerms
from model.terms.fields import Provenanced
from model.values import is_missing, read_choice, read_date

__all__ = [
    "certificate_inputs",
    "render_certificate",
    "write_certificate",
    "certificate_exceptions",
    "draft_reasons",
    "form_notes",
    "looks_technical",
    "FORMATS",
    "WATERMARK",
]

FORMATS = ("html", "markdown")
"""The formats :func:`render_certificate` writes."""

_TEMPLATES = {"html": "certificate.html.j2", "markdown": "certificate.md.j2"}

_TAGGED_KINDS = ("illustrative", "estimate")
"""Provenance kinds of an input marked beside its line in the schedule."""

_RELIABLE = ("reported", "actual")
"""Provenance kinds of a figure a certificate may be signed on; any other makes it a DRAFT."""

_HOW = {"reported": "Reported", "actual": "Actual", "estimate": "Estimate"}
_HOW.update(illustrative="Illustrative", input="Given (source not stated)")
"""The schedule's "How" column for an input line, by its provenance kind."""

_COMPARISON = {"<": "below", "<=": "at or below", ">": "above", ">=": "at or above"}
"""A springing condition's comparison in words."""

_READING_WORDS = {"any_day": "on every day of the quarter", "quarter_end": "at the quarter end"}
"""How the springing condition was read (:data:`model.engines.covenants.springing.READINGS`)."""

_REPORTING_STATUS = {"yes": "complies", "no": "breach", "n/a": "not_required"}
"""A reporting answer code as the status whose colour it takes."""

_WATERMARK_SVG = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='850' height='1100' viewBox='0 0 850 1100'>"
    "<text x='425' y='620' text-anchor='middle' transform='rotate(-45 425 550)' "
    "font-family='Arial, Helvetica, sans-serif' font-size='240' font-weight='700' "
    "fill='#5f6368' fill-opacity='0.14'>DRAFT</text></svg>"
)
WATERMARK = "data:image/svg+xml," + quote(_WATERMARK_SVG, safe="")
"""The DRAFT watermark: a page-sized tile (US Letter proportions) repeated down the
certificate, behind its text; percent-encoded, so it is safe inside a style sheet."""

_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")

_TECHNICAL = re.compile(r"/|\\|\.csv\b|\.ya?ml\b|\.ipynb\b|\.py\b|\bparams\b|\bmodel\.")
"""What a caller's text may not hold to be printed: a path, a params file, a module."""

_PATH = re.compile(
    r"[\w.*~-]+(?:/[\w.*~-]+)+\.[A-Za-z]{1,5}\b"
    r"|[\w.*~-]*(?:/[\w.*~-]+){2,}"
    r"|\b[\w*-]+\.(?:csv|ya?ml|md|json|py|ipynb)\b"
    r"|\bmodel(?:\.\w+)+"
)
"""A file path or a module name inside a source's text."""

_ADDRESS = re.compile(r"https?://[^\s()<>\"']+[^\s()<>\"'.,;:]")
"""A web address inside a source's text (kept: a citation, not a path)."""


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("model.reports", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = _markdown_cell
    env.filters["dates"] = _unbroken_dates
    return env


def _unbroken_dates(text: Any) -> markupsafe.Markup:
    """HTML-escaped text whose ISO dates do not break across lines at their hyphens."""
    escaped = str(markupsafe.escape(str(text)))
    return markupsafe.Markup(_ISO_DATE.sub(r"<span class='date'>\g<0></span>", escaped))


def _markdown_cell(text: Any) -> str:
    """Text safe inside a Markdown table cell: no pipe, no line break."""
    return " ".join(str(text).split("\n")).replace("|", "\\|")


# --- plain words ------------------------------------------------------------------------


def looks_technical(text: str) -> bool:
    """Whether ``text`` holds something a bank should not read: a path, a params file or a
    module name.

    >>> looks_technical("illustrative: daily ledger from params/deals/ibasis/scenarios/cash.csv")
    True
    >>> looks_technical("the Bank's daily balance report")
    False
    """
    return bool(_TECHNICAL.search(text))


def _without_paths(text: str) -> str:
    """A source's text without file paths or module names: a parenthesis holding one is
    dropped whole.

    >>> _without_paths("public filing: Q2 release (Form 8-K) (reference/public.csv)")
    'public filing: Q2 release (Form 8-K)'
    >>> _without_paths("sample value, not public (reference/facts.md: not available)")
    'sample value, not public'

    A web address is a citation a bank can follow, so it is kept whole:

    >>> _without_paths("https://www.sec.gov/Archives/edgar/data/1/x/ex10.htm, Sec. 2.11(c)")
    'https://www.sec.gov/Archives/edgar/data/1/x/ex10.htm, Sec. 2.11(c)'
    """
    addresses: list[str] = []

    def keep(m: re.Match[str]) -> str:
        addresses.append(m.group())
        return f"\x00{len(addresses) - 1}\x00"

    text = _ADDRESS.sub(keep, text)
    text = re.sub(r"\s*\([^()]*\)", lambda m: "" if _PATH.search(m.group()) else m.group(), text)
    text = _PATH.sub("", text)
    text = re.sub(r"\s+([;,.:)])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text).strip(" ;,:")
    return re.sub("\x00(\\d+)\x00", lambda m: addresses[int(m.group(1))], text)


def _and(words: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _first_lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _item_label(comp: ComplianceTerms | None, item: str) -> str:
    """A line item by its label in the compliance file (its id in words without one)."""
    if comp is not None and item in comp.line_items:
        return comp.line_items[item].label
    return item.replace("_", " ")


def _provenance_words(p: Provenanced) -> str:
    """A term's source, or ``assumption: <why>``, without paths."""
    return (
        _without_paths(str(p.source))
        if not p.is_assumption
        else ("assumption: " + _without_paths(str(p.assumption)))
    )


def _level(amount: Any, unit: str) -> str:
    """A required level as the agreements write it: whole dollars, or a ratio x:1.00."""
    return ratio(amount) if unit == "ratio" else dollars(amount)


def _status_class(code: Any) -> str:
    """The CSS class of a status code (its colour: :data:`STATUS_COLOURS`); empty if none."""
    code = "" if is_missing(code) else str(code)
    return "st-" + code.replace("_", "-") if code in STATUS_COLOURS else ""


# --- the terms applied ------------------------------------------------------------------


def _version_name(facility: Facility, terms: FacilityTerms) -> str:
    """A version of the terms as a reader names it: the agreement, or the agreement as
    amended by an amendment (with its effective date)."""
    first = facility.all_versions[0]
    if terms.version_name == first.version_name:
        return f"the {first.title}"
    return f"the {first.title} as amended by the {terms.title} (effective {terms.effective_date})"


def _in_force(facility: Facility, d: dt.date) -> FacilityTerms | None:
    return facility.terms_as_of(d) if d >= facility.agreement_date else None


def _terms_sentence(facility: Facility, terms: FacilityTerms, q: dt.date) -> str:
    """Which terms the certificate applies, and why, in words."""
    name = _version_name(facility, terms)
    due, _rule = governing_due_date(facility, q)
    due_terms, end_terms = _in_force(facility, due), _in_force(facility, q)
    if due_terms is None or due_terms.version_name != terms.version_name:
        other = "none" if due_terms is None else _version_name(facility, due_terms)
        return (
            f"Terms applied: {name}, as requested for this certificate (the terms in force "
            f"when it is due, {due}, are {other})."
        )
    if end_terms is not None and end_terms.version_name == terms.version_name:
        return (
            f"Terms applied: {name}, in force at the period end and when this certificate "
            f"is due ({due})."
        )
    at_end = (
        f"; at the period end {_version_name(facility, end_terms)} was in force"
        if end_terms is not None
        else ""
    )
    return (
        f"Terms applied: {name}, in force when this certificate is due ({due}){at_end}. "
        "Applying the terms in force when the certificate is due is an assumption: the "
        "agreement does not say which version governs such a period."
    )


def _level_source(facility: Facility, terms: FacilityTerms, cid: str, r: pd.Series) -> str:
    """Where a covenant's required level comes from, in words."""
    kind, q, unit = str(r["threshold_kind"]), _quarter(r), str(r["unit"])
    step = terms.covenant(cid).step_for(q)
    if kind == "documented" and step is not None:
        return _provenance_words(step)
    if kind == "override" and step is not None:
        return (
            f"a scenario override of the documented {_level(step.amount, unit)} "
            f"({_provenance_words(step)}), not the documents' level"
        )
    if kind == "user_input":
        blank = "leave it blank" if step is not None else "set no level for this quarter"
        return f"given for this certificate: the documents {blank}"
    if kind == "carried":
        at_end = carried_terms(facility, q, None, terms)
        old = next((c for c in at_end.covenants if c.id == cid), None) if at_end else None
        old_step = old.step_for(q) if old is not None else None
        if at_end is not None and old_step is not None:
            return (
                f"{_provenance_words(old_step)}: the level of {_version_name(facility, at_end)}, "
                f"in force at the period end, as {_version_name(facility, terms)} sets none "
                "for this quarter"
            )
    return "the documents set no level for this quarter"


def _quarter(r: pd.Series) -> dt.date:
    return read_date(r["quarter_end"], "quarter_end")


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


# --- draft or not ------------------------------------------------------------------------

_DRAFT_WORDS = {
    "illustrative": "Illustrative figures, not the company's",
    "estimate": "Estimates",
    "input": "Figures whose source is not stated",
}


def _figure_kinds(
    comp: ComplianceTerms,
    results: pd.DataFrame,
    builds: Sequence[MetricBuildUp],
    provenance: pd.DataFrame | None,
) -> dict[str, dict[str, list[str]]]:
    """Every figure on the certificate by provenance kind: kind -> {what: line letters}."""
    out: dict[str, dict[str, list[str]]] = {}

    def add(kind: str, name: str, letter: str = "") -> None:
        letters = out.setdefault(kind, {}).setdefault(name, [])
        if letter and letter not in letters:
            letters.append(letter)

    for b in builds:
        for ln in b.lines:
            if ln.line_item:
                add(ln.kind, b.title, ln.letter)
    shown = {b.metric for b in builds}
    known = (
        {}
        if provenance is None or provenance.empty
        else dict(zip(provenance["line_item"], provenance["kind"], strict=True))
    )
    for _, r in results.iterrows():
        if str(r["metric"]) not in shown and not is_missing(r["actual"]):
            for item in comp.metric(str(r["metric"])).inputs:
                add(_kind(known.get(item)), _item_label(comp, item))
        if not is_missing(r["springing_metric"]) and not is_missing(r["liquidity_source"]):
            title = comp.metric(str(r["springing_metric"])).title
            add(_kind(r["liquidity_kind"]), f"the {title} figures of the springing test")
    return out


def _named(names: Mapping[str, list[str]]) -> str:
    return "; ".join(
        f"{n} line{'s' if len(ls) > 1 else ''} {_and(ls)}" if ls else n for n, ls in names.items()
    )


def _builds(
    form: CertificateForm, results: pd.DataFrame, schedule: Mapping[str, MetricBuildUp]
) -> list[MetricBuildUp]:
    """The build-ups the certificate shows: one per covenant whose metric is in the
    schedule, in row order, each metric once."""
    out: dict[str, MetricBuildUp] = {}
    for cid in _ordered(form, results):
        metric = str(_row(results, cid)["metric"])
        if metric in schedule:
            out.setdefault(metric, schedule[metric])
    return list(out.values())


def draft_reasons(
    facility: Facility,
    results: pd.DataFrame,
    schedule: Mapping[str, MetricBuildUp],
    provenance: pd.DataFrame | None = None,
) -> list[str]:
    """Why a certificate is a DRAFT, one sentence per reason: the figures on it that are not
    reported (illustrative, estimates, no stated source; named by metric and line, the
    springing test's figures by name) and the required levels replaced for a scenario.
    Empty when every figure is reported (or actual) and every level is the documents'.

    Parameters are those of :func:`render_certificate`.
    """
    comp = facility.compliance
    kinds = _figure_kinds(comp, results, _builds(comp.certificate, results, schedule), provenance)
    order = [*_DRAFT_WORDS, *sorted(k for k in kinds if k not in _DRAFT_WORDS)]
    out = [
        f"{_DRAFT_WORDS.get(k, k.capitalize() + ' figures')}: {_named(kinds[k])}."
        for k in order
        if k in kinds and k not in _RELIABLE
    ]
    replaced = [str(r["title"]) for _, r in results.iterrows() if r["threshold_kind"] == "override"]
    if replaced:
        out.append(
            f"Required levels replaced for a scenario, not the documents': {_and(replaced)}."
        )
    return out


# --- the certificate's parts -----------------------------------------------------------


def form_notes(form: CertificateForm) -> list[str]:
    """The footnotes under "Notes on the form": the form's own notes, then every
    correction of a typing slip (where, as printed, as shown)."""
    corrections = [
        f'{c.where}: printed "{c.printed}", shown as "{c.used}".' for c in form.corrections
    ]
    return [*form.form_notes, *corrections]


def _terms_of(facility: Facility, results: pd.DataFrame) -> FacilityTerms:
    """The version of the terms the results were evaluated under."""
    if not isinstance(facility, Facility):
        raise InputError(
            "render_certificate needs the Facility (load the facility file), not "
            f"{type(facility).__name__}: the names of the borrower and the bank are in the "
            "facility file, not in one version's terms",
            key="facility",
        )
    if results.empty:
        raise InputError("no covenant results to certify", key="results")
    return facility.version(str(results["version"].iloc[0]))


def _ordered(form: CertificateForm, results: pd.DataFrame) -> list[str]:
    """Covenant ids in the certificate's row order, then any others in results order."""
    ids = [str(i) for i in results.index]
    rows = [r.covenant for r in form.rows if r.covenant in ids]
    return rows + [i for i in ids if i not in rows]


def _row(results: pd.DataFrame, cid: str) -> pd.Series:
    """The results row of covenant ``cid`` (the index holds each covenant once)."""
    row = results.loc[cid]
    if not isinstance(row, pd.Series):
        raise InputError(f"covenant {cid!r} appears more than once in the results", key="results")
    return row


@dataclass(frozen=True)
class _Deal:
    """What every part of one certificate reads: the facility, the version applied, the
    results and what the caller says about the springing figures."""

    facility: Facility
    terms: FacilityTerms
    results: pd.DataFrame
    liq: _Liquidity

    @property
    def form(self) -> CertificateForm:
        return self.facility.compliance.certificate


def _financial_rows(deal: _Deal) -> list[dict[str, str]]:
    printed = {row.covenant: row.title for row in deal.form.rows}
    rows = []
    for cid in _ordered(deal.form, deal.results):
        r = _row(deal.results, cid)
        note = _condition_note(deal.facility, deal.terms, cid, r, deal.liq)
        cure = _cure_words(deal, r)
        if cure:
            note = f"{cure} {note}".strip()
        if r["threshold_kind"] == "override":
            level = _level_source(deal.facility, deal.terms, cid, r)
            note = f"Required level: {level}. {note}".strip()
        rows.append(
            {
                "title": printed.get(cid, str(r["title"])),
                "required": required_text(r["required"], str(r["unit"]), r["threshold_kind"]),
                "actual": actual_text(r["actual"], str(r["unit"]), r["status_code"]),
                "complies": complies_word(r["status_code"]) + (" (cured)" if cure else ""),
                "css": _status_class(r["status_code"]),
                "note": note,
            }
        )
    return rows


def _schedule_line(ln: ScheduleLine) -> dict[str, str]:
    how = _HOW.get(ln.kind, ln.kind.capitalize()) if ln.line_item else ln.formula
    return {
        "letter": ln.letter,
        "label": ln.label,
        "amount": MISSING if ln.amount is None else statement_figure(ln.amount, ln.unit),
        "how": how,
        "flag": ("ill" if ln.kind in _TAGGED_KINDS else "") if ln.line_item else "formula",
    }


def _cure_words(deal: _Deal, r: pd.Series) -> str:
    """The disclosure of an equity cure a covenant complies only with: the amount counted
    in its metric over the period, and the figure without it."""
    if not bool(r.get("cured", False)):
        return ""
    unit = str(r["unit"])
    cures = [li.label for li in deal.terms.compliance.line_items.values() if li.cure]
    before = r["actual_before_cure"]
    without = (
        "could not be computed"
        if is_missing(before)
        else f"would be {figure(before, unit)} against the required "
        f"{required_text(r['required'], unit, r['threshold_kind'])}"
    )
    return (
        f"Complies with an equity cure: {figure(r['cure_amount'], 'usd')} ({_and(cures)}) is counted "
        f"in the {deal.terms.compliance.metric(str(r['metric'])).title} for the period; "
        f"without it the figure {without}."
    )


def _schedule_test(deal: _Deal, cid: str, r: pd.Series, build: MetricBuildUp) -> dict[str, Any]:
    """One covenant's test of a schedule metric: its level, why it applies, the question."""
    form, unit, code = deal.form, str(r["unit"]), str(r["status_code"])
    required = required_text(r["required"], unit, r["threshold_kind"])
    blank = form.ratio_blank if unit == "ratio" else form.amount_blank
    shown = required if not is_missing(r["required"]) else blank
    answers = {
        "complies": form.answer_yes,
        "amber": form.answer_yes,
        "breach": form.answer_no,
        "undefined": form.answer_no,
    }
    comparison = form.comparison_min if r["direction"] == "min" else form.comparison_max
    question = (
        form.question.replace("{line}", build.lines[-1].letter)
        .replace("{comparison}", comparison)
        .replace("{required}", shown)
    )
    printed = {row.covenant: row.title for row in form.rows}
    return {
        "title": printed.get(cid, str(r["title"])),
        "required": required,
        "level_source": _level_source(deal.facility, deal.terms, cid, r),
        "reason": _condition_note(deal.facility, deal.terms, cid, r, deal.liq),
        "undefined": str(r["status"]) if code == "undefined" else "",
        "question": question,
        "answer": answers.get(code, complies_word(code)),
        "css": _status_class(code),
        "cure": _cure_words(deal, r),
    }


def _schedule_sections(deal: _Deal, schedule: Mapping[str, MetricBuildUp]) -> list[dict[str, Any]]:
    """One section per metric of ``schedule``, printed once: the metrics the covenants test
    first, in row order, each with every covenant's test of it (two covenants on one
    metric share its build-up); then the metrics no covenant tests (a figure the schedule
    reports for another clause), each over its own period, in the schedule's order."""
    tests: dict[str, list[dict[str, Any]]] = {}
    for cid in _ordered(deal.form, deal.results):
        r = _row(deal.results, cid)
        metric = str(r["metric"])
        if metric in schedule:
            t = _schedule_test(deal, cid, r, schedule[metric])
            if str(r["measurement_period"]) != schedule[metric].period:
                # the build-up is over another covenant's period: say so, no question on it
                t["question"] = (
                    f"{t['title']} measures this metric over the "
                    f"{str(r['measurement_period']).replace('_', ' ')}, not the period of the "
                    "build-up above: its figure is in the covenant table."
                )
                t["answer"] = complies_word(str(r["status_code"]))
            tests.setdefault(metric, []).append(t)
    order = [*tests, *(m for m in schedule if m not in tests)]
    comp = deal.terms.compliance
    sections = []
    for metric in order:
        build = schedule[metric]
        m = comp.metric(build.metric)
        sections.append(
            {
                "head": m.heading or build.title,
                "period": deal.form.period_text(build.period, build.quarters),
                "tests": tests.get(metric, []),
                "untested": ""
                if metric in tests
                else (
                    f"Reported for {m.section}; no financial covenant tests this figure"
                    + f" ({_provenance_words(m).rstrip('.')})"
                    + "."
                ),
                "undefined": build.undefined or "",
                "lines": [_schedule_line(ln) for ln in build.lines],
            }
        )
    return sections


def _reporting_rows(comp: ComplianceTerms, reporting: pd.DataFrame | None) -> list[dict[str, str]]:
    """Every reporting requirement of the deal with its answer, or "Yes / No" to circle."""
    rows = []
    for req in comp.reporting:
        if reporting is not None and req.id in reporting.index:
            code, detail = (
                str(reporting.at[req.id, "complies"]),
                str(reporting.at[req.id, "detail"]),
            )
            answer = reporting_answer(code)
        else:
            code, detail, answer = "", "", "Yes / No"
        rows.append(
            {
                "title": req.title,
                "required": req.required,
                "answer": answer,
                "css": _status_class(_REPORTING_STATUS.get(code, "")),
                "detail": detail,
            }
        )
    return rows


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


# --- the page --------------------------------------------------------------------------


def _parties(facility: Facility, form: CertificateForm) -> dict[str, str]:
    borrower, bank = facility.borrower, facility.bank
    if form.names_in_capitals:
        borrower, bank = borrower.upper(), bank.upper()
    return {"borrower": borrower, "bank": bank}


def _signature(
    form: CertificateForm, officer_name: str, officer_title: str
) -> list[dict[str, str]]:
    """The signature lines; the lines labelled Name and Title take the officer's name and
    title, the others are left to fill in."""
    given = {"name": officer_name, "title": officer_title}
    return [
        {"label": label, "value": given.get(label.lower(), "")} for label in form.signature_lines
    ]


def _words(
    facility: Facility, form: CertificateForm, q: dt.date, officer_name: str, officer_title: str
) -> dict[str, Any]:
    """The form's words, with the parties' names and the period end filled in."""
    names = _parties(facility, form)

    def fill(text: str) -> str:
        return form.fill(text, **names, period_end=q.isoformat())

    return {
        **names,
        "name": form.name,
        "title": [fill(t) for t in form.title],
        "certification": fill(form.certification),
        "ip_block": fill(form.ip_block) if form.ip_block else form.ip_block,
        "reporting_heading": form.reporting_heading,
        "financial_heading": form.financial_heading,
        "statement": fill(form.statement),
        "exceptions_heading": fill(form.exceptions_heading),
        "no_exceptions": fill(form.no_exceptions),
        "signature": _signature(form, officer_name, officer_title),
        "bank_use": [fill(b) for b in form.bank_use],
        "schedule_title": form.schedule_title,
        "schedule_subtitle": form.schedule_subtitle,
        "form_notes": form_notes(form),
        "labels": {
            "to": form.to_label,
            "from": form.from_label,
            "date": form.date_label,
            "period": form.period_label,
        },
        "reporting_columns": list(form.reporting_columns),
        "financial_columns": list(form.financial_columns),
        "schedule_columns": list(form.schedule_columns),
    }


def _check_ip(ip_registrations: str | Sequence[str] | None) -> list[str] | None:
    """The intellectual-property lines: None (blank), ["None"] or the registrations.

    Text (a notebook parameter) is read as the form asks: empty leaves the line blank,
    ``None`` states there are none, else registrations separated by semicolons.

    >>> _check_ip(""), _check_ip("None"), _check_ip("US 7,000,001; US 7,000,002")
    (None, ['None'], ['US 7,000,001', 'US 7,000,002'])
    """
    if isinstance(ip_registrations, str):
        text = ip_registrations.strip()
        if not text:
            return None
        ip_registrations = [] if text == "None" else [x.strip() for x in text.split(";")]
    if ip_registrations is None:
        return None
    if not all(isinstance(x, str) and x.strip() for x in ip_registrations):
        raise InputError(
            "a list of non-empty strings (one per registration), [] for 'None', or None to "
            "leave the line blank",
            key="ip_registrations",
        )
    return list(ip_registrations) or ["None"]


_STYLE = {
    "watermark": WATERMARK,
    "status_colours": [(c.replace("_", "-"), colour) for c, colour in STATUS_COLOURS.items()],
    "amber": STATUS_COLOURS["amber"],
}
"""What the HTML's style sheet reads: the watermark and the one set of status colours."""


def render_certificate(
    facility: Facility,
    results: pd.DataFrame,
    schedule: Mapping[str, MetricBuildUp],
    *,
    fmt: str = "html",
    reporting: pd.DataFrame | None = None,
    provenance: pd.DataFrame | None = None,
    certificate_date: dt.date | str | None = None,
    officer_name: str = "",
    officer_title: str = "",
    ip_registrations: str | Sequence[str] | None = None,
    exceptions: Sequence[str] = (),
    assumptions: Sequence[str] = (),
    liquidity: Any = None,
    springing_reading: str | None = None,
    liquidity_description: str | None = None,
) -> str:
    """Fill the deal's compliance certificate and its schedule for one quarter.

    Parameters
    ----------
    facility : Facility
        The facility (:func:`model.terms.load`): the certificate's words, the parties'
        names, and the version of the terms named in ``results``.
    results : DataFrame
        :func:`model.engines.covenants.evaluate_covenants` for the quarter.
    schedule : mapping metric id -> MetricBuildUp
        The metric build-ups (:func:`model.engines.covenants.schedule_1`); a covenant
        whose metric is here gets a section of the schedule.
    fmt : {"html", "markdown"}
    reporting : DataFrame, optional
        :func:`model.engines.covenants.reporting_summary` (an answer per reporting
        requirement); without it the reporting table is left for the officer to circle.
    provenance : DataFrame, optional
        ``Actuals.provenance(quarter)``: lists which inputs are reported, estimated or
        illustrative.
    certificate_date : date or ISO str, optional
        Printed as the certificate's date; blank if not given.
    officer_name, officer_title : str
        Printed on the signature lines labelled Name and Title; blank if empty.
    ip_registrations : str or sequence of str, optional
        The intellectual-property block (where the form has one): ``None`` leaves a
        blank line to fill in; an empty list prints "None", as the forms ask when there
        are no registrations. Text is read as a parameter: empty, ``None``, or
        registrations separated by semicolons.
    exceptions, assumptions : sequence of str
        Exceptions added to those the results imply, and notes; printed as given.
    liquidity : number, Series or ledger DataFrame, optional
        The springing test's figures, as given to ``evaluate_covenants``: the certificate
        then says what they show for the quarter (the quarter-end figure, or the lowest
        and the days a daily ledger does not cover).
    springing_reading : {"any_day", "quarter_end"}, optional
        The reading given to ``evaluate_covenants``; the certificate says it in words.
    liquidity_description : str, optional
        The springing figures described for the bank ("the Bank's daily balance report");
        default: worded from their provenance kind. No path or module name (an
        :class:`~model.errors.InputError`).

    Returns
    -------
    str
        A self-contained, printable HTML page (US Letter; its styles apply only inside
        the certificate, so it can be embedded in another page), or Markdown. Unless
        every figure is reported it is marked DRAFT, with the reasons
        (:func:`draft_reasons`).

    Examples
    --------
    >>> from model import paths
    >>> from model.terms import load
    >>> from model.engines.covenants import evaluate_covenants, schedule_1
    >>> fac = load(paths.PARAMS / "deals" / "ibasis" / "facilities" / "svb-loan-agreement.yaml")
    >>> acts = load(paths.PARAMS / "deals" / "ibasis" / "actuals" / "ibasis-2008.csv")
    >>> res = evaluate_covenants(fac, "2008-03-31", acts, thresholds={"adjusted_quick_ratio": 1})
    >>> md = render_certificate(fac, res, schedule_1(fac, acts, "2008-03-31"), fmt="markdown")
    >>> fac.borrower.upper() in md, "| $7,500,000.00 | $8,000,000.00 | Yes |" in md
    (True, True)
    >>> md.startswith("**DRAFT")
    True
    """
    kind = read_choice(fmt, FORMATS, "fmt")
    reading = (
        None
        if springing_reading is None
        else read_choice(springing_reading, READINGS, "springing_reading")
    )
    ip = _check_ip(ip_registrations)
    terms = _terms_of(facility, results)
    liq = _Liquidity(liquidity, reading, _description(liquidity_description), provenance)
    deal = _Deal(facility, terms, results, liq)
    q = read_date(results["quarter_end"].iloc[0], "quarter_end")
    cdate = read_date(certificate_date, "certificate_date") if certificate_date else None
    sentence = _terms_sentence(facility, terms, q)
    page = {
        **_words(facility, deal.form, q, officer_name, officer_title),
        **_STYLE,
        "quarter_end": q.isoformat(),
        "date": cdate.isoformat() if cdate else "",
        "draft": draft_reasons(facility, results, schedule, provenance),
        "terms": sentence,
        "reporting": _reporting_rows(facility.compliance, reporting),
        "ip": ip,
        "fin": _financial_rows(deal),
        "exceptions": certificate_exceptions(results, reporting, exceptions, facility=facility),
        "sched": _schedule_sections(deal, schedule),
        "notes": [sentence, *_level_notes(deal), *assumptions],
        "inputs": _inputs(facility.compliance, results, schedule, liq),
    }
    return _environment().get_template(_TEMPLATES[kind]).render(page)


def write_certificate(text: str, output_dir: str | Path, name: str) -> Path | None:
    """Write a rendered certificate to ``output_dir/name`` atomically (``name`` may not
    escape the folder: :func:`model.paths.safe_join`); with an empty ``output_dir``,
    nothing (None). ``output_dir`` goes through :func:`model.paths.report_dir`, so
    ``"reports"`` follows ``$MODEL_REPORTS_DIR``."""
    folder = paths.output_folder(output_dir)
    if folder is None:
        return None
    target = paths.safe_join(folder, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    with paths.atomic_target(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target
