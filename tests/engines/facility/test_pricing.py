"""Revolver pricing: tranche rates, exact daily accrual, base rate bounds and the interest
basis by version (model.engines.facility.pricing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from model.engines.facility.pricing import daily_interest, interest_basis, interest_rates
from model.errors import InputError
from model.terms import load
from model.values import to_cents

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
D = dt.date


def test_rates_and_daily_interest():
    rev, oa = interest_rates(FAC.version("first_modification"), Decimal("0.05"))
    assert oa - rev == Decimal("0.0125")
    rev0, oa0 = interest_rates(FAC.version("original"), Decimal("0.05"))
    assert rev0 == oa0
    # 5,000,000 x (5% + 1.25%) / 360 for one day
    assert to_cents(daily_interest(Decimal(5_000_000), oa, D(2008, 6, 1), "ACT/360")) == Decimal(
        "868.06"
    )


@pytest.mark.parametrize("rate", [5.0, "0.5", -0.01, "1"])
def test_base_rate_bounds(rate):
    with pytest.raises(
        InputError, match=r"base_rate: a rate is a decimal fraction.*write 0.08 for 8%"
    ):
        interest_rates(FAC.version("first_modification"), rate)


def test_interest_basis_says_the_margin_is_an_assumption():
    # interest_basis only; the same test with describe_interest_basis is in test_pending_port.py
    fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    b = interest_basis(
        fac, "2008-04-01", "2009-06-30", "params/deals/ibasis/scenarios/prime-rate-2007-2009.csv"
    )
    assert [x["version"] for x in b] == ["original", "first_modification"]
    assert [x["from"] for x in b] == [dt.date(2008, 4, 1), dt.date(2008, 4, 28)]
    assert all(x["base_rate_index"] == "prime" and x["margin"] == 0 for x in b)
    assert all(x["margin_is_assumption"] for x in b)
    assert b[1]["over_advance_margin"] == Decimal("0.0125") and b[0]["over_advance_margin"] is None
    # only the versions in force in the period
    assert [x["version"] for x in interest_basis(fac, "2008-05-01", "2008-06-30")] == [
        "first_modification"
    ]
