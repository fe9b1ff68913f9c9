"""The daily facility ledger: golden interest, refused draws, properties, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.facility import DrawRefusedError, FacilityInputError, exact_sum, to_cents
from model.ledger import (
    facility_ledger,
    interest_between,
    ledger_by_quarter,
    monthly_interest,
    read_dated_csv,
)
from model.params import load

FAC = load("params/facilities/svb-loan-agreement.yaml")
D = dt.date
REC = pd.DataFrame(
    {"date": ["2008-03-31"], "eligible_domestic": [25_000_000.0], "eligible_foreign": [0.0]}
)


def _ledger(start="2008-04-20", end="2008-06-10", **kw):
    args = {"receivables": REC, "cash": 10_000_000, "rate_path": "0.05"} | kw
    return facility_ledger(FAC, start, end, **args)


def test_columns_and_version_switch():
    led = _ledger(opening_balance=30_000_000)
    assert {"liquidity", "availability", "over_advance", "cash_dominion"} <= set(led.columns)
    assert led.loc["2008-04-27", "version"] == "original"
    assert led.loc["2008-04-28", "version"] == "first_modification"
    assert (
        led.loc["2008-04-27", "line"] == 35_000_000 and led.loc["2008-04-28", "line"] == 50_000_000
    )
    # 25M x 80% = 20M receivables base; before the amendment 30M is 10M over the limit
    assert led.loc["2008-04-27", "excess_over_limit"] == 10_000_000
    assert (
        led.loc["2008-04-28", "over_advance"] == 10_000_000
    )  # First Loan Modification Advance Amount
    assert led.loc["2008-06-01", "over_advance"] == 10_000_000  # (c) 11.25M still covers it
    assert led.loc["2008-06-01", "availability"] == 1_250_000
    assert led.loc["2008-04-28", "fees"] == Decimal("225000.00")  # FLM Sec. 4
    assert led["fees"].sum() == Decimal("225000.00")


def test_golden_interest_by_tranche():
    # 30M outstanding, 20M base, 10M over-advance; prime 5%: revolver 20M x 5% / 360,
    # over-advance 10M x 6.25% / 360 (FLM Sec. 2.4(i): +1.25%); May 2008 = 31 days
    led = _ledger("2008-05-01", "2008-05-31", opening_balance=30_000_000)
    m = monthly_interest(led).loc["2008-05"]
    assert m["interest_revolver"] == Decimal("86111.11")  # 20,000,000 x 0.05 x 31/360
    assert m["interest_over_advance"] == Decimal("53819.44")  # 10,000,000 x 0.0625 x 31/360
    assert m["interest_total"] == Decimal("139930.56")


def test_draw_refused_names_date_and_shortfall():
    draws = pd.DataFrame({"date": ["2008-05-02"], "amount": [40_000_000]})
    with pytest.raises(
        DrawRefusedError,
        match=r"draw of 40,000,000.00 on 2008-05-02 refused: "
        r"availability is 35,000,000.00, shortfall 5,000,000.00",
    ):
        _ledger(draws=draws)
    led = _ledger(draws=draws, on_excess_draw="cap")
    assert led.loc["2008-05-02", "draw"] == 35_000_000
    assert led.loc["2008-05-02", "draw_refused"] == 5_000_000
    assert led.loc["2008-05-02", "availability"] == 0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"receivables": REC.assign(eligible_domestic=-1.0)},
            "receivables.eligible_domestic on 2008-03-31 must not be negative",
        ),
        (
            {"receivables": REC.assign(gross_domestic=1.0)},
            r"receivables.eligible_domestic on 2008-03-31 \(25,000,000.00\) "
            r"is above receivables.gross_domestic",
        ),
        (
            {"receivables": REC.assign(date="2008-05-01")},
            "receivables has no row on or before 2008-04-20",
        ),
        (
            {"cash": pd.DataFrame({"date": ["2008-04-01"], "cash": ["x"]})},
            "cash.cash on 2008-04-01 is not a finite amount",
        ),
        (
            {"draws": pd.DataFrame({"date": ["2008-05-01"], "amount": [-1]})},
            "draws.amount on 2008-05-01: repayment of 1.00 is more than the 0.00 outstanding",
        ),
        (
            {"draws": pd.DataFrame({"date": ["2009-01-01"], "amount": [1]})},
            "draws.date 2009-01-01 is outside the ledger",
        ),
        ({"end": "2008-01-01"}, "end 2008-01-01 is before start 2008-04-20"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(FacilityInputError, match=message):
        _ledger(**kwargs)


def test_sample_inputs_run_and_summarise():
    led = facility_ledger(
        FAC,
        "2008-04-28",
        "2009-06-30",
        receivables=read_dated_csv("params/scenarios/svb-receivables-sample.csv"),
        cash=read_dated_csv("params/scenarios/svb-cash-sample.csv"),
        rate_path=read_dated_csv("params/scenarios/prime-rate-2007-2009.csv"),
        draws=read_dated_csv("params/scenarios/svb-draws-sample.csv"),
        opening_balance=20_000_000,
    )
    q = ledger_by_quarter(led)
    assert list(q.index) == ["2008-06-30", "2008-09-30", "2008-12-31", "2009-03-31", "2009-06-30"]
    exact = interest_between(led, "2008-04-28", "2009-06-30")
    assert abs(Fraction(q["interest"].sum()) - exact) <= Fraction(1, 200) * len(q)  # per quarter
    assert (led["availability"] >= 0).all()


# --- properties -------------------------------------------------------------------------------

flows = st.lists(
    st.tuples(st.integers(min_value=0, max_value=60), st.integers(min_value=-30, max_value=40)),
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(
    flows=flows,
    dom=st.integers(min_value=0, max_value=60),
    cash=st.integers(0, 30),
    start=st.dates(min_value=D(2008, 3, 1), max_value=D(2009, 4, 1)),
)
def test_property_valid_ledger(flows, dom, cash, start):
    draws = pd.DataFrame(
        {
            "date": [start + dt.timedelta(days=k) for k, _ in flows],
            "amount": [a * 1_000_000 for _, a in flows],
        },
        columns=["date", "amount"],
    )
    rec = pd.DataFrame(
        {"date": ["2007-12-31"], "eligible_domestic": [dom * 1e6], "eligible_foreign": [5e6]}
    )
    try:
        led = facility_ledger(
            FAC,
            start,
            start + dt.timedelta(days=60),
            receivables=rec,
            cash=cash * 1e6,
            rate_path=0.05,
            draws=draws,
            on_excess_draw="cap",
        )
    except FacilityInputError as exc:  # only over-repayment can be refused here
        assert "more than the" in str(exc)
        return
    # availability never negative; outstanding within the limit unless a step-down pushed it over
    assert (led["availability"] >= 0).all()
    assert ((led["outstanding"] <= led["limit"] + 1e-6) | (led["excess_over_limit"] > 0)).all()
    # opening + draws - repayments == closing
    assert led["outstanding"].iloc[-1] == pytest.approx(led["draw"].sum() - led["repayment"].sum())
    assert ((led["over_advance"] >= 0) & (led["over_advance"] <= led["over_advance_limit"])).all()
    assert (led["liquidity"] == led["cash"] + led["availability"]).all()
    # interest over the period = sum of daily accruals; monthly payments add up to the cent
    total = interest_between(led, start, start + dt.timedelta(days=60))
    daily = exact_sum(list(led["interest_revolver"]) + list(led["interest_over_advance"]))
    assert total == daily
    months = monthly_interest(led)["interest_total"].sum()
    assert abs(Fraction(months) - total) <= Fraction(1, 200) * len(monthly_interest(led))


@settings(max_examples=30, deadline=None)
@given(
    bal=st.integers(min_value=0, max_value=35_000_000),
    n=st.integers(min_value=1, max_value=90),
    split=st.integers(min_value=0, max_value=89),
)
def test_property_interest_additive_and_closed_form(bal, n, split):
    start = D(2008, 3, 1)
    end = start + dt.timedelta(days=n - 1)
    rec = pd.DataFrame(
        {"date": ["2008-01-01"], "eligible_domestic": [50e6], "eligible_foreign": [0]}
    )
    led = facility_ledger(
        FAC, start, end, receivables=rec, cash=0, rate_path="0.0525", opening_balance=bal
    )
    whole = interest_between(led, start, end)
    mid = start + dt.timedelta(days=min(split, n - 1))
    parts = interest_between(led, start, mid) + interest_between(
        led, mid + dt.timedelta(days=1), end
    )
    assert whole == exact_sum(list(led["interest_revolver"]) + list(led["interest_over_advance"]))
    assert whole == parts
    # constant balance: balance x rate x days / 360 (ACT/360), to the cent
    assert whole == Fraction(bal) * Fraction(525, 10000) * n / 360
    assert to_cents(whole) == to_cents(Fraction(bal * 525 * n, 10000 * 360))
