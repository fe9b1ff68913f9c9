"""Oracles (a) and (c) of the projection.

(a) Fed the projection's own certificates, cash, draws and base rate path, the step-2 daily
    ledger (facility_ledger) gives the same daily balances, availability, liquidity,
    triggers and monthly interest, to the cent.
(c) The projected covenant results equal evaluate_covenants on the same projected line
    items and daily liquidity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.engines.covenants import evaluate_covenants
from model.engines.facility import facility_ledger, monthly_interest
from model.engines.projection import ScenarioBlock, project
from model.terms import load

SCENARIOS = ["base", "downside", "upside", "stress-2008"]
LOADED = {n: load(f"params/deals/ibasis/scenarios/{n}.yaml") for n in SCENARIOS}


def _variants(name: str) -> ScenarioBlock:
    """The scenario as shipped, and harsher copies that put the balance over a step-down,
    into cash dominion and into funding gaps."""
    b = ScenarioBlock.from_scenarios(LOADED[name]).repeat(4)
    return b.shocked(
        scale={"revenue": [1, 1, 0.7, 1.2], "ebitda": [1, 0.5, 0.7, 1.2]},
        add={
            "dso_domestic": [0, 15, 25, -10],
            "dso_foreign": [0, 15, 25, -10],
            "ineligible_domestic": [0, 0.1, 0.2, 0],
        },
        replace_with={
            "minimum_cash": [[10e6], [5e6], [8e6], [10e6]],
            "repay_above": [[20e6], [6e6], [10e6], [40e6]],
        },
    )


def _ledger(p, i):
    inp = p.ledger_inputs(i)
    fac = p.blocks[0].run.block.facility
    return facility_ledger(
        fac,
        inp["start"],
        inp["end"],
        receivables=inp["receivables"],
        cash=inp["cash"],
        rate_path=inp["rate_path"],
        draws=inp["draws"],
        opening_balance=inp["opening_balance"],
        allow_opening_over_limit=True,
    )


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_the_daily_ledger_replays_the_projection_to_the_cent(name):
    p = project(_variants(name))
    for i in range(4):
        led, day = _ledger(p, i), p.daily(i)
        # the ledger knows no Event of Default: on its days the bank lends nothing, so the
        # projection's availability is nil, liquidity is cash and collections are swept
        eod = day["event_of_default"].to_numpy()
        assert (day["availability"].to_numpy()[eod] == 0).all()
        assert (day["liquidity"].to_numpy()[eod] == day["cash"].to_numpy()[eod]).all()
        assert day["cash_dominion"].to_numpy()[eod].all()
        for ours, theirs in [
            ("outstanding", "outstanding"),
            ("limit", "limit"),
            ("availability", "availability"),
            ("liquidity", "liquidity"),
            ("cash", "cash"),
            ("over_advance_used", "over_advance"),
            ("excess", "excess_over_limit"),
        ]:
            mask = ~eod if ours in ("availability", "liquidity") else np.ones_like(eod)
            diff = np.abs(day[ours].to_numpy() - led[theirs].to_numpy())[mask]
            assert diff.max(initial=0) < 0.005, (name, i, ours)
        for flag in ("cash_dominion", "agings_reports_required", "cash_flow_covenant_springs"):
            same = day[flag].to_numpy() == led[flag].to_numpy()
            assert same[~eod].all(), (name, i, flag)
        paid = monthly_interest(led)["interest_total"].astype(float).to_numpy()
        assert np.array_equal(paid, p.blocks[0].run.monthly["interest_accrued"][i] / 100.0), (
            name,
            i,
        )
        # the variants do reach the interesting states
    q = p.quarters
    assert q["days_cash_dominion"].sum() > 0
    assert (q["forced_repayment"] > 0).any() or name == "upside"


def test_a_covers_a_funding_gap_and_a_forced_repayment():
    p = project(_variants("stress-2008"))
    assert p.funding_gaps["total"].max() > 0
    assert p.quarters["forced_repayment"].sum() > 0


@pytest.mark.parametrize("name", SCENARIOS)
def test_c_covenants_equal_evaluate_covenants_on_the_projected_line_items(name):
    p = project(_variants(name))
    fac = LOADED[name].facility
    compared = 0
    for i, scen in enumerate(p.scenarios):
        actuals, liquidity = p.line_items(i), p.daily(i)["liquidity"]
        for q in LOADED[name].quarter_ends:
            want = evaluate_covenants(fac, q, actuals, liquidity=liquidity)
            for cid, row in want.iterrows():
                got = p.covenants.loc[(scen, q, cid)]
                assert got["status_code"] == row["status_code"], (scen, q, cid)
                assert got["actual"] == float(row["actual"]), (scen, q, cid)
                assert bool(got["applies"]) == bool(row["applies"]), (scen, q, cid)
                assert got["threshold_kind"] == row["threshold_kind"], (scen, q, cid)
                req = row["required"]
                assert (np.isnan(got["required"]) and req is None) or got["required"] == float(req)
                if row["headroom"] is not None:
                    assert got["headroom"] == pytest.approx(float(row["headroom"]), abs=1e-6)
                compared += 1
    assert compared == 4 * len(LOADED[name].quarter_ends) * 3


def test_the_quarterly_table_is_tidy_and_complete():
    rebased = ["base", "downside", "upside"]  # one opening date (2009-06-30): one block
    p = project([LOADED[n] for n in rebased])
    assert p.quarters.index.names == ["scenario", "quarter_end"]
    assert len(p.quarters) == 3 * 6
    assert p.covenants.index.names == ["scenario", "quarter_end", "covenant"]
    assert list(p.funding_gaps.index) == rebased
    assert p.arrays["cash"].shape == (3, 6)
    assert isinstance(p.quarters, pd.DataFrame)
