"""The stock repurchase basket: repurchases tracked against it, strict flags and dates
(model.engines.facility.baskets)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from model.engines.facility.baskets import repurchase_basket
from model.errors import InputError
from model.terms import load

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")


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
    # condition (C): the aggregate would be 16M against the 15M basket
    assert r["reason"].iloc[3] == (
        "within $15,000,000 basket: prior $14,000,000 + this $2,000,000 = $16,000,000 vs "
        "$15,000,000 (over by $1,000,000)"
    )
    # condition (A): notice and evidence of approvals; condition (B): no Event of Default
    assert r["reason"].iloc[4] == "notice and approvals: not given"
    assert r["reason"].iloc[5] == (
        "no Event of Default: an Event of Default exists or would result"
    )
    assert r["cumulative"].iloc[-1] == Decimal(14_000_000)
    assert r["remaining"].iloc[-1] == Decimal(1_000_000)


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
    with pytest.raises(InputError, match=message):
        repurchase_basket(FAC, df)


def test_repurchase_bad_date():
    with pytest.raises(
        InputError,
        match=r"repurchases.date: '2008-06-31' is not a calendar date \(June 2008 has 30 days\)",
    ):
        repurchase_basket(FAC, pd.DataFrame({"date": ["2008-06-31"], "amount": [1]}))
