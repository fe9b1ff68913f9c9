"""A deal's scenarios compared, each with its analytics: everything notebook 05 reports.

:func:`compare_scenarios` projects each scenario from its own opening and, for each, runs
the sensitivity grid (revenue against DSO), the breakeven declines (EBITDA and revenue),
the probability of a breach on seeded random paths (:class:`PathSettings`) and the
repurchase capacity in one quarter. It returns a :class:`ScenariosStudy`; the report
formats it. One report per deal, so a changed scenario reruns its own projection and this
comparison, not every scenario's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from model.dates.periods import read_quarter_end
from model.engines.projection.analytics import (
    breach_probability,
    breakeven,
    repurchase_capacity,
    sensitivity_grid,
    summary,
)
from model.engines.projection.dashboard import dashboard
from model.engines.projection.plausibility import plausibility
from model.engines.projection.result import Projection, project
from model.engines.projection.schedules import (
    ScheduleQuarter,
    projected_quantities,
    projected_schedules,
    quantities_needed,
)
from model.engines.projection.timeline import forecast_vs_actual, timeline
from model.errors import InputError
from model.terms.scenarios import Scenario
from model.values import read_amount, read_int

__all__ = [
    "PathSettings",
    "ScenarioAnalytics",
    "ScenariosStudy",
    "compare_scenarios",
    "ProjectionStudy",
    "study_projection",
]

#: Covenant statuses that mean a test was made (a level in force and the test applies).
TESTED = ("complies", "amber", "breach", "undefined")


@dataclass(frozen=True)
class PathSettings:
    """How the random paths of the breach probability are drawn."""

    paths: int
    seed: int
    growth_volatility: float
    margin_volatility: float
    correlation: float

    @classmethod
    def read(
        cls,
        paths: Any,
        seed: Any,
        growth_volatility: Any,
        margin_volatility: Any,
        correlation: Any,
    ) -> PathSettings:
        """The settings from notebook parameters, each checked and named on error.

        >>> PathSettings.read(2000, 2008, 0.05, 0.005, 0.5).paths
        2000
        >>> PathSettings.read(0, 2008, 0.05, 0.005, 0.5)
        Traceback (most recent call last):
        ...
        model.errors.InputError: paths: must be a whole number at least 1 (got 0)
        """
        return cls(
            paths=read_int(paths, "paths", low=1),
            seed=read_int(seed, "seed", low=0),
            growth_volatility=float(read_amount(growth_volatility, "growth_volatility")),
            margin_volatility=float(read_amount(margin_volatility, "margin_volatility")),
            correlation=float(read_amount(correlation, "correlation", negative=True)),
        )


@dataclass(frozen=True)
class ScenarioAnalytics:
    """One scenario's analytics: ``tested``, the covenants its projection tests;
    ``grid``, revenue change x days added to DSO; ``declines``, the breakeven decline per
    driver (``ebitda``, ``revenue``); ``probability``, the breach probability by quarter and
    covenant."""

    tested: list[str]
    grid: pd.DataFrame
    declines: dict[str, pd.DataFrame]
    probability: pd.DataFrame


@dataclass(frozen=True)
class ScenariosStudy:
    """What :func:`compare_scenarios` found (see the module docstring)."""

    scenarios: list[Scenario]
    projections: dict[str, Projection]
    analytics: dict[str, ScenarioAnalytics]
    capacity: pd.DataFrame
    quarter: dt.date
    revenue_shocks: list[float]
    dso_shocks: list[int]
    settings: PathSettings


def compare_scenarios(
    scenarios: Sequence[Scenario],
    *,
    revenue_shocks: Sequence[float],
    dso_shocks: Sequence[int],
    settings: PathSettings,
    repurchase_quarter: Any,
) -> ScenariosStudy:
    """``scenarios`` side by side, each with its analytics (see the module docstring)."""
    names = [s.name for s in scenarios]
    if not names:
        raise InputError("give at least one scenario to compare", key="scenario_files")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"scenario(s) named twice: {', '.join(twice)}", key="scenario_files")
    quarter = read_quarter_end(repurchase_quarter, "repurchase_quarter")
    projections = {s.name: project(s) for s in scenarios}  # each from its own as-of date
    analytics = {}
    for s in scenarios:
        codes = projections[s.name].covenants["status_code"]
        tested = sorted(set(codes[codes.isin(TESTED)].index.get_level_values("covenant")))
        analytics[s.name] = ScenarioAnalytics(
            tested=[str(c) for c in tested],
            grid=sensitivity_grid(s, ("revenue", list(revenue_shocks)), ("dso", list(dso_shocks))),
            declines={d: breakeven(s, d) for d in ("ebitda", "revenue")},
            probability=breach_probability(
                s,
                settings.paths,
                seed=settings.seed,
                growth_volatility=settings.growth_volatility,
                margin_volatility=settings.margin_volatility,
                correlation=settings.correlation,
            ),
        )
    capacity = pd.DataFrame({s.name: repurchase_capacity(s, quarter) for s in scenarios}).T
    return ScenariosStudy(
        scenarios=list(scenarios),
        projections=projections,
        analytics=analytics,
        capacity=capacity,
        quarter=quarter,
        revenue_shocks=list(revenue_shocks),
        dso_shocks=list(dso_shocks),
        settings=settings,
    )


@dataclass(frozen=True)
class ProjectionStudy:
    """One scenario projected, with what notebook 04 reports of it: the projection, the
    deal's quarters reported then forecast (``history``, ``history_covenants``), the
    forecast quarters the actuals also report (``overlap``), the summary row, the
    plausibility warnings, the index's dashboard figures and the covenant build-up of every
    projected quarter with the projected quantities its line items read (``schedules``,
    ``quantities``: the workbook's live sheets)."""

    scenario: Scenario
    projection: Projection
    history: pd.DataFrame
    history_covenants: pd.DataFrame
    overlap: pd.DataFrame
    answer: pd.Series
    warnings: pd.DataFrame
    dashboard: dict[str, Any]
    schedules: tuple[ScheduleQuarter, ...] = ()
    quantities: dict[str, tuple[float, ...]] = field(default_factory=dict)


def study_projection(scenario: Scenario, projection: Projection | None = None) -> ProjectionStudy:
    """``scenario`` projected (or ``projection``, already made) and read for its report."""
    p = project(scenario) if projection is None else projection
    history, history_covenants = timeline(scenario, p)
    answer: Any = summary(p).loc[scenario.name]
    return ProjectionStudy(
        scenario=scenario,
        projection=p,
        history=history,
        history_covenants=history_covenants,
        overlap=forecast_vs_actual(scenario, p),
        answer=answer,
        warnings=plausibility(p),
        dashboard=dashboard(p, scenario),
        schedules=projected_schedules(scenario, p),
        quantities=projected_quantities(p, scenario.name, quantities_needed(scenario.facility)),
    )
