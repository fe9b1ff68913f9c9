"""Liquidity and its triggers: cash dominion thresholds one cent below, agings reports under
both readings of "and/or", the springing covenant, bad input (model.engines.facility.triggers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from model.engines.facility.triggers import liquidity, liquidity_triggers
from model.errors import InputError
from model.terms import load

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
FAC_SUM = load(
    "params/deals/ibasis/facilities/svb-loan-agreement.yaml",
    overrides={"amendments.0.changes.triggers.agings_measure.value": "sum"},
)
D = dt.date

CD = "Loan Agreement Sec. 6.3(c)"
CASH_DOMINION = [
    (D(2008, 4, 27), 15_000_000, CD + " original proviso ($15M)"),
    (D(2008, 4, 28), 10_000_000, CD + " as amended, (a) from the Execution Date"),
    (D(2008, 4, 29), 10_000_000, CD + " (a)"),
    (D(2008, 5, 29), 10_000_000, CD + " (a)"),
    (D(2008, 5, 30), 10_000_000, CD + " (a) ending on May 30, 2008"),
    (D(2008, 5, 31), 15_000_000, CD + " (b) beginning on May 31, 2008"),
    (D(2008, 6, 1), 15_000_000, CD + " (b)"),
    (D(2008, 8, 29), 15_000_000, CD + " (b)"),
    (D(2008, 8, 30), 15_000_000, CD + " (b) ending on August 30, 2008"),
    (D(2008, 8, 31), 20_000_000, CD + " (c) beginning on August 31, 2008"),
    (D(2008, 9, 1), 20_000_000, CD + " (c) and thereafter"),
]


@pytest.mark.parametrize("day, threshold, source", CASH_DOMINION)
def test_cash_dominion_thresholds(day, threshold, source):
    thr = Decimal(threshold)
    # "no less than": at the threshold, no dominion (cash and availability both above the
    # $15M agings trigger so the reading of 6.2(a)(ix) does not matter here)
    at = liquidity_triggers(FAC, day, cash=thr, availability=0)
    below = liquidity_triggers(FAC, day, cash=thr - Decimal("0.01"), availability=0)
    assert at.cash_dominion_threshold == thr
    assert not at.cash_dominion and below.cash_dominion


@pytest.mark.parametrize(
    "day, agings, springs, cov, dominion_at_15m",
    [  # original 6.9(iii) ($15M), no 6.2(a)(ix); amended: agings $15M, 6.9(iii) $20M
        (D(2008, 4, 27), None, 15_000_000, "borrower_ebitda", False),  # 6.3(c) original $15M
        (D(2008, 4, 28), 15_000_000, 20_000_000, "borrower_cash_flow", False),  # 6.3(c)(a) $10M
        (D(2008, 9, 1), 15_000_000, 20_000_000, "borrower_cash_flow", True),  # 6.3(c)(c) $20M
        (D(2009, 6, 30), 15_000_000, 20_000_000, "borrower_cash_flow", True),
    ],
)
def test_other_triggers(day, agings, springs, cov, dominion_at_15m):
    t = liquidity_triggers(FAC, day, cash=Decimal(14_999_999), availability=0)
    assert t.agings_threshold == (None if agings is None else Decimal(agings))
    assert t.agings_reports_required is (agings is not None)
    assert t.cash_flow_threshold == Decimal(springs) and t.cash_flow_covenant_springs
    assert t.cash_flow_covenant_id == cov
    hi = liquidity_triggers(FAC, day, cash=Decimal(springs), availability=Decimal(springs))
    assert not hi.cash_flow_covenant_springs and not hi.agings_reports_required
    # liquidity exactly $15M on this case's own date: springs only where the threshold is $20M
    mid = liquidity_triggers(FAC_SUM, day, cash=Decimal(15_000_000), availability=0)
    assert mid.cash_flow_covenant_springs is (springs > 15_000_000)
    assert not mid.agings_reports_required  # "less than": 15M is not below 15M
    assert mid.cash_dominion is dominion_at_15m


# Sec. 6.2(a)(ix): "cash ... at Bank and/or the Availability Amount ... less than $15,000,000"
AGINGS = [  # cash, availability, either (default reading), sum
    (12_000_000, 30_000_000, True, False),  # cash below: "or" bites, the sum does not
    (30_000_000, 14_999_999, True, False),
    (15_000_000, 15_000_000, False, False),
    (7_000_000, 7_999_999, True, True),  # sum 14,999,999
    (0, 0, True, True),
]


@pytest.mark.parametrize("cash, avail, either, total", AGINGS)
def test_agings_measure_readings(cash, avail, either, total):
    day = D(2008, 6, 15)
    t = liquidity_triggers(FAC, day, cash=cash, availability=avail)
    assert t.agings_measure == "either" and t.agings_reports_required is either
    assert "reading 'either'" in t.agings_rule
    s = liquidity_triggers(FAC_SUM, day, cash=cash, availability=avail)
    assert s.agings_measure == "sum" and s.agings_reports_required is total
    assert "reading 'sum'" in s.agings_rule
    # the sum reading can be asked with liquidity alone
    assert liquidity_triggers(FAC_SUM, day, cash + avail).agings_reports_required is total


def test_agings_measure_is_a_labelled_assumption():
    m = FAC.version("first_modification").triggers.agings_measure
    assert m.value == "either" and m.is_assumption and "and/or" in m.assumption
    assert FAC.version("original").triggers.agings_measure is None


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (
            (12_000_000,),
            {},
            r"liquidity_triggers on 2008-06-15: the agings test with triggers.agings_measure "
            r"'either'.*needs cash and availability separately",
        ),
        ((-1,), {}, r"liquidity on 2008-06-15: must not be negative \(got -1\)"),
        ((), {"cash": -5, "availability": 1}, r"cash on 2008-06-15: must not be negative"),
        ((), {"cash": 5, "availability": -1}, r"availability on 2008-06-15: must not be negative"),
        ((), {"cash": 5}, "give both cash and availability, or neither"),
        ((), {}, "give liquidity, or cash and availability"),
        (
            (10,),
            {"cash": 5, "availability": 6},
            r"liquidity on 2008-06-15: 10.00 is not cash \(5.00\) plus availability \(6.00\)",
        ),
        ((True,), {}, "liquidity on 2008-06-15: a yes/no value is not an amount: True"),
    ],
)
def test_liquidity_triggers_bad_input(args, kwargs, message):
    with pytest.raises(InputError, match=message):
        liquidity_triggers(FAC, D(2008, 6, 15), *args, **kwargs)


def test_negative_liquidity_refused_in_original_version():
    with pytest.raises(InputError, match="liquidity on 2008-04-01: must not be negative"):
        liquidity_triggers(FAC, D(2008, 4, 1), -100)


def test_event_of_default_forces_cash_dominion():
    t = liquidity_triggers(
        FAC, D(2008, 6, 1), cash=10**9, availability=10**9, event_of_default=True
    )
    assert t.cash_dominion


def test_liquidity_is_cash_plus_availability():
    assert liquidity(1, 2) == 3
