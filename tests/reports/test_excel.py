"""The Excel workbook of a report: read back with openpyxl (formulas and the values the
model computed), and, where LibreOffice is installed, recalculated headless after an input
is changed, as an analyst would in Excel."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from model.engines.covenants import evaluate_covenants, schedule_1
from model.reports.excel import ScheduleTest, sheet_name, write_workbook
from model.reports.tables import banner, headline, table
from model.terms import load
from tests.reports.printed import overlaps, soffice

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
# the build-up sheet is named after the deal's certificate schedule (31 characters at most)
SCHEDULE = sheet_name(FAC.compliance.certificate.schedule_title, set())
ACTS = load("params/deals/ibasis/actuals/ibasis-2008.csv")
Q = "2008-03-31"


def _workbook(tmp_path: Path) -> Path:
    results = evaluate_covenants(
        FAC, Q, ACTS, liquidity=27_500_000, springing_reading="quarter_end"
    )
    frame = results[["required", "actual", "headroom", "headroom_pct", "status_code"]]
    q = pd.DataFrame(
        {"revenue": [360_800_000.0, -1.5], "days_cash_dominion": [0, 90]},
        index=pd.Index(
            [pd.Timestamp("2008-06-30").date(), pd.Timestamp("2008-09-30").date()],
            name="quarter_end",
        ),
    )
    return write_workbook(
        tmp_path,
        "03-test",
        [table(frame, "Compliance 2008-03-31", "c"), table(q, "Quarters", "q")],
        schedule=ScheduleTest(FAC, results, schedule_1(FAC, ACTS, Q)),
        sources=FAC.assumptions(),
        inputs={"parameters": {"quarter": Q}, "files": [{"path": "params/x.yaml", "sha256": "ab"}]},
    )


def _rows(ws):
    return {r[0].value: r for r in ws.iter_rows() if r[0].value is not None}


def _line(ws, letter, label_start):
    for r in ws.iter_rows():
        if r[0].value == letter and str(r[1].value).startswith(label_start):
            return r
    raise AssertionError(f"no line {letter} {label_start}")


def test_every_table_on_its_own_sheet_with_formats_and_a_frozen_header(tmp_path):
    wb = openpyxl.load_workbook(_workbook(tmp_path))
    assert wb.sheetnames == [
        SCHEDULE,
        "Compliance 2008-03-31",
        "Quarters",
        "Sources and assumptions",
        "Inputs used",
    ]
    assert SCHEDULE == "Schedule 1 to Compliance"  # cut at a whole word, not "...Certif"
    ws = wb["Quarters"]
    assert ws.freeze_panes == "B2"
    # printed as a report: Letter landscape, one page wide, the header row on every page
    for sheet in wb.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        # fit to 1 page wide (XlsxWriter leaves out the default width of 1), any number tall
        assert sheet.page_setup.paperSize == 1 and sheet.page_setup.fitToWidth in (None, 1)
        assert sheet.page_setup.fitToHeight == 0, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
    assert ws.print_title_rows == "$1:$1"
    assert [c.value for c in ws[1]] == ["Quarter end", "Revenue", "Days under cash dominion"]
    assert ws["B2"].value == 360_800_000 and ws["B2"].number_format.startswith('"$"#,##0.00')
    assert ws["B3"].value == -1.5 and ";(" in ws["B3"].number_format  # negatives in parentheses
    assert ws["A2"].number_format == "yyyy-mm-dd"
    assert ws.column_dimensions["B"].width >= 14
    src = wb["Sources and assumptions"]
    assert [c.value for c in src[1]][:3] == [None, "Term", "Value"]
    assert any("triggers.agings_measure" == c.value for row in src.iter_rows() for c in row)


def test_schedule_1_has_live_formulas_and_the_model_values(tmp_path):
    path = _workbook(tmp_path)
    ws = openpyxl.load_workbook(path)[SCHEDULE]
    vals = openpyxl.load_workbook(path, data_only=True)[SCHEDULE]
    d = _line(ws, "D", "Quick Assets")
    j = _line(ws, "J", "Adjusted Quick Ratio")
    h = _line(ws, "H", "Consolidated EBITDA")
    f = _line(ws, "F", "Cash Flow")
    a, b, c = (_line(ws, x, "Aggregate value of")[2].coordinate for x in "ABC")
    assert d[2].value == f"={a}+{b}+{c}"
    assert j[2].value.startswith("=ROUND(") and j[2].value.endswith(",4)")
    assert h[2].value.count("+") == 6
    assert f[2].value.count("-") == 3
    # the values the model computed are cached in the formula cells
    assert vals[j[2].coordinate].value == pytest.approx(1.0598)
    assert vals[h[2].coordinate].value == 8_000_000
    assert vals[f[2].coordinate].value == 2_300_000
    # the compliance test beside Consolidated EBITDA: required 7,500,000, an IF formula
    req_row = next(
        r for r in ws.iter_rows() if r[5].value == "Required" and r[6].value == 7_500_000
    )
    complies = ws.cell(row=req_row[5].row + 1, column=7)
    assert complies.value == f'=IF({h[2].coordinate}>=G{req_row[5].row},"Yes","No")'
    assert vals[complies.coordinate].value == "Yes"


def test_the_headline_and_banners_open_the_workbook_on_a_summary_sheet(tmp_path):
    top = headline(
        "Covenant compliance for the quarter ended 2008-03-31",
        [("Liquidity on 2008-03-31", "$27,500,000.00")],
        [("Minimum Consolidated EBITDA", "amber", "$500,000.00")],
    )
    warning = banner(["Every input but net income is illustrative."], title="Illustrative")
    path = write_workbook(
        tmp_path, "03-test", [table(pd.DataFrame({"a": [1.0]}), "T", "t")], summary=[top, warning]
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Summary"
    rows = [tuple(c.value for c in r[:2]) for r in wb["Summary"].iter_rows()]
    assert rows == [
        ("Covenant compliance for the quarter ended 2008-03-31", None),
        ("Liquidity on 2008-03-31", "$27,500,000.00"),
        ("Minimum Consolidated EBITDA", "Complies (amber); headroom $500,000.00"),
        (None, None),
        ("Illustrative", None),
        (None, "Every input but net income is illustrative."),
    ]
    assert wb["Summary"].page_setup.orientation == "landscape"
    # without a summary, no such sheet
    plain = write_workbook(tmp_path, "03-plain", [table(pd.DataFrame({"a": [1.0]}), "T", "t")])
    assert openpyxl.load_workbook(plain).sheetnames == ["T"]


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    assert sheet_name("A/B: c*d?", taken) == "AB cd"
    assert sheet_name("x" * 40, taken) == "x" * 31
    assert sheet_name("x" * 40, taken) == "x" * 27 + " (2)"


def test_libreoffice_recalculates_after_an_input_is_changed(tmp_path):
    path = _workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SCHEDULE]
    _line(ws, "A", "Net Income")[2].value = -3_100_000  # $1,000,000 less net income
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    out = soffice(changed, "xlsx", tmp_path / "out", tmp_path)
    vals = openpyxl.load_workbook(out, data_only=True)[SCHEDULE]
    h = _line(ws, "H", "Consolidated EBITDA")[2].coordinate
    assert vals[h].value == 7_000_000  # recomputed by LibreOffice: 8,000,000 - 1,000,000
    req_row = next(
        r for r in ws.iter_rows() if r[5].value == "Required" and r[6].value == 7_500_000
    )
    assert vals.cell(row=req_row[5].row + 1, column=7).value == "No"
    assert vals.cell(row=req_row[5].row + 2, column=7).value == -500_000
    # the model agrees: the same items with net income 1,000,000 lower fail the same way
    items = dict(ACTS.quarter(Q))
    items["net_income"] -= 1_000_000
    again = evaluate_covenants(FAC, Q, items, liquidity=27_500_000, springing_reading="quarter_end")
    assert again.loc["consolidated_ebitda", "actual"] == 7_000_000
    assert again.loc["consolidated_ebitda", "status_code"] == "breach"


def test_the_compliance_workbook_prints_without_overprinted_text(tmp_path):
    pdf = soffice(_workbook(tmp_path), "pdf", tmp_path / "pdf", tmp_path)
    assert overlaps(pdf) == []
