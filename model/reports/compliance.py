"""The covenant compliance report (notebook 03): one quarter tested and certified.

:func:`compliance_report` takes the quarter's covenant results and build-ups, the history,
the versions of the terms side by side and the daily ledger, and returns a
:class:`~model.reports.report.Report` with the sections ``compliance`` (the covenants, why
each test applies, the exceptions), ``schedule`` (every line of the build-ups),
``history``, ``versions``, ``reporting``, ``certificate`` and ``reference``; the
Compliance Certificate as HTML and Markdown in :attr:`Report.documents`; and the key
figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from model.dates.periods import quarter_start
from model.engines.covenants import reporting_due_dates
from model.engines.covenants.quarter_study import LedgerNote, QuarterPack, QuarterStudy
from model.engines.projection.reported import reported_figures
from model.reports.certificate import certificate_exceptions, draft_reasons, render_certificate
from model.reports.excel import ScheduleTest
from model.reports.formatting import describe_version_change, usd
from model.reports.report import Report
from model.reports.tables import Html, Table, banner, cell, details, headline, table
from model.reports.timeline import quarter_key_figures
from model.terms.facility import Facility

__all__ = ["CertificateSigning", "compliance_report"]


@dataclass(frozen=True)
class CertificateSigning:
    """What the certificate prints beyond the figures: its date, the signing officer, and
    the IP block (empty: a blank line to fill in; ``None``: no registrations)."""

    certificate_date: dt.date
    officer_name: str = ""
    officer_title: str = ""
    ip_registrations: str = ""


def certificate_name(quarter: dt.date) -> str:
    """The file name (without suffix) of the certificate for ``quarter``.

    >>> certificate_name(dt.date(2008, 12, 31))
    '03-compliance-certificate-2008-12-31'
    """
    return f"03-compliance-certificate-{quarter.isoformat()}"


def _certificate(study: QuarterStudy, signing: CertificateSigning, fmt: str) -> str:
    """The Compliance Certificate of ``study``'s quarter as ``fmt`` (html or markdown)."""
    note = study.ledger_note
    return render_certificate(
        study.facility,
        study.results,
        study.schedule,
        fmt=fmt,
        provenance=study.actuals.provenance(study.quarter),
        certificate_date=signing.certificate_date,
        officer_name=signing.officer_name,
        officer_title=signing.officer_title,
        ip_registrations=signing.ip_registrations,
        liquidity=study.ledger,
        springing_reading=study.springing_reading,
        liquidity_description=note.description if note else None,
    )


