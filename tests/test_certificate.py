"""Compliance Certificate rendering (model/certificate.py): Exhibit B and Schedule 1."""

from __future__ import annotations

import re

import pytest

from model.certificate import format_compliance_table, render_certificate, write_certificate
from model.covenants import evaluate_covenants
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


def test_write_cannot_escape(tmp_path):
    assert write_certificate("x", tmp_path, "c.html").read_text() == "x"
    with pytest.raises(UnsafePathError):
        write_certificate("x", tmp_path, "../c.html")
