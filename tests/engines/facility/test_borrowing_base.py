"""Borrowing base, availability and over-advance: golden boundary dates, the line cap,
lowered advance rates, properties and bad input (model.engines.facility.borrowing_base)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.engines.facility.borrowing_base import (
    availability,
    borrowing_base,
    over_advance_amount,
    over_advance_usage,
)
from model.errors import InputError
from model.terms import load

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
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
    with pytest.raises(InputError, match="may only decrease"):
        borrowing_base(FAC, D(2008, 6, 1), 1, 1, domestic_advance_rate="0.85")
    with pytest.raises(
        InputError,
        # the wording of every rate (model.values.read_rate), 100% included
        match=r"^foreign_advance_rate: a rate is a decimal fraction from 0 to 1 \(write 0\.08 for 8%\), got 1.5$",
    ):
        borrowing_base(FAC, D(2008, 6, 1), 1, 1, foreign_advance_rate="1.5")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"eligible_domestic_ar": -1}, "eligible_domestic_ar on 2008-06-01: must not be negative"),
        (
            {"eligible_foreign_ar": float("nan")},
            "eligible_foreign_ar on 2008-06-01: not a finite amount",
        ),
        (
            {"eligible_foreign_ar": True},
            "eligible_foreign_ar on 2008-06-01: a yes/no value is not an amount: True",
        ),
        (
            {"gross_domestic_ar": 5},
            r"eligible_domestic_ar on 2008-06-01: 10.00 is above gross_domestic_ar \(5.00\)",
        ),
    ],
)
def test_bad_receivables(kwargs, message):
    args = {"eligible_domestic_ar": 10, "eligible_foreign_ar": 0} | kwargs
    with pytest.raises(InputError, match=message):
        borrowing_base(FAC, D(2008, 6, 1), **args)


def test_version_before_its_effective_date():
    with pytest.raises(InputError, match="before version 'first_modification' took effect"):
        borrowing_base(FAC.version("first_modification"), D(2008, 4, 27), 1, 1)
    # the original terms can be asked "what if" after the amendment date
    assert borrowing_base(FAC.version("original"), D(2008, 6, 1), 10, 0).line == 35_000_000


def test_over_advance_usage():
    bb = borrowing_base(FAC, D(2008, 6, 1), 25_000_000, 0)  # (a) 20M, (c) 11.25M
    assert over_advance_usage(bb, 25_000_000) == Decimal(5_000_000)
    assert over_advance_usage(bb, 19_000_000) == 0


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
