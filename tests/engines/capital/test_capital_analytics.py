"""The capital analytics (:mod:`model.engines.capital.analytics`): every case is the engine's
own projection of the shocked scenario, so each is checked against that scenario projected
alone; the breakeven brackets its edge; the probability is reproducible and, with no
randomness, is the unshocked scenario's outcome."""

from __future__ import annotations

from decimal import Decimal

import pytest

from model import load
from model.engines.capital import project_capital
from model.engines.capital.analytics import (
    capital_breach_probability,
    capital_breakeven,
    capital_sensitivity,
    compare_capital_scenarios,
    first_breaches,
    shocked,
)
from model.errors import InputError
from model.reports.capital import capital_figures

SCENARIOS = [
    f"params/deals/{deal}/scenarios/{name}.yaml"
    for deal in ("northwind", "magnite")
    for name in ("base", "downside")
]


def _load(path: str):  # type: ignore[no-untyped-def]
    return load(path, kind="capital_scenario")


@pytest.mark.parametrize("path", SCENARIOS)
def test_the_side_by_side_row_is_the_scenarios_own_report(path: str) -> None:
    s = _load(path)
    row = compare_capital_scenarios([s]).loc[s.name]
    f = capital_figures(s, project_capital(s))
    assert row["first_breach"] == f["first_breach"]
    assert row["cures"] == len(f["cures"])
    assert round(row["cure_amount"], 2) == round(sum(c["amount"] for c in f["cures"]), 2)
    assert round(row["funding_gap"], 2) == round(f["funding_gap_total"], 2)


def test_shocked_scales_ebitda_to_the_cent_and_adds_the_shift() -> None:
    s = _load(SCENARIOS[0])
    t = shocked(s, ebitda="-0.125", rate_shift="0.0075", name="x")
    for a, b in zip(s.paths["ebitda"], t.paths["ebitda"], strict=True):
        assert b == (a * Decimal("0.875")).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert t.rate_shift == s.rate_shift + Decimal("0.0075")
    assert {k: v for k, v in t.paths.items() if k != "ebitda"} == {
        k: v for k, v in s.paths.items() if k != "ebitda"
    }
    assert shocked(s).paths == s.paths and shocked(s).name == s.name


def test_every_grid_cell_is_the_shocked_scenario_projected_alone() -> None:
    s = _load(SCENARIOS[2])  # Magnite base: no failure unshocked
    grid = capital_sensitivity(s, [0, -0.3, -0.5], [0, 0.02])
    assert list(grid.index.names) == ["ebitda", "base_rate"] and len(grid) == 6
    for (e, b), row in grid.iterrows():
        alone = first_breaches(project_capital(shocked(s, ebitda=e, rate_shift=b))).iloc[0]
        assert row["first_breach"] == alone["first_breach"], (e, b)
        assert row["lowest_headroom_pct"] == pytest.approx(alone["lowest_headroom_pct"], abs=1e-12)
        assert row["default_from"] == alone["default_from"]
    assert grid.loc[(0.0, 0.0), "first_breach"] is None
    assert grid.loc[(-0.5, 0.0), "first_breach"] is not None
    # deeper EBITDA falls never fail later
    firsts = [grid.loc[(e, 0.0), "first_breach"] for e in (0.0, -0.3, -0.5)]
    known = [f for f in firsts if f is not None]
    assert known == sorted(known, reverse=True)


def test_the_breakeven_brackets_the_edge_within_its_tolerance() -> None:
    s = _load(SCENARIOS[2])
    b = capital_breakeven(s, tolerance="0.0005")
    assert -1 < b["first_failing"] < b["ebitda_shock"] < 0
    assert b["ebitda_shock"] - b["first_failing"] <= 0.0005
    ok = first_breaches(project_capital(shocked(s, ebitda=b["ebitda_shock"]))).iloc[0]
    bad = first_breaches(project_capital(shocked(s, ebitda=b["first_failing"]))).iloc[0]
    assert ok["first_breach"] is None
    assert bad["first_breach"] == b["first_breach"]
    assert bad["first_breach_covenant"] == b["covenant"]
    # a scenario that fails unshocked has no breakeven
    assert capital_breakeven(_load(SCENARIOS[3]))["ebitda_shock"] is None


