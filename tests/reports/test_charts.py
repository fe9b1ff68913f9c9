"""Charts (model.reports.charts): (fig, ax), never shown; titles, axes with units; labels
that quote the deal come from its terms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox

from model import paths
from model.engines.covenants import evaluate_history
from model.engines.facility import facility_ledger
from model.engines.notes import FixedRateNote
from model.engines.projection import project
from model.engines.projection.analytics import breach_probability, sensitivity_grid
from model.errors import InputError
from model.reports import charts
from model.reports.charts import (
    STATUS_COLOURS,
    borrowing_base_chart,
    breach_probability_chart,
    covenant_headroom_chart,
    interest_expense_chart,
    liquidity_chart,
    plot_covenant_history,
    projection_headroom_chart,
    projection_liquidity_chart,
    projection_revolver_chart,
    sensitivity_heatmap,
)
from model.reports.tables import STATUS_COLOURS as TABLE_COLOURS
from model.terms import load

SVB = "params/deals/ibasis/facilities/svb-loan-agreement.yaml"
FAC = load(SVB)
ACTS = load("params/deals/ibasis/actuals/ibasis-2008.csv")
NORTHWIND = paths.ROOT / "params" / "deals" / "northwind"


@pytest.fixture(autouse=True)
def _never_shown(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a chart function called plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


def _legend(ax) -> list[str]:
    """The labels of the chart's legend: under the axes, or beside them."""
    legend = ax.get_legend() or ax.get_figure(root=True).legends[0]
    return [t.get_text() for t in legend.get_texts()]


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
    note = FixedRateNote(load("params/deals/ibasis/instruments/8pct-secured-convertible-2007.yaml"))
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
        "availability (limit less outstanding)",
    ]
    fig, ax = liquidity_chart(fac, ledger)
    labels = _legend(ax)
    assert labels[:4] == [
        "liquidity (cash at the bank + availability)",
        "cash at the bank",
        "availability",
        "cash dominion below (Sec. 5.2)",
    ]
    assert not [t for t in labels if "agings" in t or "springs" in t]  # Northwind has neither
    with pytest.raises(InputError, match="ledger: the ledger was not computed with these terms"):
        liquidity_chart(fac, sample_ledger)  # days under a version Northwind does not have


def test_covenant_history_colours_by_status_code(sample_ledger):
    quarters = ["2007-12-31", "2008-03-31", "2008-06-30", "2008-09-30"]
    history = evaluate_history(FAC, quarters, ACTS, liquidity=sample_ledger)
    fig, ax = plot_covenant_history(history, "consolidated_ebitda")
    _check_frame(fig, ax, "US$ millions")
    codes = history.xs("consolidated_ebitda", level="covenant")["status_code"]
    bars = [p.get_facecolor() for p in ax.patches]
    expected = [to_rgba(STATUS_COLOURS.get(c, STATUS_COLOURS["not_required"])) for c in codes]
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
    assert [t.get_text() for t in out_ax.texts] == ["(0.1902)"]
    with pytest.raises(InputError, match="covenant: unknown covenant id 'nope'"):
        plot_covenant_history(history, "nope")


# --- every chart: a title, units, a legend off the data, the one set of status colours ------

UNITS = ("US$", "%", "days", "ratio", "date")
STRESS = "params/deals/ibasis/scenarios/stress-2008.yaml"


def _title(ax) -> str:
    return " ".join(ax.get_title(loc) for loc in ("left", "center", "right")).strip()


def _legends(fig):
    return [*fig.legends, *(a.get_legend() for a in fig.axes if a.get_legend() is not None)]


def _overlap(a: Bbox, b: Bbox) -> float:
    """Area in pixels where two boxes overlap (0 when they only touch)."""
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0) * max(h, 0)


def _check_chart(fig, axes, unit, x_unit="date"):
    """Titled; each panel's y axis and the bottom x axis name their unit; every legend off
    every panel's data area and inside the figure; never a status colour that differs from
    the tables'."""
    axes = list(np.atleast_1d(axes))
    assert fig is axes[0].get_figure(root=True)
    suptitle = fig.get_suptitle()
    for a in axes:
        assert _title(a) or suptitle
        assert unit in a.get_ylabel(), a.get_ylabel()
    assert x_unit in axes[-1].get_xlabel(), axes[-1].get_xlabel()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legends = _legends(fig)
    assert legends, "no legend"
    figure_box = fig.bbox
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for a in fig.axes:
            assert _overlap(box, a.get_window_extent(renderer)) < 1.0, (
                f"legend over the data of {_title(a)!r}"
            )
        assert box.x0 >= figure_box.x0 - 1 and box.x1 <= figure_box.x1 + 1
        assert box.y0 >= figure_box.y0 - 1 and box.y1 <= figure_box.y1 + 1
    return legends


