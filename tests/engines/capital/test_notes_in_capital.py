"""One implementation of a fixed coupon: a note the capital structure names by its file
accrues in the capital engine exactly as the notes engine of notebook 01 accrues it (its
schedule, day count and principal events, the interest of a principal that leaves settled
on the day). The iBasis 8% Secured Convertible Notes due 2007, with the 2005 conversion of
$8,000,000, projected from 2004-06-30 to maturity."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import model
from model import paths
from model.engines.notes import FixedRateNote
from tests.engines.capital.test_capital_engine import assert_same

NOTE = "params/deals/ibasis/instruments/8pct-secured-convertible-2007.yaml"
NORTHWIND = paths.ROOT / "params" / "deals" / "northwind"


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    f = paths.PARAMS / "deals" / f".notes-oracle-{uuid.uuid4().hex[:8]}"  # inside params/
    (f / "scenarios").mkdir(parents=True)
    shutil.copy(NORTHWIND / "compliance.yaml", f / "compliance.yaml")
    structure = yaml.safe_load((NORTHWIND / "capital-structure.yaml").read_text())
    structure["instruments"] = [
        {
            "id": "notes8",
            "kind": "fixed_rate_note",
            "title": "8% Secured Convertible Notes due 2007",
            "seniority": {"value": "senior_secured", "assumption": "t"},
            "interest_months": {"value": 6, "assumption": "t: the file's semi-annual coupons"},
            "file": "../ibasis/instruments/8pct-secured-convertible-2007.yaml",
        }
    ]
    cp = structure["cash_policy"]
    cp["revolver"] = None
    for k in ("excess_cash_flow", "asset_sales"):
        cp.pop(k, None)
    for k in ("covenants", "equity_cure", "events_of_default", "carry_forward"):
        structure.pop(k, None)
    (f / "capital-structure.yaml").write_text(yaml.safe_dump(structure, sort_keys=False))
    scenario = yaml.safe_load((NORTHWIND / "scenarios" / "base.yaml").read_text())
    scenario.pop("history_file", None)
    scenario["opening"] = {
        "date": {"value": "2004-06-30", "assumption": "t"},
        "cash": {"value": 50_000_000, "assumption": "t: enough to pay every coupon"},
        "balances": {"notes8": {"value": 29_000_000, "assumption": "t"}},
    }
    scenario["horizon_quarters"] = {"value": 12, "assumption": "t: to the maturity"}
    scenario["rate_paths"] = {}
    scenario["policy"] = {"equity_cure": {"value": "never", "assumption": "t"}}
    scenario["drivers"].pop("eligible_receivables", None)
    (f / "scenarios" / "base.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False))
    try:
        yield f
    finally:
        shutil.rmtree(f, ignore_errors=True)


def _mid_period(folder: Path) -> Path:
    """The same structure on a copy of the note whose $8,000,000 converts on 2005-03-31
    (mid-period), $500,000 of which is repurchased the same day and $1,000,000 redeemed on
    2006-02-15 (both in cash)."""
    text = (paths.ROOT / NOTE).read_text(encoding="utf-8")
    old = "  - date: 2005-06-18\n    type: conversion\n    amount: 8000000\n"
    assert old in text
    text = text.replace(old, old.replace("2005-06-18", "2005-03-31"))
    text = text.replace(
        "\nallocations:",
        '\n  - date: 2005-03-31\n    type: repurchase\n    amount: 500000\n    assumption: "t"'
        '\n  - date: 2006-02-15\n    type: redemption\n    amount: 1000000\n    assumption: "t"'
        "\nallocations:",
        1,
    )
    (folder / "note.yaml").write_text(text.replace("../../../../schemas", "../../../schemas"))
    cs = (folder / "capital-structure.yaml").read_text()
    (folder / "structure-mid.yaml").write_text(
        cs.replace("../ibasis/instruments/8pct-secured-convertible-2007.yaml", "note.yaml")
    )
    sc = (folder / "scenarios" / "base.yaml").read_text()
    (folder / "scenarios" / "mid.yaml").write_text(
        sc.replace("../capital-structure.yaml", "../structure-mid.yaml").replace(
            "name: base", "name: mid"
        )
    )
    return folder / "scenarios" / "mid.yaml"


def test_a_mid_period_conversion_and_a_redemption_follow_the_notes_engine(folder: Path) -> None:
    # the notes engine settles each event's interest on its own, rounded to the cent: on
    # 2005-03-31 (30/360 from 2004-12-18, 103 days) 8,000,000 x 8% x 103/360 = 183,111.11
    # and 500,000 x 8% x 103/360 = 11,444.44 (together they would round to 194,555.56, a
    # cent more); on 2006-02-15, 1,000,000 x 8% x 57/360 = 12,666.67, with its principal
    s = model.load(_mid_period(folder), kind="capital_scenario")
    r = model.project_capital(s)
    q = r.quarters.set_index("quarter_end")
    note = FixedRateNote(model.load(folder / "note.yaml"))
    ends = [s.opening_date, *s.quarter_ends]
    for a, b in zip(ends, ends[1:], strict=False):
        got = Decimal(str(round(q.loc[b, "interest_expense"], 2)))
        assert got == note.interest_earned(b) - note.interest_earned(a), b
    settled = note.settlements().set_index("date")["accrued_interest"]
    assert sorted(settled.tolist()) == [
        Decimal("11444.44"),
        Decimal("12666.67"),
        Decimal("183111.11"),
    ]
    sched = note.coupon_schedule()
    for qe in s.quarter_ends:
        prev = ends[ends.index(qe) - 1]
        coupons = sum(
            (c["coupon"] for _, c in sched.iterrows() if prev < c["period_end"] <= qe),
            Decimal(0),
        )
        settles = sum((v for d, v in settled.items() if prev < d <= qe), Decimal(0))
        assert Decimal(str(round(q.loc[qe, "cash_interest"], 2))) == coupons + settles, qe
    assert q.loc[dt.date(2005, 3, 31), "balance:notes8"] == 20_500_000
    assert q.loc[dt.date(2005, 3, 31), "voluntary_prepayments"] == 500_000  # in cash
    assert q.loc[dt.date(2006, 3, 31), "balance:notes8"] == 19_500_000
    assert q.loc[dt.date(2006, 3, 31), "voluntary_prepayments"] == 1_000_000
    # and the plain reference implementation agrees, to the cent
    assert_same(r, [s])


def test_a_file_notes_opening_balance_is_what_its_file_leaves_outstanding(folder: Path) -> None:
    path = folder / "scenarios" / "late.yaml"
    text = (folder / "scenarios" / "base.yaml").read_text()
    text = text.replace("2004-06-30", "2005-06-30").replace("name: base", "name: late")
    path.write_text(text)
    with pytest.raises(
        model.InputError,
        match=r"opening\.balances\.notes8\.value.*29,000,000 differs from the 21,000,000",
    ):
        model.load(path, kind="capital_scenario")


def test_the_capital_engine_accrues_a_note_as_the_notes_engine_does(folder: Path) -> None:
    s = model.load(folder / "scenarios" / "base.yaml", kind="capital_scenario")
    r = model.project_capital(s)
    q = r.quarters.set_index("quarter_end")
    note = FixedRateNote(model.load(NOTE))
    # a projected quarter's interest runs from the last quarter end (included) to its own
    # (excluded): the notes engine's interest earned between the two dates, to the cent
    ends = [s.opening_date, *s.quarter_ends]
    for a, b in zip(ends, ends[1:], strict=False):
        got = Decimal(str(round(q.loc[b, "interest_expense"], 2)))
        assert got == note.interest_earned(b) - note.interest_earned(a), b
    # notebook 01's expense table counts a quarter's calendar days instead: under 30/360
    # Sep 30 weighs one day and Dec 31 none, so 2004-Q4 is 580,000.00 there and
    # 29,000,000 x 8% x 91/360 = 586,444.44(4) here
    assert q.loc[dt.date(2004, 12, 31), "interest_expense"] == pytest.approx(586_444.45, abs=1e-9)
    # cash paid: each coupon and each settlement of accrued interest on a principal event in
    # the quarter of its (unadjusted) date; the 2005-06-18 conversion settles $320,000.00
    sched = note.coupon_schedule()
    paid: dict[dt.date, Decimal] = {}
    for _, c in sched.iterrows():
        d = c["period_end"]
        qe = next(x for x in s.quarter_ends if x >= d)
        paid[qe] = (
            paid.get(qe, Decimal(0)) + c["coupon"] + Decimal(str(c["accrued_settled_on_events"]))
        )
    for qe in s.quarter_ends:
        assert Decimal(str(round(q.loc[qe, "cash_interest"], 2))) == paid.get(qe, Decimal(0)), qe
    assert paid[dt.date(2005, 6, 30)] == Decimal("1160000.00")  # 320,000 + 840,000
    # the principal follows the file's events: 29,000,000, then 21,000,000 after the conversion
    assert q.loc[dt.date(2005, 3, 31), "balance:notes8"] == 29_000_000
    assert q.loc[dt.date(2005, 6, 30), "balance:notes8"] == 21_000_000
    assert q.loc[dt.date(2007, 6, 30), "balance:notes8"] == 0
    assert q.loc[dt.date(2007, 6, 30), "maturities"] == 21_000_000
