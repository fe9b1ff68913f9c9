"""The compliance certificate (model.reports.certificate): the SVB deal's Exhibit B and its
Schedule 1 read as before, every word of a deal comes from its params, a second deal
renders with its own words, and the certificate reads as a bank reads it: plain sentences
(no module, file path, parameter name or line-item id), the one set of status colours,
DRAFT unless every figure is reported, US Letter print layout, styles scoped."""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from model import paths
from model.engines.covenants import (
    evaluate_covenants,
    reporting_compliance,
    reporting_due_dates,
    reporting_summary,
    schedule_1,
)
from model.errors import InputError, UnsafePathError
from model.reports.certificate import (
    WATERMARK,
    certificate_exceptions,
    certificate_inputs,
    draft_reasons,
    render_certificate,
    write_certificate,
)
from model.reports.formatting import format_compliance_table
from model.reports.inputs import notebook_defaults
from model.reports.tables import STATUS_COLOURS
from model.terms import Actuals, load

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
ACTS = load("params/deals/ibasis/actuals/ibasis-2008.csv")
NORTHWIND = paths.ROOT / "params" / "deals" / "northwind"


def _render(q="2008-03-31", fmt="html", version=None, facility=FAC, **kw):
    res = evaluate_covenants(
        facility, q, ACTS, version=version, thresholds={"adjusted_quick_ratio": "1.00"}
    )
    return render_certificate(
        facility,
        res,
        schedule_1(facility, ACTS, q, version),
        provenance=ACTS.provenance(q),
        fmt=fmt,
        **kw,
    )


def test_html_is_complete_and_signable():
    h = _render(certificate_date="2008-05-14", officer_name="Jane Doe", officer_title="CFO")
    for text in [
        "EXHIBIT B",
        "COMPLIANCE CERTIFICATE",
        "SILICON VALLEY BANK",
        "IBASIS, INC.",
        "2008-05-14",
        "period ending 2008-03-31",
        "By: ",
        "Jane Doe",
        "BANK USE ONLY",
        "Schedule 1 to Compliance Certificate",
        "No exceptions to note.",
        "ILLUSTRATIVE",
        "Quarterly within 45 days",
        "KPN, B.V. acquires 51%",
        "@media print",
    ]:
        assert text in h, text
    # self-contained: no script, nothing fetched (the watermark is an inline data: image)
    assert "<script" not in h and not re.search(r"\b(src|href)\s*=|<link", h)
    assert re.findall(r"url\(\"?([^\")]*)", h) == [WATERMARK]


def test_markdown_shows_every_schedule_line():
    md = _render(fmt="markdown")
    for letter in "ABCDEFGHIJ":
        assert re.search(rf"^\| {letter} \| ", md, re.M)
    assert "| F | Cash Flow (line A minus line B minus line C minus line D) | $2,300,000.00 |" in md
    assert "| H | Consolidated EBITDA" in md and "$8,000,000.00 | A + B + C + D + E + F + G |" in md


def test_exceptions_listed_when_failing():
    md = _render(fmt="markdown", version="original")
    assert "No exceptions to note." not in md
    assert "Minimum Consolidated EBITDA" in md and "shortfall $2,000,000.00" in md


def test_threshold_not_provided_is_an_exception():
    res = evaluate_covenants(FAC, "2008-06-30", ACTS)
    md = render_certificate(FAC, res, schedule_1(FAC, ACTS, "2008-06-30"), fmt="markdown")
    assert "Threshold not provided" in md and "cannot be certified" in md
    # the level's source is the documents' words, an assumption said as one
    assert "Required: not provided (assumption: The Adjusted Quick Ratio threshold" in md


def test_reporting_table_yes_no():
    d = reporting_due_dates(FAC, "2008-03-01", "2008-03-31")
    delivered = {
        ("monthly_agings", "2008-03-31"): "2008-04-29",
        ("quarterly_financials", "2008-03-31"): "2008-05-14",
    }
    rep = reporting_summary(FAC, reporting_compliance(FAC, d, delivered, "2008-05-14"))
    md = _render(fmt="markdown", reporting=rep)
    assert (
        "| A/R & A/P Agings, Borrowing Base and Transaction Reports | Monthly within 30 days | Yes |"
        in md
    )


def test_late_reporting_is_an_exception():
    d = reporting_due_dates(FAC, "2008-03-01", "2008-03-31")
    late = {("quarterly_financials", "2008-03-31"): "2008-05-20"}
    rep = reporting_summary(FAC, reporting_compliance(FAC, d, late, "2008-05-30"))
    md = _render(fmt="markdown", reporting=rep)
    assert "| Quarterly within 45 days | No | 2008-03-31: late by 5 day(s) |" in md
    assert "Reporting covenant 'Quarterly consolidated" in md and "late by 5 day(s)." in md
    res = evaluate_covenants(FAC, "2008-03-31", ACTS, thresholds={"adjusted_quick_ratio": 1})
    assert certificate_exceptions(res, rep, ["an officer's note"])[-1] == "an officer's note"


def test_format_table_and_bad_fmt():
    res = evaluate_covenants(FAC, "2008-03-31", ACTS)
    t = format_compliance_table(res)
    assert (
        t.loc["consolidated_ebitda", "complies"] == "Yes"
        and t.loc["consolidated_ebitda", "amber"] == "AMBER"
    )
    assert t.loc["adjusted_quick_ratio", "complies"] == "Threshold not provided"
    with pytest.raises(InputError, match="fmt: unknown value 'pdf'; valid: 'html', 'markdown'"):
        render_certificate(FAC, res, {}, fmt="pdf")


def test_the_facility_is_needed_for_the_names():
    res = evaluate_covenants(FAC, "2008-03-31", ACTS)
    with pytest.raises(
        InputError, match="needs the Facility .* names of the borrower and the bank"
    ):
        render_certificate(FAC.all_versions[-1], res, {})


def test_write_default_reports_follows_model_reports_dir(tmp_path, monkeypatch):
    """The default "reports" folder goes through model.paths.report_dir ($MODEL_REPORTS_DIR)."""
    monkeypatch.setenv("MODEL_REPORTS_DIR", str(tmp_path / "redirected"))
    out = write_certificate("x", "reports", "c.md")
    assert out == (tmp_path / "redirected" / "c.md").resolve()
    assert out.read_text() == "x"


def test_write_cannot_escape(tmp_path):
    assert write_certificate("x", tmp_path, "c.html").read_text() == "x"
    with pytest.raises(UnsafePathError):
        write_certificate("x", tmp_path, "../c.html")


