"""Schedule 1 build-ups (model/metrics.py) on a hand-worked example.

Hand-worked example (dollars), worked on paper from Exhibit B, Schedule 1:

I. Adjusted Quick Ratio
   A cash at Bank 12,500,000.50 + B net billed A/R 61,250,000.25 + C investments 1,000,000.00
   = D 74,750,000.75;  E Obligations to Bank 10,000,000 + F liabilities < 1 yr 45,000,000.00
   = G 55,000,000.00;  H deferred revenue 5,000,000.00;  I = G - H = 50,000,000.00;
   J = 74,750,000.75 / 50,000,000.00 = 1.4950000150 -> 1.4950.
II. Consolidated EBITDA
   A -1,234,567.89 + B 456,789.01 + C 2,000,000 + D 1,500,000 + E 300,000 + F 750,000.50
   + G 1,227,778.38 = H 5,000,000.00.
III. Cash Flow
   A 3,210,000.00 - B 800,000.00 - C 150,000.00 - D 10,000.00 = F 2,250,000.00.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from model.metrics import (
    adjusted_quick_ratio,
    borrower_cash_flow,
    compute_metric,
    consolidated_ebitda,
    schedule_1,
)
from model.terms.actuals import MissingLineItemError

ITEMS = {
    "cash_at_bank": D("12500000.50"),
    "net_billed_receivables": D("61250000.25"),
    "short_term_investments": D("1000000.00"),
    "obligations_to_bank": D("10000000"),
    "liabilities_due_within_one_year": D("45000000.00"),
    "deferred_revenue": D("5000000.00"),
    "net_income": D("-1234567.89"),
    "interest_expense": D("456789.01"),
    "depreciation": D("2000000"),
    "amortization": D("1500000"),
    "income_tax_expense": D("300000"),
    "non_cash_items": D("750000.50"),
    "kpn_transaction_costs": D("1227778.38"),
    "borrower_ebitda": D("3210000.00"),
    "unfunded_capex": D("800000.00"),
    "income_taxes_paid": D("150000.00"),
    "dividends_and_distributions": D("10000.00"),
}


@pytest.mark.parametrize(
    "letter,amount",
    [
        ("A", "12500000.50"),
        ("B", "61250000.25"),
        ("C", "1000000.00"),
        ("D", "74750000.75"),
        ("E", "10000000"),
        ("F", "45000000.00"),
        ("G", "55000000.00"),
        ("H", "5000000.00"),
        ("I", "50000000.00"),
        ("J", "1.4950"),
    ],
)
def test_adjusted_quick_ratio_lines(letter, amount):
    assert adjusted_quick_ratio(ITEMS).line(letter).amount == D(amount)


def test_adjusted_quick_ratio_letters_and_formulas():
    m = adjusted_quick_ratio(ITEMS)
    assert [ln.letter for ln in m.lines] == list("ABCDEFGHIJ")
    assert [ln.formula for ln in m.lines if not ln.formula.startswith("input")] == [
        "A + B + C",
        "E + F",
        "G - H",
        "D / I",
    ]


@pytest.mark.parametrize(
    "letter,amount",
    [
        ("A", "-1234567.89"),
        ("B", "456789.01"),
        ("C", "2000000"),
        ("D", "1500000"),
        ("E", "300000"),
        ("F", "750000.50"),
        ("G", "1227778.38"),
        ("H", "5000000.00"),
    ],
)
def test_consolidated_ebitda_lines(letter, amount):
    assert consolidated_ebitda(ITEMS).line(letter).amount == D(amount)


def test_kpn_add_back_is_line_g():
    g = consolidated_ebitda(ITEMS).line("G")
    assert "KPN" in g.label and g.line_item == "kpn_transaction_costs"


def test_cash_flow_lines_as_printed_no_line_e():
    m = borrower_cash_flow(ITEMS)
    assert [ln.letter for ln in m.lines] == ["A", "B", "C", "D", "F"]
    assert m.value == D("2250000.00")


def test_schedule_1_sections():
    s = schedule_1(ITEMS)
    assert list(s) == ["adjusted_quick_ratio", "consolidated_ebitda", "borrower_cash_flow"]
    assert s["consolidated_ebitda"].to_frame().loc["H", "amount"] == D("5000000.00")


def test_missing_line_item_is_clear():
    items = dict(ITEMS)
    del items["kpn_transaction_costs"]
    with pytest.raises(
        MissingLineItemError,
        match=r"Consolidated EBITDA: line G needs line item 'kpn_transaction_costs'",
    ):
        consolidated_ebitda(items)


def test_non_numeric_line_item():
    with pytest.raises(ValueError, match=r"line A \(borrower_ebitda\): not an amount: 'n/a'"):
        compute_metric("borrower_ebitda", {"borrower_ebitda": "n/a"})


def test_quick_ratio_undefined_when_line_i_not_positive():
    items = dict(ITEMS, deferred_revenue=D("55000000"))
    with pytest.raises(ValueError, match="line I .* not positive"):
        adjusted_quick_ratio(items)


# --- finding 15: mapping inputs validated, sign rules per Schedule 1 line --------------------
@pytest.mark.parametrize(
    "item,value,match",
    [
        (
            "net_income",
            float("nan"),
            r"Consolidated EBITDA, quarter 2008-06-30: line A \(net_income\): not a finite amount: nan",
        ),
        (
            "net_income",
            float("inf"),
            r"Consolidated EBITDA, quarter 2008-06-30: line A \(net_income\): not a finite amount: inf",
        ),
        (
            "cash_at_bank",
            -50,
            r"Adjusted Quick Ratio, quarter 2008-06-30: line A \(cash_at_bank\): must not be negative \(got -50\)",
        ),
        ("deferred_revenue", D("-1"), r"line H \(deferred_revenue\): must not be negative"),
        (
            "unfunded_capex",
            -1,
            r"Borrower Cash Flow, quarter 2008-06-30: line B \(unfunded_capex\): must not be negative",
        ),
        ("income_taxes_paid", -1, r"line C \(income_taxes_paid\): must not be negative"),
        (
            "dividends_and_distributions",
            -1,
            r"line D \(dividends_and_distributions\): must not be negative",
        ),
        ("obligations_to_bank", True, r"line E \(obligations_to_bank\): not an amount: True"),
    ],
)
def test_bad_inputs_name_line_item_and_quarter(item, value, match):
    import datetime as dt

    with pytest.raises(ValueError, match=match):
        schedule_1(dict(ITEMS, **{item: value}), dt.date(2008, 6, 30))


def test_quarter_named_from_quarter_actuals():
    from model.params import load

    qa = load("params/actuals/ibasis-2008.csv").quarter("2008-06-30")
    bad = {k: qa[k] for k in qa}
    bad["net_income"] = float("nan")
    with pytest.raises(ValueError, match="not a finite amount"):
        consolidated_ebitda(bad)
    assert consolidated_ebitda(qa).line("A").kind == "estimate"  # Q2 2008 "at breakeven"


@pytest.mark.parametrize(
    "item", ["net_income", "borrower_ebitda", "income_tax_expense", "non_cash_items"]
)
def test_negative_allowed_where_schedule_1_allows(item):
    s = schedule_1(dict(ITEMS, **{item: D("-1")}))
    assert s  # no error


def test_ratio_rounds_half_up():
    # D / I = 100005 / 100000 = 1.00005 exactly: half up 1.0001 (half-even would give 1.0000)
    items = dict(
        ITEMS,
        cash_at_bank=D("100005"),
        net_billed_receivables=0,
        short_term_investments=0,
        obligations_to_bank=0,
        liabilities_due_within_one_year=D("100000"),
        deferred_revenue=0,
    )
    assert adjusted_quick_ratio(items).value == D("1.0001")


def test_form_corrections_recorded():
    from model.metrics import FORM_CORRECTIONS

    s = schedule_1(ITEMS)["adjusted_quick_ratio"]
    printed = {where: (p, u) for where, p, u in FORM_CORRECTIONS}
    assert printed["Schedule 1, I, line C"] == (
        "of Borrower and it Subsidiaries",
        "of Borrower and its Subsidiaries",
    )
    assert s.line("C").label.endswith("of Borrower and its Subsidiaries")
    assert s.line("F").label.endswith("that matures within one (1) year")
    assert "within one (1) year" in printed["Schedule 1, I, line F"][1]
