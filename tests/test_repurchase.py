"""Stock repurchase test, Sec. 7.7(b)(v) (First Loan Modification Sec. 3.A.VIII)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from model.params import load
from model.repurchase import basket_terms, repurchase_permitted
from model.terms.covenants import load_covenant_book

FACILITY = "params/facilities/svb-loan-agreement.yaml"
BOOK = load(FACILITY)  # the basket is a facility term (distributions.repurchase_program_basket)
THR = {"adjusted_quick_ratio": "1.00"}


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
        BOOK,
        "2008-08-15",
        amount,
        proj(),
        projected_liquidity=25_000_000,
        prior_repurchases=[("2008-06-02", D("9000000"))],
        thresholds=THR,
    )
    assert d.permitted is ok
    assert bool(d.to_frame().loc["(C) within $15,000,000 basket", "passed"]) is ok


def test_not_before_first_modification():
    d = repurchase_permitted(
        BOOK, "2008-04-27", 1_000_000, proj(), projected_liquidity=25_000_000, thresholds=THR
    )
    assert not d.permitted
    assert "not available on 2008-04-27" in d.to_frame().loc["clause (v) in force", "detail"]


def test_event_of_default_blocks():
    assert not repurchase_permitted(
        BOOK,
        "2008-08-15",
        1,
        proj(),
        projected_liquidity=25_000_000,
        thresholds=THR,
        event_of_default=True,
    ).permitted


def test_projected_sec_6_9_default_blocks():
    # next reporting period = quarter ending 2008-09-30: Consolidated EBITDA must be >= $9,000,000
    d = repurchase_permitted(
        BOOK,
        "2008-08-15",
        1_000_000,
        proj(ebitda=D("8999999.99")),
        projected_liquidity=25_000_000,
        thresholds=THR,
    )
    assert not d.permitted
    assert (
        "consolidated_ebitda fails"
        in d.to_frame().loc["(B) no Sec. 6.9 Default expected next period", "detail"]
    )


def test_springing_cash_flow_counts_when_liquidity_low():
    d = repurchase_permitted(
        BOOK,
        "2008-08-15",
        1_000_000,
        proj(cash_flow=D("1999999")),
        projected_liquidity=19_000_000,
        thresholds=THR,
    )
    assert not d.permitted
    d = repurchase_permitted(
        BOOK,
        "2008-08-15",
        1_000_000,
        proj(cash_flow=D("1999999")),
        projected_liquidity=21_000_000,
        thresholds=THR,
    )
    assert d.permitted


def test_quick_ratio_threshold_missing_cannot_confirm():
    d = repurchase_permitted(BOOK, "2008-08-15", 1_000_000, proj(), projected_liquidity=25_000_000)
    assert not d.permitted
    assert (
        "threshold not provided"
        in d.to_frame().loc["(B) no Sec. 6.9 Default expected next period", "detail"]
    )


def test_bad_amount():
    with pytest.raises(ValueError, match="repurchase amount: not an amount"):
        repurchase_permitted(BOOK, "2008-08-15", "lots", proj())
    with pytest.raises(ValueError, match="must be positive"):
        repurchase_permitted(BOOK, "2008-08-15", 0, proj())


# --- finding 11: one source of truth for the basket ------------------------------------------
BASKET_KEY = "amendments.0.changes.distributions.repurchase_program_basket.value"


def test_basket_read_from_facility_terms():
    amount, effective, source = basket_terms(BOOK, dt.date(2008, 8, 15))
    assert amount == D("15000000") and effective == dt.date(2008, 4, 28)
    assert "Sec. 3.A.VIII" in source


def test_params_change_changes_the_answer():
    smaller = load(FACILITY, overrides={BASKET_KEY: 10000000})
    args = dict(
        projected_liquidity=25_000_000,
        prior_repurchases=[("2008-06-02", D("9000000"))],
        thresholds=THR,
    )
    assert repurchase_permitted(BOOK, "2008-08-15", D("2000000"), proj(), **args).permitted
    d = repurchase_permitted(smaller, "2008-08-15", D("2000000"), proj(), **args)
    assert not d.permitted
    assert d.to_frame().loc["(C) within $10,000,000 basket", "detail"] == (
        "prior $9,000,000 + this $2,000,000 = $11,000,000 vs $10,000,000 (over by $1,000,000)"
    )


def test_agrees_with_fees_repurchase_basket():
    import pandas as pd

    from model.fees import repurchase_basket

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


def test_covenant_book_is_not_enough():
    book = load_covenant_book("tests/fixtures/covenants_svb.yaml")
    with pytest.raises(TypeError, match="pass the facility terms, not a covenant book"):
        repurchase_permitted(book, "2008-08-15", 1, proj(), projected_liquidity=25_000_000)