# --- finding 1: an override is said plainly and is an exception ------------------------------
def test_override_on_certificate():
    res = evaluate_covenants(
        FAC,
        "2008-12-31",
        ACTS,
        liquidity=30e6,
        thresholds={"adjusted_quick_ratio": "1.00"},
        overrides={"consolidated_ebitda": 1},
    )
    md = render_certificate(FAC, res, schedule_1(FAC, ACTS, "2008-12-31"), fmt="markdown")
    documented = (
        "a scenario override of the documented $10,000,000 (First Loan Modification Sec. "
        "3.A.VII, new 6.9(ii)(c)), not the documents' level"
    )
    assert f"- Minimum Consolidated EBITDA: Required level: {documented}." in md  # row note
    assert f"- Minimum Consolidated EBITDA: required level $1.00 is {documented}." in md
    assert "- Minimum Adjusted Quick Ratio: required level 1.00:1.00 is given for this " in md
    assert "OVERRIDE" not in md and "scenario analysis" not in md  # the engine's words
    (ex,) = [e for e in certificate_exceptions(res, facility=FAC) if "override" in e]
    assert documented in ex and "not a certification of the documented covenant" in ex
    (ex,) = [e for e in certificate_exceptions(res) if "override" in e]  # without the terms
    assert "a scenario override of the documented level: this is a scenario" in ex
    assert "No exceptions to note." not in md
    # a scenario is a draft, whatever the figures
    assert (
        "Required levels replaced for a scenario, not the documents': Minimum Consolidated EBITDA."
        in md
    )


# --- finding 9: Exhibit B's IP block and row titles --------------------------------------------
IP = (
    "The following Intellectual Property was registered after the Effective Date and since the last "
    'Compliance Certificate was provided to the Bank (if no registrations, state "None")'
)


def test_ip_block_blank_none_or_listed():
    md = _render(fmt="markdown")
    assert IP + ":\n\n________________________________________\n" in md
    assert IP + ":\n\n- None\n" in _render(fmt="markdown", ip_registrations=[])
    md = _render(fmt="markdown", ip_registrations=["US Patent 7,000,000 (2008-02-01)"])
    assert IP + ":\n\n- US Patent 7,000,000 (2008-02-01)\n" in md
    h = _render(ip_registrations=[])
    assert IP + ":</p><div class='box'>\nNone\n</div>" in html.unescape(h)
    # text, as a notebook parameter gives it: "None", empty, or registrations separated by ";"
    assert IP + ":\n\n- None\n" in _render(fmt="markdown", ip_registrations="None")
    assert IP + ":\n\n________________________________________\n" in _render(
        fmt="markdown", ip_registrations=" "
    )
    two = _render(fmt="markdown", ip_registrations="US 7,000,001; US 7,000,002")
    assert IP + ":\n\n- US 7,000,001\n- US 7,000,002\n" in two
    with pytest.raises(InputError, match="ip_registrations: a list of non-empty strings"):
        _render(ip_registrations="US 7,000,001;;")


def test_exhibit_b_row_titles_exact():
    md = _render(fmt="markdown")
    for title in (
        "| Minimum Adjusted Quick Ratio |",
        "| Minimum Consolidated EBITDA |",
        "| Minimum Cash Flow of Borrower (if required) |",
    ):
        assert title in md, title
    assert "- Minimum Cash Flow of Borrower (if required): " in md  # springing note beneath


# --- finding 23: corrections of the printed form are footnoted --------------------------------
def test_notes_on_the_form():
    md = _render(fmt="markdown")
    notes = md.split("## Notes on the form")[1]
    assert '"attached as Exhibit A hereto"' in notes and "Exhibit B" in notes
    assert (
        'printed "of Borrower and it Subsidiaries", shown as "of Borrower and its Subsidiaries"'
        in notes
    )
    assert (
        'printed "that matures within one (1)", shown as "that matures within one (1) year"'
        in notes
    )
    assert "Notes on the form" in _render()


# --- finding 12: the version rule is printed, in words ------------------------------------------
AMENDED = (
    "the Second Amended and Restated Loan and Security Agreement as amended by the First Loan "
    "Modification Agreement (effective 2008-04-28)"
)


def test_version_rule_printed():
    md = _render(q="2007-12-31", fmt="markdown")
    assert (
        f"*Terms applied: {AMENDED}, in force when this certificate is due (2008-04-29); at the "
        "period end the Second Amended and Restated Loan and Security Agreement was in force. "
        "Applying the terms in force when the certificate is due is an assumption: the agreement "
        "does not say which version governs such a period.*" in md
    )
    assert "| Minimum Cash Flow of Borrower (if required) | $1.00 |" in md
    assert "first_modification" not in md and "'original'" not in md
    # the default rule is only an assumption when the versions differ
    md = _render(q="2008-06-30", fmt="markdown")
    assert (
        f"*Terms applied: {AMENDED}, in force at the period end and when this certificate is due "
        "(2008-08-14).*" in md
    )
    # a version asked for is said to be asked for
    md = _render(fmt="markdown", version="original")
    assert (
        "*Terms applied: the Second Amended and Restated Loan and Security Agreement, as requested "
        f"for this certificate (the terms in force when it is due, 2008-05-15, are {AMENDED}).*"
        in md
    )


# --- finding 10: liquidity provenance listed, in words -------------------------------------------
LIQUIDITY_LABEL = (
    "Unrestricted cash and Cash Equivalents at Bank plus Availability Amount at quarter end "
    "(springing conditions, Sec. 6.9(iii))"
)
CONDITION = (
    "Tested only for a quarter in which Liquidity (unrestricted cash and Cash Equivalents at "
    "Bank plus the Availability Amount) is below $20,000,000."
)


def _springing(q, liquidity, fmt="markdown", **kw):
    """A certificate whose springing figures are ``liquidity``, an illustrative sample whose
    source names files (as notebook 03's does)."""
    src = "illustrative: daily ledger from params/deals/ibasis/scenarios/svb-*.csv"
    res = evaluate_covenants(
        FAC,
        q,
        ACTS,
        liquidity,
        thresholds={"adjusted_quick_ratio": "1.00"},
        liquidity_source=src,
        liquidity_kind="illustrative",
        springing_reading=kw.get("springing_reading", "any_day"),
    )
    sched = schedule_1(FAC, ACTS, q)
    return render_certificate(
        FAC, res, sched, provenance=ACTS.provenance(q), fmt=fmt, liquidity=liquidity, **kw
    )


