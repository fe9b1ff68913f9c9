"""Formatting for people (model.reports.formatting): money, ratios and answers, golden
values; the compliance and comparison tables read the engine's codes, never its words."""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd
import pytest

from model import paths
from model.engines.covenants import STATUS, THRESHOLD_KINDS, compare_versions, evaluate_covenants
from model.reports.formatting import (
    answer_class,
    complies_word,
    describe_version_change,
    dollars,
    figure,
    format_comparison_table,
    format_compliance_table,
    headroom,
    money_table,
    ratio,
    required_text,
    usd,
)
from model.terms import load

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
ACTS = load("params/deals/ibasis/actuals/ibasis-2008.csv")


# --- finding 18: half-up cents -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected", "why"),
    [
        (Decimal("0.125"), "$0.13", "half up"),
        (Decimal("-0.125"), "($0.13)", "half away from zero, negatives in parentheses"),
        (Decimal("2.675"), "$2.68", "half up where binary floats round down"),
        (Decimal("-2100000"), "($2,100,000.00)", "parentheses, thousands separators"),
        (0, "$0.00", "zero with cents"),
        (None, "—", "missing"),
        (float("nan"), "—", "missing"),
        (pd.NA, "—", "missing"),
    ],
)
def test_usd(value, expected, why):
    assert usd(value) == expected, why


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("15000000"), "$15,000,000"), (Decimal("1.5"), "$1.50"), (Decimal("-0.004"), "$0")],
)
def test_dollars_as_the_agreements_write_them(value, expected):
    assert dollars(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1.125"), "1.13:1.00"),
        (Decimal("1.0598"), "1.06:1.00"),
        (Decimal("1.0549"), "1.05:1.00"),
        (1.0, "1.00:1.00"),
        (None, "____:1.00"),
    ],
)
def test_ratio_round_half_up(value, expected):
    assert ratio(value) == expected


def test_figures_by_unit():
    assert figure(Decimal("8000000"), "usd") == "$8,000,000.00"
    assert figure(Decimal("1.0598"), "ratio") == "1.06:1.00"
    assert headroom(Decimal("-0.19021"), "ratio") == "(0.1902)"
    assert headroom(Decimal("500000"), "usd") == "$500,000.00"
    assert headroom(None, "usd") == "—"
    assert required_text(None, "ratio", "documented") == "not provided"
    assert required_text(None, "usd", "none") == "—"


def test_every_status_code_has_an_answer():
    """Every code the engine can return is worded; the words follow the code."""
    words = {code: complies_word(code) for code in STATUS}
    assert words == {
        "complies": "Yes",
        "amber": "Yes",
        "breach": "No",
        "not_required": "Not required",
        "threshold_not_provided": "Threshold not provided",
        "no_threshold": "No threshold",
        "undefined": "No (cannot be computed)",
    }
    assert [answer_class(c) for c in STATUS] == ["yes", "yes", "no", "", "", "", "no"]
    assert answer_class("yes") == "yes" and answer_class("no") == "no" and answer_class("n/a") == ""
    assert set(THRESHOLD_KINDS) >= {"documented", "override", "user_input", "none"}


def test_compliance_table():
    res = evaluate_covenants(FAC, "2008-03-31", ACTS)
    t = format_compliance_table(res)
    assert t.loc["consolidated_ebitda"].to_dict() == {
        "required": "$7,500,000.00",
        "actual": "$8,000,000.00",
        "applies": "yes",
        "complies": "Yes",
        "headroom": "$500,000.00",
        "headroom_pct": "6.7%",
        "amber": "AMBER",
        "version": res.loc["consolidated_ebitda", "version"],
    }
    assert t.loc[
        "adjusted_quick_ratio", ["required", "actual", "complies", "headroom"]
    ].tolist() == [
        "not provided",
        "1.06:1.00",
        "Threshold not provided",
        "",
    ]


def test_tables_read_codes_not_sentences():
    """Rewording the engine's sentences changes nothing in a table."""
    res = evaluate_covenants(FAC, "2008-03-31", ACTS, version="original")
    reworded = res.assign(status="(reworded)", applies_reason="(reworded)")
    assert format_compliance_table(reworded).equals(format_compliance_table(res))
    side = compare_versions(FAC, "2008-03-31", ACTS)
    assert describe_version_change(FAC, side, "consolidated_ebitda", "2008-03-31").startswith(
        "Consolidated EBITDA"
    )


