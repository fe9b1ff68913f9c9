"""The projection workbook recalculates: from the projected figures through the line items
to each quarter's covenant tests, as formulas (model.reports.excel_projection).

Read back with openpyxl (the formulas and the values the model cached in them), and, where
LibreOffice is installed, recalculated headless: untouched, every formula gives the model's
figure; with one projected figure overridden, the tests move as the covenant engine says
they would on the same changed line items. Printed to PDF, no sheet has overprinted text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from model.engines.covenants import evaluate_covenants
from model.engines.projection.study import study_projection
from model.reports.excel import write_workbook
from model.reports.excel_projection import FIGURES_SHEET, ITEMS_SHEET
from model.reports.projection import projection_report
from model.terms import load
from tests.reports.printed import overlaps, soffice

SCENARIO = load("params/deals/ibasis/scenarios/base.yaml")
STUDY = study_projection(SCENARIO)
Q = dt.date(2009, 9, 30)  # the first projected quarter
SHEET = f"Schedule 1 {Q}"


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    report = projection_report(STUDY)
    path = write_workbook(
        tmp_path_factory.mktemp("wb"),
        "04-projection",
        report.tables,
        sources=report.sources,
        summary=report.front,
        sheets=report.sheets,
        inputs={"parameters": {"scenario": SCENARIO.name}},
    )
    assert path is not None
    return path


def _row(ws, first: str, column: int = 0):
    for r in ws.iter_rows():
        if r[column].value == first:
            return r
    raise AssertionError(f"no row {first!r} in {ws.title}")


def _last(metric: str) -> str:
    """The label of a metric's last line (its value) in the build-up."""
    return STUDY.schedules[0].schedule[metric].lines[-1].label


def _test_cells(ws, title: str) -> dict[str, object]:
    """The covenant test beside a build-up: label -> value cell, from the title down."""
    rows = list(ws.iter_rows())
    start = next(i for i, r in enumerate(rows) if r[5].value == title)
    out = {}
    for r in rows[start + 1 : start + 9]:
        if r[5].value is None or (r[5].value != title and r[5].font.b):
            break
        out[str(r[5].value).split(" (")[0]] = r[6]
    return out


def test_the_sheets_from_drivers_to_each_quarter(workbook):
    wb = openpyxl.load_workbook(workbook)
    names = wb.sheetnames
    assert names[:4] == ["Summary", "Drivers", FIGURES_SHEET, ITEMS_SHEET]
    quarters = [n for n in names if n.startswith("Schedule 1 ")]
    assert quarters == [f"Schedule 1 {q}" for q in SCENARIO.quarter_ends]  # 6 quarters
    drivers = wb["Drivers"]
    ebitda = _row(drivers, "drivers.ebitda[0]", column=1)
    assert ebitda[2].value == 11_800_000 and ebitda[2].fill.fgColor.rgb.endswith("FFF2CC")
    fig = wb[FIGURES_SHEET]
    net = _row(fig, "net_income", column=1)[2].value
    assert net.startswith("=C") and net.count("-") == 6  # EBITDA less its six deductions
    assert _row(fig, "interest_expense", column=1)[2].value.count("+") == 2
    assert _row(fig, "ebitda", column=1)[2].fill.fgColor.rgb.endswith("FFF2CC")
    items = wb[ITEMS_SHEET]
    liab = _row(items, "liabilities_due_within_one_year", column=1)[2].value
    assert liab.count(f"'{FIGURES_SHEET}'!C") == 3  # payables + other current + other debt
    ws = wb[SHEET]
    a = _row(ws, "Net Income", column=1)
    assert a[2].value.startswith(f"='{ITEMS_SHEET}'!C")
    h = _row(ws, _last("consolidated_ebitda"), column=1)
    assert h[0].value == "H" and h[2].value == "=" + "+".join(f"C{a[0].row + i}" for i in range(7))


def test_the_cached_values_are_the_models(workbook):
    """What a previewer shows without recalculating: the covenant engine's figures."""
    cached = openpyxl.load_workbook(workbook, data_only=True)
    for sq in STUDY.schedules:
        ws = cached[f"Schedule 1 {sq.quarter_end}"]
        for cid, r in sq.results.iterrows():
            build = sq.schedule[str(r["metric"])]
            last = _row(ws, build.lines[-1].label, column=1)
            assert last[2].value == float(r["actual"]), (sq.quarter_end, cid)
            test = _test_cells(ws, r["title"])
            if r["headroom"] is not None:
                assert test["Headroom"].value == pytest.approx(float(r["headroom"]), abs=1e-6)
            want = {
                "complies": "Yes",
                "amber": "Yes",
                "breach": "No",
                "not_required": "Not required",
            }
            if r["status_code"] in want:
                assert test["Complies"].value == want[r["status_code"]], (sq.quarter_end, cid)


def _recalculated(workbook: Path, tmp: Path, change=None) -> openpyxl.Workbook:
    wb = openpyxl.load_workbook(workbook)
    if change is not None:
        change(wb)
    source = tmp / "changed.xlsx"
    wb.save(source)
    return openpyxl.load_workbook(soffice(source, "xlsx", tmp / "out", tmp), data_only=True)