def test_liquidity_source_listed_as_illustrative():
    days = pd.date_range("2008-04-01", "2008-06-30")
    md = _springing("2008-06-30", pd.Series(25e6, index=days), springing_reading="any_day")
    assert "params/" not in md and "svb-" not in md  # the caller's source, never printed
    assert (
        "- ILLUSTRATIVE Liquidity for the springing test (Sec. 6.9(iii)): a daily ledger. Not the "
        "company's figures." in md
    )
    assert (
        f"- Minimum Cash Flow of Borrower (if required): {CONDITION} Liquidity on every day of the "
        "quarter, from an illustrative sample daily ledger (not the company's figures): lowest "
        "$25,000,000 on 2008-04-01. This quarter the test does not apply." in md
    )
    # the ledger gave the figures: the actuals' liquidity line is not among the inputs used
    assert LIQUIDITY_LABEL not in md.split("## Inputs and assumptions")[1]
    # the reading at the quarter end; the caller's own words for the figures
    md = _springing(
        "2008-06-30",
        pd.Series(25e6, index=days),
        springing_reading="quarter_end",
        liquidity_description="the Bank's daily balance report",
    )
    assert (
        "Liquidity at the quarter end, from the Bank's daily balance report: $25,000,000 on "
        "2008-06-30. This quarter the test does not apply." in md
    )
    assert (
        "Liquidity for the springing test (Sec. 6.9(iii)): the Bank's daily balance report." in md
    )
    with pytest.raises(InputError, match="liquidity_description: .* without file paths"):
        _springing(
            "2008-06-30", 25e6, liquidity_description="from params/deals/ibasis/scenarios/cash.csv"
        )


def test_days_the_ledger_does_not_cover_are_said():
    days = pd.date_range("2008-04-28", "2008-06-30")
    md = _springing("2008-06-30", pd.Series(25e6, index=days), springing_reading="any_day")
    assert (
        "lowest $25,000,000 on 2008-04-28; the daily figures cover 64 of the quarter's 91 days, and the days they "
        "do not cover (2008-04-01 to 2008-04-27) count as below $20,000,000 (the stricter "
        "reading). This quarter the test applies." in md
    )
    # without the figures the certificate still says where they came from, and the outcome
    res = evaluate_covenants(
        FAC,
        "2008-06-30",
        ACTS,
        pd.Series(25e6, index=days),
        liquidity_kind="reported",
        liquidity_source="the Bank's statements",
    )
    md = render_certificate(FAC, res, schedule_1(FAC, ACTS, "2008-06-30"), fmt="markdown")
    assert f"{CONDITION} Liquidity, from reported figures. This quarter the test applies." in md


def test_liquidity_from_the_actuals_is_listed_with_the_inputs():
    md = _render(fmt="markdown", springing_reading="any_day")
    inputs = md.split("## Inputs and assumptions")[1]
    assert (
        "- ILLUSTRATIVE Liquidity for the springing test (Sec. 6.9(iii)): the quarterly figures, "
        f'line "{LIQUIDITY_LABEL}". Not the company\'s figures.' in inputs
    )
    assert re.search(
        rf"ILLUSTRATIVE \(not the company's figures\): [^\n]*{re.escape(LIQUIDITY_LABEL)}", inputs
    )
    assert (
        f"{CONDITION} Liquidity at the quarter end, $27,500,000, from the quarterly figures, line "
        f'"{LIQUIDITY_LABEL}" (illustrative, not the company\'s figure). No daily figures cover '
        "this quarter, so this one figure stands for every day of it. This quarter the test does "
        "not apply." in md
    )


# --- finding 24: the breakeven quarter is an estimate ----------------------------------------
def test_breakeven_net_income_marked_estimate():
    md = _render(q="2008-06-30", fmt="markdown")
    assert (
        "- ESTIMATE (exact figure not public): II.A Net Income $0.00: reported only as 'at "
        "breakeven'; the exact figure is not public; recorded as 0." in md
    )
    assert "| A | Net Income | $0.00 | Estimate |" in md
    assert "Reported: II.A Net Income" not in md
    assert "Estimates: Consolidated EBITDA line A." in md.splitlines()[0]  # the DRAFT line


def test_reported_inputs_name_their_source_without_paths():
    md = _render(fmt="markdown")
    assert (
        "- Reported: II.A Net Income ($2,100,000.00): public filing: iBasis Q1 2009 earnings "
        "release (Form 8-K Exhibit 99.1) ($-2.1 million; as the prior-year comparison in the Q1 "
        "2009 release)." in md
    )
    assert "reference/" not in md and ".csv" not in md and ".md" not in md
    # a loss on the build-up is written as a statement writes it, in parentheses
    assert "| A | Net Income | ($2,100,000.00) |" in md and "-$" not in md
    # without the facility the notes still name no id
    notes = certificate_inputs(
        evaluate_covenants(FAC, "2008-03-31", ACTS),
        schedule_1(FAC, ACTS, "2008-03-31"),
        ACTS.provenance("2008-03-31"),
    )
    assert not [n for n in notes if SNAKE.search(n)]
    labelled = certificate_inputs(
        evaluate_covenants(FAC, "2008-03-31", ACTS),
        schedule_1(FAC, ACTS, "2008-03-31"),
        ACTS.provenance("2008-03-31"),
        facility=FAC,
    )
    assert any(n.startswith("Reported: II.A Net Income") for n in labelled)


# --- the restructuring: every word of the deal from the params ---------------------------------
def test_names_of_the_parties_come_from_the_params():
    form = FAC.compliance.certificate
    assert form.names_in_capitals
    for fmt in ("html", "markdown"):
        text = _render(fmt=fmt)
        assert FAC.borrower.upper() in text and FAC.bank.upper() in text
        assert form.fill(form.certification, borrower=FAC.borrower.upper())[:60] in html.unescape(
            text
        )
    other = load(
        "params/deals/ibasis/facilities/svb-loan-agreement.yaml",
        {"borrower": "Acme Widgets, Inc.", "bank": "First Example Bank"},
    )
    md = _render(fmt="markdown", facility=other)
    assert "**TO:** FIRST EXAMPLE BANK" in md and "**FROM:** ACME WIDGETS, INC." in md
    assert 'officer of ACME WIDGETS, INC. ("Borrower")' in md
    assert FAC.borrower.upper() not in md and FAC.bank.upper() not in md


def _deal_texts() -> list[str]:
    """Text of the SVB deal that code must not hold: the parties, the certificate's words,
    headings and titles (from the params), and the literals of the old module."""
    form = FAC.compliance.certificate
    texts = ["IBASIS", "iBasis", "SILICON VALLEY", "Silicon Valley", "SVB", "Exhibit B", "KPN"]
    texts += ["6.9", "Schedule 1", "First Loan Modification", "first_modification"]
    texts += [FAC.borrower, FAC.bank, FAC.borrower.upper(), FAC.bank.upper(), *form.title]
    texts += [form.certification[:40], form.statement[:40], form.exceptions_heading]
    texts += [form.schedule_title, form.reporting_heading, form.financial_heading]
    texts += [r.title for r in form.rows] + [m.heading for m in FAC.compliance.metrics]
    texts += [r.title for r in FAC.compliance.reporting] + [
        r.required for r in FAC.compliance.reporting
    ]
    return texts