def _status_patches(fig):
    """The status patches of the legends, by label."""
    return {
        h.get_label(): to_rgb(h.get_facecolor())
        for legend in _legends(fig)
        for h in legend.legend_handles
        if isinstance(h, Patch)
    }


def test_one_set_of_status_colours():
    assert STATUS_COLOURS is TABLE_COLOURS


def test_the_legend_check_catches_a_legend_on_the_data():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="a line")
    ax.set(title="t", xlabel="date", ylabel="US$ millions")
    ax.legend(loc="upper left")
    with pytest.raises(AssertionError, match="legend over the data"):
        _check_chart(fig, ax, "US$ millions")
    ax.legend(loc="upper left", bbox_to_anchor=(1.5, 1.0))  # off the figure: cut off
    with pytest.raises(AssertionError):
        _check_chart(fig, ax, "US$ millions")


@pytest.fixture(scope="module")
def stress():
    return project(load(STRESS))


@pytest.fixture(scope="module")
def history(sample_ledger):
    quarters = ["2007-12-31", "2008-03-31", "2008-06-30", "2008-09-30", "2008-12-31"]
    return evaluate_history(FAC, quarters, ACTS, liquidity=sample_ledger)


def test_ledger_charts_have_units_and_legends_off_the_data(sample_ledger):
    for chart in (liquidity_chart, borrowing_base_chart):
        fig, ax = chart(FAC, sample_ledger)
        _check_chart(fig, ax, "US$ millions")
    note = FixedRateNote(load("params/deals/ibasis/instruments/8pct-secured-convertible-2007.yaml"))
    fig, ax = interest_expense_chart(note.interest_expense("2005-01-01", "2005-12-31"))
    _check_chart(fig, ax, "US$", x_unit="period")


def test_liquidity_chart_thresholds_are_the_ledgers_steps(sample_ledger):
    fig, ax = liquidity_chart(FAC, sample_ledger)
    steps = {ln.get_label(): ln for ln in ax.get_lines() if ln.get_drawstyle() == "steps-post"}
    columns = ["cash_dominion_threshold", "agings_threshold", "cash_flow_threshold"]
    assert len(steps) == len(columns)
    for line, column in zip(steps.values(), columns, strict=True):
        np.testing.assert_allclose(line.get_ydata(), sample_ledger[column] / 1e6)
    lines = {ln.get_label(): ln.get_ydata() for ln in ax.get_lines()}
    np.testing.assert_allclose(lines["availability"], sample_ledger["availability"] / 1e6)
    days = int(sample_ledger["cash_dominion"].sum())
    assert days > 0 and f"under cash dominion ({days} days)" in _legend(ax)


def test_borrowing_base_chart_shows_availability_to_the_limit(sample_ledger):
    fig, ax = borrowing_base_chart(FAC, sample_ledger)
    assert _legend(ax)[-1] == "availability (limit less outstanding)"


def test_covenant_headroom_chart_every_covenant(history):
    fig, axes = covenant_headroom_chart(history)
    ids = list(dict.fromkeys(history.index.get_level_values("covenant")))
    assert len(axes) == len(ids) == 3
    _check_chart(fig, axes, "", x_unit="quarter end (date")
    for ax, cid in zip(axes, ids, strict=True):
        h = history.xs(cid, level="covenant")
        unit = "ratio" if h["unit"].iloc[0] == "ratio" else "US$ millions"
        assert unit in ax.get_ylabel()
        assert _title(ax).startswith(h["title"].iloc[0])
        bars = [to_rgba(p.get_facecolor()) for p in ax.patches]
        assert bars == [to_rgba(STATUS_COLOURS[c]) for c in h["status_code"]]
        required = [ln for ln in ax.get_lines() if ln.get_drawstyle() == "steps-post"]
        assert len(required) == 1
    codes = set(history["status_code"])
    assert {"complies", "amber", "breach", "not_required"} <= codes
    patches = _status_patches(fig)
    assert patches["Breach"] == to_rgb(STATUS_COLOURS["breach"])
    assert patches["Complies (amber)"] == to_rgb(STATUS_COLOURS["amber"])
    assert patches["Not required / Level not provided"] == to_rgb(STATUS_COLOURS["not_required"])
    ebitda = axes[ids.index("borrower_cash_flow")]
    assert "($500,000)" in [t.get_text() for t in ebitda.texts]  # a breach: in parentheses
    with pytest.raises(InputError, match="history: the history has no quarters"):
        covenant_headroom_chart(history.iloc[:0])


