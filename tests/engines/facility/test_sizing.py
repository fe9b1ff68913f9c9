"""Sizing questions: maximum draw, receivables needed, first shortfall date
(model.engines.facility.sizing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from model.engines.facility.sizing import (
    first_shortfall_date,
    max_draw,
    receivables_needed,
    receivables_needed_schedule,
)
from model.errors import InputError
from model.terms import load

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
D = dt.date


@pytest.mark.parametrize(
    "day, expected",
    [  # 30M balance: (30M - clause (c)) / 80%
        (D(2008, 5, 31), "18750000.00"),  # (c) 15M
        (D(2008, 6, 1), "23437500.00"),  # (c) 11.25M
        (D(2008, 9, 1), "28125000.00"),  # (c) 7.5M
        (D(2008, 12, 1), "32812500.00"),  # (c) 3.75M
        (D(2009, 3, 1), "37500000.00"),  # (c) 0
        (D(2008, 4, 27), "37500000.00"),  # original: no (c)
    ],
)
def test_receivables_needed(day, expected):
    assert receivables_needed(FAC, day, 30_000_000) == Decimal(expected)


def test_receivables_needed_with_foreign_and_errors():
    # 30M - 0.7 x 10M - 15M = 8M; / 0.8 = 10M
    assert (
        receivables_needed(FAC, D(2008, 5, 1), 30_000_000, eligible_foreign_ar=10_000_000)
        == 10_000_000
    )
    assert receivables_needed(FAC, D(2008, 5, 1), 10_000_000) == 0
    with pytest.raises(InputError, match=r"above the Revolving Line \(35,000,000.00\)"):
        receivables_needed(FAC, D(2008, 4, 27), 36_000_000)
    s = receivables_needed_schedule(FAC, 30_000_000, ["2008-05-31", "2008-06-01"])
    assert s["eligible_domestic_needed"].tolist() == [
        Decimal("18750000.00"),
        Decimal("23437500.00"),
    ]


def test_max_draw_is_availability():
    assert max_draw(FAC, D(2008, 5, 31), 10_000_000, 0, 20_000_000) == Decimal("3000000.00")
    assert max_draw(FAC, D(2008, 6, 1), 10_000_000, 0, 20_000_000) == 0  # 8M + 11.25M < 20M


@pytest.mark.parametrize(
    "balance, expected",
    [  # eligible domestic 30M -> (a) 24M
        (35_000_000, D(2008, 9, 1)),  # 24M + 11.25M = 35.25M >= 35M; 24M + 7.5M < 35M
        (30_000_000, D(2008, 12, 1)),  # 24M + 3.75M < 30M
        (26_000_000, D(2009, 3, 1)),
        (24_000_000, None),
    ],
)
def test_first_shortfall_date(balance, expected):
    assert first_shortfall_date(FAC, "2008-04-28", "2009-06-30", balance, 30_000_000, 0) == expected


def test_bad_dates_raise_input_error():
    with pytest.raises(
        InputError,
        match=r"^as_of: '2008-02-30' is not a calendar date \(February 2008 has 29 days\)$",
    ):
        receivables_needed(FAC, "2008-02-30", 1)
    with pytest.raises(
        InputError, match=r"^end: '2009-13-01' is not a calendar date \(there is no month 13\)$"
    ):
        first_shortfall_date(FAC, "2008-04-28", "2009-13-01", 1, 1, 0)


def test_schedule_marks_a_balance_above_the_line_instead_of_raising():
    # 40M is above the original 35M line (2008-04-27), not the amended 50M one (2008-04-28)
    s = receivables_needed_schedule(FAC, 40_000_000, ["2008-04-27", "2008-04-28"])
    assert s["eligible_domestic_needed"].tolist() == [None, Decimal("31250000.00")]
    assert s["note"].tolist() == ["not possible: above the $35,000,000 Revolving Line", ""]
    # mixed: 30M is fine, reserves push it above the line
    s = receivables_needed_schedule(FAC, 30_000_000, ["2008-05-31", "2008-06-01"], reserves=0)
    assert s["note"].tolist() == ["", ""]
    s = receivables_needed_schedule(FAC, 30_000_000, ["2008-04-27"], reserves=6_000_000)
    assert s.loc["2008-04-27", "eligible_domestic_needed"] is None
    # the single-date function still refuses
    with pytest.raises(InputError, match="above the Revolving Line"):
        receivables_needed(FAC, D(2008, 4, 27), 40_000_000)


def test_errors_name_the_input_the_date_and_the_rule():
    with pytest.raises(
        InputError,
        match=r"^outstanding plus reserves on 2008-04-27: 36,000,000.00 is above the Revolving "
        r"Line \(35,000,000.00\): no receivables can support it$",
    ):
        receivables_needed(FAC, D(2008, 4, 27), 30_000_000, reserves=6_000_000)
    with pytest.raises(InputError, match=r"^outstanding on 2008-06-01: must not be negative"):
        receivables_needed(FAC, D(2008, 6, 1), -1)
    with pytest.raises(InputError, match=r"^end: 2008-04-27 is before start 2008-04-28$"):
        first_shortfall_date(FAC, "2008-04-28", "2008-04-27", 1, 1, 0)
