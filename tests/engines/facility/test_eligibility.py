"""From open invoices to eligible accounts: the waterfall, exact rounding, strict flags and
dates, the aging date, and the certificate cross-check (model.engines.facility.eligibility)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from model.engines.facility.eligibility import (
    compare_with_certificate,
    eligibility_waterfall,
    invoice_aging_date,
)
from model.engines.facility.ledger import certificate_on
from model.errors import InputError
from model.terms import load, read_dated_csv

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
D = dt.date

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
        InputError,
        match=r"invoices row 1 \(customer 'A', dated 2008-06-20\): amount: must not be "
        r"negative \(got -5\)",
    ):
        eligibility_waterfall(FAC, D(2008, 6, 30), bad)
    with pytest.raises(InputError, match="after as_of"):
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
            r"invoices row 1 \(customer 'A', dated 2008-06-20\): insured: not a yes/no value: ''",
        ),
        (
            "affiliate",
            float("nan"),
            r"invoices row 1 .*: affiliate: not a yes/no value: nan",
        ),
        ("foreign", "maybe", r"invoices row 1 .*: foreign: not a yes/no value: 'maybe'"),
        ("foreign", 2, r": foreign: not a yes/no value: 2"),
    ],
)
def test_eligibility_flags_parsed_strictly(column, value, message):
    inv = INVOICES.astype({column: object})
    inv.loc[0, column] = value
    if message is None:
        w = eligibility_waterfall(FAC, D(2008, 6, 30), inv)
        assert w.loc["gross receivables", "domestic"] == 2_800_000  # A stays domestic
        return
    with pytest.raises(InputError, match=message):
        eligibility_waterfall(FAC, D(2008, 6, 30), inv)


@pytest.mark.parametrize(
    "value, rule",
    [
        ("2008-13-45", r"'2008-13-45' is not a calendar date \(there is no month 13\)"),
        (
            "20/06/2008",
            r"'20/06/2008' is not an ISO date \(YYYY-MM-DD\): day-first and month-first dates "
            r"are refused as ambiguous",
        ),
        ("", "missing date"),
        (None, "missing date"),
    ],
)
def test_bad_invoice_date_names_row_and_customer(value, rule):
    inv = INVOICES.astype({"invoice_date": object})
    inv.loc[1, "invoice_date"] = value
    with pytest.raises(
        InputError,
        match=r"^invoices row 2 \(customer 'A'\): invoice_date: " + rule + "$",
    ):
        eligibility_waterfall(FAC, D(2008, 6, 30), inv)


def test_invoices_aged_at_another_date_are_refused():
    with pytest.raises(
        InputError,
        match="invoices aged as of 2008-06-30 used for 2008-12-01: .*supply invoices aged as of "
        "2008-12-01",
    ):
        eligibility_waterfall(FAC, D(2008, 12, 1), INVOICES)
    no_date = INVOICES.drop(columns="aged_as_of")
    with pytest.raises(InputError, match="invoices: no aging date"):
        eligibility_waterfall(FAC, D(2008, 6, 30), no_date)
    w = eligibility_waterfall(FAC, D(2008, 6, 30), no_date, aged_as_of="2008-06-30")
    assert w.loc["eligible accounts", "total"] == 1_200_000
    with pytest.raises(InputError, match="disagrees with the invoices' aged_as_of"):
        eligibility_waterfall(FAC, D(2008, 6, 30), INVOICES, aged_as_of="2008-06-29")
    mixed = INVOICES.assign(aged_as_of=["2008-06-30"] * 7 + ["2008-05-31"])
    with pytest.raises(InputError, match="must hold one date for every row"):
        invoice_aging_date(mixed)


def test_sample_certificate_agrees_with_invoice_waterfall():
    """One receivables source per date: the sample certificate dated 2008-06-30 carries the
    eligible and gross figures of the invoice waterfall for that date (illustrative data)."""
    inv = read_dated_csv("params/deals/ibasis/scenarios/svb-invoices-2008-06-30.csv")
    day = invoice_aging_date(inv)
    w = eligibility_waterfall(FAC, day, inv)
    for f in ("sample", "stressed"):
        cert = certificate_on(
            read_dated_csv(f"params/deals/ibasis/scenarios/svb-receivables-{f}.csv"), day
        )
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
    with pytest.raises(InputError, match="certificate.eligible_foreign: not an amount"):
        compare_with_certificate(w, pd.Series({"eligible_domestic": 1.0, "eligible_foreign": "x"}))