def test_no_deal_text_in_the_reports_code():
    folder = paths.ROOT / "model" / "reports"
    files = sorted(folder.rglob("*.py")) + sorted(folder.rglob("*.j2"))
    assert any(f.suffix == ".j2" for f in files)
    found = [
        f"{f.relative_to(paths.ROOT)}: {t!r}"
        for f in files
        for t in _deal_texts()
        if t in f.read_text(encoding="utf-8")
    ]
    assert found == []


def test_no_developer_wording_on_the_certificate():
    days = pd.date_range("2008-04-01", "2008-06-30")
    res = evaluate_covenants(
        FAC, "2008-06-30", ACTS, pd.Series(25e6, index=days), liquidity_source="reported: bank"
    )
    for fmt in ("html", "markdown"):
        text = render_certificate(FAC, res, schedule_1(FAC, ACTS, "2008-06-30"), fmt=fmt)
        for word in ("model.", "evaluate_covenants", "schedule_1", "status_code", "threshold_kind"):
            assert word not in text, word
        assert "reported: bank" not in text  # the engine's provenance text is not printed
        assert not re.search(r"\w\(\)", text)


def test_the_certificate_reads_codes_not_sentences():
    for version, q in (("original", "2008-03-31"), (None, "2008-06-30")):
        days = pd.date_range("2008-04-28", "2008-06-30")
        res = evaluate_covenants(
            FAC,
            q,
            ACTS,
            pd.Series(25e6, index=days),
            version=version,
            liquidity_source="ledger",
            liquidity_kind="illustrative",
        )
        sched = schedule_1(FAC, ACTS, q, version)
        reworded = res.assign(
            status="(reworded)",
            applies_reason="(reworded)",
            threshold_source="(reworded)",
            version_basis="(reworded)",
            liquidity_source="(reworded)",
        )
        for fmt in ("html", "markdown"):
            assert render_certificate(FAC, reworded, sched, fmt=fmt) == render_certificate(
                FAC, res, sched, fmt=fmt
            )


def _css(h: str) -> str:
    return re.search(r"<style>(.*?)</style>", h, re.S).group(1)


def test_html_styles_apply_only_inside_the_certificate():
    """Embedded in a notebook report, the certificate restyles nothing else on the page:
    every selector starts with the certificate's class, nothing styles <body> or <html>,
    and the Letter page size is a named page only the certificate uses."""
    h = _render()
    css = _css(h).strip()
    pages = re.findall(r"@page([^{]*)\{", css)
    assert pages == [" compliance-certificate"]  # a named page, never the host's pages
    assert ".compliance-certificate{page:compliance-certificate;" in css
    css = re.sub(r"@page[^{]*\{[^{}]*\}", "", css)
    css = re.sub(r"@media print\{(.*)\}\s*$", r"\1", css, flags=re.S)
    assert "@" not in css  # no other at-rule (no @import, no @font-face)
    selectors = [s.strip() for rule in re.findall(r"([^{}]+)\{", css) for s in rule.split(",")]
    assert selectors and all(s.startswith(".compliance-certificate") for s in selectors), selectors
    assert not [s for s in selectors if re.search(r"\b(body|html|:root)\b", s)]
    assert "<body style" not in h and "<html style" not in h
    body = h.split("<body>", 1)[1]
    assert re.match(r"<div class='compliance-certificate( draft)?'>", body)
    assert body.rstrip().endswith("</div></body></html>")


def test_print_layout_for_letter_keeps_headings_with_their_tables():
    h = _render()
    css = _css(h)
    assert "@page compliance-certificate{size:letter;margin:0.6in 0.7in}" in css
    assert re.search(
        r"\.compliance-certificate h2[^{]*\{break-after:avoid;page-break-after:avoid", css
    )
    keep = re.search(r"([^{}]*)\{break-inside:avoid;page-break-inside:avoid\}", css).group(1)
    assert ".compliance-certificate tr" in keep and ".compliance-certificate .keep" in keep
    assert ".compliance-certificate .schedule{break-before:page;" in css
    # the printed DRAFT tile is one page of text tall (11in less the top and bottom margins)
    assert ".compliance-certificate.draft{background-size:100% 9.80in}" in css
    # the financial covenants: heading, table and statement kept together; so is each
    # section of the schedule, and the exceptions with the signature
    form = FAC.compliance.certificate
    assert (
        f"<section class='keep'><h2>{html.escape(form.financial_heading)}</h2><table class='grid'><thead>"
        in h
    )
    assert h.count("<section class='keep'><h2>I") == 3
    assert "<section class='keep'><p class='lead'>" in h
    assert h.count("<thead>") == 5  # header rows repeat on a new page


# --- a second deal: its own words, no change to code ----------------------------------------
def test_a_second_deal_renders_with_its_own_words():
    fac = load(NORTHWIND / "facility.yaml")
    acts = load(NORTHWIND / "actuals.csv")
    q = acts.quarter_ends[-1]
    res = evaluate_covenants(fac, q, acts, overrides={"max_leverage": "2.50"})
    md = render_certificate(fac, res, schedule_1(fac, acts, q), fmt="markdown")
    form = fac.compliance.certificate
    draft, title = md.split("\n\n", 2)[:2]
    assert draft == (
        "**DRAFT: NOT FOR SIGNATURE.** Illustrative figures, not the company's: Total Leverage "
        "Ratio lines 1, 2, 3, 4, 5, 7 and 13; Fixed Charge Coverage Ratio lines 1, 2, 3, 4, 6, 12, "
        "14, 15 and 17. "
        "Required levels replaced for a scenario, not the documents': Maximum Total Leverage Ratio."
    )
    assert title == f"# {': '.join(form.title)}"
    assert f"**TO:** {fac.bank}  \n**FROM:** {fac.borrower}  \n" in md  # not in capitals
    assert f"## {form.reporting_heading}\n" in md and f"# {form.schedule_title}: " in md
    assert "| Maximum Total Leverage Ratio | 2.50:1.00 | 2.76:1.00 | No |" in md
    assert "actual 2.76:1.00 is above the maximum 2.50:1.00 (excess 0.2600)." in md
    assert f"Is line 15 equal to or less than 2.50:1.00? **{form.answer_no}**" in md
    assert f"Is line 19 equal to or greater than 1.25:1.00? **{form.answer_yes}**" in md
    assert "## Notes on the form" not in md  # the form has none
    for text in ("IBASIS", "SILICON VALLEY", "Exhibit B", "6.9", "KPN"):
        assert text not in md, text


def _northwind_records(changes: dict[tuple[str, str], str]) -> list[tuple[str, ...]]:
    """Northwind's actuals as records, with ``(quarter, item) -> value`` changed."""
    import csv

    rows = [
        r
        for r in csv.reader((NORTHWIND / "actuals.csv").read_text().splitlines())
        if r and not r[0].startswith("#") and r[0] != "quarter_end"
    ]
    return [(q, item, changes.get((q, item), v), kind, src) for q, item, v, kind, src, *_ in rows]


