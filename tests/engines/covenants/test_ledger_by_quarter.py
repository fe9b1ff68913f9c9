"""The facility ledger by quarter with the springing covenant's test for each quarter
(model.engines.covenants.ledger.ledger_by_quarter).

Ported from the old tests/test_ledger.py (via tests/engines/facility/test_pending_port.py);
the quarter summary without terms is tested in tests/engines/facility/test_summary.py.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from model.engines.covenants import ledger_by_quarter
from model.engines.facility.ledger import facility_ledger
from model.engines.facility.summary import quarter_summary
from model.terms import load

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
D = dt.date
REC = pd.DataFrame(
    {"date": ["2008-03-31"], "eligible_domestic": [25_000_000.0], "eligible_foreign": [0.0]}
)
SPRINGING_COLUMNS = [
    "cash_flow_version",
    "cash_flow_threshold",
    "days_below_cash_flow_threshold",
    "cash_flow_covenant_springs",
    "cash_flow_reason",
]


def _ledger(start="2008-04-20", end="2008-06-10", **kw):
    args = {"receivables": REC, "cash": 10_000_000, "rate_path": "0.05"} | kw
    return facility_ledger(FAC, start, end, **args)


def test_the_quarter_columns_are_the_quarter_summary(sample_ledger):
    """The quarter columns are quarter_summary's (tested in tests/engines/facility); the
    springing columns are added only given the terms."""
    q = ledger_by_quarter(sample_ledger, FAC)
    pd.testing.assert_frame_equal(q.drop(columns=SPRINGING_COLUMNS), quarter_summary(sample_ledger))
    pd.testing.assert_frame_equal(ledger_by_quarter(sample_ledger), quarter_summary(sample_ledger))


def test_sample_ledger_springing_by_quarter(sample_ledger):
    """Every quarter of the sample ledger is tested under the First Loan Modification ($20M);
    Q2 2008 is covered from 2008-04-28 only, so it springs (uncovered days count as below)."""
    q = ledger_by_quarter(sample_ledger, FAC)
    assert list(q.columns[-5:]) == SPRINGING_COLUMNS
    assert set(q["cash_flow_version"]) == {"first_modification"}
    assert set(q["cash_flow_threshold"]) == {20_000_000}
    assert bool(q.loc["2008-06-30", "cash_flow_covenant_springs"]) is True
    assert "ledger covers 64 of 91 days" in q.loc["2008-06-30", "cash_flow_reason"]
    assert q["cash_flow_covenant_springs"].tolist() == [True] * 5
    assert q["days_below_cash_flow_threshold"].tolist() == [0, 61, 90, 90, 90]
    assert q.loc["2008-09-30", "cash_flow_reason"] == (
        "any-day reading (daily ledger): liquidity < $20,000,000 on 61 day(s), first 2008-08-01; "
        "minimum $12,400,000 on 2008-09-01: test applies"
    )


def test_quarter_springing_uses_the_version_tested_for_the_quarter():
    """Q2 2008 is tested under the First Loan Modification (certificate due 2008-08-14): its
    $20M trigger applies to every day of the quarter, including days before 2008-04-28 when
    the day's own terms (original) have $15M: the covenant engine's any-day reading."""
    cash = pd.DataFrame({"date": ["2008-04-01", "2008-04-28"], "cash": [17_000_000, 30_000_000]})
    rec = pd.DataFrame({"date": ["2008-03-31"], "eligible_domestic": [0], "eligible_foreign": [0]})
    args = {"receivables": rec, "cash": cash, "rate_path": 0.05}
    led = facility_ledger(FAC, "2008-04-01", "2008-06-30", **args)
    assert not led["cash_flow_covenant_springs"].any()  # day by day: 17M vs 15M, then 45M vs 20M
    q = ledger_by_quarter(led, FAC).loc["2008-06-30"]
    assert q["cash_flow_version"] == "first_modification"
    assert q["cash_flow_threshold"] == 20_000_000
    assert q["days_below_cash_flow_threshold"] == 27  # 2008-04-01..04-27 at 17M
    assert q["cash_flow_covenant_springs"]
    assert "on 27 day(s), first 2008-04-01" in q["cash_flow_reason"]
    assert (q["days_covered"], q["days_in_quarter"]) == (91, 91)
    # the same quarter under the original terms only: 17M and 30M are not below 15M
    orig = FAC.version("original")
    q0 = ledger_by_quarter(facility_ledger(orig, "2008-04-01", "2008-06-30", **args), orig)
    assert not q0.loc["2008-06-30", "cash_flow_covenant_springs"]
    assert q0.loc["2008-06-30", "cash_flow_threshold"] == 15_000_000
    # a quarter covered in part says so; the uncovered days count as below (as the engine)
    part = ledger_by_quarter(led.loc["2008-04-28":], FAC).loc["2008-06-30"]
    assert (part["days_covered"], part["days_in_quarter"]) == (64, 91)
    assert part["days_below_cash_flow_threshold"] == 0 and part["cash_flow_covenant_springs"]
    assert "ledger covers 64 of 91 days" in part["cash_flow_reason"]
    # without terms the quarter flag is left to the covenant engine
    assert "cash_flow_covenant_springs" not in ledger_by_quarter(led).columns


def test_without_terms_it_is_the_quarter_summary():
    led = _ledger()
    pd.testing.assert_frame_equal(ledger_by_quarter(led), quarter_summary(led))
    with_terms = ledger_by_quarter(led, FAC)
    assert list(with_terms.columns) == list(quarter_summary(led).columns) + SPRINGING_COLUMNS


def test_version_without_a_springing_liquidity_test():
    amended = FAC.version("first_modification")
    no_springing = amended.model_copy(
        update={"covenants": tuple(c for c in amended.covenants if c.springing is None)}
    )
    q = ledger_by_quarter(_ledger("2008-04-28", "2008-06-10"), no_springing).loc["2008-06-30"]
    assert q["cash_flow_version"] == "first_modification"
    assert q["cash_flow_threshold"] is None
    assert q["days_below_cash_flow_threshold"] == 0
    assert not q["cash_flow_covenant_springs"]
    assert q["cash_flow_reason"] == ("no springing liquidity test in version 'first_modification'")
