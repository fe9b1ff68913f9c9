"""Stock repurchase test (model.engines.covenants.repurchase), Sec. 7.7(b)(v) (First Loan
Modification Sec. 3.A.VIII): the basket and conditions (A), (C) and the Event of Default part
of (B) from the facility terms; the Sec. 6.9 part of (B) on projected figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pandas as pd
import pytest

from model.engines.covenants import RepurchaseDecision, repurchase_permitted
from model.engines.facility.baskets import repurchase_basket, repurchase_basket_terms
from model.errors import InputError
from model.terms import load

FACILITY = "params/deals/ibasis/facilities/svb-loan-agreement.yaml"
FAC = load(FACILITY)  # the basket is a facility term (distributions.repurchase_program_basket)
THR = {"adjusted_quick_ratio": "1.00"}
COVENANT_CHECK = "no financial covenant Default expected next period"  # old: "(B) no Sec. 6.9 Default expected next period"


def proj(ebitda=D("9500000"), cash_flow=D("2500000")):
    return {
        "net_income": ebitda,
        "interest_expense": 0,
        "depreciation": 0,
        "amortization": 0,
        "income_tax_expense": 0,
        "non_cash_items": 0,
        "kpn_transaction_costs": 0,
        "cash_at_bank": 20,
        "net_billed_receivables": 100,
        "short_term_investments": 0,
        "obligations_to_bank": 10,
        "liabilities_due_within_one_year": 90,
        "deferred_revenue": 0,
        "borrower_ebitda": cash_flow,
        "unfunded_capex": 0,
        "income_taxes_paid": 0,
        "dividends_and_distributions": 0,
    }


@pytest.mark.parametrize("amount,ok", [(D("6000000"), True), (D("6000000.01"), False)])
def test_basket_15m_aggregate_edge(amount, ok):
    d = repurchase_permitted(
        FAC,
        "2008-08-15",
        amount,
        proj(),
        projected_liquidity=25_000_000,
        prior_repurchases=[("2008-06-02", D("9000000"))],
        thresholds=THR,
    )
    assert isinstance(d, RepurchaseDecision)
    assert d.permitted is ok
    # old check name: "(C) within $15,000,000 basket"
    assert bool(d.to_frame().loc["within $15,000,000 basket", "passed"]) is ok
    assert d.amount == amount and d.date == dt.date(2008, 8, 15)


def test_prior_repurchases_after_the_date_do_not_count():
    d = repurchase_permitted(
        FAC,
        "2008-08-15",
        D("6000000.01"),
        proj(),
        projected_liquidity=25_000_000,
        prior_repurchases=[("2008-06-02", D("9000000")), ("2008-08-16", D("9000000"))],
        thresholds=THR,
    )
    assert d.permitted is False
    assert d.to_frame().loc["within $15,000,000 basket", "detail"] == (
        "prior $9,000,000 + this $6,000,000.01 = $15,000,000.01 vs $15,000,000 (over by $0.01)"
    )


def test_not_before_first_modification():
    d = repurchase_permitted(
        FAC, "2008-04-27", 1_000_000, proj(), projected_liquidity=25_000_000, thresholds=THR
    )
    assert not d.permitted
    # old: check "clause (v) in force" with detail "... not available on 2008-04-27"
    row = d.to_frame().loc["basket in force"]
    assert bool(row["passed"]) is False
    assert row["detail"] == (
        "repurchase basket (in force from 2008-04-28); from the terms: no repurchase-program "
        "basket in version 'original'"
    )
    assert d.covenant_test is None  # no basket: the covenant test is not reached


def test_event_of_default_blocks():
    d = repurchase_permitted(
        FAC,
        "2008-08-15",
        1,
        proj(),
        projected_liquidity=25_000_000,
        thresholds=THR,
        event_of_default=True,
    )
    assert not d.permitted
    assert bool(d.to_frame().loc["no Event of Default", "passed"]) is False


def test_notice_and_approvals_required():
    d = repurchase_permitted(
        FAC,
        "2008-08-15",
        1,
        proj(),
        projected_liquidity=25_000_000,
        thresholds=THR,
        notice_and_approvals="no",
    )
    assert not d.permitted
    assert d.to_frame().loc["notice and approvals", "detail"] == "not given"


def test_projected_sec_6_9_default_blocks():
    # next reporting period = quarter ending 2008-09-30: Consolidated EBITDA must be >= $9,000,000
    d = repurchase_permitted(
        FAC,
        "2008-08-15",
        1_000_000,
        proj(ebitda=D("8999999.99")),
        projected_liquidity=25_000_000,
        thresholds=THR,
    )
    assert not d.permitted
    assert "consolidated_ebitda fails" in d.to_frame().loc[COVENANT_CHECK, "detail"]
    t = d.covenant_test
    assert t.loc["consolidated_ebitda", "required"] == D("9000000")
    assert t.loc["consolidated_ebitda", "status_code"] == "breach"
    assert t["quarter_end"].iloc[0] == dt.date(2008, 9, 30)
    assert t["version"].iloc[0] == "first_modification"


def test_springing_cash_flow_counts_when_liquidity_low():
    d = repurchase_permitted(
        FAC,
        "2008-08-15",
        1_000_000,
        proj(cash_flow=D("1999999")),
        projected_liquidity=19_000_000,
        thresholds=THR,
    )
    assert not d.permitted
    assert d.covenant_test.loc["borrower_cash_flow", "status_code"] == "breach"
    d = repurchase_permitted(
        FAC,
        "2008-08-15",
        1_000_000,
        proj(cash_flow=D("1999999")),
        projected_liquidity=21_000_000,
        thresholds=THR,
    )
    assert d.permitted
    assert d.covenant_test.loc["borrower_cash_flow", "status_code"] == "not_required"


def test_quick_ratio_threshold_missing_cannot_confirm():
    d = repurchase_permitted(FAC, "2008-08-15", 1_000_000, proj(), projected_liquidity=25_000_000)
    assert not d.permitted
    assert "threshold not provided" in d.to_frame().loc[COVENANT_CHECK, "detail"]
    assert d.covenant_test.loc["adjusted_quick_ratio", "status_code"] == "threshold_not_provided"


@pytest.mark.parametrize(
    "on, quarter", [("2008-09-30", dt.date(2008, 9, 30)), ("2008-10-01", dt.date(2008, 12, 31))]
)
def test_next_reporting_period_is_the_quarter_containing_the_date(on, quarter):
    d = repurchase_permitted(FAC, on, 1, proj(), projected_liquidity=25_000_000, thresholds=THR)
    assert d.covenant_test["quarter_end"].iloc[0] == quarter


def test_bad_amount():
    # old: "repurchase amount: not an amount" and "... must be positive"
    with pytest.raises(InputError, match=r"^amount: not an amount: 'lots'$"):
        repurchase_permitted(FAC, "2008-08-15", "lots", proj())
    # one wording for every amount that must be positive (model.values.POSITIVE_RULE)
    with pytest.raises(InputError, match=r"^amount: must be greater than zero \(got 0\)$"):
        repurchase_permitted(FAC, "2008-08-15", 0, proj())
    with pytest.raises(InputError, match=r"^amount: must not be negative \(got -1\)$"):
        repurchase_permitted(FAC, "2008-08-15", -1, proj())


def test_bad_flags_and_liquidity():
    with pytest.raises(InputError, match=r"^event_of_default: not a yes/no value: 'maybe'$"):
        repurchase_permitted(FAC, "2008-08-15", 1, proj(), event_of_default="maybe")
    with pytest.raises(InputError, match=r"must not be negative \(got -1\)"):
        repurchase_permitted(FAC, "2008-08-15", 1, proj(), projected_liquidity=-1)


# --- finding 11: one source of truth for the basket ------------------------------------------
BASKET_KEY = "amendments.0.changes.distributions.repurchase_program_basket.value"


def test_basket_read_from_facility_terms():
    b = repurchase_basket_terms(FAC, dt.date(2008, 8, 15))
    assert b.amount == D("15000000") and b.first_in_force == dt.date(2008, 4, 28)
    assert "Sec. 3.A.VIII" in b.source


def test_params_change_changes_the_answer():
    smaller = load(FACILITY, overrides={BASKET_KEY: 10000000})
    args = dict(
        projected_liquidity=25_000_000,
        prior_repurchases=[("2008-06-02", D("9000000"))],
        thresholds=THR,
    )
    assert repurchase_permitted(FAC, "2008-08-15", D("2000000"), proj(), **args).permitted
    d = repurchase_permitted(smaller, "2008-08-15", D("2000000"), proj(), **args)
    assert not d.permitted
    assert d.to_frame().loc["within $10,000,000 basket", "detail"] == (
        "prior $9,000,000 + this $2,000,000 = $11,000,000 vs $10,000,000 (over by $1,000,000)"
    )


def test_agrees_with_the_facility_repurchase_basket():
    smaller = load(FACILITY, overrides={BASKET_KEY: 10000000})
    fees = repurchase_basket(
        smaller, pd.DataFrame({"date": ["2008-08-15"], "amount": [D("10000000.01")]})
    )
    d = repurchase_permitted(
        smaller,
        "2008-08-15",
        D("10000000.01"),
        proj(),
        projected_liquidity=25_000_000,
        thresholds=THR,
    )
    assert bool(fees["permitted"].iloc[0]) is d.permitted is False


def test_one_version_is_not_enough():
    # old: TypeError "pass the facility terms, not a covenant book"; now an InputError naming
    # the argument (the basket's first day in force needs every version)
    with pytest.raises(InputError, match=r"^facility: needs the Facility"):
        repurchase_permitted(
            FAC.version("first_modification"),
            "2008-08-15",
            1,
            proj(),
            projected_liquidity=25_000_000,
        )