def test_a_cured_quarter_is_disclosed_with_the_figure_without_the_cure():
    # Hand-worked (fictitious Northwind, trailing four quarters to 2019-12-31): the fourth
    # quarter's net income falls by 200,000 (to -400,000), so EBITDA is 3,440,000 - 200,000 = 3,240,000.
    # Fixed charge coverage without a cure: (3,240,000 - 710,000 capex - 640,000 cash taxes)
    # / (600,000 interest + 1,000,000 principal) = 1,890,000 / 1,600,000 = 1.18125 < 1.25.
    # The cure that makes it 1.25: 1.25 x 1,600,000 + 1,350,000 - 3,240,000 = 110,000; with
    # it the ratio is exactly 1.25 and leverage 9,500,000 / 3,350,000 = 2.8358 (<= 3.00).
    fac = load(NORTHWIND / "facility.yaml")
    acts = Actuals.from_records(
        _northwind_records(
            {("2019-12-31", "net_income"): "-400000", ("2019-12-31", "equity_cure"): "110000"}
        )
    )
    q = acts.quarter_ends[-1]
    res = evaluate_covenants(fac, q, acts)
    fcc, lev = res.loc["min_fixed_charge_coverage"], res.loc["max_leverage"]
    assert fcc["actual"] == Decimal("1.25") and fcc["status_code"] == "amber"
    assert fcc["cure_amount"] == Decimal("110000") and fcc["cured"]
    assert round(fcc["actual_before_cure"], 2) == Decimal("1.18")  # the metric's 2 places
    assert (
        "only with an equity cure: $110,000 counts in the metric; without it it is 1.18:1.00"
        in (fcc["status"])
    )
    # leverage complies with or without the cure: not a cured test
    assert lev["cure_amount"] == Decimal("110000") and not lev["cured"]
    md = render_certificate(fac, res, schedule_1(fac, acts, q), fmt="markdown")
    assert "| Minimum Fixed Charge Coverage Ratio | 1.25:1.00 | 1.25:1.00 | Yes (cured) |" in md
    assert "| Maximum Total Leverage Ratio | 3.00:1.00 | 2.84:1.00 | Yes |" in md
    words = (
        "Complies with an equity cure: $110,000.00 (Cure Amount contributed as equity (Sec. 7.2)) "
        "is counted in the Fixed Charge Coverage Ratio for the period; without it the figure would "
        "be 1.18:1.00 against the required 1.25:1.00."
    )
    assert md.count(words) == 2  # under the covenant table and under its schedule
    html_text = render_certificate(fac, res, schedule_1(fac, acts, q), fmt="html")
    assert html.unescape(re.sub(r"<[^>]+>", "", html_text)).count(words) == 2
    # no cure: nothing said
    plain = evaluate_covenants(fac, q, load(NORTHWIND / "actuals.csv"))
    assert not plain["cured"].any() and (plain["cure_amount"] == 0).all()


def test_a_schedule_metric_no_covenant_tests_is_reported_over_its_own_period():
    # Northwind's schedule lists Excess Cash Flow (Sec. 2.5(c)), which no covenant tests: it
    # is measured over the fiscal year to date (its `period`), not the quarter. 2019, from the
    # fictitious actuals: EBITDA before add-backs 3,440,000, less interest 600,000, cash
    # taxes 640,000, capex 710,000, principal 1,000,000 and the working capital increase
    # 120,000 - 40,000 + 90,000 - 60,000 = 110,000: 380,000.
    fac = load(NORTHWIND / "facility.yaml")
    acts = load(NORTHWIND / "actuals.csv")
    q = acts.quarter_ends[-1]
    sched = schedule_1(fac, acts, q)
    ecf = sched["excess_cash_flow"]
    assert ecf.period == "year_to_date" and len(ecf.quarters) == 4
    assert ecf.value == Decimal("380000")
    md = render_certificate(fac, evaluate_covenants(fac, q, acts), sched, fmt="markdown")
    assert (
        "## C. Excess Cash Flow (Section 2.5(c)), for the fiscal year (fiscal year to date " in md
    )
    assert "Reported for Sec. 2.5(c); no financial covenant tests this figure" in md
    assert "| 10 | Excess Cash Flow (line 5 less lines 2 and 6 through 9) | $380,000.00 |" in md
    # a metric no covenant tests, without a period: refused, naming the key
    comp = fac.compliance.model_copy(
        update={
            "metrics": tuple(
                m.model_copy(update={"period": None}) if m.id == "excess_cash_flow" else m
                for m in fac.compliance.metrics
            )
        }
    )
    terms = fac.version(fac.versions[0][0]).model_copy(update={"compliance": comp})
    with pytest.raises(InputError, match=r"metrics\[excess_cash_flow\]\.period: .*no covenant"):
        schedule_1(terms, acts, q)


def test_two_covenants_on_one_metric_print_its_schedule_once():
    fac = load(NORTHWIND / "facility.yaml")
    acts = load(NORTHWIND / "actuals.csv")
    terms = fac.version(fac.versions[0][0])
    lev = terms.covenant("max_leverage")
    second = lev.model_copy(update={"id": "max_leverage_step", "title": "Leverage step-down test"})
    terms = terms.model_copy(update={"covenants": (*terms.covenants, second)})
    q = acts.quarter_ends[-1]
    fac = dataclasses.replace(fac, all_versions=(terms,))
    res = evaluate_covenants(fac, q, acts)
    md = render_certificate(fac, res, schedule_1(fac, acts, q), fmt="markdown")
    assert md.count("## A. Total Leverage Ratio (Section 7.1(a))") == 1
    assert md.count("| 15 | Total Leverage Ratio (line 1 divided by line 14) |") == 1
    assert "Maximum Total Leverage Ratio: Is line 15 equal to or less than 3.00:1.00?" in md
    assert "Leverage step-down test: Is line 15 equal to or less than 3.00:1.00?" in md


def test_ratio_shortfall_to_four_places():
    res = evaluate_covenants(FAC, "2008-03-31", ACTS, thresholds={"adjusted_quick_ratio": "1.25"})
    assert res.loc["adjusted_quick_ratio", "headroom"] == Decimal("-0.1902")
    (ex,) = [e for e in certificate_exceptions(res) if "Quick Ratio" in e]
    assert ex.endswith("actual 1.06:1.00 is below the required 1.25:1.00 (shortfall 0.1902).")


# --- review 4 ------------------------------------------------------------------------------