def test_the_probability_is_reproducible_and_without_randomness_is_the_scenario() -> None:
    s = _load(SCENARIOS[0])  # Northwind base fails the fixed charge test at 2020-06-30
    a = capital_breach_probability(s, paths=50, seed=3, volatility="0.05")
    b = capital_breach_probability(s, paths=50, seed=3, volatility="0.05")
    assert a["by_quarter"].equals(b["by_quarter"]) and a["ever"] == b["ever"]
    flat = capital_breach_probability(s, paths=7, seed=0, volatility=0)
    alone = project_capital(s).covenants
    failing = set(alone.loc[alone["status"].isin(["breach", "undefined"]), "quarter_end"])
    got = flat["by_quarter"].xs("any", level="covenant")["probability"]
    assert {q for q, p in got.items() if p == 1.0} == failing
    assert set(got.unique()) <= {0.0, 1.0}
    assert flat["ever"] == 1.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: compare_capital_scenarios([s, s]), r"scenarios: scenario names repeat: base"),
        (lambda s: compare_capital_scenarios([]), r"scenarios: no scenario to compare"),
        (lambda s: compare_capital_scenarios([None]), r"scenarios: scenarios must be a capital"),
        (lambda s: capital_sensitivity(s, "0,-0.1", [0]), r"ebitda_shocks: .*non-empty list"),
        (lambda s: capital_sensitivity(s, [0], []), r"rate_shifts: .*non-empty list"),
        (lambda s: capital_sensitivity(s, [0, 0], [0]), r"ebitda_shocks repeat a value"),
        (lambda s: capital_sensitivity(s, ["ten"], [0]), r"ebitda_shocks"),
        (lambda s: capital_sensitivity(s, [0], [0.5]), r"rate_shifts is a fraction from -0.2"),
        (lambda s: capital_breakeven(s, tolerance=0), r"tolerance is a fraction from 1e-06"),
        (lambda s: capital_breach_probability(s, paths=0), r"paths"),
        (lambda s: capital_breach_probability(s, volatility=2), r"volatility is a fraction"),
        (lambda s: shocked(s, ebitda=-2), r"ebitda is a fraction from -1"),
    ],
)
def test_bad_arguments_are_refused_by_name(call, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        call(_load(SCENARIOS[0]))


def test_grid_cells_that_differ_only_in_far_decimals_stay_apart() -> None:
    s = _load(SCENARIOS[2])
    b = capital_breakeven(s, tolerance="0.00001")
    ok, bad = b["ebitda_shock"], b["first_failing"]
    grid = capital_sensitivity(s, [ok, bad], [0])
    assert grid.loc[(ok, 0.0), "first_breach"] is None
    assert grid.loc[(bad, 0.0), "first_breach"] == b["first_breach"]


def test_the_breakeven_says_when_it_found_no_edge_above_its_floor() -> None:
    b = capital_breakeven(_load(SCENARIOS[2]), low="-0.10")
    assert b["ebitda_shock"] == -0.10 and b["first_failing"] is None
    from model.reports.capital_scenarios import _breakeven_words

    assert _breakeven_words(b).startswith("None found: no covenant fails even with EBITDA -10.0%")


def test_random_paths_keep_ebitda_positive_however_volatile() -> None:
    s = _load(SCENARIOS[2])
    p = capital_breach_probability(s, paths=20, seed=5, volatility=1)
    assert 0 <= p["ever"] <= 1
    with pytest.raises(InputError, match="block_size"):
        capital_breach_probability(s, paths=5, block_size=0)


def test_a_structure_without_covenants_never_fails() -> None:
    s = _load(SCENARIOS[2])
    bare = s.structure.model_copy(
        update={"terms": s.structure.terms.model_copy(update={"covenants": ()})}
    )
    t = s.model_copy(update={"structure": bare})
    row = compare_capital_scenarios([t]).iloc[0]
    assert row["first_breach"] is None and row["cures"] == 0
    assert capital_breakeven(t)["first_failing"] is None
