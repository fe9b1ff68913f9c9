"""The one formatter of every report's tables: each rule, in HTML and in Excel formats."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from model.errors import InputError
from model.reports.tables import STATUS_COLOURS, banner, cell, details, headline, table


@pytest.mark.parametrize(
    "value, kind, text",
    [
        # money: thousands separators, cents where cents are the point, negatives in parentheses
        (Decimal("651187.5"), "usd", "$651,187.50"),
        (-1234.5, "usd", "($1,234.50)"),
        (Decimal("0.125"), "usd", "$0.13"),  # half up, as payments are rounded
        (Decimal("-0.125"), "usd", "($0.13)"),
        (20315560.0, "usd_whole", "$20,315,560"),
        (-13862563, "usd_whole", "($13,862,563)"),
        (0, "usd", "$0.00"),
        # percentages and ratios
        (0.0667, "percent", "6.7%"),
        (-0.19021, "percent", "(19.0%)"),
        (9.994, "percent", "999.4%"),
        (2399999.0, "percent", "n/m"),  # headroom over a required $1: not meaningful
        (-10.0, "percent", "n/m"),
        (Decimal("1.1875"), "ratio", "1.19x"),
        (Decimal("1.0598"), "ratio", "1.06x"),
        (0.0525, "rate", "5.25%"),
        # dates ISO, Yes/No, whole numbers
        (dt.date(2008, 6, 30), "date", "2008-06-30"),
        (pd.Timestamp("2008-06-30"), "date", "2008-06-30"),
        (True, "yes_no", "Yes"),
        (np.bool_(False), "yes_no", "No"),
        (1234567, "int", "1,234,567"),
        (-13862563, "int", "(13,862,563)"),  # a share shortfall, as a statement writes it
        ("breach", "status", "Breach"),
        ("not_required", "status", "Not required"),
        # missing values are a dash, never nan/None/NaT
        (None, "usd", "—"),
        (float("nan"), "percent", "—"),
        (pd.NA, "yes_no", "—"),
        (pd.NaT, "date", "—"),
    ],
)
def test_each_formatting_rule(value, kind, text):
    assert cell(value, kind) == text


def test_an_unknown_kind_is_refused():
    with pytest.raises(InputError, match="unknown column kind 'money'"):
        cell(1, "money")
    with pytest.raises(InputError, match="unknown column kind 'money' for 'x'"):
        table(pd.DataFrame({"x": [1]}), "t", "t", columns={"x": ("X", "money")})


def _frame():
    return pd.DataFrame(
        {
            "required": [7_500_000.0, None],
            "actual": [8_000_000.0, 1.0598],
            "headroom_pct": [0.0667, np.nan],
            "complies": [True, pd.NA],
            "status_code": ["amber", "threshold_not_provided"],
            "note": [
                "NEGATIVE after closing: more shares could be issued than are authorized",
                "short",
            ],
        },
        index=pd.Index(["consolidated_ebitda", "adjusted_quick_ratio"], name="covenant"),
    )


def test_headers_in_words_numbers_right_aligned_no_wrapping_nothing_truncated():
    t = table(_frame(), "Compliance for the quarter", "compliance-2008q1")
    h = t.to_html()
    assert "<th scope='col' class='num'>Headroom, % of required</th>" in h
    assert "<th scope='col' class='status'>Status</th>" in h and "status_code" not in h
    # numbers right-aligned (over the notebook export's own rule), text left, never wrapped
    assert ".model-table td.num{text-align:right!important" in h and "white-space:nowrap" in h
    assert "text-align:left!important" in h
    assert "<td class='num'>$7,500,000.00</td>" in h
    # the long credit warning is there in full (no '...')
    assert "NEGATIVE after closing: more shares could be issued than are authorized" in h
    assert "..." not in h and "…" not in h
    # Yes/No, never True/False; a dash for missing
    assert ">Yes<" in h and "True" not in h and "False" not in h
    assert not re.search(r"\b(nan|NaN|None|NaT)\b", h)
    # wide tables scroll sideways; the id is fixed, so the HTML is the same every run
    assert "overflow-x:auto" in h and "id='compliance-2008q1'" in h
    assert h == table(_frame(), "Compliance for the quarter", "compliance-2008q1").to_html()


def test_status_chips_use_the_shared_colours():
    h = table(_frame(), "t", "t").to_html()
    assert f"background:{STATUS_COLOURS['amber']}" in h and ">Complies (amber)<" in h
    grey = STATUS_COLOURS["threshold_not_provided"]
    assert f"background:{grey}" in h  # neutral, not alarm red


def test_formatted_text_and_excel_formats():
    t = table(_frame(), "t", "t")
    f = t.formatted()
    assert f.loc["consolidated_ebitda", "Headroom, % of required"] == "6.7%"
    assert t.excel_format("required").startswith('"$"#,##0.00')
    assert t.excel_format("headroom_pct").startswith("0.0%")
    assert t.excel_format("note") is None


def test_summary_blocks():
    h = headline(
        "Quarter ended 2008-03-31",
        [("Availability", "$4,315,560")],
        [("Minimum Consolidated EBITDA", "amber", "$500,000")],
    )._repr_html_()
    assert "Availability" in h and "$4,315,560" in h and ">Complies (amber)<" in h
    b = banner(["Every Schedule 1 input but net income is illustrative."])._repr_html_()
    assert "Illustrative inputs" in b and "net income" in b
    assert banner([])._repr_html_() == ""
    d = details("Term changes", "<p>x</p>")._repr_html_()
    assert re.fullmatch(r"<details><summary>Term changes</summary><p>x</p></details>", d)
