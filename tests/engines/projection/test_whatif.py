"""What-if moves on one scenario (model.engines.projection.whatif) and the panel of 04
(model.reports.whatif): the same figures as the analytics' shocks, reported quarters
untouched, bad moves refused by name, and the panel redrawn on a change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model import InputError, load, project, sensitivity_grid, summary
from model.engines.projection.whatif import WhatIf, scenario_block, what_if
from model.reports.whatif import WhatIfPanel
from model.terms.fields import Sourced
from model.terms.scenarios import LenderResponse

BASE = "params/deals/ibasis/scenarios/base.yaml"
DOWNSIDE = "params/deals/ibasis/scenarios/downside.yaml"


@pytest.fixture(scope="module")
def base():
    return load(BASE, kind="scenario")


def _key(p):
    s = summary(p).iloc[0]
    return (
        s["first_breach"],
        s["first_breach_covenant"],
        float(s["min_liquidity"]),
        float(s["funding_gap"]),
    )


def test_no_move_is_the_scenario_as_written(base):
    assert WhatIf().changes() == {}
    assert _key(what_if(base)) == _key(project(base))


@pytest.mark.parametrize("revenue, dso", [(-0.2, 15), (-0.1, 0), (0.0, 30), (0.05, -5)])
def test_a_move_equals_the_grid_cell_it_matches(base, revenue, dso):
    grid = sensitivity_grid(base, ("revenue", [revenue]), ("dso", [dso])).iloc[0]
    s = summary(what_if(base, WhatIf(revenue=revenue, dso=dso))).iloc[0]
    assert (None if pd.isna(s["first_breach"]) else s["first_breach"]) == (
        None if pd.isna(grid["first_breach"]) else grid["first_breach"]
    )
    assert float(s["min_liquidity"]) == pytest.approx(float(grid["min_liquidity"]), abs=0.005)
    assert float(s["funding_gap"]) == pytest.approx(float(grid["funding_gap"]), abs=0.005)


def test_capex_replaces_the_forecast_quarters_only(base):
    block = scenario_block(base)
    p = what_if(block, WhatIf(capex=5_000_000))
    q = p.quarters.xs(base.name, level="scenario")
    future = block.unknown()
    assert future.any()
    assert (q["capex_unfunded"].to_numpy()[future] == 5_000_000).all()
    np.testing.assert_array_equal(
        q["capex_unfunded"].to_numpy()[~future], block.drivers["capex_unfunded"][0][~future]
    )
    # more cash out: less liquidity at the end of the horizon
    before = project(base).quarters.xs(base.name, level="scenario")
    assert q["liquidity"].iloc[-1] < before["liquidity"].iloc[-1]


def test_the_margin_move_lowers_ebitda_by_revenue_times_the_points(base):
    block = scenario_block(base)
    before = project(block).quarters.xs(base.name, level="scenario")
    after = what_if(block, WhatIf(ebitda_margin=-0.01)).quarters.xs(base.name, level="scenario")
    future = block.unknown()
    np.testing.assert_allclose(
        (after["ebitda"] - before["ebitda"]).to_numpy()[future],
        -0.01 * before["revenue"].to_numpy()[future],
        atol=0.01,
    )
    assert (after["ebitda"].to_numpy()[~future] == before["ebitda"].to_numpy()[~future]).all()


def test_the_lenders_response_is_a_move():
    downside = load(DOWNSIDE, kind="scenario")
    assert downside.terms.lender.response.value == "waive"  # its own terms: waived on a date
    why = "test"
    enforce = LenderResponse(response=Sourced(value="enforce", assumption=why))
    waived = summary(what_if(downside)).iloc[0]
    enforced = summary(what_if(downside, WhatIf(lender=enforce))).iloc[0]
    days = lambda p: int(p.quarters["days_in_default"].sum())  # noqa: E731
    assert days(what_if(downside, WhatIf(lender=enforce))) > days(what_if(downside))
    assert enforced["first_breach"] == waived["first_breach"]


@pytest.mark.parametrize(
    "kw, key",
    [
        ({"revenue": float("nan")}, "revenue"),
        ({"revenue": -1.5}, "revenue"),
        ({"dso": 400}, "dso"),
        ({"capex": -1.0}, "capex"),
        ({"capex": "5"}, "capex"),
        ({"base_rate": 0.5}, "base_rate"),
        ({"ebitda_margin": "0.01"}, "ebitda_margin"),
    ],
)
def test_a_move_out_of_range_is_refused_by_name(kw, key):
    with pytest.raises(InputError, match=rf"^{key}: "):
        WhatIf(**kw)


def test_the_panel_redraws_on_a_change(base):
    panel = WhatIfPanel(base)
    a = panel.answer(WhatIf(revenue=-0.2))
    assert "revenue -20.00%" in a.headroom.title
    first = dict(a.headline.rows)["First forecast breach"]
    assert first.startswith(
        str(summary(what_if(base, WhatIf(revenue=-0.2))).iloc[0]["first_breach"])
    )
    box = panel.widget()
    status = [c for c in box.children if type(c).__name__ == "HTML"][-1]
    revenue = box.children[1]
    assert revenue.description == "Revenue change"
    revenue.value = -0.2
    assert status.value.startswith("<span style='color:#555'>updated in ")
    # an impossible choice says why and keeps the last answer
    lender = next(
        c for c in box.children if getattr(c, "description", "") == "On an Event of Default"
    )
    dates = next(c for c in box.children if getattr(c, "description", "") == "Waiver date (waive)")
    dates.value = None
    lender.value = "waive"
    assert "waiver_date: choose the waiver date" in status.value and "last moves" in status.value


def test_the_batch_shows_the_static_panel():
    from model import paths
    from model.run.notebooks import list_notebooks
    from model.run.plan import find_deals, plan, select_notebooks

    books = select_notebooks(["04-projection"], paths.NOTEBOOKS)
    items = plan(
        find_deals(["ibasis"]),
        books,
        ["base"],
        {},
        [p.stem for p in list_notebooks(paths.NOTEBOOKS)],
    )
    assert [i.parameters["explore"] for i in items] == [False]