def _pack(
    study: QuarterStudy,
    signing: CertificateSigning,
    pack: QuarterPack | None,
    documents: dict[str, str],
) -> tuple[dict[str, Any], Table | None]:
    """A certificate for every quarter of ``pack`` (added to ``documents``), their key
    figures by quarter end, and the table that lists them."""
    figures: dict[str, Any] = {}
    rows = []
    if pack is None:
        return figures, None
    for s in sorted(pack.studies, key=lambda s: s.quarter):
        name = certificate_name(s.quarter)
        if s.quarter != study.quarter:
            own = CertificateSigning(
                s.due_date, signing.officer_name, signing.officer_title, signing.ip_registrations
            )
            documents[name + ".html"] = _certificate(s, own, "html")
            documents[name + ".md"] = _certificate(s, own, "markdown")
        res = s.results
        reasons = draft_reasons(s.facility, res, s.schedule, s.actuals.provenance(s.quarter))
        breaches = [str(c) for c in res.index[res["status_code"] == "breach"]]
        undecided = [str(c) for c in res.index[res["status_code"] == "undefined"]]
        figures[s.quarter.isoformat()] = {
            "version": str(res["version"].iloc[0]),
            "due_date": s.due_date,
            "statuses": {str(c): str(v) for c, v in res["status_code"].items()},
            "breaches": breaches,
            "draft": bool(reasons),
            "html": name + ".html",
            "markdown": name + ".md",
        }
        rows.append(
            {
                "quarter_end": s.quarter,
                "terms": s.facility.version(str(res["version"].iloc[0])).title,
                "due_date": s.due_date,
                "status_code": "breach" if breaches else "undefined" if undecided else "complies",
                "breaches": ", ".join(str(res.loc[c, "title"]) for c in breaches) or "none",
                "draft": bool(reasons),
                "files": f"{name}.html, {name}.md",
            }
        )
    for q, reason in pack.not_certified.items():
        rows.append(
            {
                "quarter_end": q,
                "terms": "—",
                "due_date": None,
                "status_code": "not_required",
                "breaches": f"Not certified: {reason}",
                "draft": None,
                "files": "—",
            }
        )
    if not rows:
        return figures, None
    frame = pd.DataFrame(rows).sort_values("quarter_end").set_index("quarter_end")
    t_pack = table(
        frame,
        "A Compliance Certificate for every reported quarter",
        "t03-certificates",
        columns={
            "terms": ("Terms applied (in force when due)", "text"),
            "due_date": ("Due", "date"),
            "breaches": ("Covenants in breach", "text"),
            "draft": ("DRAFT (not every figure reported)", "yes_no"),
            "files": ("Files beside this report (and a PDF where a browser printed it)", "text"),
        },
        index=("Quarter end", "date"),
        note="Each certificate is dated its due date and uses the daily ledger where it covers "
        "the quarter, the quarter-end liquidity of the actuals otherwise.",
        sheet="Certificates",
    )
    return figures, t_pack


def _flag(x: Any) -> bool | None:
    """A yes/no figure, or None where the test cannot be decided (a missing level, a
    ratio that cannot be computed)."""
    return None if x is None or x is pd.NA or (isinstance(x, float) and pd.isna(x)) else bool(x)


def _unit(u: Any) -> str:
    return "ratio" if u == "ratio" else "usd"


