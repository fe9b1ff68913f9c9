"""The certificate's words: constants, plain sentences from the terms (never a path or an
identifier of the code), and the version of the terms applied and where each level comes from."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import jinja2
import markupsafe
import pandas as pd

from model.engines.covenants.evaluate import carried_terms
from model.engines.covenants.reporting import governing_due_date
from model.errors import InputError
from model.reports.formatting import (
    dollars,
    ratio,
)
from model.reports.tables import STATUS_COLOURS
from model.terms.compliance import ComplianceTerms
from model.terms.facility import Facility, FacilityTerms
from model.terms.fields import Provenanced
from model.values import is_missing, read_date

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


_TAG = re.compile(r"<(?=[A-Za-z/!?])")
"""The start of an HTML tag, comment or declaration inside text."""

_LINK = re.compile(r"([\[\]])")
"""The brackets of a Markdown link or image (``[text](url)``, ``![alt](url)``)."""


def markdown_text(value: Any) -> Any:
    """A value printed into the Markdown certificate with its HTML tags made text
    (``<script>`` as ``&lt;script>``), as the HTML certificate escapes them: Markdown
    passes raw HTML through to the page. A ``<`` before a space or a digit stays. The
    brackets of a link or an image are escaped too, so ``[x](javascript:...)`` stays text.

    >>> markdown_text("<script>alert(1)</script> liquidity < $20,000,000")
    '&lt;script>alert(1)&lt;/script> liquidity < $20,000,000'
    >>> print(markdown_text("[details](javascript:alert(1))"))
    \\[details\\](javascript:alert(1))
    """
    if not isinstance(value, str):
        return value
    return _LINK.sub(r"\\\1", _TAG.sub("&lt;", value))


@functools.cache
def _environment(kind: str = "html") -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("model.reports", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=markdown_text if kind == "markdown" else None,
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


def _quarter(r: pd.Series) -> dt.date:
    return read_date(r["quarter_end"], "quarter_end")