def test_projection_liquidity_chart(stress):
    fig, ax = projection_liquidity_chart(stress, "stress-2008")
    _check_chart(fig, ax, "US$ millions")
    days = stress.daily("stress-2008")
    steps = [ln for ln in ax.get_lines() if ln.get_drawstyle() == "steps-post"]
    for line, column in zip(
        steps, ["cash_dominion_threshold", "agings_threshold", "springing_threshold"], strict=True
    ):
        np.testing.assert_allclose(line.get_ydata(), days[column] / 1e6)
    labels = _legend(ax)
    assert f"under cash dominion ({int(days['cash_dominion'].sum())} days)" in labels
    # the Event of Default from 2008-11-14 leaves the squeeze of 2009 unfunded: $20,868,130
    assert f"funding gap (${days['funding_gap'].sum():,.2f} in all)" in labels
    assert "funding gap ($20,868,130.34 in all)" in labels
    assert "stress-2008" in ax.get_title()


def test_projection_liquidity_chart_marks_funding_gaps(stress, monkeypatch):
    days = stress.daily(0).copy()
    days["funding_gap"] = 0.0
    days.loc[days.index[10], "funding_gap"] = 1_250_000.0
    monkeypatch.setattr(type(stress), "daily", lambda self, scenario=0: days)
    fig, ax = projection_liquidity_chart(stress, 0)
    assert "funding gap ($1,250,000 in all)" in _legend(ax)
    (gap,) = ax.collections[-1:]
    assert gap.get_offsets().shape == (1, 2)
    assert to_rgb(gap.get_facecolor()[0]) == to_rgb(STATUS_COLOURS["breach"])


def test_projection_revolver_chart(stress):
    fig, ax = projection_revolver_chart(stress)
    _check_chart(fig, ax, "US$ millions", x_unit="quarter end (date)")
    q = stress.quarters.xs("stress-2008", level="scenario")
    heights = [p.get_height() for p in ax.patches]
    n = len(q)
    np.testing.assert_allclose(heights[:n], q["revolver_tranche"] / 1e6)
    np.testing.assert_allclose(heights[n:], q["over_advance_used"] / 1e6)
    np.testing.assert_allclose([p.get_y() for p in ax.patches[n:]], q["revolver_tranche"] / 1e6)
    assert any(q["over_advance_used"] > 0)
    peak = q["peak_outstanding"].max()
    assert [t.get_text() for t in ax.texts] == [f"peak ${round(peak):,}"]
    assert any("limit" in t for t in _legend(ax))


def test_projection_headroom_chart(stress):
    fig, axes = projection_headroom_chart(stress)
    _check_chart(fig, axes, "%", x_unit="quarter end (date)")
    c = stress.covenants.xs("stress-2008", level="scenario")
    ids = list(dict.fromkeys(c.index.get_level_values("covenant")))
    assert len(axes) == len(ids)
    for ax, cid in zip(axes, ids, strict=True):
        h = c.xs(cid, level="covenant")
        assert [to_rgba(p.get_facecolor()) for p in ax.patches] == [
            to_rgba(STATUS_COLOURS[s]) for s in h["status_code"]
        ]
        heights = np.array([p.get_height() for p in ax.patches])
        np.testing.assert_allclose(heights, np.nan_to_num(h["headroom_pct"] * 100))
    assert {"amber", "breach", "not_required", "threshold_not_provided"} <= set(c["status_code"])
    assert "no headroom in any quarter" in _title(axes[ids.index("adjusted_quick_ratio")])


def test_projection_headroom_chart_shows_the_reported_quarters_first(stress):
    from model import load, timeline

    scenario = load("params/deals/ibasis/scenarios/stress-2008.yaml")
    _figures, history = timeline(scenario, stress)
    fig, axes = projection_headroom_chart(stress, history=history)
    ids = list(dict.fromkeys(history.index.get_level_values("covenant")))
    cash_flow = axes[ids.index("borrower_cash_flow")]
    h = history.xs("borrower_cash_flow", level="covenant")
    hatched = [bool(p.get_hatch()) for p in cash_flow.patches]
    assert hatched == list(h["basis"] == "reported")  # 7 reported quarters, then 6 forecast
    assert sum(hatched) == 7
    # 2008-12-31, reported: Cash Flow 1,500,000 against 2,000,000: -25% of the level
    i = list(h.index).index(dt.date(2008, 12, 31))
    assert cash_flow.patches[i].get_height() == pytest.approx(-25.0)
    assert "reported quarter" in _legend(axes[0])