def compliance_report(
    study: QuarterStudy, signing: CertificateSigning, pack: QuarterPack | None = None
) -> Report:
    """The report of the quarter ``study`` tested (see the module docstring), its
    certificate signed as ``signing`` says; with ``pack``, a certificate for each quarter
    studied there too (each dated its due date, signed by the same officer), listed in the
    section ``certificates`` and the key figure ``certificates``, beside the quarters that
    cannot be certified and why (``not_certified``)."""
    facility, actuals, results, schedule = (
        study.facility,
        study.actuals,
        study.results,
        study.schedule,
    )
    history, side, acceptance, ledger = study.history, study.side, study.acceptance, study.ledger
    version, due_date, cushion = study.version, study.due_date, study.cushion
    springing_reading, history_quarters = study.springing_reading, study.history_quarters
    acceptance_case = (study.acceptance_quarter, study.acceptance_covenant)
    ledger_note = study.ledger_note
    q = study.quarter
    terms = facility.version(results["version"].iloc[0])
    exceptions = certificate_exceptions(results, facility=facility)
    due = reporting_due_dates(facility, quarter_start(q), q)
    upcoming = due[due["due_date"] > q]
    first, last = facility.versions[0][0], facility.versions[-1][0]
    acceptance_quarter, acceptance_covenant = acceptance_case
    aq = acceptance_quarter
    acceptance_key = f"q{(aq.month - 1) // 3 + 1}_{aq.year}_{acceptance_covenant}"
    items = facility.compliance.line_items
    provenance = actuals.provenance(q)
    labels = [
        items[i].label if i in items else i.replace("_", " ") for i in provenance["line_item"]
    ]
    estimates = pd.concat([actuals.provenance(qe) for qe in history_quarters]).query(
        "kind == 'estimate'"
    )
    assumed = facility.assumptions()
    sources = pd.concat(
        [
            pd.DataFrame(
                {
                    "item": labels,
                    "value": provenance["value"],
                    "kind": provenance["kind"],
                    "provenance": provenance["source"],
                    "note": provenance["note"],
                }
            ),
            pd.DataFrame(
                {
                    "item": assumed["term"],
                    "value": assumed["value"],
                    "kind": "assumption",
                    "provenance": assumed["assumption"],
                    "note": "versions: " + assumed["versions"],
                }
            ),
        ],
        ignore_index=True,
    )

    front = [
        headline(
            f"Covenant compliance for the quarter ended {q}",
            [
                (
                    "Terms applied"
                    + (
                        f", in force on {due_date} when the certificate is due (an assumption)"
                        if not version
                        else ", as chosen for this run"
                    ),
                    terms.title,
                ),
                *[
                    (f"{r['title']} for {r['period_end']} due", str(r["due_date"]))
                    for _, r in upcoming.iterrows()
                ],
            ],
            [
                (
                    f"{r['title']} ({r['reference']})",
                    r["status_code"],
                    "—"
                    if pd.isna(r["headroom_pct"])
                    else f"{cell(r['headroom'], _unit(r['unit']))}, "
                    f"{cell(r['headroom_pct'], 'percent')} of required",
                )
                for _, r in results.iterrows()
            ],
        ),
        _inputs_banner(facility, results, q, provenance, labels, estimates, ledger_note),
    ]

    compliance = _compliance_tables(facility, results, exceptions, q, terms.title, cushion)
    t_schedule = [
        table(
            pd.DataFrame(
                {
                    "label": [ln.label for ln in build.lines],
                    "amount": [
                        f"{ln.amount:.4f}" if ln.unit == "ratio" else usd(ln.amount)
                        for ln in build.lines
                    ],
                    "formula": [ln.formula for ln in build.lines],
                    "kind": [ln.kind for ln in build.lines],
                },
                index=pd.Index([ln.letter for ln in build.lines], name="line"),
            ),
            f"{build.title} ({build.section})",
            f"t03-schedule-{cid}",
            columns={
                "label": ("Line item", "text"),
                "amount": ("Amount", "figure"),
                "formula": ("How", "text"),
                "kind": ("Figure is", "text"),
            },
            index=("Line", "text"),
            sheet=f"Build-up {build.title}",
        )
        for cid, build in schedule.items()
    ]
    history_parts, history_tables = _history_tables(history, history_quarters)
    t_versions = _versions_table(facility, side, acceptance, q, acceptance_case)
    t_due = table(
        due.set_index("title")[["required", "period_end", "due_date", "basis"]],
        f"Reports due for the periods ending in the quarter ended {q}",
        "t03-reporting",
        columns={
            "required": ("Required", "text"),
            "period_end": ("Period end", "date"),
            "due_date": ("Due", "date"),
            "basis": ("Rule", "text"),
        },
        index=("Report", "text"),
        sheet="Reporting calendar",
    )

    cert_name = certificate_name(q)
    cert_html, cert_md = (
        _certificate(study, signing, "html"),
        _certificate(study, signing, "markdown"),
    )
    documents = {cert_name + ".html": cert_html, cert_name + ".md": cert_md}
    certified, t_pack = _pack(study, signing, pack, documents)
    not_certified = (
        {q.isoformat(): reason for q, reason in sorted(pack.not_certified.items())} if pack else {}
    )
    t_sources = table(
        sources,
        f"Line items for {q} and the assumptions in the terms",
        "t03-sources",
        columns={
            "item": ("Line item or term", "text"),
            "value": ("Value", "figure"),
            "kind": ("Kind", "text"),
            "note": ("Note", "text"),
        },
        index=("", "text"),
        sheet="Sources and assumptions",
    )

    units = {
        c.id: t.compliance.metric(c.metric).unit for t in facility.all_versions for c in t.covenants
    }
    acceptance_figures = (
        {
            f"{acceptance_key}_original_complies": _flag(
                acceptance.loc[acceptance_covenant, (first, "complies")]
            ),
            f"{acceptance_key}_amended_complies": _flag(
                acceptance.loc[acceptance_covenant, (last, "complies")]
            ),
        }
        if first != last
        else {
            f"{acceptance_key}_complies": bool(
                acceptance.loc[acceptance_covenant, (first, "complies")]
            )
        }
    )
    figures = {
        "quarter_end": q,
        "version": results["version"].iloc[0],
        "version_basis": results["version_basis"].iloc[0],
        "springing_reading": springing_reading,
        "liquidity_source": ledger_note.source if ledger_note else None,
        "covenants": {
            cid: {
                "required": r["required"],
                "actual": r["actual"],
                "status": r["status"],
                "cure_amount": r["cure_amount"],
                "cured": bool(r["cured"]),
                "complies": None if r["complies"] is pd.NA else bool(r["complies"]),
                "headroom": r["headroom"],
                "amber": None if r["amber"] is pd.NA else bool(r["amber"]),
            }
            for cid, r in results.iterrows()
        },
        **acceptance_figures,
        "history": quarter_key_figures(
            reported_figures(actuals, facility.compliance, ledger).loc[list(history_quarters)],
            history,
            units,
        ),
        "certificate_html": cert_name + ".html",
        "certificate_markdown": cert_name + ".md",
        **({"certificates": certified} if pack is not None else {}),
        **({"not_certified": not_certified} if not_certified else {}),
    }
    lines = [f"Quarter ended {q}: terms {results['version'].iloc[0]}; certificate due {due_date}"]
    for cid, r in results.iterrows():
        u = _unit(r["unit"])
        lines.append(
            f"{cid}: {r['status']}; required {cell(r['required'], u)}, actual {cell(r['actual'], u)}, "
            f"headroom {cell(r['headroom'], u)}"
        )
    lines.append(
        f"Acceptance {acceptance_quarter}, {acceptance_covenant}: "
        + (
            f"{first} complies {acceptance_figures[acceptance_key + '_original_complies']}, {last} "
            f"complies {acceptance_figures[acceptance_key + '_amended_complies']}"
            if first != last
            else f"{first} (the only version) complies {acceptance_figures[acceptance_key + '_complies']}"
        )
    )
    breaches = history.index[history["status_code"] == "breach"]
    lines.append(
        "History breaches: " + (", ".join(f"{qe} {cid}" for qe, cid in breaches) or "none")
    )
    lines.append(
        "Reports due after the quarter: "
        + ", ".join(f"{r['requirement']} {r['due_date']}" for _, r in upcoming.iterrows())
    )
    lines.append(f"Exceptions on the certificate: {len(exceptions)}")
    return Report(
        name="03-covenant-compliance",
        front=front,
        sections={
            "compliance": compliance,
            "schedule": t_schedule,
            "history": history_parts,
            "versions": [t_versions],
            "reporting": [t_due],
            "certificate": [Html(cert_html)],
            "certificates": [t_pack] if t_pack is not None else [],
            "reference": [
                details(
                    f"Sources and assumptions ({(sources['kind'] != 'reported').sum()} of "
                    f"{len(sources)} not reported)",
                    t_sources,
                )
            ],
        },
        tables=[
            *compliance,
            *t_schedule,
            *history_tables,
            t_versions,
            t_due,
            *([t_pack] if t_pack is not None else []),
        ],
        figures=figures,
        sources=sources,
        schedule=ScheduleTest(facility, results, schedule),
        documents=documents,
        printed=tuple(n for n in documents if n.endswith(".html")),
        lines=lines,
    )


