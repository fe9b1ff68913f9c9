"""The compliance certificate (model.reports.certificate): the SVB deal's Exhibit B and its
Schedule 1 read as before, every word of a deal comes from its params, and a second deal
renders with its own words."""

from __future__ import annotations

import html
import re
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
from model.reports.certificate import certificate_exceptions, render_certificate, write_certificate
from model.reports.formatting import format_compliance_table
from model.terms import load

FAC = load("params/facilities/svb-loan-agreement.yaml")
ACTS = load("params/actuals/ibasis-2008.csv")
NORTHWIND = Path(__file__).resolve().parents[1] / "fixtures" / "deals" / "northwind"


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
    assert "<script" not in h and "http" not in h  # self-contained


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
    assert (
        "is a user input (not in the documents)"
        not in md.split("Minimum Consolidated EBITDA: required")[-1][:80]
    )
    assert (
        "- Minimum Consolidated EBITDA: OVERRIDE of the documented $10,000,000 (source: First Loan "
        "Modification Sec. 3.A.VII, new 6.9(ii)(c))" in md
    )
    ex = certificate_exceptions(res)
    assert any(
        "OVERRIDE of the documented $10,000,000" in e and "not a certification" in e for e in ex
    )
    assert "No exceptions to note." not in md


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


# --- finding 12: the version rule is printed ---------------------------------------------------
def test_version_rule_printed():
    md = _render(q="2007-12-31", fmt="markdown")
    assert (
        "*Terms applied: version 'first_modification'; in force on 2008-04-29, when the annual "
        "Compliance Certificate for the fiscal year ended 2007-12-31 is due" in md
    )
    assert "| Minimum Cash Flow of Borrower (if required) | $1.00 |" in md
    # the default-version rule is an interpretation: labelled as such on the certificate
    assert "(assumption: the terms in force when the certificate is due govern the quarter)" in md
    h = _render(q="2007-12-31", fmt="html")
    assert "(assumption: the terms in force when the certificate is due govern the quarter)" in h


# --- finding 10: liquidity provenance listed ---------------------------------------------------
def test_liquidity_source_listed_as_illustrative():
    src = "illustrative: daily ledger from params/scenarios/svb-*.csv"
    days = pd.date_range("2008-04-01", "2008-06-30")
    res = evaluate_covenants(
        FAC,
        "2008-06-30",
        ACTS,
        pd.Series(25e6, index=days),
        thresholds={"adjusted_quick_ratio": "1.00"},
        liquidity_source=src,
        liquidity_kind="illustrative",
    )
    md = render_certificate(
        FAC,
        res,
        schedule_1(FAC, ACTS, "2008-06-30"),
        provenance=ACTS.provenance("2008-06-30"),
        fmt="markdown",
    )
    assert (
        f"- ILLUSTRATIVE liquidity for the springing test (Sec. 6.9(iii)): {src}. Not the company's figures."
        in md
    )
    # the ledger gave the figures: the actuals' liquidity line is not among the inputs used
    assert "liquidity_quarter_end" not in md.split("## Inputs and assumptions")[1]


def test_liquidity_from_the_actuals_is_listed_with_the_inputs():
    md = _render(fmt="markdown")
    inputs = md.split("## Inputs and assumptions")[1]
    assert "- ILLUSTRATIVE liquidity for the springing test (Sec. 6.9(iii)): actuals line" in inputs
    assert re.search(
        r"ILLUSTRATIVE \(not the company's figures\): [^\n]*liquidity_quarter_end", inputs
    )


# --- finding 24: the breakeven quarter is an estimate ----------------------------------------
def test_breakeven_net_income_marked_estimate():
    md = _render(q="2008-06-30", fmt="markdown")
    assert (
        "- ESTIMATE (exact figure not public): net_income $0.00: ESTIMATE: reported only as 'at breakeven'"
        in md
    )
    assert "| A | Net Income | $0.00 | input: net_income (estimate) |" in md
    assert "Reported: net_income" not in md


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
        "params/facilities/svb-loan-agreement.yaml",
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
        assert not re.search(r"\w\(\)", text)


def test_the_certificate_reads_codes_not_sentences():
    res = evaluate_covenants(FAC, "2008-03-31", ACTS, version="original")
    sched = schedule_1(FAC, ACTS, "2008-03-31", "original")
    reworded = res.assign(status="(reworded)")
    for fmt in ("html", "markdown"):
        assert render_certificate(FAC, reworded, sched, fmt=fmt) == render_certificate(
            FAC, res, sched, fmt=fmt
        )