def _northwind(tmp_path: Path, actuals_text: str | None = None, compliance: str | None = None):
    """A copy of the Northwind test deal, with its actuals or compliance text changed."""
    for name in ("facility.yaml", "compliance.yaml", "actuals.csv"):
        (tmp_path / name).write_text((NORTHWIND / name).read_text(encoding="utf-8"))
    if actuals_text is not None:
        (tmp_path / "actuals.csv").write_text(actuals_text)
    if compliance is not None:
        (tmp_path / "compliance.yaml").write_text(compliance)
    return load(tmp_path / "facility.yaml"), load(tmp_path / "actuals.csv")


def test_schedule_heading_says_the_measurement_period(tmp_path):
    # finding 7: the period comes from the build-up (period, quarters), its words from the form
    fac, acts = _northwind(tmp_path)
    q = "2019-12-31"
    sched = schedule_1(fac, acts, q)
    lev = sched["leverage_ratio"]
    assert lev.period == "trailing_four_quarters"
    assert [d.isoformat() for d in lev.quarters] == [
        "2019-03-31",
        "2019-06-30",
        "2019-09-30",
        "2019-12-31",
    ]
    md = render_certificate(fac, evaluate_covenants(fac, q, acts), sched, fmt="markdown")
    heading = fac.compliance.metric("leverage_ratio").heading
    assert f"## {heading} (trailing four fiscal quarters ending 2019-12-31)\n" in md
    # a quarter-only metric has no period words (the SVB schedule reads as before)
    svb = _render(fmt="markdown")
    assert "## I. Adjusted Quick Ratio" in svb and "fiscal quarters ending" not in svb


def test_a_metric_that_cannot_be_computed_is_an_exception(tmp_path):
    # finding 6: negative EBITDA makes leverage undefined: the row, the schedule and the
    # exceptions say so, and the certificate does not certify compliance
    text = (NORTHWIND / "actuals.csv").read_text(encoding="utf-8")
    text = text.replace("2019-12-31,net_income,-200000,", "2019-12-31,net_income,-5000000,")
    fac, acts = _northwind(tmp_path, actuals_text=text)
    q = "2019-12-31"
    res = evaluate_covenants(fac, q, acts)
    lev = res.loc["max_leverage"]
    # EBITDA over 2019 is 3,440,000 with Q4 net income -200,000 (test_second_deal.py); at
    # -5,000,000 it is 3,440,000 - 4,800,000 = -1,360,000: line 14 is not positive
    assert lev["status_code"] == "undefined" and lev["actual"] is None
    assert (
        lev["status"] == "cannot be computed: line 15 (1 / 14): line 14 is -1360000, not positive"
    )
    assert lev["complies"] is pd.NA and lev["headroom"] is None
    (ex,) = [e for e in certificate_exceptions(res) if "Leverage" in e]
    assert ex == (
        "Maximum Total Leverage Ratio (Credit Agreement Sec. 7.1(a)): the metric cannot be "
        "computed: line 15 (1 / 14): line 14 is -1360000, not positive (no figure to compare with "
        "the required level 3.00:1.00); treated as not in compliance."
    )
    md = render_certificate(fac, res, schedule_1(fac, acts, q), fmt="markdown")
    form = fac.compliance.certificate
    assert (
        "| Maximum Total Leverage Ratio | 3.00:1.00 | cannot be computed | No (cannot be computed) |"
        in md
    )
    assert f"Is line 15 equal to or less than 3.00:1.00? **{form.answer_no}**" in md
    assert "| 15 | Total Leverage Ratio (line 1 divided by line 14) | — | 1 / 14 |" in md
    assert format_compliance_table(res).loc["max_leverage", "actual"] == "cannot be computed"
    html_text = render_certificate(fac, res, schedule_1(fac, acts, q))
    assert "cannot be computed: line 15 (1 / 14)" in html_text


def test_the_forms_fixed_words_are_terms(tmp_path):
    # finding 14: the question, its comparison, the blank, the headers and TO / FROM are
    # the form's words, with defaults
    comp = (NORTHWIND / "compliance.yaml").read_text(encoding="utf-8")
    words = (
        '  answer_yes: "Complies"\n'
        '  to_label: "An"\n'
        '  from_label: "Von"\n'
        '  question: "Line {line} {comparison} {required}: complies?"\n'
        '  comparison_max: "not above"\n'
        '  ratio_blank: "__.__ to 1"\n'
        '  financial_columns: ["Covenant", "Level", "Figure", "OK"]\n'
        '  schedule_columns: ["No.", "Item", "USD", "Basis"]\n'
        '  period_words: {trailing_four_quarters: "the four quarters to {period_end}"}\n'
    )
    comp = comp.replace('  answer_yes: "Complies"\n', words)
    fac, acts = _northwind(tmp_path, compliance=comp)
    q = "2019-12-31"
    res = evaluate_covenants(fac, q, acts)
    md = render_certificate(fac, res, schedule_1(fac, acts, q), fmt="markdown")
    assert f"**An:** {fac.bank}  \n**Von:** {fac.borrower}  \n" in md
    assert "| Covenant | Level | Figure | OK |" in md
    assert "| No. | Item | USD | Basis |" in md
    assert "Line 15 not above 3.00:1.00: complies?" in md
    assert "(the four quarters to 2019-12-31)" in md
    for default in ("**TO:**", "equal to or less than", "| Financial Covenant |", "| Line |"):
        assert default not in md, default
    h = render_certificate(fac, res, schedule_1(fac, acts, q))
    assert "<b>An:</b>" in h and "<th>Covenant</th><th>Level</th>" in h and ">No.</th>" in h
    # a blank level is the form's blank
    blank_res = res.copy()
    blank_res.loc["max_leverage", ["required", "threshold_kind"]] = [None, "documented"]
    md = render_certificate(fac, blank_res, schedule_1(fac, acts, q), fmt="markdown")
    assert "Line 15 not above __.__ to 1: complies?" in md


def test_the_default_words_are_those_printed_before():
    md = _render(fmt="markdown")
    assert "**TO:** SILICON VALLEY BANK  \n**FROM:** IBASIS, INC.  \n**Date:**" in md
    assert "| Reporting Covenant | Required | Complies | Detail |" in md
    assert "| Financial Covenant | Required | Actual | Complies |" in md
    assert "| Line | Item | Amount | How |" in md
    assert "Is line J equal to or greater than 1.00:1.00?" in md


# --- step 6: the certificate as a bank reads it ----------------------------------------------