def _inputs_banner(
    facility: Facility,
    results: pd.DataFrame,
    q: dt.date,
    provenance: pd.DataFrame,
    labels: list[str],
    estimates: pd.DataFrame,
    ledger: LedgerNote | None,
) -> Html:
    items = facility.compliance.line_items
    n = len(provenance)
    reported = [lbl for lbl, k in zip(labels, provenance["kind"], strict=True) if k == "reported"]
    springs = any(c.springing for v in facility.all_versions for c in v.covenants)
    lines = [
        f"{(provenance['kind'] == 'illustrative').sum()} of the {n} line items for {q} are "
        "illustrative sample values, "
        f"not the company's figures; reported: {'; '.join(reported) or 'none'}."
    ]
    lines += [
        f"Estimate, quarter ended {r['quarter_end']}: "
        f"{items[r['line_item']].label if r['line_item'] in items else r['line_item']} ({r['note']})."
        for _, r in estimates.iterrows()
    ]
    if ledger is not None and ledger.provenance != "actual" and springs:
        lines.append(
            f"The daily liquidity that decides the springing test ({ledger.start} to {ledger.end}) is "
            f"worked out from {ledger.provenance} receivables, cash and advances, not the Bank's data."
        )
    lines += [
        f"{r['title']}: the required level is not in the documents and was not given, so the test "
        "cannot be decided."
        for _, r in results[results["status_code"] == "threshold_not_provided"].iterrows()
    ]
    lines += [
        f"{r['title']}: the required level {cell(r['required'], _unit(r['unit']))} was given for this "
        "run, not taken from the documents."
        for _, r in results[results["threshold_kind"].isin(["user_input", "override"])].iterrows()
    ]
    return banner(lines, "Illustrative and estimated inputs")


