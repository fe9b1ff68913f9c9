"""Charts (model.reports.charts): (fig, ax), never shown; titles, axes with units; labels
that quote the deal come from its terms."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from model.engines.covenants import evaluate_history
from model.engines.facility import facility_ledger
from model.engines.notes import FixedRateNote
from model.errors import InputError
from model.reports.charts import (
    STATUS_COLOURS,
    borrowing_base_chart,
    interest_expense_chart,
    liquidity_chart,
    plot_covenant_history,
)
from model.terms import load

SVB = "params/facilities/svb-loan-agreement.yaml"
FAC = load(SVB)
ACTS = load("params/actuals/ibasis-2008.csv")
NORTHWIND = Path(__file__).resolve().parents[1] / "fixtures" / "deals" / "northwind"


@pytest.fixture(autouse=True)
def _never_shown(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a chart function called plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


def _legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _check_frame(fig, ax, unit):
    assert fig is ax.get_figure(root=True)
    assert ax.get_title() and ax.get_xlabel()
    assert unit in ax.get_ylabel()


def _small_ledger(fac, start, end, domestic_advance_rate=None, certificate=None):
    return facility_ledger(
        fac,
        start,
        end,
        cash=5e6,
        rate_path=0.05,
        receivables=pd.DataFrame(
            {"date": [certificate or start], "eligible_domestic": [2e7], "eligible_foreign": [1e6]}
        ),
        domestic_advance_rate=domestic_advance_rate,
    )


def test_interest_expense_chart():
    note = FixedRateNote(load("params/instruments/8pct-secured-convertible-2007.yaml"))
    expense = note.interest_expense("2005-01-01", "2005-12-31")
    fig, ax = interest_expense_chart(expense)
    _check_frame(fig, ax, "US$")
    assert len(ax.patches) == len(expense)
    assert ax.yaxis.get_major_formatter()(250000, 0) == "$250,000"


def test_liquidity_chart_labels_from_the_terms(sample_ledger):
    fig, ax = liquidity_chart(FAC, sample_ledger)
    _check_frame(fig, ax, "US$ millions")
    amended = FAC.all_versions[-1]
    labels = _legend(ax)
    assert f"cash dominion below ({amended.triggers.cash_dominion_below.reference})" in labels
    assert f"agings reports below ({amended.triggers.agings_reports_below.reference})" in labels
    cov = amended.covenant("borrower_cash_flow")
    title = amended.compliance.metric(cov.metric).title
    assert f"{title} covenant springs below ({cov.reference})" in labels


def test_borrowing_base_chart_labels_from_the_terms(sample_ledger):
    fig, ax = borrowing_base_chart(FAC, sample_ledger)
    _check_frame(fig, ax, "US$ millions")
    bb = FAC.all_versions[-1].borrowing_base
    labels = _legend(ax)
    assert labels[:3] == [
        f"{bb.domestic_advance_rate.reference} {bb.domestic_advance_rate.value:.0%} of eligible domestic",
        f"{bb.foreign_advance_rate.reference} {bb.foreign_advance_rate.value:.0%} of eligible foreign",
        f"{bb.over_advance.reference} over-advance, stepping down",
    ]


def test_advance_rate_label_follows_the_params():
    fac = load(
        SVB,
        {
            "original.borrowing_base.domestic_advance_rate.value": "0.825",
            "amendments.0.changes.borrowing_base.domestic_advance_rate.value": "0.825",
        },
    )
    fig, ax = borrowing_base_chart(fac, _small_ledger(fac, "2008-04-28", "2008-05-05"))
    assert _legend(ax)[0] == "(a) 82.5% of eligible domestic"


def test_advance_rate_lowered_by_the_caller_is_shown():
    ledger = _small_ledger(FAC, "2008-04-28", "2008-05-05", domestic_advance_rate="0.75")
    fig, ax = borrowing_base_chart(FAC, ledger)
    assert _legend(ax)[0] == "(a) 75% (terms: 80%) of eligible domestic"


def test_ledger_across_an_amendment_names_both_versions(sample_ledger):
    ledger = _small_ledger(FAC, "2008-04-20", "2008-05-05")
    fig, ax = liquidity_chart(FAC, ledger)
    springs = [t for t in _legend(ax) if "covenant springs below" in t]
    names = [
        v.compliance.metric(c.metric).title
        for v in FAC.all_versions
        for c in v.covenants
        if c.springing is not None
    ]
    assert springs == [f"{' / '.join(names)} covenant springs below (Sec. 6.9(iii))"]


def test_a_second_deal_charts_with_its_own_labels(sample_ledger):
    fac = load(NORTHWIND / "facility.yaml")
    ledger = _small_ledger(fac, "2019-03-01", "2019-03-31", certificate="2019-01-31")
    fig, ax = borrowing_base_chart(fac, ledger)
    assert _legend(ax) == [
        "(i) 85% of eligible domestic",
        "(ii) 60% of eligible foreign",
        "Revolving Line",
        "advances outstanding",
    ]
    fig, ax = liquidity_chart(fac, ledger)
    assert _legend(ax) == [
        "liquidity (cash at the bank + availability)",
        "availability",
        "cash dominion below (Sec. 5.2)",
    ]
    with pytest.raises(InputError, match="ledger: the ledger was not computed with these terms"):
        liquidity_chart(fac, sample_ledger)  # days under a version Northwind does not have


def test_covenant_history_colours_by_status_code(sample_ledger):
    quarters = ["2007-12-31", "2008-03-31", "2008-06-30", "2008-09-30"]
    history = evaluate_history(FAC, quarters, ACTS, liquidity=sample_ledger)
    fig, ax = plot_covenant_history(history, "consolidated_ebitda")
    _check_frame(fig, ax, "US$ millions")
    codes = history.xs("consolidated_ebitda", level="covenant")["status_code"]
    bars = [p.get_facecolor() for p in ax.patches]
    expected = [plt.matplotlib.colors.to_rgba(STATUS_COLOURS.get(c, "#bbbbbb")) for c in codes]
    assert bars == expected
    assert "amber" in set(codes)
    headrooms = [t.get_text() for t in ax.texts]
    assert headrooms[1] == "$500,000"  # 2008-03-31: $8,000,000 against $7,500,000

    fig, ax = plot_covenant_history(history, "adjusted_quick_ratio")
    assert "ratio" in ax.get_ylabel() and len(ax.texts) == 0  # no level given: no headroom


def test_covenant_history_on_given_axes_and_errors(sample_ledger):
    history = evaluate_history(
        FAC, ["2008-03-31"], ACTS, thresholds={"adjusted_quick_ratio": Decimal("1.25")}
    )
    fig, axes = plt.subplots(1, 2)
    out_fig, out_ax = plot_covenant_history(history, "adjusted_quick_ratio", ax=axes[1])
    assert out_fig is fig and out_ax is axes[1]
    assert [t.get_text() for t in out_ax.texts] == ["-0.1902"]
    with pytest.raises(InputError, match="covenant: unknown covenant id 'nope'"):
        plot_covenant_history(history, "nope")
