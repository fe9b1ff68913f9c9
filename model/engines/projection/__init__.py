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
from model.engines.projection.result import Projection, project

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
]