def _compliance_tables(
    facility: Facility,
    results: pd.DataFrame,
    exceptions: list[str],
    q: dt.date,
    terms_title: str,
    cushion: float,
) -> list[Table]:
    units = [_unit(u) for u in results["unit"]]
    cured = "".join(
        f" {r['title']}: {r['status']}." for _, r in results[results["cured"]].iterrows()
    )
    t_compliance = table(
        pd.DataFrame(
            {
                "required": [cell(v, k) for v, k in zip(results["required"], units, strict=True)],
                "actual": [cell(v, k) for v, k in zip(results["actual"], units, strict=True)],
                "headroom": [cell(v, k) for v, k in zip(results["headroom"], units, strict=True)],
                "headroom_pct": results["headroom_pct"].to_list(),
                "status_code": results["status_code"].to_list(),
                "applies": results["applies"].to_list(),
            },
            index=pd.Index(
                [
                    f"{t} ({ref})"
                    for t, ref in zip(results["title"], results["reference"], strict=True)
                ],
                name="covenant",
            ),
        ),
        f"Financial covenants, quarter ended {q}",
        "t03-compliance",
        columns={
            "required": ("Required", "figure"),
            "actual": ("Actual", "figure"),
            "headroom": ("Headroom", "figure"),
        },
        index=("Covenant", "text"),
        note=f"Terms: {terms_title}, {results['version_basis'].iloc[0]}. Amber: complies with "
        f"headroom below {cell(cushion, 'percent')} of the required level." + cured,
        sheet="Compliance",
    )
    t_reasons = table(
        pd.DataFrame(
            {
                "section": results["section"].to_list(),
                "applies_reason": results["applies_reason"].to_list(),
                "threshold_source": results["threshold_source"].to_list(),
            },
            index=pd.Index(results["title"], name="covenant"),
        ),
        "Why each test applies, and where its level comes from",
        "t03-reasons",
        columns={
            "section": ("Section", "text"),
            "applies_reason": ("Why the test applies or not", "text"),
            "threshold_source": ("Source of the required level", "text"),
        },
        index=("Covenant", "text"),
        sheet="Why each test applies",
    )
    certificate = facility.compliance.certificate
    t_exceptions = table(
        pd.DataFrame(
            {"exception": exceptions or [certificate.no_exceptions]},
            index=pd.RangeIndex(1, max(len(exceptions), 1) + 1),
        ),
        "Exceptions the certificate lists",
        "t03-exceptions",
        columns={"exception": (certificate.exceptions_heading, "text")},
        index=("", "text"),
        sheet="Exceptions",
    )
    return [t_compliance, t_reasons, t_exceptions]


