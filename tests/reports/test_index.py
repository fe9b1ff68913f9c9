"""The batch's index page (model/reports/index.py): the summary per scenario from the
reports' key figures, failures first, earlier reports kept, formatted figures."""

from __future__ import annotations

import json
from pathlib import Path

from model.reports.index import HISTORICAL, scenario_summary, write_index

RUN = {
    "started_at": "2026-12-02T05:21:58+00:00",
    "finished_at": "2026-12-02T05:22:40+00:00",
    "seconds": 42.0,
    "workers": 2,
    "executor": "local",
    "version": "0.2.0",
    "interrupted": False,
}


def _entry(scenario: str, notebook: str, status: str = "ok", title: str = "", **extra) -> dict:
    names = [f"{notebook}.{s}" for s in ("html", "ipynb", "json", "xlsx")]
    if status == "failed":
        names = [f"{notebook}.FAILED.html", f"{notebook}.FAILED.ipynb"]
    return {
        "notebook": notebook,
        "folder": scenario,
        "scenario": None if scenario == HISTORICAL else scenario,
        "scenario_title": title,
        "status": status,
        "seconds": 3.25,
        "files": {n: "0" * 64 for n in names},
        "completed_at": "2026-12-02T05:22:01+00:00",
        "failure": None,
        **extra,
    }


def _write(out: Path, entry: dict, figures: dict | None = None) -> None:
    folder = out / entry["folder"]
    folder.mkdir(parents=True, exist_ok=True)
    for name in entry["files"]:
        (folder / name).write_text("x")
    if figures is not None:
        (folder / f"{entry['notebook']}.json").write_text(json.dumps(figures))


def test_scenarios_are_summarised_from_their_key_figures(tmp_path: Path) -> None:
    base = _entry("base", "04-projection", title="Base <case>")
    _write(
        tmp_path,
        base,
        {
            "first_breach": "2008-12-31",
            "first_breach_covenant": "consolidated_ebitda",
            "min_liquidity": 10602290.45,
            "min_liquidity_date": "2008-09-01",
            "peak_revolver": 43239142.38,
            "funding_gap_total": 0.0,
            "quarters": {"2008-06-30": {}, "2010-12-31": {}},
        },
    )
    up = _entry("upside", "04-projection", title="Upside")
    _write(
        tmp_path,
        up,
        {
            "first_breach": None,
            "min_liquidity": 36700000.0,
            "min_liquidity_date": "2008-04-01",
            "peak_revolver": 15000000.0,
            "funding_gap_total": 1500.5,
            "quarters": {"2010-12-31": {}},
        },
    )
    html_path, json_path = write_index(
        tmp_path, [base, up], RUN, titles={"04-projection": "04 Projection"}
    )
    page = html_path.read_text()
    assert "First breach 2008-12-31 (consolidated ebitda)" in page
    assert "$10,602,290" in page and "$43,239,142" in page
    assert "No breach through 2010-12-31" in page and "$1,501" in page
    assert "Base &lt;case&gt;" in page and "Base <case>" not in page
    assert 'href="base/04-projection.html"' in page and 'href="base/04-projection.xlsx"' in page
    assert "Every report of this run completed." in page
    assert "2026-12-02 05:21:58 UTC" in page
    data = json.loads(json_path.read_text())
    assert data["format"] == 4 and data["run"]["counts"] == {"ok": 2, "reused": 0, "failed": 0}
    assert [s["name"] for s in data["scenarios"]] == ["base", "upside"]
    assert data["scenarios"][0]["horizon_end"] == "2010-12-31"
    assert data["scenarios"][1]["first_breach"] is None


def test_failures_come_first_with_cell_source_and_error(tmp_path: Path) -> None:
    failure = {
        "cell": 7,
        "source": "--> 12 raise ValueError('x')",
        "error": "ValueError",
        "message": "x",
    }
    bad = _entry("downside", "04-projection", "failed", title="Downside", failure=failure)
    _write(tmp_path, bad)
    hist = _entry(HISTORICAL, "01-interest-accrual")
    _write(tmp_path, hist, {"accrued_interest_as_of": "663777.78"})
    html_path, json_path = write_index(tmp_path, [hist, bad], RUN)
    page = html_path.read_text()
    assert page.index("1 report failed in this run") < page.index("Projection scenarios")
    assert "In [7]" in page and "ValueError: x" in page and "raise ValueError" in page
    assert 'href="downside/04-projection.FAILED.html"' in page
    assert "The report failed: see the failures above" in page
    assert (
        "Reports on the documents and the actuals" in page
        and 'href="historical/01-interest-accrual.html"' in page
    )
    assert json.loads(json_path.read_text())["run"]["counts"]["failed"] == 1


def test_reports_of_earlier_runs_stay_listed_while_their_files_exist(tmp_path: Path) -> None:
    now = _entry("base", "04-projection")
    _write(tmp_path, now, {"first_breach": None, "quarters": {}})
    kept = _entry("upside", "04-projection")
    _write(tmp_path, kept, {"first_breach": None, "quarters": {}})
    gone = _entry("stress", "04-projection")  # its files were deleted since
    previous = {"upside/04-projection": kept, "stress/04-projection": gone}
    _, json_path = write_index(tmp_path, [now], RUN, previous=previous)
    reports = json.loads(json_path.read_text())["reports"]
    assert [(r["folder"], r["this_run"]) for r in reports] == [("base", True), ("upside", False)]


def test_a_summary_ignores_failed_reports(tmp_path: Path) -> None:
    bad = _entry("base", "04-projection", "failed")
    _write(tmp_path, bad)
    (tmp_path / "base" / "04-projection.json").write_text(
        json.dumps({"first_breach": "2008-12-31"})
    )
    assert scenario_summary(tmp_path, "base", [bad]) == {}
