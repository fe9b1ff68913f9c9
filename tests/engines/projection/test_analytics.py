"""Scenario analytics: summary, sensitivity grid, breakeven, breach probability, repurchase
capacity, each checked against a figure worked by hand or a direct projection."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from model.engines.projection import (
    SHOCKS,
    ScenarioBlock,
    breach_probability,
    breakeven,
    project,
    random_paths,
    repurchase_capacity,
    sensitivity_grid,
    summary,
)
from model.errors import InputError
from model.terms import load
from tests.legacy import legacy_base

BASE = load(legacy_base())  # the base case as of 2008-03-31 (tests/fixtures)
STRESS = load("params/deals/ibasis/scenarios/stress-2008.yaml")
D = dt.date


def test_base_first_breaches_in_q4_2008_on_the_public_ebitda():
    # reference/ibasis-quarterly-public.csv: Adjusted EBITDA 2008-Q4 $8.1M, below the amended
    # Sec. 6.9(ii)(c) minimum of $10,000,000 from the quarter ending 2008-12-31
    s = summary(project(BASE)).loc["base"]
    assert (s["first_breach"], s["first_breach_covenant"]) == (
        D(2008, 12, 31),
        "consolidated_ebitda",
    )
    assert s["breach_quarters"] == 2  # Q4 2008 ($8.1M) and Q1 2009 ($9.7M); Q2 2009 $10.7M passes
    assert s["min_headroom_consolidated_ebitda"] == -1_900_000.0
    assert s["funding_gap"] == 0.0 and s["first_funding_gap"] is None


def test_the_grid_equals_projecting_each_shocked_copy_alone():
    g = sensitivity_grid(STRESS, ("revenue", [0, -0.15]), ("dso", [0, 10]))
    assert list(g.index) == [(0.0, 0.0), (0.0, 10.0), (-0.15, 0.0), (-0.15, 10.0)]
    one = ScenarioBlock.from_scenarios(STRESS)
    for (r, d), row in g.iterrows():
        shocked = SHOCKS["dso"].apply(SHOCKS["revenue"].apply(one, np.array([r])), np.array([d]))
        alone = summary(project(shocked)).iloc[0]
        assert row["first_breach"] == alone["first_breach"]
        assert row["min_liquidity"] == alone["min_liquidity"]
        assert row["peak_revolver"] == alone["peak_revolver"]
        assert row["funding_gap"] == alone["funding_gap"]
    # a forecast as of 2008-03-31 is shocked from its first quarter (all it knows is the
    # opening): 10 more days of DSO widen the gap the Event of Default leaves (the Bank lends
    # nothing from 2008-11-14); 15% less revenue ties up fewer receivables and narrows it
    base_gap = g.loc[(0.0, 0.0), "funding_gap"]
    assert base_gap == 20_868_130.34
    assert g.loc[(0.0, 10.0), "funding_gap"] > base_gap > g.loc[(-0.15, 0.0), "funding_gap"]


def test_breakeven_ebitda_of_the_base_case_is_the_q4_2008_shortfall():
    b = breakeven(BASE, "ebitda")
    # the binding quarter is 2008-Q4: EBITDA $8.1M against $10M needs x 10/8.1 = 1.2345679,
    # a "decline" of -23.45679% (a rise); bisection to 0.01%
    best, fail = b.loc["consolidated_ebitda", ["breakeven_decline", "first_failing_decline"]]
    assert fail - best <= 1e-4
    assert best <= -(10 / 8.1 - 1) + 1e-9 < fail + 1e-9
    assert b.loc["any", "breakeven_decline"] == best
    # a level the documents leave blank is not tested: no breakeven, and it says why
    assert np.isnan(b.loc["adjusted_quick_ratio", "breakeven_decline"])
    assert b.loc["adjusted_quick_ratio", "first_breach_beyond"].startswith("not tested")
    # only the covenants of the versions that govern the projected quarters are searched
    assert "borrower_ebitda" not in b.index
    # at the breakeven the projection passes; just beyond it, it breaches
    one = ScenarioBlock.from_scenarios(BASE)
    at = summary(project(SHOCKS["ebitda"].apply(one, np.array([-best]))))
    beyond = summary(project(SHOCKS["ebitda"].apply(one, np.array([-fail]))))
    assert at["first_breach"].iloc[0] is None and beyond["first_breach"].iloc[0] is not None


def test_breach_probability_is_seeded_and_its_interval_holds_the_estimate():
    a = breach_probability(STRESS, 400, seed=7)
    b = breach_probability(STRESS, 400, seed=7)
    assert a.equals(b)
    assert ((a["low_95"] <= a["probability"]) & (a["probability"] <= a["high_95"])).all()
    assert (a["paths"] == 400).all()
    any_ = a.xs("any", level="covenant")
    assert (
        any_["probability"] >= a.xs("consolidated_ebitda", level="covenant")["probability"]
    ).all()


def test_without_volatility_every_path_is_the_scenario():
    block = random_paths(BASE, 5, seed=1, growth_volatility=0, margin_volatility=0)
    assert np.array_equal(block.drivers["revenue"][0], block.drivers["revenue"][4])
    p = breach_probability(BASE, 5, seed=1, growth_volatility=0, margin_volatility=0)
    q4 = p.loc[(D(2008, 12, 31), "consolidated_ebitda"), "probability"]
    q3 = p.loc[(D(2008, 9, 30), "consolidated_ebitda"), "probability"]
    assert (q4, q3) == (1.0, 0.0)


def _stress_passing_q4() -> ScenarioBlock:
    """stress-2008 (as of 2008-03-31) with EBITDA of $12.7M in 2008-Q2, $10.3M in 2008-Q3
    and $10.5M from 2008-Q4, above the levels of Sec. 6.9(ii) ($7.5M, $9.0M, $10M), so the
    quarter after 2008-Q3 passes (the look-forward of Sec. 7.7(b)(v)(B) lets a 2008-Q3
    repurchase through when nothing else fails), while its receivables squeeze keeps
    liquidity below $20M in 2008-Q3."""
    block = ScenarioBlock.from_scenarios(STRESS)
    ebitda = np.full_like(np.array(block.drivers["ebitda"]), 10_500_000)
    ebitda[0, :2] = [12_700_000, 10_300_000]
    return block.shocked(replace_with={"ebitda": ebitda})


def test_repurchase_capacity_under_stress_is_bound_by_the_cash_flow_covenant():
    # 2008-Q3: liquidity falls below $20M, so Sec. 6.9(iii) springs. Cash Flow =
    # 0.375 x EBITDA 10,300,000 (3,862,500) - unfunded capex 600,000 - taxes paid 100,000 -
    # distributions (repurchases count, an assumption of the compliance file) >= 2,000,000:
    # the largest repurchase is 3,862,500 - 700,000 - 2,000,000 = 1,162,500
    c = repurchase_capacity(_stress_passing_q4(), "2008-09-30")
    assert c["capacity"] == 1_162_500.0
    assert c["binding"] == "covenant borrower_cash_flow"
    assert c["not_confirmed"] == "adjusted_quick_ratio"


def test_repurchase_capacity_looks_forward_one_reporting_period():
    # Sec. 7.7(b)(v)(B): no repurchase when a Default 'would be substantially likely to exist
    # under Section 6.9 for the next succeeding financial reporting period'. The base case
    # breaches Sec. 6.9(ii) in 2008-Q4 ($8.1M < $10M) without any repurchase: nothing in
    # 2008-Q3. In 2008-Q2 the next quarter (EBITDA $10.3M >= $9.0M) passes and liquidity
    # stays far above $20M after $15M of repurchases: the basket binds.
    c = repurchase_capacity(BASE, "2008-09-30")
    assert (c["capacity"], c["basket_remaining"]) == (0.0, 15_000_000.0)
    assert c["binding"] == (
        "a covenant breach projected for the next reporting period, the quarter ending "
        "2008-12-31, without any repurchase (a Default substantially likely)"
    )
    c = repurchase_capacity(BASE, "2008-06-30")
    assert (c["capacity"], c["basket_remaining"]) == (15_000_000.0, 15_000_000.0)
    assert c["binding"] == "the repurchase basket (Sec. 7.7(b)(v))"


def test_no_repurchase_while_an_event_of_default_continues():
    # the base case breaches Sec. 6.9(ii) in 2008-Q4 ($8.1M < $10M): an Event of Default that
    # continues (the scenario's lender enforces), so Sec. 7.7(b)(v)(B) permits no
    # repurchase in 2009-Q3
    c = repurchase_capacity(BASE, "2009-09-30")
    assert c["capacity"] == 0.0
    # 2008-12-31 + 45 days: the Event of Default continues at the quarter end
    assert c["binding"] == "an Event of Default continues at the quarter end (from 2009-02-14)"
    # the upside repurchases $2.5M in 2009-Q3 itself: $12.5M of the $15M basket is left;
    # its reported 2008-Q4 default was waived on 2009-03-31 (its lender: waive)
    upside = repurchase_capacity(load("params/deals/ibasis/scenarios/upside.yaml"), "2009-09-30")
    assert (upside["capacity"], upside["basket_remaining"]) == (12_500_000.0, 12_500_000.0)
    # the same scenario under enforce inherits the default: nothing
    enforced = load(
        "params/deals/ibasis/scenarios/upside.yaml",
        overrides={"lender": {"response": {"value": "enforce", "assumption": "test"}}},
    )
    c = repurchase_capacity(enforced, "2009-09-30")
    assert (c["capacity"], c["binding"]) == (
        0.0,
        "an Event of Default continues at the quarter end (inherited from the reported quarters)",
    )


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: sensitivity_grid(BASE, ("revenu", [0]), ("dso", [0])), "did you mean 'revenue'"),
        (lambda: sensitivity_grid(BASE, ("revenue", []), ("dso", [0])), "at least one value"),
        (
            lambda: sensitivity_grid(BASE, ("revenue", [-1.5]), ("dso", [0])),
            r"drivers\[revenue\]: .* is outside",
        ),
        (lambda: breakeven(BASE, "cash"), "unknown value 'cash'"),
        (lambda: breakeven(BASE, tolerance=0), "tolerance"),
        (lambda: breach_probability(BASE, 0), "n: must be a whole number"),
        (lambda: breach_probability(BASE, 10, correlation=2), "correlation"),
        (lambda: repurchase_capacity(BASE, "2011-03-31"), "not a quarter of the projection"),
        (lambda: repurchase_capacity([BASE, BASE], "2008-09-30"), "give one scenario"),
        # scenarios projected together share their opening date: the forecast as of
        # 2008-03-31 and the legacy base do, the rebased base (2009-06-30) does not
        (
            lambda: project([load("params/deals/ibasis/scenarios/base.yaml"), STRESS]),
            "differs from 'base' in opening.date",
        ),
    ],
)
def test_bad_arguments_are_named(call, match):
    with pytest.raises(InputError, match=match):
        call()
