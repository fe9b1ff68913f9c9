"""Hand-worked quarters of the capital projection, each figure derived in the comments
from the deal's files (params/deals/northwind): an equity cure, a capped add-back and a
quarter of an excess cash flow sweep."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from pathlib import Path

import pytest

import model
from model import paths

DEAL = paths.ROOT / "params" / "deals" / "northwind"


def _row(result: model.CapitalResult, quarter: str, covenant: str) -> dict[str, object]:
    c = result.covenants
    hit = c[(c["quarter_end"] == dt.date.fromisoformat(quarter)) & (c["covenant"] == covenant)]
    assert len(hit) == 1
    return hit.iloc[0].to_dict()


def test_an_equity_cure_is_the_smallest_amount_that_makes_the_test_pass() -> None:
    # Northwind base, 2020-Q1, minimum fixed charge coverage 1.25x on the trailing four
    # quarters 2019-Q2..2020-Q1 (compliance.yaml, lines 1-19; actuals.csv for 2019):
    #   EBITDA before add-backs (NI + interest + taxes + D&A):
    #     2019-Q2 600,000 + 150,000 + 220,000 + 250,000 = 1,220,000
    #     2019-Q3 400,000 + 140,000 + 150,000 + 260,000 =   950,000
    #     2019-Q4 -200,000 + 160,000 - 50,000 + 260,000 =   170,000
    #     2020-Q1 the driver                              =   900,000   -> 3,240,000
    #   add-backs 50,000 (2020-Q1), under the cap 20% x 3,240,000 = 648,000 -> 50,000
    #   capex 120,000 + 90,000 + 400,000 + 400,000 = 1,010,000
    #   cash taxes 200,000 + 160,000 + 100,000 + 100,000 = 560,000
    #   line 16 = 3,240,000 + 50,000 + cure - 1,010,000 - 560,000 = 1,720,000 + cure
    #   interest 150,000 + 140,000 + 160,000 + 153,657.78 (2020-Q1, projected) = 603,657.78
    #   scheduled principal 250,000 x 3 + 150,000 = 900,000 -> fixed charges 1,503,657.78
    #   before the cure: 1,720,000 / 1,503,657.78 = 1.1439 -> 1.14x, a breach
    #   1.25x after rounding needs 1.245 x 1,503,657.78 = 1,872,053.9361: cure >= 152,053.9361,
    #   in cents 152,053.94 (one cent less gives 1.2449999... -> 1.24x)
    #   leverage with the cure in EBITDA (not as debt reduction): debt 9,060,617.78 /
    #   (3,290,000 + 152,053.94) = 2.6323 -> 2.63x (2.75x before it)
    s = model.load(DEAL / "scenarios" / "base.yaml")
    r = model.project_capital(s)
    fcc = _row(r, "2020-03-31", "min_fixed_charge_coverage")
    assert fcc["actual_before_cure"] == pytest.approx(1.14)
    assert fcc["cure_amount"] == pytest.approx(152_053.94, abs=1e-9)
    assert (fcc["actual"], fcc["status"], fcc["cures_to_date"]) == (1.25, "cured", 1)
    assert r.arrays["interest_expense"][0, 0] == pytest.approx(153_657.78, abs=1e-9)
    lev = _row(r, "2020-03-31", "max_leverage")
    assert r.arrays["total_debt"][0, 0] == pytest.approx(9_060_617.78, abs=1e-9)
    assert (lev["actual_before_cure"], lev["actual"]) == (2.75, 2.63)
    # the cure arrives as cash at the quarter end, after the test: cash = 500,000 + 152,053.94
    assert r.arrays["cash"][0, 0] == pytest.approx(652_053.94, abs=1e-9)
    # 2020-Q2 fails again; a cure is not allowed in consecutive quarters (consecutive_allowed:
    # false), so the failure stands and is an Event of Default from the certificate's due day
    # (2020-06-30 + 50 days = 2020-08-19)
    assert _row(r, "2020-06-30", "min_fixed_charge_coverage")["status"] == "breach"
    assert r.defaults["in_force"].tolist() == [dt.date(2020, 8, 19)]


def test_add_backs_are_capped_at_twenty_percent_of_ebitda_before_them() -> None:
    # Northwind downside, 2020-Q4, maximum leverage on 2020-Q1..Q4 (all projected):
    #   EBITDA before add-backs 800,000 + 700,000 + 600,000 + 600,000 = 2,700,000
    #   add-backs 150,000 x 4 = 600,000, capped at 20% x 2,700,000 = 540,000
    #   cures in the window 152,053.94 (Q1) + 740,505.27 (Q3) = 892,559.21
    #   EBITDA = 2,700,000 + 540,000 + 892,559.21 = 4,132,559.21
    #   debt 8,107,407.74 / 4,132,559.21 = 1.9618 -> 1.96x (uncapped: / 4,192,559.21 = 1.93x)
    s = model.load(DEAL / "scenarios" / "downside.yaml")
    r = model.project_capital(s)
    q = r.quarters.set_index("quarter_end")
    assert q.loc[dt.date(2020, 12, 31), "total_debt"] == pytest.approx(8_107_407.74, abs=1e-9)
    assert q["equity_cure"].iloc[:4].tolist() == pytest.approx(
        [152_053.94, 0, 740_505.27, 0], abs=1e-9
    )
    lev = _row(r, "2020-12-31", "max_leverage")
    assert lev["actual"] == 1.96
    assert (
        round(8_107_407.74 / 4_132_559.21, 2) == 1.96
        and round(8_107_407.74 / 4_192_559.21, 2) == 1.93
    )


def test_a_quarter_of_an_excess_cash_flow_sweep() -> None:
    # Northwind base with the sweep's first level lowered to 1.50x (so leverage of 2.01x at
    # 2020-12-31 sweeps 50%). The step-down is keyed to leverage without the year's cures:
    # a cure counts for the covenants only. Debt 7,637,215.64 / (EBITDA 3,600,000 + add-backs
    # 200,000) = 2.0098 -> 2.01x (with the cures of 152,053.94 and 434,923.80 it would read
    # 7,637,215.64 / 4,386,977.74 = 1.74x):
    #   Excess Cash Flow, fiscal year 2020 (compliance.yaml metric C): EBITDA 4 x 900,000 =
    #   3,600,000 less interest 153,657.78 + 130,494.56 + 146,592.83 + 157,126.61 = 587,871.78,
    #   cash taxes 400,000, capex 1,600,000, scheduled principal 600,000, working capital 0
    #   = 412,128.22; 50% = 206,064.11, no voluntary prepayment to deduct; due 100 days after
    #   the year end, 2021-04-10, to the term loan, which it reduces in direct order of its
    #   installments (prepayments_reduce: next_installments):
    #     2021-06-30 installment 150,000 -> 0, 2021-09-30 installment 150,000 -> 93,935.89
    #   term loan: 4,800,000 (2020-12-31) - 150,000 (2021-03-31) = 4,650,000
    #     - 206,064.11 (2021-04-10) - 0 (2021-06-30) = 4,443,935.89 at 2021-06-30
    #     - 93,935.89 (2021-09-30) = 4,350,000.00 at 2021-09-30, as without the sweep
    folder = (
        paths.PARAMS / "deals" / f".hand-worked-{uuid.uuid4().hex[:8]}"
    )  # names stay inside params/
    shutil.copytree(DEAL, folder, ignore=shutil.ignore_patterns(".*"))
    try:
        _sweep(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _sweep(folder: Path) -> None:
    cs = folder / "capital-structure.yaml"
    text = cs.read_text(encoding="utf-8")
    text = text.replace(
        '{up_to: "2.00", rate: "0", assumption', '{up_to: "1.50", rate: "0", assumption'
    )
    text = text.replace(
        '{above: "2.00", up_to: "2.50", rate: "0.25"', '{above: "1.50", up_to: "2.50", rate: "0.50"'
    )
    cs.write_text(text, encoding="utf-8")
    s = model.load(folder / "scenarios" / "base.yaml")
    r = model.project_capital(s)
    sweep = r.sweeps.iloc[0]
    assert (sweep["fiscal_year_end"], sweep["keyed_to"], sweep["rate"]) == (
        dt.date(2020, 12, 31),
        2.01,
        0.5,
    )
    assert sweep["excess_cash_flow"] == pytest.approx(412_128.22, abs=1e-6)
    assert (sweep["amount"], sweep["due"]) == (206_064.11, dt.date(2021, 4, 10))
    q = r.quarters.set_index("quarter_end")
    interest_2020 = q["interest_expense"].iloc[:4].sum()
    assert interest_2020 == pytest.approx(587_871.78, abs=1e-6)
    assert q.loc[dt.date(2021, 6, 30), "mandatory_prepayments"] == pytest.approx(
        206_064.11, abs=1e-9
    )
    assert q.loc[dt.date(2021, 6, 30), "balance:term_loan_a"] == pytest.approx(
        4_443_935.89, abs=1e-9
    )
    assert q.loc[dt.date(2021, 6, 30), "scheduled_repayments"] == 0
    assert q.loc[dt.date(2021, 9, 30), "scheduled_repayments"] == pytest.approx(93_935.89, abs=1e-9)
    assert q.loc[dt.date(2021, 9, 30), "balance:term_loan_a"] == pytest.approx(
        4_350_000.00, abs=1e-9
    )


def test_a_capex_limit_carries_half_the_unused_amount_into_the_next_year() -> None:
    # Northwind base with a maximum capital expenditures covenant of 1,300,000 a fiscal year
    # (year to date) and half of a year's unused amount carried into the next, at most 150,000:
    #   2020: capex 4 x 300,000 = 1,200,000 <= 1,300,000; unused 100,000, half = 50,000 carried
    #   2021: capex 4 x 332,500 = 1,330,000 > 1,300,000 but <= 1,300,000 + 50,000 = 1,350,000:
    #         complies only with the carry-forward (headroom 20,000 at 2021-12-31);
    #         unused of its own level: 0 (1,330,000 > 1,300,000), so nothing is carried into 2022
    #   2022: capex 4 x 332,500 = 1,330,000 > 1,300,000: a breach at 2022-12-31 (and already at
    #         2022-12-31 only: 997,500 <= 1,300,000 at 2022-09-30)
    folder = paths.PARAMS / "deals" / f".hand-worked-{uuid.uuid4().hex[:8]}"
    shutil.copytree(DEAL, folder, ignore=shutil.ignore_patterns(".*"))
    try:
        comp = folder / "compliance.yaml"
        comp.write_text(
            comp.read_text(encoding="utf-8").replace(
                "  - id: excess_cash_flow\n",
                "  - id: capital_expenditures\n"
                "    title: Capital Expenditures\n"
                '    section: "Sec. 7.1(c)"\n'
                '    heading: "D. Capital Expenditures (Section 7.1(c))"\n'
                "    unit: usd\n"
                '    assumption: "Fictitious test case."\n'
                "    lines:\n"
                '      - {line: "1", input: unfinanced_capex, label: "Unfinanced Capital Expenditures"}\n'
                "  - id: excess_cash_flow\n",
            ),
            encoding="utf-8",
        )
        cs = folder / "capital-structure.yaml"
        cs.write_text(
            cs.read_text(encoding="utf-8").replace(
                "equity_cure:\n",
                "  - id: max_capex\n"
                "    title: Maximum Capital Expenditures\n"
                '    section: "Credit Agreement Sec. 7.1(c)"\n'
                '    reference: "Sec. 7.1(c)"\n'
                "    metric: capital_expenditures\n"
                "    direction: max\n"
                "    measurement_period: year_to_date\n"
                "    thresholds:\n"
                '      - {from_quarter: 2019-03-31, to_quarter: null, amount: "1300000", assumption: "Fictitious."}\n'
                "\ncarry_forward:\n"
                '  - {covenant: max_capex, share: "0.5", cap: 150000, assumption: "Fictitious: half of the unused amount, at most 150,000."}\n'
                "\nequity_cure:\n",
            ),
            encoding="utf-8",
        )
        sc = folder / "scenarios" / "base.yaml"
        sc.write_text(
            sc.read_text(encoding="utf-8").replace(
                '  capex:\n    - {value: 400000, assumption: "Fictitious: as in 2019-Q4 (actuals.csv, unfinanced capex)."}\n',
                '  capex:\n    - {value: 300000, quarters: 4, assumption: "t"}\n    - {value: 332500, assumption: "t"}\n',
            ),
            encoding="utf-8",
        )
        r = model.project_capital(model.load(sc))
        c = r.covenants[r.covenants["covenant"] == "max_capex"].set_index("quarter_end")
        # amber: inside the 10% cushion (headroom 100,000 of 1,300,000)
        assert c.loc[dt.date(2020, 12, 31), ["actual", "required", "status"]].tolist() == [
            1_200_000,
            1_300_000,
            "amber",
        ]
        assert c.loc[dt.date(2021, 12, 31), ["actual", "required"]].tolist() == [
            1_330_000,
            1_350_000,
        ]
        assert c.loc[dt.date(2021, 12, 31), "headroom"] == pytest.approx(20_000)
        assert c.loc[dt.date(2021, 12, 31), "status"] in ("complies", "amber")
        assert c.loc[dt.date(2022, 9, 30), ["actual", "required", "status"]].tolist() == [
            997_500,
            1_300_000,
            "complies",
        ]
        assert c.loc[dt.date(2022, 12, 31), ["actual", "required", "status"]].tolist() == [
            1_330_000,
            1_300_000,
            "breach",
        ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
