"""The daily facility ledger: golden interest, refused draws, properties, bad input
(model.engines.facility.ledger)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from model.engines.facility.ledger import certificate_on, facility_ledger, ledger_on
from model.engines.facility.pricing import exact_sum
from model.engines.facility.summary import interest_between, monthly_interest, quarter_summary
from model.errors import DrawRefusedError, InputError, NotFoundError
from model.terms import load, read_dated_csv

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
D = dt.date
REC = pd.DataFrame(
    {"date": ["2008-03-31"], "eligible_domestic": [25_000_000.0], "eligible_foreign": [0.0]}
)


def _ledger(start="2008-04-20", end="2008-06-10", **kw):
    args = {"receivables": REC, "cash": 10_000_000, "rate_path": "0.05"} | kw
    return facility_ledger(FAC, start, end, **args)


def test_columns_and_version_switch():
    led = _ledger(opening_balance=30_000_000, allow_opening_over_limit=True)
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
            "receivables.eligible_domestic on 2008-03-31: must not be negative",
        ),
        (
            {"receivables": REC.assign(gross_domestic=1.0)},
            r"receivables.eligible_domestic on 2008-03-31: 25,000,000.00 "
            r"is above receivables.gross_domestic \(1.00\)",
        ),
        (
            {"receivables": REC.assign(date="2008-05-01")},
            "receivables: has no certificate in force on 2008-04-20",
        ),
        (
            {"cash": pd.DataFrame({"date": ["2008-04-01"], "cash": ["x"]})},
            "cash.cash on 2008-04-01: not an amount: 'x'",
        ),
        (
            {"draws": pd.DataFrame({"date": ["2008-05-01"], "amount": [-1]})},
            "draws.amount on 2008-05-01: repayment of 1.00 is more than the 0.00 outstanding",
        ),
        (
            {"draws": pd.DataFrame({"date": ["2009-01-01"], "amount": [1]})},
            "draws.date: 2009-01-01 is outside the ledger",
        ),
        ({"end": "2008-01-01"}, "end: 2008-01-01 is before start 2008-04-20"),
        (
            {"start": "2008-04-31"},
            r"start: '2008-04-31' is not a calendar date \(April 2008 has 30 days\)",
        ),
        # rate path bounds: decimal fractions, 0 <= rate < 0.5
        (
            {"rate_path": 5.0},
            r"rate_path.rate on 2008-04-20: a rate is a decimal fraction from 0 up to 0.5 "
            r"\(write 0.08 for 8%\), got 5.0",
        ),
        (
            {
                "rate_path": pd.DataFrame(
                    {"date": ["2008-04-01", "2008-05-01"], "rate": [0.05, -0.01]}
                )
            },
            r"rate_path.rate on 2008-05-01: a rate is a decimal fraction.*got -0.01",
        ),
        (
            {"rate_path": pd.DataFrame({"date": ["2008-04-01"], "rate": ["0.5"]})},
            r"rate_path.rate on 2008-04-01: .*got 0.5",
        ),
        # opening balance: never above the line; above the limit only when asked
        (
            {"opening_balance": 35_000_001},
            r"opening_balance on 2008-04-20: 35,000,001.00 is above the Revolving Line "
            r"\(35,000,000.00\)",
        ),
        (
            {"opening_balance": 20_000_001},
            r"opening_balance on 2008-04-20: 20,000,001.00 is above min\(line, Borrowing Base\) "
            r"\(20,000,000.00\) by 1.00; pass allow_opening_over_limit=True",
        ),
        (
            {"opening_balance": 35_000_001, "allow_opening_over_limit": True},
            "is above the Revolving Line",
        ),
        (
            {"certificate_lag_days": -1},
            r"certificate_lag_days: must be a whole number at least 0 \(got -1\)",
        ),
        (
            {"certificate_lag_days": 30},
            r"receivables: has no certificate in force on 2008-04-20 \(first row 2008-03-31; with a "
            r"30-day certificate lag the first applies from 2008-04-30\)",
        ),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(InputError, match=message):
        _ledger(**kwargs)


def test_opening_over_limit_counted_and_priced_per_assumption():
    # 30M on 2008-04-20 under the original terms: limit 20M (25M x 80%), 10M over
    led = _ledger(
        "2008-04-20", "2008-04-27", opening_balance=30_000_000, allow_opening_over_limit=True
    )
    q = quarter_summary(led)
    assert q.loc["2008-06-30", "days_over_limit"] == 8
    assert q.loc["2008-06-30", "max_excess_over_limit"] == 10_000_000
    # default assumption: the excess accrues at the revolver rate (5%): 30M x 5% / 360 a day
    assert FAC.version("original").interest.excess_over_limit_pricing.is_assumption
    assert exact_sum(led["interest_revolver"]) == Fraction(30_000_000) * Fraction(5, 100) * 8 / 360
    # in the amended version with pricing "over_advance": the excess bears the +1.25% margin
    fac = load(
        "params/deals/ibasis/facilities/svb-loan-agreement.yaml",
        overrides={"original.interest.excess_over_limit_pricing.value": "over_advance"},
    )
    led2 = facility_ledger(
        fac,
        "2008-09-01",
        "2008-09-01",
        receivables=REC,
        cash=0,
        rate_path="0.05",
        opening_balance=30_000_000,
        allow_opening_over_limit=True,
    )  # limit 20M + 7.5M = 27.5M: 7.5M over-advance + 2.5M excess at 6.25%, 20M at 5%
    assert led2.loc["2008-09-01", "excess_over_limit"] == 2_500_000
    assert (
        led2.loc["2008-09-01", "interest_over_advance"]
        == Fraction(10_000_000) * Fraction(625, 10000) / 360
    )
    assert (
        led2.loc["2008-09-01", "interest_revolver"] == Fraction(20_000_000) * Fraction(5, 100) / 360
    )


def test_certificate_on_and_lag():
    rec = read_dated_csv("params/deals/ibasis/scenarios/svb-receivables-sample.csv")
    c = certificate_on(rec, "2008-06-30")
    assert c["date"] == D(2008, 6, 30) and c["eligible_domestic"] == 23_955_200
    assert certificate_on(rec, "2008-07-29", lag_days=30)["date"] == D(2008, 5, 31)
    assert certificate_on(rec, "2008-07-30", lag_days=30)["date"] == D(2008, 6, 30)
    with pytest.raises(InputError, match="receivables: has no certificate in force on 2008-01-01"):
        certificate_on(rec, "2008-01-01")
    with pytest.raises(InputError, match=r"lag_days: must be a whole number at least 0 \(got -1\)"):
        certificate_on(rec, "2008-06-30", lag_days=-1)


def test_certificate_lag_delays_the_borrowing_base():
    lag = FAC.version("first_modification").borrowing_base.certificate_lag_days
    assert lag.value == 0 and lag.is_assumption and "within 30 days" in lag.assumption
    args = {
        "receivables": read_dated_csv("params/deals/ibasis/scenarios/svb-receivables-sample.csv"),
        "cash": 10_000_000,
        "rate_path": 0.05,
    }
    led0 = facility_ledger(FAC, "2008-06-25", "2008-07-31", **args)
    led30 = facility_ledger(FAC, "2008-06-25", "2008-07-31", certificate_lag_days=30, **args)
    fac30 = load(
        "params/deals/ibasis/facilities/svb-loan-agreement.yaml",
        overrides={"original.borrowing_base.certificate_lag_days.value": 30},
    )
    led30p = facility_ledger(fac30, "2008-06-25", "2008-07-31", **args)
    assert led0.loc["2008-06-30", "certificate_date"] == D(2008, 6, 30)
    assert led30.loc["2008-06-30", "certificate_date"] == D(2008, 5, 31)
    assert led30.loc["2008-07-30", "certificate_date"] == D(2008, 6, 30)
    assert led0.loc["2008-06-30", "limit"] == 38_815_560  # the 2008-06-30 certificate
    assert led30.loc["2008-06-30", "limit"] == 45_250_000  # still the 2008-05-31 one
    pd.testing.assert_frame_equal(led30, led30p)


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
# a draw capped to availability, then a repayment the same day: availability is not 0 at the
# end of that day (the old property "a refused part means availability was used up" failed)
@example(flows=[(0, 4), (0, -1)], dom=0, cash=0, start=D(2008, 3, 1))
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
    except InputError as exc:  # only over-repayment can be refused here
        assert "more than the" in str(exc)
        return
    # availability never negative; on every day with a draw the balance after it is within
    # the limit (a draw above availability is cut to it), whatever step-downs did before
    assert (led["availability"] >= 0).all()
    drew = led[led["draw"] > 0]
    assert (drew["outstanding"] <= drew["limit"]).all()
    assert (drew["excess_over_limit"] == 0).all()
    # a refused part means availability was used up at that draw. The day's flows settle in
    # the order given, against the day's limit, and availability is the end-of-day figure:
    # after the capped draw only that day's repayments can free some up again (later draws
    # use it). So on a day with a refused part availability is at most the day's repayments,
    # and 0 on such a day without repayments.
    refused = led[led["draw_refused"] > 0]
    assert (refused["availability"] <= refused["repayment"]).all()
    assert (refused.loc[refused["repayment"] == 0, "availability"] == 0).all()
    # excess is exactly the part of the balance above the limit
    assert (led["excess_over_limit"] == (led["outstanding"] - led["limit"]).clip(lower=0)).all()
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


def test_scenario_files_named_by_users_stay_inside_params() -> None:
    # read_dated_csv is model.terms.inputs' now; kept here with the ledger inputs it reads
    with pytest.raises(InputError, match="'/etc/passwd' is outside the params folder"):
        read_dated_csv("/etc/passwd")
    assert list(read_dated_csv("deals/ibasis/scenarios/svb-cash-sample.csv").columns) == [
        "date",
        "cash",
    ]


def test_ledger_on_names_the_parameter_and_the_ledger_range():
    led = _ledger(start="2008-04-28", end="2008-05-10")
    assert ledger_on(led, "2008-05-01")["outstanding"] == led.loc["2008-05-01", "outstanding"]
    assert ledger_on(led, D(2008, 4, 28))["version"] == "first_modification"
    with pytest.raises(
        NotFoundError,
        match=r"as_of 2010-01-01 is outside the ledger \(2008-04-28 to 2008-05-10\)",
    ):
        ledger_on(led, "2010-01-01")
    with pytest.raises(NotFoundError, match="as_of 2008-04-27 is outside the ledger"):
        ledger_on(led, "2008-04-27")
    with pytest.raises(
        InputError,
        match=r"as_of: '2008-02-30' is not a calendar date \(February 2008 has 29 days\)",
    ):
        ledger_on(led, "2008-02-30")


def test_a_one_time_fee_is_paid_once_when_a_later_amendment_keeps_it():
    # a second amendment that does not restate `fees` carries the first one's list: the
    # fees of 2008-04-28 (FLM Sec. 4: $150,000 + $75,000) are due once, not once per version
    import yaml

    from model import paths

    raw = yaml.safe_load(
        (paths.PARAMS / "deals" / "ibasis" / "facilities" / "svb-loan-agreement.yaml").read_text()
    )
    second = {
        "name": "second_modification",
        "title": "Second Loan Modification (test)",
        "effective_date": {"value": "2008-10-01", "assumption": "test"},
        "changes": {
            "revolving_line": {"value": 40_000_000, "assumption": "test"},
            "borrowing_base": {  # a version's over-advance steps start with the version
                "over_advance": {
                    "reference": "(c)",
                    "assumption": "test: the remaining clause (c) steps, restated",
                    "steps": [
                        {"from_date": "2008-10-01", "to_date": "2008-11-30", "amount": 7_500_000},
                        {"from_date": "2008-12-01", "to_date": None, "amount": 0},
                    ],
                }
            },
        },
    }
    fac = load(
        "params/deals/ibasis/facilities/svb-loan-agreement.yaml",
        overrides={"amendments": [raw["amendments"][0], second]},
    )
    assert [f.name for f in fac.version("second_modification").fees] == [
        "supplemental_commitment_fee",
        "modification_fee",
    ]
    led = facility_ledger(
        fac, "2008-04-20", "2008-10-05", receivables=REC, cash=10_000_000, rate_path="0.05"
    )
    assert led.loc["2008-04-28", "fees"] == Decimal("225000.00")
    assert led["fees"].sum() == Decimal("225000.00")