MODULE = re.compile(r"\bmodel\.|\bengines?\b")
PATH = re.compile(r"[\w-]+/[\w./-]+|\.csv|\.ya?ml")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def _visible(text: str, fmt: str) -> str:
    """What a reader sees: the HTML without its style sheet and tags, or the Markdown."""
    if fmt == "markdown":
        return text
    text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
    text = re.sub(r"</?(span|b|i)\b[^>]*>", "", text)  # inline: no space
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def _forms_own_paths(fac) -> set[str]:
    """What the path pattern finds in the deal's own words ("A/R & A/P Agings"): printed
    because the form prints it, not a file."""
    comp = fac.compliance
    words = [r.title + " " + r.required for r in comp.reporting]
    words += [i.label for i in comp.line_items.values()]
    words += [ln.label for m in comp.metrics for ln in m.lines] + [m.heading for m in comp.metrics]
    form = comp.certificate
    words += [form.certification, form.ip_block or "", *form.bank_use, *form_notes_of(form)]
    return set(PATH.findall(" ".join(words)))


def form_notes_of(form):
    from model.reports.certificate import form_notes

    return form_notes(form)


def _as_notebook_03(q: str, ledger: pd.DataFrame, actuals=ACTS, fmt: str = "html") -> str:
    """The certificate for quarter ``q`` built as notebook 03 builds it: its default
    parameters, the step-2 sample ledger for the springing test, the sample actuals."""
    p = notebook_defaults("03-covenant-compliance")
    source = (
        f"{p['ledger_provenance']}: daily ledger ({p['ledger_start']} to {p['ledger_end']}) "
        f"from {p['receivables_file']}, {p['cash_file']}, {p['draws_file']}"
    )
    res = evaluate_covenants(
        FAC,
        q,
        actuals,
        liquidity=ledger,
        cushion=p["cushion"],
        springing_reading=p["springing_reading"],
        liquidity_source=source,
        liquidity_kind=p["ledger_provenance"],
    )
    assert PATH.search(res["liquidity_source"].dropna().iloc[0])  # the engine's text has paths
    return render_certificate(
        FAC,
        res,
        schedule_1(FAC, actuals, q),
        fmt=fmt,
        provenance=actuals.provenance(q),
        certificate_date="2008-08-14",
        liquidity=ledger,
        springing_reading=p["springing_reading"],
    )


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_acceptance_the_2008_06_30_certificate_is_plain_words(fmt, sample_ledger):
    text = _as_notebook_03("2008-06-30", sample_ledger, fmt=fmt)
    seen = _visible(text, fmt)
    assert not MODULE.search(seen), MODULE.search(seen)
    paths_found = set(PATH.findall(seen)) - _forms_own_paths(FAC)
    assert not paths_found, paths_found
    parameters = [n for n in notebook_defaults("03-covenant-compliance") if "_" in n]
    assert len(parameters) > 15
    # a one-word parameter (quarter, cushion, version) is an English word: the ids are checked
    found = [n for n in parameters if re.search(rf"\b{n}\b", seen)]
    assert not found, found
    ids = [i for i in FAC.compliance.line_items if re.search(rf"\b{i}\b", seen) and "_" in i]
    assert not ids, ids
    assert not SNAKE.search(seen), SNAKE.search(seen)
    # the springing test's figures, as a banker reads them
    assert (
        f"{CONDITION} Liquidity on every day of the quarter, from an illustrative sample daily "
        "ledger (not the company's figures): lowest $20,315,560 on 2008-06-30; the daily figures cover 64 of "
        "the quarter's 91 days, and the days they do not cover (2008-04-01 to 2008-04-27) count "
        "as below $20,000,000 (the stricter reading). This quarter the test applies."
    ) in " ".join(seen.split())
    # the line items are named by their labels
    assert "II.B Interest Expense" in seen and "II.A Net Income $0.00" in seen


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_acceptance_the_sample_actuals_make_it_a_draft(fmt, sample_ledger):
    text = _as_notebook_03("2008-06-30", sample_ledger, fmt=fmt)
    reasons = (
        "Illustrative figures, not the company's: Adjusted Quick Ratio lines A, B, C, E, F and H; "
        "Consolidated EBITDA lines B, C, D, E, F and G; Borrower Cash Flow lines A, B, C and D; "
        "the Liquidity figures of the springing test. Estimates: Consolidated EBITDA line A."
    )
    if fmt == "markdown":
        assert text.startswith(f"**DRAFT: NOT FOR SIGNATURE.** {reasons}\n\n# EXHIBIT B")
        return
    body = text.split("<body>", 1)[1]
    assert body.startswith("<div class='compliance-certificate draft'>\n<p class='draft-banner'>")
    assert "<b>DRAFT: NOT FOR SIGNATURE.</b> " in body
    assert reasons in re.sub(r"<[^>]+>", "", html.unescape(body))
    css = _css(text)
    assert f'.compliance-certificate.draft{{background-image:url("{WATERMARK}");' in css
    assert "DRAFT" in __import__("urllib.parse").parse.unquote(WATERMARK)
    assert "rotate(" in __import__("urllib.parse").parse.unquote(WATERMARK)
    assert text.count("<title>DRAFT: ") == 1


