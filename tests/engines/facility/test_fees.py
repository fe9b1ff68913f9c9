"""Fees and permitted indebtedness: modification fees, the termination fee and its schedule,
KPN debt headroom (model.engines.facility.fees)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from model.engines.facility.fees import (
    indebtedness_headroom,
    one_time_fees,
    termination_fee,
    termination_fee_schedule,
)
from model.errors import InputError
from model.terms import load

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
D = dt.date


def test_one_time_fees():
    f = one_time_fees(FAC).set_index("fee")
    assert f.loc["supplemental_commitment_fee", "amount"] == Decimal("150000.00")  # FLM Sec. 4(i)
    assert f.loc["modification_fee", "amount"] == Decimal("75000.00")  # FLM Sec. 4(ii)
    assert set(f["date"]) == {D(2008, 4, 28)}


@pytest.mark.parametrize(
    "day, fee, why",
    [  # Sec. 4.1(c); Effective Date assumed 2007-10-02
        (D(2007, 10, 2), "350000.00", "1% of $35M, within six months"),
        (D(2008, 4, 1), "350000.00", "1% of $35M, last day within six months"),
        (D(2008, 4, 2), "175000.00", "0.50% of $35M from six months after"),
        (D(2008, 4, 27), "175000.00", "0.50% of $35M, day before the modification"),
        (D(2008, 4, 28), "250000.00", "0.50% of $50M (FLM Sec. 3.A.IV)"),
        (D(2008, 10, 1), "250000.00", "0.50% of $50M, day before the first anniversary"),
        (D(2008, 10, 2), "0", "none from the first anniversary (up to but not including)"),
        (D(2009, 1, 1), "0", "exception (ii): after the first anniversary"),
    ],
)
def test_termination_fee(day, fee, why):
    assert termination_fee(FAC, day) == Decimal(fee)


def test_termination_fee_exceptions_and_reason():
    d = D(2008, 5, 1)
    # exception (i), replacement by a new SVB facility: renamed replaced_by_bank_facility
    assert termination_fee(FAC, d, replaced_by_bank_facility=True) == 0
    assert termination_fee(FAC, d, libor_withdrawal=True) == 0
    assert termination_fee(FAC, d, reason="other") == 0
    assert termination_fee(FAC, d, reason="bank_event_of_default") == Decimal("250000.00")
    with pytest.raises(
        InputError,
        match=r"^reason: unknown value 'whim'; valid: 'borrower_election', "
        r"'bank_event_of_default', 'other'$",
    ):
        termination_fee(FAC, d, reason="whim")
    fac = load(
        "params/deals/ibasis/facilities/svb-loan-agreement.yaml",
        overrides={"original.termination_fee.effective_date.value": "2008-01-01"},
    )
    assert termination_fee(fac, D(2008, 6, 30)) == Decimal("500000.00")  # 1% of $50M


def test_termination_fee_schedule():
    s = termination_fee_schedule(FAC, "2007-10-02", "2009-06-30")
    assert s[["from", "to"]].astype(str).values.tolist() == [
        ["2007-10-02", "2008-04-01"],
        ["2008-04-02", "2008-04-27"],
        ["2008-04-28", "2008-10-01"],
        ["2008-10-02", "2009-06-30"],
    ]
    assert s["fee"].tolist() == [
        Decimal("350000.00"),
        Decimal("175000.00"),
        Decimal("250000.00"),
        Decimal("0"),
    ]


@pytest.mark.parametrize(
    "day, amounts, permitted",
    [
        # original (g): KPN note up to 9M plus up to 1M other, 10M in all
        (D(2008, 4, 27), {"kpn_note": 9_000_000, "other": 1_000_000}, [True, True, True]),
        (D(2008, 4, 27), {"kpn_note": 9_500_000}, [False, True, True]),
        # amended (g): 16M in the aggregate, which may all be the KPN note
        (D(2008, 4, 28), {"kpn_note": 16_000_000}, [True, True, True]),
        # other indebtedness has no limit of its own; the aggregate binds: 15M + 2M > 16M
        (D(2008, 4, 28), {"kpn_note": 15_000_000, "other": 2_000_000}, [True, True, False]),
    ],
)
def test_indebtedness(day, amounts, permitted):
    assert indebtedness_headroom(FAC, day, amounts)["permitted"].tolist() == permitted


def test_termination_fee_uses_schedule_add_months():
    # six months after 2008-08-31 is 2009-02-28 (month end clamped): model.dates.add_months
    fac = load(
        "params/deals/ibasis/facilities/svb-loan-agreement.yaml",
        overrides={"original.termination_fee.effective_date.value": "2008-08-31"},
    )
    assert termination_fee(fac, D(2009, 2, 27)) == Decimal("500000.00")
    assert termination_fee(fac, D(2009, 2, 28)) == Decimal("250000.00")
    with pytest.raises(
        InputError,
        match=r"termination_date: '2008-02-30' is not a calendar date \(February 2008 has 29 days\)",
    ):
        termination_fee(FAC, "2008-02-30")