def _history_tables(
    history: pd.DataFrame, quarters: Sequence[dt.date]
) -> tuple[list[Any], list[Table]]:
    t_history = []
    for cid in dict.fromkeys(history.index.get_level_values("covenant")):
        h = history.xs(cid, level="covenant")
        kind = _unit(h["unit"].iloc[0])
        t_history.append(
            table(
                h[["version", "required", "actual", "headroom", "headroom_pct", "status_code"]],
                f"{h['title'].iloc[0]} ({h['reference'].iloc[0]}), by quarter",
                f"t03-history-{cid}",
                columns={
                    "version": ("Terms version", "text"),
                    "required": ("Required", kind),
                    "actual": ("Actual", kind),
                    "headroom": ("Headroom", kind),
                },
                index=("Quarter end", "date"),
                sheet=f"History {h['reference'].iloc[0]}",
            )
        )
    carried = history[history["threshold_kind"] == "carried"].reset_index()
    t_carried = table(
        carried.set_index("quarter_end")[["title", "required", "threshold_source"]],
        "Levels carried from the terms in force at the quarter end",
        "t03-carried",
        columns={
            "title": ("Covenant", "text"),
            "required": ("Required", "usd"),
            "threshold_source": ("Source of the level", "text"),
        },
        index=("Quarter end", "date"),
        sheet="Carried levels",
    )
    springing = history[history["springing_metric"].notna()].reset_index()
    t_springing = table(
        springing.set_index("quarter_end")[["title", "status_code", "applies_reason"]],
        "Springing tests by quarter: which reading, on which figure",
        "t03-springing",
        columns={
            "title": ("Covenant", "text"),
            "applies_reason": ("Why the test applies or not", "text"),
        },
        index=("Quarter end", "date"),
        sheet="Springing tests",
    )
    parts = [
        details(
            f"The history quarter by quarter, {quarters[0]} to {quarters[-1]}",
            "".join(t.to_html() for t in t_history),
        ),
        details(
            f"Levels carried from the terms in force at the quarter end ({len(carried)})", t_carried
        ),
        details("Springing tests by quarter: which reading, on which figure", t_springing),
    ]
    return parts, [*t_history, t_carried, t_springing]


def _versions_table(
    facility: Facility,
    side: pd.DataFrame,
    acceptance: pd.DataFrame,
    q: dt.date,
    acceptance_case: tuple[dt.date, str],
) -> Table:
    first, last = facility.versions[0][0], facility.versions[-1][0]
    titles = {c.id: c.title for v in facility.all_versions for c in v.covenants}
    dates = dict(facility.versions)
    side_units = {
        c: _unit(u)
        for c, u in zip(side.index, side[(first, "unit")].fillna(side[(last, "unit")]), strict=True)
    }
    pairs = [
        (c, v)
        for c in side.index
        for v in dict.fromkeys((first, last))  # one version: listed once
        if not pd.isna(side.loc[c, (v, "status_code")])
    ]
    acceptance_quarter, acceptance_covenant = acceptance_case
    return table(
        pd.DataFrame(
            {
                "terms": [f"{facility.version(v).title} ({dates[v]})" for c, v in pairs],
                **{
                    f: [cell(side.loc[c, (v, f)], side_units[c]) for c, v in pairs]
                    for f in ("required", "actual", "headroom")
                },
                "status_code": [side.loc[c, (v, "status_code")] for c, v in pairs],
            },
            index=pd.Index([titles.get(c, c) for c, v in pairs], name="covenant"),
        ),
        f"Quarter ended {q} under each version of the terms",
        "t03-versions",
        columns={
            "terms": ("Terms", "text"),
            "required": ("Required", "figure"),
            "actual": ("Actual", "figure"),
            "headroom": ("Headroom", "figure"),
        },
        index=("Covenant", "text"),
        note=(
            "A covenant is listed under the versions that have it. Acceptance case: "
            + describe_version_change(
                facility, acceptance, acceptance_covenant, acceptance_quarter.isoformat()
            )
            if first != last
            else f"The terms have one version ({facility.version(first).title}): nothing was amended."
        ),
        sheet="Original and amended" if first != last else "Terms",
    )
