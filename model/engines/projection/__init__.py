"""The quarterly projection: operations to receivables to the borrowing base to the
revolver to covenants, for thousands of scenarios at once (see
:mod:`model.engines.projection.engine` for how it steps)."""

from model.engines.projection.analytics import (
    SHOCKS,
    breach_probability,
    breakeven,
    random_paths,
    repurchase_capacity,
    sensitivity_grid,
    summary,
)
from model.engines.projection.block import ScenarioBlock
from model.engines.projection.dashboard import dashboard
from model.engines.projection.plausibility import plausibility
from model.engines.projection.reported import (
    reported_defaults,
    reported_figures,
    reported_quarters,
)
from model.engines.projection.result import Projection, project
from model.engines.projection.timeline import forecast_vs_actual, timeline

__all__ = [
    "ScenarioBlock",
    "Projection",
    "project",
    "SHOCKS",
    "breach_probability",
    "breakeven",
    "random_paths",
    "repurchase_capacity",
    "sensitivity_grid",
    "summary",
    "plausibility",
    "dashboard",
    "reported_quarters",
    "reported_figures",
    "reported_defaults",
    "timeline",
    "forecast_vs_actual",
]
