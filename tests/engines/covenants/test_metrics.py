"""Metric build-ups (model.engines.covenants.metrics): Schedule 1 on a hand-worked example,
measurement periods, and bad figures.

The build-ups are data (params/deals/ibasis/facilities/svb-compliance-certificate.yaml, reached through
``FAC.compliance.metric(id)``); these tests check the engine reproduces Schedule 1 from it.

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

import datetime as dt
from decimal import Decimal as D

import pytest

from model.engines.covenants import MetricBuildUp, build_metric, period_items, schedule_1
from model.errors import InputError, NotFoundError, UndefinedMetricError
from model.terms import Actuals, MissingLineItemError, QuarterNotInActualsError, load

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
COMP = FAC.compliance
ACTUALS = "params/deals/ibasis/actuals/ibasis-2008.csv"
Q = "2008-06-30"

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


def build(metric_id: str, items, quarter_end=None) -> MetricBuildUp:
    """The deal's ``metric_id`` built from ``items`` with the deal's line items."""
    return build_metric(COMP.metric(metric_id), items, COMP.line_items, quarter_end)


def adjusted_quick_ratio(items) -> MetricBuildUp:
    return build("adjusted_quick_ratio", items)


def consolidated_ebitda(items) -> MetricBuildUp:
    return build("consolidated_ebitda", items)


def borrower_cash_flow(items) -> MetricBuildUp:
    return build("borrower_cash_flow", items)


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
    assert m.value == D("1.4950") and m.unit == "ratio"
    assert m.line("J").unit == "ratio" and m.line("D").unit == "usd"


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


def test_consolidated_ebitda_value_and_formula():
    m = consolidated_ebitda(ITEMS)
    assert m.value == D("5000000.00")
    assert m.line("H").formula == "A + B + C + D + E + F + G"


def test_kpn_add_back_is_line_g():
    g = consolidated_ebitda(ITEMS).line("G")
    assert "KPN" in g.label and g.line_item == "kpn_transaction_costs"


def test_cash_flow_lines_as_printed_no_line_e():
    m = borrower_cash_flow(ITEMS)
    assert [ln.letter for ln in m.lines] == ["A", "B", "C", "D", "F"]
    assert m.value == D("2250000.00")
    assert m.line("F").formula == "A - B - C - D"


def test_schedule_1_sections():
    s = schedule_1(FAC, ITEMS, Q)
    assert list(s) == ["adjusted_quick_ratio", "consolidated_ebitda", "borrower_cash_flow"]
    assert s["consolidated_ebitda"].to_frame().loc["H", "amount"] == D("5000000.00")
    assert s["adjusted_quick_ratio"].value == D("1.4950")
    assert s["borrower_cash_flow"].value == D("2250000.00")


def test_missing_line_item_is_clear():
    items = dict(ITEMS)
    del items["kpn_transaction_costs"]
    with pytest.raises(
        MissingLineItemError,
        match=r"Consolidated EBITDA: line G needs line item 'kpn_transaction_costs'",
    ):
        consolidated_ebitda(items)


def test_missing_line_of_a_build_up_lists_the_lines():
    with pytest.raises(
        NotFoundError, match=r"Borrower Cash Flow: no line 'E'; lines: A, B, C, D, F"
    ):
        borrower_cash_flow(ITEMS).line("E")


def test_non_numeric_line_item():
    with pytest.raises(InputError, match=r"line A \(borrower_ebitda\): not an amount: 'n/a'"):
        build_metric(COMP.metric("borrower_ebitda"), {"borrower_ebitda": "n/a"})


def test_quick_ratio_undefined_when_line_i_not_positive():
    # old: ValueError; now UndefinedMetricError (an ArithmeticError): the figures are valid,
    # the ratio is not defined
    items = dict(ITEMS, deferred_revenue=D("55000000"))
    with pytest.raises(UndefinedMetricError, match="line I .* not positive"):
        adjusted_quick_ratio(items)


def test_zero_denominator_is_undefined_naming_metric_line_and_quarter():
    items = dict(
        ITEMS, obligations_to_bank=0, liabilities_due_within_one_year=0, deferred_revenue=0
    )
    with pytest.raises(
        UndefinedMetricError,
        match=r"^Adjusted Quick Ratio, quarter 2008-06-30: line J \(D / I\): line I is 0, not "
        r"positive: the ratio is undefined$",
    ):
        build("adjusted_quick_ratio", items, Q)
    assert issubclass(UndefinedMetricError, ArithmeticError)
    assert not issubclass(UndefinedMetricError, ValueError)


def test_negative_denominator_is_undefined():
    items = dict(ITEMS, deferred_revenue=D("55000000.01"))  # I = 55,000,000 - 55,000,000.01
    with pytest.raises(UndefinedMetricError, match=r"line I is -0\.01, not positive"):
        adjusted_quick_ratio(items)


# --- mapping inputs validated, sign rules per Schedule 1 line (the deal's may_be_negative) --
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
        # old: "not an amount: True"; the shared reader now says why
        (
            "obligations_to_bank",
            True,
            r"line E \(obligations_to_bank\): a yes/no value is not an amount: True",
        ),
        (
            "cash_at_bank",
            "1500.005",
            r"line A \(cash_at_bank\): an amount of money has at most two decimals, cents",
        ),
    ],
)
def test_bad_inputs_name_line_item_and_quarter(item, value, match):
    with pytest.raises(InputError, match=match):
        schedule_1(FAC, dict(ITEMS, **{item: value}), dt.date(2008, 6, 30))


def test_quarter_named_from_quarter_actuals():
    qa = load(ACTUALS).quarter("2008-06-30")
    bad = {k: qa[k] for k in qa}
    bad["net_income"] = float("nan")
    with pytest.raises(ValueError, match="not a finite amount"):
        consolidated_ebitda(bad)
    m = consolidated_ebitda(qa)
    assert m.line("A").kind == "estimate"  # Q2 2008 "at breakeven"
    assert m.line("B").kind == "illustrative"
    assert m.line("H").kind == "computed"


def test_quarter_taken_from_quarter_actuals_in_messages():
    qa = load(ACTUALS).quarter("2008-06-30")
    entries = dict(qa.entries)
    del entries["interest_expense"]
    short = type(qa)(qa.quarter_end, entries, qa.file)
    with pytest.raises(
        MissingLineItemError,
        match=r"params/deals/ibasis/actuals/ibasis-2008.csv: quarter 2008-06-30: line item 'interest_expense' is missing",
    ):
        consolidated_ebitda(short)


@pytest.mark.parametrize(
    "item", ["net_income", "borrower_ebitda", "income_tax_expense", "non_cash_items"]
)
def test_negative_allowed_where_schedule_1_allows(item):
    s = schedule_1(FAC, dict(ITEMS, **{item: D("-1")}), Q)
    assert s  # no error
    assert COMP.line_items[item].may_be_negative


def test_without_the_deals_line_items_nothing_may_be_negative():
    with pytest.raises(InputError, match=r"line A \(net_income\): must not be negative"):
        build_metric(COMP.metric("consolidated_ebitda"), ITEMS)


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
    s = schedule_1(FAC, ITEMS, Q)["adjusted_quick_ratio"]
    printed = {c.where: (c.printed, c.used) for c in COMP.certificate.corrections}
    assert printed["Schedule 1, I, line C"] == (
        "of Borrower and it Subsidiaries",
        "of Borrower and its Subsidiaries",
    )
    assert s.line("C").label.endswith("of Borrower and its Subsidiaries")
    assert s.line("F").label.endswith("that matures within one (1) year")
    assert "within one (1) year" in printed["Schedule 1, I, line F"][1]


def test_metric_must_be_the_deals_metric():
    with pytest.raises(InputError, match=r"^metric: metric must be a Metric of the deal's"):
        build_metric("consolidated_ebitda", ITEMS)


# --- measurement periods: flows summed over the window, balances at the quarter end --------
WINDOW = ["2007-09-30", "2007-12-31", "2008-03-31", "2008-06-30"]


def _actuals(
    quarters=WINDOW, net_income=(1, 2, 3, 4), cash=(10, 20, 30, 40), kinds=None
) -> Actuals:
    kinds = kinds or ["reported"] * len(quarters)
    records = []
    for q, ni, c, k in zip(quarters, net_income, cash, kinds, strict=True):
        records.append((q, "net_income", ni, k, f"release {q}"))
        records.append((q, "cash_at_bank", c, "illustrative", "sample"))
    return Actuals.from_records(records)


def test_trailing_four_quarters_sums_flows():
    items = period_items(_actuals(), "2008-06-30", "trailing_four_quarters", COMP)
    assert items["net_income"] == D("10")  # 1 + 2 + 3 + 4
    e = items.entries["net_income"]
    assert e.source == "sum of 4 quarters 2007-09-30 to 2008-06-30"
    assert items.quarter_end == dt.date(2008, 6, 30)


def test_balance_item_taken_at_the_quarter_end():
    items = period_items(_actuals(), "2008-06-30", "trailing_four_quarters", COMP)
    assert COMP.line_items["cash_at_bank"].measure == "balance"
    assert items["cash_at_bank"] == D("40")  # the 2008-06-30 balance, not 100
    assert items.entries["cash_at_bank"].source == "sample"


def test_year_to_date_sums_the_fiscal_years_quarters():
    acts = _actuals(["2008-03-31", "2008-06-30"], (5, 7), (1, 2))
    items = period_items(acts, "2008-06-30", "year_to_date", COMP)
    assert items["net_income"] == D("12") and items["cash_at_bank"] == D("2")
    # the first quarter of the fiscal year is that quarter alone
    first = period_items(acts, "2008-03-31", "year_to_date", COMP)
    assert first["net_income"] == D("5")


def test_fiscal_quarter_is_the_quarter_itself():
    acts = _actuals()
    assert period_items(acts, "2008-06-30", "fiscal_quarter", COMP) is acts.quarter("2008-06-30")


def test_summed_figure_takes_the_least_reliable_provenance():
    acts = _actuals(kinds=["reported", "estimate", "illustrative", "reported"])
    assert period_items(acts, "2008-06-30", "trailing_four_quarters", COMP).entries[
        "net_income"
    ].kind == ("illustrative")
    acts = _actuals(kinds=["reported", "estimate", "reported", "reported"])
    assert period_items(acts, "2008-06-30", "trailing_four_quarters", COMP).entries[
        "net_income"
    ].kind == ("estimate")


def test_missing_quarter_in_the_window_names_the_quarter():
    acts = _actuals(WINDOW[1:], (2, 3, 4), (20, 30, 40))
    with pytest.raises(
        QuarterNotInActualsError,
        match=r"quarter 2007-09-30 is not in the actuals \(quarters present: 2007-12-31, "
        r"2008-03-31, 2008-06-30\)",
    ):
        period_items(acts, "2008-06-30", "trailing_four_quarters", COMP)


def test_flow_missing_from_an_earlier_quarter_names_quarter_and_item():
    records = [(q, "net_income", 1, "reported", "r") for q in WINDOW[1:]]
    records.append(("2007-09-30", "cash_at_bank", 1, "reported", "r"))
    records += [(q, "cash_at_bank", 1, "reported", "r") for q in WINDOW[1:]]
    with pytest.raises(
        MissingLineItemError, match=r"quarter 2007-09-30: line item 'net_income' is missing"
    ):
        period_items(Actuals.from_records(records), "2008-06-30", "trailing_four_quarters", COMP)


def test_metric_built_over_trailing_four_quarters():
    acts = load(ACTUALS)
    items = period_items(acts, "2008-12-31", "trailing_four_quarters", COMP)
    m = build("consolidated_ebitda", items)
    by_quarter = [
        build("consolidated_ebitda", acts.quarter(q)).value
        for q in ("2008-03-31", "2008-06-30", "2008-09-30", "2008-12-31")
    ]
    assert m.value == sum(by_quarter)
    assert m.line("A").amount == D("-2100000") + 0 + D("3300000") + D("-17800000")
    assert m.line("A").kind == "estimate"  # Q2 2008 net income is an estimate