def test_libreoffice_recalculates_every_formula_to_the_models_figure(workbook, tmp_path):
    cached = openpyxl.load_workbook(workbook, data_only=True)
    formulas = openpyxl.load_workbook(workbook)
    again = _recalculated(workbook, tmp_path)
    compared = 0
    for name in [FIGURES_SHEET, ITEMS_SHEET, *(f"Schedule 1 {q}" for q in SCENARIO.quarter_ends)]:
        for row in formulas[name].iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    want, got = cached[name][c.coordinate].value, again[name][c.coordinate].value
                    if isinstance(want, float | int):
                        assert got == pytest.approx(want, abs=0.005), (name, c.coordinate)
                    else:
                        assert got == want, (name, c.coordinate)
                    compared += 1
    # a quarter: 3 projected figures (interest expense, net income, the Borrower's EBITDA),
    # 20 line items and 31 cells of the build-ups and tests; 6 quarters
    assert compared == 324


def test_an_overridden_ebitda_moves_the_tests_as_the_covenant_engine_does(workbook, tmp_path):
    cut = 2_000_000  # EBITDA of 2009-Q3 from $11.8M to $9.8M, below the $10M minimum

    def change(wb):
        row = _row(wb[FIGURES_SHEET], "ebitda", column=1)
        row[2].value = row[2].value - cut

    again = _recalculated(workbook, tmp_path, change)
    ws = again[SHEET]
    test = _test_cells(ws, "Minimum Consolidated EBITDA")
    # the covenant engine on the same line items, net income (and the company's EBITDA) lower
    items = {k: v for k, v in STUDY.projection.line_items(SCENARIO.name).quarter(Q).items()}
    items["net_income"] -= Decimal(cut)
    items["company_adjusted_ebitda"] -= Decimal(cut)
    sq = STUDY.schedules[0]
    model = evaluate_covenants(SCENARIO.facility, Q, items, liquidity=sq.liquidity_low)
    ebitda = model.loc["consolidated_ebitda"]
    assert ebitda["status_code"] == "breach"
    assert (
        _row(ws, _last("consolidated_ebitda"), column=1)[2].value
        == float(ebitda["actual"])
        == 9_800_000
    )
    assert test["Complies"].value == "No"
    assert test["Headroom"].value == float(ebitda["headroom"]) == -200_000
    # the next quarter reads its own EBITDA: unchanged
    later = _test_cells(
        again[f"Schedule 1 {SCENARIO.quarter_ends[1]}"], "Minimum Consolidated EBITDA"
    )
    assert later["Complies"].value == "Yes"


def test_every_sheet_prints_without_overprinted_text(workbook, tmp_path):
    pdf = soffice(workbook, "pdf", tmp_path, tmp_path)
    assert overlaps(pdf) == []


def test_a_lower_liquidity_springs_the_test_and_a_lower_ebitda_reaches_the_borrower(
    workbook, tmp_path
):
    """The analyst's two levers beyond EBITDA: the quarter's lowest liquidity (the springing
    condition) and EBITDA reaching the Borrower's EBITDA through its share."""

    def change(wb):
        fig = wb[FIGURES_SHEET]
        _row(fig, "min_liquidity", column=1)[2].value = 15_000_000  # below the $20M level
        ebitda = _row(fig, "ebitda", column=1)[2]
        ebitda.value = ebitda.value - 4_000_000

    again = _recalculated(workbook, tmp_path, change)
    ws = again[SHEET]
    test = _test_cells(ws, "Minimum Borrower Cash Flow (springing)")
    assert test["Lowest liquidity in the quarter"].value == 15_000_000
    assert test["Test applies"].value == "Yes"
    # the Borrower's EBITDA: 25% of $7.8M; its cash flow less capex, taxes and distributions
    items = dict(STUDY.projection.line_items(SCENARIO.name).quarter(Q).items())
    items["borrower_ebitda"] = Decimal("1950000.00")
    items["net_income"] -= Decimal(4_000_000)
    model = evaluate_covenants(SCENARIO.facility, Q, items, liquidity=15_000_000)
    flow = model.loc["borrower_cash_flow"]
    assert _row(ws, "EBITDA", column=1)[2].value == 1_950_000
    assert test["Complies"].value == ("No" if flow["status_code"] == "breach" else "Yes") == "No"
    assert test["Headroom"].value == float(flow["headroom"]) == -650_000


def test_a_level_the_documents_leave_blank_can_be_typed_in(workbook, tmp_path):
    def change(wb):
        ws = wb[SHEET]
        row = next(r for r in ws.iter_rows() if str(r[5].value).startswith("Required (not in"))
        row[6].value = 1.25

    ws = _recalculated(workbook, tmp_path, change)[SHEET]
    test = _test_cells(ws, "Minimum Adjusted Quick Ratio")
    actual = float(STUDY.schedules[0].results.loc["adjusted_quick_ratio", "actual"])
    assert test["Complies"].value == "No"  # 1.0749 is below 1.25
    assert test["Headroom"].value == pytest.approx(actual - 1.25, abs=1e-9)
    untouched = _test_cells(
        openpyxl.load_workbook(workbook, data_only=True)[SHEET], "Minimum Adjusted Quick Ratio"
    )
    assert untouched["Complies"].value == "Level not provided"


def test_numbers_in_the_drivers_are_numbers(workbook):
    drivers = openpyxl.load_workbook(workbook)["Drivers"]
    share = _row(drivers, "drivers.ineligible_foreign[0]", column=1)[2].value
    assert share == 0.86 and isinstance(share, float)
