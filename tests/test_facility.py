"""Borrowing base, availability, over-advance and liquidity triggers: golden boundary dates,
properties and bad input."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.facility import (
    FacilityInputError,
    availability,
    borrowing_base,
    compare_with_certificate,
    daily_interest,
    eligibility_waterfall,
    interest_rates,
    invoice_aging_date,
    liquidity,
    liquidity_triggers,
    over_advance_amount,
    over_advance_usage,
)
from model.ledger import certificate_on, read_dated_csv
from model.params import load
from model.values import to_cents

FAC = load("params/facilities/svb-loan-agreement.yaml")
FAC_SUM = load(
    "params/facilities/svb-loan-agreement.yaml",
    overrides={"amendments.0.changes.triggers.agings_measure.value": "sum"},
)
D = dt.date
OA = "First Loan Modification Sec. 3.A.I, Borrowing Base (c)"

# day before / day / day after every clause (c) boundary
CLAUSE_C = [
    (D(2008, 4, 27), 0, "original terms: no clause (c)"),
    (D(2008, 4, 28), 15_000_000, OA + "(i) from the Execution Date"),
    (D(2008, 4, 29), 15_000_000, OA + "(i)"),
    (D(2008, 5, 30), 15_000_000, OA + "(i)"),
    (D(2008, 5, 31), 15_000_000, OA + "(i) through May 31, 2008"),
    (D(2008, 6, 1), 11_250_000, OA + "(ii) beginning June 1, 2008"),
    (D(2008, 6, 2), 11_250_000, OA + "(ii)"),
    (D(2008, 8, 30), 11_250_000, OA + "(ii)"),
    (D(2008, 8, 31), 11_250_000, OA + "(ii) through August 31, 2008"),
    (D(2008, 9, 1), 7_500_000, OA + "(iii) beginning September 1, 2008"),
    (D(2008, 9, 2), 7_500_000, OA + "(iii)"),
    (D(2008, 11, 29), 7_500_000, OA + "(iii)"),
    (D(2008, 11, 30), 7_500_000, OA + "(iii) through November 30, 2008"),
    (D(2008, 12, 1), 3_750_000, OA + "(iv) Beginning December 1, 2008"),
    (D(2008, 12, 2), 3_750_000, OA + "(iv)"),
    (D(2009, 2, 27), 3_750_000, OA + "(iv)"),
    (D(2009, 2, 28), 3_750_000, OA + "(iv) through February 28, 2009"),
    (D(2009, 3, 1), 0, OA + "(v) thereafter, $0"),
    (D(2009, 3, 2), 0, OA + "(v)"),
]


@pytest.mark.parametrize("day, amount, source", CLAUSE_C)
def test_clause_c_schedule(day, amount, source):
    assert over_advance_amount(FAC, day) == Decimal(amount)
    bb = borrowing_base(FAC, day, 10_000_000, 10_000_000)
    assert bb.domestic == Decimal(8_000_000) and bb.foreign == Decimal(7_000_000)
    assert bb.over_advance == Decimal(amount)
    assert bb.total == Decimal(15_000_000 + amount)


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
            r"the agings test on 2008-06-15 \(Sec. 6.2\(a\)\(ix\), triggers.agings_measure "
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
            r"liquidity on 2008-06-15 \(10.00\) is not cash \(5.00\) plus availability \(6.00\)",
        ),
        ((True,), {}, "liquidity on 2008-06-15: not an amount: True"),
    ],
)
def test_liquidity_triggers_bad_input(args, kwargs, message):
    with pytest.raises(FacilityInputError, match=message):
        liquidity_triggers(FAC, D(2008, 6, 15), *args, **kwargs)


def test_negative_liquidity_refused_in_original_version():
    with pytest.raises(FacilityInputError, match="liquidity on 2008-04-01: must not be negative"):
        liquidity_triggers(FAC, D(2008, 4, 1), -100)


def test_event_of_default_forces_cash_dominion():
    t = liquidity_triggers(
        FAC, D(2008, 6, 1), cash=10**9, availability=10**9, event_of_default=True
    )
    assert t.cash_dominion


@pytest.mark.parametrize(
    "day, expected, why",
    [  # eligible domestic 60M -> (a) 48M; line binds
        (D(2008, 4, 27), 35_000_000 - 5_000_000, "original $35M line"),
        (D(2008, 4, 28), 50_000_000 - 5_000_000, "amended $50M line (48M + 15M base)"),
        (D(2008, 4, 29), 50_000_000 - 5_000_000, "amended $50M line"),
    ],
)
def test_line_cap_each_side_of_amendment(day, expected, why):
    assert availability(FAC, day, 60_000_000, 0, 5_000_000) == Decimal(expected)
    assert borrowing_base(FAC, day, 60_000_000, 0).line == (
        Decimal(35_000_000) if day < D(2008, 4, 28) else Decimal(50_000_000)
    )


def test_availability_with_reserves_and_lcs_and_floor():
    assert availability(
        FAC, D(2008, 6, 1), 20_000_000, 0, 10_000_000, reserves=1_000_000, letters_of_credit=250_000
    ) == Decimal("16000000.00")  # 16M + 11.25M - 10M - 1.25M
    assert availability(FAC, D(2009, 3, 1), 10_000_000, 0, 9_000_000) == 0  # over limit


def test_lowered_advance_rate():
    bb = borrowing_base(
        FAC,
        D(2008, 6, 1),
        10_000_000,
        10_000_000,
        domestic_advance_rate="0.75",
        foreign_advance_rate=0.5,
    )
    assert (bb.domestic, bb.foreign) == (Decimal("7500000.00"), Decimal("5000000.0"))
    with pytest.raises(FacilityInputError, match="may only decrease"):
        borrowing_base(FAC, D(2008, 6, 1), 1, 1, domestic_advance_rate="0.85")
    with pytest.raises(FacilityInputError, match="foreign_advance_rate must be between 0 and 1"):
        borrowing_base(FAC, D(2008, 6, 1), 1, 1, foreign_advance_rate="1.5")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"eligible_domestic_ar": -1}, "eligible_domestic_ar on 2008-06-01: must not be negative"),
        (
            {"eligible_foreign_ar": float("nan")},
            "eligible_foreign_ar on 2008-06-01: not a finite amount",
        ),
        ({"eligible_foreign_ar": True}, "eligible_foreign_ar on 2008-06-01: not an amount: True"),
        (
            {"gross_domestic_ar": 5},
            r"eligible_domestic_ar on 2008-06-01 \(10.00\) is above gross_domestic_ar",
        ),
    ],
)
def test_bad_receivables(kwargs, message):
    args = {"eligible_domestic_ar": 10, "eligible_foreign_ar": 0} | kwargs
    with pytest.raises(FacilityInputError, match=message):
        borrowing_base(FAC, D(2008, 6, 1), **args)


def test_version_before_its_effective_date():
    with pytest.raises(FacilityInputError, match="before version 'first_modification' took effect"):
        borrowing_base(FAC.version("first_modification"), D(2008, 4, 27), 1, 1)
    # the original terms can be asked "what if" after the amendment date
    assert borrowing_base(FAC.version("original"), D(2008, 6, 1), 10, 0).line == 35_000_000


def test_over_advance_usage_and_rates():
    bb = borrowing_base(FAC, D(2008, 6, 1), 25_000_000, 0)  # (a) 20M, (c) 11.25M
    assert over_advance_usage(bb, 25_000_000) == Decimal(5_000_000)
    assert over_advance_usage(bb, 19_000_000) == 0
    rev, oa = interest_rates(FAC.version("first_modification"), Decimal("0.05"))
    assert oa - rev == Decimal("0.0125")
    rev0, oa0 = interest_rates(FAC.version("original"), Decimal("0.05"))
    assert rev0 == oa0
    # 5,000,000 x (5% + 1.25%) / 360 for one day
    assert to_cents(daily_interest(Decimal(5_000_000), oa, D(2008, 6, 1), "ACT/360")) == Decimal(
        "868.06"
    )
    assert liquidity(1, 2) == 3


@pytest.mark.parametrize("rate", [5.0, "0.5", -0.01, "1"])
def test_base_rate_bounds(rate):
    with pytest.raises(
        FacilityInputError, match=r"base_rate: a rate is a decimal fraction.*write 0.05 for 5%"
    ):
        interest_rates(FAC.version("first_modification"), rate)


money = st.decimals(min_value=0, max_value=80_000_000, places=2, allow_nan=False)
days = st.dates(min_value=D(2007, 10, 2), max_value=D(2009, 12, 31))


@settings(max_examples=150, deadline=None)
@given(day=days, dom=money, fgn=money, out=money)
def test_property_over_advance_bounds(day, dom, fgn, out):
    bb = borrowing_base(FAC, day, dom, fgn)
    used = over_advance_usage(bb, out)
    assert 0 <= used <= bb.over_advance == over_advance_amount(FAC, day)
    assert availability(FAC, day, dom, fgn, out) >= 0
    assert bb.limit <= bb.line


@settings(max_examples=150, deadline=None)
@given(
    day=days,
    dom=money,
    fgn=money,
    out=money,
    rd=st.decimals(min_value=0, max_value=Decimal("0.80"), places=3),
    rf=st.decimals(min_value=0, max_value=Decimal("0.70"), places=3),
    cut=st.decimals(min_value=0, max_value=1, places=3),
)
def test_property_lowering_rate_never_raises_availability(day, dom, fgn, out, rd, rf, cut):
    hi = availability(FAC, day, dom, fgn, out, domestic_advance_rate=rd, foreign_advance_rate=rf)
    lo = availability(
        FAC, day, dom, fgn, out, domestic_advance_rate=rd * cut, foreign_advance_rate=rf * cut
    )
    assert lo <= hi


INVOICES = pd.DataFrame(
    [
        # customer, invoice date, amount, foreign, affiliate, insured
        ("A", "2008-06-20", 1_000_000, False, False, False),
        ("A", "2008-02-01", 100_000, False, False, False),  # > 90 days
        ("B", "2008-02-01", 600_000, False, False, False),  # > 90 days: B 60% past due
        ("B", "2008-06-01", 400_000, False, False, False),  # cross-aged
        ("C", "2008-06-01", 500_000, False, True, False),  # affiliate
        ("D", "2008-06-01", 700_000, True, False, False),  # foreign not insured
        ("E", "2008-06-01", 800_000, True, False, True),
        ("F", "2008-06-15", 200_000, False, False, False),
    ],
    columns=["customer", "invoice_date", "amount", "foreign", "affiliate", "insured"],
).assign(aged_as_of="2008-06-30")


def test_eligibility_waterfall():
    inv = INVOICES
    w = eligibility_waterfall(FAC, D(2008, 6, 30), inv)
    assert w.loc["gross receivables", "total"] == 4_300_000
    assert w.loc["less: over 90 days from invoice", "domestic"] == -700_000
    assert w.loc["less: cross-aging (debtor over 50% past due)", "domestic"] == -400_000
    assert w.loc["less: affiliates", "domestic"] == -500_000
    assert w.loc["less: foreign not insured", "foreign"] == -700_000
    # remaining: A 1.0M, E 0.8M, F 0.2M = 2.0M; 25% cap 0.5M -> A -0.5M, E -0.3M
    assert w.loc["less: concentration over 25%", "total"] == -800_000
    assert w.loc["eligible accounts"].tolist() == [700_000, 500_000, 1_200_000]
    assert w["total"].iloc[:-1].sum() == w.loc["eligible accounts", "total"]  # exact
    bad = inv.copy()
    bad.loc[0, "amount"] = -5
    with pytest.raises(
        FacilityInputError,
        match=r"invoices row 1 \(customer 'A', dated 2008-06-20\): invoices.amount: must not be "
        r"negative \(got -5\)",
    ):
        eligibility_waterfall(FAC, D(2008, 6, 30), bad)
    with pytest.raises(FacilityInputError, match="after as_of"):
        eligibility_waterfall(FAC, D(2008, 6, 10), inv.assign(aged_as_of="2008-06-10"))


def test_eligibility_waterfall_is_exact_decimal_rounded_half_up_once():
    # A 100.00 and B 0.02 remain; 25% cap = 25.005; A's excess 74.995 is cut, so eligible is
    # 25.025 exactly: half up to 25.03 (in floats 25.025 is 25.02499..., rounded to 25.02)
    inv = pd.DataFrame(
        {
            "customer": ["A", "B"],
            "invoice_date": ["2008-06-01", "2008-06-01"],
            "amount": ["100.00", "0.02"],
            "foreign": [False, False],
            "affiliate": [False, False],
            "insured": [False, False],
            "aged_as_of": ["2008-06-30"] * 2,
        }
    )
    w = eligibility_waterfall(FAC, D(2008, 6, 30), inv)
    assert w.loc["eligible accounts", "domestic"] == Decimal("25.03")
    assert all(isinstance(v, Decimal) for v in w.to_numpy().ravel())
    assert w["domestic"].iloc[:-1].sum() == w.loc["eligible accounts", "domestic"]
    # 0.1 + 0.2 is 0.30000000000000004 in floats; exact here
    inv2 = inv.assign(amount=["0.10", "0.20"], customer=["A", "A"])
    w2 = eligibility_waterfall(FAC, D(2008, 6, 30), inv2)
    assert w2.loc["gross receivables", "domestic"] == Decimal("0.30")


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("foreign", "False", None),  # parsed, not bool("False") == True
        ("foreign", "no", None),
        (
            "insured",
            "",
            r"invoices row 1 \(customer 'A', dated 2008-06-20\): invoices.insured: "
            r"not a yes/no value: ''",
        ),
        (
            "affiliate",
            float("nan"),
            r"invoices row 1 .*invoices.affiliate: not a yes/no value: nan",
        ),
        ("foreign", "maybe", r"invoices row 1 .*invoices.foreign: not a yes/no value: 'maybe'"),
        ("foreign", 2, r"invoices.foreign: not a yes/no value: 2"),
    ],
)
def test_eligibility_flags_parsed_strictly(column, value, message):
    inv = INVOICES.astype({column: object})
    inv.loc[0, column] = value
    if message is None:
        w = eligibility_waterfall(FAC, D(2008, 6, 30), inv)
        assert w.loc["gross receivables", "domestic"] == 2_800_000  # A stays domestic
        return
    with pytest.raises(FacilityInputError, match=message):
        eligibility_waterfall(FAC, D(2008, 6, 30), inv)


@pytest.mark.parametrize("value", ["2008-13-45", "20/06/2008", "", None])
def test_bad_invoice_date_names_row_and_customer(value):
    inv = INVOICES.astype({"invoice_date": object})
    inv.loc[1, "invoice_date"] = value
    with pytest.raises(
        FacilityInputError,
        match=r"invoices row 2 \(customer 'A'\): invoice_date is not an ISO date \(YYYY-MM-DD\): "
        + re.escape(repr(value)),
    ):
        eligibility_waterfall(FAC, D(2008, 6, 30), inv)


def test_invoices_aged_at_another_date_are_refused():
    with pytest.raises(
        FacilityInputError,
        match="invoices aged as of 2008-06-30 used for 2008-12-01: .*supply invoices aged as of "
        "2008-12-01",
    ):
        eligibility_waterfall(FAC, D(2008, 12, 1), INVOICES)
    no_date = INVOICES.drop(columns="aged_as_of")
    with pytest.raises(FacilityInputError, match="invoices have no aging date"):
        eligibility_waterfall(FAC, D(2008, 6, 30), no_date)
    w = eligibility_waterfall(FAC, D(2008, 6, 30), no_date, aged_as_of="2008-06-30")
    assert w.loc["eligible accounts", "total"] == 1_200_000
    with pytest.raises(FacilityInputError, match="disagrees with the invoices' aged_as_of"):
        eligibility_waterfall(FAC, D(2008, 6, 30), INVOICES, aged_as_of="2008-06-29")
    mixed = INVOICES.assign(aged_as_of=["2008-06-30"] * 7 + ["2008-05-31"])
    with pytest.raises(FacilityInputError, match="must hold one date for every row"):
        invoice_aging_date(mixed)


def test_sample_certificate_agrees_with_invoice_waterfall():
    """One receivables source per date: the sample certificate dated 2008-06-30 carries the
    eligible and gross figures of the invoice waterfall for that date (illustrative data)."""
    inv = read_dated_csv("params/scenarios/svb-invoices-2008-06-30.csv")
    day = invoice_aging_date(inv)
    w = eligibility_waterfall(FAC, day, inv)
    for f in ("sample", "stressed"):
        cert = certificate_on(read_dated_csv(f"params/scenarios/svb-receivables-{f}.csv"), day)
        assert cert["date"] == day
        for seg in ("domestic", "foreign"):
            assert Decimal(str(cert[f"eligible_{seg}"])) == w.loc["eligible accounts", seg]
            assert Decimal(str(cert[f"gross_{seg}"])) == w.loc["gross receivables", seg]


def test_compare_with_certificate():
    w = eligibility_waterfall(FAC, D(2008, 6, 30), INVOICES)
    cert = pd.Series(
        {"eligible_domestic": 700_000.0, "eligible_foreign": 400_000.0, "gross_domestic": None}
    )
    c = compare_with_certificate(w, cert)
    assert c.loc["eligible_domestic", "difference"] == 0
    assert c.loc["eligible_foreign", "difference"] == 100_000
    assert c.loc["gross_domestic", "certificate"] is None
    with pytest.raises(FacilityInputError, match="certificate.eligible_foreign: not an amount"):
        compare_with_certificate(w, pd.Series({"eligible_domestic": 1.0, "eligible_foreign": "x"}))


def test_interest_basis_says_the_margin_is_an_assumption():
    from model.facility import describe_interest_basis, interest_basis

    fac = load("params/facilities/svb-loan-agreement.yaml")
    b = interest_basis(fac, "2008-04-01", "2009-06-30", "params/scenarios/prime-rate-2007-2009.csv")
    assert [x["version"] for x in b] == ["original", "first_modification"]
    assert [x["from"] for x in b] == [dt.date(2008, 4, 1), dt.date(2008, 4, 28)]
    assert all(x["base_rate_index"] == "prime" and x["margin"] == 0 for x in b)
    assert all(x["margin_is_assumption"] for x in b)
    assert b[1]["over_advance_margin"] == Decimal("0.0125") and b[0]["over_advance_margin"] is None
    text = describe_interest_basis(b)
    assert (
        "base rate: prime path from params/scenarios/prime-rate-2007-2009.csv; margin 0.00% (ASSUMPTION: "
        in text
    )
    assert "+1.25%" in text.splitlines()[1]
    # only the versions in force in the period
    assert [x["version"] for x in interest_basis(fac, "2008-05-01", "2008-06-30")] == [
        "first_modification"
    ]
