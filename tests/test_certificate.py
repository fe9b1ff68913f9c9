"""Compliance Certificate rendering (model/certificate.py): Exhibit B and Schedule 1."""

from __future__ import annotations

import re

import pytest

from model.certificate import format_compliance_table, render_certificate, write_certificate
from model.covenants import compare_versions, evaluate_covenants
from model.metrics import schedule_1
from model.params import load
from model.paths import UnsafePathError
from model.reporting_calendar import reporting_compliance, reporting_due_dates, reporting_summary
from model.terms.covenants import load_covenant_book

BOOK = load_covenant_book("tests/fixtures/covenants_svb.yaml")
ACTS = load("params/actuals/ibasis-2008.csv")


def _render(q="2008-03-31", fmt="html", version=None, **kw):
    res = evaluate_covenants(
        BOOK, q, ACTS, version=version, thresholds={"adjusted_quick_ratio": "1.00"}
    )
    return render_certificate(
        res, schedule_1(ACTS.quarter(q)), provenance=ACTS.provenance(q), fmt=fmt, **kw
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
    res = evaluate_covenants(BOOK, "2008-06-30", ACTS)
    md = render_certificate(res, schedule_1(ACTS.quarter("2008-06-30")), fmt="markdown")
    assert "Threshold not provided" in md and "cannot be certified" in md


def test_reporting_table_yes_no():
    d = reporting_due_dates("2008-03-01", "2008-03-31")
    rep = reporting_summary(
        reporting_compliance(
            d,
            {
                ("monthly_agings", "2008-03-31"): "2008-04-29",
                ("quarterly_financials", "2008-03-31"): "2008-05-14",
            },
            "2008-05-14",
        )
    )
    md = _render(fmt="markdown", reporting=rep)
    assert (
        "| A/R & A/P Agings, Borrowing Base and Transaction Reports | Monthly within 30 days | Yes |"
        in md
    )


def test_format_table_and_bad_fmt():
    res = evaluate_covenants(BOOK, "2008-03-31", ACTS)
    t = format_compliance_table(res)
    assert (
        t.loc["consolidated_ebitda", "complies"] == "Yes"
        and t.loc["consolidated_ebitda", "amber"] == "AMBER"
    )
    assert t.loc["adjusted_quick_ratio", "complies"] == "Threshold not provided"
    with pytest.raises(ValueError, match="unknown fmt 'pdf'"):
        render_certificate(res, {}, fmt="pdf")


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


# --- finding 18: half-up cents -------------------------------------------------------------------
def test_usd_and_ratio_round_half_up():
    from decimal import Decimal

    from model.certificate import ratio, usd

    assert usd(Decimal("0.125")) == "$0.13"
    assert usd(Decimal("-0.125")) == "-$0.13"
    assert usd(Decimal("2.675")) == "$2.68"
    assert ratio(Decimal("1.125")) == "1.13:1.00"


# --- finding 1: an override is said plainly and is an exception ------------------------------
def test_override_on_certificate():
    from model.certificate import certificate_exceptions

    res = evaluate_covenants(
        BOOK,
        "2008-12-31",
        ACTS,
        liquidity=30e6,
        thresholds={"adjusted_quick_ratio": "1.00"},
        overrides={"consolidated_ebitda": 1},
    )
    md = render_certificate(res, schedule_1(ACTS.quarter("2008-12-31")), fmt="markdown")
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
    assert IP.replace('"', "&quot;") in h
    with pytest.raises(ValueError, match="ip_registrations: a list of non-empty strings"):
        _render(ip_registrations="None")


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
    html = _render(q="2007-12-31", fmt="html")
    assert "(assumption: the terms in force when the certificate is due govern the quarter)" in html


# --- finding 10: liquidity provenance listed ---------------------------------------------------
def test_liquidity_source_listed_as_illustrative():
    import pandas as pd

    src = "illustrative: daily ledger from params/scenarios/svb-*.csv"
    days = pd.date_range("2008-04-01", "2008-06-30")
    res = evaluate_covenants(
        BOOK,
        "2008-06-30",
        ACTS,
        pd.Series(25e6, index=days),
        thresholds={"adjusted_quick_ratio": "1.00"},
        liquidity_source=src,
    )
    md = render_certificate(
        res,
        schedule_1(ACTS.quarter("2008-06-30")),
        provenance=ACTS.provenance("2008-06-30"),
        fmt="markdown",
    )
    assert (
        f"- ILLUSTRATIVE liquidity for the springing test (Sec. 6.9(iii)): {src}. Not the company's figures."
        in md
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


# --- finding 28: comparison table readable --------------------------------------------------------
def test_comparison_table_has_no_raw_missing_values():
    from model.certificate import format_comparison_table
    from model.covenants import compare_versions

    t = format_comparison_table(compare_versions(BOOK, "2008-03-31", ACTS, liquidity=30e6))
    text = t.to_string()
    for raw in ("None", "NaN", "<NA>"):
        assert raw not in text, raw
    assert not re.search(r"\bnan\b", text)
    assert t.loc["adjusted_quick_ratio", ("original", "required")] == "not provided"
    assert t.loc["adjusted_quick_ratio", ("original", "actual")] == "1.06:1.00"
    assert t.loc["borrower_cash_flow", ("original", "required")] == "—"
    assert t.loc["consolidated_ebitda", ("original", "required")] == "$10,000,000.00"
    assert t.loc["consolidated_ebitda", ("original", "complies")] == "no"


# --- review: the "what the amendment changed" sentence is worded from the results -----------------
def test_describe_version_change_follows_the_results():
    from model.certificate import describe_version_change

    side = compare_versions(BOOK, "2008-03-31", ACTS)
    assert describe_version_change(side, "consolidated_ebitda", "2008-03-31") == (
        "Consolidated EBITDA for the quarter ended 2008-03-31 is $8,000,000.00: it fails the "
        "original $10,000,000.00 and passes the amended $7,500,000.00."
    )
    # other figures, other words: EBITDA $11,000,000 passes both levels
    items = dict(ACTS.quarter("2008-03-31"))
    items["net_income"] += 3_000_000
    side = compare_versions(BOOK, "2008-03-31", items)
    assert describe_version_change(side, "consolidated_ebitda", "2008-03-31") == (
        "Consolidated EBITDA for the quarter ended 2008-03-31 is $11,000,000.00: it passes the "
        "original $10,000,000.00 and passes the amended $7,500,000.00."
    )
    assert "is not a covenant of the original terms" in describe_version_change(
        side, "borrower_cash_flow", "2008-03-31"
    )
