"""The report builders of model.reports: what notebooks 01-05 show and write, built by the
package from the engines' results.

Each builder is checked against the engine it formats (the figure in the report is the
engine's figure), against a figure from the documents where there is one, and for what it
writes: the key figures with the inputs, the workbook, the certificate. The notebooks' own
checks (nbval) and tests/test_one_set_of_numbers.py check the same figures end to end.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook

from model import (
    FixedRateNote,
    InputError,
    PathSettings,
    accrual_report,
    compliance_report,
    facility_ledger,
    inputs_used,
    load,
    projection_report,
    read_dated_csv,
    size_facility,
    sizing_report,
    study_note,
    study_projection,
    study_quarter,
    study_quarters,
    summary,
)
from model.engines.covenants import evaluate_covenants
from model.engines.facility import max_draw
from model.reports.compliance import CertificateSigning
from model.reports.inputs import notebook_defaults
from model.reports.pdf import browser
from model.terms.scenarios import DRIVERS, input_words
from model.values import to_cents

IBASIS = "params/deals/ibasis"
SVB = f"{IBASIS}/facilities/svb-loan-agreement.yaml"


@pytest.fixture(scope="module")
def base_projection():
    scenario = load(f"{IBASIS}/scenarios/base.yaml", kind="scenario")
    study = study_projection(scenario)
    return scenario, study.projection, projection_report(study)


def test_the_projection_report_shows_the_engines_figures(base_projection):
    scenario, p, report = base_projection
    answer = summary(p).loc[scenario.name]
    f = report.figures
    assert f["min_liquidity"] == round(float(answer["min_liquidity"]), 2)
    assert f["peak_revolver"] == round(float(answer["peak_revolver"]), 2)
    assert f["funding_gap_total"] == round(float(answer["funding_gap"]), 2)
    assert f["as_of"] == scenario.terms.opening.date.value
    quarters = p.quarters.xs(scenario.name, level="scenario")
    assert f["distributions_blocked"] == round(float(quarters["distributions_blocked"].sum()), 2)
    # every forecast quarter carries its funding gap and days in default, as the engine has them
    for q, r in quarters.iterrows():
        shown = f["quarters"][q.isoformat()]
        assert shown["funding_gap"] == round(float(r["funding_gap"]), 2)
        assert shown["days_in_default"] == int(r["days_in_default"])
    assert list(report.sections) == ["timeline", "covenants", "funding_gaps", "reference"]
    assert report.text().splitlines()[0] == f"scenario: {scenario.name}"


def test_inputs_are_worded_from_the_terms(base_projection):
    """The words for an input come from DRIVERS (a driver) or INPUT_WORDS (an opening
    figure): one place, used by 04 and 05."""
    scenario, _, report = base_projection
    banner = (
        report.front[1].to_html() if hasattr(report.front[1], "to_html") else str(report.front[1])
    )
    assert DRIVERS["dso_domestic"].label == "DSO, domestic"
    assert input_words("drivers.dso_domestic[2]") == "DSO, domestic (later quarters)"
    assert input_words("opening.revolver_outstanding") == "opening revolver balance"
    sources = scenario.provenance()
    illustrative = sources[sources["provenance"].str.startswith("ILLUSTRATIVE")]
    assert f"{len(illustrative)} inputs are illustrative sample values" in banner


def test_a_report_writes_its_key_figures_workbook_and_inputs(base_projection, tmp_path):
    scenario, _, report = base_projection
    ns = {
        "scenario_file": f"{IBASIS}/scenarios/base.yaml",
        "output_dir": str(tmp_path),
        "explore": False,
        "overrides": "",
    }
    written = report.write(tmp_path, inputs_used("04-projection", ns))
    assert written == "04-projection.json, 04-projection.xlsx"
    figures = json.loads((tmp_path / "04-projection.json").read_text())
    assert figures["scenario"] == scenario.name
    assert figures["min_liquidity"] == report.figures["min_liquidity"]
    assert figures["inputs"]["notebook"] == "04-projection"
    sheets = load_workbook(tmp_path / "04-projection.xlsx", read_only=True).sheetnames
    assert sheets[0] == "Summary" and "Covenants by quarter" in sheets


def test_an_unknown_section_is_refused_with_the_sections_there_are(base_projection):
    *_, report = base_projection
    with pytest.raises(
        InputError, match="no section 'charts' in report 04-projection; sections: front, timeline"
    ):
        report.parts("charts")


def test_nothing_is_written_without_an_output_folder(base_projection, tmp_path):
    *_, report = base_projection
    ns = {
        "scenario_file": f"{IBASIS}/scenarios/base.yaml",
        "output_dir": "",
        "explore": False,
        "overrides": "",
    }
    assert report.write("", inputs_used("04-projection", ns)).startswith("nothing written")


@pytest.fixture(scope="module")
def quarter_2008_q1():
    facility = load(SVB, kind="facility")
    actuals = load(f"{IBASIS}/actuals/ibasis-2008.csv", kind="actuals")
    return facility, actuals, study_quarter(facility, actuals, "2008-03-31")


def test_a_quarter_study_is_the_covenant_engine_under_the_terms_due(quarter_2008_q1):
    facility, actuals, study = quarter_2008_q1
    # the 2008-03-31 certificate is due 2008-05-15 (quarter end + 45 days), after the First
    # Loan Modification of 2008-04-28: the amended terms govern it
    assert study.due_date == dt.date(2008, 5, 15)
    direct = evaluate_covenants(facility, "2008-03-31", actuals, cushion=0.10)
    pd.testing.assert_frame_equal(study.results, direct)
    assert study.history_quarters == [dt.date(2008, 3, 31)]
    assert study.acceptance_covenant == str(direct.index[0])


def test_the_compliance_report_carries_the_certificate(quarter_2008_q1, tmp_path):
    facility, _, study = quarter_2008_q1
    report = compliance_report(study, CertificateSigning(study.due_date, "A. Officer", "CFO"))
    names = list(report.documents)
    assert names == [
        "03-compliance-certificate-2008-03-31.html",
        "03-compliance-certificate-2008-03-31.md",
    ]
    assert "A. Officer" in report.documents[names[1]]
    for cid, r in study.results.iterrows():
        assert report.figures["covenants"][cid]["status"] == r["status"]
    ns = {k: v for k, v in notebook_defaults("03-covenant-compliance").items()}
    ns["output_dir"] = str(tmp_path)
    written = report.write(tmp_path, inputs_used("03-covenant-compliance", ns))
    pdf = ["03-compliance-certificate-2008-03-31.pdf"] if browser() else []
    assert written.split(", ")[2:] == names + pdf
    assert (tmp_path / names[0]).read_text().startswith("<!DOCTYPE html>")
    # no ledger: the liquidity source is not made up
    assert report.figures["liquidity_source"] is None
    # the default acceptance case is the first covenant, the Adjusted Quick Ratio, whose
    # level is in neither version of the documents: undecided, not "fails"
    assert study.acceptance_covenant == "adjusted_quick_ratio"
    assert report.figures["q1_2008_adjusted_quick_ratio_original_complies"] is None
    assert report.figures["q1_2008_adjusted_quick_ratio_amended_complies"] is None


def test_the_quarter_study_records_the_ledger_it_was_given():
    from model import LedgerNote

    facility = load(SVB, kind="facility")
    actuals = load(f"{IBASIS}/actuals/ibasis-2008.csv", kind="actuals")
    d = f"{IBASIS}/scenarios"
    ledger = facility_ledger(
        facility,
        "2008-04-28",
        "2009-06-30",
        receivables=read_dated_csv(f"{d}/svb-receivables-sample.csv", "receivables"),
        cash=read_dated_csv(f"{d}/svb-cash-sample.csv", "cash"),
        rate_path=read_dated_csv(f"{d}/prime-rate-2007-2009.csv", "rate_path"),
        draws=read_dated_csv(f"{d}/svb-draws-sample.csv", "draws"),
        opening_balance=20_000_000,
    )
    note = LedgerNote("2008-04-28", "2009-06-30", "illustrative")
    study = study_quarter(facility, actuals, "2008-06-30", ledger=ledger, ledger_note=note)
    report = compliance_report(study, CertificateSigning(study.due_date))
    assert report.figures["liquidity_source"] == note.source
    assert set(study.results["liquidity_source"].dropna()) <= {note.source}


def test_the_accrual_report_recomputes_the_symphony_exchange():
    """Letter agreement of 2003-02-05 (Exhibit 99.2): $651,187.50 of accrued interest paid."""
    note = FixedRateNote(
        load(f"{IBASIS}/instruments/8pct-secured-convertible-2007.yaml", kind="fixed_rate_note")
    )
    exchange = load(f"{IBASIS}/instruments/symphony-exchange-2003.yaml", kind="exchange")
    cap = load(f"{IBASIS}/instruments/ibasis-capitalization-2004.yaml", kind="capitalization")
    study = study_note(note, exchange, cap, "2005-03-31", "2004-04-01", "2007-06-30")
    report = accrual_report(study)
    assert report.figures["symphony_exchange_accrued_interest"] == Decimal("651187.50")
    assert report.figures["accrued_interest_as_of"] == note.accrued_interest("2005-03-31")
    assert study.total_expense == sum(
        note.interest_expense("2004-04-01", "2007-06-30")["interest_expense"]
    )
    # the 2005 conversion of $8.0M into 4,324,324 shares (reference/public-facts.md)
    assert report.figures["conversions"][0]["shares"] == 4_324_324
    assert "Accrued interest at the exchange: $651,187.50 (letter $651,187.50)" in report.text()


def test_the_sizing_report_is_the_facility_engines_answer():
    facility = load(SVB, kind="facility")
    d = f"{IBASIS}/scenarios"
    receivables = read_dated_csv(f"{d}/svb-receivables-sample.csv", "receivables")
    as_of = dt.date(2008, 6, 30)
    study = size_facility(
        facility,
        as_of,
        invoices=read_dated_csv(f"{d}/svb-invoices-2008-06-30.csv", "invoices"),
        receivables=receivables,
        cash=read_dated_csv(f"{d}/svb-cash-sample.csv", "cash"),
        rate_path=read_dated_csv(f"{d}/prime-rate-2007-2009.csv", "rate_path"),
        draws=read_dated_csv(f"{d}/svb-draws-sample.csv", "draws"),
        opening_balance=20_000_000,
        ledger_start="2008-04-28",
        ledger_end="2009-06-30",
        on_excess_draw="cap",
        lag_days=0,
        sizing_balance=30_000_000,
    )
    report = sizing_report(facility, study, provenance="illustrative", lag_given=False)
    cert = study.certificate
    expected = max_draw(
        facility,
        as_of,
        cert["eligible_domestic"],
        cert["eligible_foreign"],
        study.row["outstanding"],
    )
    assert report.figures["max_draw_on_as_of"] == to_cents(expected)
    assert (
        report.figures["ledger_on_as_of"]["availability"]
        == study.ledger.loc[pd.Timestamp(as_of), "availability"]
    )
    assert study.agrees is True  # the sample invoices reproduce the certificate of 2008-06-30
    assert report.figures["waterfall"]["eligible_domestic"] == cert["eligible_domestic"]


def test_path_settings_are_read_strictly():
    s = PathSettings.read("2000", 7, "0.05", 0.005, "-0.5")
    assert (s.paths, s.seed, s.correlation) == (2000, 7, -0.5)
    with pytest.raises(InputError, match="seed"):
        PathSettings.read(2000, -1, 0.05, 0.005, 0.5)


def test_the_compliance_report_certifies_every_quarter_of_its_pack(quarter_2008_q1):
    facility, actuals, study = quarter_2008_q1
    pack = study_quarters(facility, actuals)
    report = compliance_report(study, CertificateSigning(study.due_date), pack)
    quarters = [q.isoformat() for q in actuals.quarter_ends]
    assert sorted(report.figures["certificates"]) == quarters
    assert len(report.documents) == 2 * len(quarters)
    assert report.printed == tuple(n for n in report.documents if n.endswith(".html"))
    # each certificate is dated its own due date; the quarter of the report keeps its own
    dec = report.documents["03-compliance-certificate-2008-12-31.md"]
    assert "2009-04-30" in dec  # the annual certificate: fiscal year end + 120 days
    for q, c in report.figures["certificates"].items():
        mine = next(s for s in pack.studies if s.quarter.isoformat() == q)
        assert c["statuses"] == dict(mine.results["status_code"])
        assert c["due_date"] == mine.due_date
    assert report.parts("certificates")[0].table_id == "t03-certificates"


def test_a_quarter_whose_period_the_actuals_do_not_cover_is_not_certified():
    """Northwind reports 2019 only: its covenants run over trailing four quarters, so only
    2019-12-31 can be certified; the three earlier quarters are listed with the reason."""
    facility = load("params/deals/northwind/facility.yaml", kind="facility")
    actuals = load("params/deals/northwind/actuals.csv", kind="actuals")
    pack = study_quarters(facility, actuals, springing_reading="quarter_end")
    study = pack.studies[0]
    report = compliance_report(study, CertificateSigning(study.due_date), pack)
    assert sorted(report.figures["certificates"]) == ["2019-12-31"]
    assert sorted(report.figures["not_certified"]) == ["2019-03-31", "2019-06-30", "2019-09-30"]
    assert (
        "quarter 2018-06-30 is not in the actuals" in report.figures["not_certified"]["2019-03-31"]
    )
    table = report.parts("certificates")[0].to_html()
    assert table.count("Not certified:") == 3


def test_a_quarter_before_the_agreement_is_listed_not_certified(monkeypatch):
    import model.engines.covenants.quarter_study as qs

    facility = load(SVB, kind="facility")
    actuals = load(f"{IBASIS}/actuals/ibasis-2008.csv", kind="actuals")
    real = qs.study_quarter

    def early(facility, actuals, q, **kw):
        if str(q) == "2007-12-31":
            raise InputError(
                "2007-12-31 is before the agreement date: no terms in force", key="as_of"
            )
        return real(facility, actuals, q, **kw)

    monkeypatch.setattr(qs, "study_quarter", early)
    pack = qs.study_quarters(facility, actuals)
    assert [str(q) for q in pack.not_certified] == ["2007-12-31"]
    assert "no terms in force" in pack.not_certified[dt.date(2007, 12, 31)]
    assert len(pack.studies) == len(actuals.quarter_ends) - 1


def _stub_browser(tmp_path, body):
    stub = tmp_path / "browser"
    stub.write_text("#!/bin/sh\n" + body + "\n")
    stub.chmod(0o755)
    return str(stub)


def test_a_browser_that_fails_leaves_the_report_written_without_its_pdf(
    quarter_2008_q1, tmp_path, monkeypatch
):
    facility, _, study = quarter_2008_q1
    monkeypatch.setenv("MODEL_CHROMIUM", _stub_browser(tmp_path, "echo broken >&2; exit 3"))
    report = compliance_report(study, CertificateSigning(study.due_date))
    ns = dict(notebook_defaults("03-covenant-compliance"), output_dir=str(tmp_path / "out"))
    said = report.write(tmp_path / "out", inputs_used("03-covenant-compliance", ns))
    assert (tmp_path / "out" / "03-covenant-compliance.json").is_file()
    assert (tmp_path / "out" / "03-compliance-certificate-2008-03-31.html").is_file()
    assert not (tmp_path / "out" / "03-compliance-certificate-2008-03-31.pdf").exists()
    assert "not printed to PDF" in said and "(exit 3): broken" in said


def test_a_browser_that_hangs_is_stopped(tmp_path, monkeypatch):
    from pathlib import Path

    from model.reports.pdf import print_pdf

    monkeypatch.setenv("MODEL_CHROMIUM", _stub_browser(tmp_path, "sleep 30"))
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>")
    with pytest.raises(InputError, match="did not print it to PDF within 1 s"):
        print_pdf(page, Path(tmp_path / "p.pdf"), timeout=1)
    assert not (tmp_path / "p.pdf").exists()
