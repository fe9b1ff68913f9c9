"""The page: the parties, the signature, the words of the form, and :func:`render_certificate`
(HTML or Markdown) and :func:`write_certificate`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from model import paths
from model.engines.covenants.metrics import MetricBuildUp
from model.engines.covenants.springing import READINGS
from model.errors import InputError
from model.reports.certificate.draft import (
    _Deal,
    _financial_rows,
    _reporting_rows,
    _schedule_sections,
    draft_reasons,
    form_notes,
)
from model.reports.certificate.inputs import _description, _inputs, _level_notes
from model.reports.certificate.springing import _Liquidity, certificate_exceptions
from model.reports.certificate.words import (
    _TEMPLATES,
    FORMATS,
    WATERMARK,
    _environment,
    _terms_of,
    _terms_sentence,
)
from model.reports.tables import STATUS_COLOURS
from model.terms.compliance import CertificateForm
from model.terms.facility import Facility
from model.values import read_choice, read_date

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
    return _environment(kind).get_template(_TEMPLATES[kind]).render(page)


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
