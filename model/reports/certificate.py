"""A deal's compliance certificate and its schedule, filled from what the engines return:
HTML to print and sign, or Markdown.

Every word of the deal comes from its terms: the certificate's wording from the
compliance file (``facility.compliance.certificate``,
:class:`model.terms.compliance.CertificateForm`: title, certification, headings, row
titles, statement, signature and bank-use blocks, notes on the form and the corrections
of its typing slips), the schedule headings from the metrics, the names of the parties
from the facility file. The templates (``model/reports/templates/certificate.*.j2``)
only lay the page out.

Reporting only: nothing here computes a covenant. :func:`render_certificate` takes the
result of :func:`model.engines.covenants.evaluate_covenants`, the metric build-ups of
:func:`model.engines.covenants.schedule_1` and, optionally, the reporting-covenant answers
of :func:`model.engines.covenants.reporting_summary` and the actuals' provenance. It reads
the engine's codes (``status_code``, ``threshold_kind``, ``direction``, ``unit``) to
decide what to print; the engine's sentences (``applies_reason``, ``threshold_source``,
``version_basis``) are printed as they are.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from model import paths
from model.engines.covenants.metrics import MetricBuildUp, ScheduleLine
from model.errors import InputError
from model.reports.formatting import (
    MISSING,
    actual_text,
    answer_class,
    complies_word,
    figure,
    headroom,
    reporting_answer,
    required_text,
    usd,
)
from model.terms.compliance import CertificateForm, ComplianceTerms
from model.terms.facility import Facility, FacilityTerms
from model.values import is_missing, read_choice, read_date

__all__ = [
    "certificate_inputs",
    "render_certificate",
    "write_certificate",
    "certificate_exceptions",
    "form_notes",
    "FORMATS",
]

FORMATS = ("html", "markdown")
"""The formats :func:`render_certificate` writes."""

_TEMPLATES = {"html": "certificate.html.j2", "markdown": "certificate.md.j2"}

_TAGGED_KINDS = ("illustrative", "estimate", "reported")
"""Provenance kinds of an input shown beside its line in the schedule."""


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
    return env


def _markdown_cell(text: Any) -> str:
    """Text safe inside a Markdown table cell: no pipe, no line break."""
    return " ".join(str(text).split("\n")).replace("|", "\\|")


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
    results: pd.DataFrame, reporting: pd.DataFrame | None = None, extra: Sequence[str] = ()
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
    """
    out = []
    for _, r in results.iterrows():
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
            out.append(
                f"{where}: the required level {figure(r['required'], str(r['unit']))} is an "
                f"{r['threshold_source']}: this is a scenario, not a certification of the "
                "documented covenant."
            )
    if reporting is not None:
        for _, rep in reporting.iterrows():
            if rep["complies"] == "no":
                out.append(
                    f"Reporting covenant '{rep['title']}' ({rep['required']}): {rep['detail']}."
                )
    out.extend(extra)
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


def _condition_note(terms: FacilityTerms, cid: str, r: pd.Series) -> str:
    """Why the covenant applies or not, where that is news: a springing condition, or no
    threshold for the quarter (a plain, always-tested covenant has no note)."""
    springs = terms.covenant(cid).springing is not None
    return str(r["applies_reason"]) if springs or r["threshold_kind"] == "none" else ""


def _financial_rows(
    form: CertificateForm, terms: FacilityTerms, results: pd.DataFrame
) -> list[dict[str, str]]:
    printed = {row.covenant: row.title for row in form.rows}
    rows = []
    for cid in _ordered(form, results):
        r = _row(results, cid)
        note = _condition_note(terms, cid, r)
        if r["threshold_kind"] == "override":
            note = f"{r['threshold_source']}. {note}".strip()
        rows.append(
            {
                "title": printed.get(cid, str(r["title"])),
                "required": required_text(r["required"], str(r["unit"]), r["threshold_kind"]),
                "actual": actual_text(r["actual"], str(r["unit"]), r["status_code"]),
                "complies": complies_word(r["status_code"]),
                "css": answer_class(r["status_code"]),
                "note": note,
            }
        )
    return rows


def _schedule_line(ln: ScheduleLine) -> dict[str, str]:
    return {
        "letter": ln.letter,
        "label": ln.label,
        "amount": MISSING if ln.amount is None else figure(ln.amount, ln.unit),
        "formula": ln.formula,
        "kind": ln.kind if ln.kind in _TAGGED_KINDS else "",
    }


def _schedule_section(
    form: CertificateForm, terms: FacilityTerms, cid: str, r: pd.Series, build: MetricBuildUp
) -> dict[str, Any]:
    unit, code = str(r["unit"]), str(r["status_code"])
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
    return {
        "head": terms.compliance.metric(build.metric).heading or build.title,
        "period": form.period_text(build.period, build.quarters),
        "required": required,
        "threshold_source": str(r["threshold_source"]),
        "reason": _condition_note(terms, cid, r),
        "undefined": str(r["status"]) if code == "undefined" else "",
        "lines": [_schedule_line(ln) for ln in build.lines],
        "question": question,
        "answer": answers.get(code, complies_word(code)),
        "css": answer_class(code),
    }


def _schedule_sections(
    form: CertificateForm,
    terms: FacilityTerms,
    results: pd.DataFrame,
    schedule: Mapping[str, MetricBuildUp],
) -> list[dict[str, Any]]:
    """One section per covenant whose metric is in ``schedule``, in row order."""
    sections = []
    for cid in _ordered(form, results):
        r = _row(results, cid)
        build = schedule.get(str(r["metric"]))
        if build is not None:
            sections.append(_schedule_section(form, terms, cid, r, build))
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
                "css": answer_class(code),
                "detail": detail,
            }
        )
    return rows


