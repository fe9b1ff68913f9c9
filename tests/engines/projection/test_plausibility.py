"""Plausibility checks: warnings, never errors, with thresholds as data (the scenario's
``plausibility:`` block) and the drivers behind each warning named."""

from __future__ import annotations

from decimal import Decimal

import pytest

from model.engines.projection import plausibility, project
from model.terms import load
from model.terms.scenarios import Plausibility

BASE = "params/deals/ibasis/scenarios/base.yaml"


@pytest.fixture(scope="module")
def base_warnings():
    return plausibility(project(load(BASE))).set_index("check")


def test_the_base_case_warns_of_capex_taxes_and_cash(base_warnings):
    w = base_warnings
    # capex: 500,000 a quarter x 6 = 3,000,000; D&A (4,500,000 + 4,000,000) x 6 = 51,000,000
    assert "Capital expenditures of $3,000,000" in w.loc["capex_vs_da", "message"]
    assert "6% of depreciation and amortization ($51,000,000)" in w.loc["capex_vs_da", "message"]
    assert (
        w.loc["capex_vs_da", "drivers"]
        == "capex_unfunded, capex_funded, depreciation, amortization"
    )
    # taxes: 100,000 paid against 1,200,000 expensed a quarter, 6 quarters
    assert "$600,000 are 8% of the $7,200,000" in w.loc["taxes_paid_vs_expensed", "message"]
    # EBITDA 11,800,000 x 6 = 70,800,000; cash from 20,000,000 (reported) to 57,430,702
    assert "Cash grows by $37,430,702" in w.loc["cash_build_vs_ebitda", "message"]
    assert "53% of the cumulative EBITDA of $70,800,000" in w.loc["cash_build_vs_ebitda", "message"]
    # the facility file's margin over prime is 0 (not in the documents: an assumption)
    assert "0.00%" in w.loc["margin_over_base_rate", "message"]
    # 49 days against 130,000,000 x 91 / 241,300,000 = 49 implied: inside 15 days
    assert "dso_vs_opening" not in w.index


def test_thresholds_are_data_a_scenario_can_override():
    loose = {
        "plausibility": {
            "min_capex_to_da": {"value": "0.05", "assumption": "test"},
            "min_taxes_paid_to_expensed": {"value": "0.05", "assumption": "test"},
            "max_cash_build_to_ebitda": {"value": "0.9", "assumption": "test"},
            "max_dso_change_days": {"value": "15", "assumption": "test"},
            "min_margin": {"value": "-0.01", "assumption": "test"},
        }
    }
    # a scenario's `plausibility:` block is read as these terms (ScenarioTerms.plausibility)
    t = Plausibility.model_validate(loose["plausibility"])
    assert t.min_capex_to_da.value == Decimal("0.05")
    w = plausibility(project(load(BASE)), t)
    assert list(w["check"]) == []  # 6% > 5%, 8% > 5%, 53% < 90%, margin 0 > -1%


def test_a_slower_collection_path_is_named():
    s = load(BASE, overrides={"drivers.dso_domestic.value": 70})
    dso = plausibility(project(s)).query("check == 'dso_vs_opening'")
    # opening receivables 130,000,000 over 2009-Q2 revenue 241,300,000 x 91 days = 49 days;
    # 70 domestic days from the first quarter is 21 more, beyond 15
    assert dso["message"].tolist() == [
        "Days of domestic sales outstanding of 70 in the quarter ending 2009-09-30 against 49 "
        "implied by the opening receivables."
    ]
    assert dso["drivers"].tolist() == ["dso_domestic, dso_foreign"]