def test_html_styles_apply_only_inside_the_certificate():
    h = _render()
    css = re.search(r"<style>(.*?)</style>", h, re.S).group(1)
    css = re.sub(r"@media print\{(.*)\}\s*$", r"\1", css.strip(), flags=re.S)
    selectors = [s.strip() for rule in re.findall(r"([^{}]+)\{", css) for s in rule.split(",")]
    assert selectors and all(s.startswith(".compliance-certificate") for s in selectors), selectors
    body = h.split("<body>", 1)[1]
    assert body.startswith("<div class='compliance-certificate'>")
    assert body.rstrip().endswith("</div></body></html>")


# --- a second deal: its own words, no change to code ----------------------------------------
def test_a_second_deal_renders_with_its_own_words():
    fac = load(NORTHWIND / "facility.yaml")
    acts = load(NORTHWIND / "actuals.csv")
    q = acts.quarter_ends[-1]
    res = evaluate_covenants(fac, q, acts, overrides={"max_leverage": "2.50"})
    md = render_certificate(fac, res, schedule_1(fac, acts, q), fmt="markdown")
    form = fac.compliance.certificate
    assert md.startswith(f"# {': '.join(form.title)}\n")
    assert f"**TO:** {fac.bank}  \n**FROM:** {fac.borrower}  \n" in md  # not in capitals
    assert f"## {form.reporting_heading}\n" in md and f"# {form.schedule_title}: " in md
    assert "| Maximum Total Leverage Ratio | 2.50:1.00 | 2.76:1.00 | No |" in md
    assert "actual 2.76:1.00 is above the maximum 2.50:1.00 (excess 0.2600)." in md
    assert f"Is line 7 equal to or less than 2.50:1.00? **{form.answer_no}**" in md
    assert f"Is line 11 equal to or greater than 1.25:1.00? **{form.answer_yes}**" in md
    assert "## Notes on the form" not in md  # the form has none
    for text in ("IBASIS", "SILICON VALLEY", "Exhibit B", "6.9", "KPN"):
        assert text not in md, text


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
    # -5,000,000 it is 3,440,000 - 4,800,000 = -1,360,000: line 6 is not positive
    assert lev["status_code"] == "undefined" and lev["actual"] is None
    assert lev["status"] == "cannot be computed: line 7 (1 / 6): line 6 is -1360000, not positive"
    assert lev["complies"] is pd.NA and lev["headroom"] is None
    (ex,) = [e for e in certificate_exceptions(res) if "Leverage" in e]
    assert ex == (
        "Maximum Total Leverage Ratio (Credit Agreement Sec. 7.1(a)): the metric cannot be "
        "computed: line 7 (1 / 6): line 6 is -1360000, not positive (no figure to compare with "
        "the required level 3.00:1.00); treated as not in compliance."
    )
    md = render_certificate(fac, res, schedule_1(fac, acts, q), fmt="markdown")
    form = fac.compliance.certificate
    assert (
        "| Maximum Total Leverage Ratio | 3.00:1.00 | cannot be computed | No (cannot be computed) |"
        in md
    )
    assert f"Is line 7 equal to or less than 3.00:1.00? **{form.answer_no}**" in md
    assert "| 7 | Total Leverage Ratio (line 1 divided by line 6) | — | 1 / 6 |" in md
    assert format_compliance_table(res).loc["max_leverage", "actual"] == "cannot be computed"
    html_text = render_certificate(fac, res, schedule_1(fac, acts, q))
    assert "cannot be computed: line 7 (1 / 6)" in html_text


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
    assert "Line 7 not above 3.00:1.00: complies?" in md
    assert "(the four quarters to 2019-12-31)" in md
    for default in ("**TO:**", "equal to or less than", "| Financial Covenant |", "| Line |"):
        assert default not in md, default
    h = render_certificate(fac, res, schedule_1(fac, acts, q))
    assert "<b>An:</b>" in h and "<th>Covenant</th><th>Level</th>" in h and ">No.</th>" in h
    # a blank level is the form's blank
    blank_res = res.copy()
    blank_res.loc["max_leverage", ["required", "threshold_kind"]] = [None, "documented"]
    md = render_certificate(fac, blank_res, schedule_1(fac, acts, q), fmt="markdown")
    assert "Line 7 not above __.__ to 1: complies?" in md


def test_the_default_words_are_those_printed_before():
    md = _render(fmt="markdown")
    assert "**TO:** SILICON VALLEY BANK  \n**FROM:** IBASIS, INC.  \n**Date:**" in md
    assert "| Reporting Covenant | Required | Complies | Detail |" in md
    assert "| Financial Covenant | Required | Actual | Complies |" in md
    assert "| Line | Item | Amount | How |" in md
    assert "Is line J equal to or greater than 1.00:1.00?" in md
