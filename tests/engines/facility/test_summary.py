"""Summaries of the ledger: interest by month and between dates, exact and additive; the
quarter summary (model.engines.facility.summary)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from model.engines.facility.ledger import facility_ledger
from model.engines.facility.pricing import exact_sum
from model.engines.facility.summary import interest_between, monthly_interest, quarter_summary
from model.terms import load, read_dated_csv
from model.values import to_cents

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
D = dt.date


def test_sample_inputs_run_and_summarise(sample_ledger):
    led = sample_ledger
    q = quarter_summary(led)
    assert list(q.index) == ["2008-06-30", "2008-09-30", "2008-12-31", "2009-03-31", "2009-06-30"]
    exact = interest_between(led, "2008-04-28", "2009-06-30")
    m = monthly_interest(led)
    assert abs(Fraction(q["interest"].sum()) - exact) <= Fraction(1, 200) * len(m)  # per month
    # interest is paid monthly: each quarter is the sum of its months, to the cent
    by_quarter = m["interest_total"].groupby(pd.PeriodIndex(m.index, freq="M").asfreq("Q")).sum()
    assert len(by_quarter) == len(q)
    for (period, months_sum), (qe, quarter) in zip(
        by_quarter.items(), q["interest"].items(), strict=True
    ):
        assert str(period.end_time.date()) == qe
        assert months_sum == quarter, qe
    assert (
        q.loc["2008-06-30", "interest"]
        == m.loc[["2008-04", "2008-05", "2008-06"], "interest_total"].sum()
    )
    assert (led["availability"] >= 0).all()
    # the sample treasurer repays ahead of each step-down: never over the limit
    assert (led["outstanding"] <= led["limit"]).all() and q["days_over_limit"].sum() == 0
    assert q.loc["2008-06-30", ["days_covered", "days_in_quarter"]].tolist() == [64, 91]
    # the stressed receivables put the same balance over the limit from 2008-09-30
    stressed = facility_ledger(
        FAC,
        "2008-04-28",
        "2009-06-30",
        receivables=read_dated_csv("params/deals/ibasis/scenarios/svb-receivables-stressed.csv"),
        cash=read_dated_csv("params/deals/ibasis/scenarios/svb-cash-sample.csv"),
        rate_path=read_dated_csv("params/deals/ibasis/scenarios/prime-rate-2007-2009.csv"),
        draws=read_dated_csv("params/deals/ibasis/scenarios/svb-draws-sample.csv"),
        opening_balance=20_000_000,
        on_excess_draw="cap",
    )
    qs = quarter_summary(stressed)
    assert qs["days_over_limit"].tolist() == [0, 1, 92, 90, 91]
    assert qs.loc["2008-09-30", "max_excess_over_limit"] == 6_887_500  # 37M - 30,112,500
    assert stressed.loc["2009-05-15", "draw_refused"] == 1_500_000


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
