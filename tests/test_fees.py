"""Fees and baskets: modification fees, termination fee schedule, repurchase basket, KPN debt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from model.facility import FacilityInputError
from model.fees import (
    indebtedness_headroom,
    one_time_fees,
    repurchase_basket,
    termination_fee,
    termination_fee_schedule,
)
from model.params import load

FAC = load("params/facilities/svb-loan-agreement.yaml")
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
    assert termination_fee(FAC, d, replaced_by_svb_facility=True) == 0
    assert termination_fee(FAC, d, libor_withdrawal=True) == 0
    assert termination_fee(FAC, d, reason="other") == 0
    assert termination_fee(FAC, d, reason="bank_event_of_default") == Decimal("250000.00")
    with pytest.raises(FacilityInputError, match="reason must be"):
        termination_fee(FAC, d, reason="whim")
    fac = load(
        "params/facilities/svb-loan-agreement.yaml",
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


def test_repurchase_basket():
    r = repurchase_basket(
        FAC,
        pd.DataFrame(
            {
                "date": [
                    "2008-04-01",
                    "2008-05-01",
                    "2008-06-01",
                    "2008-07-01",
                    "2008-08-01",
                    "2008-09-01",
                ],
                "amount": [1e6, 10e6, 4e6, 2e6, 1e6, 1e6],
                "notice_given": [True, True, True, True, False, True],
                "default_exists": [False, False, False, False, False, True],
            }
        ),
    )
    assert r["permitted"].tolist() == [False, True, True, False, False, False]
    assert "no repurchase-program basket in version 'original'" in r["reason"].iloc[0]
    assert "condition (C)" in r["reason"].iloc[3]
    assert "condition (A)" in r["reason"].iloc[4] and "condition (B)" in r["reason"].iloc[5]
    assert r["cumulative"].iloc[-1] == Decimal(14_000_000)
    assert r["remaining"].iloc[-1] == Decimal(1_000_000)


@pytest.mark.parametrize(
    "day, kpn, other, permitted",
    [
        (D(2008, 4, 27), 9_000_000, 1_000_000, [True, True, True]),  # original (g): 9M + 1M
        (D(2008, 4, 27), 9_500_000, 0, [False, True, True]),
        (D(2008, 4, 28), 16_000_000, 0, [True, True]),  # amended (g): 16M, may all be KPN
        (D(2008, 4, 28), 15_000_000, 2_000_000, [True, False]),
    ],
)
def test_indebtedness(day, kpn, other, permitted):
    assert indebtedness_headroom(FAC, day, kpn, other)["permitted"].tolist() == permitted


@pytest.mark.parametrize(
    "notice, default, permitted",
    [
        (["False"], [False], False),  # bool("False") is True: parsed, not coerced
        (["no"], [False], False),
        (["True"], ["False"], True),
        (["yes"], ["true"], False),
        ([1], [0], True),
    ],
)
def test_repurchase_flags_parsed_strictly(notice, default, permitted):
    r = repurchase_basket(
        FAC,
        pd.DataFrame(
            {
                "date": ["2008-06-01"],
                "amount": [1e6],
                "notice_given": notice,
                "default_exists": default,
            }
        ),
    )
    assert r["permitted"].tolist() == [permitted]


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("notice_given", "", r"repurchases.notice_given on 2008-06-01: not a yes/no value: ''"),
        (
            "notice_given",
            float("nan"),
            r"repurchases.notice_given on 2008-06-01: not a yes/no value",
        ),
        ("default_exists", "perhaps", r"repurchases.default_exists on 2008-06-01: .*'perhaps'"),
    ],
)
def test_repurchase_bad_flags(column, value, message):
    df = pd.DataFrame(
        {"date": ["2008-06-01"], "amount": [1e6], "notice_given": [True], "default_exists": [False]}
    ).astype(object)
    df.loc[0, column] = value
    with pytest.raises(FacilityInputError, match=message):
        repurchase_basket(FAC, df)


def test_repurchase_bad_date():
    with pytest.raises(
        FacilityInputError, match=r"repurchases.date: not an ISO date .*'2008-06-31'"
    ):
        repurchase_basket(FAC, pd.DataFrame({"date": ["2008-06-31"], "amount": [1]}))


def test_termination_fee_uses_schedule_add_months():
    # six months after 2008-08-31 is 2009-02-28 (month end clamped): model.schedule.add_months
    fac = load(
        "params/facilities/svb-loan-agreement.yaml",
        overrides={"original.termination_fee.effective_date.value": "2008-08-31"},
    )
    assert termination_fee(fac, D(2009, 2, 27)) == Decimal("500000.00")
    assert termination_fee(fac, D(2009, 2, 28)) == Decimal("250000.00")
    with pytest.raises(FacilityInputError, match="termination_date: not an ISO date"):
        termination_fee(FAC, "2008-02-30")
