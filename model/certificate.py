"""The Compliance Certificate (First Loan Modification Agreement, Exhibit B) and its
Schedule 1, filled from what the engines return; HTML to print and sign, or Markdown.

The amendment (Sec. 3.A.IX) says the new certificate is "attached as Exhibit A hereto",
but the form is printed, and headed, as Exhibit B; it is rendered here as Exhibit B and
the discrepancy is stated under "Notes on the form", with the typing slips of Schedule 1
that the labels correct (:data:`model.metrics.FORM_CORRECTIONS`).

Reporting only: nothing here computes a covenant. :func:`render_certificate` takes the
result of :func:`model.covenants.evaluate_covenants`, the Schedule 1 build-ups of
:func:`model.metrics.schedule_1` and, optionally, the reporting-covenant summary of
:func:`model.reporting_calendar.reporting_summary` and the actuals' provenance.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, cast

import pandas as pd

from model import paths
from model.covenants import OVERRIDE_PREFIX
from model.metrics import FORM_CORRECTIONS, MetricBuildUp
from model.values import as_date, to_cents

__all__ = [
    "render_certificate",
    "write_certificate",
    "format_compliance_table",
    "format_comparison_table",
    "describe_version_change",
    "FORM_NOTES",
    "EXHIBIT_B_TITLES",
    "certificate_exceptions",
    "usd",
    "ratio",
]

CERTIFICATION = (
    'The undersigned authorized officer of {borrower} ("Borrower") certifies that under the '
    "terms and conditions of the Loan and Security Agreement between Borrower and Bank (the "
    '"Agreement"), (1) Borrower is in complete compliance for the period ending {period} with '
    "all required covenants except as noted below, (2) there are no Events of Default, (3) all "
    "representations and warranties in the Agreement are true and correct in all material "
    "respects on this date except as noted below; provided, however, that such materiality "
    "qualifier shall not be applicable to any representations and warranties that already are "
    "qualified or modified by materiality in the text thereof; and provided, further that those "
    "representations and warranties expressly referring to a specific date shall be true, "
    "accurate and complete in all material respects as of such date, (4) Borrower, and each of "
    "its Subsidiaries, has timely filed all required tax returns and reports, and Borrower has "
    "timely paid all foreign, federal, state and local taxes, assessments, deposits and "
    "contributions owed by Borrower except as otherwise permitted pursuant to the terms of "
    "Section 5.9 of the Agreement, and (5) no Liens have been levied or claims made against "
    "Borrower or any of its Subsidiaries, if any, relating to unpaid employee payroll or "
    "benefits of which Borrower has not previously provided written notification to Bank. "
    "Attached are the required documents supporting the certification. The undersigned "
    "certifies that these are prepared in accordance with GAAP consistently applied from one "
    "period to the next except as explained in an accompanying letter or footnotes. The "
    "undersigned acknowledges that no borrowings may be requested at any time or date of "
    "determination that Borrower is not in compliance with any of the terms of the Agreement, "
    "and that compliance is determined not just at the date this certificate is delivered. "
    "Capitalized terms used but not otherwise defined herein shall have the meanings given them "
    "in the Agreement."
)

IP_BLOCK = (
    "The following Intellectual Property was registered after the Effective Date and since the "
    'last Compliance Certificate was provided to the Bank (if no registrations, state "None")'
)
"""Exhibit B, the block between the reporting and the financial covenant tables."""

EXHIBIT_B_TITLES = {
    "adjusted_quick_ratio": "Minimum Adjusted Quick Ratio",
    "consolidated_ebitda": "Minimum Consolidated EBITDA",
    "borrower_cash_flow": "Minimum Cash Flow of Borrower (if required)",
    "borrower_ebitda": "Minimum EBITDA of Borrower (if required) [original Sec. 6.9(iii); not a row of Exhibit B]",
}
"""The financial-covenant row titles exactly as Exhibit B prints them (the original
agreement's Borrower EBITDA covenant is not on the new form; its row is labelled so)."""

FORM_NOTES: tuple[str, ...] = (
    "First Loan Modification Sec. 3.A.IX says the new Compliance Certificate is "
    '"attached as Exhibit A hereto"; the form is printed and headed as Exhibit B, and is '
    "reproduced here as Exhibit B.",
    *(
        f'{where}: printed "{printed}", shown as "{used}".'
        for where, printed, used in FORM_CORRECTIONS
    ),
)
"""Footnotes printed under "Notes on the form": every departure from the printed text."""

_FIN_ORDER = [
    "adjusted_quick_ratio",
    "consolidated_ebitda",
    "borrower_cash_flow",
    "borrower_ebitda",
]
_SCHEDULE_HEAD = {
    "adjusted_quick_ratio": "I. Adjusted Quick Ratio (Section 6.9(i))",
    "consolidated_ebitda": "II. Consolidated EBITDA of Borrower and its Subsidiaries (Section 6.9(ii))",
    "borrower_cash_flow": "III. Cash Flow of Borrower and its Existing Domestic Subsidiaries (Section 6.9(iii)) (if applicable)",
    "borrower_ebitda": "III. EBITDA of Borrower and its Existing Domestic Subsidiaries (original Section 6.9(iii)) (if applicable)",
}


def usd(x: Any) -> str:
    """Dollars with cents (rounded half up, :func:`model.values.to_cents`), minus sign in front.

    >>> usd(Decimal("-2100000")), usd(1), usd(Decimal("0.125")), usd(Decimal("-0.125"))
    ('-$2,100,000.00', '$1.00', '$0.13', '-$0.13')
    """
    if x is None or x is pd.NA or (isinstance(x, float) and x != x):
        return "—"
    d = to_cents(x)
    return f"-${-d:,}" if d < 0 else f"${d:,}"


def ratio(x: Any) -> str:
    """A ratio as on the certificate: ``1.25:1.00``.

    >>> ratio(Decimal("1.0598")), ratio(Decimal("1.125"))
    ('1.06:1.00', '1.13:1.00')
    """
    if x is None or x is pd.NA:
        return "____:1.00"
    return f"{_places(x, '0.01')}:1.00"


def _places(x: Any, places: str) -> Decimal:
    """Round half up to ``places`` (e.g. "0.0001")."""
    return Decimal(str(x)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _amount(x: Any, unit: str) -> str:
    return ratio(x) if unit == "ratio" else usd(x)


def _yes_no(row: pd.Series) -> str:
    if row["status"] == "threshold not provided":
        return "Threshold not provided"
    if row["status"].startswith("not required"):
        return "Not required"
    if row["status"].startswith("no threshold"):
        return "No threshold"
    c = row["complies"]
    if c is pd.NA:
        return "—"
    return "Yes" if bool(c) else "No"


def format_compliance_table(results: pd.DataFrame) -> pd.DataFrame:
    """``evaluate_covenants`` output as display strings (money with cents, ratios x:1.00,
    Yes/No, headroom and %). For printing in notebooks and reports.
    """
    out = []
    for cid, r in results.iterrows():
        unit = r["unit"]
        pct = r["headroom_pct"]
        out.append(
            {
                "covenant": cid,
                "required": _amount(r["required"], unit)
                if r["required"] is not None
                else "not provided",
                "actual": _amount(r["actual"], unit),
                "applies": "yes" if bool(r["applies"]) else "no",
                "complies": _yes_no(r),
                "headroom": ""
                if r["headroom"] is None
                else (
                    str(_places(r["headroom"], "0.0001")) if unit == "ratio" else usd(r["headroom"])
                ),
                "headroom_pct": "" if pd.isna(pct) else f"{pct:.1%}",
                "amber": "AMBER"
                if r["amber"] is True or (r["amber"] is not pd.NA and bool(r["amber"]))
                else "",
                "version": r["version"],
            }
        )
    return pd.DataFrame(out).set_index("covenant")


def describe_version_change(
    comparison: pd.DataFrame,
    covenant: str,
    quarter_end: Any,
    before: str = "original",
    after: str = "first_modification",
) -> str:
    """One sentence, worded from :func:`model.covenants.compare_versions` output: the actual
    figure of ``covenant`` and whether it passes or fails the level of each version (so a
    change in the params files shows in the text).

    Examples
    --------
    >>> from model.terms.covenants import load_covenant_book
    >>> from model.terms.actuals import load_actuals_csv
    >>> from model.covenants import compare_versions
    >>> book = load_covenant_book("tests/fixtures/covenants_svb.yaml")
    >>> acts = load_actuals_csv("params/actuals/ibasis-2008.csv")
    >>> describe_version_change(compare_versions(book, "2008-03-31", acts), "consolidated_ebitda", "2008-03-31")
    'Consolidated EBITDA for the quarter ended 2008-03-31 is $8,000,000.00: it fails the original $10,000,000.00 and passes the amended $7,500,000.00.'
    """
    row = comparison.loc[covenant]
    labels = {before: "the original", after: "the amended"}
    unit = next((u for v in (before, after) if isinstance(u := row.get((v, "unit")), str)), "usd")
    title = EXHIBIT_B_TITLES.get(covenant, covenant).removeprefix("Minimum ").split(" (")[0]
    actual = next(
        (a for v in (before, after) if isinstance(a := row.get((v, "actual")), Decimal)), None
    )
    parts = []
    for v in (before, after):
        status, required, complies = (row.get((v, f)) for f in ("status", "required", "complies"))
        if status is None or (not isinstance(status, str) and pd.isna(status)):
            parts.append(f"is not a covenant of {labels[v]} terms")
        elif required is None or (not isinstance(required, Decimal) and pd.isna(required)):
            parts.append(f"has no level under {labels[v]} terms ({status})")
        else:
            level = _amount(required, unit)
            if complies is None or pd.isna(complies):
                parts.append(f"is not tested against {labels[v]} {level} ({status})")
            else:
                parts.append(f"{'passes' if bool(complies) else 'fails'} {labels[v]} {level}")
    figure = "not computed" if actual is None else _amount(actual, unit)
    return f"{title} for the quarter ended {quarter_end} is {figure}: it {parts[0]} and {parts[1]}."


def format_comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """:func:`model.covenants.compare_versions` output as display strings: money with
    cents, ratios x:1.00, "—" where a covenant is not in a version or a figure does not
    apply, "not provided" for a level the documents leave blank.

    Examples
    --------
    >>> from model.terms.covenants import load_covenant_book
    >>> from model.terms.actuals import load_actuals_csv
    >>> from model.covenants import compare_versions
    >>> book = load_covenant_book("tests/fixtures/covenants_svb.yaml")
    >>> acts = load_actuals_csv("params/actuals/ibasis-2008.csv")
    >>> t = format_comparison_table(compare_versions(book, "2008-03-31", acts))
    >>> t.loc["adjusted_quick_ratio", ("original", "required")], t.loc["borrower_cash_flow", ("original", "required")]
    ('not provided', '—')
    """
    versions = list(dict.fromkeys(comparison.columns.get_level_values(0)))
    units: dict[Any, str] = {}
    for cid in comparison.index:
        for v in versions:
            u = comparison.loc[cid, (v, "unit")] if (v, "unit") in comparison.columns else None
            if isinstance(u, str):
                units[cid] = u
        units.setdefault(cid, "usd")
    out = {}
    for version in versions:
        part = comparison[version]
        for field in [f for f in part.columns if f != "unit"]:
            col = []
            for cid, v in part[field].items():
                present = not pd.isna(part.loc[cid, "status"])
                if not present:
                    col.append("—")
                elif field == "required":
                    col.append(
                        "not provided" if v is None or pd.isna(v) else _amount(v, units[cid])
                    )
                elif field in ("actual", "headroom"):
                    if v is None or (not isinstance(v, Decimal) and pd.isna(v)):
                        col.append("—")
                    elif field == "headroom" and units[cid] == "ratio":
                        col.append(str(_places(v, "0.0001")))
                    else:
                        col.append(_amount(v, units[cid]))
                elif field in ("applies", "complies"):
                    col.append("—" if v is pd.NA or v is None else ("yes" if bool(v) else "no"))
                else:
                    col.append(str(v))
            out[(version, field)] = col
    df = pd.DataFrame(out, index=comparison.index)
    df.columns = pd.MultiIndex.from_tuples(list(out))  # the (version, field) keys, in order
    return df


def certificate_exceptions(
    results: pd.DataFrame, reporting: pd.DataFrame | None = None, extra: Sequence[str] = ()
) -> list[str]:
    """Exceptions to the certification: failed or unconfirmable covenants, late reporting."""
    out = []
    for _, r in results.iterrows():
        unit = r["unit"]
        if r["status"] == "does not comply":
            short = -r["headroom"]
            out.append(
                f"{r['title']} ({r['section']}): actual {_amount(r['actual'], unit)} is below the "
                f"required {_amount(r['required'], unit)} (shortfall {short if unit == 'ratio' else usd(short)})."
            )
        elif r["status"] == "threshold not provided":
            out.append(
                f"{r['title']} ({r['section']}): the required level is not in the documents and was not "
                "provided; compliance cannot be certified until it is."
            )
        if str(r["threshold_source"]).startswith(OVERRIDE_PREFIX):
            out.append(
                f"{r['title']} ({r['section']}): the required level {_amount(r['required'], unit)} is an "
                f"{r['threshold_source']}: this is a scenario, not a certification of the documented covenant."
            )
    if reporting is not None:
        for _, r in reporting.iterrows():
            if r["complies"] == "No":
                out.append(f"Reporting covenant '{r['title']}' ({r['required']}): {r['detail']}.")
    out.extend(extra)
    return out


def _ordered(results: pd.DataFrame) -> list[str]:
    ids = list(results.index)
    return [i for i in _FIN_ORDER if i in ids] + [i for i in ids if i not in _FIN_ORDER]


def _context(
    results: pd.DataFrame,
    schedule: Mapping[str, MetricBuildUp],
    reporting: pd.DataFrame | None,
    provenance: pd.DataFrame | None,
    certificate_date: Any,
    exceptions: Sequence[str],
    assumptions: Sequence[str],
    ip_registrations: Sequence[str] | None,
) -> dict[str, Any]:
    q = results["quarter_end"].iloc[0]
    version = results["version"].iloc[0]
    basis = results["version_basis"].iloc[0]
    cdate = as_date(certificate_date, "certificate_date") if certificate_date else None
    fin = []
    for cid in _ordered(results):
        r = cast(pd.Series, results.loc[cid])  # a row: the index is unique covenant ids
        override = str(r["threshold_source"]).startswith(OVERRIDE_PREFIX)
        note = (
            r["applies_reason"]
            if r["applies_reason"] != "always tested (no springing condition)"
            else ""
        )
        if override:
            note = (f"{r['threshold_source']}. " + note).strip()
        fin.append(
            {
                "title": EXHIBIT_B_TITLES.get(cid, r["title"]),
                "required": _amount(r["required"], r["unit"])
                if r["required"] is not None
                else "not provided",
                "actual": _amount(r["actual"], r["unit"]),
                "complies": _yes_no(r),
                "note": note,
            }
        )
    sched = []
    for cid in _ordered(results):
        if cid not in schedule:
            continue
        b = schedule[cid]
        r = cast(pd.Series, results.loc[cid])  # a row: the index is unique covenant ids
        last = b.lines[-1].letter
        req = _amount(r["required"], r["unit"]) if r["required"] is not None else "not provided"
        shown = (
            req
            if r["required"] is not None
            else ("____:1.00" if r["unit"] == "ratio" else "$________")
        )
        question = f"Is line {last} equal to or greater than {shown}?"
        sched.append(
            {
                "head": _SCHEDULE_HEAD.get(cid, r["title"]),
                "required": req,
                "threshold_source": r["threshold_source"],
                "lines": [
                    (ln.letter, ln.label, _amount(ln.amount, ln.unit), ln.formula, ln.kind)
                    for ln in b.lines
                ],
                "question": question,
                "answer": {"Yes": "Yes, in compliance", "No": "No, not in compliance"}.get(
                    _yes_no(r), _yes_no(r)
                ),
                "reason": r["applies_reason"]
                if r["applies_reason"] != "always tested (no springing condition)"
                else "",
            }
        )
    illustrative = []
    liq: Iterable[Any] = (
        results["liquidity_source"].dropna().unique() if "liquidity_source" in results else []
    )
    for src in liq:
        label = "ILLUSTRATIVE liquidity" if "illustrative" in str(src).lower() else "Liquidity"
        illustrative.append(
            f"{label} for the springing test (Sec. 6.9(iii)): {src}."
            + (" Not the company's figures." if label.startswith("ILLUSTRATIVE") else "")
        )
    if provenance is not None and not provenance.empty:
        used = {ln.line_item for b in schedule.values() for ln in b.lines if ln.line_item}
        if results["applies_reason"].str.contains("liquidity_quarter_end").any():
            used.add("liquidity_quarter_end")
        p = provenance[provenance["line_item"].isin(used)]
        ill = p[p["kind"] == "illustrative"]["line_item"].tolist()
        rep = p[p["kind"] == "reported"]
        if ill:
            illustrative.append("ILLUSTRATIVE (not the company's figures): " + ", ".join(ill) + ".")
        # Rows of the provenance table (line_item, source, note: text; value: a number);
        # pandas-stubs types row fields as any scalar.
        row: Any
        for row in p[p["kind"] == "estimate"].itertuples():
            illustrative.append(
                f"ESTIMATE (exact figure not public): {row.line_item} {usd(row.value)}: "
                f"{row.note or row.source}."
            )
        for row in rep.itertuples():
            illustrative.append(
                f"Reported: {row.line_item} {usd(row.value)}: {row.source}"
                + (f" ({row.note})" if row.note else "")
                + "."
            )
    user_thr = [
        f"{results.loc[c, 'title']}: required level {_amount(results.loc[c, 'required'], results.loc[c, 'unit'])} is a user input (not in the documents)."
        for c in results.index
        if results.loc[c, "threshold_source"] == "user input"
    ]
    overrides = [
        f"{results.loc[c, 'title']}: required level {_amount(results.loc[c, 'required'], results.loc[c, 'unit'])} is an {results.loc[c, 'threshold_source']}."
        for c in results.index
        if str(results.loc[c, "threshold_source"]).startswith(OVERRIDE_PREFIX)
    ]
    notes = [f"Terms: version '{version}' ({basis})."] + overrides + user_thr + list(assumptions)
    return {
        "quarter_end": q,
        "version": version,
        "certificate_date": cdate,
        "fin": fin,
        "sched": sched,
        "reporting": reporting,
        "exceptions": certificate_exceptions(results, reporting, exceptions),
        "inputs": illustrative,
        "notes": notes,
        "terms": f"Terms applied: version '{version}'; {basis}.",
        "ip": None if ip_registrations is None else (list(ip_registrations) or ["None"]),
        "form_notes": list(FORM_NOTES),
    }


def render_certificate(
    results: pd.DataFrame,
    schedule: Mapping[str, MetricBuildUp],
    *,
    reporting: pd.DataFrame | None = None,
    provenance: pd.DataFrame | None = None,
    certificate_date: dt.date | str | None = None,
    borrower: str = "IBASIS, INC.",
    bank: str = "SILICON VALLEY BANK",
    officer_name: str = "",
    officer_title: str = "",
    exceptions: Sequence[str] = (),
    assumptions: Sequence[str] = (),
    ip_registrations: Sequence[str] | None = None,
    fmt: str = "html",
) -> str:
    """Fill Exhibit B (Compliance Certificate) and Schedule 1 for one quarter.

    Parameters
    ----------
    results : DataFrame
        :func:`model.covenants.evaluate_covenants` for the quarter.
    schedule : mapping covenant id -> MetricBuildUp
        The Schedule 1 build-ups (:func:`model.metrics.schedule_1`, or one per covenant).
    reporting : DataFrame, optional
        :func:`model.reporting_calendar.reporting_summary` (Yes/No per reporting covenant);
        without it the reporting table is left for the officer to circle.
    provenance : DataFrame, optional
        ``Actuals.provenance(quarter)``: lists which inputs are reported and which
        illustrative.
    certificate_date : date or ISO str, optional
        Printed as the certificate's date; blank if not given.
    exceptions, assumptions : sequence of str
        Extra exceptions (added to those the results imply) and notes.
    ip_registrations : sequence of str, optional
        Exhibit B's "Intellectual Property registered after the Effective Date and since
        the last Compliance Certificate" block: ``None`` leaves a blank line to fill in;
        an empty list prints "None" (as the form asks when there are no registrations).
    fmt : {"html", "markdown"}

    Returns
    -------
    str
        A self-contained, printable HTML page, or Markdown.

    Examples
    --------
    >>> from model.terms.covenants import load_covenant_book
    >>> from model.terms.actuals import load_actuals_csv
    >>> from model.covenants import evaluate_covenants
    >>> from model.metrics import schedule_1
    >>> book = load_covenant_book("tests/fixtures/covenants_svb.yaml")
    >>> acts = load_actuals_csv("params/actuals/ibasis-2008.csv")
    >>> res = evaluate_covenants(book, "2008-03-31", acts, thresholds={"adjusted_quick_ratio": 1})
    >>> md = render_certificate(res, schedule_1(acts.quarter("2008-03-31")), fmt="markdown")
    >>> "| Minimum Consolidated EBITDA | $7,500,000.00 | $8,000,000.00 | Yes |" in md
    True
    """
    if fmt not in ("html", "markdown"):
        raise ValueError(f"unknown fmt {fmt!r}; valid: html, markdown")
    if ip_registrations is not None and (
        isinstance(ip_registrations, str)
        or not all(isinstance(x, str) and x.strip() for x in ip_registrations)
    ):
        raise ValueError(
            "ip_registrations: a list of non-empty strings (one per registration), [] for "
            "'None', or None to leave the line blank"
        )
    c = _context(
        results,
        schedule,
        reporting,
        provenance,
        certificate_date,
        exceptions,
        assumptions,
        ip_registrations,
    )
    c.update(borrower=borrower, bank=bank, officer_name=officer_name, officer_title=officer_title)
    return _html(c) if fmt == "html" else _markdown(c)


def _reporting_rows(c: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    from model.reporting_calendar import REPORTING_COVENANTS

    rep = c["reporting"]
    rows = []
    for r in REPORTING_COVENANTS:
        if rep is not None and r.id in rep.index:
            rows.append((r.title, r.required, rep.loc[r.id, "complies"], rep.loc[r.id, "detail"]))
        else:
            rows.append((r.title, r.required, "Yes / No", ""))
    return rows


def _markdown(c: dict[str, Any]) -> str:
    q = c["quarter_end"]
    date = c["certificate_date"].isoformat() if c["certificate_date"] else "________________"
    out = [
        "# EXHIBIT B: COMPLIANCE CERTIFICATE",
        "",
        f"**TO:** {c['bank']}  ",
        f"**FROM:** {c['borrower']}  ",
        f"**Date:** {date}",
        "",
        CERTIFICATION.format(borrower=c["borrower"], period=q.isoformat()),
        "",
        f"*{c['terms']}*",
        "",
        "## Reporting covenants",
        "",
        "| Reporting Covenant | Required | Complies | Detail |",
        "|---|---|---|---|",
    ]
    out += [f"| {a} | {b} | {y} | {d} |" for a, b, y, d in _reporting_rows(c)]
    out += ["", IP_BLOCK + ":", ""]
    out += (
        [f"- {x}" for x in c["ip"]]
        if c["ip"] is not None
        else ["________________________________________"]
    )
    out += [
        "",
        "## Financial covenants (maintain on a quarterly basis)",
        "",
        "| Financial Covenant | Required | Actual | Complies |",
        "|---|---|---|---|",
    ]
    out += [
        f"| {f['title']} | {f['required']} | {f['actual']} | {f['complies']} |" for f in c["fin"]
    ]
    notes = [f"- {f['title']}: {f['note']}" for f in c["fin"] if f["note"]]
    if notes:
        out += ["", *notes]
    out += [
        "",
        "The following financial covenant analyses and information set forth in Schedule 1 attached hereto are true and accurate as of the date of this Certificate.",
        "",
        "**Exceptions with respect to the certification above:**",
        "",
    ]
    out += [f"{i}. {e}" for i, e in enumerate(c["exceptions"], 1)] or ["No exceptions to note."]
    out += [
        "",
        f"{c['borrower']}",
        "",
        f"By: ______________________  Name: {c['officer_name'] or '______________________'}  Title: {c['officer_title'] or '______________________'}",
        "",
        "BANK USE ONLY: Received by: ____________ (authorized signer) Date: ________ Verified: ____________ Date: ________ Compliance Status: Yes / No",
        "",
        "---",
        "",
        "# Schedule 1 to Compliance Certificate: Financial Covenants of Borrower",
        "",
        f"Period ending {q.isoformat()}. Dated: {date}",
    ]
    for s in c["sched"]:
        out += [
            "",
            f"## {s['head']}",
            "",
            f"Required: {s['required']} ({s['threshold_source']})",
            "",
        ]
        if s["reason"]:
            out += [f"Applicability: {s['reason']}", ""]
        out += ["| Line | Item | Amount | How |", "|---|---|---:|---|"]
        out += [
            f"| {ln[0]} | {ln[1]} | {ln[2]} | {ln[3]}{' (' + ln[4] + ')' if ln[4] in ('illustrative', 'reported', 'estimate') else ''} |"
            for ln in s["lines"]
        ]
        out += ["", f"{s['question']} **{s['answer']}**"]
    out += ["", "## Inputs and assumptions", ""]
    out += [f"- {x}" for x in c["notes"] + c["inputs"]]
    out += ["", "## Notes on the form", ""]
    out += [f"{i}. {x}" for i, x in enumerate(c["form_notes"], 1)]
    return "\n".join(out) + "\n"


_CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:8.5in;margin:0.5in auto;color:#111;font-size:11pt}
h1{font-size:15pt;text-align:center;margin-bottom:0} h2{font-size:12pt;margin-top:18pt;border-bottom:1px solid #444}
table{border-collapse:collapse;width:100%;margin:6pt 0} th,td{border:1px solid #777;padding:3pt 5pt;vertical-align:top}
th{background:#eee;text-align:left} td.num{text-align:right;font-family:'Courier New',monospace;white-space:nowrap}
.yes{font-weight:bold;color:#064} .no{font-weight:bold;color:#a00} .meta td{border:none;padding:1pt 4pt}
.sig td{border:none;padding:10pt 4pt} .small{font-size:9pt;color:#333} .box{border:1px solid #444;padding:6pt;min-height:30pt}
.ill{color:#7a4b00} @media print{body{margin:0.3in} .pagebreak{page-break-before:always}}
"""


def _cls(answer: str) -> str:
    return (
        "yes"
        if answer.startswith("Yes")
        else "no"
        if answer.startswith("No") and answer != "No threshold"
        else ""
    )


def _html(c: dict[str, Any]) -> str:
    e = html.escape
    q = c["quarter_end"]
    date = c["certificate_date"].isoformat() if c["certificate_date"] else "&nbsp;" * 20
    p = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Compliance Certificate: {e(c['borrower'])}, period ending {q}</title><style>{_CSS}</style></head><body>",
        "<h1>EXHIBIT B<br>COMPLIANCE CERTIFICATE</h1>",
        f"<table class='meta'><tr><td><b>TO:</b> {e(c['bank'])}</td><td style='text-align:right'><b>Date:</b> {date}</td></tr>",
        f"<tr><td><b>FROM:</b> {e(c['borrower'])}</td><td style='text-align:right'><b>Period ending:</b> {q}</td></tr></table>",
        f"<p>{e(CERTIFICATION.format(borrower=c['borrower'], period=q.isoformat()))}</p>",
        f"<p class='small'><i>{e(c['terms'])}</i></p>",
        "<h2>Reporting Covenants</h2><table><tr><th>Reporting Covenant</th><th>Required</th><th>Complies</th><th>Detail</th></tr>",
    ]
    for a, b, y, d in _reporting_rows(c):
        p.append(
            f"<tr><td>{e(a)}</td><td>{e(b)}</td><td class='{_cls(y)}'>{e(y)}</td><td class='small'>{e(d)}</td></tr>"
        )
    p.append(f"</table><p>{e(IP_BLOCK)}:</p><div class='box'>")
    if c["ip"] is None:
        p.append("&nbsp;")
    else:
        p.append("<br>".join(e(x) for x in c["ip"]))
    p.append("</div>")
    p.append(
        "<h2>Financial Covenants: Maintain on a Quarterly Basis</h2><table><tr><th>Financial Covenant</th><th>Required</th><th>Actual</th><th>Complies</th></tr>"
    )
    for f in c["fin"]:
        note = f"<div class='small'>{e(f['note'])}</div>" if f["note"] else ""
        p.append(
            f"<tr><td>{e(f['title'])}{note}</td><td class='num'>{e(f['required'])}</td><td class='num'>{e(f['actual'])}</td><td class='{_cls(f['complies'])}'>{e(f['complies'])}</td></tr>"
        )
    p.append(
        "</table><p>The following financial covenant analyses and information set forth in Schedule 1 attached hereto are true and accurate as of the date of this Certificate.</p>"
    )
    p.append(
        "<p>The following are the exceptions with respect to the certification above:</p><div class='box'>"
    )
    if c["exceptions"]:
        p.append("<ol>" + "".join(f"<li>{e(x)}</li>" for x in c["exceptions"]) + "</ol>")
    else:
        p.append("No exceptions to note.")
    p.append("</div>")
    name = e(c["officer_name"]) or "_" * 24
    title = e(c["officer_title"]) or "_" * 24
    p.append(
        "<table class='sig'><tr><td style='width:50%'><b>"
        + e(c["borrower"])
        + "</b><br><br>By: ________________________<br>"
        f"Name: {name}<br>Title: {title}<br>Date: ________________________</td>"
        "<td><b>BANK USE ONLY</b><br><br>Received by: ____________________<br><span class='small'>AUTHORIZED SIGNER</span><br>"
        "Date: ____________________<br><br>Verified: ____________________<br><span class='small'>AUTHORIZED SIGNER</span><br>"
        "Date: ____________________<br><br>Compliance Status: Yes &nbsp; No</td></tr></table>"
    )
    p.append(
        f"<div class='pagebreak'></div><h1>Schedule 1 to Compliance Certificate</h1><p style='text-align:center'>Financial Covenants of Borrower<br>Period ending {q} &nbsp; Dated: {date}</p>"
    )
    for s in c["sched"]:
        p.append(
            f"<h2>{e(s['head'])}</h2><p>Required: <b>{e(s['required'])}</b> <span class='small'>({e(s['threshold_source'])})</span></p>"
        )
        if s["reason"]:
            p.append(f"<p class='small'>Applicability: {e(s['reason'])}</p>")
        p.append(
            "<table><tr><th style='width:4%'></th><th>Item</th><th style='width:18%'>Amount</th><th style='width:16%'>How</th></tr>"
        )
        for letter, label, amount, formula, kind in s["lines"]:
            tag = (
                f" <span class='ill'>[{kind}]</span>"
                if kind in ("illustrative", "estimate")
                else (f" [{kind}]" if kind == "reported" else "")
            )
            p.append(
                f"<tr><td>{e(letter)}.</td><td>{e(label)}</td><td class='num'>{e(amount)}</td><td class='small'>{e(formula)}{tag}</td></tr>"
            )
        p.append(
            f"</table><p>{e(s['question'])} <span class='{_cls(s['answer'])}'>{e(s['answer'])}</span></p>"
        )
    p.append("<h2>Inputs and assumptions</h2><ul class='small'>")
    p += [f"<li>{e(x)}</li>" for x in c["notes"] + c["inputs"]]
    p.append("</ul><h2>Notes on the form</h2><ol class='small'>")
    p += [f"<li>{e(x)}</li>" for x in c["form_notes"]]
    p.append("</ol></body></html>")
    return "\n".join(p) + "\n"


def write_certificate(text: str, output_dir: str | Path, name: str) -> Path:
    """Write a rendered certificate to ``output_dir/name`` (``name`` may not escape the
    folder: :func:`model.paths.safe_join`). ``output_dir`` goes through
    :func:`model.paths.report_dir`, so the default ``"reports"`` follows ``$MODEL_REPORTS_DIR``."""
    target = paths.safe_join(paths.report_dir(output_dir), name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