# --- inputs and assumptions ------------------------------------------------------------


def _liquidity_notes(results: pd.DataFrame) -> list[str]:
    """Where the figures of each springing test came from, marked when illustrative."""
    out = []
    sources: Iterable[Any] = results["liquidity_source"].dropna().unique()
    for src in sources:
        rows = results[results["liquidity_source"] == src]
        refs = rows["reference"].dropna().unique()
        where = f" ({', '.join(str(x) for x in refs)})" if len(refs) else ""
        if (rows["liquidity_kind"] == "illustrative").any():
            out.append(
                f"ILLUSTRATIVE liquidity for the springing test{where}: {src}. "
                "Not the company's figures."
            )
        else:
            out.append(f"Liquidity for the springing test{where}: {src}.")
    return out


def _springing_items(results: pd.DataFrame) -> set[str]:
    """The line items of the actuals the engine read for the springing tests."""
    return {item for items in results["liquidity_items"] for item in items}


def _provenance_notes(provenance: pd.DataFrame, used: set[str]) -> list[str]:
    """Which of the inputs used are illustrative, estimates or reported, and their sources."""
    p = provenance[provenance["line_item"].isin(used)]
    out = []
    illustrative = p[p["kind"] == "illustrative"]["line_item"].tolist()
    if illustrative:
        out.append("ILLUSTRATIVE (not the company's figures): " + ", ".join(illustrative) + ".")
    row: Any  # a provenance row: line_item, source, note are text, value a number
    for row in p[p["kind"] == "estimate"].itertuples():
        why = row.source if is_missing(row.note) else row.note
        out.append(f"ESTIMATE (exact figure not public): {row.line_item} {usd(row.value)}: {why}.")
    for row in p[p["kind"] == "reported"].itertuples():
        note = "" if is_missing(row.note) else f" ({row.note})"
        out.append(f"Reported: {row.line_item} {usd(row.value)}: {row.source}{note}.")
    return out


def certificate_inputs(
    results: pd.DataFrame,
    schedule: Mapping[str, MetricBuildUp],
    provenance: pd.DataFrame | None = None,
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
    """
    out = _liquidity_notes(results)
    if provenance is not None and not provenance.empty:
        used = {ln.line_item for b in schedule.values() for ln in b.lines if ln.line_item}
        out += _provenance_notes(provenance, used | _springing_items(results))
    return out


def _level_notes(results: pd.DataFrame) -> list[str]:
    """Levels that are not the documents': overrides, then user inputs."""
    notes: dict[str, list[str]] = {"override": [], "user_input": []}
    for _, r in results.iterrows():
        kind = str(r["threshold_kind"])
        level = figure(r["required"], str(r["unit"]))
        if kind == "override":
            notes[kind].append(
                f"{r['title']}: required level {level} is an {r['threshold_source']}."
            )
        elif kind == "user_input":
            notes[kind].append(
                f"{r['title']}: required level {level} is a user input (not in the documents)."
            )
    return notes["override"] + notes["user_input"]


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
        Exceptions added to those the results imply, and notes.

    Returns
    -------
    str
        A self-contained, printable HTML page (its styles apply only inside the
        certificate, so it can be embedded in another page), or Markdown.

    Examples
    --------
    >>> from model import paths
    >>> from model.terms import load
    >>> from model.engines.covenants import evaluate_covenants, schedule_1
    >>> fac = load(paths.PARAMS / "facilities" / "svb-loan-agreement.yaml")
    >>> acts = load(paths.PARAMS / "actuals" / "ibasis-2008.csv")
    >>> res = evaluate_covenants(fac, "2008-03-31", acts, thresholds={"adjusted_quick_ratio": 1})
    >>> md = render_certificate(fac, res, schedule_1(fac, acts, "2008-03-31"), fmt="markdown")
    >>> fac.borrower.upper() in md, "| $7,500,000.00 | $8,000,000.00 | Yes |" in md
    (True, True)
    """
    kind = read_choice(fmt, FORMATS, "fmt")
    ip = _check_ip(ip_registrations)
    terms = _terms_of(facility, results)
    form = facility.compliance.certificate
    q = read_date(results["quarter_end"].iloc[0], "quarter_end")
    cdate = read_date(certificate_date, "certificate_date") if certificate_date else None
    version, basis = results["version"].iloc[0], results["version_basis"].iloc[0]
    page = {
        **_words(facility, form, q, officer_name, officer_title),
        "quarter_end": q.isoformat(),
        "date": cdate.isoformat() if cdate else "",
        "terms": f"Terms applied: version '{version}'; {basis}.",
        "reporting": _reporting_rows(facility.compliance, reporting),
        "ip": ip,
        "fin": _financial_rows(form, terms, results),
        "exceptions": certificate_exceptions(results, reporting, exceptions),
        "sched": _schedule_sections(form, terms, results, schedule),
        "notes": [f"Terms: version '{version}' ({basis}).", *_level_notes(results), *assumptions],
        "inputs": certificate_inputs(results, schedule, provenance),
    }
    return _environment().get_template(_TEMPLATES[kind]).render(page)


def write_certificate(text: str, output_dir: str | Path, name: str) -> Path:
    """Write a rendered certificate to ``output_dir/name`` (``name`` may not escape the
    folder: :func:`model.paths.safe_join`). ``output_dir`` goes through
    :func:`model.paths.report_dir`, so the default ``"reports"`` follows
    ``$MODEL_REPORTS_DIR``."""
    target = paths.safe_join(paths.report_dir(output_dir), name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
