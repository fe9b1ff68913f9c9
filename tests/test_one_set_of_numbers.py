"""One set of numbers: every figure that two reports give as reported for the same deal and
quarter is equal, across the key-figures JSON of the default batch (02, 03, 04, 05 and the
index), and every forecast figure carries its as-of date.

The batch runs once for the module (about 30 s on 2 workers): the reports of the embedded
deal, every scenario, as ``model run`` makes them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from model.dates import next_quarter_end
from model.reports.pdf import browser
from model.run import batch

FIGURES = ("revenue", "ebitda", "net_income", "cash", "outstanding", "liquidity", "min_liquidity")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("default-batch")
    res = batch.run_batch(
        out=folder, deals=["ibasis"], force=True, progress=io.StringIO(), progress_bar=False
    )
    assert {e["status"] for e in res.entries} == {"ok"}, res.failed
    return folder


def _json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _scenarios(out: Path) -> list[Path]:
    return sorted(p for p in (out / "ibasis").iterdir() if (p / "04-projection.json").exists())


def test_every_reported_quarter_of_04_equals_the_covenant_report(out: Path) -> None:
    history = _json(out / "ibasis/historical/03-covenant-compliance.json")["history"]
    assert len(history) == 7  # 2007-12-31 to 2009-06-30
    compared = 0
    for folder in _scenarios(out):
        quarters = _json(folder / "04-projection.json")["quarters"]
        reported = {q: r for q, r in quarters.items() if r["basis"] == "reported"}
        assert sorted(reported) == sorted(history), folder.name
        for q, row in reported.items():
            want = history[q]
            for k in FIGURES:
                assert row[k] == want[k], (folder.name, q, k)
                compared += 1
            assert row["covenants"] == want["covenants"], (folder.name, q)
            compared += len(want["covenants"])
    assert compared == 4 * 7 * (len(FIGURES) + 3)


def test_the_certified_quarter_is_the_historys_quarter(out: Path) -> None:
    report = _json(out / "ibasis/historical/03-covenant-compliance.json")
    q = report["quarter_end"]
    want = report["history"][q]["covenants"]
    assert sorted(report["covenants"]) == sorted(want)
    for cid, c in report["covenants"].items():
        for k in ("required", "actual", "headroom"):
            got = None if c[k] is None else float(c[k])
            assert got == want[cid][k], (cid, k)
        code = want[cid]["status_code"]
        assert (
            ("amber" in c["status"])
            if code == "amber"
            else c["status"].startswith(code.replace("_", " "))
        ), (cid, c["status"], code)
    # the certificate the bank receives shows the same figures
    certificate = (out / "ibasis/historical" / report["certificate_html"]).read_text()
    for cid, c in want.items():
        if c["actual"] is not None and abs(c["actual"]) >= 1000:
            assert f"{c['actual']:,.0f}" in certificate, cid


def test_every_reported_quarter_has_its_certificate_with_the_historys_statuses(out: Path) -> None:
    """The certificate pack: one certificate per quarter the actuals report, each with the
    statuses the history (and so 04's reported quarters) gives that quarter; the quarter in
    breach says so on its certificate, and the index lists the pack."""
    folder = out / "ibasis/historical"
    report = _json(folder / "03-covenant-compliance.json")
    history, pack = report["history"], report["certificates"]
    assert sorted(pack) == sorted(history)
    for q, c in pack.items():
        want = {cid: r["status_code"] for cid, r in history[q]["covenants"].items()}
        assert c["statuses"] == want, q
        assert c["breaches"] == sorted(cid for cid, code in want.items() if code == "breach")
        assert (folder / c["html"]).is_file() and (folder / c["markdown"]).is_file()
    # Loan Agreement Sec. 6.9(iii) as amended: the Borrower Cash Flow test springs in the
    # fourth quarter of 2008 and fails; its certificate, due 2009-04-30 (FYE + 120 days),
    # lists it among the exceptions
    assert pack["2008-12-31"]["breaches"] == ["borrower_cash_flow"]
    assert pack["2008-12-31"]["due_date"] == "2009-04-30"
    text = (folder / pack["2008-12-31"]["markdown"]).read_text(encoding="utf-8")
    exceptions = text[text.index("exceptions with respect to the certification") :]
    assert (
        "Minimum Borrower Cash Flow" in exceptions
        and "below the required $2,000,000.00" in exceptions
    )
    index = _json(out / "index.json")
    listed = next(d for d in index["deals"] if d["name"] == "ibasis")["certificates"]
    assert [c["quarter_end"] for c in listed] == sorted(pack)
    assert [c["quarter_end"] for c in listed if c["status"] == "breach"] == [
        q for q in sorted(pack) if pack[q]["breaches"]
    ]
    page = (out / "index.html").read_text(encoding="utf-8")
    table = page[page.index('id="certificates-ibasis"') :]
    table = table[: table.index("</table>")]
    assert table.count('class="in-breach"') == 1 and "2008-12-31" in table
    # a PDF beside each certificate where a browser printed it, and a link to it; none claimed
    # without one
    printed = browser() is not None
    for c in listed:
        pdf = folder / pack[c["quarter_end"]]["html"].replace(".html", ".pdf")
        assert pdf.is_file() == printed, pdf.name
        assert ("PDF" in [label for _, label in c["links"]]) == printed
        if printed:
            assert pdf.read_bytes().startswith(b"%PDF")


def test_the_forecast_follows_the_last_reported_quarter_and_says_when_it_was_made(
    out: Path,
) -> None:
    for folder in _scenarios(out):
        figures = _json(folder / "04-projection.json")
        quarters = figures["quarters"]
        order = sorted(quarters)
        last = max(q for q in order if quarters[q]["basis"] == "reported")
        forecast = [q for q in order if quarters[q]["basis"] == "forecast"]
        assert forecast, folder.name
        assert forecast[0] == next_quarter_end(dt.date.fromisoformat(last)).isoformat()
        assert all(quarters[q]["as_of"] == figures["as_of"] for q in forecast)
        assert all(quarters[q]["as_of"] is None for q in order if q <= last)
        # a forecast made earlier than the last reported quarter is shown beside it, never
        # in its place
        if figures["as_of"] < last:
            assert sorted(figures["forecast_vs_actual"])[-1] == last
        else:
            assert figures["forecast_vs_actual"] == {}


def test_the_facility_report_and_the_index_agree_with_the_reported_quarters(out: Path) -> None:
    history = _json(out / "ibasis/historical/03-covenant-compliance.json")["history"]
    sizing = _json(out / "ibasis/historical/02-facility-sizing.json")
    # 02's ledger on its as-of date, the quarter end 2008-06-30: the revolver and liquidity
    day = sizing["as_of"]
    assert sizing["ledger_on_as_of"]["outstanding"] == history[day]["outstanding"]
    assert sizing["ledger_on_as_of"]["liquidity"] == history[day]["liquidity"]
    for q in sizing["quarters"]:
        if q["quarter_end"] in history and history[q["quarter_end"]]["min_liquidity"] is not None:
            assert q["min_liquidity"] == history[q["quarter_end"]]["min_liquidity"]
    index = _json(out / "index.json")
    deal = next(d for d in index["deals"] if d["name"] == "ibasis")
    assert deal["latest_reported_quarter"] == max(history)
    assert deal["historical_breaches"] == [
        [q, c]
        for q in sorted(history)
        for c, r in sorted(history[q]["covenants"].items())
        if r["status_code"] == "breach"
    ]


def test_reported_quarters_are_certain_in_the_breach_probability(out: Path) -> None:
    history = _json(out / "ibasis/historical/03-covenant-compliance.json")["history"]
    compared = _json(out / "ibasis/compared/05-scenarios.json")
    assert sorted(compared["breach_probability"]) == sorted(p.name for p in _scenarios(out))
    for folder in _scenarios(out):
        prob = compared["breach_probability"][folder.name]["any"]
        reported = {q: r for q, r in prob.items() if r["basis"] == "reported"}
        assert sorted(reported) == sorted(history)
        for q, r in reported.items():
            breached = any(c["status_code"] == "breach" for c in history[q]["covenants"].values())
            assert r["probability"] == (1.0 if breached else 0.0), (folder.name, q)
        assert all(r["basis"] == "forecast" for q, r in prob.items() if q > max(history))


def test_the_scenarios_compared_are_each_scenarios_own_projection(out: Path) -> None:
    """05 runs once per deal: its row for a scenario is that scenario's 04, figure by figure."""
    compared = _json(out / "ibasis/compared/05-scenarios.json")["scenarios"]
    assert sorted(compared) == sorted(p.name for p in _scenarios(out))
    for folder in _scenarios(out):
        own = _json(folder / "04-projection.json")
        row = compared[folder.name]
        for k in (
            "as_of",
            "first_breach",
            "first_breach_covenant",
            "min_liquidity",
            "min_liquidity_date",
            "peak_revolver",
        ):
            assert row[k] == own[k], (folder.name, k)
        assert row["funding_gap"] == own["funding_gap_total"], folder.name


@pytest.fixture(scope="module")
def capital_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("capital-batch")
    res = batch.run_batch(
        ["06-capital-structure", "07-capital-scenarios"],
        out=folder,
        deals=["northwind", "magnite"],
        force=True,
        progress=io.StringIO(),
        progress_bar=False,
    )
    assert {e["status"] for e in res.entries} == {"ok"}, res.failed
    return folder


def test_the_capital_scenarios_side_by_side_are_each_scenarios_own_report(
    capital_out: Path,
) -> None:
    compared = 0
    for deal in ("northwind", "magnite"):
        for shocked in ("base", "downside"):
            side = _json(capital_out / deal / shocked / "07-capital-scenarios.json")["scenarios"]
            assert sorted(side) == ["base", "downside"]
            for name, row in side.items():
                own = _json(capital_out / deal / name / "06-capital-structure.json")
                assert row["first_breach"] == own["first_breach"], (deal, name)
                assert row["first_breach_covenant"] == own["first_breach_covenant_title"]
                assert row["cures"] == len(own["cures"])
                assert row["cure_amount"] == round(sum(c["amount"] for c in own["cures"]), 2)
                assert row["funding_gap"] == own["funding_gap_total"], (deal, name)
                compared += 1
    assert compared == 8
