"""Whether a certificate is a DRAFT (figures not reported, levels replaced) and the parts of
the page built from the results: the financial covenant rows, the schedule's build-ups with
each covenant's question and any cure, the reporting covenants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from model.engines.covenants.metrics import MetricBuildUp, ScheduleLine
from model.errors import InputError
from model.reports.certificate.springing import _condition_note, _kind, _Liquidity
from model.reports.certificate.words import (
    _HOW,
    _RELIABLE,
    _REPORTING_STATUS,
    _TAGGED_KINDS,
    _and,
    _item_label,
    _level_source,
    _provenance_words,
    _status_class,
)
from model.reports.formatting import (
    MISSING,
    actual_text,
    complies_word,
    figure,
    reporting_answer,
    required_text,
    statement_figure,
)
from model.terms.compliance import CertificateForm, ComplianceTerms
from model.terms.facility import Facility, FacilityTerms
from model.values import is_missing

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
