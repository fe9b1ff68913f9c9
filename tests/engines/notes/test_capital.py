"""Capitalization engines (model/engines/notes/capital.py): Sec. 5.4 figures, reserve
reconciliation, fully diluted table, holders."""

from __future__ import annotations

from decimal import Decimal

from model.engines.notes.capital import (
    conversion_by_holder,
    fully_diluted,
    interest_by_holder,
    purchase_settlement,
    reserve_check,
)
from model.terms import load

CAP = "params/deals/ibasis/instruments/ibasis-capitalization-2004.yaml"
EIGHT = "params/deals/ibasis/instruments/8pct-secured-convertible-2007.yaml"


def test_existing_convertible_reserve_reconciles() -> None:
    """NPA Sec. 5.4(iii): 443,232 shares for the Existing Convertible Notes = 38,180,000 / 86.14
    (443,231.95) rounded up."""
    r = reserve_check(load(CAP)).set_index("reserve").loc["existing_convertible_notes"]
    assert r["shares_rounded_up"] == 443_232 == r["stated_shares"]
    assert bool(r["reconciles"])


def test_fully_diluted_table() -> None:
    fd = fully_diluted(load(CAP))
    # As stated: Sec. 5.4 (46,655,867 + 7,635,064 + 3,437,284 + 443,232), the Warrants (5,176,065)
    # and Exhibit 5.4 (110,231)
    assert fd.loc["Fully diluted shares", "as_stated"] == 63_457_743
    # After closing: 5 3/4% reserve restated to $880,000 / 86.14 = 10,215; 8% notes 15,675,675;
    # 6 3/4% notes 37,300,000 / 1.85 = 20,162,162
    assert fd.loc["Fully diluted shares", "after_closing"] == 98_862_563
    assert fd.loc["Authorized less fully diluted", "after_closing"] == 85_000_000 - 98_862_563


def test_purchasers_and_payment_in_kind() -> None:
    note = load(EIGHT)
    ps = purchase_settlement(note)
    assert ps.loc["Total", "purchase_price"] == Decimal(29_000_000)
    assert ps.loc["JMG Triton Offshore Fund Limited CITCO", "cash"] == Decimal(6_025_000)
    assert ps.loc["Windward Capital, L.P.", "surrendered_in_excess_of_price"] == Decimal(100_000)
    assert ps.loc["Total", "notes_surrendered"] == Decimal(
        9_075_000
    )  # Sec. 2.5: 3,975,000 + 5,100,000


def test_interest_and_conversion_by_holder() -> None:
    note = load(EIGHT)
    ih = interest_by_holder(note)
    assert ih.loc["JMG Triton Offshore Fund Limited CITCO", "coupon"] == Decimal("400000.00")
    assert ih.loc["Total (sum of holders)", "coupon"] == ih.loc["Aggregate (the note)", "coupon"]
    # 5,680,000: the 2005 conversion of $8,000,000 stops its interest (test_accrual.py)
    assert ih.loc["Aggregate (the note)", "life_interest"] == Decimal("5680000.00")
    cb = conversion_by_holder(note)
    assert cb.loc["Greywolf Capital Partners II LP", "shares"] == 567_567  # 1,050,000 / 1.85
    # fractions settled per holder: the holders' shares add to less than one conversion of all
    assert (
        cb.loc["Total (sum of holders)", "shares"]
        <= cb.loc["Aggregate principal converted at once", "shares"]
    )
