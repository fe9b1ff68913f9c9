"""Any deal written in params/ works the same way: a second, fictitious deal written only in
YAML (params/deals/northwind: another borrower and bank, a revolving line, a maximum
leverage covenant and a minimum fixed charge coverage covenant, both on trailing four
quarters, with its own schedule and certificate) loads, evaluates and renders with no
change to code, and nothing of the embedded iBasis/SVB deal appears in its output."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

import model
from model import paths

DEAL = paths.ROOT / "params" / "deals" / "northwind"
FAC = model.load(DEAL / "facility.yaml")
ACTS = model.load(DEAL / "actuals.csv")
EMBEDDED_DEAL = re.compile(
    r"ibasis|silicon valley|\bsvb\b|kpn|exhibit b|6\.9|7\.7|first loan modification|symphony",
    re.IGNORECASE,
)


def test_the_deal_loads_with_its_own_parties_and_terms() -> None:
    assert (FAC.borrower, FAC.bank) == ("Northwind Logistics, Inc.", "Harbor Commercial Bank")
    assert FAC.terms_as_of("2019-06-30").line == Decimal("10000000")
    assert [c.id for c in FAC.version("original").covenants] == [
        "max_leverage",
        "min_fixed_charge_coverage",
    ]
    ACTS.check(FAC.compliance.line_items)


def test_trailing_four_quarter_covenants_sum_flows_and_take_balances_at_quarter_end() -> None:
    r = model.evaluate_covenants(FAC, "2019-12-31", ACTS)
    # leverage: funded debt at 2019-12-31 (9,500,000) / EBITDA over 2019-Q1..Q4
    # (1,300,000 + 600,000 + 520,000 + 1,020,000 = 3,440,000) = 2.7616 -> 2.76
    lev = r.loc["max_leverage"]
    assert (lev["required"], lev["actual"], lev["direction"]) == (
        Decimal("3.00"),
        Decimal("2.76"),
        "max",
    )
    assert (lev["headroom"], lev["status_code"]) == (Decimal("0.24"), "amber")
    # fixed charge coverage: (3,440,000 - 710,000 - 640,000) / (600,000 + 1,000,000) = 1.30625 -> 1.31
    fcc = r.loc["min_fixed_charge_coverage"]
    assert (fcc["required"], fcc["actual"], fcc["status_code"]) == (
        Decimal("1.25"),
        Decimal("1.31"),
        "amber",
    )
    assert set(r["measurement_period"]) == {"trailing_four_quarters"}
    assert set(r["threshold_kind"]) == {"documented"}


def test_a_quarter_without_four_quarters_of_history_names_the_missing_quarter() -> None:
    with pytest.raises(model.NotFoundError, match="quarter 2018-12-31 is not in the actuals"):
        model.evaluate_covenants(FAC, "2019-09-30", ACTS)


def test_the_version_rule_uses_the_deals_own_reporting_days() -> None:
    due, rule = model.governing_due_date(FAC, "2019-12-31")
    assert due.isoformat() == "2020-03-30"  # FYE + 90 days (the deal's annual statements)
    assert "quarter end + 50 days" in rule
    assert not EMBEDDED_DEAL.search(rule)


def test_the_schedule_follows_the_deals_lines() -> None:
    s = model.schedule_1(FAC, ACTS, "2019-12-31")
    assert list(s) == ["leverage_ratio", "fixed_charge_coverage", "excess_cash_flow"]
    # Excess Cash Flow, which no covenant tests, over its own period: the fiscal year 2019
    assert (
        s["excess_cash_flow"].period == "year_to_date" and len(s["excess_cash_flow"].quarters) == 4
    )
    assert s["leverage_ratio"].line("6").amount == Decimal("3440000")
    assert s["fixed_charge_coverage"].line("16").formula == "13 - 14 - 15"
    # the add-backs are capped at 20% of EBITDA before them, not below zero (none in 2019)
    assert s["leverage_ratio"].line("8").amount == Decimal("0.20")
    assert s["leverage_ratio"].line("9").amount == Decimal("688000.00")  # 3,440,000 x 0.20
    assert s["leverage_ratio"].line("11").formula == "9 max 10"
    assert s["leverage_ratio"].line("12").formula == "7 min 11"
    assert s["leverage_ratio"].line("12").amount == Decimal("0")
    assert s["fixed_charge_coverage"].value == Decimal("1.31")


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_its_certificate_renders_in_its_own_words_with_nothing_of_the_embedded_deal(
    fmt: str,
) -> None:
    q = "2019-12-31"
    results = model.evaluate_covenants(FAC, q, ACTS)
    text = model.render_certificate(
        FAC,
        results,
        model.schedule_1(FAC, ACTS, q),
        fmt=fmt,
        provenance=ACTS.provenance(q),
        certificate_date="2020-03-30",
        ip_registrations="None",
    )
    for words in (
        "Northwind Logistics, Inc.",
        "Harbor Commercial Bank",
        "OFFICER&#39;S COMPLIANCE CERTIFICATE"
        if fmt == "html"
        else "OFFICER'S COMPLIANCE CERTIFICATE",
        "Maximum Total Leverage Ratio",
        "Minimum Fixed Charge Coverage Ratio",
        "Schedule A to the Officer",
        "2.76",
        "1.31",
    ):
        assert words in text, words
    assert not EMBEDDED_DEAL.search(text), EMBEDDED_DEAL.search(text)
    # every figure of this deal is illustrative, and the certificate says so
    assert "ILLUSTRATIVE" in text
