"""What an Event of Default does in the projection (the facility's ``events_of_default``
terms; the engine docstring, "An Event of Default"), and the exact integer arithmetic at
the drivers' bounds.

A failed covenant test becomes an Event of Default on the day its Compliance Certificate
is due: stress-2008 (a forecast as of 2008-03-31) first fails for the quarter ended
2008-09-30 (Borrower Cash Flow), due 2008-09-30 + 45 days = 2008-11-14 (Exhibit B,
"Quarterly within 45 days").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from model.engines.projection import ScenarioBlock, project, reported_quarters
from model.errors import ModelError
from model.terms import load

try:  # tests/ is not a package: pytest puts this folder on sys.path
    from reference import reference_projection
    from test_reference import assert_engine_matches_reference
except ImportError:  # pragma: no cover - if tests/ becomes a package
    from tests.engines.projection.reference import reference_projection
    from tests.engines.projection.test_reference import assert_engine_matches_reference

D = dt.date
STRESS = "params/deals/ibasis/scenarios/stress-2008.yaml"
DUE_Q3_2008 = D(2008, 11, 14)  # 2008-09-30 + 45 days
WAIVER = {
    "lender": {
        "response": {"value": "waive", "assumption": "test: the bank waives"},
        "waiver_date": {"value": "2009-06-30", "assumption": "test"},
        "waiver_fee": {"value": 100000, "assumption": "test: a waiver fee"},
    }
}


@pytest.fixture(scope="module")
def enforced() -> Any:
    return project(load(STRESS))


def test_a_failed_test_is_an_event_of_default_from_the_day_its_certificate_is_due(
    enforced: Any,
) -> None:
    d = enforced.daily(0)
    eod = d.index[d["event_of_default"]]
    assert eod[0].date() == DUE_Q3_2008  # first breach: 2008-09-30
    assert eod[-1].date() == D(2010, 12, 31)  # enforced: it continues to the horizon's end
    assert len(eod) == (D(2010, 12, 31) - DUE_Q3_2008).days + 1
    q = enforced.quarters.xs("stress-2008", level="scenario")
    # 2008-11-14 to 2008-12-31: 17 days of November and 31 of December; then every day
    assert q.loc[D(2008, 12, 31), "days_in_default"] == 48
    assert q.loc[D(2009, 3, 31), "days_in_default"] == 90
    assert q.loc[D(2008, 9, 30), "days_in_default"] == 0


def test_while_it_continues_the_bank_lends_nothing_and_sweeps_collections(
    enforced: Any,
) -> None:
    d = enforced.daily(0)
    after = d[d.index >= str(DUE_Q3_2008)]
    assert (after["draw"] == 0).all()
    assert (after["availability"] == 0).all()
    assert (after["liquidity"] == after["cash"]).all()
    assert after["cash_dominion"].all()
    # collections above the minimum cash repay the revolver: it is paid down to nil
    assert after["outstanding"].iloc[-1] == 0
    before = d[d.index < str(DUE_Q3_2008)]
    assert (before["availability"] > 0).any()


def test_default_interest_adds_the_default_margin(enforced: Any) -> None:
    # March 2009 lies wholly in the default: each day accrues on its end-of-day balance at
    # the base rate + the margin + 5% (the facility's default_rate_margin, an assumption),
    # ACT/360; the month's interest is the exact sum, rounded once to the cent. The
    # over-advance is nil from 2009-03-01 (clause (c)), so there is one tranche.
    d = enforced.daily(0).loc["2009-03-01":"2009-03-31"]
    terms = load(STRESS).facility.terms_as_of(D(2009, 3, 15))
    margin = Fraction(terms.interest.margin.value)
    default_margin = Fraction(terms.events_of_default.default_rate_margin.value)
    assert default_margin == Fraction(5, 100)
    assert (d["over_advance_used"] == 0).all() and d["event_of_default"].all()
    exact = sum(
        Fraction(round(o * 100)) * (Fraction(str(r)) + margin + default_margin) / 360
        for o, r in zip(d["outstanding"], d["base_rate"], strict=True)
    )
    march = enforced.blocks[0].run.monthly["interest_accrued"][0, 11]  # April 2008 is month 0
    assert enforced.blocks[0].run.grid.month_ends[11] == D(2009, 3, 31)
    assert march == int(exact + Fraction(1, 2)) > 0
    without = sum(
        Fraction(round(o * 100)) * (Fraction(str(r)) + margin) / 360
        for o, r in zip(d["outstanding"], d["base_rate"], strict=True)
    )
    assert march > without


def test_distributions_are_blocked_while_it_continues() -> None:
    # stress-2008 with $2.5M of repurchases planned every quarter end: paid in 2008-Q2 and
    # Q3 (no default yet), blocked from 2008-Q4 (the default began 2008-11-14) and recorded
    block = ScenarioBlock.from_scenarios(load(STRESS))
    block = block.shocked(replace_with={"repurchases": np.full((1, 11), 2_500_000.0)})
    p = project(block)
    q = p.quarters.xs("stress-2008", level="scenario")
    daily = p.daily(0)
    for quarter, row in q.iterrows():
        if bool(daily.loc[str(quarter), "event_of_default"]):
            assert (row["repurchases"], row["distributions_blocked"]) == (0.0, 2_500_000.0)
        else:
            assert (row["repurchases"], row["distributions_blocked"]) == (2_500_000.0, 0.0)
    assert list(q["repurchases"][:2]) == [2_500_000.0, 2_500_000.0]
    assert q["distributions_blocked"].sum() == 9 * 2_500_000.0


def test_a_waiver_ends_the_default_on_its_day_for_its_fee() -> None:
    waived = project(load(STRESS, overrides=WAIVER))
    d = waived.daily(0)
    eod = d["event_of_default"]
    assert eod[str(DUE_Q3_2008) : "2009-06-30"].all()  # enforced until the waiver
    assert not eod["2009-07-01":"2009-08-13"].any()
    # the quarter ended 2009-06-30 fails too, and its certificate is due after the waiver
    # (2009-08-14): a new Event of Default, enforced
    assert eod["2009-08-14":].all()
    assert d.loc["2009-06-30", "fees_paid"] == 100_000.0
    q = waived.quarters.xs("stress-2008", level="scenario")
    assert q.loc[D(2009, 6, 30), "days_in_default"] == 91  # April, May and June
    assert q.loc[D(2009, 9, 30), "days_in_default"] == 48  # 2009-08-14 to 09-30: 18 + 30


def test_the_reference_models_the_waiver_too() -> None:
    block = ScenarioBlock.from_scenarios(load(STRESS, overrides=WAIVER))
    assert_engine_matches_reference(block)


@pytest.mark.parametrize(
    ("lender", "words"),
    [
        ({"response": {"value": "waive", "assumption": "x"}}, "needs waiver_date and waiver_fee"),
        (
            {
                "response": {"value": "enforce", "assumption": "x"},
                "waiver_fee": {"value": 1, "assumption": "x"},
            },
            "takes no waiver_fee",
        ),
        ({"response": {"value": "forgive", "assumption": "x"}}, "lender.response"),
    ],
)
def test_a_lender_response_that_does_not_add_up_is_refused(
    lender: dict[str, Any], words: str
) -> None:
    with pytest.raises(ModelError) as info:
        load(STRESS, overrides={"lender": lender})
    text = str(info.value)
    assert "params/deals/ibasis/scenarios/stress-2008.yaml" in text and words in text


def test_a_facility_without_default_terms_cannot_be_projected() -> None:
    scenario = load(STRESS)
    fac = load(
        "params/deals/ibasis/facilities/svb-loan-agreement.yaml",
        overrides={"original.events_of_default": None},
    )
    block = ScenarioBlock.from_scenarios(scenario)
    with pytest.raises(ModelError, match="events_of_default"):
        project(dataclasses.replace(block, facility=fac))


def test_products_at_the_drivers_bounds_are_exact() -> None:
    # $1,000,000,000,000 of revenue a quarter (the bound of DRIVERS), 365 days of sales
    # outstanding, nothing ineligible: receivables x eligible share would be 4.4e20 as one
    # product, beyond int64. The engine splits it (model.engines.projection.engine.scaled)
    # and agrees with the reference's exact Fractions.
    over = {
        "horizon_quarters.value": 1,
        "drivers.revenue": {"value": 1_000_000_000_000, "assumption": "test: the bound"},
        "drivers.ebitda": {"value": 30_000_000, "assumption": "test"},
        "drivers.dso_domestic.value": 365,
        "drivers.dso_foreign.value": 365,
        "drivers.ineligible_domestic.value": 0,
        "drivers.ineligible_foreign.value": 0,
        "drivers.payables_days.value": 365,
    }
    scenario = load("params/deals/ibasis/scenarios/base.yaml", overrides=over)
    p = project(scenario)
    ref = reference_projection(scenario, with_covenants=False)
    run = p.blocks[0].run
    for k, m in enumerate(ref.months):
        for name in ("receivables_domestic", "receivables_foreign", "payables"):
            assert run.monthly[name][0, k] == m.balances[name], name
        for name in ("eligible_domestic", "eligible_foreign"):
            assert run.monthly[name][0, k] == m.balances[name] > 0, name
    # July 2009: domestic revenue 40% of 333,333,333,333.33 = 133,333,333,333.33;
    # x 365 / 31 days = 1,569,892,473,118.2435... -> 1,569,892,473,118.24 (cents
    # 156,989,247,311,824), all eligible
    assert run.monthly["receivables_domestic"][0, 0] == 156_989_247_311_824
    assert np.all(run.monthly["eligible_domestic"][0] % 100 == 0)  # whole dollars


def test_a_waiver_on_a_day_without_other_events_ends_the_default_that_day() -> None:
    # 2009-03-10 is no month end, certificate day or change of terms: the default must still
    # end with that day (the day after it is an event day of its own), as the reference has it
    over = {
        "lender": {
            "response": {"value": "waive", "assumption": "test"},
            "waiver_date": {"value": "2009-03-10", "assumption": "test"},
            "waiver_fee": {"value": 100000, "assumption": "test"},
        }
    }
    block = ScenarioBlock.from_scenarios(load(STRESS, overrides=over))
    d = project(block).daily(0)
    assert d.loc["2009-03-10", "event_of_default"] and not d.loc["2009-03-11", "event_of_default"]
    assert d.loc["2009-03-10", "fees_paid"] == 100_000.0
    assert_engine_matches_reference(block)


BASE = "params/deals/ibasis/scenarios/base.yaml"
ENFORCE = {"lender": {"response": {"value": "enforce", "assumption": "test"}}}


def test_a_reported_default_is_inherited_unless_it_was_waived() -> None:
    # the reported 2008-12-31 quarter fails the Cash Flow test (03's history): an Event of
    # Default from 2009-02-14, before the base case opens (2009-06-30)
    enforced = load(BASE, overrides=ENFORCE)
    # the ledger and the covenant history of the reported quarters are computed once per
    # loaded scenario, whoever asks (the block, the timeline, the analytics)
    assert reported_quarters(enforced) is reported_quarters(enforced)
    block = ScenarioBlock.from_scenarios(enforced)
    assert block.reported_defaults == (D(2009, 2, 14),)
    p = project(block)
    q = p.quarters.xs("base", level="scenario")
    assert q.loc[D(2009, 9, 30), "days_in_default"] == 92  # every day of the first quarter
    assert (p.daily(0)["availability"] == 0).all()
    assert_engine_matches_reference(block)
    # the shipped base case takes it as waived on 2009-03-31 (a labelled assumption)
    shipped = project(load(BASE))
    assert shipped.quarters["days_in_default"].sum() == 0


def test_only_what_the_forecast_knows_is_left_unshocked() -> None:
    # the base case opens at the last reported quarter: every forecast quarter is shocked;
    # the forecast as of 2008-03-31 knows nothing after its opening, though the actuals report
    # five of its quarters
    base = ScenarioBlock.from_scenarios(load(BASE))
    stress = ScenarioBlock.from_scenarios(load(STRESS))
    assert base.known_through == D(2009, 6, 30) and base.unknown().all()
    assert stress.known_through == D(2008, 3, 31) and stress.unknown().all()