def test_projection_charts_name_a_bad_scenario(stress):
    with pytest.raises(InputError, match="scenario: no scenario 'nope'; scenarios: stress-2008"):
        projection_liquidity_chart(stress, "nope")
    with pytest.raises(InputError, match="scenario: no scenario 3: the projection has 1"):
        projection_revolver_chart(stress, 3)


@pytest.fixture(scope="module")
def grid():
    return sensitivity_grid(load(STRESS), ("revenue", [0, -0.15, 0.05]), ("dso", [0, 10]))


def test_sensitivity_heatmap_first_breach(grid):
    fig, ax = sensitivity_heatmap(grid, "first_breach")
    _check_chart(fig, ax, "%", x_unit="days")
    table = grid["first_breach"].unstack("dso")
    # rows and columns in the order the shocks were given, each cell labelled
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0%", "-15%", "+5%"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "+10"]
    expected = [
        "none" if pd.isna(table.loc[r, c]) else str(table.loc[r, c])
        for r in (0, -0.15, 0.05)
        for c in (0, 10)
    ]
    assert [t.get_text() for t in ax.texts] == expected
    image = ax.get_images()[0].get_array()
    dates = sorted({d for d in grid["first_breach"] if d is not None and not pd.isna(d)})
    earliest = expected.index(str(dates[0]))
    assert tuple(image[earliest // 2][earliest % 2][:3]) == pytest.approx(
        to_rgb(STATUS_COLOURS["breach"])
    )
    assert _status_patches(fig)["none in the horizon"] == to_rgb(STATUS_COLOURS["complies"])


def test_sensitivity_heatmap_money(grid):
    fig, ax = sensitivity_heatmap(grid, "min_liquidity")
    assert "%" in ax.get_ylabel() and "days" in ax.get_xlabel() and ax.get_title()
    colourbar = fig.axes[1]
    assert colourbar.get_ylabel() == "lowest liquidity (US$ millions)"
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    assert _overlap(colourbar.get_window_extent(r), ax.get_window_extent(r)) < 1
    first = grid["min_liquidity"].iloc[0]
    assert ax.texts[0].get_text() == f"${round(first):,}"
    with pytest.raises(InputError, match="value: no column 'nope' in the grid"):
        sensitivity_heatmap(grid, "nope")


def test_breach_probability_chart():
    probability = breach_probability(load(STRESS), 40, seed=7)
    names = {"consolidated_ebitda": "Minimum Consolidated EBITDA"}
    fig, ax = breach_probability_chart(probability, names)
    _check_chart(fig, ax, "%", x_unit="quarter end (date)")
    assert _legend(ax) == ["any covenant (bars: 95% interval)", "Minimum Consolidated EBITDA"]
    anyone = probability.xs("any", level="covenant")
    container = ax.containers[0]
    np.testing.assert_allclose(container.lines[0].get_ydata(), anyone["probability"] * 100)
    low, high = (anyone["low_95"] * 100).to_numpy(), (anyone["high_95"] * 100).to_numpy()
    segments = container.lines[2][0].get_segments()
    np.testing.assert_allclose([s[0][1] for s in segments], low)
    np.testing.assert_allclose([s[1][1] for s in segments], high)
    assert container.lines[0].get_color() == STATUS_COLOURS["breach"]
    ours = [*container.lines[0:1], *container.lines[1]]  # the 'any' line and its caps
    for line in ax.get_lines():  # covenant lines are never a status colour
        if line in ours:
            continue
        assert to_rgb(line.get_color()) not in {to_rgb(c) for c in STATUS_COLOURS.values()}
    fig, ax = breach_probability_chart(probability)
    assert len(_legend(ax)) == 1 + len(set(probability.index.get_level_values("covenant"))) - 1
    with pytest.raises(InputError, match="names: no covenant 'nope'"):
        breach_probability_chart(probability, {"nope": "x"})


def test_new_charts_are_public():
    import model

    for name in charts.__all__:
        assert getattr(model, name) is getattr(charts, name)
