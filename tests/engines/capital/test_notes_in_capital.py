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
    # over the notes' life since the opening, the same total as notebook 01's expense table
    # (which counts a quarter's calendar days: 30/360 weighs Sep 30 one day and Dec 31 none,
    # so single quarters can differ by a day's interest, the sums cannot)
    total = Decimal(str(round(q["interest_expense"].sum(), 2)))
    assert total == note.interest_earned("2007-06-18") - note.interest_earned("2004-06-30")
    assert q.loc[dt.date(2004, 12, 31), "interest_expense"] == pytest.approx(586_444.45, abs=1e-9)
    exp = note.interest_expense("2004-10-01", "2004-12-31")["interest_expense"].iloc[0]
    assert exp == Decimal("580000.00")
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