# --- finding 28: comparison table readable --------------------------------------------------------
def test_comparison_table_has_no_raw_missing_values():
    t = format_comparison_table(compare_versions(FAC, "2008-03-31", ACTS, liquidity=30e6))
    text = t.to_string()
    for raw in ("None", "NaN", "<NA>"):
        assert raw not in text, raw
    assert not re.search(r"\bnan\b", text)
    assert t.loc["adjusted_quick_ratio", ("original", "required")] == "not provided"
    assert t.loc["adjusted_quick_ratio", ("original", "actual")] == "1.06:1.00"
    assert t.loc["borrower_cash_flow", ("original", "required")] == "—"
    assert t.loc["consolidated_ebitda", ("original", "required")] == "$10,000,000.00"
    assert t.loc["consolidated_ebitda", ("original", "complies")] == "no"
    fields = list(dict.fromkeys(t.columns.get_level_values(1)))
    assert fields == ["required", "actual", "applies", "complies", "status", "headroom"]


# --- review: the "what the amendment changed" sentence is worded from the results -----------------
def test_describe_version_change_follows_the_results():
    side = compare_versions(FAC, "2008-03-31", ACTS)
    assert describe_version_change(FAC, side, "consolidated_ebitda", "2008-03-31") == (
        "Consolidated EBITDA for the quarter ended 2008-03-31 is $8,000,000.00: it fails the "
        "original $10,000,000.00 and passes the amended $7,500,000.00."
    )
    # other figures, other words: EBITDA $11,000,000 passes both levels
    items = dict(ACTS.quarter("2008-03-31"))
    items["net_income"] += 3_000_000
    side = compare_versions(FAC, "2008-03-31", items)
    assert describe_version_change(FAC, side, "consolidated_ebitda", "2008-03-31") == (
        "Consolidated EBITDA for the quarter ended 2008-03-31 is $11,000,000.00: it passes the "
        "original $10,000,000.00 and passes the amended $7,500,000.00."
    )
    assert "is not a covenant of the original terms" in describe_version_change(
        FAC, side, "borrower_cash_flow", "2008-03-31"
    )
    # the versions compared are named, or the first and last by default
    same = describe_version_change(
        FAC, side, "consolidated_ebitda", "2008-03-31", "original", "original"
    )
    assert same.endswith(
        "it passes the original $10,000,000.00 and passes the amended $10,000,000.00."
    )


def test_money_table():
    df = pd.DataFrame(
        {"coupon": [Decimal("1160000"), None], "days": [180, 181], "flag": [True, False]}
    )
    out = money_table(df)
    assert out["coupon"].tolist() == ["$1,160,000.00", None]
    assert out["days"].tolist() == [180, 181]
    assert money_table(df, ["days", "flag"])[["days", "flag"]].values.tolist() == [
        ["$180.00", True],
        ["$181.00", False],
    ]


def test_one_money_formatter():
    """Reports write money only through the one formatter, formatting.cell: no other module
    of model/reports formats a number as money itself."""
    folder = paths.ROOT / "model" / "reports"
    for f in sorted(folder.rglob("*.py")) + sorted(folder.rglob("*.j2")):
        if f.name == "formatting.py":
            continue
        text = f.read_text(encoding="utf-8")
        assert not re.search(r":,\.?\d*f\}|to_cents|\"\$\{|'\$\{", text), f.name
        assert "format_money" not in text, f.name


def test_the_certificate_style_and_the_tables_style_are_kinds_of_one_formatter():
    from model.reports.formatting import EXCEL_FORMATS, KINDS, cell

    assert cell(Decimal("-2100000"), "usd") == usd(Decimal("-2100000")) == "($2,100,000.00)"
    assert cell(Decimal("-2100000"), "usd_whole") == "($2,100,000)"
    assert cell(Decimal("1.25"), "ratio_form") == "1.25:1.00"
    assert cell(Decimal("1.25"), "ratio") == "1.25x"
    assert cell(Decimal("-0.05"), "ratio_diff") == "(0.0500)"
    # every numeric kind has its Excel number format, with negatives in parentheses
    numeric = {"usd", "usd_whole", "usd_terms", "percent", "ratio_diff", "int"}
    assert numeric <= set(EXCEL_FORMATS) <= set(KINDS)
    assert all("(" in EXCEL_FORMATS[k] for k in numeric)


def test_interest_basis_says_the_margin_is_an_assumption():
    import datetime as dt

    from model.engines.facility import interest_basis
    from model.reports.formatting import describe_interest_basis

    b = interest_basis(
        FAC, "2008-04-01", "2009-06-30", "params/deals/ibasis/scenarios/prime-rate-2007-2009.csv"
    )
    assert [x["version"] for x in b] == ["original", "first_modification"]
    assert [x["from"] for x in b] == [dt.date(2008, 4, 1), dt.date(2008, 4, 28)]
    assert all(x["margin_is_assumption"] for x in b)
    text = describe_interest_basis(b)
    assert (
        "base rate: prime path from params/deals/ibasis/scenarios/prime-rate-2007-2009.csv; margin 0.00% (ASSUMPTION: "
        in text
    )
    assert "over-advance tranche +1.25%" in text.splitlines()[1]
    assert "+1.25%" not in text.splitlines()[0]