def _all_reported(tmp_path: Path):
    """The sample actuals with every figure marked reported."""
    lines = (
        (paths.PARAMS / "deals" / "ibasis" / "actuals" / "ibasis-2008.csv")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    out = [
        ln if ln.startswith("#") else re.sub(r",(illustrative|estimate),", ",reported,", ln)
        for ln in lines
    ]
    (tmp_path / "reported.csv").write_text("\n".join(out) + "\n", encoding="utf-8")
    return load(tmp_path / "reported.csv")


def test_every_figure_reported_has_no_watermark(tmp_path):
    acts = _all_reported(tmp_path)
    q = "2008-03-31"
    res = evaluate_covenants(FAC, q, acts, thresholds={"adjusted_quick_ratio": "1.00"})
    assert set(res["liquidity_kind"].dropna()) == {"reported"}  # from the actuals' line
    sched = schedule_1(FAC, acts, q)
    assert draft_reasons(FAC, res, sched, acts.provenance(q)) == []
    for fmt in ("html", "markdown"):
        text = render_certificate(FAC, res, sched, fmt=fmt, provenance=acts.provenance(q))
        assert "DRAFT" not in text and WATERMARK not in text and "draft-banner'" not in text
    h = render_certificate(FAC, res, sched, provenance=acts.provenance(q))
    assert "<body><div class='compliance-certificate'>" in h
    # ... but illustrative springing figures make it a draft again
    res = evaluate_covenants(
        FAC,
        q,
        acts,
        25e6,
        thresholds={"adjusted_quick_ratio": "1.00"},
        liquidity_source="sample",
        liquidity_kind="illustrative",
    )
    assert draft_reasons(FAC, res, sched, acts.provenance(q)) == [
        "Illustrative figures, not the company's: the Liquidity figures of the springing test."
    ]
    # and so do figures whose source is not stated
    res = evaluate_covenants(FAC, q, acts, 25e6, thresholds={"adjusted_quick_ratio": "1.00"})
    assert draft_reasons(FAC, res, sched) == [
        "Figures whose source is not stated: the Liquidity figures of the springing test."
    ]


def _colour(css: str, cls: str) -> str:
    return re.search(rf"\.compliance-certificate \.{cls}\{{color:(#[0-9a-f]+);", css).group(1)


def test_not_required_is_grey_and_every_status_takes_the_reports_colour():
    h = _render()  # 2008-03-31: the springing test does not apply
    assert "<td class='answer st-not-required'>Not required</td>" in h
    css = _css(h)
    assert _colour(css, "st-not-required") == STATUS_COLOURS["not_required"] == "#5f6368"
    for code, colour in STATUS_COLOURS.items():
        assert _colour(css, "st-" + code.replace("_", "-")) == colour, code
    assert "<td class='answer st-amber'>Yes</td>" in h  # Consolidated EBITDA, inside the cushion
    res = evaluate_covenants(FAC, "2008-06-30", ACTS)  # no Adjusted Quick Ratio level given
    blank = render_certificate(FAC, res, schedule_1(FAC, ACTS, "2008-06-30"))
    assert "<td class='answer st-threshold-not-provided'>Threshold not provided</td>" in blank
    breach = _render(version="original")
    assert "<td class='answer st-breach'>No</td>" in breach
    assert "<span class='st-breach'>No, not in compliance</span>" in breach
    green = _render(q="2008-06-30")
    assert "<span class='st-complies'>Yes, in compliance</span>" in green
    # no colour of its own anywhere else: every colour in the sheet is a status colour,
    # the neutral greys of the page, or the watermark's
    colours = set(re.findall(r"#[0-9a-f]{3,6}\b", css))
    assert colours <= {*STATUS_COLOURS.values(), "#fff", "#111", "#444", "#777", "#333"}


CHROMIUM = shutil.which("chromium")
LAB_CSS = Path(sys.prefix) / "share" / "jupyter" / "nbconvert" / "templates" / "lab" / "static"
"""JupyterLab's HTML export styles (nbconvert's lab template), as a notebook report has them."""

_STYLES_SCRIPT = """<script>
(function () {
  var props = ["font-family", "font-size", "font-weight", "color", "text-align", "margin-top",
               "padding-left", "background-color", "table-layout", "border-top-width"];
  function styles(el) {
    var cs = getComputedStyle(el); var out = {};
    props.forEach(function (p) { out[p] = cs.getPropertyValue(p); }); return out;
  }
  var out = {};
  document.querySelectorAll("[data-probe]").forEach(function (el) {
    out[el.getAttribute("data-probe")] = styles(el);
  });
  var cert = document.querySelector(".compliance-certificate td.num");
  if (cert) { out["certificate number cell"] = styles(cert); }
  var text = document.querySelector(".compliance-certificate .grid td");
  if (text) { out["certificate text cell"] = styles(text); }
  var pre = document.createElement("pre"); pre.id = "probe-result";
  pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
})();
</script>"""


def _host_page(certificate: str) -> str:
    """A notebook report as JupyterLab's HTML export lays an output out, with its styles,
    host elements around the embedded ``certificate``."""
    css = (LAB_CSS / "index.css").read_text() + (LAB_CSS / "theme-light.css").read_text()
    host = (
        "<h2 data-probe='host heading'>Host heading</h2><p data-probe='host paragraph'>text</p>"
        "<table><tbody><tr><td data-probe='host cell'>host</td><td>1,234</td></tr>"
        "<tr data-probe='host row'><td>row</td><td>5</td></tr></tbody></table>"
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{css}</style></head>"
        "<body class='jp-Notebook' data-jp-theme-light='true'><main>"
        "<div class='jp-OutputArea-output jp-RenderedHTMLCommon jp-RenderedHTML'>"
        f"{host}{certificate}{host.replace('host ', 'host after ')}</div>"
        f"</main>{_STYLES_SCRIPT}</body></html>"
    )


def _computed_styles(page: str, tmp_path: Path, name: str) -> dict:
    f = tmp_path / f"{name}.html"
    f.write_text(page, encoding="utf-8")
    done = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={tmp_path / ('profile-' + name)}",
            "--window-size=1280,2000",
            "--virtual-time-budget=3000",
            "--dump-dom",
            f.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r"<pre id=\"probe-result\">(.*?)</pre>", done.stdout, re.S)
    assert found, done.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.skipif(
    CHROMIUM is None or not (LAB_CSS / "index.css").is_file(),
    reason="chromium or the JupyterLab export styles are not installed",
)
def test_embedded_in_a_notebook_report_it_restyles_nothing_else(tmp_path, sample_ledger):
    """In a browser, with JupyterLab's export styles: the host's headings, paragraphs,
    tables and rows before and after the certificate look the same with it as without it,
    and the host's table styles (right-aligned, fixed layout, striped) do not reach into
    the certificate."""
    certificate = _as_notebook_03("2008-06-30", sample_ledger)
    without = _computed_styles(_host_page(""), tmp_path, "without")
    with_it = _computed_styles(_host_page(certificate), tmp_path, "with")
    host = [k for k in without if k.startswith("host")]
    assert len(host) == 8
    assert {k: with_it[k] for k in host} == {k: without[k] for k in host}
    text_cell, number_cell = with_it["certificate text cell"], with_it["certificate number cell"]
    assert text_cell["text-align"] == "left" and number_cell["text-align"] == "right"
    assert text_cell["background-color"] == "rgba(0, 0, 0, 0)"  # the watermark shows through
    assert "Georgia" in text_cell["font-family"] and "Times" in number_cell["font-family"]
    assert without["host cell"]["text-align"] == "right"  # the host's own style, kept


def test_a_second_covenant_over_another_period_does_not_borrow_the_build_up() -> None:
    fac = load(NORTHWIND / "facility.yaml")
    acts = load(NORTHWIND / "actuals.csv")
    terms = fac.version(fac.versions[0][0])
    lev = terms.covenant("max_leverage")
    quarterly = lev.model_copy(
        update={
            "id": "max_leverage_q",
            "title": "Quarterly leverage",
            "measurement_period": "fiscal_quarter",
        }
    )
    fac = dataclasses.replace(
        fac, all_versions=(terms.model_copy(update={"covenants": (*terms.covenants, quarterly)}),)
    )
    q = acts.quarter_ends[-1]
    res = evaluate_covenants(fac, q, acts)
    md = render_certificate(fac, res, schedule_1(fac, acts, q), fmt="markdown")
    assert (
        md.count("## A. Total Leverage Ratio (Section 7.1(a)) (trailing four fiscal quarters") == 1
    )
    assert (
        "Quarterly leverage: Quarterly leverage measures this metric over the fiscal quarter, not "
        "the period of the build-up above: its figure is in the covenant table." in md
    )
